//! OSV: records, version ordering per ecosystem, range evaluation, offline database, API client.
