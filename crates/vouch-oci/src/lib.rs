//! OCI registry access: tag to digest once, then everything by digest, verified.
