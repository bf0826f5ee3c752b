//! Every file format the parsers read, recognised by name *and* by content.
//!
//! [`LockfileKind`] is the set other crates match on exhaustively (pins, records); this
//! superset adds the formats only the cataloger reads, so adding one never breaks a match
//! elsewhere. [`FileFormat::parse`] checks that the text looks like what its name says
//! before parsing it: a JSON document named `go.mod`, a TOML file named `poetry.lock` or
//! JSON lines named `requirements.txt` is an error naming the file and line, never a silent
//! "0 packages".

use serde::Serialize;
use vouch_core::Ecosystem;

use crate::{LockedPackage, Lockfile, LockfileKind, ParseError};

/// A lockfile or manifest format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileFormat {
    CargoLock,
    PackageLockJson,
    YarnLock,
    PnpmLock,
    BunLock,
    RequirementsTxt,
    PoetryLock,
    UvLock,
    PipfileLock,
    PdmLock,
    PylockToml,
    GoMod,
    GoSum,
    GemfileLock,
    ComposerLock,
    GradleLockfile,
    PomXml,
    NugetLock,
    PubspecLock,
}

/// Names `--type` accepts, with the format each means.
pub const TYPE_NAMES: &[(&str, FileFormat)] = &[
    ("cargo", FileFormat::CargoLock),
    ("npm", FileFormat::PackageLockJson),
    ("yarn", FileFormat::YarnLock),
    ("pnpm", FileFormat::PnpmLock),
    ("bun", FileFormat::BunLock),
    ("requirements", FileFormat::RequirementsTxt),
    ("poetry", FileFormat::PoetryLock),
    ("uv", FileFormat::UvLock),
    ("pipenv", FileFormat::PipfileLock),
    ("pdm", FileFormat::PdmLock),
    ("pylock", FileFormat::PylockToml),
    ("gomod", FileFormat::GoMod),
    ("gemfile", FileFormat::GemfileLock),
    ("composer", FileFormat::ComposerLock),
    ("gradle", FileFormat::GradleLockfile),
    ("maven", FileFormat::PomXml),
    ("nuget", FileFormat::NugetLock),
    ("pub", FileFormat::PubspecLock),
];

/// A `-r` (requirements) or `-c` (constraints) line of a requirements file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Include {
    /// 1-based line of the option.
    pub line: u32,
    /// The path as written, relative to the including file.
    pub path: String,
    /// `-c`: versions constrain, they do not add packages.
    pub constraint: bool,
}

/// What a parser found in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parsed {
    pub format: FileFormat,
    pub format_version: Option<String>,
    pub packages: Vec<LockedPackage>,
    /// Files this one includes (requirements `-r`/`-c`); the caller resolves and reads them.
    pub includes: Vec<Include>,
    /// The project itself where the file names it (`package-lock.json` `name`/`version`,
    /// `go.mod` `module`).
    pub project: Option<(String, Option<String>)>,
}

impl From<Lockfile> for Parsed {
    fn from(l: Lockfile) -> Self {
        Self {
            format: l.kind.into(),
            format_version: l.format_version,
            packages: l.packages,
            includes: Vec::new(),
            project: None,
        }
    }
}

impl From<LockfileKind> for FileFormat {
    fn from(k: LockfileKind) -> Self {
        match k {
            LockfileKind::CargoLock => Self::CargoLock,
            LockfileKind::PackageLockJson => Self::PackageLockJson,
            LockfileKind::YarnLock => Self::YarnLock,
            LockfileKind::PnpmLock => Self::PnpmLock,
            LockfileKind::RequirementsTxt => Self::RequirementsTxt,
            LockfileKind::PoetryLock => Self::PoetryLock,
            LockfileKind::UvLock => Self::UvLock,
            LockfileKind::PipfileLock => Self::PipfileLock,
            LockfileKind::GoMod => Self::GoMod,
            LockfileKind::GoSum => Self::GoSum,
            LockfileKind::GemfileLock => Self::GemfileLock,
            LockfileKind::ComposerLock => Self::ComposerLock,
        }
    }
}

/// Longest line a line-oriented format may have: real lockfile lines are short, and a
/// megabyte-long "line" is a binary or a wrong file.
pub const MAX_LINE: usize = 1 << 20;

impl FileFormat {
    /// Recognises a file by its name (not its path). Requirements files under other names
    /// (`requirements/main.txt`, `constraints.txt`) are recognised by
    /// [`FileFormat::from_path`].
    pub fn from_file_name(name: &str) -> Option<Self> {
        if let Some(k) = LockfileKind::from_file_name(name) {
            return Some(k.into());
        }
        Some(match name {
            "bun.lock" => Self::BunLock,
            "pdm.lock" => Self::PdmLock,
            "pylock.toml" => Self::PylockToml,
            "gradle.lockfile" => Self::GradleLockfile,
            "pom.xml" => Self::PomXml,
            "packages.lock.json" => Self::NugetLock,
            "pubspec.lock" => Self::PubspecLock,
            // PEP 751 named lock files: `pylock.<name>.toml`.
            n if n.starts_with("pylock.")
                && std::path::Path::new(n)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("toml")) =>
            {
                Self::PylockToml
            }
            n if n.ends_with(".lockfile")
                && std::path::Path::new(n)
                    .file_stem()
                    .is_some_and(|s| s.to_string_lossy().ends_with("gradle")) =>
            {
                Self::GradleLockfile
            }
            _ => return None,
        })
    }

    /// Recognises a file by its path: the name, or a `.txt` file in a `requirements/`
    /// folder, or `constraints*.txt`.
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let name = path.file_name()?.to_str()?;
        if let Some(f) = Self::from_file_name(name) {
            return Some(f);
        }
        let txt = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("txt"));
        let in_requirements_dir = path
            .parent()
            .and_then(|p| p.file_name())
            .is_some_and(|d| d == "requirements");
        (txt && (in_requirements_dir || name.starts_with("constraints")))
            .then_some(Self::RequirementsTxt)
    }

    /// A `--type` name.
    pub fn from_type_name(name: &str) -> Option<Self> {
        TYPE_NAMES
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, f)| f)
    }

    /// The stable kebab-case name (as in reports).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CargoLock => "cargo-lock",
            Self::PackageLockJson => "package-lock-json",
            Self::YarnLock => "yarn-lock",
            Self::PnpmLock => "pnpm-lock",
            Self::BunLock => "bun-lock",
            Self::RequirementsTxt => "requirements-txt",
            Self::PoetryLock => "poetry-lock",
            Self::UvLock => "uv-lock",
            Self::PipfileLock => "pipfile-lock",
            Self::PdmLock => "pdm-lock",
            Self::PylockToml => "pylock-toml",
            Self::GoMod => "go-mod",
            Self::GoSum => "go-sum",
            Self::GemfileLock => "gemfile-lock",
            Self::ComposerLock => "composer-lock",
            Self::GradleLockfile => "gradle-lockfile",
            Self::PomXml => "pom-xml",
            Self::NugetLock => "nuget-lock",
            Self::PubspecLock => "pubspec-lock",
        }
    }

    pub fn ecosystem(self) -> Ecosystem {
        match self {
            Self::CargoLock => Ecosystem::CratesIo,
            Self::PackageLockJson | Self::YarnLock | Self::PnpmLock | Self::BunLock => {
                Ecosystem::Npm
            }
            Self::RequirementsTxt
            | Self::PoetryLock
            | Self::UvLock
            | Self::PipfileLock
            | Self::PdmLock
            | Self::PylockToml => Ecosystem::PyPI,
            Self::GoMod | Self::GoSum => Ecosystem::Go,
            Self::GemfileLock => Ecosystem::RubyGems,
            Self::ComposerLock => Ecosystem::Packagist,
            Self::GradleLockfile | Self::PomXml => Ecosystem::Maven,
            Self::NugetLock => Ecosystem::NuGet,
            Self::PubspecLock => Ecosystem::Pub,
        }
    }

    /// Whether the format is read line by line (and so has short lines).
    fn line_oriented(self) -> bool {
        matches!(
            self,
            Self::RequirementsTxt
                | Self::GoMod
                | Self::GoSum
                | Self::GemfileLock
                | Self::YarnLock
                | Self::PnpmLock
                | Self::GradleLockfile
                | Self::PubspecLock
        )
    }

    /// Content recognition: the first meaningful line must be plausible for the format.
    pub(crate) fn check_content(self, text: &str, file: &str) -> Result<(), ParseError> {
        let bad = |line: u32, message: String| ParseError::Syntax {
            file: file.to_owned(),
            message: format!("line {line}: {message}"),
        };
        if self.line_oriented() {
            for (i, l) in text.split('\n').enumerate() {
                if l.len() > MAX_LINE {
                    return Err(bad(
                        i as u32 + 1,
                        format!(
                            "line of {} bytes (longest allowed {MAX_LINE}): not a {}",
                            l.len(),
                            self.describe()
                        ),
                    ));
                }
            }
        }
        let first = text
            .trim_start_matches('\u{feff}')
            .lines()
            .enumerate()
            .map(|(i, l)| (i as u32 + 1, l.trim()))
            .find(|(_, l)| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"));
        let Some((line, first)) = first else {
            if matches!(
                self,
                Self::RequirementsTxt | Self::GoSum | Self::GradleLockfile
            ) {
                // An empty requirements file is a project with no requirements.
                return Ok(());
            }
            return Err(bad(1, format!("empty file: not a {}", self.describe())));
        };
        let json = first.starts_with('{') || first.starts_with('[');
        let toml_table = first.starts_with('[') && !first.starts_with("[\"");
        let wants_json = matches!(
            self,
            Self::PackageLockJson
                | Self::PipfileLock
                | Self::ComposerLock
                | Self::NugetLock
                | Self::BunLock
        );
        let wants_toml = matches!(
            self,
            Self::CargoLock | Self::PoetryLock | Self::UvLock | Self::PdmLock | Self::PylockToml
        );
        if wants_json && !first.starts_with('{') {
            return Err(bad(
                line,
                format!("expected a JSON object: not a {}", self.describe()),
            ));
        }
        if wants_toml && first.starts_with('{') {
            return Err(bad(
                line,
                format!("JSON, not TOML: not a {}", self.describe()),
            ));
        }
        let line_format = matches!(
            self,
            Self::GoMod
                | Self::GoSum
                | Self::RequirementsTxt
                | Self::GemfileLock
                | Self::YarnLock
                | Self::PnpmLock
                | Self::GradleLockfile
                | Self::PubspecLock
        );
        if line_format && (json || (toml_table && self != Self::GradleLockfile)) {
            let what = if first.starts_with('{') {
                "JSON"
            } else {
                "TOML or JSON"
            };
            return Err(bad(
                line,
                format!("this is {what}, not a {}", self.describe()),
            ));
        }
        if self == Self::PomXml && !first.starts_with('<') {
            return Err(bad(line, "not XML: not a Maven pom.xml".to_owned()));
        }
        // What every file of the format contains somewhere.
        let marks: &[&str] = match self {
            Self::CargoLock | Self::PoetryLock | Self::UvLock => {
                &["[[package]]", "[metadata]", "version ="]
            }
            Self::PackageLockJson => &["\"lockfileVersion\"", "\"dependencies\""],
            Self::PipfileLock => &["\"_meta\""],
            Self::ComposerLock => &["\"packages\""],
            Self::PnpmLock => &["lockfileVersion"],
            Self::YarnLock => &["version"],
            Self::GemfileLock => &["specs:", "BUNDLED WITH", "DEPENDENCIES"],
            _ => &[],
        };
        if !marks.is_empty() && !marks.iter().any(|m| text.contains(m)) {
            return Err(bad(
                line,
                format!(
                    "none of {} found: not a {}",
                    marks.join(", "),
                    self.describe()
                ),
            ));
        }
        Ok(())
    }

    /// A short human name.
    pub fn describe(self) -> &'static str {
        match self {
            Self::CargoLock => "Cargo.lock",
            Self::PackageLockJson => "package-lock.json",
            Self::YarnLock => "yarn.lock",
            Self::PnpmLock => "pnpm-lock.yaml",
            Self::BunLock => "bun.lock",
            Self::RequirementsTxt => "requirements file",
            Self::PoetryLock => "poetry.lock",
            Self::UvLock => "uv.lock",
            Self::PipfileLock => "Pipfile.lock",
            Self::PdmLock => "pdm.lock",
            Self::PylockToml => "pylock.toml",
            Self::GoMod => "go.mod",
            Self::GoSum => "go.sum",
            Self::GemfileLock => "Gemfile.lock",
            Self::ComposerLock => "composer.lock",
            Self::GradleLockfile => "gradle.lockfile",
            Self::PomXml => "pom.xml",
            Self::NugetLock => "NuGet packages.lock.json",
            Self::PubspecLock => "pubspec.lock",
        }
    }
}

/// A [`LockedPackage`] with only the fields most formats have.
pub(crate) fn package(
    name: impl Into<String>,
    version: impl Into<String>,
    line: Option<u32>,
) -> LockedPackage {
    LockedPackage {
        name: name.into(),
        version: version.into(),
        source: None,
        integrity: Vec::new(),
        dependencies: Vec::new(),
        dev: false,
        optional: false,
        peer: false,
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        use std::path::Path;
        assert_eq!(
            FileFormat::from_path(Path::new("x/requirements/main.txt")),
            Some(FileFormat::RequirementsTxt)
        );
        assert_eq!(
            FileFormat::from_path(Path::new("constraints.txt")),
            Some(FileFormat::RequirementsTxt)
        );
        assert_eq!(FileFormat::from_path(Path::new("notes.txt")), None);
        assert_eq!(
            FileFormat::from_file_name("bun.lock"),
            Some(FileFormat::BunLock)
        );
        assert_eq!(
            FileFormat::from_type_name("Poetry"),
            Some(FileFormat::PoetryLock)
        );
    }

    #[test]
    fn content_must_match_the_name() {
        let e = FileFormat::GoMod
            .parse("{\"module\": \"x\"}\n", "go.mod")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`go.mod`") && e.contains("line 1") && e.contains("JSON"),
            "{e}"
        );
        let e = FileFormat::GoMod
            .parse("\n[module]\nname = 'x'\n", "go.mod")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        let e = FileFormat::RequirementsTxt
            .parse("{\"a\": 1}\n{\"b\": 2}\n", "requirements.txt")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 1"), "{e}");
        for f in [
            FileFormat::PoetryLock,
            FileFormat::UvLock,
            FileFormat::PipfileLock,
        ] {
            let e = f.parse("", "x").unwrap_err().to_string();
            assert!(e.contains("empty file"), "{f:?}: {e}");
        }
        let e = FileFormat::PoetryLock
            .parse("{\"_meta\": {}}", "poetry.lock")
            .unwrap_err()
            .to_string();
        assert!(e.contains("JSON, not TOML"), "{e}");
        let e = FileFormat::PipfileLock
            .parse("[[package]]\nname = \"a\"\n", "Pipfile.lock")
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a JSON object"), "{e}");
    }

    #[test]
    fn a_huge_line_is_an_error_with_its_line() {
        let text = format!("a==1\n{}\n", "x".repeat(MAX_LINE + 1));
        let e = FileFormat::RequirementsTxt
            .parse(&text, "requirements.txt")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2") && e.contains("requirements.txt"),
            "{e}"
        );
    }
}
