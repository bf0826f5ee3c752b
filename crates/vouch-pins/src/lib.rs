//! Pinning checks: workflows, container images, install commands, lockfile records and change records.
