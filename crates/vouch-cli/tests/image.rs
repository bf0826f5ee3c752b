//! `vouch sign image`, `attest image`, `attach bundle`, `verify image` and `tree` against
//! Debian's docker-registry on a loopback port, with images built by umoci and pushed by
//! skopeo. Faults are injected through a loopback proxy (`vouch_testkit::registry::Proxy`).

use std::process::Command;

use vouch_testkit::registry::{
    http_request, sha256_digest, tools_available, Fault, FaultRule, Layout, Proxy, TestRegistry,
};
use vouch_testkit::shared_path;

const SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

fn key() -> String {
    shared_path("vectors/sigstore/cosign-keys/cosign-test-sigstore-label.key")
        .display()
        .to_string()
}

fn public_key() -> String {
    shared_path("vectors/sigstore/cosign-keys/cosign-test-sigstore-label.pub.derived")
        .display()
        .to_string()
}

/// A key nobody trusts here.
fn other_public_key() -> String {
    shared_path("vectors/sigstore/cosign-keys/sigstore-rs-ecdsa-p256.pub.derived")
        .display()
        .to_string()
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn vouch(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .env("COSIGN_PASSWORD", "hello")
        .env_remove("VOUCH_PASSWORD")
        .env("DOCKER_CONFIG", "/nonexistent/vouch-test-docker-config")
        .env("NO_COLOR", "1")
        .output()
        .expect("run vouch");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn check(out: &Out, code: i32, what: &str) {
    assert_eq!(
        out.code, code,
        "{what}: expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        out.stdout, out.stderr
    );
}

/// A registry with one image `app:v1` (and the layout to push more).
fn setup() -> Option<(TestRegistry, Layout, String, String)> {
    if !tools_available() {
        return None;
    }
    let reg = TestRegistry::start();
    let layout = Layout::new();
    layout.add_image("v1", "amd64", &[("etc/app", "one")]);
    layout.add_image("v2", "amd64", &[("etc/app", "two")]);
    let image = format!("{}/app:v1", reg.host());
    let digest = layout.push("v1", &image);
    Some((reg, layout, image, digest))
}

fn write_predicate(dir: &std::path::Path) -> String {
    let p = dir.join("provenance.json");
    std::fs::write(
        &p,
        r#"{"buildDefinition":{"buildType":"https://vouch.dev/test","externalParameters":{}},"runDetails":{"builder":{"id":"https://vouch.dev/test-builder"}}}"#,
    )
    .unwrap();
    p.display().to_string()
}

fn sign_and_attest(image: &str) {
    let dir = tempfile::tempdir().unwrap();
    check(
        &vouch(&["sign", "image", image, "--key", &key()]),
        0,
        "sign",
    );
    let pred = write_predicate(dir.path());
    check(
        &vouch(&[
            "attest",
            "image",
            image,
            "--key",
            &key(),
            "--predicate",
            &pred,
            "--type",
            "slsaprovenance",
        ]),
        0,
        "attest",
    );
}

fn verify(image: &str, pubkey: &str, extra: &[&str]) -> Out {
    let mut args = vec![
        "verify",
        "image",
        image,
        "--key",
        pubkey,
        "--require-predicate",
        "slsaprovenance",
        "--registry-timeout",
        "3",
    ];
    args.extend_from_slice(extra);
    vouch(&args)
}

#[test]
fn signed_and_attested_image_is_admitted_unsigned_and_untrusted_are_denied() {
    let Some((reg, layout, image, digest)) = setup() else {
        return;
    };
    // Unsigned: denied (exit 1), with the missing signature named.
    let out = vouch(&["verify", "image", &image, "--key", &public_key()]);
    check(&out, 1, "unsigned image");
    assert!(out.stdout.contains("attestation-missing"), "{}", out.stdout);

    sign_and_attest(&image);
    let out = verify(&image, &public_key(), &["--format", "json"]);
    check(&out, 0, "signed and attested");
    let verdict: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(verdict["decision"], "admitted");
    assert_eq!(verdict["artifact"]["digest"], digest.as_str());

    // The same image checked against a key that did not sign it.
    let out = verify(&image, &other_public_key(), &[]);
    check(&out, 1, "untrusted key");
    assert!(out.stdout.contains("untrusted-signer"), "{}", out.stdout);

    // Requiring an attestation nobody made.
    let out = verify(&image, &public_key(), &["--require-predicate", "cyclonedx"]);
    check(&out, 1, "missing SBOM attestation");

    // tree lists both schemes.
    let out = vouch(&["tree", &image, "--format", "json"]);
    check(&out, 0, "tree");
    let tree: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let m = &tree["manifests"][0];
    assert_eq!(m["digest"], digest.as_str());
    assert_eq!(m["signatures"].as_array().unwrap().len(), 1);
    assert_eq!(
        m["attestations"][0].as_str(),
        Some("https://slsa.dev/provenance/v1")
    );
    let referrer_types: Vec<&str> = m["referrers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["predicateType"].as_str().unwrap())
        .collect();
    assert!(
        referrer_types.contains(&SIGN_PREDICATE),
        "{referrer_types:?}"
    );
    assert!(referrer_types.contains(&"https://slsa.dev/provenance/v1"));
    assert_eq!(m["referrersSource"], "referrers tag schema");
    drop((reg, layout));
}

#[test]
fn retagged_image_is_denied() {
    let Some((reg, layout, image, v1)) = setup() else {
        return;
    };
    sign_and_attest(&image);
    check(&verify(&image, &public_key(), &[]), 0, "before the move");
    // The tag moves to an unsigned image.
    let v2 = layout.push("v2", &image);
    assert_ne!(v1, v2);
    let out = verify(&image, &public_key(), &[]);
    check(&out, 1, "tag moved to an unsigned digest");
    // Copy v1's cosign signature image to v2's signature tag: the signed payload still names
    // v1, so it does not count for v2.
    let (status, _, sig_manifest) = http_request(
        reg.addr(),
        "GET",
        &format!("/v2/app/manifests/sha256-{}.sig", &v1[7..]),
        &[("Accept", "application/vnd.oci.image.manifest.v1+json")],
        b"",
    );
    assert_eq!(status, 200);
    let status = reg.put_manifest(
        "app",
        &format!("sha256-{}.sig", &v2[7..]),
        "application/vnd.oci.image.manifest.v1+json",
        &sig_manifest,
    );
    assert_eq!(status, 201);
    let out = vouch(&["verify", "image", &image, "--key", &public_key()]);
    check(&out, 1, "copied signature");
    assert!(out.stdout.contains("subject-mismatch"), "{}", out.stdout);
}

#[test]
fn registry_faults_are_could_not_verify() {
    let Some((reg, layout, image, _)) = setup() else {
        return;
    };
    sign_and_attest(&image);
    // Legacy-only signatures, so blob fetches are exercised too.
    let legacy_image = image.replace(":v1", ":legacy");
    layout.push("v2", &legacy_image);
    check(
        &vouch(&[
            "sign",
            "image",
            &legacy_image,
            "--key",
            &key(),
            "--no-referrer",
        ]),
        0,
        "legacy sign",
    );
    let proxy = Proxy::start(reg.addr());
    let via = |img: &str| img.replace(&reg.host(), &proxy.host());
    check(
        &verify(&via(&image), &public_key(), &[]),
        0,
        "through the proxy",
    );
    check(
        &vouch(&[
            "verify",
            "image",
            &via(&legacy_image),
            "--key",
            &public_key(),
        ]),
        0,
        "legacy through the proxy",
    );

    let cases: Vec<(&str, Fault, &str)> = vec![
        ("/manifests/v1", Fault::Status(500), "HTTP 500"),
        ("/referrers/", Fault::Status(503), "HTTP 503"),
        ("/manifests/sha256-", Fault::Status(502), "HTTP 502"),
        ("/manifests/v1", Fault::Hang, "did not answer"),
        ("/manifests/v1", Fault::CorruptBody, "digest mismatch"),
        ("/manifests/sha256-", Fault::CorruptBody, "digest mismatch"),
        (
            "/manifests/v1",
            Fault::Oversize(5 * 1024 * 1024),
            "larger than",
        ),
        ("/manifests/v1", Fault::Malformed, "malformed"),
        ("/manifests/v1", Fault::Drop, "not reachable"),
    ];
    for (matches, fault, expect) in cases {
        proxy.set_faults(vec![FaultRule {
            matches: matches.to_owned(),
            fault: fault.clone(),
        }]);
        let out = verify(&via(&image), &public_key(), &[]);
        check(&out, 2, &format!("{fault:?} on {matches}"));
        assert!(
            out.stderr.contains("could not verify") && out.stderr.contains(expect),
            "{fault:?} on {matches}: {}",
            out.stderr
        );
        assert!(
            out.stdout.is_empty(),
            "no verdict on stdout: {}",
            out.stdout
        );
    }
    // A corrupted signature payload blob (legacy scheme).
    proxy.set_faults(vec![FaultRule {
        matches: "/blobs/".to_owned(),
        fault: Fault::CorruptBody,
    }]);
    let out = vouch(&[
        "verify",
        "image",
        &via(&legacy_image),
        "--key",
        &public_key(),
    ]);
    check(&out, 2, "corrupt blob");
    assert!(out.stderr.contains("digest mismatch"), "{}", out.stderr);

    // The registry goes away.
    proxy.set_faults(Vec::new());
    let mut reg = reg;
    reg.stop();
    let out = verify(&image, &public_key(), &[]);
    check(&out, 2, "stopped registry");
    assert!(out.stderr.contains("could not verify"), "{}", out.stderr);
}

#[test]
fn verify_makes_at_most_four_round_trips() {
    let Some((reg, _layout, image, _)) = setup() else {
        return;
    };
    sign_and_attest(&image);
    let proxy = Proxy::start(reg.addr());
    let out = verify(
        &image.replace(&reg.host(), &proxy.host()),
        &public_key(),
        &[],
    );
    check(&out, 0, "verify through the counting proxy");
    let requests: Vec<String> = proxy
        .requests()
        .into_iter()
        // The token exchange (`/v2/` ping, token realm) does not count.
        .filter(|r| r != "GET /v2/" && !r.contains("token"))
        .collect();
    assert!(
        !requests.is_empty() && requests.len() <= 4,
        "{} round trips: {requests:#?}",
        requests.len()
    );
}

#[test]
fn cosign_signatures_verify_with_their_keys() {
    if !tools_available() {
        return;
    }
    let reg = TestRegistry::start();
    let base = shared_path("vectors/sigstore/cosign-image-signatures");
    // (vector dir, public key, repository, signed image digest)
    let vectors = [
        (
            "ecdsa-p256-registry-testing",
            "cosign.pub",
            "busybox",
            "sha256:f3cfc9d0dbf931d3db4685ec659b7ac68e2a578219da4aae65427886e649b06b",
        ),
        (
            "rsa2048-suse-obs",
            "key.pub",
            "suse/sle-micro/5.0/toolbox",
            "sha256:356631f7603526a0af827741f5fe005acf19b7ef7705a34241a91c2d47a6db5e",
        ),
    ];
    for (dir, pubkey, repo, subject) in vectors {
        let payload = std::fs::read(base.join(dir).join("payload.json")).unwrap();
        let signature = std::fs::read_to_string(base.join(dir).join("signature.b64")).unwrap();
        let payload_digest = reg.put_blob(repo, &payload);
        // go-containerregistry's empty-image config with the payload as its one layer, as
        // cosign stores it (for the ECDSA vector, the reconstructed file is that config).
        let config = format!(
            r#"{{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{{"created":"0001-01-01T00:00:00Z"}}],"os":"","rootfs":{{"type":"layers","diff_ids":["{payload_digest}"]}},"config":{{}}}}"#
        );
        if dir.starts_with("ecdsa") {
            let reconstructed =
                std::fs::read_to_string(base.join(dir).join("sig-image-config.reconstructed.json"))
                    .unwrap();
            assert_eq!(config, reconstructed);
        }
        let config_digest = reg.put_blob(repo, config.as_bytes());
        let manifest = format!(
            r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","size":{},"digest":"{config_digest}"}},"layers":[{{"mediaType":"application/vnd.dev.cosign.simplesigning.v1+json","size":{},"digest":"{payload_digest}","annotations":{{"dev.cosignproject.cosign/signature":"{}"}}}}]}}"#,
            config.len(),
            payload.len(),
            signature.trim()
        );
        let tag = format!("sha256-{}.sig", &subject[7..]);
        assert_eq!(
            reg.put_manifest(
                repo,
                &tag,
                "application/vnd.oci.image.manifest.v1+json",
                manifest.as_bytes()
            ),
            201
        );
        let image = format!("{}/{repo}@{subject}", reg.host());
        let key = base.join(dir).join(pubkey).display().to_string();
        let out = vouch(&["verify", "image", &image, "--key", &key]);
        check(&out, 0, dir);
        // And not with another key.
        let out = vouch(&["verify", "image", &image, "--key", &other_public_key()]);
        check(&out, 1, &format!("{dir} with the wrong key"));
    }
}

#[test]
fn signature_layout_matches_cosign_field_for_field() {
    let Some((reg, _layout, image, digest)) = setup() else {
        return;
    };
    check(
        &vouch(&["sign", "image", &image, "--key", &key()]),
        0,
        "sign",
    );
    // Signing again appends nothing (cosign's duplicate detection).
    check(
        &vouch(&["sign", "image", &image, "--key", &key()]),
        0,
        "sign again",
    );
    let get = |path: &str, accept: &str| {
        let (status, _, body) = http_request(reg.addr(), "GET", path, &[("Accept", accept)], b"");
        assert_eq!(status, 200, "GET {path}");
        body
    };
    let manifest: serde_json::Value = serde_json::from_slice(&get(
        &format!("/v2/app/manifests/sha256-{}.sig", &digest[7..]),
        "application/vnd.oci.image.manifest.v1+json",
    ))
    .unwrap();
    assert_eq!(manifest["schemaVersion"], 2);
    assert_eq!(
        manifest["mediaType"],
        "application/vnd.oci.image.manifest.v1+json"
    );
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.oci.image.config.v1+json"
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1, "no duplicate signature layers");
    let layer = &layers[0];
    assert_eq!(
        layer["mediaType"],
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    let annotations = layer["annotations"].as_object().unwrap();
    assert_eq!(
        annotations.keys().collect::<Vec<_>>(),
        ["dev.cosignproject.cosign/signature"]
    );
    // The payload, byte for byte as cosign writes it.
    let payload = get(
        &format!("/v2/app/blobs/{}", layer["digest"].as_str().unwrap()),
        "*/*",
    );
    let expected = format!(
        r#"{{"critical":{{"identity":{{"docker-reference":"{}/app"}},"image":{{"docker-manifest-digest":"{digest}"}},"type":"cosign container image signature"}},"optional":null}}"#,
        reg.host()
    );
    assert_eq!(String::from_utf8(payload.clone()).unwrap(), expected);
    assert_eq!(layer["size"], payload.len());
    assert_eq!(layer["digest"], sha256_digest(&payload).as_str());
    // The config: go-containerregistry's empty image plus that one layer.
    let config = get(
        &format!(
            "/v2/app/blobs/{}",
            manifest["config"]["digest"].as_str().unwrap()
        ),
        "*/*",
    );
    assert_eq!(
        String::from_utf8(config).unwrap(),
        format!(
            r#"{{"architecture":"","created":"0001-01-01T00:00:00Z","history":[{{"created":"0001-01-01T00:00:00Z"}}],"os":"","rootfs":{{"type":"layers","diff_ids":["{}"]}},"config":{{}}}}"#,
            sha256_digest(&payload)
        )
    );
    // The signature verifies over the payload with the public key, as cosign checks it.
    let dir = tempfile::tempdir().unwrap();
    let payload_path = dir.path().join("payload.json");
    let sig_path = dir.path().join("payload.sig");
    std::fs::write(&payload_path, expected).unwrap();
    std::fs::write(
        &sig_path,
        annotations["dev.cosignproject.cosign/signature"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let out = vouch(&[
        "verify",
        "blob",
        &payload_path.display().to_string(),
        "--key",
        &public_key(),
        "--signature",
        &sig_path.display().to_string(),
    ]);
    check(&out, 0, "signature over the payload");

    // The referrer: an OCI manifest with artifactType and subject, in the tag-schema index.
    let index: serde_json::Value = serde_json::from_slice(&get(
        &format!("/v2/app/manifests/sha256-{}", &digest[7..]),
        "application/vnd.oci.image.index.v1+json",
    ))
    .unwrap();
    assert_eq!(
        index["manifests"].as_array().unwrap().len(),
        1,
        "signing twice attaches one referrer"
    );
    let entry = &index["manifests"][0];
    assert_eq!(
        entry["artifactType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    let referrer: serde_json::Value = serde_json::from_slice(&get(
        &format!("/v2/app/manifests/{}", entry["digest"].as_str().unwrap()),
        "application/vnd.oci.image.manifest.v1+json",
    ))
    .unwrap();
    assert_eq!(
        referrer["artifactType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
    assert_eq!(referrer["subject"]["digest"], digest.as_str());
    assert_eq!(
        referrer["config"]["mediaType"],
        "application/vnd.oci.empty.v1+json"
    );
    assert_eq!(
        referrer["annotations"]["dev.sigstore.bundle.predicateType"],
        SIGN_PREDICATE
    );
    assert_eq!(
        referrer["layers"][0]["mediaType"],
        "application/vnd.dev.sigstore.bundle.v0.3+json"
    );
}

#[test]
fn multi_platform_index_index_or_each() {
    if !tools_available() {
        return;
    }
    let reg = TestRegistry::start();
    let layout = Layout::new();
    layout.add_image("amd", "amd64", &[("etc/app", "amd")]);
    layout.add_image("arm", "arm64", &[("etc/app", "arm")]);
    layout.add_index("multi", &[("amd", "amd64"), ("arm", "arm64")]);
    let image = format!("{}/multi:1", reg.host());
    layout.push("multi", &image);
    check(
        &vouch(&["sign", "image", &image, "--key", &key()]),
        0,
        "sign index",
    );
    let verify = |platforms: &str| {
        vouch(&[
            "verify",
            "image",
            &image,
            "--key",
            &public_key(),
            "--platforms",
            platforms,
        ])
    };
    // The same choice made by the policy file: `platforms: each` wins over the flag's default.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(public_key(), dir.path().join("release.pub")).unwrap();
    let policy = |scope: &str| {
        let path = dir.path().join(format!("policy-{scope}.yaml"));
        std::fs::write(
            &path,
            format!(
                r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: multi
    match: ["**/multi"]
    platforms: {scope}
    signers:
      keys:
        - name: release-key
          path: release.pub
    attestations:
      - name: signature
        predicateType: {SIGN_PREDICATE}
"#
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let by_policy = |scope: &str| vouch(&["verify", "image", &image, "--policy", &policy(scope)]);
    check(&verify("index"), 0, "index signed");
    check(&verify("each"), 1, "platforms not signed");
    check(&by_policy("index"), 0, "policy: index signed");
    check(&by_policy("each"), 1, "policy: platforms not signed");
    check(
        &vouch(&["sign", "image", &image, "--key", &key(), "--recursive"]),
        0,
        "sign recursively",
    );
    check(&verify("each"), 0, "every platform signed");
    check(&by_policy("each"), 0, "policy: every platform signed");
    let out = vouch(&["tree", &image, "--format", "json"]);
    check(&out, 0, "tree");
    let tree: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(tree["manifests"].as_array().unwrap().len(), 3);
    assert_eq!(tree["manifests"][1]["platform"], "linux/amd64");
}

#[test]
fn attached_sbom_bundle_is_verified() {
    let Some((reg, layout, image, digest)) = setup() else {
        return;
    };
    // An SBOM attestation about the image, signed with the test key, as one bundle line.
    let signer =
        vouch_sign::keys::PrivateKey::load(std::path::Path::new(&key()), b"hello").unwrap();
    let statement = serde_json::json!({
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": format!("{}/app", reg.host()), "digest": {"sha256": &digest[7..]}}],
        "predicateType": "https://cyclonedx.org/bom",
        "predicate": {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": []},
    });
    let envelope = vouch_sign::dsse::sign_envelope(
        "application/vnd.in-toto+json",
        &serde_json::to_vec(&statement).unwrap(),
        &signer,
    )
    .unwrap();
    let bundle = vouch_sign::bundle::Bundle::for_dsse(
        envelope,
        vouch_sign::keys::Signer::public_key(&signer),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sbom.intoto.jsonl");
    let mut line = bundle.to_json();
    line.push(b'\n');
    std::fs::write(&file, &line).unwrap();
    check(
        &vouch(&["attach", "bundle", &image, &file.display().to_string()]),
        0,
        "attach",
    );
    check(
        &vouch(&["sign", "image", &image, "--key", &key()]),
        0,
        "sign",
    );
    let out = vouch(&[
        "verify",
        "image",
        &image,
        "--key",
        &public_key(),
        "--require-predicate",
        "cyclonedx",
    ]);
    check(&out, 0, "SBOM attestation from the registry");
    // A bundle about another digest is refused before anything is written.
    let other = image.replace(":v1", ":v2");
    layout.push("v2", &other);
    let out = vouch(&["attach", "bundle", &other, &file.display().to_string()]);
    check(&out, 2, "bundle for another image");
    assert!(out.stderr.contains("not about"), "{}", out.stderr);
}

#[test]
fn policy_file_decides_for_images() {
    let Some((_reg, _layout, image, _)) = setup() else {
        return;
    };
    sign_and_attest(&image);
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(public_key(), dir.path().join("release.pub")).unwrap();
    let policy = |build_type: &str, pattern: &str| {
        let path = dir
            .path()
            .join(format!("policy-{}.yaml", build_type.len() + pattern.len()));
        std::fs::write(
            &path,
            format!(
                r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: images
    match: ["{pattern}"]
    signers:
      keys:
        - name: release-key
          path: release.pub
    attestations:
      - name: signature
        predicateType: {SIGN_PREDICATE}
      - name: provenance
        predicateType: https://slsa.dev/provenance/v1
        condition: |
          package vouch

          allow if {{
            input.predicate.buildDefinition.buildType == "{build_type}"
          }}
"#
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let run = |p: &str| vouch(&["verify", "image", &image, "--policy", p]);
    check(
        &run(&policy("https://vouch.dev/test", "**/app")),
        0,
        "policy admits",
    );
    let out = run(&policy("https://vouch.dev/other", "**/app"));
    check(&out, 1, "condition fails");
    assert!(out.stdout.contains("condition-failed"), "{}", out.stdout);
    let out = run(&policy("https://vouch.dev/test", "ghcr.io/**"));
    check(&out, 1, "no policy applies");
    assert!(out.stdout.contains("no-matching-policy"), "{}", out.stdout);
}

#[test]
fn keyless_cosign_v3_referrer_verifies_against_the_public_good_root() {
    if !tools_available() {
        return;
    }
    let reg = TestRegistry::start();
    // cosign v3 `sign` output (keyless, GitHub Actions) for kubewarden-controller v1.34.0,
    // stored as cosign v3 stores it: a referrer in the tag-schema index of its subject.
    let bundle = std::fs::read(shared_path(
        "vectors/sigstore/bundles/cosign-v3-image-sign-kubewarden.sigstore.json",
    ))
    .unwrap();
    let subject = "sha256:c811d58de79c92f03214e63aa339484e488d694ae8a6283b5f3f17a9faf50172";
    let repo = "kubewarden/kubewarden-controller";
    let config = reg.put_blob(repo, b"{}");
    let layer = reg.put_blob(repo, &bundle);
    let bundle_type = "application/vnd.dev.sigstore.bundle.v0.3+json";
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"{bundle_type}","config":{{"mediaType":"application/vnd.oci.empty.v1+json","size":2,"digest":"{config}"}},"layers":[{{"mediaType":"{bundle_type}","size":{},"digest":"{layer}"}}],"annotations":{{"dev.sigstore.bundle.content":"dsse-envelope","dev.sigstore.bundle.predicateType":"{SIGN_PREDICATE}"}},"subject":{{"mediaType":"application/vnd.oci.image.index.v1+json","size":1609,"digest":"{subject}"}}}}"#,
        bundle.len()
    );
    let manifest_digest = sha256_digest(manifest.as_bytes());
    let oci_manifest = "application/vnd.oci.image.manifest.v1+json";
    assert_eq!(
        reg.put_manifest(repo, &manifest_digest, oci_manifest, manifest.as_bytes()),
        201
    );
    let index = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{"mediaType":"{oci_manifest}","size":{},"digest":"{manifest_digest}","artifactType":"{bundle_type}"}}]}}"#,
        manifest.len()
    );
    assert_eq!(
        reg.put_manifest(
            repo,
            &format!("sha256-{}", &subject[7..]),
            "application/vnd.oci.image.index.v1+json",
            index.as_bytes()
        ),
        201
    );
    let dir = tempfile::tempdir().unwrap();
    let policy = |san: &str| {
        let path = dir.path().join(format!("policy-{}.yaml", san.len()));
        std::fs::write(
            &path,
            format!(
                r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: kubewarden
    match: ["**/kubewarden-controller"]
    signers:
      identities:
        - name: release-workflow
          issuer: https://token.actions.githubusercontent.com
          subject: "{san}"
    attestations:
      - name: signature
        predicateType: {SIGN_PREDICATE}
"#
            ),
        )
        .unwrap();
        path.display().to_string()
    };
    let image = format!("{}/{repo}@{subject}", reg.host());
    let out = vouch(&[
        "verify",
        "image",
        &image,
        "--policy",
        &policy("https://github.com/kubewarden/kubewarden-controller/.github/workflows/release.yml@refs/tags/v1.*"),
    ]);
    check(&out, 0, "keyless referrer");
    let out = vouch(&[
        "verify",
        "image",
        &image,
        "--policy",
        &policy("https://github.com/someone-else/**"),
    ]);
    check(&out, 1, "another identity");
    assert!(out.stdout.contains("untrusted-signer"), "{}", out.stdout);
}

#[test]
fn a_second_signer_is_appended_to_the_signature_image() {
    let Some((reg, _layout, image, digest)) = setup() else {
        return;
    };
    check(
        &vouch(&["sign", "image", &image, "--key", &key(), "--no-referrer"]),
        0,
        "first",
    );
    let second_key =
        shared_path("vectors/sigstore/cosign-keys/cosign-generated-empty-password.key")
            .display()
            .to_string();
    let second_pub =
        shared_path("vectors/sigstore/cosign-keys/cosign-generated-empty-password.pub.derived")
            .display()
            .to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args([
            "sign",
            "image",
            &image,
            "--key",
            &second_key,
            "--no-referrer",
        ])
        .env("COSIGN_PASSWORD", "")
        .env("DOCKER_CONFIG", "/nonexistent/vouch-test-docker-config")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (status, _, body) = http_request(
        reg.addr(),
        "GET",
        &format!("/v2/app/manifests/sha256-{}.sig", &digest[7..]),
        &[("Accept", "application/vnd.oci.image.manifest.v1+json")],
        b"",
    );
    assert_eq!(status, 200);
    let manifest: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(manifest["layers"].as_array().unwrap().len(), 2);
    for pubkey in [public_key(), second_pub] {
        check(
            &vouch(&["verify", "image", &image, "--key", &pubkey]),
            0,
            "either signer",
        );
    }
}

#[test]
fn deploy_time_rescan_of_the_attested_sbom() {
    let Some((reg, layout, image, _)) = setup() else {
        return;
    };
    let fixed_image = image.replace(":v1", ":v2");
    layout.push("v2", &fixed_image);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db").display().to_string();
    let zip = shared_path("osv/crates.io/all.zip").display().to_string();
    check(&vouch(&["db", "import", &zip, "--db", &db]), 0, "db import");
    // smallvec 0.6.9 has RUSTSEC-2019-0009 (critical); 1.13.2 has no advisory.
    for (img, version) in [(&image, "0.6.9"), (&fixed_image, "1.13.2")] {
        let sbom = dir.path().join(format!("sbom-{version}.json"));
        std::fs::write(
            &sbom,
            format!(
                r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{{"type":"library","bom-ref":"pkg:cargo/smallvec@{version}","name":"smallvec","version":"{version}","purl":"pkg:cargo/smallvec@{version}"}}]}}"#
            ),
        )
        .unwrap();
        check(&vouch(&["sign", "image", img, "--key", &key()]), 0, "sign");
        check(
            &vouch(&[
                "attest",
                "image",
                img,
                "--key",
                &key(),
                "--predicate",
                &sbom.display().to_string(),
                "--type",
                "cyclonedx",
            ]),
            0,
            "attest SBOM",
        );
    }
    std::fs::copy(public_key(), dir.path().join("release.pub")).unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        format!(
            r#"apiVersion: vouch.dev/policy/v1
policies:
  - name: images
    match: ["**/app"]
    signers:
      keys:
        - name: release-key
          path: release.pub
    attestations:
      - name: signature
        predicateType: {SIGN_PREDICATE}
      - name: sbom
        predicateType: cyclonedx
    rescan:
      failOn: high
"#
        ),
    )
    .unwrap();
    let policy = policy.display().to_string();
    let out = vouch(&["verify", "image", &image, "--policy", &policy, "--db", &db]);
    check(&out, 1, "vulnerable SBOM");
    assert!(
        out.stdout.contains("vulnerability-found") && out.stdout.contains("RUSTSEC-2019-0009"),
        "{}",
        out.stdout
    );
    let out = vouch(&[
        "verify",
        "image",
        &fixed_image,
        "--policy",
        &policy,
        "--db",
        &db,
    ]);
    check(&out, 0, "fixed SBOM");
    drop(reg);
}

#[test]
fn registry_with_the_referrers_api() {
    let Some((reg, _layout, image, digest)) = setup() else {
        return;
    };
    let proxy = Proxy::start(reg.addr());
    proxy.enable_referrers_api();
    let image = image.replace(&reg.host(), &proxy.host());
    sign_and_attest(&image);
    // The registry processed the subjects: no tag-schema index was written.
    let (status, _, _) = http_request(
        reg.addr(),
        "GET",
        &format!("/v2/app/manifests/sha256-{}", &digest[7..]),
        &[("Accept", "application/vnd.oci.image.index.v1+json")],
        b"",
    );
    assert_eq!(
        status, 404,
        "no referrers tag schema index on an API registry"
    );
    proxy.clear();
    check(
        &verify(&image, &public_key(), &[]),
        0,
        "verify through the API",
    );
    let requests = proxy.requests();
    assert!(
        requests.iter().any(|r| r.contains("/referrers/")),
        "{requests:#?}"
    );
    assert!(
        requests.len() <= 4,
        "{} round trips: {requests:#?}",
        requests.len()
    );
    let out = vouch(&["tree", &image, "--format", "json"]);
    check(&out, 0, "tree");
    let tree: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(tree["manifests"][0]["referrersSource"], "referrers API");
    assert_eq!(
        tree["manifests"][0]["referrers"].as_array().unwrap().len(),
        2
    );
}
