sbom -
