//! `Cargo.lock`, versions 1 to 4.
