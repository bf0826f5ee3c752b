//! Images built in the test from real root filesystems (`umoci`), pushed to a loopback
//! `docker-registry` and saved as a docker archive (`skopeo`), then catalogued from every
//! source; and distribution-package scans of images of the Ubuntu and Alpine databases
//! against the real distribution OSV records.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use vouch_image::{catalog, Catalog, Options, PackageKind, Source};
use vouch_osv::scan::{scan, ScanInput, Silent};
use vouch_testkit::registry::{TempDir, TestRegistry};

fn sh(cmd: &mut Command) {
    let (ok, out, err) = vouch_testkit::run(cmd);
    assert!(ok, "{cmd:?} failed:\n{out}\n{err}");
}

fn tools() -> bool {
    ["umoci", "skopeo", "docker-registry"]
        .iter()
        .all(|t| vouch_testkit::require_tool(t))
}

/// Builds an OCI layout `DIR/layout` tagged `latest`, one layer per closure (each gets the
/// unpacked root filesystem of the image so far and changes it).
fn build_layout(dir: &Path, layers: &[&dyn Fn(&Path)]) -> PathBuf {
    let layout = dir.join("layout");
    let image = format!("{}:latest", layout.display());
    sh(Command::new("umoci")
        .args(["init", "--layout"])
        .arg(&layout));
    sh(Command::new("umoci").args(["new", "--image", &image]));
    for (i, change) in layers.iter().enumerate() {
        let bundle = dir.join(format!("bundle{i}"));
        sh(Command::new("umoci")
            .args(["unpack", "--image", &image])
            .arg(&bundle));
        change(&bundle.join("rootfs"));
        sh(Command::new("umoci")
            .args(["repack", "--image", &image])
            .arg(&bundle));
        sh(Command::new("rm").arg("-rf").arg(&bundle));
    }
    layout
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    sh(Command::new("cp")
        .arg("-a")
        .arg(format!("{}/.", from.display()))
        .arg(to));
    // The shared tree is read-only; the image's files should not be.
    sh(Command::new("chmod").arg("-R").arg("u+w").arg(to));
}

fn cat(source: &Source) -> Catalog {
    catalog(source, &Options::default()).unwrap_or_else(|e| panic!("{source}: {e}"))
}

fn cdx(c: &Catalog) -> Vec<u8> {
    vouch_sbom::to_cyclonedx_json(&c.to_sbom(), vouch_sbom::SpecVersion::V1_6)
}

fn rows(c: &Catalog) -> BTreeSet<(String, String, Option<String>)> {
    c.packages
        .iter()
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.purl.as_ref().map(ToString::to_string),
            )
        })
        .collect()
}

const SITE: &str = "usr/local/lib/python3.11/site-packages";

#[test]
fn debian_image_from_registry_layout_and_archive_is_identical_with_layers_and_whiteouts() {
    if !tools() {
        return;
    }
    let tmp = TempDir::new("vouch-image-debian");
    let debian = vouch_testkit::shared_path("os-vulns/rootfs/debian-12-bookworm");
    let python = vouch_testkit::shared_path(&format!("os-vulns/lang/python-site-packages/{SITE}"));
    let layout = build_layout(
        tmp.path(),
        &[
            &|root: &Path| copy_tree(&debian, root),
            &|root: &Path| copy_tree(&python, &root.join(SITE)),
            // The third layer deletes one package installed by the second (a whiteout).
            &|root: &Path| {
                std::fs::remove_dir_all(root.join(SITE).join("chardet-3.0.4.dist-info")).unwrap();
            },
        ],
    );
    let registry = TestRegistry::start();
    let reference = format!("{}/debian12:latest", registry.host());
    sh(Command::new("skopeo").args([
        "copy",
        "--dest-tls-verify=false",
        &format!("oci:{}:latest", layout.display()),
        &format!("docker://{reference}"),
    ]));
    let archive = tmp.path().join("debian12.tar");
    sh(Command::new("skopeo").args([
        "copy",
        &format!("oci:{}:latest", layout.display()),
        &format!("docker-archive:{}:debian12:latest", archive.display()),
    ]));

    let from_registry = cat(&format!("registry:{reference}").parse().unwrap());
    let from_layout = cat(&format!("oci:{}:latest", layout.display()).parse().unwrap());
    let from_archive = cat(&format!("docker-archive:{}", archive.display())
        .parse()
        .unwrap());
    assert_eq!(from_registry.layers.len(), 3);
    assert_eq!(
        cdx(&from_registry),
        cdx(&from_layout),
        "registry vs oci layout"
    );
    assert_eq!(
        cdx(&from_registry),
        cdx(&from_archive),
        "registry vs docker archive"
    );
    let spdx = |c: &Catalog| vouch_sbom::to_spdx_json(&c.to_sbom());
    assert_eq!(spdx(&from_registry), spdx(&from_archive));

    // The dpkg packages are exactly what dpkg-query says of the same root.
    let deb: BTreeSet<String> = from_registry
        .packages
        .iter()
        .filter(|p| p.kind == PackageKind::Deb)
        .map(|p| {
            format!(
                "{} {} {} {}",
                p.name,
                p.version,
                p.architecture.as_deref().unwrap_or(""),
                p.source.as_deref().unwrap_or(&p.name)
            )
        })
        .collect();
    if vouch_testkit::require_tool("dpkg-query") {
        let out = Command::new("dpkg-query")
            .arg(format!(
                "--admindir={}",
                debian.join("var/lib/dpkg").display()
            ))
            .args([
                "-W",
                "-f",
                "${Package} ${Version} ${Architecture} ${source:Package}\\n",
            ])
            .output()
            .unwrap();
        let want: BTreeSet<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        assert_eq!(deb, want);
    }
    assert_eq!(deb.len(), 88);

    // Python packages carry the layer that installed them; the whited-out one is gone.
    let python_layer = from_registry.layers[1].clone();
    let os_layer = from_registry.layers[0].clone();
    let py: BTreeSet<(&str, &str)> = from_registry
        .packages
        .iter()
        .filter(|p| p.kind == PackageKind::Python)
        .map(|p| (p.name.as_str(), p.version.as_str()))
        .collect();
    assert_eq!(
        py,
        BTreeSet::from([
            ("Jinja2", "2.10"),
            ("MarkupSafe", "1.1.1"),
            ("certifi", "2018.4.16"),
            ("idna", "2.7"),
            ("requests", "2.19.0"),
            ("urllib3", "1.23"),
        ])
    );
    for p in &from_registry.packages {
        let want = if p.kind == PackageKind::Python {
            &python_layer
        } else {
            &os_layer
        };
        assert_eq!(p.layer.as_ref(), Some(want), "{}", p.name);
    }
    let sbom = from_registry.to_sbom();
    let jinja = sbom.components.iter().find(|c| c.name == "Jinja2").unwrap();
    assert_eq!(
        jinja.purl.as_ref().unwrap().to_string(),
        "pkg:pypi/jinja2@2.10"
    );
    assert_eq!(
        jinja.occurrences,
        vec![vouch_sbom::Occurrence {
            location: format!("{SITE}/Jinja2-2.10.dist-info/METADATA"),
            layer: Some(python_layer.clone()),
        }]
    );
    let json: Value = serde_json::from_slice(&cdx(&from_registry)).unwrap();
    let c = json["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Jinja2")
        .unwrap();
    assert_eq!(
        c["evidence"]["occurrences"][0]["additionalContext"],
        format!("layer {python_layer}")
    );
    // Read back, the occurrences survive.
    let back = vouch_sbom::decode(&cdx(&from_registry)).unwrap();
    assert_eq!(back.components, sbom.components);

    // The unpacked root gives the same packages.
    let unpacked = tmp.path().join("unpacked");
    sh(Command::new("umoci")
        .args(["unpack", "--image", &format!("{}:latest", layout.display())])
        .arg(&unpacked));
    let from_dir = cat(&Source::Dir(unpacked.join("rootfs")));
    assert_eq!(rows(&from_dir), rows(&from_registry));
    assert!(from_dir.packages.iter().all(|p| p.layer.is_none()));

    // A layer that does not match its digest is refused, nothing catalogued.
    let index: Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let manifest_digest = index["manifests"][0]["digest"].as_str().unwrap();
    let blob = |d: &str| {
        layout
            .join("blobs/sha256")
            .join(d.trim_start_matches("sha256:"))
    };
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(blob(manifest_digest)).unwrap()).unwrap();
    let layer1 = blob(manifest["layers"][1]["digest"].as_str().unwrap());
    let mut bytes = std::fs::read(&layer1).unwrap();
    let n = bytes.len();
    bytes[n / 2] ^= 1;
    std::fs::write(&layer1, bytes).unwrap();
    let err = catalog(
        &format!("oci:{}:latest", layout.display()).parse().unwrap(),
        &Options::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("layer") && err.contains("OCI layout"), "{err}");
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// os-release of the release a database came from, for databases shipped without one.
const OS_RELEASE: &[(&str, &str)] = &[
    (
        "ubuntu-18.04-trivy",
        "NAME=\"Ubuntu\"\nVERSION=\"18.04.1 LTS (Bionic Beaver)\"\nID=ubuntu\nID_LIKE=debian\nPRETTY_NAME=\"Ubuntu 18.04.1 LTS\"\nVERSION_ID=\"18.04\"\nVERSION_CODENAME=bionic\nUBUNTU_CODENAME=bionic\n",
    ),
    (
        "alpine-3.17-cdxgen",
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.17.0\nPRETTY_NAME=\"Alpine Linux v3.17\"\nHOME_URL=\"https://alpinelinux.org/\"\n",
    ),
    (
        "alpine-3.18-scalibr",
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.18.0\nPRETTY_NAME=\"Alpine Linux v3.18\"\nHOME_URL=\"https://alpinelinux.org/\"\n",
    ),
];

fn os_database() -> vouch_osv::Database {
    let dir = TempDir::new("vouch-image-osvdb");
    let mut b = vouch_osv::db::Builder::new();
    for eco in ["Ubuntu", "Alpine"] {
        b.add_path(
            &vouch_testkit::shared_path(&format!("os-vulns/osv/{eco}")),
            &vouch_osv::db::NoProgress,
        )
        .unwrap();
    }
    let db_dir = dir.path().join("db");
    b.write(&db_dir, "2026-12-06T00:00:00Z").unwrap();
    let db = vouch_osv::Database::open(&db_dir).unwrap();
    std::mem::forget(dir);
    db
}

#[test]
fn scans_of_ubuntu_and_alpine_images_give_exactly_the_expected_findings() {
    let use_images = tools();
    let expected: Value = serde_json::from_slice(
        &std::fs::read(vouch_testkit::shared_path(
            "os-vulns/expected/os-osv-findings.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let db = os_database();
    let tmp = TempDir::new("vouch-image-scan");
    for (name, ecosystem) in [
        ("ubuntu-22.04-cdxgen", "Ubuntu:22.04:LTS"),
        ("ubuntu-18.04-trivy", "Ubuntu:18.04:LTS"),
        ("alpine-3.17-cdxgen", "Alpine:v3.17"),
        ("alpine-3.18-scalibr", "Alpine:v3.18"),
    ] {
        let src = vouch_testkit::shared_path(&format!("os-vulns/rootfs/{name}"));
        let work = tmp.path().join(name);
        let rootfs = work.join("rootfs");
        copy_tree(&src, &rootfs);
        if let Some((_, text)) = OS_RELEASE.iter().find(|(n, _)| *n == name) {
            write(&rootfs.join("etc/os-release"), text);
        }
        let source = if use_images {
            let layout = build_layout(&work, &[&|root: &Path| copy_tree(&rootfs, root)]);
            Source::OciLayout {
                dir: layout,
                reference: Some("latest".into()),
            }
        } else {
            Source::Dir(rootfs.clone())
        };
        let c = cat(&source);
        assert_eq!(
            c.distro
                .as_ref()
                .and_then(vouch_image::Distro::osv_ecosystem)
                .as_deref(),
            Some(ecosystem)
        );
        let inputs: Vec<ScanInput> = c
            .to_sbom()
            .packages()
            .into_iter()
            .map(ScanInput::from)
            .collect();
        let report = scan(&db, &inputs, &Silent).unwrap();
        let got: BTreeSet<(String, String)> = report
            .findings
            .iter()
            .flat_map(|f| {
                f.records
                    .iter()
                    .map(move |r| (f.package.name.clone(), r.clone()))
            })
            .collect();
        let result = expected["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["package_db"].as_str().unwrap().contains(name))
            .unwrap();
        assert_eq!(result["ecosystem"], ecosystem);
        let want: BTreeSet<(String, String)> = result["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["package"].as_str().unwrap().to_owned(),
                    f["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(got, want, "{name}");
        for f in &report.findings {
            assert_eq!(f.package.ecosystem, ecosystem);
        }
    }
}

#[test]
fn language_packages_inside_an_image_give_the_expected_findings() {
    let tmp = TempDir::new("vouch-image-lang");
    let rootfs = tmp.path().join("rootfs");
    copy_tree(
        &vouch_testkit::shared_path("os-vulns/lang/python-site-packages"),
        &rootfs,
    );
    copy_tree(
        &vouch_testkit::shared_path("os-vulns/lang/npm-node_modules"),
        &rootfs.join("srv/app"),
    );
    let c = cat(&Source::Dir(rootfs));
    // Every installed package npm's own lockfile lists, nested duplicates included.
    let lock: Value = serde_json::from_slice(
        &std::fs::read(vouch_testkit::shared_path(
            "os-vulns/lang/npm-node_modules/package-lock.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let want: BTreeSet<(String, String)> = lock["packages"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.is_empty())
        .map(|(k, v)| {
            (
                format!("srv/app/{k}/package.json"),
                v["version"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let npm: BTreeSet<(String, String)> = c
        .packages
        .iter()
        .filter(|p| p.kind == PackageKind::Npm)
        .map(|p| (p.location.clone(), p.version.clone()))
        .collect();
    assert_eq!(npm, want);
    let nested = c
        .packages
        .iter()
        .find(|p| p.name == "setprototypeof" && p.version == "1.1.0")
        .unwrap();
    assert_eq!(
        nested.location,
        "srv/app/node_modules/http-errors/node_modules/setprototypeof/package.json"
    );

    let db_tmp = TempDir::new("vouch-image-langdb");
    let mut b = vouch_osv::db::Builder::new();
    for eco in ["PyPI", "npm"] {
        b.add_path(
            &vouch_testkit::shared_path(&format!("osv/{eco}/all.zip")),
            &vouch_osv::db::NoProgress,
        )
        .unwrap();
    }
    let db_dir = db_tmp.path().join("db");
    b.write(&db_dir, "2026-12-06T00:00:00Z").unwrap();
    let db = vouch_osv::Database::open(&db_dir).unwrap();
    let inputs: Vec<ScanInput> = c
        .to_sbom()
        .packages()
        .into_iter()
        .map(ScanInput::from)
        .collect();
    let report = scan(&db, &inputs, &Silent).unwrap();
    let got: BTreeSet<(String, String, String)> = report
        .findings
        .iter()
        .flat_map(|f| {
            f.records.iter().map(move |r| {
                (
                    f.package.name.to_lowercase(),
                    f.package.version.clone(),
                    r.clone(),
                )
            })
        })
        .collect();
    let expected: Value = serde_json::from_slice(
        &std::fs::read(vouch_testkit::shared_path(
            "os-vulns/expected/lang-findings.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let mut want = BTreeSet::new();
    for (key, findings) in expected["results"].as_object().unwrap() {
        if key.starts_with("rust-") {
            continue; // needs a cargo-auditable binary built in the test: not catalogued yet
        }
        for f in findings.as_array().unwrap() {
            want.insert((
                f["package"].as_str().unwrap().to_lowercase(),
                f["version"].as_str().unwrap().to_owned(),
                f["id"].as_str().unwrap().to_owned(),
            ));
        }
    }
    assert_eq!(got, want);
}

#[test]
fn alpine_secdb_native_feed_gives_the_expected_findings() {
    let tmp = TempDir::new("vouch-image-secdb");
    let rootfs = tmp.path().join("rootfs");
    copy_tree(
        &vouch_testkit::shared_path("os-vulns/rootfs/alpine-3.4-trivy"),
        &rootfs,
    );
    write(
        &rootfs.join("etc/os-release"),
        "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.4.6\nPRETTY_NAME=\"Alpine Linux v3.4\"\n",
    );
    let c = cat(&Source::Dir(rootfs));
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.code == "package-without-version"));
    let mut b = vouch_osv::db::Builder::new();
    for repo in ["main", "community"] {
        let path =
            vouch_testkit::shared_path(&format!("os-vulns/native/alpine-secdb/v3.4/{repo}.yaml"));
        let text = std::fs::read_to_string(&path).unwrap();
        for record in
            vouch_osv::native::alpine_secdb_to_osv(&text, &path.display().to_string()).unwrap()
        {
            b.add_json(repo, &serde_json::to_vec(&record).unwrap());
        }
    }
    let db_dir = tmp.path().join("db");
    b.write(&db_dir, "2026-12-06T00:00:00Z").unwrap();
    let db = vouch_osv::Database::open(&db_dir).unwrap();
    let inputs: Vec<ScanInput> = c
        .to_sbom()
        .packages()
        .into_iter()
        .map(ScanInput::from)
        .collect();
    let report = scan(&db, &inputs, &Silent).unwrap();
    let got: BTreeSet<(String, String)> = report
        .findings
        .iter()
        .flat_map(|f| {
            f.aliases
                .iter()
                .chain(std::iter::once(&f.id))
                .filter(|a| a.starts_with("CVE-"))
                .map(move |cve| (f.package.name.clone(), cve.clone()))
        })
        .collect();
    let expected: Value = serde_json::from_slice(
        &std::fs::read(vouch_testkit::shared_path(
            "os-vulns/expected/native-alpine-secdb-findings.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let want: BTreeSet<(String, String)> = expected["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f.get("cves").is_some())
        .flat_map(|f| {
            let pkg = f["package"].as_str().unwrap().to_owned();
            f["cves"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |c| (pkg.clone(), c.as_str().unwrap().to_owned()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn debian_security_tracker_lists_give_the_expected_findings() {
    let mut b = vouch_osv::db::Builder::new();
    for list in ["DSA", "DLA"] {
        let path = vouch_testkit::shared_path(&format!(
            "os-vulns/native/debian-security-tracker/data/{list}/list"
        ));
        let text = std::fs::read_to_string(&path).unwrap();
        for record in vouch_osv::native::debian_tracker_to_osv(&text) {
            b.add_json(list, &serde_json::to_vec(&record).unwrap());
        }
    }
    let tmp = TempDir::new("vouch-image-dsa");
    let db_dir = tmp.path().join("db");
    b.write(&db_dir, "2026-12-06T00:00:00Z").unwrap();
    let db = vouch_osv::Database::open(&db_dir).unwrap();
    let expected: Value = serde_json::from_slice(
        &std::fs::read(vouch_testkit::shared_path(
            "os-vulns/expected/native-debian-dsa-findings.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let debian11 = "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"11\"\nVERSION=\"11 (bullseye)\"\nVERSION_CODENAME=bullseye\nID=debian\n";
    for root in [
        "debian-11-cdxgen",
        "debian-11-bullseye",
        "debian-12-bookworm",
    ] {
        let rootfs = tmp.path().join(root);
        copy_tree(
            &vouch_testkit::shared_path(&format!("os-vulns/rootfs/{root}")),
            &rootfs,
        );
        if root == "debian-11-cdxgen" {
            write(&rootfs.join("etc/os-release"), debian11);
        }
        let c = cat(&Source::Dir(rootfs));
        let sbom = c.to_sbom();
        let inputs: Vec<ScanInput> = sbom.packages().into_iter().map(ScanInput::from).collect();
        let report = scan(&db, &inputs, &Silent).unwrap();
        // (source package, advisory) as the tracker names them.
        let got: BTreeSet<(String, String)> = report
            .findings
            .iter()
            .flat_map(|f| {
                let purl: vouch_core::Purl = f.package.purl.as_deref().unwrap().parse().unwrap();
                let source = purl
                    .qualifiers()
                    .get("upstream")
                    .map_or(purl.name(), |u| u.split('@').next().unwrap())
                    .to_owned();
                f.records.iter().map(move |r| (source.clone(), r.clone()))
            })
            .collect();
        let want: BTreeSet<(String, String)> = expected["results"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.contains(root))
            .flat_map(|(_, v)| v.as_array().unwrap().iter())
            .map(|f| {
                (
                    f["source"].as_str().unwrap().to_owned(),
                    f["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(got, want, "{root}");
    }
}
