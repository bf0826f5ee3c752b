sbom nowhere/Cargo.lock
