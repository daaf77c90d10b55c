//! A one-pass summary of a value (which bytes occur in it, and whether two
//! spaces follow each other) that tells, without calling a transform, that
//! the transform would return the value unchanged. The matcher computes it
//! once per value and skips most transform calls on ordinary values.

use super::Transform;

/// Which of the 256 byte values occur in a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ByteSet([u64; 4]);

impl ByteSet {
    /// The bytes past ASCII, `0x80..=0xff` (a constant: `range` loops over
    /// its bytes when called at run time).
    pub const NON_ASCII: ByteSet = ByteSet::range(0x80, 0xff);

    /// The set of the given bytes.
    pub const fn of(bytes: &[u8]) -> ByteSet {
        let mut words = [0u64; 4];
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            words[(b >> 6) as usize] |= 1 << (b & 63);
            i += 1;
        }
        ByteSet(words)
    }

    /// The set of bytes in `value` (the runtime form of [`ByteSet::of`]).
    pub(crate) fn collect(value: &[u8]) -> ByteSet {
        let mut words = [0u64; 4];
        for &b in value {
            // `& 3` keeps the index provably in bounds (b >> 6 is 0..=3).
            words[usize::from(b >> 6) & 3] |= 1 << (b & 63);
        }
        ByteSet(words)
    }

    /// The bytes `lo..=hi`.
    pub(crate) const fn range(lo: u8, hi: u8) -> ByteSet {
        let mut words = [0u64; 4];
        let mut b = lo as usize;
        while b <= hi as usize {
            words[b >> 6] |= 1 << (b & 63);
            b += 1;
        }
        ByteSet(words)
    }

    /// The bytes not in this set.
    pub(crate) const fn complement(self) -> ByteSet {
        ByteSet([!self.0[0], !self.0[1], !self.0[2], !self.0[3]])
    }

    /// The bytes in the set, ascending.
    pub(crate) fn iter(self) -> impl Iterator<Item = u8> {
        self.0.into_iter().enumerate().flat_map(|(w, mut word)| {
            std::iter::from_fn(move || {
                if word == 0 {
                    return None;
                }
                let bit = word.trailing_zeros();
                word &= word - 1;
                Some((w as u32 * 64 + bit) as u8)
            })
        })
    }

    /// The bytes in both sets.
    pub(crate) const fn intersection(self, other: ByteSet) -> ByteSet {
        ByteSet([
            self.0[0] & other.0[0],
            self.0[1] & other.0[1],
            self.0[2] & other.0[2],
            self.0[3] & other.0[3],
        ])
    }

    /// The bytes in this set but not in `other`.
    pub(crate) const fn minus(self, other: ByteSet) -> ByteSet {
        ByteSet([
            self.0[0] & !other.0[0],
            self.0[1] & !other.0[1],
            self.0[2] & !other.0[2],
            self.0[3] & !other.0[3],
        ])
    }

    /// Whether `b` is in the set.
    pub(crate) fn contains(&self, b: u8) -> bool {
        self.0
            .get(usize::from(b >> 6))
            .is_some_and(|w| w & (1 << (b & 63)) != 0)
    }

    /// Whether every byte of this set is in `other`.
    pub(crate) fn is_subset(&self, other: &ByteSet) -> bool {
        !self.intersects(&other.complement())
    }

    /// This set with every ASCII uppercase letter replaced by its lowercase.
    pub(crate) fn lowercased(self) -> ByteSet {
        let upper = self.0[1] & ByteSet::uppercase().0[1];
        let mut words = self.0;
        words[1] = (words[1] & !upper) | (upper << 32);
        ByteSet(words)
    }

    /// The set of ASCII uppercase letters.
    const fn uppercase() -> ByteSet {
        ByteSet([0, 0x07FF_FFFE, 0, 0])
    }

    pub(crate) const fn union(self, other: ByteSet) -> ByteSet {
        ByteSet([
            self.0[0] | other.0[0],
            self.0[1] | other.0[1],
            self.0[2] | other.0[2],
            self.0[3] | other.0[3],
        ])
    }

    pub(crate) fn intersects(&self, other: &ByteSet) -> bool {
        (self.0[0] & other.0[0])
            | (self.0[1] & other.0[1])
            | (self.0[2] & other.0[2])
            | (self.0[3] & other.0[3])
            != 0
    }

    /// Adds one byte.
    pub(crate) fn insert(&mut self, b: u8) {
        if let Some(word) = self.0.get_mut(usize::from(b >> 6)) {
            *word |= 1 << (b & 63);
        }
    }

    /// How many bytes the set holds.
    pub(crate) fn len(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0 == [0; 4]
    }

    /// Whether an ASCII letter or digit is in the set.
    pub(crate) fn has_alphanumeric(&self) -> bool {
        const ALPHANUMERIC: ByteSet = ByteSet([0x03FF_0000_0000_0000, 0x07FF_FFFE_07FF_FFFE, 0, 0]);
        self.intersects(&ALPHANUMERIC)
    }
}

/// What the skip decisions need to know about one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    bytes: ByteSet,
    double_space: bool,
    /// A space directly before `/` or `(` (which `cmdline` removes).
    space_before_slash_or_paren: bool,
    /// The value is `.` or `..` (a path segment on its own).
    dot_segment: bool,
    /// Two `-` in a row (a possible SQL line comment).
    double_dash: bool,
}

impl Summary {
    /// Summarises `value` in one pass.
    pub fn of(value: &[u8]) -> Summary {
        let bytes = ByteSet::collect(value);
        // The pairs only where their bytes occur. On a short value eight
        // bytes a step (a `memmem` search costs more to set up than to run
        // there), on a longer one a vector search.
        const SHORT_VALUE: usize = 64;
        let has = |b: u8| bytes.contains(b);
        let space = has(b' ');
        let found = |pair: &[u8; 2]| {
            if value.len() <= SHORT_VALUE {
                crate::word_bytes::holds_pair(value, pair[0], pair[1])
            } else {
                memchr::memmem::find(value, pair).is_some()
            }
        };
        Summary {
            bytes,
            double_space: space && found(b"  "),
            space_before_slash_or_paren: space
                && ((has(b'/') && found(b" /")) || (has(b'(') && found(b" ("))),
            dot_segment: value == b"." || value == b"..",
            double_dash: has(b'-') && found(b"--"),
        }
    }

    /// Whether two `-` follow each other.
    pub(crate) fn double_dash(&self) -> bool {
        self.double_dash
    }

    /// Whether the value is `.` or `..`.
    pub(crate) fn dot_segment(&self) -> bool {
        self.dot_segment
    }

    /// The bytes the value holds.
    pub(crate) fn bytes(&self) -> ByteSet {
        self.bytes
    }

    /// True when `transform` is certain to return the summarised value with
    /// its ASCII letters lowercased and nothing else changed (then its output
    /// can be made when, and if, it is needed).
    pub fn only_lowercases(&self, transform: Transform) -> bool {
        const CMDLINE_BUT_CASE_AND_SPACE: ByteSet = ByteSet::of(b"\t\n\r\x0b\x0c\\\"'^$`,;");
        match transform {
            Transform::Lowercase => true,
            Transform::Cmdline => {
                !self.bytes.intersects(&CMDLINE_BUT_CASE_AND_SPACE)
                    && !self.double_space
                    && !self.space_before_slash_or_paren
            }
            _ => false,
        }
    }

    /// True when `transform` is certain to return the summarised value
    /// unchanged; false when it may change it (then it must be called).
    pub fn leaves_unchanged(&self, transform: Transform) -> bool {
        const PERCENT: ByteSet = ByteSet::of(b"%");
        const AMPERSAND: ByteSet = ByteSet::of(b"&");
        const BACKSLASH: ByteSet = ByteSet::of(b"\\");
        const NUL: ByteSet = ByteSet::of(&[0]);
        const SLASHES: ByteSet = ByteSet::of(b"/\\");
        const SQL_COMMENT: ByteSet = ByteSet::of(b"/-#");
        const OVERLONG_LEADS: ByteSet = ByteSet::of(&[0xC0, 0xC1, 0xE0, 0xF0]);
        const WHITESPACE_BUT_SPACE: ByteSet = ByteSet::of(b"\t\n\r\x0b\x0c\xa0");
        const CMDLINE: ByteSet =
            ByteSet::uppercase().union(ByteSet::of(b" \t\n\r\x0b\x0c\\\"'^$`,;"));
        let absent = |set: &ByteSet| !self.bytes.intersects(set);
        match transform {
            Transform::UrlDecode | Transform::UrlDecodeMulti => absent(&PERCENT),
            Transform::HtmlEntityDecode => absent(&AMPERSAND),
            Transform::JsDecode | Transform::CssDecode => absent(&BACKSLASH),
            Transform::Lowercase => absent(&ByteSet::uppercase()),
            Transform::RemoveNulls => absent(&NUL),
            Transform::RemoveSqlComments => absent(&SQL_COMMENT),
            Transform::Utf8Overlong => absent(&OVERLONG_LEADS),
            Transform::Cmdline => absent(&CMDLINE),
            Transform::CompressWhitespace => absent(&WHITESPACE_BUT_SPACE) && !self.double_space,
            Transform::NormalisePath => absent(&SLASHES) && !self.dot_segment,
            // Whether a value is decoded depends on its length and alphabet.
            Transform::Base64Decode => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    /// Soundness: whenever the summary says "unchanged", the transform agrees.
    fn check(value: &[u8]) {
        let summary = Summary::of(value);
        for t in Transform::ALL {
            if summary.only_lowercases(t) {
                assert_eq!(
                    t.apply(value).as_ref(),
                    value.to_ascii_lowercase().as_slice(),
                    "{t:?} did more than lowercase {:?}",
                    String::from_utf8_lossy(value)
                );
            }
        }
        for t in Transform::ALL {
            if summary.leaves_unchanged(t) {
                assert!(
                    matches!(t.apply(value), Cow::Borrowed(_)),
                    "{t:?} changed {:?} although the summary said it would not",
                    String::from_utf8_lossy(value)
                );
            }
        }
    }

    #[test]
    fn pairs_are_seen_in_short_and_long_values() {
        let mut random = crate::test_bytes::Xorshift(0x2545_F491_4F6C_DD1D);
        for len in 0..=100 {
            for _ in 0..300 {
                let value = random.bytes_over(b" /(-a", len);
                let has = |pair: &[u8]| value.windows(2).any(|w| w == pair);
                let summary = Summary::of(&value);
                let text = String::from_utf8_lossy(&value);
                assert_eq!(summary.double_space, has(b"  "), "{text:?}");
                assert_eq!(summary.double_dash, has(b"--"), "{text:?}");
                assert_eq!(
                    summary.space_before_slash_or_paren,
                    has(b" /") || has(b" ("),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn skips_are_sound_on_generated_values() {
        // Every byte alone and in pairs with itself, then pseudo-random
        // strings over an alphabet rich in the bytes transforms react to.
        for b in 0..=255u8 {
            check(&[b]);
            check(&[b, b]);
            check(&[b'a', b, b'b']);
        }
        let alphabet = b"aZ09 ./\\%&#-;'\"`^$,\t\n\r\x0b\x0c\xa0\0\xc0\xc1\xe0\xf0=+*:<>(){}[]IFS@";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let len = (state % 12) as usize;
            let mut value = Vec::with_capacity(len);
            let mut s = state;
            for _ in 0..len {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                value.push(alphabet[(s >> 33) as usize % alphabet.len()]);
            }
            check(&value);
        }
    }

    #[test]
    fn ordinary_text_skips_most_transforms() {
        let summary = Summary::of(b"linen shirts in blue");
        assert!(summary.leaves_unchanged(Transform::UrlDecodeMulti));
        assert!(summary.leaves_unchanged(Transform::HtmlEntityDecode));
        assert!(summary.leaves_unchanged(Transform::CompressWhitespace));
        assert!(!summary.leaves_unchanged(Transform::Cmdline));
        assert!(!Summary::of(b"a  b").leaves_unchanged(Transform::CompressWhitespace));
        assert!(!Summary::of(b"..").leaves_unchanged(Transform::NormalisePath));
    }
}
