//! Reading fixed-size pieces from a buffered input without copying when the
//! piece is already in the buffer, counting the byte offset as it goes.

use std::io::{self, BufRead};

/// How a read of `n` bytes ended.
#[derive(Debug)]
pub(crate) enum Read<T> {
    /// All `n` bytes were there; the closure's result.
    Full(T),
    /// The input ended after this many bytes (0: clean end of input).
    Short(usize),
}

/// A buffered input with its byte offset.
pub(crate) struct Source<'r> {
    inner: &'r mut dyn BufRead,
    offset: u64,
    scratch: Vec<u8>,
}

impl<'r> Source<'r> {
    pub(crate) fn new(inner: &'r mut dyn BufRead) -> Source<'r> {
        Source {
            inner,
            offset: 0,
            scratch: Vec::new(),
        }
    }

    /// Bytes consumed so far.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// Reads exactly `n` bytes and hands them to `f`.
    pub(crate) fn with<T>(&mut self, n: usize, f: impl FnOnce(&[u8]) -> T) -> io::Result<Read<T>> {
        let buf = fill(self.inner)?;
        if buf.len() >= n {
            let result = f(buf.get(..n).unwrap_or_default());
            self.inner.consume(n);
            self.offset += n as u64;
            return Ok(Read::Full(result));
        }
        self.scratch.clear();
        while self.scratch.len() < n {
            let buf = fill(self.inner)?;
            if buf.is_empty() {
                let got = self.scratch.len();
                self.offset += got as u64;
                return Ok(Read::Short(got));
            }
            let take = buf.len().min(n - self.scratch.len());
            self.scratch
                .extend_from_slice(buf.get(..take).unwrap_or_default());
            self.inner.consume(take);
        }
        self.offset += n as u64;
        Ok(Read::Full(f(&self.scratch)))
    }

    /// Skips `n` bytes; returns how many could be skipped.
    pub(crate) fn skip(&mut self, n: u64) -> io::Result<u64> {
        let mut left = n;
        while left > 0 {
            let buf = fill(self.inner)?;
            if buf.is_empty() {
                break;
            }
            let take = usize::try_from(left).unwrap_or(usize::MAX).min(buf.len());
            self.inner.consume(take);
            left -= take as u64;
            self.offset += take as u64;
        }
        Ok(n - left)
    }
}

/// `fill_buf`, retrying on interruption.
fn fill(inner: &mut dyn BufRead) -> io::Result<&[u8]> {
    loop {
        match inner.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    inner.fill_buf()
}
