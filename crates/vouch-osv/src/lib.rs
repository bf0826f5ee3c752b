//! OSV: records, version ordering per ecosystem, range evaluation, offline database, API client.
//!
//! vouch answers "which of these packages carry known vulnerabilities" exactly as the OSV
//! schema defines it: every `affected[]` entry is evaluated on its own, with range events
//! ordered by the ecosystem's own version rules ([`version`]). Records come from an offline
//! database indexed by ecosystem and normalised package name ([`db`]), so a scan opens only
//! the records of the packages it has, or from the OSV API ([`api`]).

pub mod api;
mod api_contract;
pub mod cvss;
pub mod cvss4;
pub mod db;
pub mod distro;
pub mod eval;
pub mod name;
pub mod native;
pub mod record;
pub mod scan;
pub mod severity;
pub mod triage;
pub mod version;
pub mod zip;

pub use db::Database;
pub use scan::{scan, scan_packages, Finding, Report};
pub use severity::Level;
