//! The OSV API client (online mode).

/// Errors talking to the OSV API.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("OSV API at `{url}`: {message}")]
    Http { url: String, message: String },
}
