//! OSV: records, version ordering per ecosystem, range evaluation, offline database, API client.
//!
//! vouch answers "which of these packages carry known vulnerabilities" exactly as the OSV
//! schema defines it: every `affected[]` entry is evaluated on its own, with range events
//! ordered by the ecosystem's own version rules ([`version`]). Records come from an offline
//! database indexed by ecosystem and normalised package name ([`db`]), so a scan opens only
//! the records of the packages it has, or from the OSV API ([`api`]).

pub mod version;
