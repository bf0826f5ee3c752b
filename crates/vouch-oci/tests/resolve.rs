//! `resolve` against a real loopback registry holding umoci-built images.

use vouch_core::ImageRef;
use vouch_oci::{resolve, OciError, RegistryOptions};
use vouch_testkit::registry::{tools_available, Layout, TestRegistry};

fn options() -> RegistryOptions {
    RegistryOptions {
        timeout: std::time::Duration::from_secs(5),
        // No credentials file: the test registry is anonymous.
        docker_config: Some("/nonexistent/config.json".into()),
        ..RegistryOptions::default()
    }
}

#[test]
fn resolves_tags_and_checks_digests() {
    if !tools_available() {
        return;
    }
    let reg = TestRegistry::start();
    let layout = Layout::new();
    layout.add_image("v1", "amd64", &[("etc/hello", "one")]);
    layout.add_image("v2", "arm64", &[("etc/hello", "two")]);
    layout.add_index("multi", &[("v1", "amd64"), ("v2", "arm64")]);
    let d1 = layout.push("v1", &format!("{}/app:v1", reg.host()));
    let di = layout.push("multi", &format!("{}/app:multi", reg.host()));

    let r: ImageRef = format!("{}/app:v1", reg.host()).parse().unwrap();
    assert_eq!(resolve(&r, &options()).unwrap().to_string(), d1);
    let r: ImageRef = format!("{}/app:multi", reg.host()).parse().unwrap();
    assert_eq!(resolve(&r, &options()).unwrap().to_string(), di);

    // By digest: checked, returned as is.
    let r: ImageRef = format!("{}/app@{d1}", reg.host()).parse().unwrap();
    assert_eq!(resolve(&r, &options()).unwrap().to_string(), d1);

    // A tag that does not exist.
    let r: ImageRef = format!("{}/app:nope", reg.host()).parse().unwrap();
    assert!(matches!(
        resolve(&r, &options()),
        Err(OciError::NotFound { .. })
    ));

    // A stopped registry is unreachable, not "not found".
    let mut reg = reg;
    reg.stop();
    let r: ImageRef = format!("{}/app:v1", reg.host()).parse().unwrap();
    assert!(matches!(
        resolve(&r, &options()),
        Err(OciError::Unreachable { .. })
    ));
}
