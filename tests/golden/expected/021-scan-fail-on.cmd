scan --offline --max-db-age 100000 --db db shared/lockfiles/crates.io/ripgrep/13.0.0/Cargo.lock --format json --fail-on critical
