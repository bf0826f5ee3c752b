//! The OSV database's location (`--db`, `VOUCH_DB`, the user cache directory) and the time
//! recorded as "built" or "today" (`SOURCE_DATE_EPOCH` when set).

use std::path::PathBuf;

use crate::args::db::DbLocation;

impl DbLocation {
    pub fn resolve(&self) -> anyhow::Result<PathBuf> {
        if let Some(d) = &self.db {
            return Ok(d.clone());
        }
        if let Some(d) = std::env::var_os("VOUCH_DB").filter(|v| !v.is_empty()) {
            return Ok(PathBuf::from(d));
        }
        default_cache_dir()
            .map(|c| c.join("vouch").join("osv"))
            .ok_or_else(|| {
                crate::error::hinted(
                    anyhow::anyhow!("no database location: no user cache directory"),
                    "pass --db DIR or set VOUCH_DB",
                )
            })
    }
}

fn default_cache_dir() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(target_os = "macos") {
        return env("HOME").map(|h| h.join("Library/Caches"));
    }
    if cfg!(windows) {
        return env("LOCALAPPDATA");
    }
    env("XDG_CACHE_HOME").or_else(|| env("HOME").map(|h| h.join(".cache")))
}

/// The build time written into databases: `SOURCE_DATE_EPOCH` when set, else now.
pub fn build_time() -> String {
    let now = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .unwrap_or_else(time::OffsetDateTime::now_utc);
    now.replace_nanosecond(0)
        .unwrap_or(now)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}
