//! The real AdmissionReview requests in `../shared/policy-examples/admission-review/`
//! (connaisseur's test data, see that folder's PROVENANCE.md): every one is read, and the
//! images of each kind are found where kube-apiserver puts them.
// Metric samples compared here are counters: whole numbers, exact in an f64.
#![allow(clippy::float_cmp)]

use vouch_core::ImageRef;
use vouch_webhook::review::{
    self, AdmissionReview, ContainerList, RequestError, ReviewError, Workload,
};
use vouch_webhook::{Settings, Webhook};

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(vouch_testkit::shared_path(&format!(
        "policy-examples/admission-review/{name}"
    )))
    .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn review(name: &str) -> AdmissionReview {
    AdmissionReview::parse(&sample(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// (list, container, image, path) of every image in the sample.
fn images(name: &str) -> Vec<(ContainerList, String, String, String)> {
    match review::workload(&review(name).request).unwrap_or_else(|e| panic!("{name}: {e}")) {
        Workload::Images(i) => i
            .into_iter()
            .map(|i| (i.list, i.container, i.image, i.path))
            .collect(),
        Workload::Nothing(why) => panic!("{name}: no images: {why}"),
    }
}

fn one(
    list: ContainerList,
    container: &str,
    image: &str,
    path: &str,
) -> (ContainerList, String, String, String) {
    (
        list,
        container.to_owned(),
        image.to_owned(),
        path.to_owned(),
    )
}

#[test]
fn every_sample_is_read_or_rejected_with_a_reason() {
    let dir = vouch_testkit::shared_path("policy-examples/admission-review");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let body = std::fs::read(&path).unwrap();
        seen += 1;
        match name.as_str() {
            "connaisseur-25_null_request.json" => {
                assert!(matches!(
                    AdmissionReview::parse(&body),
                    Err(ReviewError::NotAnObject)
                ));
            }
            "connaisseur-21_broken_admission_request.json" => {
                let r = AdmissionReview::parse(&body).unwrap();
                assert_eq!(r.request.uid, None);
                assert_eq!(review::workload(&r.request), Err(RequestError::NoUid));
            }
            _ => {
                let r = AdmissionReview::parse(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(r.api_version.starts_with("admission.k8s.io/v1"), "{name}");
                assert!(
                    r.request.uid.as_deref().is_some_and(|u| !u.is_empty()),
                    "{name}"
                );
                let Workload::Images(images) = review::workload(&r.request).unwrap() else {
                    panic!("{name}: no images");
                };
                assert!(!images.is_empty(), "{name}");
                for i in images {
                    i.image
                        .parse::<ImageRef>()
                        .unwrap_or_else(|e| panic!("{name}: `{}`: {e}", i.image));
                }
            }
        }
    }
    assert_eq!(seen, 10, "samples in {}", dir.display());
}

#[test]
fn deployment_template_image() {
    assert_eq!(
        images("connaisseur-01_deployment.json"),
        vec![one(
            ContainerList::Containers,
            "test-connaisseur",
            "securesystemsengineering/alice-image:test",
            "spec.template.spec.containers[0].image"
        )]
    );
    let r: ImageRef = "securesystemsengineering/alice-image:test".parse().unwrap();
    assert_eq!(
        r.to_string(),
        "docker.io/securesystemsengineering/alice-image:test"
    );
}

#[test]
fn pod_image_by_digest() {
    let got = images("connaisseur-02_pod.json");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].3, "spec.containers[0].image");
    let r: ImageRef = got[0].2.parse().unwrap();
    assert_eq!(
        r.digest().unwrap().to_string(),
        "sha256:91ac9b26df583762234c1cdb2fc930364754ccc59bc752a2bfe298d2ea68f9ff"
    );
}

#[test]
fn cronjob_job_template_image_is_normalised() {
    let got = images("connaisseur-04_cronjob.json");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].2, "busybox");
    assert_eq!(
        got[0].3,
        "spec.jobTemplate.spec.template.spec.containers[0].image"
    );
    let r: ImageRef = got[0].2.parse().unwrap();
    assert_eq!(r.to_string(), "docker.io/library/busybox:latest");
    assert_eq!(r.name(), "docker.io/library/busybox");
}

#[test]
fn every_container_of_a_multi_image_deployment() {
    let got: Vec<String> = images("connaisseur-09_dply_multi_image.json")
        .into_iter()
        .map(|i| i.2)
        .collect();
    assert_eq!(got, ["busybox:1.32", "redis:alpine", "mysql:8"]);
}

#[test]
fn update_of_a_replicaset_uses_the_new_object_and_the_digest_wins() {
    let r = review("connaisseur-10_update.json");
    assert_eq!(r.request.operation.as_deref(), Some("UPDATE"));
    let got = images("connaisseur-10_update.json");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].3, "spec.template.spec.containers[0].image");
    let reference: ImageRef = got[0].2.parse().unwrap();
    assert_eq!(reference.tag(), Some("latest"));
    assert_eq!(
        reference.digest().unwrap().to_string(),
        format!("sha256:{}", "1".repeat(64))
    );
}

#[test]
fn init_containers_are_covered() {
    assert_eq!(
        images("connaisseur-19_pod_initcontainer.json")
            .into_iter()
            .map(|i| (i.0, i.2, i.3))
            .collect::<Vec<_>>(),
        vec![
            (
                ContainerList::InitContainers,
                "nginx".to_owned(),
                "spec.initContainers[0].image".to_owned()
            ),
            (
                ContainerList::Containers,
                "securesystemsengineering/charlie-image@sha256:91ac9b26df583762234c1cdb2fc930364754ccc59bc752a2bfe298d2ea68f9ff".to_owned(),
                "spec.containers[0].image".to_owned()
            ),
        ]
    );
}

#[test]
fn ephemeral_containers_are_covered() {
    let got = images("connaisseur-20_pod_ephemeralcontainer.json");
    assert_eq!(got.len(), 2);
    assert!(got.contains(&one(
        ContainerList::EphemeralContainers,
        "my-initcontainer",
        "nginx",
        "spec.ephemeralContainers[0].image"
    )));
}

#[test]
fn tag_and_digest_reference() {
    let got = images("connaisseur-24_alice_tag_digest_dpl.json");
    let r: ImageRef = got[0].2.parse().unwrap();
    assert_eq!(r.tag(), Some("test"));
    assert_eq!(
        r.digest().unwrap().to_string(),
        "sha256:1234567890123456123456789012345612345678901234561234567890123456"
    );
}

fn webhook() -> Webhook {
    let key = vouch_testkit::shared_path(
        "vectors/sigstore/cosign-keys/cosign-test-sigstore-label.pub.derived",
    );
    let pem = std::fs::read_to_string(&key).unwrap();
    let policy = vouch_policy::PolicySet::simple(
        "cosign.pub",
        &pem,
        &[vouch_verify::COSIGN_SIGN_PREDICATE.to_owned()],
    )
    .unwrap();
    Webhook::new(Settings {
        policy,
        trusted_root: None,
        db: None,
        registry: vouch_oci::RegistryOptions::default(),
        budget: vouch_webhook::DEFAULT_BUDGET,
        platforms: vouch_verify::Platforms::Index,
        cache: vouch_webhook::cache::CacheSettings::default(),
    })
    .unwrap()
}

#[tokio::test]
async fn null_review_is_http_400() {
    let a = webhook()
        .answer(&sample("connaisseur-25_null_request.json"))
        .await;
    assert_eq!(a.http_status, 400);
    assert_eq!(a.body["code"], 400);
    assert!(a.body["message"]
        .as_str()
        .unwrap()
        .contains("not a JSON object"));
    let a = webhook()
        .answer(b"{\"apiVersion\": \"admission.k8s.io/v1\"")
        .await;
    assert_eq!(a.http_status, 400, "{:?}", a.body);
}

#[tokio::test]
async fn broken_request_is_denied_with_a_reason() {
    let a = webhook()
        .answer(&sample("connaisseur-21_broken_admission_request.json"))
        .await;
    assert_eq!(a.http_status, 200);
    let r = &a.body["response"];
    assert_eq!(a.body["kind"], "AdmissionReview");
    assert_eq!(r["allowed"], false);
    assert_eq!(r["uid"], "");
    assert_eq!(r["status"]["code"], 400);
    assert!(
        r["status"]["message"]
            .as_str()
            .unwrap()
            .contains("no `uid`"),
        "{r}"
    );
}

#[tokio::test]
async fn delete_runs_no_image_and_is_allowed() {
    let mut v: serde_json::Value =
        serde_json::from_slice(&sample("connaisseur-02_pod.json")).unwrap();
    v["request"]["operation"] = "DELETE".into();
    v["request"]["object"] = serde_json::Value::Null;
    let a = webhook().answer(&serde_json::to_vec(&v).unwrap()).await;
    assert_eq!(a.body["response"]["allowed"], true, "{}", a.body);
    assert_eq!(
        a.body["response"]["uid"],
        "0c3331b6-1812-11ea-b3fc-02897404852e"
    );
}

#[tokio::test]
async fn a_container_without_an_image_is_denied() {
    let mut v: serde_json::Value =
        serde_json::from_slice(&sample("connaisseur-01_deployment.json")).unwrap();
    v["request"]["object"]["spec"]["template"]["spec"]["containers"][0]
        .as_object_mut()
        .unwrap()
        .remove("image");
    let a = webhook().answer(&serde_json::to_vec(&v).unwrap()).await;
    let r = &a.body["response"];
    assert_eq!(r["allowed"], false);
    assert_eq!(r["uid"], "3a3a7b38-5512-4a85-94bb-3562269e0a6a");
    assert!(
        r["status"]["message"]
            .as_str()
            .unwrap()
            .contains("spec.template.spec.containers[0].image"),
        "{r}"
    );
}

#[tokio::test]
async fn an_invalid_image_reference_is_denied_without_a_registry() {
    let mut v: serde_json::Value =
        serde_json::from_slice(&sample("connaisseur-02_pod.json")).unwrap();
    v["request"]["object"]["spec"]["containers"][0]["image"] = "Not A Valid//Ref".into();
    let a = webhook().answer(&serde_json::to_vec(&v).unwrap()).await;
    let r = &a.body["response"];
    assert_eq!(r["allowed"], false);
    let msg = r["status"]["message"].as_str().unwrap();
    assert!(
        msg.contains("`Not A Valid//Ref`")
            && msg.contains("not a valid image reference")
            && msg.contains("container `test-connaisseur`"),
        "{msg}"
    );
}

#[tokio::test]
async fn v1beta1_review_is_answered_in_kind() {
    // connaisseur-01 is a v1beta1 review; its image is made invalid so no registry is asked.
    let mut v: serde_json::Value =
        serde_json::from_slice(&sample("connaisseur-01_deployment.json")).unwrap();
    v["request"]["object"]["spec"]["template"]["spec"]["containers"][0]["image"] =
        "UPPER/case".into();
    let a = webhook().answer(&serde_json::to_vec(&v).unwrap()).await;
    assert_eq!(a.body["apiVersion"], "admission.k8s.io/v1beta1");
    assert_eq!(
        a.body["response"]["uid"],
        "3a3a7b38-5512-4a85-94bb-3562269e0a6a"
    );
    assert_eq!(a.body["response"]["allowed"], false);
}

#[test]
fn status_subresource_runs_no_image_but_ephemeralcontainers_does() {
    let mut r = review("connaisseur-20_pod_ephemeralcontainer.json").request;
    r.sub_resource = Some("status".to_owned());
    assert!(matches!(review::workload(&r), Ok(Workload::Nothing(_))));
    r.sub_resource = Some("ephemeralcontainers".to_owned());
    r.operation = Some("UPDATE".to_owned());
    let Ok(Workload::Images(images)) = review::workload(&r) else {
        panic!("images expected");
    };
    assert!(images
        .iter()
        .any(|i| i.list == ContainerList::EphemeralContainers && i.image == "nginx"));
}

#[test]
fn an_unknown_workload_kind_with_a_pod_template_is_checked() {
    let mut r = review("connaisseur-01_deployment.json").request;
    r.kind = Some(review::GroupVersionKind {
        group: "argoproj.io".to_owned(),
        version: "v1alpha1".to_owned(),
        kind: "Rollout".to_owned(),
    });
    let Ok(Workload::Images(images)) = review::workload(&r) else {
        panic!("images expected");
    };
    assert_eq!(images[0].image, "securesystemsengineering/alice-image:test");
    // A kind with no pod template at all runs nothing.
    r.object = Some(serde_json::json!({"kind": "ConfigMap", "data": {"a": "b"}}));
    assert!(matches!(review::workload(&r), Ok(Workload::Nothing(_))));
    // A known kind whose template is missing is malformed, not "nothing to check".
    r.kind = Some(review::GroupVersionKind {
        group: "apps".to_owned(),
        version: "v1".to_owned(),
        kind: "Deployment".to_owned(),
    });
    assert!(matches!(
        review::workload(&r),
        Err(RequestError::Malformed { .. })
    ));
}

/// A policy file trusting the cosign test key for images matching `glob`, with `top` (lines
/// at the top level) before `policies`.
fn key_policy(top: &str, glob: &str) -> vouch_policy::PolicySet {
    let key = vouch_testkit::shared_path(
        "vectors/sigstore/cosign-keys/cosign-test-sigstore-label.pub.derived",
    );
    let pem = std::fs::read_to_string(&key).unwrap();
    let mut indented = String::new();
    for l in pem.lines() {
        indented.push_str("            ");
        indented.push_str(l);
        indented.push('\n');
    }
    let text = format!(
        "apiVersion: vouch.dev/policy/v1\n{top}policies:\n  - name: local\n    match: [\"{glob}\"]\n    signers:\n      keys:\n        - name: k\n          publicKey: |\n{indented}    attestations:\n      - predicateType: {}\n",
        vouch_verify::COSIGN_SIGN_PREDICATE
    );
    vouch_policy::PolicySet::parse("policy.yaml", &text).unwrap()
}

/// A webhook whose one policy covers only a loopback registry, with `noMatch` as given.
fn webhook_for_loopback_only(no_match: &str) -> Webhook {
    let policy = key_policy(&format!("noMatch: {no_match}\n"), "127.0.0.1:*/**");
    Webhook::new(Settings {
        policy,
        trusted_root: None,
        db: None,
        registry: vouch_oci::RegistryOptions::default(),
        budget: vouch_webhook::DEFAULT_BUDGET,
        platforms: vouch_verify::Platforms::Index,
        cache: vouch_webhook::cache::CacheSettings::default(),
    })
    .unwrap()
}

/// The sum of a metric's samples whose label text contains `labels`.
fn metric(w: &Webhook, name: &str, labels: &str) -> f64 {
    w.metrics()
        .render()
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")) || l.starts_with(&format!("{name} ")))
        .filter(|l| l.contains(labels))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

const ENDPOINTS: [vouch_webhook::Endpoint; 2] = [
    vouch_webhook::Endpoint::Mutate,
    vouch_webhook::Endpoint::Validate,
];

#[tokio::test]
async fn every_sample_gets_the_right_decision_from_both_endpoints_without_a_registry() {
    let dir = vouch_testkit::shared_path("policy-examples/admission-review");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "{names:?}");
    for no_match in ["deny", "allow"] {
        let w = webhook_for_loopback_only(no_match);
        for name in &names {
            let body = sample(name);
            for endpoint in ENDPOINTS {
                let a = w.answer_at(endpoint, &body).await;
                let r = &a.body["response"];
                match name.as_str() {
                    "connaisseur-25_null_request.json" => assert_eq!(a.http_status, 400),
                    "connaisseur-21_broken_admission_request.json" => {
                        assert_eq!(r["allowed"], false, "{name}");
                        assert_eq!(r["status"]["code"], 400, "{name}");
                    }
                    _ => {
                        let m = r["status"]["message"].as_str().unwrap_or_default();
                        if no_match == "deny" {
                            assert_eq!(r["allowed"], false, "{name} {endpoint:?}: {r}");
                            assert!(m.contains("no-matching-policy"), "{name}: {m}");
                            assert!(!m.contains("could not verify"), "{name}: {m}");
                            // Every image of the review is named.
                            for (_, _, image, _) in images(name) {
                                assert!(m.contains(&format!("`{image}`")), "{name}: {image}: {m}");
                            }
                        } else {
                            assert_eq!(r["allowed"], true, "{name} {endpoint:?}: {r}");
                            assert!(
                                r.get("patch").is_none(),
                                "unmatched images are not pinned: {r}"
                            );
                        }
                    }
                }
            }
        }
        // Decided by `noMatch` alone: not one registry request.
        assert_eq!(metric(&w, "vouch_registry_requests_total", ""), 0.0);
        assert!(metric(&w, "vouch_image_decisions_total", "result=\"unmatched\"") >= 16.0);
    }
}

#[tokio::test]
async fn tag_references_are_denied_at_validate_without_a_registry_when_digests_are_required() {
    // The key policy covers every image; these samples name images by tag only.
    let w = webhook();
    for name in [
        "connaisseur-01_deployment.json",
        "connaisseur-04_cronjob.json",
        "connaisseur-09_dply_multi_image.json",
    ] {
        let a = w
            .answer_at(vouch_webhook::Endpoint::Validate, &sample(name))
            .await;
        let r = &a.body["response"];
        assert_eq!(r["allowed"], false, "{name}: {r}");
        let m = r["status"]["message"].as_str().unwrap();
        for (_, _, image, _) in images(name) {
            assert!(
                m.contains(&format!("image `{image}`")) && m.contains("digest-required"),
                "{name}: {image}: {m}"
            );
        }
    }
    assert_eq!(metric(&w, "vouch_registry_requests_total", ""), 0.0);
    assert_eq!(
        metric(
            &w,
            "vouch_image_decisions_total",
            "code=\"digest-required\""
        ),
        5.0
    );
}

#[tokio::test]
async fn an_excluded_namespace_is_not_checked() {
    let w = webhook();
    w.set_policy(key_policy("namespaces:\n  exclude: [\"kube-*\"]\n", "**"));
    let mut v: serde_json::Value =
        serde_json::from_slice(&sample("connaisseur-01_deployment.json")).unwrap();
    v["request"]["namespace"] = "kube-system".into();
    let a = w.answer(&serde_json::to_vec(&v).unwrap()).await;
    assert_eq!(a.body["response"]["allowed"], true, "{}", a.body);
    assert!(a.body["response"]["status"]["message"]
        .as_str()
        .unwrap()
        .contains("namespace `kube-system` is not checked"));
    // Elsewhere the tag reference is checked (and denied: not pinned).
    v["request"]["namespace"] = "prod".into();
    let a = w.answer(&serde_json::to_vec(&v).unwrap()).await;
    assert_eq!(a.body["response"]["allowed"], false, "{}", a.body);
    assert!(a.body.to_string().contains("digest-required"), "{}", a.body);
}
