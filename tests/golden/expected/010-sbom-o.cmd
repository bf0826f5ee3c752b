sbom project --offline -o out.cdx.json
