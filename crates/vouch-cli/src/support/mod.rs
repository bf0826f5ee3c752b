//! What several commands share, below the commands: key and password loading, inputs and
//! digests, the database location, policies, registries, the release glue, output writing and
//! progress. No module here imports a command (checked by
//! `crates/vouch-testkit/tests/module_graph.rs`).

pub mod catalog;
pub mod db;
pub mod image;
pub mod input;
pub mod keys;
pub mod output;
pub mod password;
pub mod policy;
pub mod progress;
pub mod registry;
pub mod release;
pub mod triage;
