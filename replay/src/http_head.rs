//! HTTP/1.x message heads: telling what a stream starts with (request,
//! response, TLS, HTTP/2 preface), finding the next request or status line
//! after lost bytes, parsing heads with httparse, and the body framing rules
//! (Transfer-Encoding, Content-Length).

use palisade_engine::request::{Header, HttpVersion, RequestHead};

/// Headers accepted in one message head.
const MAX_HEADERS: usize = 128;

/// What the first bytes of a stream look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamStart {
    Request,
    Response,
    Tls,
    Http2Preface,
    /// Too few bytes to tell.
    Unknown,
    Other,
}

/// Tells a stream's kind by its first bytes.
pub(crate) fn classify(data: &[u8]) -> StreamStart {
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n";
    let data = trim_leading_newlines(data);
    if data.is_empty() {
        return StreamStart::Unknown;
    }
    if data.len() >= 3
        && data.first() == Some(&0x16)
        && data.get(1) == Some(&0x03)
        && data.get(2).is_some_and(|&minor| minor <= 0x04)
    {
        return StreamStart::Tls;
    }
    let n = data.len().min(PREFACE.len());
    if data.get(..n) == PREFACE.get(..n) {
        return if n >= 8 {
            StreamStart::Http2Preface
        } else {
            StreamStart::Unknown
        };
    }
    if data.starts_with(b"HTTP/1.") {
        return StreamStart::Response;
    }
    match request_line_start(data) {
        Some(true) => StreamStart::Request,
        Some(false) => StreamStart::Other,
        None => StreamStart::Unknown,
    }
}

/// Whether `data` begins like a request line (`METHOD SP target` with an
/// origin-form, asterisk, absolute-form or CONNECT target); `None` when too
/// short to tell.
pub(crate) fn request_line_start(data: &[u8]) -> Option<bool> {
    let token = data.iter().take_while(|b| b.is_ascii_uppercase()).count();
    if token == data.len() {
        return if token <= 16 { None } else { Some(false) };
    }
    if !(3..=16).contains(&token) || data.get(token) != Some(&b' ') {
        return Some(false);
    }
    let target = data.get(token + 1..).unwrap_or_default();
    match target.first() {
        None => None,
        Some(b'/' | b'*') => Some(true),
        Some(_) if data.starts_with(b"CONNECT ") => Some(true),
        Some(_) => {
            let lower: Vec<u8> = target.iter().take(8).map(u8::to_ascii_lowercase).collect();
            let absolute = [&b"http://"[..], &b"https://"[..]];
            if absolute.iter().any(|p| lower.starts_with(p)) {
                Some(true)
            } else if absolute.iter().any(|p| p.starts_with(&lower)) {
                None
            } else {
                Some(false)
            }
        }
    }
}

/// Position of the first line in `data` that starts a request line.
pub(crate) fn find_request_line(data: &[u8]) -> Option<usize> {
    let mut pos = 0;
    loop {
        let line = data.get(pos..)?;
        if request_line_start(line) == Some(true) {
            return Some(pos);
        }
        pos += memchr::memchr(b'\n', line)? + 1;
    }
}

/// Position of the first line in `data` that starts a status line.
pub(crate) fn find_status_line(data: &[u8]) -> Option<usize> {
    let mut pos = 0;
    loop {
        let line = data.get(pos..)?;
        if line.starts_with(b"HTTP/1.") {
            return Some(pos);
        }
        pos += memchr::memchr(b'\n', line)? + 1;
    }
}

pub(crate) fn trim_leading_newlines(data: &[u8]) -> &[u8] {
    let skip = data
        .iter()
        .take_while(|&&b| b == b'\r' || b == b'\n')
        .count();
    data.get(skip..).unwrap_or_default()
}

/// How a message body is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// A head that was parsed: owned, plus how long it was.
pub(crate) enum HeadParse<T> {
    Complete(T, usize),
    Partial,
    Invalid(String),
}

pub(crate) fn has_header(headers: &[Header], name: &str) -> bool {
    headers.iter().any(|h| h.name.eq_ignore_ascii_case(name))
}

pub(crate) fn both_lengths(head: &RequestHead) -> bool {
    has_header(&head.headers, "content-length") && has_header(&head.headers, "transfer-encoding")
}

/// The body framing of a message from its Transfer-Encoding and
/// Content-Length header values; `Err` when they make the length unknowable.
pub(crate) fn body_framing<'h>(
    headers: impl Iterator<Item = (&'h str, &'h [u8])> + Clone,
    is_request: bool,
) -> Result<Framing, String> {
    let mut last_coding: Option<Vec<u8>> = None;
    for (_, value) in headers
        .clone()
        .filter(|(n, _)| n.eq_ignore_ascii_case("transfer-encoding"))
    {
        for coding in value.split(|&b| b == b',') {
            let coding = coding.trim_ascii();
            if !coding.is_empty() {
                last_coding = Some(coding.to_ascii_lowercase());
            }
        }
    }
    if let Some(coding) = last_coding {
        return if coding == b"chunked" {
            Ok(Framing::Chunked)
        } else if is_request {
            Err("request Transfer-Encoding does not end in chunked".into())
        } else {
            Ok(Framing::UntilClose)
        };
    }
    let mut length: Option<u64> = None;
    for (_, value) in headers.filter(|(n, _)| n.eq_ignore_ascii_case("content-length")) {
        for part in value.split(|&b| b == b',') {
            let part = part.trim_ascii();
            let n = std::str::from_utf8(part)
                .ok()
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| "invalid Content-Length".to_string())?;
            if length.is_some_and(|l| l != n) {
                return Err("conflicting Content-Length values".into());
            }
            length = Some(n);
        }
    }
    Ok(match length {
        Some(n) => Framing::Length(n),
        None if is_request => Framing::None,
        None => Framing::UntilClose,
    })
}

pub(crate) fn request_framing(head: &RequestHead) -> Result<Framing, String> {
    body_framing(
        head.headers
            .iter()
            .map(|h| (h.name.as_str(), h.value.as_slice())),
        true,
    )
}

/// The parts of a response head replay uses.
pub(crate) struct ResponseHead {
    pub(crate) status: u16,
    pub(crate) framing: Framing,
}

pub(crate) fn owned_headers(headers: &[httparse::Header<'_>]) -> Vec<Header> {
    headers
        .iter()
        .map(|h| Header {
            name: h.name.to_string(),
            value: h.value.to_vec(),
        })
        .collect()
}

pub(crate) fn parse_request(data: &[u8]) -> HeadParse<RequestHead> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut headers);
    let mut config = httparse::ParserConfig::default();
    config.allow_multiple_spaces_in_request_line_delimiters(true);
    config.ignore_invalid_headers_in_requests(true);
    match config.parse_request(&mut req, data) {
        Ok(httparse::Status::Complete(n)) => {
            let head = RequestHead {
                method: req.method.unwrap_or("GET").to_string(),
                uri: req.path.unwrap_or("/").as_bytes().to_vec(),
                version: if req.version == Some(0) {
                    HttpVersion::Http10
                } else {
                    HttpVersion::Http11
                },
                headers: owned_headers(req.headers),
                peer: None,
                tls: false,
            };
            HeadParse::Complete(head, n)
        }
        Ok(httparse::Status::Partial) => HeadParse::Partial,
        Err(e) => HeadParse::Invalid(format!("malformed request head: {e}")),
    }
}

pub(crate) fn parse_response(data: &[u8]) -> HeadParse<ResponseHead> {
    let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut resp = httparse::Response::new(&mut headers);
    let mut config = httparse::ParserConfig::default();
    config.allow_spaces_after_header_name_in_responses(true);
    config.allow_obsolete_multiline_headers_in_responses(true);
    config.ignore_invalid_headers_in_responses(true);
    match config.parse_response(&mut resp, data) {
        Ok(httparse::Status::Complete(n)) => {
            let framing = body_framing(resp.headers.iter().map(|h| (h.name, h.value)), false)
                .unwrap_or(Framing::UntilClose);
            HeadParse::Complete(
                ResponseHead {
                    status: resp.code.unwrap_or(0),
                    framing,
                },
                n,
            )
        }
        Ok(httparse::Status::Partial) => HeadParse::Partial,
        Err(e) => HeadParse::Invalid(format!("malformed response head: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_stream_starts() {
        assert_eq!(classify(b"GET / HTTP/1.1\r\n"), StreamStart::Request);
        assert_eq!(
            classify(b"\r\nOPTIONS * HTTP/1.1\r\n"),
            StreamStart::Request
        );
        assert_eq!(
            classify(b"GET http://x/ HTTP/1.1\r\n"),
            StreamStart::Request
        );
        assert_eq!(
            classify(b"CONNECT x:443 HTTP/1.1\r\n"),
            StreamStart::Request
        );
        assert_eq!(classify(b"HTTP/1.1 200 OK\r\n"), StreamStart::Response);
        assert_eq!(classify(&[0x16, 0x03, 0x01, 0x02, 0x00]), StreamStart::Tls);
        assert_eq!(
            classify(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
            StreamStart::Http2Preface
        );
        assert_eq!(classify(b"EHLO mail\r\n"), StreamStart::Other);
        assert_eq!(classify(b"GE"), StreamStart::Unknown);
        assert_eq!(
            find_request_line(b"junk\r\nmore\nPOST /x HTTP/1.1"),
            Some(11)
        );
    }
}
