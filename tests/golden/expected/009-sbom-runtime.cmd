sbom project --offline --profile runtime
