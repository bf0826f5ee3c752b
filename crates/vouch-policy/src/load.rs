//! Reading a policy file: YAML → validated [`PolicySet`], every error with its line.
//!
//! Everything that can be checked without evidence is checked here, before anything is
//! verified: unknown keys, types, globs, durations, severities, thresholds, and the Rego of
//! every condition (compiled with regorus).

use base64::Engine as _;
use globset::{GlobBuilder, GlobSetBuilder};

use crate::model::{
    Condition, Mode, Namespaces, NoMatch, PlatformScope, Policy, PolicySet, RequiredAttestation,
    Rescan, Severity, Signers, TriageFile, TrustedIdentity, TrustedKey,
};
use crate::yaml::{self, Kind, Node};

/// Why a policy file was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error("`{file}` line {line}: {message}")]
    Invalid {
        file: String,
        line: usize,
        message: String,
    },
    #[error("`{file}`: failed to read `rescan` file `{path}` (line {line}): {message}")]
    TriageFile {
        file: String,
        path: String,
        line: usize,
        message: String,
    },
    #[error("`{file}`: failed to read key file `{path}` of key `{key}` (line {line}): {message}")]
    KeyFile {
        file: String,
        key: String,
        path: String,
        line: usize,
        message: String,
    },
}

struct Ctx<'a> {
    file: &'a str,
}

impl Ctx<'_> {
    fn err(&self, line: usize, message: impl Into<String>) -> PolicyError {
        PolicyError::Invalid {
            file: self.file.to_owned(),
            line,
            message: message.into(),
        }
    }

    /// The entries of a mapping node, rejecting keys not in `allowed`.
    fn map<'n>(
        &self,
        node: &'n Node,
        what: &str,
        allowed: &[&str],
    ) -> Result<Vec<(&'n str, &'n Node)>, PolicyError> {
        let Kind::Map(entries) = &node.kind else {
            return Err(self.err(
                node.line,
                format!("{what} must be a mapping, found {}", node.describe()),
            ));
        };
        let mut out: Vec<(&str, &Node)> = Vec::new();
        for (k, v) in entries {
            let Kind::Scalar { text, .. } = &k.kind else {
                return Err(self.err(k.line, format!("{what} has a non-scalar key")));
            };
            if !allowed.contains(&text.as_str()) {
                return Err(self.err(
                    k.line,
                    format!(
                        "unknown key `{text}` in {what} (expected one of: {})",
                        allowed.join(", ")
                    ),
                ));
            }
            if out.iter().any(|(seen, _)| *seen == text) {
                return Err(self.err(k.line, format!("duplicate key `{text}` in {what}")));
            }
            out.push((text.as_str(), v));
        }
        Ok(out)
    }

    fn str<'n>(&self, node: &'n Node, what: &str) -> Result<&'n str, PolicyError> {
        match &node.kind {
            Kind::Scalar { text, .. } if !text.is_empty() => Ok(text),
            Kind::Scalar { .. } => Err(self.err(node.line, format!("{what} must not be empty"))),
            _ => Err(self.err(
                node.line,
                format!("{what} must be a string, found {}", node.describe()),
            )),
        }
    }

    fn bool(&self, node: &Node, what: &str) -> Result<bool, PolicyError> {
        match node.to_json() {
            serde_json::Value::Bool(b)
                if matches!(node.kind, Kind::Scalar { quoted: false, .. }) =>
            {
                Ok(b)
            }
            _ => Err(self.err(node.line, format!("{what} must be true or false"))),
        }
    }

    fn uint(&self, node: &Node, what: &str) -> Result<usize, PolicyError> {
        match (&node.kind, node.to_json()) {
            (Kind::Scalar { quoted: false, .. }, serde_json::Value::Number(n)) if n.is_u64() => {
                Ok(n.as_u64().unwrap_or_default() as usize)
            }
            _ => Err(self.err(node.line, format!("{what} must be a whole number"))),
        }
    }

    fn seq<'n>(&self, node: &'n Node, what: &str) -> Result<&'n [Node], PolicyError> {
        match &node.kind {
            Kind::Seq(items) => Ok(items),
            _ => Err(self.err(
                node.line,
                format!("{what} must be a list, found {}", node.describe()),
            )),
        }
    }
}

fn required<'n>(
    ctx: &Ctx<'_>,
    entries: &[(&str, &'n Node)],
    key: &str,
    what: &str,
    line: usize,
) -> Result<&'n Node, PolicyError> {
    entries
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
        .ok_or_else(|| ctx.err(line, format!("{what} is missing required key `{key}`")))
}

fn get<'n>(entries: &[(&str, &'n Node)], key: &str) -> Option<&'n Node> {
    entries.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Parses a duration such as `30d`, `12h`, `90m`, `45s`, `2w`.
pub fn parse_duration(s: &str) -> Option<time::Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    let n: i64 = num.parse().ok()?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    if n <= 0 {
        return None;
    }
    Some(time::Duration::seconds(n.checked_mul(secs)?))
}

/// `sha256:<hex>` of the DER inside a PEM `PUBLIC KEY` block: the identity vouch uses for a
/// trusted key in evidence and verdicts.
pub fn key_fingerprint(pem: &str) -> Option<String> {
    let mut in_block = false;
    let mut b64 = String::new();
    for line in pem.lines() {
        let line = line.trim();
        if line.starts_with("-----BEGIN ") {
            in_block = true;
        } else if line.starts_with("-----END ") {
            break;
        } else if in_block {
            b64.push_str(line);
        }
    }
    let der = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
    if der.is_empty() {
        return None;
    }
    Some(vouch_attest::sha256(&der).to_string())
}

fn glob(ctx: &Ctx<'_>, node: &Node, what: &str) -> Result<globset::Glob, PolicyError> {
    let pattern = ctx.str(node, what)?;
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| {
            ctx.err(
                node.line,
                format!("bad glob `{pattern}` in {what}: {}", e.kind()),
            )
        })
}

fn compile_condition(
    ctx: &Ctx<'_>,
    node: &Node,
    policy: &str,
    attestation: &str,
) -> Result<Condition, PolicyError> {
    let source = ctx.str(node, "`condition`")?.to_owned();
    let path = format!("{}#{policy}/{attestation}", ctx.file);
    let mut engine = regorus::Engine::new();
    let package = engine
        .add_policy(path.clone(), source.clone())
        .map_err(|e| {
            let msg = e.to_string();
            // regorus reports `--> path:line:col`, the source line, then `error: …`; translate the
            // Rego line into a policy-file line (the scalar's mark is its first content line).
            let rego_line = msg
                .split_once(&format!("--> {path}:"))
                .and_then(|(_, rest)| rest.split(':').next())
                .and_then(|l| l.parse::<usize>().ok());
            let line = rego_line.map_or(node.line, |l| node.line + l.saturating_sub(1));
            let detail = msg
                .lines()
                .find_map(|l| l.trim().strip_prefix("error: "))
                .unwrap_or_else(|| msg.trim())
                .to_owned();
            ctx.err(
                line,
                format!("Rego condition of attestation `{attestation}` does not compile: {detail}"),
            )
        })?;
    let declares = |rule: &str| {
        engine
            .has_declared_rule_rooted_at(&path, rule)
            .unwrap_or(false)
    };
    if !declares("allow") {
        return Err(ctx.err(
            node.line,
            format!(
                "Rego condition of attestation `{attestation}` defines no `allow` rule (package {package})"
            ),
        ));
    }
    let has_deny = declares("deny");
    Ok(Condition {
        source,
        package,
        engine,
        has_deny,
        line: node.line,
    })
}

fn signers(ctx: &Ctx<'_>, node: &Node, policy: &str) -> Result<Signers, PolicyError> {
    let e = ctx.map(node, "`signers`", &["threshold", "keys", "identities"])?;
    let mut keys = Vec::new();
    let mut identities: Vec<TrustedIdentity> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut check_name = |name: &str, line: usize| -> Result<(), PolicyError> {
        if names.iter().any(|n| n == name) {
            return Err(ctx.err(line, format!("duplicate signer name `{name}`")));
        }
        names.push(name.to_owned());
        Ok(())
    };
    if let Some(k) = get(&e, "keys") {
        for item in ctx.seq(k, "`keys`")? {
            let ke = ctx.map(item, "a key", &["name", "publicKey", "path", "required"])?;
            let name = ctx.str(required(ctx, &ke, "name", "a key", item.line)?, "`name`")?;
            check_name(name, item.line)?;
            let pem = get(&ke, "publicKey")
                .map(|n| ctx.str(n, "`publicKey`"))
                .transpose()?;
            let path = get(&ke, "path").map(|n| ctx.str(n, "`path`")).transpose()?;
            let fingerprint = match (pem, path) {
                (Some(_), Some(_)) | (None, None) => {
                    return Err(ctx.err(
                        item.line,
                        format!("key `{name}` needs exactly one of `publicKey` (PEM) or `path`"),
                    ))
                }
                (Some(pem), None) => Some(key_fingerprint(pem).ok_or_else(|| {
                    ctx.err(
                        get(&ke, "publicKey").map_or(item.line, |n| n.line),
                        format!("`publicKey` of key `{name}` is not a PEM public key"),
                    )
                })?),
                (None, Some(_)) => None,
            };
            keys.push(TrustedKey {
                name: name.to_owned(),
                pem: pem.map(str::to_owned),
                path: path.map(str::to_owned),
                fingerprint,
                required: get(&ke, "required")
                    .map(|n| ctx.bool(n, "`required`"))
                    .transpose()?
                    .unwrap_or(false),
                line: item.line,
            });
        }
    }
    if let Some(ids) = get(&e, "identities") {
        for item in ctx.seq(ids, "`identities`")? {
            let ie = ctx.map(
                item,
                "an identity",
                &["name", "issuer", "subject", "required"],
            )?;
            let issuer = ctx.str(
                required(ctx, &ie, "issuer", "an identity", item.line)?,
                "`issuer`",
            )?;
            let subject_node = required(ctx, &ie, "subject", "an identity", item.line)?;
            let subject = ctx.str(subject_node, "`subject`")?;
            let name = match get(&ie, "name") {
                Some(n) => ctx.str(n, "`name`")?.to_owned(),
                None => subject.to_owned(),
            };
            check_name(&name, item.line)?;
            identities.push(TrustedIdentity {
                name,
                issuer: issuer.to_owned(),
                subject: subject.to_owned(),
                subject_glob: glob(ctx, subject_node, "`subject`")?.compile_matcher(),
                required: get(&ie, "required")
                    .map(|n| ctx.bool(n, "`required`"))
                    .transpose()?
                    .unwrap_or(false),
                line: item.line,
            });
        }
    }
    let n = keys.len() + identities.len();
    if n == 0 {
        return Err(ctx.err(
            node.line,
            format!("policy `{policy}` trusts no signer: list `keys` or `identities`"),
        ));
    }
    let n_required = keys.iter().filter(|k| k.required).count()
        + identities.iter().filter(|i| i.required).count();
    let threshold = match get(&e, "threshold") {
        Some(t) => {
            let v = ctx.uint(t, "`threshold`")?;
            if v == 0 || v > n {
                return Err(ctx.err(
                    t.line,
                    format!("`threshold` must be between 1 and the {n} listed signer(s), got {v}"),
                ));
            }
            if v < n_required {
                return Err(ctx.err(
                    t.line,
                    format!("`threshold` {v} is below the {n_required} required signer(s)"),
                ));
            }
            v
        }
        None => n_required.max(1),
    };
    Ok(Signers {
        keys,
        identities,
        threshold,
    })
}

fn policy(ctx: &Ctx<'_>, node: &Node) -> Result<Policy, PolicyError> {
    let e = ctx.map(
        node,
        "a policy",
        &[
            "name",
            "match",
            "mode",
            "signers",
            "attestations",
            "maxAge",
            "rescan",
            "platforms",
        ],
    )?;
    let name = ctx
        .str(required(ctx, &e, "name", "a policy", node.line)?, "`name`")?
        .to_owned();
    let match_node = required(ctx, &e, "match", "a policy", node.line)?;
    let patterns = ctx.seq(match_node, "`match`")?;
    if patterns.is_empty() {
        return Err(ctx.err(match_node.line, "`match` must list at least one glob"));
    }
    let mut full = GlobSetBuilder::new();
    let mut base = GlobSetBuilder::new();
    let mut matches = Vec::new();
    for p in patterns {
        let g = glob(ctx, p, "`match`")?;
        if !g.glob().contains('/') {
            base.add(g.clone());
        }
        matches.push(g.glob().to_owned());
        full.add(g);
    }
    let build = |b: GlobSetBuilder| {
        b.build()
            .map_err(|e| ctx.err(match_node.line, format!("bad glob in `match`: {e}")))
    };
    let mode = match get(&e, "mode") {
        None => Mode::Enforce,
        Some(n) => match ctx.str(n, "`mode`")? {
            "enforce" => Mode::Enforce,
            "warn" => Mode::Warn,
            other => {
                return Err(ctx.err(
                    n.line,
                    format!("`mode` must be `enforce` or `warn`, got `{other}`"),
                ))
            }
        },
    };
    let signers = signers(
        ctx,
        required(ctx, &e, "signers", "a policy", node.line)?,
        &name,
    )?;
    let att_node = required(ctx, &e, "attestations", "a policy", node.line)?;
    let mut attestations: Vec<RequiredAttestation> = Vec::new();
    for item in ctx.seq(att_node, "`attestations`")? {
        let ae = ctx.map(
            item,
            "an attestation",
            &[
                "name",
                "predicateType",
                "condition",
                "requirePassed",
                "failOn",
            ],
        )?;
        let pt_node = required(ctx, &ae, "predicateType", "an attestation", item.line)?;
        let predicate_type =
            vouch_attest::predicate::resolve_type(ctx.str(pt_node, "`predicateType`")?)
                .map_err(|err| ctx.err(pt_node.line, err.to_string()))?;
        let aname = match get(&ae, "name") {
            Some(n) => ctx.str(n, "`name`")?.to_owned(),
            None => predicate_type.clone(),
        };
        if attestations.iter().any(|a| a.name == aname) {
            return Err(ctx.err(item.line, format!("duplicate attestation `{aname}`")));
        }
        let condition = get(&ae, "condition")
            .map(|n| compile_condition(ctx, n, &name, &aname))
            .transpose()?;
        let require_passed = get(&ae, "requirePassed")
            .map(|n| ctx.bool(n, "`requirePassed`"))
            .transpose()?;
        let fail_on = match get(&ae, "failOn") {
            None => None,
            Some(n) => {
                if !vouch_attest::predicate::same_type(
                    vouch_attest::predicate::COSIGN_VULN,
                    &predicate_type,
                ) {
                    return Err(ctx.err(n.line, "`failOn` applies to the vuln predicate only"));
                }
                let s = ctx.str(n, "`failOn`")?;
                Some(Severity::parse(s).ok_or_else(|| {
                    ctx.err(
                        n.line,
                        format!("`failOn` must be low, medium, high or critical, got `{s}`"),
                    )
                })?)
            }
        };
        attestations.push(RequiredAttestation {
            name: aname,
            predicate_type,
            condition,
            require_passed,
            fail_on,
            line: item.line,
        });
    }
    if attestations.is_empty() {
        return Err(ctx.err(
            att_node.line,
            "`attestations` must require at least one predicate type",
        ));
    }
    let (max_age, max_age_text) = match get(&e, "maxAge") {
        None => (None, None),
        Some(n) => {
            let s = ctx.str(n, "`maxAge`")?;
            let d = parse_duration(s).ok_or_else(|| {
                ctx.err(
                    n.line,
                    format!(
                        "`maxAge` `{s}` is not a duration like `30d`, `12h`, `90m`, `45s` or `2w`"
                    ),
                )
            })?;
            (Some(d), Some(s.to_owned()))
        }
    };
    let rescan = match get(&e, "rescan") {
        None => None,
        Some(n) => {
            let re = ctx.map(
                n,
                "`rescan`",
                &["failOn", "failOnUnknown", "ignoreFile", "vex"],
            )?;
            let f = required(ctx, &re, "failOn", "`rescan`", n.line)?;
            let s = ctx.str(f, "`failOn`")?;
            let fail_on = Severity::parse(s).ok_or_else(|| {
                ctx.err(
                    f.line,
                    format!("`failOn` must be low, medium, high or critical, got `{s}`"),
                )
            })?;
            let fail_on_unknown = get(&re, "failOnUnknown")
                .map(|n| ctx.bool(n, "`failOnUnknown`"))
                .transpose()?
                .unwrap_or(false);
            let triage_file = |n: &Node, what: &str| -> Result<TriageFile, PolicyError> {
                Ok(TriageFile {
                    path: ctx.str(n, what)?.to_owned(),
                    text: None,
                    line: n.line,
                })
            };
            let ignore_file = get(&re, "ignoreFile")
                .map(|n| triage_file(n, "`ignoreFile`"))
                .transpose()?;
            let vex = match get(&re, "vex") {
                None => Vec::new(),
                Some(n) => ctx
                    .seq(n, "`vex`")?
                    .iter()
                    .map(|v| triage_file(v, "a `vex` document"))
                    .collect::<Result<_, _>>()?,
            };
            Some(Rescan {
                fail_on,
                fail_on_unknown,
                ignore_file,
                vex,
            })
        }
    };
    let platforms = match get(&e, "platforms") {
        None => None,
        Some(n) => Some(match ctx.str(n, "`platforms`")? {
            "index" => PlatformScope::Index,
            "each" => PlatformScope::Each,
            other => {
                return Err(ctx.err(
                    n.line,
                    format!("`platforms` must be `index` or `each`, got `{other}`"),
                ))
            }
        }),
    };
    Ok(Policy {
        name,
        source: format!("{}:{}", ctx.file, node.line),
        mode,
        matches,
        match_set: build(base)?,
        match_full: build(full)?,
        signers,
        attestations,
        max_age,
        max_age_text,
        rescan,
        platforms,
    })
}

/// `namespaces: {include: [globs], exclude: [globs]}` (globs over namespace names).
fn namespaces(ctx: &Ctx<'_>, node: &Node) -> Result<Namespaces, PolicyError> {
    let e = ctx.map(node, "`namespaces`", &["include", "exclude"])?;
    let mut out = Namespaces::default();
    for (key, list, set) in [
        ("include", &mut out.include, &mut out.include_set),
        ("exclude", &mut out.exclude, &mut out.exclude_set),
    ] {
        let Some(n) = get(&e, key) else { continue };
        let what = format!("`namespaces.{key}`");
        let items = ctx.seq(n, &what)?;
        if items.is_empty() {
            return Err(ctx.err(n.line, format!("{what} must list at least one glob")));
        }
        let mut b = GlobSetBuilder::new();
        for item in items {
            let g = glob(ctx, item, &what)?;
            list.push(g.glob().to_owned());
            b.add(g);
        }
        *set = Some(
            b.build()
                .map_err(|err| ctx.err(n.line, format!("bad glob in {what}: {err}")))?,
        );
    }
    Ok(out)
}

/// The policy file format version this build reads.
pub const VERSION: &str = "vouch.dev/policy/v1";

impl PolicySet {
    /// Parses and validates a policy file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, PolicyError> {
        let ctx = Ctx { file };
        let docs = yaml::parse(text)
            .map_err(|e| ctx.err(e.line, format!("invalid YAML: {}", e.message)))?;
        let [doc] = docs.as_slice() else {
            return Err(ctx.err(
                1,
                format!("expected exactly one YAML document, found {}", docs.len()),
            ));
        };
        let e = ctx.map(
            doc,
            "the policy file",
            &[
                "apiVersion",
                "noMatch",
                "requireDigest",
                "namespaces",
                "policies",
            ],
        )?;
        let v = required(&ctx, &e, "apiVersion", "the policy file", doc.line)?;
        let version = ctx.str(v, "`apiVersion`")?;
        if version != VERSION {
            return Err(ctx.err(
                v.line,
                format!("unsupported `apiVersion` `{version}` (this vouch reads `{VERSION}`)"),
            ));
        }
        let list = required(&ctx, &e, "policies", "the policy file", doc.line)?;
        let mut policies: Vec<Policy> = Vec::new();
        for item in ctx.seq(list, "`policies`")? {
            let p = policy(&ctx, item)?;
            if policies.iter().any(|q| q.name == p.name) {
                return Err(ctx.err(item.line, format!("duplicate policy name `{}`", p.name)));
            }
            policies.push(p);
        }
        if policies.is_empty() {
            return Err(ctx.err(list.line, "`policies` is empty"));
        }
        let no_match = match get(&e, "noMatch") {
            None => NoMatch::Deny,
            Some(n) => match ctx.str(n, "`noMatch`")? {
                "deny" => NoMatch::Deny,
                "warn" => NoMatch::Warn,
                "allow" => NoMatch::Allow,
                other => {
                    return Err(ctx.err(
                        n.line,
                        format!("`noMatch` must be `deny`, `warn` or `allow`, got `{other}`"),
                    ))
                }
            },
        };
        let require_digest = get(&e, "requireDigest")
            .map(|n| ctx.bool(n, "`requireDigest`"))
            .transpose()?
            .unwrap_or(true);
        let namespaces = match get(&e, "namespaces") {
            None => Namespaces::default(),
            Some(n) => namespaces(&ctx, n)?,
        };
        Ok(Self {
            file: file.to_owned(),
            policies,
            no_match,
            require_digest,
            namespaces,
        })
    }

    /// Loads the keys given by `path`, and the `rescan` ignore file and VEX documents: `read`
    /// returns a file's content (the caller resolves the path relative to the policy file).
    /// Keeps this crate free of I/O.
    pub fn load_key_files(
        &mut self,
        mut read: impl FnMut(&str) -> Result<String, String>,
    ) -> Result<(), PolicyError> {
        for p in &mut self.policies {
            for k in &mut p.signers.keys {
                let Some(path) = k.path.clone() else { continue };
                let err = |message: String| PolicyError::KeyFile {
                    file: self.file.clone(),
                    key: k.name.clone(),
                    path: path.clone(),
                    line: k.line,
                    message,
                };
                let pem = read(&path).map_err(err)?;
                let fp =
                    key_fingerprint(&pem).ok_or_else(|| err("not a PEM public key".to_owned()))?;
                k.fingerprint = Some(fp);
                k.pem = Some(pem);
            }
            if let Some(r) = &mut p.rescan {
                for f in r.ignore_file.iter_mut().chain(r.vex.iter_mut()) {
                    let text = read(&f.path).map_err(|message| PolicyError::TriageFile {
                        file: self.file.clone(),
                        path: f.path.clone(),
                        line: f.line,
                        message,
                    })?;
                    f.text = Some(text);
                }
            }
        }
        Ok(())
    }

    /// The policies that apply to `name`.
    pub fn matching(&self, name: &str) -> Vec<&Policy> {
        self.policies
            .iter()
            .filter(|p| p.applies_to(name))
            .collect()
    }

    /// A one-policy set for `vouch verify … --key K [--require-predicate T]…`: the artifact,
    /// signed by this key, must carry attestations of these types (any attestation when none
    /// is named).
    pub fn simple(
        key_name: &str,
        pem: &str,
        predicate_types: &[String],
    ) -> Result<Self, PolicyError> {
        let ctx = Ctx {
            file: "command line",
        };
        let fingerprint = key_fingerprint(pem)
            .ok_or_else(|| ctx.err(0, format!("`{key_name}` is not a PEM public key")))?;
        let signers = Signers {
            keys: vec![TrustedKey {
                name: key_name.to_owned(),
                pem: Some(pem.to_owned()),
                path: None,
                fingerprint: Some(fingerprint),
                required: true,
                line: 0,
            }],
            identities: Vec::new(),
            threshold: 1,
        };
        Self::shorthand(&ctx, signers, predicate_types)
    }

    /// A one-policy set for `vouch verify … --certificate-identity SAN
    /// --certificate-oidc-issuer ISSUER`: keyless signatures by this identity (`subject` is a
    /// glob over the certificate SAN).
    pub fn simple_identity(
        issuer: &str,
        subject: &str,
        predicate_types: &[String],
    ) -> Result<Self, PolicyError> {
        let ctx = Ctx {
            file: "command line",
        };
        let glob = GlobBuilder::new(subject)
            .literal_separator(true)
            .build()
            .map_err(|e| {
                ctx.err(
                    0,
                    format!(
                        "bad glob `{subject}` in --certificate-identity: {}",
                        e.kind()
                    ),
                )
            })?;
        let signers = Signers {
            keys: Vec::new(),
            identities: vec![TrustedIdentity {
                name: subject.to_owned(),
                issuer: issuer.to_owned(),
                subject: subject.to_owned(),
                subject_glob: glob.compile_matcher(),
                required: true,
                line: 0,
            }],
            threshold: 1,
        };
        Self::shorthand(&ctx, signers, predicate_types)
    }

    fn shorthand(
        ctx: &Ctx<'_>,
        signers: Signers,
        predicate_types: &[String],
    ) -> Result<Self, PolicyError> {
        let all = GlobBuilder::new("**")
            .build()
            .expect("`**` is a valid glob");
        let set = |g: &globset::Glob| {
            GlobSetBuilder::new()
                .add(g.clone())
                .build()
                .expect("one valid glob")
        };
        // With no type named, any verified statement about the artifact will do.
        let any = [crate::eval::ANY_PREDICATE_TYPE.to_owned()];
        let types = if predicate_types.is_empty() {
            &any[..]
        } else {
            predicate_types
        };
        let attestations = types
            .iter()
            .map(|t| {
                let predicate_type = if t == crate::eval::ANY_PREDICATE_TYPE {
                    t.clone()
                } else {
                    vouch_attest::predicate::resolve_type(t)
                        .map_err(|e| ctx.err(0, e.to_string()))?
                };
                Ok(RequiredAttestation {
                    name: predicate_type.clone(),
                    predicate_type,
                    condition: None,
                    require_passed: None,
                    fail_on: None,
                    line: 0,
                })
            })
            .collect::<Result<Vec<_>, PolicyError>>()?;
        Ok(Self {
            file: "command line".to_owned(),
            policies: vec![Policy {
                name: "command-line".to_owned(),
                source: "command line".to_owned(),
                mode: Mode::Enforce,
                matches: vec!["**".to_owned()],
                match_set: set(&all),
                match_full: set(&all),
                signers,
                attestations,
                max_age: None,
                max_age_text: None,
                rescan: None,
                platforms: None,
            }],
            no_match: NoMatch::Deny,
            require_digest: true,
            namespaces: Namespaces::default(),
        })
    }

    /// Whether any of `policies` asks for a deploy-time re-scan.
    pub fn wants_rescan(policies: &[&Policy]) -> bool {
        policies.iter().any(|p| p.rescan.is_some())
    }
}
