//! A throwaway OCI registry on a loopback port, images built with `umoci`, pushed with
//! `skopeo`, and a loopback HTTP proxy that counts requests and injects faults.
//!
//! The registry is Debian's `/usr/bin/docker-registry` (distribution 2.8: no referrers API)
//! with a generated config, a temporary storage directory and a free `127.0.0.1` port. It is
//! killed when the [`TestRegistry`] is dropped.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sha2::Digest as _;

use crate::{require_tool, run};

/// `true` when `docker-registry`, `umoci` and `skopeo` are all installed (see
/// [`require_tool`] for what happens under CI when one is missing).
pub fn tools_available() -> bool {
    require_tool("docker-registry") & require_tool("umoci") & require_tool("skopeo")
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temporary directory removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "{prefix}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A free loopback port (bound, then released for the child to take).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("bind a loopback port")
        .port()
}

/// A running `docker-registry` on `127.0.0.1`.
#[derive(Debug)]
pub struct TestRegistry {
    child: Option<Child>,
    port: u16,
    config: PathBuf,
    dir: TempDir,
}

impl TestRegistry {
    /// Starts a registry with empty storage and waits until `/v2/` answers.
    ///
    /// # Panics
    /// When the registry does not come up within 20 seconds.
    pub fn start() -> Self {
        let dir = TempDir::new("vouch-registry");
        let storage = dir.path().join("storage");
        std::fs::create_dir_all(&storage).expect("create storage dir");
        let port = free_port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:{port}\n",
                storage.display()
            ),
        )
        .expect("write registry config");
        let mut reg = Self {
            child: None,
            port,
            config,
            dir,
        };
        reg.spawn();
        reg
    }

    fn spawn(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("registry.log")).expect("log file");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&self.config)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if http_get_status(self.addr(), "/v2/").is_some_and(|s| s == 200) {
                return;
            }
            if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                let log = std::fs::read_to_string(self.dir.path().join("registry.log"))
                    .unwrap_or_default();
                panic!("docker-registry exited with {status}: {log}");
            }
            assert!(
                Instant::now() < deadline,
                "docker-registry did not answer on {} within 20 s",
                self.addr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    /// `127.0.0.1:PORT`, the registry part of image references.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Stops the registry (connections are refused until [`TestRegistry::restart`]).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the registry again on the same port and storage.
    pub fn restart(&mut self) {
        self.stop();
        self.spawn();
    }

    /// Stores `body` as a manifest under `repo:reference` (a tag or digest) with a raw
    /// HTTP `PUT`, as a client would; returns the HTTP status.
    pub fn put_manifest(&self, repo: &str, reference: &str, media_type: &str, body: &[u8]) -> u16 {
        http_request(
            self.addr(),
            "PUT",
            &format!("/v2/{repo}/manifests/{reference}"),
            &[("Content-Type", media_type)],
            body,
        )
        .0
    }

    /// Uploads a blob with a monolithic `POST`+`PUT`; returns its `sha256:` digest.
    ///
    /// # Panics
    /// When the registry refuses the upload.
    pub fn put_blob(&self, repo: &str, body: &[u8]) -> String {
        let digest = sha256_digest(body);
        let (status, headers, _) = http_request(
            self.addr(),
            "POST",
            &format!("/v2/{repo}/blobs/uploads/"),
            &[],
            b"",
        );
        assert_eq!(status, 202, "blob upload start");
        let location = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.clone())
            .expect("upload location");
        let path = location
            .strip_prefix(&format!("http://{}", self.host()))
            .unwrap_or(&location)
            .to_owned();
        let sep = if path.contains('?') { '&' } else { '?' };
        let (status, _, body_out) = http_request(
            self.addr(),
            "PUT",
            &format!("{path}{sep}digest={digest}"),
            &[("Content-Type", "application/octet-stream")],
            body,
        );
        assert_eq!(
            status,
            201,
            "blob upload: {}",
            String::from_utf8_lossy(&body_out)
        );
        digest
    }
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `sha256:<hex>` of `bytes`.
pub fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex_lower(&sha2::Sha256::digest(bytes)))
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn http_get_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(200)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut line = String::new();
    BufReader::new(s).read_line(&mut line).ok()?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A one-shot HTTP/1.1 request; returns status, headers and body.
///
/// # Panics
/// When the server cannot be reached or answers something that is not HTTP.
pub fn http_request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        let _ = write!(req, "{k}: {v}\r\n");
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).expect("write request");
    s.write_all(body).expect("write body");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("read response");
    let msg = parse_message(&raw).expect("an HTTP response");
    let status = msg
        .start
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status code");
    (status, msg.headers, msg.body)
}

struct Message {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn find_head_end(raw: &[u8]) -> Option<usize> {
    raw.windows(4).position(|w| w == b"\r\n\r\n")
}

/// Parses a complete HTTP/1.1 message held in `raw` (body by Content-Length, chunked, or
/// to the end).
fn parse_message(raw: &[u8]) -> Option<Message> {
    let end = find_head_end(raw)?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let start = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let rest = &raw[end + 4..];
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    let body = if chunked {
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            let line_end = rest[i..].windows(2).position(|w| w == b"\r\n")? + i;
            let size_str = String::from_utf8_lossy(&rest[i..line_end]);
            let size = usize::from_str_radix(size_str.split(';').next()?.trim(), 16).ok()?;
            i = line_end + 2;
            if size == 0 {
                break;
            }
            out.extend_from_slice(rest.get(i..i + size)?);
            i += size + 2;
        }
        out
    } else {
        rest.to_vec()
    };
    Some(Message {
        start,
        headers,
        body,
    })
}

/// Reads one request (head and Content-Length body) from a client connection.
type Request = (String, Vec<(String, String)>, Vec<u8>);

fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 8192];
    let head_end = loop {
        if let Some(e) = find_head_end(&buf) {
            break e;
        }
        let n = stream.read(&mut tmp).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let start = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut tmp).ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Some((start, headers, body))
}

/// What the proxy does to a request that matches a [`FaultRule`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer with this status and a small JSON error body, without asking the registry.
    Status(u16),
    /// Never answer (until the proxy is dropped): the client must time out.
    Hang,
    /// Forward, then flip one byte of the response body (headers kept).
    CorruptBody,
    /// Forward, then replace the body with this many bytes of a JSON document.
    Oversize(usize),
    /// Forward, then replace the body with truncated JSON (Docker-Content-Digest dropped).
    Malformed,
    /// Close the connection without answering.
    Drop,
}

/// A fault for requests whose `METHOD PATH` line contains `matches`.
#[derive(Debug, Clone)]
pub struct FaultRule {
    pub matches: String,
    pub fault: Fault,
}

#[derive(Debug, Default)]
struct ProxyState {
    requests: Mutex<Vec<String>>,
    rules: Mutex<Vec<FaultRule>>,
    stop: AtomicBool,
    /// Emulate the OCI 1.1 referrers API in front of a registry that lacks it.
    referrers_api: AtomicBool,
    /// Subject digest → descriptors of manifests pushed with that subject.
    referrers: Mutex<std::collections::HashMap<String, Vec<serde_json::Value>>>,
}

/// A loopback HTTP proxy in front of a registry: records every request line and applies
/// fault rules. Each client connection carries one request (answers say `Connection: close`).
#[derive(Debug)]
pub struct Proxy {
    port: u16,
    state: Arc<ProxyState>,
}

impl Proxy {
    /// Starts a proxy on a free loopback port forwarding to `upstream`.
    pub fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let port = listener.local_addr().expect("proxy addr").port();
        let state = Arc::new(ProxyState::default());
        let st = Arc::clone(&state);
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let st = Arc::clone(&st);
                std::thread::spawn(move || handle(conn, upstream, &st));
            }
        });
        Self { port, state }
    }

    /// `127.0.0.1:PORT`.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The request lines (`GET /v2/...`) seen so far.
    pub fn requests(&self) -> Vec<String> {
        self.state.requests.lock().expect("lock").clone()
    }

    /// Forgets the recorded requests.
    pub fn clear(&self) {
        self.state.requests.lock().expect("lock").clear();
    }

    /// Emulates the OCI 1.1 referrers API (as distribution 3, zot or GHCR have it): manifest
    /// `PUT`s with a `subject` are answered with `OCI-Subject` and listed by
    /// `GET /v2/<name>/referrers/<digest>`, which the registry behind would answer `404`.
    pub fn enable_referrers_api(&self) {
        self.state.referrers_api.store(true, Ordering::SeqCst);
    }

    /// Replaces the fault rules (an empty list forwards everything untouched).
    pub fn set_faults(&self, rules: Vec<FaultRule>) {
        *self.state.rules.lock().expect("lock") = rules;
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

fn handle(mut client: TcpStream, upstream: SocketAddr, st: &ProxyState) {
    let _ = client.set_read_timeout(Some(Duration::from_secs(30)));
    let Some((start, headers, body)) = read_request(&mut client) else {
        return;
    };
    if st.stop.load(Ordering::SeqCst) {
        return;
    }
    let request_line = start
        .rsplit_once(' ')
        .map_or(start.as_str(), |(l, _)| l)
        .to_owned();
    st.requests.lock().expect("lock").push(request_line.clone());
    let fault = st
        .rules
        .lock()
        .expect("lock")
        .iter()
        .find(|r| request_line.contains(&r.matches))
        .map(|r| r.fault.clone());
    if st.referrers_api.load(Ordering::SeqCst) && start.starts_with("GET ") {
        if let Some(rest) = request_line.split_once("/referrers/").map(|(_, r)| r) {
            let subject = rest.split('?').next().unwrap_or(rest);
            let list = st
                .referrers
                .lock()
                .expect("lock")
                .get(subject)
                .cloned()
                .unwrap_or_default();
            let body = serde_json::to_vec(&serde_json::json!({
                "schemaVersion": 2,
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "manifests": list,
            }))
            .expect("json");
            let _ = write!(
                client,
                "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.oci.image.index.v1+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = client.write_all(&body);
            return;
        }
    }
    match fault {
        Some(Fault::Status(code)) => {
            let body = br#"{"errors":[{"code":"UNKNOWN","message":"injected fault"}]}"#;
            let _ = write!(
                client,
                "HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = client.write_all(body);
            return;
        }
        Some(Fault::Hang) => {
            while !st.stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(100));
            }
            return;
        }
        Some(Fault::Drop) => {
            let _ = client.shutdown(Shutdown::Both);
            return;
        }
        _ => {}
    }
    let Ok(mut up) = TcpStream::connect(upstream) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = up.set_read_timeout(Some(Duration::from_secs(30)));
    let mut req = format!("{start}\r\n");
    for (k, v) in &headers {
        if k.eq_ignore_ascii_case("connection") || k.eq_ignore_ascii_case("host") {
            continue;
        }
        let _ = write!(req, "{k}: {v}\r\n");
    }
    let _ = write!(req, "Host: {upstream}\r\nConnection: close\r\n\r\n");
    if up.write_all(req.as_bytes()).is_err() || up.write_all(&body).is_err() {
        return;
    }
    let mut raw = Vec::new();
    let _ = up.read_to_end(&mut raw);
    let Some(mut msg) = parse_message(&raw) else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    if st.referrers_api.load(Ordering::SeqCst)
        && start.starts_with("PUT ")
        && request_line.contains("/manifests/")
        && msg.start.contains(" 201")
    {
        if let Ok(m) = serde_json::from_slice::<serde_json::Value>(&body) {
            if let Some(subject) = m["subject"]["digest"].as_str() {
                let mut d = serde_json::json!({
                    "mediaType": m["mediaType"],
                    "digest": sha256_digest(&body),
                    "size": body.len(),
                });
                let at = m.get("artifactType").unwrap_or(&m["config"]["mediaType"]);
                d["artifactType"] = at.clone();
                if let Some(a) = m.get("annotations") {
                    d["annotations"] = a.clone();
                }
                st.referrers
                    .lock()
                    .expect("lock")
                    .entry(subject.to_owned())
                    .or_default()
                    .push(d);
                msg.headers
                    .push(("OCI-Subject".to_owned(), subject.to_owned()));
            }
        }
    }
    if start.starts_with("HEAD ") {
        // HEAD answers carry the GET's Content-Length with no body: pass them through.
        let _ = client.write_all(&raw);
        return;
    }
    match fault {
        Some(Fault::CorruptBody) if !msg.body.is_empty() => {
            let i = msg.body.len() / 2;
            msg.body[i] = if msg.body[i] == b' ' { b'\t' } else { b' ' };
        }
        Some(Fault::Oversize(n)) => {
            let mut big = b"{\"schemaVersion\":2,\"pad\":\"".to_vec();
            big.resize(n.saturating_sub(2), b'a');
            big.extend_from_slice(b"\"}");
            msg.body = big;
        }
        Some(Fault::Malformed) => {
            msg.body = b"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":".to_vec();
            msg.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("docker-content-digest"));
        }
        _ => {}
    }
    let mut out = format!("{}\r\n", msg.start);
    for (k, v) in &msg.headers {
        if k.eq_ignore_ascii_case("content-length")
            || k.eq_ignore_ascii_case("transfer-encoding")
            || k.eq_ignore_ascii_case("connection")
        {
            continue;
        }
        let _ = write!(out, "{k}: {v}\r\n");
    }
    let _ = write!(
        out,
        "Content-Length: {}
Connection: close

",
        msg.body.len()
    );
    let _ = client.write_all(out.as_bytes());
    let _ = client.write_all(&msg.body);
}

/// An OCI image layout built with `umoci`.
#[derive(Debug)]
pub struct Layout {
    dir: TempDir,
}

impl Layout {
    /// An empty OCI layout (`umoci init`).
    ///
    /// # Panics
    /// When umoci fails.
    pub fn new() -> Self {
        let dir = TempDir::new("vouch-layout");
        let layout = dir.path().join("oci");
        umoci(&["init", "--layout", &layout.display().to_string()]);
        Self { dir }
    }

    pub fn path(&self) -> PathBuf {
        self.dir.path().join("oci")
    }

    /// Adds an image `tag` for `linux/<arch>` whose root filesystem holds `files`
    /// (`umoci new`, `config`, `unpack`, `repack`).
    ///
    /// # Panics
    /// When umoci fails.
    pub fn add_image(&self, tag: &str, arch: &str, files: &[(&str, &str)]) {
        let image = format!("{}:{tag}", self.path().display());
        umoci(&["new", "--image", &image]);
        umoci(&[
            "config",
            "--image",
            &image,
            "--architecture",
            arch,
            "--os",
            "linux",
            "--config.cmd",
            "/bin/true",
            "--history.created_by",
            "vouch test image",
        ]);
        let bundle = self.dir.path().join(format!("bundle-{tag}"));
        umoci(&[
            "unpack",
            "--rootless",
            "--image",
            &image,
            &bundle.display().to_string(),
        ]);
        for (path, content) in files {
            let p = bundle.join("rootfs").join(path.trim_start_matches('/'));
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir in rootfs");
            std::fs::write(&p, content).expect("write rootfs file");
        }
        umoci(&["repack", "--image", &image, &bundle.display().to_string()]);
        let _ = std::fs::remove_dir_all(&bundle);
    }

    /// The descriptor JSON (`mediaType`, `digest`, `size`) `index.json` holds for `tag`.
    ///
    /// # Panics
    /// When the tag is not in the layout.
    pub fn descriptor(&self, tag: &str) -> serde_json::Value {
        let index: serde_json::Value = serde_json::from_slice(
            &std::fs::read(self.path().join("index.json")).expect("read index.json"),
        )
        .expect("parse index.json");
        index["manifests"]
            .as_array()
            .expect("manifests")
            .iter()
            .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
            .unwrap_or_else(|| panic!("tag `{tag}` not in layout"))
            .clone()
    }

    /// Adds a multi-platform image index `tag` over the images `members` (tag, arch).
    ///
    /// # Panics
    /// When a member is missing.
    pub fn add_index(&self, tag: &str, members: &[(&str, &str)]) {
        let manifests: Vec<serde_json::Value> = members
            .iter()
            .map(|(t, arch)| {
                let d = self.descriptor(t);
                serde_json::json!({
                    "mediaType": d["mediaType"],
                    "digest": d["digest"],
                    "size": d["size"],
                    "platform": {"architecture": arch, "os": "linux"},
                })
            })
            .collect();
        let index = serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": manifests,
        });
        let bytes = serde_json::to_vec(&index).expect("json");
        let digest = sha256_digest(&bytes);
        let hex = digest.trim_start_matches("sha256:");
        std::fs::write(self.path().join("blobs/sha256").join(hex), &bytes).expect("write blob");
        let index_path = self.path().join("index.json");
        let mut top: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&index_path).expect("read")).expect("parse");
        top["manifests"]
            .as_array_mut()
            .expect("manifests")
            .push(serde_json::json!({
                "mediaType": "application/vnd.oci.image.index.v1+json",
                "digest": digest,
                "size": bytes.len(),
                "annotations": {"org.opencontainers.image.ref.name": tag},
            }));
        std::fs::write(&index_path, serde_json::to_vec(&top).expect("json")).expect("write");
    }

    /// Pushes `tag` (with every platform, for an index) to `dest`
    /// (`127.0.0.1:PORT/repo:tag`) with `skopeo copy`; returns the manifest digest.
    ///
    /// # Panics
    /// When skopeo fails.
    pub fn push(&self, tag: &str, dest: &str) -> String {
        let src = format!("oci:{}:{tag}", self.path().display());
        let (ok, out, err) = run(Command::new("skopeo").args([
            "copy",
            "--all",
            "--preserve-digests",
            "--dest-tls-verify=false",
            &src,
            &format!("docker://{dest}"),
        ]));
        assert!(ok, "skopeo copy {src} {dest} failed: {out}{err}");
        self.descriptor(tag)["digest"]
            .as_str()
            .expect("digest")
            .to_owned()
    }
}

impl Default for Layout {
    fn default() -> Self {
        Self::new()
    }
}

fn umoci(args: &[&str]) {
    let (ok, out, err) = run(Command::new("umoci").args(args));
    assert!(ok, "umoci {args:?} failed: {out}{err}");
}
