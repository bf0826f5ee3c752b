//! [`FileFormat::parse`]: the one place that knows every parser. Kept apart from `format.rs`,
//! whose types the parsers use, so no parser and the format table import each other.

use crate::format::{FileFormat, Parsed};
use crate::ParseError;

impl FileFormat {
    /// Checks that `text` looks like this format, then parses it.
    pub fn parse(self, text: &str, file: &str) -> Result<Parsed, ParseError> {
        self.check_content(text, file)?;
        Ok(match self {
            Self::CargoLock => crate::cargo::parse(text, file)?.into(),
            Self::PackageLockJson => {
                let mut p: Parsed = crate::npm::parse(text, file)?.into();
                p.project = crate::npm::project(text);
                p
            }
            Self::YarnLock => crate::yarn::parse(text, file)?.into(),
            Self::PnpmLock => crate::pnpm::parse(text, file)?.into(),
            Self::RequirementsTxt => {
                let mut p: Parsed = crate::python::parse_requirements(text, file)?.into();
                p.includes = crate::python::requirements_includes(text, file)?;
                p
            }
            Self::PoetryLock => crate::python::parse_poetry(text, file)?.into(),
            Self::UvLock => crate::python::parse_uv(text, file)?.into(),
            Self::PipfileLock => crate::python::parse_pipfile(text, file)?.into(),
            Self::GoMod => {
                let mut p: Parsed = crate::gomod::parse(text, file)?.into();
                p.project = crate::gomod::module(text).map(|m| (m, None));
                p
            }
            Self::GoSum => crate::gosum::parse(text, file)?.into(),
            Self::GemfileLock => crate::gemfile::parse(text, file)?.into(),
            Self::ComposerLock => crate::composer::parse(text, file)?.into(),
            Self::BunLock => crate::bun::parse(text, file)?,
            Self::PdmLock => crate::pdm::parse_pdm(text, file)?,
            Self::PylockToml => crate::pdm::parse_pylock(text, file)?,
            Self::GradleLockfile => crate::jvm::parse_gradle(text, file)?,
            Self::PomXml => crate::jvm::parse_pom(text, file)?,
            Self::NugetLock => crate::nuget::parse(text, file)?,
            Self::PubspecLock => crate::pubspec::parse(text, file)?,
        })
    }
}
