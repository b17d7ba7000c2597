//! A hash that never changes: FNV-1a 64 over an explicit byte encoding.
//!
//! ETags and per-row RNG seeds must be identical across restarts, machines and Rust
//! releases, so neither `std`'s `DefaultHasher` (SipHash with unspecified keys and
//! versions) nor `#[derive(Hash)]` (whose byte feed is not a stable contract) may be
//! used. Every value is fed as fixed-width little-endian bytes, strings with a length
//! prefix so `("ab", "c")` and `("a", "bc")` hash differently.

const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a 64 of `bytes` (the published reference algorithm, unmodified).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    StableHasher::new().bytes(bytes).finish()
}

/// Builder-style FNV-1a 64 state: `StableHasher::new().u64(seed).str(id).finish()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StableHasher(u64);

impl StableHasher {
    /// Starts from the FNV offset basis.
    pub const fn new() -> Self {
        Self(OFFSET_BASIS)
    }

    /// Feeds raw bytes (no length prefix; use [`Self::str`] for variable-length fields).
    #[must_use]
    pub fn bytes(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
        self
    }

    /// Feeds a `u64` as 8 little-endian bytes.
    #[must_use]
    pub fn u64(self, value: u64) -> Self {
        self.bytes(&value.to_le_bytes())
    }

    /// Feeds an `i64` as 8 little-endian bytes.
    #[must_use]
    pub fn i64(self, value: i64) -> Self {
        self.bytes(&value.to_le_bytes())
    }

    /// Feeds a string prefixed with its byte length, so adjacent fields cannot run together.
    #[must_use]
    pub fn str(self, value: &str) -> Self {
        self.u64(value.len() as u64).bytes(value.as_bytes())
    }

    /// The 64-bit hash of everything fed so far.
    pub const fn finish(&self) -> u64 {
        self.0
    }
}

impl Default for StableHasher {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_published_fnv1a64_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn builder_is_incremental() {
        let split = StableHasher::new().bytes(b"foo").bytes(b"bar").finish();
        assert_eq!(split, fnv1a64(b"foobar"));
    }

    #[test]
    fn strings_are_length_prefixed() {
        let a = StableHasher::new().str("ab").str("c").finish();
        let b = StableHasher::new().str("a").str("bc").finish();
        assert_ne!(a, b);
    }

    #[test]
    fn integers_are_little_endian_fixed_width() {
        let by_hand = fnv1a64(&[1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(StableHasher::new().u64(1).finish(), by_hand);
        assert_eq!(StableHasher::new().i64(-1).finish(), fnv1a64(&[0xff; 8]));
    }
}
