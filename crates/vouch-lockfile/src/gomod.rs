//! `go.mod`: the `require` directives (single-line and blocks), with `// indirect` marking
//! indirect requirements. `replace` and `exclude` directives are not applied (a scan reports
//! the required versions, as the Go vulnerability database's tooling does for `go.mod`); the
//! `go` and `toolchain` directives are not modules.

use crate::{LockedPackage, Lockfile, LockfileKind, ParseError, Source};

/// The Go module proxy.
pub const GO_PROXY: &str = "https://proxy.golang.org";

fn unquote(s: &str) -> &str {
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .or_else(|| s.strip_prefix('`').and_then(|s| s.strip_suffix('`')))
        .unwrap_or(s)
}

/// Parses a `go.mod`.
pub fn parse(text: &str, file: &str) -> Result<Lockfile, ParseError> {
    let mut packages = Vec::new();
    let mut in_require = false;
    let mut in_other_block = false;
    let mut go_version = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i as u32 + 1;
        let (code, comment) = match raw.find("//") {
            Some(j) => (&raw[..j], Some(raw[j + 2..].trim())),
            None => (raw, None),
        };
        let code = code.trim();
        if code.is_empty() {
            continue;
        }
        let indirect = comment.is_some_and(|c| c.split(';').any(|p| p.trim() == "indirect"));
        let spec = if in_require {
            if code == ")" {
                in_require = false;
                continue;
            }
            code
        } else if in_other_block {
            if code == ")" {
                in_other_block = false;
            }
            continue;
        } else if let Some(rest) = code.strip_prefix("require") {
            let rest = rest.trim();
            if rest == "(" {
                in_require = true;
                continue;
            }
            if rest.is_empty() || !code[7..].starts_with(char::is_whitespace) {
                return Err(ParseError::Syntax {
                    file: file.to_owned(),
                    message: format!("line {line}: malformed require directive"),
                });
            }
            rest
        } else {
            let word = code.split_whitespace().next().unwrap_or("");
            if code.ends_with('(') {
                in_other_block = true;
            }
            if word == "go" {
                go_version = code.split_whitespace().nth(1).map(str::to_owned);
            }
            continue;
        };
        let mut parts = spec.split_whitespace();
        let (Some(path), Some(version), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(ParseError::Syntax {
                file: file.to_owned(),
                message: format!("line {line}: expected `module/path vX.Y.Z`, got `{spec}`"),
            });
        };
        packages.push(LockedPackage {
            name: unquote(path).to_owned(),
            version: unquote(version).to_owned(),
            source: Some(Source::Registry {
                url: GO_PROXY.to_owned(),
            }),
            integrity: Vec::new(),
            dependencies: Vec::new(),
            dev: false,
            line: Some(line),
        });
        let _ = indirect;
    }
    if in_require {
        return Err(ParseError::Syntax {
            file: file.to_owned(),
            message: "unterminated require block".to_owned(),
        });
    }
    Ok(Lockfile {
        kind: LockfileKind::GoMod,
        format_version: go_version,
        packages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_lines_and_blocks() {
        let text = "module github.com/cli/cli\n\ngo 1.13\n\nrequire github.com/a/b v1.0.0\n\nrequire (\n\tgithub.com/c/d/v2 v2.1.0 // indirect\n\tgolang.org/x/crypto v0.0.0-20200622213623-75b288015ac9\n)\n\nreplace github.com/a/b => github.com/a/b v1.1.0\n";
        let lf = parse(text, "go.mod").unwrap();
        let got: Vec<_> = lf
            .packages
            .iter()
            .map(|p| (p.name.as_str(), p.version.as_str(), p.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("github.com/a/b", "v1.0.0", Some(5)),
                ("github.com/c/d/v2", "v2.1.0", Some(8)),
                (
                    "golang.org/x/crypto",
                    "v0.0.0-20200622213623-75b288015ac9",
                    Some(9)
                ),
            ]
        );
        assert_eq!(lf.format_version.as_deref(), Some("1.13"));
        assert!(parse("require (\n a v1\n", "go.mod").is_err());
        assert!(parse("require onlyname\n", "go.mod").is_err());
    }
}
