//! What `sbom`, `scan` and the release glue share about vouch-catalog: the `--type` names
//! and the CLI wording of catalog errors.

use crate::error::hinted;

/// The `--type` names, for the error message.
fn type_names() -> String {
    vouch_lockfile::format::TYPE_NAMES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses `--type`.
pub fn parse_type(name: Option<&str>) -> anyhow::Result<Option<vouch_catalog::FileFormat>> {
    name.map(|n| {
        vouch_catalog::FileFormat::from_type_name(n).ok_or_else(|| {
            hinted(
                anyhow::anyhow!("unknown lockfile type `{n}`"),
                format!("known types: {}", type_names()),
            )
        })
    })
    .transpose()
}

/// A catalog error with the hint a user needs.
pub fn catalog_error(e: vouch_catalog::CatalogError) -> anyhow::Error {
    use vouch_catalog::CatalogError as E;
    let hint = match &e {
        E::NothingFound(_) | E::UnknownFile(_) => Some(format!(
            "vouch reads Cargo, npm/yarn/pnpm/bun, requirements/poetry/uv/Pipfile/pdm/pylock, go.mod, Gemfile.lock, composer.lock, pom.xml, gradle.lockfile, NuGet packages.lock.json and pubspec.lock; --type {{{}}} forces a format",
            type_names()
        )),
        E::IsSbom { path } => Some(format!("scan an SBOM with `vouch scan --sbom {path}`")),
        _ => None,
    };
    match hint {
        Some(h) => hinted(e, h),
        None => anyhow::Error::new(e),
    }
}
