//! NUL removal: every 0x00 byte is deleted; all other bytes are kept in order.
//! A value without NUL is found with `memchr` and returned borrowed.

use std::borrow::Cow;

/// Deletes every NUL byte.
pub fn remove_nulls(input: &[u8]) -> Cow<'_, [u8]> {
    if memchr::memchr(0, input).is_none() {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    for piece in input.split(|&b| b == 0) {
        out.extend_from_slice(piece);
    }
    Cow::Owned(out)
}
