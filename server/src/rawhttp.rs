//! Parsing one raw HTTP/1.1 request from bytes (a file or stdin) into the
//! engine's request model: head with httparse, body by Content-Length or
//! chunked transfer coding, or everything after the head when neither is given.

use palisade_engine::request::{Header, HttpVersion, RequestHead};

/// Most headers accepted in one raw request.
const MAX_HEADERS: usize = 256;

/// Why a raw request could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RawRequestError {
    #[error("invalid request head: {0}")]
    Head(String),
    #[error("request head is incomplete (no blank line after the headers)")]
    Incomplete,
    #[error("invalid chunked body: {0}")]
    Chunked(&'static str),
}

/// A parsed raw request.
pub struct RawRequest {
    pub head: RequestHead,
    pub body: Vec<u8>,
}

/// Parses a raw request. A missing final blank line after headers is tolerated
/// when the input ends right after the last header line.
pub fn parse(input: &[u8]) -> Result<RawRequest, RawRequestError> {
    let mut owned;
    let mut data = input;
    // Files written by hand often end after the last header with one newline.
    if !contains_head_end(data) {
        owned = data.to_vec();
        if !owned.ends_with(b"\n") {
            owned.extend_from_slice(b"\r\n");
        }
        owned.extend_from_slice(b"\r\n");
        data = &owned;
    }
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let status = req
        .parse(data)
        .map_err(|e| RawRequestError::Head(e.to_string()))?;
    let head_len = match status {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => return Err(RawRequestError::Incomplete),
    };
    let method = req.method.unwrap_or("GET").to_string();
    let uri = req.path.unwrap_or("/").as_bytes().to_vec();
    let version = match req.version {
        Some(0) => HttpVersion::Http10,
        _ => HttpVersion::Http11,
    };
    let headers: Vec<Header> = req
        .headers
        .iter()
        .map(|h| Header {
            name: h.name.to_string(),
            value: h.value.to_vec(),
        })
        .collect();
    let head = RequestHead {
        method,
        uri,
        version,
        headers,
        peer: None,
        tls: false,
    };
    let rest = data.get(head_len..).unwrap_or_default();
    let chunked = head.header_values("transfer-encoding").any(|v| {
        String::from_utf8_lossy(v)
            .to_ascii_lowercase()
            .contains("chunked")
    });
    let body = if chunked {
        decode_chunked(rest)?
    } else if let Some(len) = head
        .header("content-length")
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        rest.get(..len.min(rest.len())).unwrap_or_default().to_vec()
    } else {
        rest.to_vec()
    };
    Ok(RawRequest { head, body })
}

fn contains_head_end(data: &[u8]) -> bool {
    memchr_find(data, b"\r\n\r\n") || memchr_find(data, b"\n\n")
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Decodes a chunked body; a body that ends early keeps what was read.
pub fn decode_chunked(mut data: &[u8]) -> Result<Vec<u8>, RawRequestError> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.iter().position(|&b| b == b'\n') else {
            return Ok(out);
        };
        let line = data.get(..line_end).unwrap_or_default();
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let size_text = line.split(|&b| b == b';').next().unwrap_or_default();
        let size_text = std::str::from_utf8(size_text)
            .map_err(|_| RawRequestError::Chunked("chunk size is not text"))?;
        let size = usize::from_str_radix(size_text.trim(), 16)
            .map_err(|_| RawRequestError::Chunked("chunk size is not hexadecimal"))?;
        data = data.get(line_end + 1..).unwrap_or_default();
        if size == 0 {
            return Ok(out);
        }
        let take = size.min(data.len());
        out.extend_from_slice(data.get(..take).unwrap_or_default());
        data = data.get(take..).unwrap_or_default();
        data = data
            .strip_prefix(b"\r\n")
            .or_else(|| data.strip_prefix(b"\n"))
            .unwrap_or(data);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_length_body() {
        let r =
            parse(b"POST /a?b=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcdef").unwrap();
        assert_eq!(r.head.method, "POST");
        assert_eq!(r.head.query(), Some(&b"b=1"[..]));
        assert_eq!(r.body, b"abc");
    }

    #[test]
    fn parses_chunked_body() {
        let r = parse(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(r.body, b"abcde");
    }

    #[test]
    fn tolerates_missing_blank_line() {
        let r = parse(b"GET / HTTP/1.1\nHost: x\n").unwrap();
        assert_eq!(r.head.header("host"), Some(&b"x"[..]));
    }

    #[test]
    fn rejects_garbage() {
        assert!(parse(b"\x00\x01 nonsense\r\n\r\n").is_err());
    }
}
