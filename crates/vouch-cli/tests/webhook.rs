//! `vouch webhook serve` end to end: Debian's docker-registry on a loopback port with images
//! built by umoci and pushed by skopeo (as in `tests/image.rs`), the webhook on 127.0.0.1, and
//! AdmissionReviews posted to it the way kube-apiserver does.
// Metric samples compared here are counters: whole numbers, exact in an f64.
#![allow(clippy::float_cmp)]

use std::io::{BufRead as _, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use vouch_testkit::registry::{
    http_request, tools_available, Fault, FaultRule, Layout, Proxy, TestRegistry,
};
use vouch_testkit::shared_path;

const SIGN_PREDICATE: &str = "https://sigstore.dev/cosign/sign/v1";

fn key() -> String {
    shared_path("vectors/sigstore/cosign-keys/cosign-test-sigstore-label.key")
        .display()
        .to_string()
}

fn public_key() -> std::path::PathBuf {
    shared_path("vectors/sigstore/cosign-keys/cosign-test-sigstore-label.pub.derived")
}

fn vouch(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(args)
        .env("COSIGN_PASSWORD", "hello")
        .env_remove("VOUCH_PASSWORD")
        .env("DOCKER_CONFIG", "/nonexistent/vouch-test-docker-config")
        .env("NO_COLOR", "1")
        .output()
        .expect("run vouch")
}

fn ok(args: &[&str]) {
    let out = vouch(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sign_and_attest(image: &str, dir: &std::path::Path) {
    ok(&["sign", "image", image, "--key", &key()]);
    let pred = dir.join("provenance.json");
    std::fs::write(
        &pred,
        r#"{"buildDefinition":{"buildType":"https://vouch.dev/test","externalParameters":{}},"runDetails":{"builder":{"id":"https://vouch.dev/test-builder"}}}"#,
    )
    .unwrap();
    ok(&[
        "attest",
        "image",
        image,
        "--key",
        &key(),
        "--predicate",
        &pred.display().to_string(),
        "--type",
        "slsaprovenance",
    ]);
}

/// A policy for `**/app` (enforce: signature + provenance) and `**/tolerated` (warn).
fn write_policy(dir: &std::path::Path) -> String {
    std::fs::copy(public_key(), dir.join("release.pub")).unwrap();
    let policy = dir.join("policy.yaml");
    std::fs::write(
        &policy,
        format!(
            r"apiVersion: vouch.dev/policy/v1
policies:
  - name: images
    match: ['**/app']
    signers:
      keys:
        - name: release-key
          path: release.pub
    attestations:
      - name: signature
        predicateType: {SIGN_PREDICATE}
      - name: provenance
        predicateType: https://slsa.dev/provenance/v1
  - name: tolerated
    mode: warn
    match: ['**/tolerated']
    signers:
      keys:
        - name: release-key
          path: release.pub
    attestations:
      - name: signature
        predicateType: {SIGN_PREDICATE}
"
        ),
    )
    .unwrap();
    policy.display().to_string()
}

/// The server process; killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
    /// The server's stderr lines after the first.
    log: std::sync::mpsc::Receiver<String>,
}

impl Server {
    /// Waits for a log line containing `needle`.
    fn wait_for_log(&self, needle: &str) -> String {
        loop {
            let line = self
                .log
                .recv_timeout(std::time::Duration::from_secs(20))
                .unwrap_or_else(|e| panic!("no log line with {needle:?}: {e}"));
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Sends SIGHUP (by process id, to the server this test started).
    fn hangup(&self) {
        let ok = Command::new("kill")
            .args(["-HUP", &self.child.id().to_string()])
            .status()
            .expect("run kill")
            .success();
        assert!(ok, "kill -HUP");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vouch"))
        .args(["webhook", "serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("DOCKER_CONFIG", "/nonexistent/vouch-test-docker-config")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start vouch webhook serve");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines
        .next()
        .expect("a first line")
        .expect("readable stderr");
    let addr = first
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .parse()
        .unwrap();
    // Keep draining the request log so the server never blocks on a full pipe.
    let (tx, log) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    Server { child, addr, log }
}

fn pod(uid: &str, containers: &[(&str, &str)], init: &[(&str, &str)]) -> serde_json::Value {
    let list = |l: &[(&str, &str)]| {
        l.iter()
            .map(|(n, i)| serde_json::json!({"name": n, "image": i}))
            .collect::<Vec<_>>()
    };
    let mut spec = serde_json::json!({ "containers": list(containers) });
    if !init.is_empty() {
        spec["initContainers"] = list(init).into();
    }
    serde_json::json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": uid,
            "kind": {"group": "", "version": "v1", "kind": "Pod"},
            "resource": {"group": "", "version": "v1", "resource": "pods"},
            "namespace": "prod",
            "name": "web",
            "operation": "CREATE",
            "object": {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "web", "namespace": "prod"},
                "spec": spec
            }
        }
    })
}

fn post(addr: SocketAddr, review: &serde_json::Value) -> (u16, serde_json::Value) {
    post_to(addr, "/validate", review)
}

fn post_to(addr: SocketAddr, path: &str, review: &serde_json::Value) -> (u16, serde_json::Value) {
    let body = serde_json::to_vec(review).unwrap();
    let (status, _, body) = http_request(
        addr,
        "POST",
        path,
        &[("Content-Type", "application/json")],
        &body,
    );
    (
        status,
        serde_json::from_slice(&body).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&body));
        }),
    )
}

/// Announces a 5 MiB body and sends none of it: the status line of the answer.
fn declare_large_body(addr: SocketAddr) -> u16 {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        s,
        "POST /validate HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        5 * 1024 * 1024
    )
    .unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).unwrap();
    String::from_utf8_lossy(&head[9..12]).parse().unwrap()
}

fn message(response: &serde_json::Value) -> &str {
    response["response"]["status"]["message"]
        .as_str()
        .unwrap_or_default()
}

#[test]
fn webhook_admits_signed_denies_unsigned_and_fails_closed() {
    if !tools_available() {
        return;
    }
    let mut reg = TestRegistry::start();
    let layout = Layout::new();
    layout.add_image("v1", "amd64", &[("etc/app", "one")]);
    layout.add_image("v2", "amd64", &[("etc/app", "two")]);
    let signed = format!("{}/app:v1", reg.host());
    let unsigned = format!("{}/app:v2", reg.host());
    let tolerated = format!("{}/tolerated:v2", reg.host());
    let signed_digest = layout.push("v1", &signed);
    layout.push("v2", &unsigned);
    layout.push("v2", &tolerated);
    let fresh = format!("{}/app:v3", reg.host());
    layout.push("v2", &fresh);
    let dir = tempfile::tempdir().unwrap();
    sign_and_attest(&signed, dir.path());
    let policy = write_policy(dir.path());
    let server = start(&[
        "--policy",
        &policy,
        "--registry-timeout",
        "2",
        "--budget-ms",
        "6000",
    ]);

    let (status, _, body) = http_request(server.addr, "GET", "/healthz", &[], b"");
    assert_eq!((status, body.as_slice()), (200, b"ok\n".as_slice()));

    // Tag references go to the mutating endpoint, which verifies what the tag names now
    // (the validating endpoint admits only digest-pinned references: see
    // `a_tag_is_pinned_to_the_verified_digest_and_moving_it_changes_nothing`).
    // Signed and attested: allowed, uid echoed.
    let (status, r) = post_to(
        server.addr,
        "/mutate",
        &pod("uid-signed", &[("web", &signed)], &[]),
    );
    assert_eq!(status, 200);
    assert_eq!(r["apiVersion"], "admission.k8s.io/v1");
    assert_eq!(r["kind"], "AdmissionReview");
    assert_eq!(r["response"]["uid"], "uid-signed");
    assert_eq!(r["response"]["allowed"], true, "{r}");
    assert!(message(&r).contains(&signed_digest), "{r}");

    // Unsigned image in an init container: denied, naming the image, the container, the
    // failed check and its fix.
    let (_, r) = post_to(
        server.addr,
        "/mutate",
        &pod("uid-unsigned", &[("web", &signed)], &[("setup", &unsigned)]),
    );
    assert_eq!(r["response"]["uid"], "uid-unsigned");
    assert_eq!(r["response"]["allowed"], false, "{r}");
    assert_eq!(r["response"]["status"]["code"], 403);
    let m = message(&r);
    assert!(
        m.contains(&format!("image `{unsigned}`"))
            && m.contains("init container `setup`")
            && m.contains("attestation-missing")
            && m.contains("fix:")
            && m.contains("Pod prod/web"),
        "{m}"
    );
    assert!(
        !m.contains(&format!("image `{signed}`")),
        "only the failing image: {m}"
    );
    // Issue 16 item 8: the fix names the image commands, not the files-only `--bundle` flow.
    assert!(
        m.contains("fix: sign the image: `vouch sign image ")
            && m.contains("`vouch attest image ")
            && !m.contains("--bundle"),
        "{m}"
    );

    // Warn mode admits, with the failure as a warning.
    let (_, r) = post_to(
        server.addr,
        "/mutate",
        &pod("uid-warn", &[("side", &tolerated)], &[]),
    );
    assert_eq!(r["response"]["allowed"], true, "{r}");
    let warnings = r["response"]["warnings"].as_array().expect("warnings");
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains(&tolerated)),
        "{r}"
    );

    // A body that is not an AdmissionReview: HTTP 400.
    let (status, _, _) = http_request(server.addr, "POST", "/validate", &[], b"null");
    assert_eq!(status, 400);
    // Too large a body: HTTP 413 before it is parsed; unknown paths: 404.
    assert_eq!(declare_large_body(server.addr), 413);
    let (status, _, _) = http_request(server.addr, "GET", "/mutate", &[], b"");
    assert_eq!(status, 405);
    let (status, _, _) = http_request(server.addr, "GET", "/nowhere", &[], b"");
    assert_eq!(status, 404);

    // A registry that never answers: denied within the budget (2 s here), not left to
    // kube-apiserver's timeout.
    let proxy = Proxy::start(reg.addr());
    proxy.set_faults(vec![FaultRule {
        matches: "/manifests/".to_owned(),
        fault: Fault::Hang,
    }]);
    let hanging = signed.replace(&reg.host(), &proxy.host());
    let quick = start(&[
        "--policy",
        &policy,
        "--registry-timeout",
        "30",
        "--budget-ms",
        "2000",
    ]);
    let started = std::time::Instant::now();
    let (_, r) = post_to(
        quick.addr,
        "/mutate",
        &pod("uid-hang", &[("web", &hanging)], &[]),
    );
    let took = started.elapsed();
    assert_eq!(r["response"]["allowed"], false, "{r}");
    let m = message(&r);
    assert!(
        m.contains("could not verify") && m.contains(&format!("image `{hanging}`")),
        "{m}"
    );
    assert!(
        took < std::time::Duration::from_secs(9),
        "answered after {took:?}"
    );
    drop(quick);
    drop(proxy);

    // The registry goes away: denied, "could not verify", naming the image.
    reg.stop();
    // (A tag not asked for yet: tags are cached for 30 s, verdicts for their digest.)
    let (status, r) = post_to(
        server.addr,
        "/mutate",
        &pod("uid-down", &[("web", &fresh)], &[]),
    );
    assert_eq!(status, 200);
    assert_eq!(r["response"]["uid"], "uid-down");
    assert_eq!(r["response"]["allowed"], false, "{r}");
    let m = message(&r);
    assert!(
        m.contains("could not verify") && m.contains(&format!("image `{fresh}`")),
        "{m}"
    );
    drop(server);
}

#[test]
fn plain_http_only_on_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write_policy(dir.path());
    let out = vouch(&[
        "webhook",
        "serve",
        "--policy",
        &policy,
        "--listen",
        "0.0.0.0:0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("refusing to serve plain HTTP"), "{stderr}");
}

#[test]
fn a_bad_policy_stops_the_server_before_it_listens() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.yaml");
    std::fs::write(
        &policy,
        "apiVersion: vouch.dev/policy/v1\npolicies: [{name: x, mach: []}]\n",
    )
    .unwrap();
    let out = vouch(&[
        "webhook",
        "serve",
        "--policy",
        &policy.display().to_string(),
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("policy.yaml"), "{stderr}");
}

/// A self-signed certificate for `localhost`/127.0.0.1 made by openssl; `None` without it.
fn self_signed(dir: &std::path::Path) -> Option<(String, String)> {
    if !vouch_testkit::require_tool("openssl") {
        return None;
    }
    let cert = dir.join("tls.crt");
    let key = dir.join("tls.key");
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args([
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=vouch-webhook.vouch-system.svc",
        ])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some((cert.display().to_string(), key.display().to_string()))
}

#[test]
fn serves_https_with_the_given_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let Some((cert, key)) = self_signed(dir.path()) else {
        return;
    };
    if !vouch_testkit::require_tool("curl") {
        return;
    }
    let policy = write_policy(dir.path());
    let server = start(&["--policy", &policy, "--tls-cert", &cert, "--tls-key", &key]);
    let url = |path: &str| format!("https://127.0.0.1:{}{path}", server.addr.port());
    let curl = |args: &[&str]| {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "10", "--cacert", &cert])
            .args(args)
            .output()
            .expect("run curl");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, body, err) = curl(&[&url("/healthz")]);
    assert!(ok, "{err}");
    assert_eq!(body, "ok\n");
    // An AdmissionReview over TLS: a pod whose image is not a valid reference is denied
    // without any registry traffic.
    let review = pod("uid-tls", &[("web", "Not A Valid//Ref")], &[]).to_string();
    let (ok, body, err) = curl(&[
        "-X",
        "POST",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        &review,
        &url("/validate"),
    ]);
    assert!(ok, "{err}");
    let r: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(r["response"]["uid"], "uid-tls");
    assert_eq!(r["response"]["allowed"], false);
    assert!(message(&r).contains("not a valid image reference"), "{r}");
    // Plain HTTP to the TLS port gets no answer.
    let (ok, _, _) = curl(&[&format!("http://127.0.0.1:{}/healthz", server.addr.port())]);
    assert!(!ok);
    drop(server);
}

#[test]
fn an_unreadable_certificate_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write_policy(dir.path());
    let missing = dir.path().join("missing.crt").display().to_string();
    let out = vouch(&[
        "webhook",
        "serve",
        "--policy",
        &policy,
        "--tls-cert",
        &missing,
        "--tls-key",
        &missing,
        "--listen",
        "127.0.0.1:0",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("failed to read TLS certificate") && stderr.contains("missing.crt"),
        "{stderr}"
    );
}

#[test]
fn sighup_reloads_the_policy_and_a_broken_one_is_not_taken() {
    if !tools_available() {
        return;
    }
    let reg = TestRegistry::start();
    let layout = Layout::new();
    layout.add_image("v2", "amd64", &[("etc/app", "two")]);
    let unsigned = format!("{}/app:v2", reg.host());
    layout.push("v2", &unsigned);
    let dir = tempfile::tempdir().unwrap();
    let policy = write_policy(dir.path());
    let server = start(&["--policy", &policy, "--registry-timeout", "2"]);
    let review = pod("uid-reload", &[("web", &unsigned)], &[]);
    let (_, r) = post_to(server.addr, "/mutate", &review);
    assert_eq!(r["response"]["allowed"], false, "{r}");

    // The same policy in warn mode: admitted with warnings after SIGHUP.
    let text = std::fs::read_to_string(&policy).unwrap();
    let warn = text.replacen(
        "  - name: images\n",
        "  - name: images\n    mode: warn\n",
        1,
    );
    assert_ne!(warn, text);
    std::fs::write(&policy, &warn).unwrap();
    server.hangup();
    server.wait_for_log("\"reload\":\"ok\"");
    let (_, r) = post_to(server.addr, "/mutate", &review);
    assert_eq!(r["response"]["allowed"], true, "{r}");
    assert!(
        !r["response"]["warnings"].as_array().unwrap().is_empty(),
        "{r}"
    );

    // A broken file is reported and the policy in force stays.
    std::fs::write(&policy, "apiVersion: vouch.dev/policy/v1\npolicies: [{\n").unwrap();
    server.hangup();
    let line = server.wait_for_log("\"reload\":\"failed");
    assert!(line.contains("policy.yaml"), "{line}");
    let (_, r) = post_to(server.addr, "/mutate", &review);
    assert_eq!(r["response"]["allowed"], true, "{r}");
    drop(server);
}

/// A loopback registry holding `app:v1` (signed and attested with the test key) and
/// `app:v2` (neither), and a policy (`write_policy`) in a temporary directory.
struct Signed {
    reg: TestRegistry,
    layout: Layout,
    /// `HOST/app:v1` and its manifest digest.
    tag: String,
    digest: String,
    /// `HOST/app:v2`, pushed but not signed.
    unsigned: String,
    dir: tempfile::TempDir,
    policy: String,
}

fn signed_registry() -> Signed {
    let reg = TestRegistry::start();
    let layout = Layout::new();
    layout.add_image("v1", "amd64", &[("etc/app", "one")]);
    layout.add_image("v2", "amd64", &[("etc/app", "two")]);
    let tag = format!("{}/app:v1", reg.host());
    let digest = layout.push("v1", &tag);
    let unsigned = format!("{}/app:v2", reg.host());
    layout.push("v2", &unsigned);
    let dir = tempfile::tempdir().unwrap();
    sign_and_attest(&tag, dir.path());
    let policy = write_policy(dir.path());
    Signed {
        reg,
        layout,
        tag,
        digest,
        unsigned,
        dir,
        policy,
    }
}

/// The JSONPatch of a mutating response: its operations (empty when there is none).
fn patch_of(r: &serde_json::Value) -> Vec<serde_json::Value> {
    use base64::Engine as _;
    let Some(p) = r["response"]["patch"].as_str() else {
        return Vec::new();
    };
    assert_eq!(r["response"]["patchType"], "JSONPatch", "{r}");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(p)
        .expect("the patch is base64");
    serde_json::from_slice::<Vec<serde_json::Value>>(&bytes).expect("the patch is a JSON array")
}

/// Applies RFC 6902 `replace` operations to the review's object, as kube-apiserver does.
fn apply(review: &serde_json::Value, ops: &[serde_json::Value]) -> serde_json::Value {
    let mut out = review.clone();
    for op in ops {
        assert_eq!(op["op"], "replace", "{op}");
        let path = op["path"].as_str().unwrap();
        let target = out["request"]["object"]
            .pointer_mut(path)
            .unwrap_or_else(|| panic!("the patch names a missing path {path}"));
        *target = op["value"].clone();
    }
    out
}

#[test]
fn a_tag_is_pinned_to_the_verified_digest_and_moving_it_changes_nothing() {
    if !tools_available() {
        return;
    }
    let Signed {
        reg: _reg,
        layout,
        tag,
        digest: signed_digest,
        dir,
        policy,
        ..
    } = signed_registry();
    let Some((cert, tls_key)) = self_signed(dir.path()) else {
        return;
    };
    // Tags resolved afresh for every review, so the move below is seen at once.
    let server = start(&[
        "--policy",
        &policy,
        "--tls-cert",
        &cert,
        "--tls-key",
        &tls_key,
        "--tag-ttl",
        "0",
        "--registry-timeout",
        "5",
    ]);
    let https = |path: &str, review: &serde_json::Value| -> serde_json::Value {
        let out = Command::new("curl")
            .args(["-sS", "--max-time", "20", "--cacert", &cert])
            .args(["-X", "POST", "-H", "Content-Type: application/json"])
            .args(["--data-binary", &review.to_string()])
            .arg(format!("https://127.0.0.1:{}{path}", server.addr.port()))
            .output()
            .expect("run curl");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let original = pod("uid-tag", &[("web", &tag)], &[("setup", &tag)]);

    // The mutating endpoint admits and pins every container naming the tag.
    let r = https("/mutate", &original);
    assert_eq!(r["response"]["allowed"], true, "{r}");
    let pinned = format!("{tag}@{signed_digest}");
    let ops = patch_of(&r);
    assert_eq!(
        ops,
        vec![
            serde_json::json!({"op": "replace", "path": "/spec/initContainers/0/image", "value": pinned}),
            serde_json::json!({"op": "replace", "path": "/spec/containers/0/image", "value": pinned}),
        ],
        "{r}"
    );
    let patched = apply(&original, &ops);

    // The patched pod passes the validating endpoint; the tag-only original does not.
    let r = https("/validate", &patched);
    assert_eq!(r["response"]["allowed"], true, "{r}");
    assert!(patch_of(&r).is_empty(), "validate never patches: {r}");
    let r = https("/validate", &original);
    assert_eq!(r["response"]["allowed"], false, "{r}");
    let m = message(&r);
    assert!(
        m.contains("digest-required") && m.contains(&format!("image `{tag}`")),
        "{m}"
    );

    // Re-sent to /mutate, the patched pod needs no patch (reinvocation is a no-op).
    let r = https("/mutate", &patched);
    assert_eq!(r["response"]["allowed"], true, "{r}");
    assert!(patch_of(&r).is_empty(), "{r}");

    // Whoever can push moves the tag to an unsigned image after admission.
    let moved_digest = layout.push("v2", &tag);
    assert_ne!(moved_digest, signed_digest);
    // The patched pod still names the signed digest, and it is still admitted...
    let r = https("/validate", &patched);
    assert_eq!(r["response"]["allowed"], true, "{r}");
    assert_eq!(
        patched["request"]["object"]["spec"]["containers"][0]["image"],
        pinned
    );
    // ...while a new pod naming the tag now gets the unsigned image's verdict: denied.
    let r = https("/mutate", &original);
    assert_eq!(r["response"]["allowed"], false, "{r}");
    assert!(message(&r).contains(&moved_digest), "{r}");
    assert!(patch_of(&r).is_empty(), "a denial carries no patch: {r}");

    // One structured log line per review: uid, endpoint, images, result, codes, pinned.
    let line = server.wait_for_log("\"uid\":\"uid-tag\"");
    let record: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(record["endpoint"], "mutate", "{line}");
    assert_eq!(record["result"], "admitted", "{line}");
    assert_eq!(record["namespace"], "prod", "{line}");
    assert_eq!(record["kind"], "Pod", "{line}");
    assert_eq!(record["images"], serde_json::json!([tag]), "{line}");
    assert_eq!(record["pinned"], serde_json::json!([pinned]), "{line}");
    assert!(record["ms"].is_u64(), "{line}");
    drop(server);
}

/// `vouch verify image` prints the pinned reference a CI step can deploy.
#[test]
fn verify_image_prints_the_pinned_reference() {
    if !tools_available() {
        return;
    }
    // The registry and the policy's directory live as long as these bindings.
    let Signed {
        reg: _reg,
        dir: _dir,
        tag,
        digest,
        policy,
        ..
    } = signed_registry();
    let out = vouch(&["verify", "image", &tag, "--policy", &policy]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.lines().last(),
        Some(format!("pinned: {tag}@{digest}").as_str()),
        "{stdout}"
    );
}

/// Parses `/metrics` with prometheus_client's OpenMetrics parser: the samples.
fn scrape(addr: SocketAddr) -> Vec<(String, serde_json::Value, f64)> {
    let (status, headers, body) = http_request(addr, "GET", "/metrics", &[], b"");
    assert_eq!(status, 200);
    assert!(
        headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-type")
                && v.starts_with("application/openmetrics-text")),
        "{headers:?}"
    );
    if !vouch_testkit::require_python_module("prometheus_client") {
        return Vec::new();
    }
    let script = vouch_testkit::repo_root().join("tests/verifiers/metrics_parse.py");
    let out = vouch_testkit::run_with_input(Command::new("python3").arg(script), &body);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{stderr}\n{}",
        String::from_utf8_lossy(&body)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["samples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s[0].as_str().unwrap().to_owned(),
                s[1].clone(),
                s[2].as_f64().unwrap(),
            )
        })
        .collect()
}

fn sample(
    samples: &[(String, serde_json::Value, f64)],
    name: &str,
    labels: &[(&str, &str)],
) -> f64 {
    samples
        .iter()
        .filter(|(n, l, _)| n == name && labels.iter().all(|(k, v)| l[*k] == *v))
        .map(|(_, _, v)| v)
        .sum()
}

#[test]
fn unmatched_images_are_decided_without_the_registry_and_metrics_parse() {
    if !tools_available() {
        return;
    }
    let Signed {
        reg,
        dir: _dir,
        tag,
        digest,
        policy,
        ..
    } = signed_registry();
    // A host that does not resolve: any request to it would fail, and show in the metrics.
    let unmatched = "unmatched.invalid:5000/other/thing:v1";
    let server = start(&["--policy", &policy, "--registry-timeout", "5"]);

    let (_, r) = post(server.addr, &pod("uid-nomatch", &[("web", unmatched)], &[]));
    assert_eq!(r["response"]["allowed"], false, "{r}");
    let m = message(&r);
    assert!(
        m.contains("no-matching-policy") && !m.contains("could not verify"),
        "{m}"
    );

    // The verified digest, twice: the second time from the verdict cache.
    let pinned = format!("{tag}@{digest}");
    for uid in ["uid-pinned-1", "uid-pinned-2"] {
        let (_, r) = post(server.addr, &pod(uid, &[("web", &pinned)], &[]));
        assert_eq!(r["response"]["allowed"], true, "{r}");
    }
    let (status, _, body) = http_request(server.addr, "GET", "/readyz", &[], b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));

    let samples = scrape(server.addr);
    if samples.is_empty() {
        return;
    }
    assert_eq!(
        sample(
            &samples,
            "vouch_image_decisions_total",
            &[("result", "unmatched"), ("code", "no-matching-policy")]
        ),
        1.0
    );
    assert_eq!(
        sample(
            &samples,
            "vouch_registry_requests_total",
            &[("registry", "unmatched.invalid:5000")]
        ),
        0.0,
        "the unmatched image's registry was contacted"
    );
    assert!(
        sample(
            &samples,
            "vouch_registry_requests_total",
            &[("registry", &reg.host())]
        ) >= 1.0
    );
    assert_eq!(sample(&samples, "vouch_registry_errors_total", &[]), 0.0);
    assert_eq!(
        sample(&samples, "vouch_cache_hits_total", &[("cache", "verdict")]),
        1.0
    );
    assert_eq!(
        sample(
            &samples,
            "vouch_cache_misses_total",
            &[("cache", "verdict")]
        ),
        1.0
    );
    assert_eq!(
        sample(
            &samples,
            "vouch_admission_reviews_total",
            &[("endpoint", "validate"), ("allowed", "true")]
        ),
        2.0
    );
    assert_eq!(
        sample(
            &samples,
            "vouch_admission_review_duration_seconds_count",
            &[("endpoint", "validate")]
        ),
        3.0
    );
    assert_eq!(sample(&samples, "vouch_verifications_in_flight", &[]), 0.0);
    drop(server);

    // With `noMatch: allow` the same image is admitted, still without a registry request.
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replacen("policies:\n", "noMatch: allow\npolicies:\n", 1),
    )
    .unwrap();
    let server = start(&["--policy", &policy]);
    let (_, r) = post(server.addr, &pod("uid-allow", &[("web", unmatched)], &[]));
    assert_eq!(r["response"]["allowed"], true, "{r}");
    assert!(message(&r).contains("no policy applies"), "{r}");
    let samples = scrape(server.addr);
    assert_eq!(sample(&samples, "vouch_registry_requests_total", &[]), 0.0);
}

/// `kubectl get pods,deployments,… -A -o json` output made of the AdmissionReview samples'
/// objects, their images replaced in turn by `images`: (the list, the images it names per
/// workload).
fn workload_list(images: &[&str]) -> (serde_json::Value, Vec<(String, Vec<String>)>) {
    let mut items = Vec::new();
    let mut expected = Vec::new();
    let mut next = 0;
    for name in [
        "connaisseur-01_deployment.json",
        "connaisseur-02_pod.json",
        "connaisseur-04_cronjob.json",
        "connaisseur-09_dply_multi_image.json",
        "connaisseur-19_pod_initcontainer.json",
    ] {
        let review: serde_json::Value = serde_json::from_slice(
            &std::fs::read(shared_path(&format!(
                "policy-examples/admission-review/{name}"
            )))
            .unwrap(),
        )
        .unwrap();
        let mut object = review["request"]["object"].clone();
        let mut named = Vec::new();
        // Every `image` field of a container list, in document order.
        fn walk(
            v: &mut serde_json::Value,
            images: &[&str],
            next: &mut usize,
            named: &mut Vec<String>,
        ) {
            match v {
                serde_json::Value::Object(map) => {
                    for (k, child) in map.iter_mut() {
                        if matches!(
                            k.as_str(),
                            "containers" | "initContainers" | "ephemeralContainers"
                        ) {
                            for c in child.as_array_mut().into_iter().flatten() {
                                let image = images[*next % images.len()].to_owned();
                                *next += 1;
                                c["image"] = image.clone().into();
                                named.push(image);
                            }
                        } else {
                            walk(child, images, next, named);
                        }
                    }
                }
                serde_json::Value::Array(a) => {
                    for child in a {
                        walk(child, images, next, named);
                    }
                }
                _ => {}
            }
        }
        walk(&mut object, images, &mut next, &mut named);
        // As the API server lists them: every object named (the samples' Pods only have a
        // `generateName`).
        let wname = name.trim_end_matches(".json").to_owned();
        object["metadata"]["name"] = wname.clone().into();
        object["metadata"]["namespace"] = "prod".into();
        let kind = object["kind"].as_str().unwrap().to_owned();
        expected.push((format!("{kind}/{wname}"), named));
        items.push(object);
    }
    // A Service runs nothing and is skipped.
    items.push(serde_json::json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "prod"}, "spec": {"ports": [{"port": 80}]}}));
    (
        serde_json::json!({"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}),
        expected,
    )
}

#[test]
fn verify_workloads_reports_one_row_per_workload_image() {
    if !tools_available() {
        return;
    }
    let Signed {
        reg: _reg,
        tag: signed,
        digest,
        unsigned,
        dir,
        policy,
        ..
    } = signed_registry();
    let unmatched = "unmatched.invalid:5000/other:v1";

    let (list, expected) = workload_list(&[&signed, &unsigned, unmatched]);
    let file = dir.path().join("workloads.json");
    std::fs::write(&file, serde_json::to_vec(&list).unwrap()).unwrap();
    let out = vouch(&[
        "verify",
        "workloads",
        &file.display().to_string(),
        "--policy",
        &policy,
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = report["rows"].as_array().unwrap();
    let total: usize = expected.iter().map(|(_, i)| i.len()).sum();
    assert_eq!(rows.len(), total, "{report:#}");
    assert_eq!(report["workloads"], expected.len());
    assert_eq!(report["images"], 3);
    for (workload, images) in &expected {
        let mine: Vec<&serde_json::Value> = rows
            .iter()
            .filter(|r| {
                format!(
                    "{}/{}",
                    r["kind"].as_str().unwrap(),
                    r["name"].as_str().unwrap()
                ) == *workload
            })
            .collect();
        let mut got: Vec<&str> = mine.iter().map(|r| r["image"].as_str().unwrap()).collect();
        let mut want: Vec<&str> = images.iter().map(String::as_str).collect();
        got.sort_unstable();
        want.sort_unstable();
        assert_eq!(got, want, "{workload}");
        for row in mine {
            let image = row["image"].as_str().unwrap();
            let want = if image == signed {
                "admitted"
            } else if image == unsigned {
                "denied"
            } else {
                "unmatched"
            };
            assert_eq!(row["result"], want, "{row}");
            if want == "admitted" {
                assert_eq!(row["pinned"], format!("{signed}@{digest}"), "{row}");
            }
            if want == "denied" {
                assert!(
                    row["codes"]
                        .as_array()
                        .unwrap()
                        .contains(&"attestation-missing".into()),
                    "{row}"
                );
            }
            if want == "unmatched" {
                assert_eq!(row["admitted"], false, "noMatch deny: {row}");
            }
        }
    }

    // SARIF: one result per image not admitted, valid against the full SARIF 2.1.0 schema.
    let out = vouch(&[
        "verify",
        "workloads",
        &file.display().to_string(),
        "--policy",
        &policy,
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            vouch_testkit::repo_root().join("fixtures/sarif/sarif-2.1.0-rtm.5.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let not_admitted = rows.iter().filter(|r| r["admitted"] == false).count();
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        not_admitted
    );

    // The table names every workload; Markdown too.
    let out = vouch(&[
        "verify",
        "workloads",
        &file.display().to_string(),
        "--policy",
        &policy,
    ]);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("WORKLOAD"), "{table}");
    assert!(
        table.contains("DENIED") && table.contains("admitted"),
        "{table}"
    );

    // Only signed images, read from standard input: exit 0.
    let (list, _) = workload_list(&[&signed]);
    let out = vouch_testkit::run_with_input(
        Command::new(env!("CARGO_BIN_EXE_vouch"))
            .args([
                "verify",
                "workloads",
                "-",
                "--policy",
                &policy,
                "--format",
                "markdown",
            ])
            .env("DOCKER_CONFIG", "/nonexistent/vouch-test-docker-config"),
        &serde_json::to_vec(&list).unwrap(),
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("| admitted |"));

    // Not a List: exit 2, one line naming the input.
    std::fs::write(&file, b"[1, 2]").unwrap();
    let out = vouch(&[
        "verify",
        "workloads",
        &file.display().to_string(),
        "--policy",
        &policy,
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("workloads.json") && stderr.contains("not a Kubernetes object"),
        "{stderr}"
    );
}

#[test]
fn the_policy_is_reloaded_when_its_file_changes() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write_policy(dir.path());
    let server = start(&["--policy", &policy, "--watch-policy", "1"]);
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replacen("policies:\n", "noMatch: warn\npolicies:\n", 1),
    )
    .unwrap();
    server.wait_for_log("\"reload\":\"ok\"");
    // The new policy is in force: an image no policy covers is now admitted with a warning.
    let (_, r) = post(
        server.addr,
        &pod("uid-watch", &[("web", "unmatched.invalid/x:v1")], &[]),
    );
    assert_eq!(r["response"]["allowed"], true, "{r}");
    assert!(
        r["response"]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("no-matching-policy"),
        "{r}"
    );
    let (status, _, body) = http_request(server.addr, "GET", "/readyz", &[], b"");
    assert_eq!(status, 200);
    assert!(
        String::from_utf8_lossy(&body).contains("policy revision 2"),
        "{}",
        String::from_utf8_lossy(&body)
    );
}

/// The objects `kubectl kustomize deploy/kustomize` renders.
fn rendered_manifests() -> Option<Vec<serde_json::Value>> {
    if !vouch_testkit::require_tool("kubectl") {
        return None;
    }
    let root = vouch_testkit::repo_root();
    let out = Command::new("kubectl")
        .args(["kustomize"])
        .arg(root.join("deploy/kustomize"))
        .output()
        .expect("run kubectl kustomize");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    // `kubectl create --dry-run=client -o json` would need a cluster; convert with Python's
    // YAML loader (PyYAML comes with kubernetes-validate).
    if !vouch_testkit::require_python_module("yaml") {
        return None;
    }
    let out = vouch_testkit::run_with_input(
        Command::new("python3").args([
            "-c",
            "import json,sys,yaml; json.dump(list(yaml.safe_load_all(sys.stdin)), sys.stdout)",
        ]),
        text.as_bytes(),
    );
    assert!(out.status.success());
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[test]
fn the_kustomize_base_renders_and_every_object_validates() {
    let Some(objects) = rendered_manifests() else {
        return;
    };
    if !vouch_testkit::require_tool("kubernetes-validate") {
        return;
    }
    let root = vouch_testkit::repo_root();
    let dir = tempfile::tempdir().unwrap();
    // One object per file: kubernetes-validate reads YAML (JSON is YAML).
    let mut files = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        let f = dir.path().join(format!("{i}.yaml"));
        std::fs::write(&f, serde_json::to_vec(o).unwrap()).unwrap();
        files.push(f);
    }
    let out = Command::new("kubernetes-validate")
        .arg("--strict")
        .args(&files)
        .output()
        .expect("run kubernetes-validate");
    let report =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{report}");
    // Every object validated, except cert-manager's (no schema ships with the validator).
    let kinds: Vec<(String, String)> = objects
        .iter()
        .map(|o| {
            (
                o["apiVersion"].as_str().unwrap().to_owned(),
                o["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for (api, kind) in &kinds {
        if api.starts_with("cert-manager.io/") {
            assert!(matches!(kind.as_str(), "Issuer" | "Certificate"), "{kind}");
            continue;
        }
        assert!(
            report.contains(&format!("passed for resource {}/", kind.to_lowercase())),
            "{kind} did not validate: {report}"
        );
    }
    for want in [
        "Namespace",
        "ServiceAccount",
        "Deployment",
        "PodDisruptionBudget",
        "Service",
        "NetworkPolicy",
        "ConfigMap",
        "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration",
        "Issuer",
        "Certificate",
    ] {
        assert!(kinds.iter().any(|(_, k)| k == want), "no {want} rendered");
    }

    let find = |kind: &str| objects.iter().find(|o| o["kind"] == kind).unwrap();
    let deployment = find("Deployment");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &pod["containers"][0];
    assert_eq!(deployment["spec"]["replicas"], 2);
    assert!(pod["affinity"]["podAntiAffinity"].is_object());
    assert_eq!(pod["automountServiceAccountToken"], false);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    let sc = &container["securityContext"];
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(sc["capabilities"]["drop"], serde_json::json!(["ALL"]));
    assert_eq!(
        find("ServiceAccount")["automountServiceAccountToken"],
        false
    );
    // No Role or ClusterRole: the webhook calls no Kubernetes API.
    assert!(!kinds.iter().any(|(_, k)| k.contains("Role")), "{kinds:?}");

    // The Deployment runs the image the repository builds, with arguments vouch accepts.
    let image = container["image"].as_str().unwrap();
    let build = std::fs::read_to_string(root.join("deploy/image/build.sh")).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(image, format!("ghcr.io/vouch-dev/vouch:{version}"));
    assert!(
        build.contains("ghcr.io/vouch-dev/vouch"),
        "build.sh names another image"
    );
    let args: Vec<&str> = container["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(&args[..2], ["webhook", "serve"]);
    let listen = args
        .iter()
        .find_map(|a| a.strip_prefix("--listen="))
        .unwrap();
    let port: u16 = listen.rsplit(':').next().unwrap().parse().unwrap();
    let help = vouch(&["webhook", "serve", "--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    for a in &args[2..] {
        let flag = a.split('=').next().unwrap();
        assert!(
            help.contains(flag),
            "the Deployment passes {flag}, which `vouch webhook serve` does not take"
        );
    }
    // The policy file it is given is one vouch loads.
    let policy_arg = args
        .iter()
        .find_map(|a| a.strip_prefix("--policy="))
        .unwrap();
    let mount = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| policy_arg.starts_with(m["mountPath"].as_str().unwrap()))
        .unwrap();
    let cm_name = pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == mount["name"])
        .unwrap()["configMap"]["name"]
        .clone();
    let cm = objects
        .iter()
        .find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == cm_name)
        .unwrap();
    let policy_text = cm["data"][policy_arg.rsplit('/').next().unwrap()]
        .as_str()
        .unwrap();
    vouch_policy::PolicySet::parse("configmap policy.yaml", policy_text).unwrap();
    // Probes point at the paths the server serves.
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(container["ports"][0]["containerPort"], port);

    // The Service forwards 443 to that port; the webhook configurations call its paths.
    let service = find("Service");
    assert_eq!(
        service["spec"]["ports"][0]["targetPort"],
        container["ports"][0]["name"]
    );
    let tls_secret = &pod["volumes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "tls")
        .unwrap()["secret"]["secretName"];
    let cert = objects
        .iter()
        .find(|o| o["kind"] == "Certificate" && o["spec"]["secretName"] == *tls_secret)
        .expect("a Certificate for the serving secret");
    for (kind, path) in [
        ("MutatingWebhookConfiguration", "/mutate"),
        ("ValidatingWebhookConfiguration", "/validate"),
    ] {
        let hooks = find(kind)["webhooks"].as_array().unwrap().clone();
        for h in hooks {
            let svc = &h["clientConfig"]["service"];
            assert_eq!(svc["name"], service["metadata"]["name"]);
            assert_eq!(svc["namespace"], service["metadata"]["namespace"]);
            assert_eq!(svc["path"], path);
            assert_eq!(svc["port"], service["spec"]["ports"][0]["port"]);
            assert_eq!(h["failurePolicy"], "Fail");
            assert_eq!(h["sideEffects"], "None");
            assert_eq!(h["timeoutSeconds"], 10);
            assert_eq!(h["matchPolicy"], "Equivalent");
            if kind.starts_with("Mutating") {
                assert_eq!(h["reinvocationPolicy"], "IfNeeded");
            }
            let excluded = h["namespaceSelector"]["matchExpressions"][0]["values"]
                .as_array()
                .unwrap();
            assert!(
                excluded.contains(&"vouch-system".into())
                    && excluded.contains(&"kube-system".into())
            );
        }
        // cert-manager injects the CA of the serving certificate.
        assert_eq!(
            find(kind)["metadata"]["annotations"]["cert-manager.io/inject-ca-from"],
            format!(
                "vouch-system/{}",
                cert["metadata"]["name"].as_str().unwrap()
            )
        );
    }
    // The serving certificate names the Service.
    assert!(cert["spec"]["dnsNames"]
        .as_array()
        .unwrap()
        .contains(&"vouch-webhook.vouch-system.svc".into()));
    assert_eq!(
        pod["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["name"] == "tls")
            .unwrap()["secret"]["secretName"],
        cert["spec"]["secretName"]
    );
}

/// `deploy/image/build.sh` on the binary under test: the manifest digest it prints.
fn build_image(layout: &std::path::Path) -> String {
    let script = vouch_testkit::repo_root().join("deploy/image/build.sh");
    let out = Command::new("bash")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_vouch"))
        .arg(layout)
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .output()
        .expect("run deploy/image/build.sh");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn the_container_image_is_reproducible_and_signed_and_attested_by_vouch() {
    if !tools_available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    let digest = build_image(&a);
    assert!(
        digest.starts_with("sha256:") && digest.len() == 71,
        "{digest}"
    );
    assert_eq!(build_image(&b), digest, "two builds of one binary differ");

    let version = env!("CARGO_PKG_VERSION");
    // Unpacked, its root filesystem runs vouch as the image's entrypoint would (as root
    // only: chroot needs it).
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout == b"0\n");
    if is_root {
        let bundle = dir.path().join("bundle");
        let (ok, _, err) = vouch_testkit::run(Command::new("umoci").args([
            "unpack",
            "--image",
            &format!("{}:{version}", a.display()),
            &bundle.display().to_string(),
        ]));
        assert!(ok, "{err}");
        let config: serde_json::Value =
            serde_json::from_slice(&std::fs::read(bundle.join("config.json")).unwrap()).unwrap();
        assert_eq!(config["process"]["user"]["uid"], 65532);
        assert_eq!(
            config["process"]["args"],
            serde_json::json!(["/usr/local/bin/vouch", "webhook", "serve"])
        );
        let (ok, out, err) = vouch_testkit::run(
            Command::new("chroot")
                .arg(bundle.join("rootfs"))
                .args(["/usr/local/bin/vouch", "--version"]),
        );
        assert!(ok, "{err}");
        assert_eq!(out.trim(), format!("vouch {version}"));
        // Nothing but the binary, its libraries, CA certificates and the user files.
        let (_, listing, _) = vouch_testkit::run(
            Command::new("find")
                .arg(bundle.join("rootfs"))
                .args(["-type", "f"]),
        );
        for f in listing.lines() {
            let rel = f.split("/rootfs").nth(1).unwrap();
            assert!(
                rel == "/usr/local/bin/vouch"
                    || rel.starts_with("/lib")
                    || rel.starts_with("/usr/lib")
                    || rel.starts_with("/etc/ssl/certs/")
                    || rel == "/etc/passwd"
                    || rel == "/etc/group",
                "unexpected file {rel}"
            );
        }
    }

    // Pushed with skopeo, signed and attested by vouch, admitted by vouch's own verifier.
    let reg = TestRegistry::start();
    let image = format!("{}/vouch-dev/vouch:{version}", reg.host());
    let (ok, out, err) = vouch_testkit::run(Command::new("skopeo").args([
        "copy",
        "--preserve-digests",
        "--dest-tls-verify=false",
        &format!("oci:{}:{version}", a.display()),
        &format!("docker://{image}"),
    ]));
    assert!(ok, "{out}{err}");
    sign_and_attest(&image, dir.path());
    let policy = write_policy(dir.path());
    let text = std::fs::read_to_string(&policy).unwrap();
    std::fs::write(
        &policy,
        text.replacen("['**/app']", "['**/app', '**/vouch']", 1),
    )
    .unwrap();
    let out = vouch(&["verify", "image", &image, "--policy", &policy]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("pinned: {image}@{digest}")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
