#![no_main]
//! Workflow, action, Dockerfile, compose, Kubernetes and shell text through the pins checks.

use libfuzzer_sys::fuzz_target;
use vouch_pins::shell::{check_script, NoFiles};
use vouch_pins::{dockerfile, manifest, workflow};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = workflow::check_workflow("w.yml", text, None);
    let _ = workflow::check_action("action.yml", text, None);
    let _ = workflow::ActionsLock::parse(text);
    let _ = dockerfile::check("Dockerfile", text);
    let _ = manifest::check_compose("compose.yaml", text);
    let _ = manifest::check_kubernetes("k.yaml", text);
    let _ = check_script("s.sh", text, 1, &NoFiles);
});
