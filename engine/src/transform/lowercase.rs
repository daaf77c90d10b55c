//! ASCII lowercase: `A`..=`Z` become `a`..=`z`; every other byte, including all
//! bytes >= 0x80, is left alone (no Unicode case folding, so UTF-8 is never
//! broken). A value without an uppercase ASCII letter is returned borrowed.

use std::borrow::Cow;

/// Lowercases ASCII letters.
pub fn lowercase(input: &[u8]) -> Cow<'_, [u8]> {
    if !input.iter().any(u8::is_ascii_uppercase) {
        return Cow::Borrowed(input);
    }
    Cow::Owned(input.to_ascii_lowercase())
}
