//! RFC 6962 / RFC 9162 Merkle inclusion proofs (SHA-256).

use sha2::{Digest as _, Sha256};

/// The leaf hash of an entry: `SHA-256(0x00 ‖ entry)`.
pub fn leaf_hash(entry: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(entry);
    h.finalize().into()
}

fn node_hash(left: &[u8], right: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// Why an inclusion proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("leaf index {index} is not below tree size {size}")]
    IndexOutOfRange { index: u64, size: u64 },
    #[error("proof hash {0} is not 32 bytes")]
    HashLength(usize),
    #[error("proof has the wrong number of hashes")]
    WrongLength,
    #[error("computed root hash {computed} does not match {expected}")]
    RootMismatch { computed: String, expected: String },
}

/// Computes the root from a leaf hash and its audit path (RFC 9162 §2.1.3.2).
pub fn root_from_proof(
    index: u64,
    size: u64,
    leaf: [u8; 32],
    proof: &[impl AsRef<[u8]>],
) -> Result<[u8; 32], ProofError> {
    if index >= size {
        return Err(ProofError::IndexOutOfRange { index, size });
    }
    let mut fn_ = index;
    let mut sn = size - 1;
    let mut r = leaf;
    for (i, p) in proof.iter().enumerate() {
        let p = p.as_ref();
        if p.len() != 32 {
            return Err(ProofError::HashLength(i));
        }
        if sn == 0 {
            return Err(ProofError::WrongLength);
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node_hash(p, &r);
            while fn_ & 1 == 0 && fn_ != 0 {
                fn_ >>= 1;
                sn >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    if sn != 0 {
        return Err(ProofError::WrongLength);
    }
    Ok(r)
}

/// Checks that `entry` is leaf `index` of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    entry: &[u8],
    proof: &[impl AsRef<[u8]>],
    root: &[u8],
) -> Result<(), ProofError> {
    let computed = root_from_proof(index, size, leaf_hash(entry), proof)?;
    if computed.as_slice() == root {
        Ok(())
    } else {
        Err(ProofError::RootMismatch {
            computed: hex::encode(computed),
            expected: hex::encode(root),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds the RFC 6962 tree hash of `leaves` directly (the reference to check proofs against).
    fn mth(leaves: &[Vec<u8>]) -> [u8; 32] {
        match leaves.len() {
            0 => Sha256::digest([]).into(),
            1 => leaf_hash(&leaves[0]),
            n => {
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
            }
        }
    }

    fn path(m: usize, leaves: &[Vec<u8>]) -> Vec<[u8; 32]> {
        let n = leaves.len();
        if n <= 1 {
            return vec![];
        }
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        if m < k {
            let mut p = path(m, &leaves[..k]);
            p.push(mth(&leaves[k..]));
            p
        } else {
            let mut p = path(m - k, &leaves[k..]);
            p.push(mth(&leaves[..k]));
            p
        }
    }

    #[test]
    fn every_leaf_of_small_trees_verifies() {
        for n in 1..=17usize {
            let leaves: Vec<Vec<u8>> = (0..n).map(|i| vec![i as u8; 3]).collect();
            let root = mth(&leaves);
            for (m, leaf) in leaves.iter().enumerate() {
                let p = path(m, &leaves);
                verify_inclusion(m as u64, n as u64, leaf, &p, &root)
                    .unwrap_or_else(|e| panic!("n={n} m={m}: {e}"));
                // A different leaf, a truncated proof or a wrong index must not verify.
                assert!(verify_inclusion(m as u64, n as u64, b"other", &p, &root).is_err());
                if !p.is_empty() {
                    assert!(verify_inclusion(m as u64, n as u64, leaf, &p[1..], &root).is_err());
                }
                if n > 1 {
                    let other = (m + 1) % n;
                    assert!(verify_inclusion(other as u64, n as u64, leaf, &p, &root).is_err());
                }
            }
        }
    }
}
