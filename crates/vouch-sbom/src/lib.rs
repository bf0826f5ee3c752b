//! SBOM model and its encoders: CycloneDX 1.6/1.5 JSON and SPDX 2.3 JSON.
