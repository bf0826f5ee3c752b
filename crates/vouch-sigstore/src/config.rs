//! Which services sign: a Sigstore `SigningConfig` v0.2
//! (`application/vnd.dev.sigstore.signingconfig.v0.2+json`, as cosign v3 reads it), or
//! cosign's `--fulcio-url` / `--rekor-url` / `--timestamp-server-url` flags on top of one.
//!
//! Selection follows the protobuf-specs rules: a service counts when its `validFor` window
//! holds now and its `majorApiVersion` is one vouch speaks (Fulcio 1; Rekor 1 and 2; TSA 1);
//! among those the highest API version wins, then the newest `validFor.start`. Rekor and TSA
//! lists honour their `selector` (`ANY`: one; `EXACT`: `count` distinct operators; `ALL`: one
//! per operator).

use serde::Deserialize;

/// The public-good production signing config, shipped inside the binary.
pub const PUBLIC_GOOD: &[u8] = include_bytes!("../config/public-good.signing_config.json");
/// The media type vouch reads.
pub const MEDIA_TYPE_V0_2: &str = "application/vnd.dev.sigstore.signingconfig.v0.2+json";

/// Why a signing config cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid signing config JSON: {0}")]
    Json(serde_json::Error),
    #[error("unsupported signing config media type `{0}` (expected `{MEDIA_TYPE_V0_2}`)")]
    MediaType(String),
    #[error("signing config: {0}")]
    Invalid(String),
}

/// A transparency log to write to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RekorService {
    pub url: String,
    /// 1 (`/api/v1/log/entries`) or 2 (`/api/v2/log/entries`).
    pub major_api_version: u32,
}

/// The services one signing operation uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Services {
    /// Fulcio's base URL (keyless only).
    pub fulcio: Option<String>,
    /// Logs to write an entry to (empty: none).
    pub rekor: Vec<RekorService>,
    /// Full timestamp URLs (`…/api/v1/timestamp`).
    pub tsa: Vec<String>,
}

/// cosign's service flags; each replaces what the config says for that service.
#[derive(Debug, Clone, Default)]
pub struct ServiceOverrides {
    pub fulcio_url: Option<String>,
    /// A Rekor v1 base URL.
    pub rekor_url: Option<String>,
    /// A full RFC 3161 timestamp URL.
    pub timestamp_server_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    ca_urls: Vec<RawService>,
    #[serde(default)]
    rekor_tlog_urls: Vec<RawService>,
    #[serde(default)]
    tsa_urls: Vec<RawService>,
    #[serde(default)]
    rekor_tlog_config: RawSelector,
    #[serde(default)]
    tsa_config: RawSelector,
}

#[derive(Deserialize, Clone)]
#[serde(rename_all = "camelCase")]
struct RawService {
    url: String,
    #[serde(default)]
    major_api_version: u32,
    valid_for: Option<RawValidity>,
    #[serde(default)]
    operator: String,
}

#[derive(Deserialize, Clone)]
struct RawValidity {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize, Default)]
struct RawSelector {
    #[serde(default)]
    selector: String,
    #[serde(default)]
    count: u32,
}

/// A parsed signing config.
#[derive(Debug, Clone)]
pub struct SigningConfig {
    ca: Vec<Svc>,
    rekor: Vec<Svc>,
    tsa: Vec<Svc>,
    rekor_selector: (String, u32),
    tsa_selector: (String, u32),
}

#[derive(Debug, Clone)]
struct Svc {
    url: String,
    major: u32,
    start: i64,
    end: Option<i64>,
    operator: String,
}

fn rfc3339(s: &str) -> Option<i64> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
        .ok()
        .map(time::OffsetDateTime::unix_timestamp)
}

fn services(kind: &str, raw: &[RawService]) -> Result<Vec<Svc>, ConfigError> {
    raw.iter()
        .map(|s| {
            let bad = |why: &str| ConfigError::Invalid(format!("{kind} `{}`: {why}", s.url));
            let v = s.valid_for.as_ref().ok_or_else(|| bad("no `validFor`"))?;
            let start = v
                .start
                .as_deref()
                .and_then(rfc3339)
                .ok_or_else(|| bad("`validFor.start` is missing or not RFC 3339"))?;
            let end = match v.end.as_deref() {
                None => None,
                Some(e) => Some(rfc3339(e).ok_or_else(|| bad("`validFor.end` is not RFC 3339"))?),
            };
            if !(s.url.starts_with("https://") || s.url.starts_with("http://")) {
                return Err(bad("not an http(s) URL"));
            }
            Ok(Svc {
                url: s.url.trim_end_matches('/').to_owned(),
                major: s.major_api_version,
                start,
                end,
                operator: s.operator.clone(),
            })
        })
        .collect()
}

impl SigningConfig {
    /// Parses a signing config's JSON.
    pub fn from_json(bytes: &[u8]) -> Result<Self, ConfigError> {
        let raw: Raw = serde_json::from_slice(bytes).map_err(ConfigError::Json)?;
        if raw.media_type != MEDIA_TYPE_V0_2 {
            return Err(ConfigError::MediaType(raw.media_type));
        }
        Ok(Self {
            ca: services("caUrls", &raw.ca_urls)?,
            rekor: services("rekorTlogUrls", &raw.rekor_tlog_urls)?,
            tsa: services("tsaUrls", &raw.tsa_urls)?,
            rekor_selector: (raw.rekor_tlog_config.selector, raw.rekor_tlog_config.count),
            tsa_selector: (raw.tsa_config.selector, raw.tsa_config.count),
        })
    }

    /// The embedded public-good config.
    pub fn public_good() -> Self {
        Self::from_json(PUBLIC_GOOD).expect("the embedded signing config is valid")
    }

    /// The services to use at `now` (Unix seconds), with `overrides` applied.
    pub fn select(&self, now: i64, overrides: &ServiceOverrides) -> Result<Services, ConfigError> {
        let r = self;
        let fulcio = match &overrides.fulcio_url {
            Some(u) => Some(u.trim_end_matches('/').to_owned()),
            None => pick(&r.ca, now, &[1], ("ANY", 1))?.into_iter().next(),
        };
        let rekor = if let Some(u) = &overrides.rekor_url {
            vec![RekorService {
                url: u.trim_end_matches('/').to_owned(),
                major_api_version: 1,
            }]
        } else {
            let sel = (r.rekor_selector.0.as_str(), r.rekor_selector.1);
            pick_svcs(&r.rekor, now, &[1, 2], sel)?
                .into_iter()
                .map(|s| RekorService {
                    url: s.url,
                    major_api_version: s.major,
                })
                .collect()
        };
        let tsa = match &overrides.timestamp_server_url {
            Some(u) => vec![u.clone()],
            None => pick(
                &r.tsa,
                now,
                &[1],
                (r.tsa_selector.0.as_str(), r.tsa_selector.1),
            )?,
        };
        Ok(Services { fulcio, rekor, tsa })
    }
}

fn pick(
    list: &[Svc],
    now: i64,
    majors: &[u32],
    selector: (&str, u32),
) -> Result<Vec<String>, ConfigError> {
    Ok(pick_svcs(list, now, majors, selector)?
        .into_iter()
        .map(|s| s.url)
        .collect())
}

fn pick_svcs(
    list: &[Svc],
    now: i64,
    majors: &[u32],
    (selector, count): (&str, u32),
) -> Result<Vec<Svc>, ConfigError> {
    let mut usable: Vec<&Svc> = list
        .iter()
        .filter(|s| majors.contains(&s.major))
        .filter(|s| s.start <= now && s.end.is_none_or(|e| now <= e))
        .collect();
    // Highest API version first, then the newest.
    usable.sort_by(|a, b| b.major.cmp(&a.major).then(b.start.cmp(&a.start)));
    // One per operator, the best of each.
    let mut per_operator: Vec<&Svc> = Vec::new();
    for s in usable {
        if !per_operator.iter().any(|p| p.operator == s.operator) {
            per_operator.push(s);
        }
    }
    let want = match selector {
        "" | "ANY" | "SELECTOR_UNDEFINED" => per_operator.len().min(1),
        "ALL" => per_operator.len(),
        "EXACT" => {
            let n = count as usize;
            if per_operator.len() < n {
                return Err(ConfigError::Invalid(format!(
                    "selector EXACT needs {n} services from distinct operators, {} are valid now",
                    per_operator.len()
                )));
            }
            n
        }
        other => {
            return Err(ConfigError::Invalid(format!("unknown selector `{other}`")));
        }
    };
    Ok(per_operator.into_iter().take(want).cloned().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000; // 2026-09

    #[test]
    fn public_good_selects_fulcio_rekor_v1_and_the_tsa() {
        let s = SigningConfig::public_good()
            .select(NOW, &ServiceOverrides::default())
            .unwrap();
        assert_eq!(s.fulcio.as_deref(), Some("https://fulcio.sigstore.dev"));
        assert_eq!(
            s.rekor,
            vec![RekorService {
                url: "https://rekor.sigstore.dev".into(),
                major_api_version: 1
            }]
        );
        assert_eq!(
            s.tsa,
            vec!["https://timestamp.sigstore.dev/api/v1/timestamp"]
        );
        // Before the TSA's window opened, there is none.
        let early = SigningConfig::public_good()
            .select(1_700_000_000, &ServiceOverrides::default())
            .unwrap();
        assert!(early.tsa.is_empty());
    }

    #[test]
    fn rekor_v2_wins_over_v1_and_expired_services_are_skipped() {
        let cfg = br#"{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
          "caUrls":[{"url":"https://old","majorApiVersion":1,"validFor":{"start":"2020-01-01T00:00:00Z","end":"2021-01-01T00:00:00Z"}},
                    {"url":"https://new/","majorApiVersion":1,"validFor":{"start":"2022-01-01T00:00:00Z"}}],
          "rekorTlogUrls":[{"url":"https://v1","majorApiVersion":1,"validFor":{"start":"2021-01-01T00:00:00Z"},"operator":"a"},
                           {"url":"https://v2","majorApiVersion":2,"validFor":{"start":"2025-01-01T00:00:00Z"},"operator":"a"},
                           {"url":"https://v3","majorApiVersion":3,"validFor":{"start":"2025-01-01T00:00:00Z"},"operator":"a"}],
          "rekorTlogConfig":{"selector":"ANY"}}"#;
        let s = SigningConfig::from_json(cfg)
            .unwrap()
            .select(NOW, &ServiceOverrides::default())
            .unwrap();
        assert_eq!(s.fulcio.as_deref(), Some("https://new"));
        assert_eq!(s.rekor[0].url, "https://v2");
        assert_eq!(s.rekor[0].major_api_version, 2);
        let o = ServiceOverrides {
            rekor_url: Some("http://127.0.0.1:1/".into()),
            ..ServiceOverrides::default()
        };
        let s = SigningConfig::from_json(cfg)
            .unwrap()
            .select(NOW, &o)
            .unwrap();
        assert_eq!(s.rekor[0].url, "http://127.0.0.1:1");
        assert_eq!(s.rekor[0].major_api_version, 1);
    }

    #[test]
    fn bad_configs_are_named() {
        let e = SigningConfig::from_json(br#"{"mediaType":"x"}"#).unwrap_err();
        assert!(e.to_string().contains("`x`"), "{e}");
        let e = SigningConfig::from_json(
            br#"{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","caUrls":[{"url":"https://f","majorApiVersion":1}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("https://f"), "{e}");
        let exact = br#"{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json",
          "tsaUrls":[{"url":"https://t","majorApiVersion":1,"validFor":{"start":"2021-01-01T00:00:00Z"}}],
          "tsaConfig":{"selector":"EXACT","count":2}}"#;
        let e = SigningConfig::from_json(exact)
            .unwrap()
            .select(NOW, &ServiceOverrides::default())
            .unwrap_err();
        assert!(e.to_string().contains("EXACT"), "{e}");
    }
}
