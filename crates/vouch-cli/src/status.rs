//! How a command that ran to completion ended, and its exit code.

use std::process::ExitCode;

/// How a command that ran to completion ended. Errors (exit 2) travel as `anyhow::Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Exit 0: nothing to report, or admitted.
    Ok,
    /// Exit 1: findings, policy denied, or a signature that does not verify.
    Failed,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> Self {
        match s {
            Status::Ok => ExitCode::SUCCESS,
            Status::Failed => ExitCode::from(1),
        }
    }
}
