//! Incremental decoder for HTTP/1.1 chunked transfer coding: fed any split
//! of the coded bytes, it hands out the chunk data and says where the coded
//! body ends. Line lengths (size lines, trailers) are bounded.

/// Longest chunk-size line (with extensions) or trailer section accepted.
const MAX_LINE_BYTES: usize = 4096;
const MAX_TRAILER_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading hex digits of a chunk size.
    Size,
    /// Skipping chunk extensions up to the end of the size line.
    Extension,
    /// Saw CR after the size line, expecting LF.
    SizeLf,
    /// Inside chunk data, this many bytes left.
    Data(u64),
    /// After chunk data, expecting CRLF (or a bare LF).
    DataCr,
    DataLf,
    /// At the start of a trailer line.
    TrailerStart,
    /// Inside a trailer field line.
    TrailerLine,
    /// Saw CR on an empty trailer line, expecting LF.
    EndLf,
    Done,
}

/// Why a chunked body could not be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ChunkError {
    #[error("malformed chunk size line")]
    BadSize,
    #[error("chunk size too large")]
    SizeOverflow,
    #[error("chunk data not followed by CRLF")]
    MissingCrlf,
    #[error("chunk size line or trailer too long")]
    LineTooLong,
}

/// State of one chunked body being decoded.
#[derive(Debug, Clone)]
pub(crate) struct ChunkDecoder {
    state: State,
    size: u64,
    digits: usize,
    line_bytes: usize,
    trailer_bytes: usize,
}

impl Default for ChunkDecoder {
    fn default() -> ChunkDecoder {
        ChunkDecoder::new()
    }
}

impl ChunkDecoder {
    pub(crate) fn new() -> ChunkDecoder {
        ChunkDecoder {
            state: State::Size,
            size: 0,
            digits: 0,
            line_bytes: 0,
            trailer_bytes: 0,
        }
    }

    /// Whether the terminating zero chunk and trailers have been read.
    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Chunk data bytes still expected in the current chunk (0 outside data).
    pub(crate) fn data_remaining(&self) -> u64 {
        match self.state {
            State::Data(n) => n,
            _ => 0,
        }
    }

    /// Skips `n` bytes of chunk data that were lost (a capture gap). Only
    /// valid when `n <= data_remaining()`.
    pub(crate) fn skip_data(&mut self, n: u64) {
        if let State::Data(left) = self.state {
            let left = left.saturating_sub(n);
            self.state = if left == 0 {
                State::DataCr
            } else {
                State::Data(left)
            };
        }
    }

    /// Decodes from `input`, passing chunk data to `on_data`. Returns how many
    /// bytes of `input` belong to the coded body (all of them unless the body
    /// ended inside `input`).
    pub(crate) fn feed(
        &mut self,
        input: &[u8],
        on_data: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, ChunkError> {
        let mut pos = 0;
        while pos < input.len() {
            let rest = input.get(pos..).unwrap_or_default();
            match self.state {
                State::Done => return Ok(pos),
                State::Data(left) => {
                    let take = usize::try_from(left).unwrap_or(usize::MAX).min(rest.len());
                    on_data(rest.get(..take).unwrap_or_default());
                    pos += take;
                    let left = left - take as u64;
                    self.state = if left == 0 {
                        State::DataCr
                    } else {
                        State::Data(left)
                    };
                    continue;
                }
                _ => {}
            }
            let byte = rest.first().copied().unwrap_or(0);
            pos += 1;
            self.step(byte)?;
        }
        Ok(pos)
    }

    fn count_line_byte(&mut self) -> Result<(), ChunkError> {
        self.line_bytes += 1;
        if self.line_bytes > MAX_LINE_BYTES {
            return Err(ChunkError::LineTooLong);
        }
        Ok(())
    }

    fn end_size_line(&mut self) -> Result<(), ChunkError> {
        if self.digits == 0 {
            return Err(ChunkError::BadSize);
        }
        self.state = if self.size == 0 {
            State::TrailerStart
        } else {
            State::Data(self.size)
        };
        self.size = 0;
        self.digits = 0;
        self.line_bytes = 0;
        Ok(())
    }

    fn step(&mut self, byte: u8) -> Result<(), ChunkError> {
        match self.state {
            State::Size => {
                self.count_line_byte()?;
                match byte {
                    b'0'..=b'9' | b'a'..=b'f' | b'A'..=b'F' => {
                        let digit = u64::from((byte as char).to_digit(16).unwrap_or(0));
                        if self.size >= (1 << 40) {
                            return Err(ChunkError::SizeOverflow);
                        }
                        self.size = self.size * 16 + digit;
                        self.digits += 1;
                    }
                    b';' | b' ' | b'\t' if self.digits > 0 => self.state = State::Extension,
                    b'\r' => self.state = State::SizeLf,
                    b'\n' => self.end_size_line()?,
                    _ => return Err(ChunkError::BadSize),
                }
            }
            State::Extension => {
                self.count_line_byte()?;
                match byte {
                    b'\r' => self.state = State::SizeLf,
                    b'\n' => self.end_size_line()?,
                    _ => {}
                }
            }
            State::SizeLf => {
                if byte != b'\n' {
                    return Err(ChunkError::BadSize);
                }
                self.end_size_line()?;
            }
            State::DataCr => match byte {
                b'\r' => self.state = State::DataLf,
                b'\n' => self.state = State::Size,
                _ => return Err(ChunkError::MissingCrlf),
            },
            State::DataLf => {
                if byte != b'\n' {
                    return Err(ChunkError::MissingCrlf);
                }
                self.state = State::Size;
            }
            State::TrailerStart | State::TrailerLine | State::EndLf => {
                self.trailer_bytes += 1;
                if self.trailer_bytes > MAX_TRAILER_BYTES {
                    return Err(ChunkError::LineTooLong);
                }
                self.state = match (self.state, byte) {
                    (State::TrailerStart, b'\r') => State::EndLf,
                    (State::TrailerStart, b'\n') | (State::EndLf, b'\n') => State::Done,
                    (State::EndLf, _) => return Err(ChunkError::MissingCrlf),
                    (_, b'\n') => State::TrailerStart,
                    _ => State::TrailerLine,
                };
            }
            State::Data(_) | State::Done => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_split(coded: &[u8], split: usize) -> (Result<usize, ChunkError>, Vec<u8>, bool) {
        let mut decoder = ChunkDecoder::new();
        let mut out = Vec::new();
        let mut used = 0;
        for piece in coded.chunks(split.max(1)) {
            match decoder.feed(piece, &mut |d| out.extend_from_slice(d)) {
                Ok(n) => {
                    used += n;
                    if decoder.is_done() {
                        break;
                    }
                }
                Err(e) => return (Err(e), out, false),
            }
        }
        (Ok(used), out, decoder.is_done())
    }

    #[test]
    fn decodes_any_split() {
        let coded = b"6\r\nhello \r\n5;ext=1\r\nworld\r\n0\r\nX-Trailer: a\r\n\r\nGET";
        for split in 1..coded.len() {
            let (used, out, done) = decode_split(coded, split);
            assert_eq!(out, b"hello world", "split {split}");
            assert!(done);
            assert_eq!(used, Ok(coded.len() - 3), "split {split}");
        }
    }

    #[test]
    fn bare_lf_and_uppercase_hex() {
        let (used, out, done) = decode_split(b"A\nabcdefghij\n0\n\n", 100);
        assert_eq!(out, b"abcdefghij");
        assert!(done);
        assert_eq!(used, Ok(16));
    }

    #[test]
    fn rejects_garbage_and_huge_sizes() {
        assert_eq!(decode_split(b"zz\r\n", 10).0, Err(ChunkError::BadSize));
        assert_eq!(decode_split(b"\r\n", 10).0, Err(ChunkError::BadSize));
        assert_eq!(
            decode_split(b"ffffffffffffffffff\r\n", 10).0,
            Err(ChunkError::SizeOverflow)
        );
        assert_eq!(
            decode_split(b"3\r\nabcX", 10).0,
            Err(ChunkError::MissingCrlf)
        );
        let long = [b"1;".as_slice(), &[b'x'; 5000]].concat();
        assert_eq!(decode_split(&long, 100).0, Err(ChunkError::LineTooLong));
    }

    #[test]
    fn skip_data_keeps_sync() {
        let mut decoder = ChunkDecoder::new();
        let mut out = Vec::new();
        decoder
            .feed(b"a\r\n0123", &mut |d| out.extend_from_slice(d))
            .ok();
        assert_eq!(decoder.data_remaining(), 6);
        decoder.skip_data(3);
        decoder
            .feed(b"789\r\n0\r\n\r\n", &mut |d| out.extend_from_slice(d))
            .ok();
        assert!(decoder.is_done());
        assert_eq!(out, b"0123789");
    }
}
