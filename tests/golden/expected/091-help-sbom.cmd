sbom --help
