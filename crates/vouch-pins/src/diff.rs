//! Lockfile change records: what changed between two revisions of the lockfiles.
