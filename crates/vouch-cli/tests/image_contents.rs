//! `vouch sbom IMAGE` and `vouch scan IMAGE` end to end: real package databases under
//! `../shared/os-vulns`, distribution OSV records imported with `vouch db import`.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn vouch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .env_remove("VOUCH_DB")
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run vouch")
}

fn shared(rel: &str) -> String {
    vouch_testkit::shared_path(rel).display().to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn sbom_of_a_root_filesystem_lists_its_dpkg_packages_with_purls() {
    let o = vouch(&[
        "sbom",
        &format!("dir:{}", shared("os-vulns/rootfs/debian-12-bookworm")),
        "--format",
        "cyclonedx-json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let bom: Value = serde_json::from_slice(&o.stdout).unwrap();
    let components = bom["components"].as_array().unwrap();
    assert_eq!(components.len(), 88);
    let libc = components.iter().find(|c| c["name"] == "libc6").unwrap();
    let purl = libc["purl"].as_str().unwrap();
    assert!(
        purl.starts_with("pkg:deb/debian/libc6@")
            && purl.contains("distro=debian-12")
            && purl.contains("upstream=glibc"),
        "{purl}"
    );
    assert_eq!(
        libc["evidence"]["occurrences"][0]["location"],
        "var/lib/dpkg/status"
    );
    // Deterministic: a second run writes the same bytes.
    let again = vouch(&[
        "sbom",
        &format!("dir:{}", shared("os-vulns/rootfs/debian-12-bookworm")),
        "--format",
        "cyclonedx-json",
    ]);
    assert_eq!(o.stdout, again.stdout);
}

#[test]
fn scan_of_an_ubuntu_root_reports_source_package_findings_and_not_pro_records() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db").display().to_string();
    let o = vouch(&["db", "import", &shared("os-vulns/osv/Ubuntu"), "--db", &db]);
    assert!(o.status.success(), "{}", stderr(&o));
    let root = format!("dir:{}", shared("os-vulns/rootfs/ubuntu-22.04-cdxgen"));
    let o = vouch(&["scan", "--offline", "--db", &db, "--format", "json", &root]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let got: BTreeSet<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| {
            f["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        f["package"]["name"].as_str().unwrap().to_owned(),
                        r.as_str().unwrap().to_owned(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    let expected: Value = serde_json::from_slice(
        &std::fs::read(vouch_testkit::shared_path(
            "os-vulns/expected/os-osv-findings.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let want: BTreeSet<(String, String)> = expected["results"][0]["findings"]
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
    assert!(expected["results"][0]["package_db"]
        .as_str()
        .unwrap()
        .contains("ubuntu-22.04"));
    assert_eq!(got, want);
    assert_eq!(report["inputs"][0]["kind"], "image");
    // The image's SBOM, scanned later, gives the same findings: the purls carry release
    // and source package.
    let sbom_file = tmp.path().join("ubuntu.cdx.json");
    let o = vouch(&["sbom", &root, "-o", &sbom_file.display().to_string()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = vouch(&[
        "scan",
        "--offline",
        "--db",
        &db,
        "--format",
        "json",
        "--sbom",
        &sbom_file.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let from_sbom: Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids = |r: &Value| -> BTreeSet<(String, String)> {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["package"]["name"].as_str().unwrap().to_owned(),
                    f["id"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(ids(&from_sbom), ids(&report));
    let f = &report["findings"][0];
    assert_eq!(f["package"]["ecosystem"], "Ubuntu:22.04:LTS");
    assert_eq!(f["locations"][0]["file"], "var/lib/dpkg/status");
}

#[test]
fn bad_image_sources_are_one_line_errors_with_exit_2() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-such-layout");
    for arg in [
        format!("oci:{}", missing.display()),
        format!("docker-archive:{}", missing.display()),
        format!("dir:{}", missing.display()),
        "dir:".to_owned(),
    ] {
        let o = vouch(&["sbom", &arg]);
        assert_eq!(o.status.code(), Some(2), "{arg}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{arg}: nothing written");
        let err = stderr(&o);
        assert!(err.starts_with("error: "), "{arg}: {err}");
    }
}
