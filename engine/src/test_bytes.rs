//! Test helper: a seeded xorshift64 sequence and the byte strings the
//! generated-input tests build from it, the same for a seed on every run.

/// A xorshift64 generator (not for anything but tests).
pub(crate) struct Xorshift(pub(crate) u64);

impl Xorshift {
    /// The next number of the sequence.
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `len` bytes, each drawn from `alphabet` (not empty).
    pub(crate) fn bytes_over(&mut self, alphabet: &[u8], len: usize) -> Vec<u8> {
        (0..len)
            .map(|_| {
                let at = (self.next_u64() % alphabet.len() as u64) as usize;
                alphabet.get(at).copied().unwrap_or_default()
            })
            .collect()
    }
}
