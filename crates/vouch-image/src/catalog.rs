//! Catalogers over the squashed view, and the SBOM of what they found.
//!
//! OS packages first (dpkg, apk), named with the distribution from os-release so their
//! purls carry what a distribution advisory needs (`distro=`, `upstream=` source package);
//! then language packages. Every package keeps the path and layer it was found in.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use vouch_core::{Diagnostic, Level, Purl};
use vouch_sbom::{Component, ComponentKind, Occurrence, Sbom, Tool};

use crate::fs::{File, Rootfs};
pub use crate::model::ImageInfo;
use crate::osrelease::{self, Distro};
use crate::{apk, dpkg, lang, rpm};

/// Which cataloger found a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PackageKind {
    Deb,
    Apk,
    Rpm,
    Python,
    Npm,
}

/// One package found in the image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Found {
    pub kind: PackageKind,
    pub name: String,
    pub version: String,
    pub architecture: Option<String>,
    /// The source package (dpkg `Source:`, apk origin), for OS packages.
    pub source: Option<String>,
    pub source_version: Option<String>,
    pub license: Option<String>,
    pub purl: Option<Purl>,
    /// The file that records the package.
    pub location: String,
    /// The layer that file came from (`diff_id`), for images.
    pub layer: Option<String>,
    /// Names of packages of the same database this one depends on (apk `D:` resolved
    /// through `p:` provides).
    pub depends_on: Vec<String>,
}

/// Everything found in an image.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Catalog {
    pub info: ImageInfo,
    pub distro: Option<Distro>,
    /// Layer identities in order.
    pub layers: Vec<String>,
    pub packages: Vec<Found>,
    pub diagnostics: Vec<Diagnostic>,
}

fn text(f: &File) -> String {
    String::from_utf8_lossy(&f.data).into_owned()
}

/// The distribution: `etc/os-release` when it parses, else `usr/lib/os-release`.
fn distro(fs: &Rootfs) -> Option<Distro> {
    ["etc/os-release", "usr/lib/os-release"]
        .iter()
        .filter_map(|p| fs.get(p))
        .find_map(|f| osrelease::parse(&text(f)))
}

fn os_purl(ty: &str, distro: Option<&Distro>, f: &Found) -> Option<Purl> {
    let d = distro?;
    let mut purl = Purl::new(ty, Some(d.purl_namespace()), &f.name, Some(&f.version)).ok()?;
    if let Some(a) = &f.architecture {
        purl = purl.with_qualifier("arch", a);
    }
    purl = purl.with_qualifier("distro", &d.purl_qualifier());
    if let Some(src) = &f.source {
        let up = match &f.source_version {
            Some(v) => format!("{src}@{v}"),
            None => src.clone(),
        };
        purl = purl.with_qualifier("upstream", &up);
    }
    Some(purl)
}

/// Runs every cataloger over the squashed view.
pub fn catalog(fs: &Rootfs) -> Catalog {
    let distro = distro(fs);
    let mut diagnostics = fs.diagnostics.clone();
    let mut packages = Vec::new();
    let layer = |f: &File| fs.layer_of(f).map(str::to_owned);

    // dpkg: the status file and distroless status.d entries.
    let dpkg_files = fs.files.iter().filter(|(p, _)| {
        p.as_str() == "var/lib/dpkg/status" || p.starts_with("var/lib/dpkg/status.d/")
    });
    for (path, f) in dpkg_files {
        for e in dpkg::parse(&text(f)) {
            if e.version.is_empty() {
                continue;
            }
            let source_differs = e.source.is_some() || e.source_version.is_some();
            let mut found = Found {
                kind: PackageKind::Deb,
                source: source_differs.then(|| e.source_name().to_owned()),
                source_version: e.source_version.clone(),
                name: e.package,
                version: e.version,
                architecture: e.architecture,
                license: e.license,
                purl: None,
                location: path.clone(),
                layer: layer(f),
                depends_on: Vec::new(),
            };
            found.purl = os_purl("deb", distro.as_ref(), &found);
            packages.push(found);
        }
    }
    let mut apk_owned: Vec<String> = Vec::new();
    if let Some(f) = fs.get("lib/apk/db/installed") {
        let entries = apk::parse(&text(f));
        apk_owned.extend(entries.iter().flat_map(|e| e.files.iter().cloned()));
        let mut provider: BTreeMap<&str, &str> = BTreeMap::new();
        for e in &entries {
            for p in &e.provides {
                provider.entry(p.as_str()).or_insert(e.package.as_str());
            }
        }
        for e in &entries {
            provider.insert(e.package.as_str(), e.package.as_str());
        }
        let depends: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                let mut d: Vec<String> = e
                    .depends
                    .iter()
                    .filter_map(|d| provider.get(d.as_str()))
                    .filter(|p| **p != e.package)
                    .map(|p| (*p).to_owned())
                    .collect();
                d.sort();
                d.dedup();
                d
            })
            .collect();
        for (e, depends_on) in entries.into_iter().zip(depends) {
            if e.version.is_empty() {
                diagnostics.push(
                    Diagnostic::new(
                        "package-without-version",
                        Level::Warning,
                        format!("apk package `{}` has no version; not catalogued", e.package),
                    )
                    .at("lib/apk/db/installed", Some(e.line)),
                );
                continue;
            }
            let mut found = Found {
                kind: PackageKind::Apk,
                source: e.origin.clone(),
                source_version: None,
                name: e.package,
                version: e.version,
                architecture: e.architecture,
                license: e.license,
                purl: None,
                location: "lib/apk/db/installed".to_owned(),
                layer: layer(f),
                depends_on,
            };
            found.purl = os_purl("apk", distro.as_ref(), &found);
            packages.push(found);
        }
    }
    if let Some(f) = fs.get("var/lib/rpm/Packages") {
        match rpm::parse_bdb(&f.data) {
            Ok(entries) => {
                for e in entries {
                    let version = e.version_release();
                    let mut purl = Purl::new(
                        "rpm",
                        distro.as_ref().map(Distro::purl_namespace),
                        &e.name,
                        Some(&version),
                    )
                    .ok();
                    if let Some(p) = purl.take() {
                        let mut p = p;
                        if let Some(a) = &e.arch {
                            p = p.with_qualifier("arch", a);
                        }
                        if let Some(n) = e.epoch {
                            p = p.with_qualifier("epoch", &n.to_string());
                        }
                        if let Some(d) = &distro {
                            p = p.with_qualifier("distro", &d.purl_qualifier());
                        }
                        if let Some(s) = &e.source_rpm {
                            p = p.with_qualifier("upstream", s);
                        }
                        purl = Some(p);
                    }
                    packages.push(Found {
                        kind: PackageKind::Rpm,
                        name: e.name,
                        version,
                        architecture: e.arch,
                        source: e.source_rpm,
                        source_version: None,
                        license: e.license,
                        purl,
                        location: "var/lib/rpm/Packages".to_owned(),
                        layer: layer(f),
                        depends_on: Vec::new(),
                    });
                }
            }
            Err(e) => diagnostics.push(
                Diagnostic::new(
                    "package-database-invalid",
                    Level::Warning,
                    format!("`var/lib/rpm/Packages`: {e}; its packages are not catalogued"),
                )
                .at("var/lib/rpm/Packages", None),
            ),
        }
    }
    for path in [
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/Packages.db",
        "var/lib/rpm/Packages.db",
    ] {
        if fs.get(path).is_some() {
            diagnostics.push(
                Diagnostic::new(
                    "package-database-unsupported",
                    Level::Warning,
                    format!("`{path}`: rpm SQLite and NDB databases are not read yet; its packages are not catalogued"),
                )
                .at(path, None),
            );
        }
    }
    let os_packages = packages.len();
    if os_packages > 0 && distro.is_none() {
        diagnostics.push(Diagnostic::new(
            "image-distro-unknown",
            Level::Warning,
            "no os-release in the image: OS packages have no purl and cannot be matched against distribution advisories",
        ));
    }

    // Files OS packages own: language metadata among them is the OS package's, not a
    // second package (Debian's python3-* ship dist-info directories).
    let mut owned: BTreeSet<String> = BTreeSet::new();
    for (path, f) in &fs.files {
        if path.starts_with("var/lib/dpkg/info/") {
            owned.extend(
                text(f)
                    .lines()
                    .map(|l| l.trim().trim_start_matches('/').to_owned())
                    .filter(|l| !l.is_empty()),
            );
        }
    }
    owned.extend(apk_owned);

    // Language packages.
    for (path, f) in &fs.files {
        if owned.contains(path) {
            continue;
        }
        let (kind, pkg) =
            if path.ends_with(".dist-info/METADATA") || path.ends_with(".egg-info/PKG-INFO") {
                (PackageKind::Python, lang::python_metadata(&text(f)))
            } else if path.ends_with("/package.json") {
                (PackageKind::Npm, lang::npm_package(&f.data))
            } else {
                continue;
            };
        let Some(p) = pkg else {
            diagnostics.push(
                Diagnostic::new(
                    "package-metadata-invalid",
                    Level::Warning,
                    format!("`{path}`: no package name and version; skipped"),
                )
                .at(path.clone(), None),
            );
            continue;
        };
        let purl = match kind {
            PackageKind::Python => Purl::new("pypi", None, &p.name, Some(&p.version)).ok(),
            _ => match p.name.split_once('/') {
                Some((scope, n)) if scope.starts_with('@') => {
                    Purl::new("npm", Some(scope), n, Some(&p.version)).ok()
                }
                _ => Purl::new("npm", None, &p.name, Some(&p.version)).ok(),
            },
        };
        packages.push(Found {
            kind,
            name: p.name,
            version: p.version,
            architecture: None,
            source: None,
            source_version: None,
            license: p.license,
            purl,
            location: path.clone(),
            layer: layer(f),
            depends_on: Vec::new(),
        });
    }
    packages.sort_by(|a, b| {
        (a.kind, &a.name, &a.version, &a.location).cmp(&(b.kind, &b.name, &b.version, &b.location))
    });
    diagnostics.sort();
    diagnostics.dedup();
    Catalog {
        info: fs.info.clone(),
        distro,
        layers: fs.layers.clone(),
        packages,
        diagnostics,
    }
}

impl Catalog {
    /// A package's bom-ref: its purl, else `kind:name@version`.
    fn bom_ref_of(f: &Found) -> String {
        match &f.purl {
            Some(p) => p.to_string(),
            None => format!(
                "{}:{}@{}",
                match f.kind {
                    PackageKind::Deb => "deb",
                    PackageKind::Apk => "apk",
                    PackageKind::Rpm => "rpm",
                    PackageKind::Python => "pypi",
                    PackageKind::Npm => "npm",
                },
                f.name,
                f.version
            ),
        }
    }

    /// The SBOM: the image as root (named [`ImageInfo::name`], versioned by its config
    /// digest), every package a component depending on nothing, the root depending on all.
    /// Deterministic: the same image gives the same bytes whichever source it was read from.
    pub fn to_sbom(&self) -> Sbom {
        let mut root = Component::new("image", self.info.name.clone());
        root.kind = ComponentKind::Application;
        root.version.clone_from(&self.info.config_digest);
        root.description = self
            .distro
            .as_ref()
            .and_then(|d| d.pretty_name.clone().or_else(|| Some(d.purl_qualifier())));
        let mut by_ref: BTreeMap<String, Component> = BTreeMap::new();
        for f in &self.packages {
            let bom_ref = Self::bom_ref_of(f);
            let occurrence = Occurrence {
                location: f.location.clone(),
                layer: f.layer.clone(),
            };
            let c = by_ref.entry(bom_ref.clone()).or_insert_with(|| {
                let mut c = Component::new(bom_ref, f.name.clone());
                c.version = Some(f.version.clone());
                c.purl.clone_from(&f.purl);
                c.license = f
                    .license
                    .as_deref()
                    .and_then(vouch_sbom::license::normalise);
                c
            });
            if !c.occurrences.contains(&occurrence) {
                c.occurrences.push(occurrence);
                c.occurrences.sort();
            }
        }
        let refs: BTreeSet<String> = by_ref.keys().cloned().collect();
        let mut dependencies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        dependencies.insert("image".to_owned(), refs);
        // Edges inside one package database, by name.
        for f in &self.packages {
            if f.depends_on.is_empty() {
                continue;
            }
            let from = Self::bom_ref_of(f);
            for name in &f.depends_on {
                if let Some(to) = self
                    .packages
                    .iter()
                    .find(|p| p.kind == f.kind && &p.name == name && p.location == f.location)
                {
                    dependencies
                        .entry(from.clone())
                        .or_default()
                        .insert(Self::bom_ref_of(to));
                }
            }
        }
        let mut sbom = Sbom {
            root,
            components: by_ref.into_values().collect(),
            dependencies,
            tool: Some(Tool::vouch()),
            timestamp: None,
        };
        sbom.normalise();
        sbom
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(data: &str) -> File {
        File {
            layer: None,
            data: data.as_bytes().to_vec(),
        }
    }

    #[test]
    fn metadata_owned_by_an_os_package_is_not_a_second_package() {
        let mut fs = Rootfs::default();
        let meta = |name: &str, version: &str| {
            file(&format!(
                "Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n\nbody\n"
            ))
        };
        fs.files.insert(
            "etc/os-release".into(),
            file("ID=debian\nVERSION_ID=\"12\"\n"),
        );
        fs.files.insert(
            "var/lib/dpkg/status".into(),
            file("Package: python3-six\nStatus: install ok installed\nVersion: 1.16.0-4\nSource: six\nArchitecture: all\n"),
        );
        fs.files.insert(
            "var/lib/dpkg/info/python3-six.list".into(),
            file("/.\n/usr\n/usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA\n"),
        );
        fs.files.insert(
            "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA".into(),
            meta("six", "1.16.0"),
        );
        fs.files.insert(
            "usr/local/lib/python3.11/site-packages/idna-2.7.dist-info/METADATA".into(),
            meta("idna", "2.7"),
        );
        let c = catalog(&fs);
        let names: Vec<(PackageKind, &str)> = c
            .packages
            .iter()
            .map(|p| (p.kind, p.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (PackageKind::Deb, "python3-six"),
                (PackageKind::Python, "idna")
            ]
        );
        assert_eq!(
            c.packages[0].purl.as_ref().unwrap().to_string(),
            "pkg:deb/debian/python3-six@1.16.0-4?arch=all&distro=debian-12&upstream=six"
        );
    }
}
