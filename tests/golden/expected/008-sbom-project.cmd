sbom project --offline
