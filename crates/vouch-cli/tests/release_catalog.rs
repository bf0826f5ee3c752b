//! `vouch release` and `vouch verify artifact` for non-Cargo projects (issue 11): a Node
//! project (sigstore-js's `package-lock.json`) and a Python project (sigstore-python's
//! `uv.lock`) from `../shared/lockfiles` are released, admitted under a policy requiring
//! SBOM, scan and provenance, denied when the artifact changes by one byte, and denied by
//! the re-scan once the database gains a critical advisory for one of their locked packages.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

const BUILDER: &str = "https://ci.example/builders/release";

fn vouch(dir: &Path, args: &[&str]) -> (i32, String, String) {
    vouch_testkit::cli::Vouch::new(env!("CARGO_BIN_EXE_vouch"))
        .dir(dir)
        .env("VOUCH_PASSWORD", "pw")
        .run(args)
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = vouch(dir, args);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn policy(dir: &Path) -> PathBuf {
    let text = format!(
        r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: app-release
    match: ["app.tgz"]
    signers:
      keys:
        - name: ci
          path: ci.pub
    attestations:
      - name: provenance
        predicateType: https://slsa.dev/provenance/v1
        condition: |
          package vouch
          allow if input.predicate.runDetails.builder.id == "{BUILDER}"
      - name: sbom
        predicateType: cyclonedx
      - name: scan
        predicateType: https://cosign.sigstore.dev/attestation/vuln/v1
    maxAge: 30d
    rescan:
      failOn: critical
"#
    );
    let path = dir.join("policy.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

fn verify(dir: &Path, artifact: &Path, db: &str) -> (i32, Value) {
    let (code, out, err) = vouch(
        dir,
        &[
            "verify",
            "artifact",
            artifact.to_str().unwrap(),
            "--bundle",
            "release.intoto.jsonl",
            "--policy",
            "policy.yaml",
            "--db",
            db,
            "--format",
            "json",
        ],
    );
    assert!(
        code == 0 || code == 1,
        "verify could not run ({code}): {err}"
    );
    (
        code,
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}\n{err}")),
    )
}

fn first_failure(verdict: &Value) -> &str {
    verdict["failures"][0]["code"].as_str().unwrap_or("")
}

fn project_round_trip(lockfile: &str, ecosystem: &str, osv_zip: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let project = d.join("project");
    std::fs::create_dir_all(&project).unwrap();
    let src = vouch_testkit::shared_path(lockfile);
    let name = src.file_name().unwrap().to_str().unwrap().to_owned();
    std::fs::copy(&src, project.join(&name)).unwrap();
    let artifact = d.join("app.tgz");
    std::fs::write(&artifact, b"a release archive\n").unwrap();
    ok(d, &["key", "generate", "--output-key-prefix", "ci"]);
    let zip = vouch_testkit::shared_path(osv_zip);
    ok(d, &["db", "import", zip.to_str().unwrap(), "--db", "db"]);
    ok(
        d,
        &[
            "release",
            artifact.to_str().unwrap(),
            "--key",
            "ci.key",
            "--bundle",
            "release.intoto.jsonl",
            "--project",
            "project",
            // Pins are a separate verdict (sigstore-js locks workspace links without
            // integrity records, which `vouch pins` reports); the policy here does not ask.
            "--no-pins",
            "--db",
            "db",
            "--builder-id",
            BUILDER,
            "--source-uri",
            "git+https://example.com/acme/app",
            "--source-commit",
            "4d329c75e7ec1725f7c9ce917a8799d408d06be3",
        ],
    );
    policy(d);

    // Admitted.
    let (code, verdict) = verify(d, &artifact, "db");
    assert_eq!(code, 0, "{lockfile}: {verdict:#}");
    assert_eq!(verdict["decision"], "admitted");

    // The attested SBOM lists the project's locked packages, located in the lockfile.
    let sbom_doc = ok(d, &["sbom", "project"]);
    let sbom = vouch_sbom::decode(sbom_doc.as_bytes()).unwrap();
    let victim = sbom
        .components
        .iter()
        .filter(|c| {
            c.location
                .as_ref()
                .is_some_and(|l| l.file.ends_with(&name) && l.line.is_some())
        })
        .find_map(vouch_sbom::Component::package)
        .unwrap_or_else(|| panic!("{lockfile}: no registry package"));
    assert!(
        sbom.components.len() > 20,
        "{lockfile}: {}",
        sbom.components.len()
    );

    // One byte changed: denied.
    let changed = d.join("changed");
    std::fs::create_dir_all(&changed).unwrap();
    let changed_artifact = changed.join("app.tgz");
    std::fs::write(&changed_artifact, b"a release archivE\n").unwrap();
    let (code, verdict) = verify(d, &changed_artifact, "db");
    assert_eq!(code, 1, "{verdict:#}");
    assert_eq!(first_failure(&verdict), "subject-mismatch", "{verdict:#}");

    // The database gains a critical advisory for one locked package: the re-scan denies.
    let record = json!({
        "schema_version": "1.6.0",
        "id": "VOUCH-TEST-2026-0001",
        "modified": "2026-01-01T00:00:00Z",
        "published": "2026-01-01T00:00:00Z",
        "summary": "test advisory for a locked package",
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": victim.name},
            "versions": [victim.version],
        }],
        "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    });
    let rec = d.join("VOUCH-TEST-2026-0001.json");
    std::fs::write(&rec, serde_json::to_vec(&record).unwrap()).unwrap();
    ok(
        d,
        &[
            "db",
            "import",
            zip.to_str().unwrap(),
            rec.to_str().unwrap(),
            "--db",
            "db2",
        ],
    );
    let (code, verdict) = verify(d, &artifact, "db2");
    assert_eq!(code, 1, "{verdict:#}");
    assert_eq!(
        first_failure(&verdict),
        "vulnerability-found",
        "{verdict:#}"
    );
    assert!(
        verdict.to_string().contains("VOUCH-TEST-2026-0001"),
        "{verdict:#}"
    );
}

#[test]
fn node_project_release_is_admitted_then_denied() {
    project_round_trip(
        "lockfiles/npm/sigstore-js/HEAD-2026-08/package-lock.json",
        "npm",
        "osv/npm/all.zip",
    );
}

#[test]
fn python_project_release_is_admitted_then_denied() {
    project_round_trip(
        "lockfiles/PyPI/sigstore-python/HEAD-2026-08/uv.lock",
        "PyPI",
        "osv/PyPI/all.zip",
    );
}
