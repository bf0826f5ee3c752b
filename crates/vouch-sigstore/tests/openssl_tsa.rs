//! Timestamps from an RFC 3161 authority that is not Sigstore's: OpenSSL's `openssl ts -reply`
//! behind a one-request loopback HTTP server answers vouch's DER `TimeStampReq`, and the
//! answer verifies against a trusted root naming that authority.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::Path;
use std::process::Command;

fn openssl(dir: &Path, args: &[&str]) {
    let (ok, out, err) = vouch_testkit::run(Command::new("openssl").current_dir(dir).args(args));
    assert!(ok, "openssl {args:?}: {out}{err}");
}

fn der_of(dir: &Path, pem: &str) -> String {
    let der = dir.join(format!("{pem}.der"));
    openssl(
        dir,
        &[
            "x509",
            "-in",
            pem,
            "-outform",
            "DER",
            "-out",
            der.to_str().unwrap(),
        ],
    );
    vouch_sign::encoding::encode_base64(&std::fs::read(der).unwrap())
}

const TSA_CONFIG: &str = "[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = .
serial = ./serial
crypto_device = builtin
signer_cert = ./tsa.crt
certs = ./ca.crt
signer_key = ./tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.57264.2
digests = sha256
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
";

/// Answers one timestamp query with `openssl ts -reply`; returns the request's content type.
fn serve_one(dir: std::path::PathBuf) -> (String, std::thread::JoinHandle<String>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/tsr", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let (mut len, mut content_type) = (0usize, String::new());
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let l = line.trim_end().to_ascii_lowercase();
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap();
            }
            if let Some(v) = l.strip_prefix("content-type:") {
                v.trim().clone_into(&mut content_type);
            }
        }
        let mut body = vec![0; len];
        reader.read_exact(&mut body).unwrap();
        std::fs::write(dir.join("q.tsq"), &body).unwrap();
        openssl(
            &dir,
            &[
                "ts",
                "-reply",
                "-config",
                "tsa.cnf",
                "-queryfile",
                "q.tsq",
                "-out",
                "r.tsr",
            ],
        );
        let reply = std::fs::read(dir.join("r.tsr")).unwrap();
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            reply.len()
        )
        .unwrap();
        stream.write_all(&reply).unwrap();
        content_type
    });
    (url, handle)
}

#[test]
fn der_timestamp_query_is_answered_by_openssl_and_verifies() {
    if !vouch_testkit::require_tool("openssl") {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("tsa.cnf"), TSA_CONFIG).unwrap();
    std::fs::write(d.join("serial"), "01\n").unwrap();
    std::fs::write(
        d.join("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign\n",
    )
    .unwrap();
    std::fs::write(d.join("tsa.ext"), "basicConstraints=critical,CA:FALSE\nextendedKeyUsage=critical,timeStamping\nkeyUsage=critical,digitalSignature\n").unwrap();
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ca.key",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/O=vouch test/CN=tsa root",
            "-out",
            "ca.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509", "-req", "-in", "ca.csr", "-signkey", "ca.key", "-days", "2", "-extfile",
            "ca.ext", "-out", "ca.crt",
        ],
    );
    openssl(
        d,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "tsa.key",
        ],
    );
    openssl(
        d,
        &[
            "req",
            "-new",
            "-key",
            "tsa.key",
            "-subj",
            "/O=vouch test/CN=tsa",
            "-out",
            "tsa.csr",
        ],
    );
    openssl(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "2",
            "-days",
            "2",
            "-extfile",
            "tsa.ext",
            "-out",
            "tsa.crt",
        ],
    );

    let root = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "timestampAuthorities": [{
            "uri": "http://127.0.0.1",
            "certChain": {"certificates": [{"rawBytes": der_of(d, "tsa.crt")}, {"rawBytes": der_of(d, "ca.crt")}]},
            "validFor": {"start": "2020-01-01T00:00:00Z"},
        }],
    });
    let root = vouch_trust::TrustedRoot::from_json(root.to_string().as_bytes()).unwrap();

    let (url, server) = serve_one(d.to_path_buf());
    let http = vouch_sigstore::http::Http::new(std::time::Duration::from_secs(20)).unwrap();
    let signature = b"a signature over something";
    let ts = vouch_sigstore::tsa::timestamp(&http, &url, signature, &root).unwrap();
    assert_eq!(server.join().unwrap(), "application/timestamp-query");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now - ts.time).abs() < 120,
        "genTime {} vs now {now}",
        ts.time
    );
    // The token covers exactly this signature.
    assert!(vouch_trust::tsa::verify(&ts.der, b"another signature", &root).is_err());

    // OpenSSL reads back the query vouch sent: SHA-256 imprint, nonce, certReq.
    let (ok, text, err) = vouch_testkit::run(
        Command::new("openssl")
            .current_dir(d)
            .args(["ts", "-query", "-in", "q.tsq", "-text"]),
    );
    assert!(ok, "{err}");
    assert!(text.contains("Hash Algorithm: sha256"), "{text}");
    assert!(text.contains("Certificate required: yes"), "{text}");
    assert!(!text.contains("Nonce: unspecified"), "{text}");
}

#[test]
fn nonce_encoding_is_minimal_and_non_negative() {
    let q = vouch_sigstore::tsa::timestamp_query(&[0; 32], 0x80);
    // …, INTEGER 00 80 (a leading zero keeps it positive), BOOLEAN TRUE.
    assert!(
        q.ends_with(&[0x02, 0x02, 0x00, 0x80, 0x01, 0x01, 0xff]),
        "{q:02x?}"
    );
    let q = vouch_sigstore::tsa::timestamp_query(&[0; 32], 1);
    assert!(
        q.ends_with(&[0x02, 0x01, 0x01, 0x01, 0x01, 0xff]),
        "{q:02x?}"
    );
    assert_eq!(usize::from(q[1]) + 2, q.len());
}
