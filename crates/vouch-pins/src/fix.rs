//! Rewriting tags to digests, surgically.
