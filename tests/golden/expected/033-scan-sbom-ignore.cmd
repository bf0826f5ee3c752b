scan --offline --max-db-age 100000 --db db --sbom project/vulnerable-sbom.cdx.json --format json --ignore-file ignore.toml --vex vex.json
