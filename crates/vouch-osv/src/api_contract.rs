//! What the OSV API imposes on its callers: the batch limit and the errors of talking to it.
//!
//! A module of its own so that the scanner (which chunks queries to the batch limit and
//! carries API errors) and the API client (a record source for the scanner) both depend on it
//! and not on each other.

use crate::db::DbError;

/// `querybatch` accepts at most this many queries.
pub const BATCH_LIMIT: usize = 1000;

/// Errors talking to the OSV API or the export bucket.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("request to `{url}` failed: {message}")]
    Http { url: String, message: String },
    #[error("`{url}` answered something that is not the OSV API's shape: {message}")]
    Shape { url: String, message: String },
    #[error("partial results: {failed} of {total} requests to the OSV API failed ({message}); not reporting an incomplete scan")]
    Partial {
        failed: usize,
        total: usize,
        message: String,
    },
    #[error("failed to start the HTTP client: {0}")]
    Client(String),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Record(#[from] crate::record::RecordError),
}
