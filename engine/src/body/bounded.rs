//! Small helpers the body parsers share for keeping names, values and paths bounded.

/// Appends as much of `bytes` as fits under `max`; sets `over` if anything was dropped.
pub(crate) fn push_bounded(buf: &mut Vec<u8>, over: &mut bool, bytes: &[u8], max: usize) {
    let room = max.saturating_sub(buf.len());
    if bytes.len() > room {
        *over = true;
    }
    buf.extend_from_slice(bytes.get(..room.min(bytes.len())).unwrap_or_default());
}

/// Longest display path (JSON path, XML element path) kept; the rest is cut off.
pub(crate) const MAX_PATH_BYTES: usize = 256;

/// Appends `segment` to a display path, cutting it (at a character boundary) so that
/// the path never exceeds [`MAX_PATH_BYTES`]. Cutting only ever drops a suffix, so a
/// parser can restore an outer path by truncating to a length it saved earlier.
pub(crate) fn push_path(path: &mut String, segment: &str) {
    let room = MAX_PATH_BYTES.saturating_sub(path.len());
    let mut cut = room.min(segment.len());
    while cut > 0 && !segment.is_char_boundary(cut) {
        cut -= 1;
    }
    path.push_str(segment.get(..cut).unwrap_or_default());
}

/// XML / JSON insignificant whitespace.
pub(crate) fn is_ws(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r' | b'\n')
}

/// `'x'` for printable ASCII, `byte 0x07` otherwise.
pub(crate) fn describe(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("'{}'", char::from(byte))
    } else {
        format!("byte 0x{byte:02x}")
    }
}
