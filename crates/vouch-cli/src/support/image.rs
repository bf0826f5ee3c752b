//! Image sources for `vouch sbom` and `vouch scan`: `registry:REF`, `oci:DIR[:tag]`,
//! `docker-archive:FILE`, `dir:PATH`, or a bare reference that is not an existing path.
//! The cataloging is `vouch_image::catalog`; this module only decides whether an argument
//! is an image and reports the library's diagnostics.

use std::path::Path;

use anyhow::Context as _;
use vouch_core::{Level, Location};
use vouch_osv::scan::{ScanInput, ScannedInput};
use vouch_sbom::Sbom;

use crate::context::Context;

/// The image `arg` names, when it names one.
fn source(arg: &Path) -> anyhow::Result<Option<vouch_image::Source>> {
    let Some(s) = arg.to_str() else {
        return Ok(None);
    };
    vouch_image::Source::detect(s)
        .transpose()
        .map_err(Into::into)
}

fn catalog(
    ctx: &Context,
    source: &vouch_image::Source,
    platform: Option<&str>,
) -> anyhow::Result<vouch_image::Catalog> {
    let options = vouch_image::Options {
        platform: platform.map(str::to_owned),
        ..vouch_image::Options::default()
    };
    let catalog = vouch_image::catalog(source, &options)
        .with_context(|| format!("failed to catalog `{source}`"))?;
    for d in &catalog.diagnostics {
        if d.level >= Level::Warning {
            ctx.warn(&format!("[{}] {}", d.code, d.message));
        }
    }
    Ok(catalog)
}

/// The SBOM of the image `arg` names; `None` when `arg` is not an image.
pub fn sbom_if_image(
    ctx: &Context,
    arg: &Path,
    platform: Option<&str>,
) -> anyhow::Result<Option<Sbom>> {
    let Some(source) = source(arg)? else {
        return Ok(None);
    };
    Ok(Some(catalog(ctx, &source, platform)?.to_sbom()))
}

/// Adds the packages of the image `arg` names to a scan; `false` when `arg` is not an
/// image. Each package's location is the file that records it, prefixed with its layer.
pub fn add_if_image(
    ctx: &Context,
    arg: &Path,
    platform: Option<&str>,
    inputs: &mut Vec<ScanInput>,
    scanned: &mut Vec<ScannedInput>,
) -> anyhow::Result<bool> {
    let Some(source) = source(arg)? else {
        return Ok(false);
    };
    let sbom = catalog(ctx, &source, platform)?.to_sbom();
    let mut n = 0;
    for c in &sbom.components {
        let Some(package) = c.package() else {
            continue;
        };
        n += 1;
        for o in &c.occurrences {
            inputs.push(ScanInput {
                package: package.clone(),
                location: Some(Location {
                    file: match &o.layer {
                        Some(l) => format!("{l}/{}", o.location),
                        None => o.location.clone(),
                    },
                    line: None,
                    column: None,
                }),
            });
        }
    }
    scanned.push(ScannedInput {
        path: source.to_string(),
        kind: "image".to_owned(),
        packages: n,
    });
    Ok(true)
}
