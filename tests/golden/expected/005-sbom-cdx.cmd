sbom shared/lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock
