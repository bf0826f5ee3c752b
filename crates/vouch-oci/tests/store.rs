//! cosign tag storage and referrers against Debian's docker-registry (no referrers API).

use std::collections::BTreeMap;

use vouch_core::ImageRef;
use vouch_oci::cosign::{self, Appended};
use vouch_oci::referrers::{NewReferrer, BUNDLE_V03_MEDIA_TYPE};
use vouch_oci::{block_on, Index, OciError, ReferrersSource, Registry, RegistryOptions};
use vouch_testkit::registry::{http_request, tools_available, Layout, TestRegistry};

fn registry() -> Registry {
    Registry::new(RegistryOptions {
        timeout: std::time::Duration::from_secs(5),
        docker_config: Some("/nonexistent/config.json".into()),
        ..RegistryOptions::default()
    })
    .unwrap()
}

#[test]
fn cosign_tags_and_referrers_round_trip() {
    if !tools_available() {
        return;
    }
    let reg = TestRegistry::start();
    let layout = Layout::new();
    layout.add_image("v1", "amd64", &[("etc/x", "x")]);
    layout.push("v1", &format!("{}/app:v1", reg.host()));
    let r: ImageRef = format!("{}/app:v1", reg.host()).parse().unwrap();
    let client = registry();
    block_on(async {
        let resolved = client.resolve(&r).await.unwrap();
        let pinned = resolved.reference.clone();
        let digest = resolved.digest.clone();

        // Legacy signatures: appended once, read back verbatim.
        let payload = cosign::simple_signing_payload(
            &cosign::docker_reference(&pinned),
            &digest,
            &BTreeMap::new(),
        );
        let first = client
            .write_cosign_signature(&pinned, &digest, &payload, "c2ln")
            .await
            .unwrap();
        assert!(matches!(first, Appended::Added { layers: 1, .. }));
        let again = client
            .write_cosign_signature(&pinned, &digest, &payload, "c2ln")
            .await
            .unwrap();
        assert_eq!(again, Appended::AlreadyPresent);
        let sigs = client.cosign_signatures(&pinned, &digest).await.unwrap();
        assert_eq!(sigs.len(), 1);
        assert_eq!(sigs[0].payload, payload);
        assert_eq!(sigs[0].signature, "c2ln");
        let parsed = cosign::parse_simple_signing(&sigs[0].payload).unwrap();
        assert_eq!(parsed.manifest_digest, digest);

        // Referrers through the tag schema, content embedded: two requests to read them.
        let bundle = br#"{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}"#;
        let new = NewReferrer {
            artifact_type: BUNDLE_V03_MEDIA_TYPE,
            layers: vec![(BUNDLE_V03_MEDIA_TYPE, bundle.as_slice())],
            annotations: BTreeMap::new(),
        };
        let subject = resolved.manifest.descriptor();
        let d1 = client.push_referrer(&pinned, &subject, &new).await.unwrap();
        let d2 = client.push_referrer(&pinned, &subject, &new).await.unwrap();
        assert_eq!(d1, d2, "identical content is attached once");
        let before = client.round_trips();
        let (found, source) = client
            .referrer_artifacts(&pinned, &digest, |t| t == BUNDLE_V03_MEDIA_TYPE)
            .await
            .unwrap();
        assert_eq!(client.round_trips() - before, 2);
        assert_eq!(source, ReferrersSource::TagSchema);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].layers[0].1, bundle);
        assert_eq!(found[0].manifest.subject.as_ref().unwrap().digest, digest);
        digest
    })
    .map(|digest| {
        // Tamper with the embedded manifest in the tag-schema index: same digest, other
        // bytes. Reading must fail on the digest check, not trust the embedded copy.
        let tag = format!("sha256-{}", digest.hex());
        let (status, _, body) = http_request(
            reg.addr(),
            "GET",
            &format!("/v2/app/manifests/{tag}"),
            &[("Accept", "application/vnd.oci.image.index.v1+json")],
            b"",
        );
        assert_eq!(status, 200);
        let mut index: Index = serde_json::from_slice(&body).unwrap();
        let data = index.manifests[0].data.clone().expect("embedded manifest");
        let mut tampered = data.into_bytes();
        let i = tampered.len() / 2;
        tampered[i] = if tampered[i] == b'A' { b'B' } else { b'A' };
        index.manifests[0].data = Some(String::from_utf8(tampered).unwrap());
        assert_eq!(
            reg.put_manifest(
                "app",
                &tag,
                "application/vnd.oci.image.index.v1+json",
                &serde_json::to_vec(&index).unwrap()
            ),
            201
        );
        let client = registry();
        let err =
            block_on(client.referrer_artifacts(&r.with_digest(digest.clone()), &digest, |_| true))
                .unwrap()
                .unwrap_err();
        assert!(
            matches!(
                err,
                OciError::DigestMismatch { .. } | OciError::Malformed { .. }
            ),
            "{err}"
        );
    })
    .unwrap();
}
