//! Building the bytes go-ftw puts on the wire for a test stage.
//!
//! Contract: [`build`] returns exactly what go-ftw (ftwhttp `BuildRequest`)
//! would send, so the engine sees what a WAF behind go-ftw sees:
//!
//! - `encoded_request` is base64-decoded (newlines in the base64 ignored, as Go's
//!   decoder does) and used byte for byte; nothing else applies.
//! - Otherwise the request line is `METHOD URI VERSION\r\n` (defaults `GET`, `/`,
//!   `HTTP/1.1`), then the headers in name order as the YAML map gave them.
//! - `data` is a Go text/template: `{{ "1" | repeat 10 }}` is expanded (only the
//!   `repeat` function is implemented; any other function is an error here, and a
//!   template Go could not parse gives no body, as in go-ftw).
//! - With a non-empty body and `autocomplete_headers` (default true): a missing
//!   `Content-Type` becomes `application/x-www-form-urlencoded`; when the
//!   Content-Type is exactly that (case-insensitive) and the body holds neither
//!   `%` nor `+` (Go's `QueryUnescape` would leave it unchanged), each key and
//!   value between `&` and `=` is escaped with Go's `url.QueryEscape`.
//! - A Content-Type containing `multipart/form-data;` turns every LF in the body
//!   into CRLF (also without autocompletion).
//! - With autocompletion, `Connection: close` is added when no Connection header
//!   is present, and `Content-Length` when none is present and the body is
//!   non-empty or the method matches go-ftw's `^POST|PUT|PATCH|DELETE$`.
//!
//! Header names are compared as Go's `CanonicalMIMEHeaderKey` would: ASCII
//! case-insensitively, unless the name holds a byte outside the token set.

use super::model::Input;
use super::template;
use base64::Engine as _;

/// Why a stage's request could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    #[error("'data' and 'encoded_request' must not be set together")]
    DataAndEncodedRequest,
    #[error("encoded_request is not valid base64: {0}")]
    EncodedRequest(String),
    #[error("unsupported Go template in data: {0}")]
    UnsupportedTemplate(String),
}

const FORM_URLENCODED: &str = "application/x-www-form-urlencoded";

/// The raw request bytes for a stage input.
pub fn build(input: &Input) -> Result<Vec<u8>, BuildError> {
    let has_data = input.data.as_deref().is_some_and(|d| !d.is_empty());
    let encoded = input.encoded_request.as_deref().filter(|e| !e.is_empty());
    if let Some(encoded) = encoded {
        if has_data {
            return Err(BuildError::DataAndEncodedRequest);
        }
        return decode_base64(encoded).map_err(BuildError::EncodedRequest);
    }
    let method = input.method.as_deref().unwrap_or("GET");
    let uri = input.uri.as_deref().unwrap_or("/");
    let version = input.version.as_deref().unwrap_or("HTTP/1.1");
    let mut headers: Vec<(String, String)> = input.headers.clone().unwrap_or_default();
    let mut data = body_data(input)?;
    let autocomplete = input.autocomplete();

    if !data.is_empty() && autocomplete {
        if !has_any(&headers, "Content-Type") {
            headers.push(("Content-Type".into(), FORM_URLENCODED.into()));
        }
        data = encode_data_parameters(&headers, &data);
    }
    let multipart = headers.iter().any(|(n, v)| {
        canonical_eq(n, "Content-Type") && v.to_lowercase().contains("multipart/form-data;")
    });
    if multipart {
        data = lf_to_crlf(&data);
    }
    if autocomplete {
        if !has_any(&headers, "Connection") {
            headers.push(("Connection".into(), "close".into()));
        }
        if !has_any(&headers, "Content-Length") && (!data.is_empty() || method_takes_body(method)) {
            headers.push(("Content-Length".into(), data.len().to_string()));
        }
    }

    let mut out = Vec::with_capacity(64 + data.len());
    out.extend_from_slice(format!("{method} {uri} {version}\r\n").as_bytes());
    for (name, value) in &headers {
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&data);
    Ok(out)
}

/// go-ftw's `GetData`: the `data` template's output, else the decoded
/// `encoded_data`; a template or base64 error gives no body.
fn body_data(input: &Input) -> Result<Vec<u8>, BuildError> {
    if let Some(data) = &input.data {
        return match template::expand(data) {
            Ok(text) => Ok(text.into_bytes()),
            Err(template::Error::Syntax) => Ok(Vec::new()),
            Err(template::Error::Unsupported(what)) => Err(BuildError::UnsupportedTemplate(what)),
        };
    }
    if let Some(encoded) = &input.encoded_data {
        return Ok(decode_base64(encoded).unwrap_or_default());
    }
    Ok(Vec::new())
}

/// Go's `base64.StdEncoding.DecodeString`: padded standard alphabet, `\r` and
/// `\n` skipped.
fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    let cleaned: Vec<u8> = text.bytes().filter(|&b| b != b'\r' && b != b'\n').collect();
    base64::engine::general_purpose::STANDARD
        .decode(cleaned)
        .map_err(|e| e.to_string())
}

/// go-ftw's `methodsWithBodyRegex`, `^POST|PUT|PATCH|DELETE$`, alternation
/// precedence included: starts with POST, contains PUT or PATCH, ends with DELETE.
fn method_takes_body(method: &str) -> bool {
    method.starts_with("POST")
        || method.contains("PUT")
        || method.contains("PATCH")
        || method.ends_with("DELETE")
}

/// RFC 7230 `tchar`, the bytes Go's header canonicalisation accepts.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `name` canonicalises to `canonical` (which is already canonical).
fn canonical_eq(name: &str, canonical: &str) -> bool {
    if !name.is_empty() && name.bytes().all(is_token_byte) {
        name.eq_ignore_ascii_case(canonical)
    } else {
        name == canonical
    }
}

fn has_any(headers: &[(String, String)], canonical: &str) -> bool {
    headers.iter().any(|(n, _)| canonical_eq(n, canonical))
}

/// go-ftw's `encodeDataParameters`.
fn encode_data_parameters(headers: &[(String, String)], data: &[u8]) -> Vec<u8> {
    let urlencoded = headers
        .iter()
        .any(|(n, v)| canonical_eq(n, "Content-Type") && v.eq_ignore_ascii_case(FORM_URLENCODED));
    // QueryUnescape leaves the text unchanged exactly when it holds no '%' and no '+'
    // (a bad escape is an error, which go-ftw also treats as "already escaped").
    if !urlencoded || data.contains(&b'%') || data.contains(&b'+') {
        return data.to_vec();
    }
    let mut escaped = Vec::with_capacity(data.len() * 2);
    let mut remaining = data;
    while !remaining.is_empty() {
        let token = match remaining.iter().position(|&b| b == b'&') {
            Some(i) => {
                let t = remaining.get(..i).unwrap_or_default();
                remaining = remaining.get(i + 1..).unwrap_or_default();
                t
            }
            None => std::mem::take(&mut remaining),
        };
        match token.iter().position(|&b| b == b'=') {
            None => query_escape_into(&mut escaped, token),
            Some(eq) => {
                query_escape_into(&mut escaped, token.get(..eq).unwrap_or_default());
                escaped.push(b'=');
                query_escape_into(&mut escaped, token.get(eq + 1..).unwrap_or_default());
            }
        }
        escaped.push(b'&');
    }
    escaped.pop();
    escaped
}

/// Go's `url.QueryEscape`: unreserved bytes (`A-Za-z0-9-_.~`) kept, space as
/// `+`, everything else `%XX` with upper-case hex.
pub fn query_escape(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    query_escape_into(&mut out, input);
    String::from_utf8_lossy(&out).into_owned()
}

fn query_escape_into(out: &mut Vec<u8>, input: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &b in input {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b),
            b' ' => out.push(b'+'),
            _ => {
                out.push(b'%');
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
    }
}

fn lf_to_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 16);
    for &b in data {
        if b == b'\n' {
            out.push(b'\r');
        }
        out.push(b);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(method: &str, headers: &[(&str, &str)], data: Option<&str>) -> Input {
        let mut h: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        h.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        Input {
            method: Some(method.into()),
            uri: Some("/post".into()),
            version: Some("HTTP/1.1".into()),
            headers: Some(h),
            data: data.map(str::to_string),
            ..Input::default()
        }
    }

    fn text(bytes: Vec<u8>) -> String {
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn go_query_escape() {
        assert_eq!(query_escape(b"1234 OR 1=1"), "1234+OR+1%3D1");
        assert_eq!(query_escape(b"a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(
            query_escape(b"$&+,/:;=?@#'\"<>"),
            "%24%26%2B%2C%2F%3A%3B%3D%3F%40%23%27%22%3C%3E"
        );
        assert_eq!(query_escape("é\x00\n".as_bytes()), "%C3%A9%00%0A");
    }

    #[test]
    fn urlencoded_body_is_escaped_per_key_and_value() {
        let i = input("POST", &[("Host", "localhost")], Some("var=1234 OR 1=1"));
        assert_eq!(
            text(build(&i).unwrap()),
            "POST /post HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: 17\r\n\r\nvar=1234+OR+1%3D1"
        );
    }

    #[test]
    fn escaping_edge_cases_follow_go() {
        let enc = |d: &str| {
            let h = [("Content-Type".to_string(), FORM_URLENCODED.to_string())];
            text(encode_data_parameters(&h, d.as_bytes()))
        };
        assert_eq!(enc("a=1&b=2=3"), "a=1&b=2%3D3");
        assert_eq!(enc("noequals&x="), "noequals&x=");
        assert_eq!(enc("a=1&"), "a=1", "a trailing & is dropped");
        assert_eq!(enc("a=1&&b"), "a=1&&b");
        assert_eq!(enc("a=%27"), "a=%27", "already escaped");
        assert_eq!(enc("a=b+c d"), "a=b+c d", "a + means already escaped");
        assert_eq!(enc("a=%zz d"), "a=%zz d", "bad escape: left alone");
        let other = [(
            "content-type".to_string(),
            "application/x-www-form-urlencoded; charset=utf-8".to_string(),
        )];
        assert_eq!(text(encode_data_parameters(&other, b"a=b c")), "a=b c");
        let lower = [(
            "content-type".to_string(),
            "APPLICATION/X-WWW-FORM-URLENCODED".to_string(),
        )];
        assert_eq!(text(encode_data_parameters(&lower, b"a=b c")), "a=b+c");
    }

    #[test]
    fn multipart_gets_crlf_and_json_is_untouched() {
        let i = input(
            "POST",
            &[("content-type", "multipart/form-data; boundary=x")],
            Some("--x\nContent-Disposition: form-data; name=\"a\"\n\n1 2\n--x--\n"),
        );
        let raw = text(build(&i).unwrap());
        assert!(
            raw.ends_with(
                "\r\n\r\n--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1 2\r\n--x--\r\n"
            ),
            "{raw}"
        );
        assert!(raw.contains("content-type: multipart/form-data; boundary=x\r\nConnection: close\r\nContent-Length: 61\r\n"), "{raw}");
        let j = input(
            "POST",
            &[("Content-Type", "application/json")],
            Some("{\"a\": \"b c\"}"),
        );
        assert!(text(build(&j).unwrap()).ends_with("\r\n\r\n{\"a\": \"b c\"}"));
    }

    #[test]
    fn no_autocomplete_sends_only_what_is_written() {
        let mut i = input("POST", &[("Content-Length", "3")], Some("a b"));
        i.autocomplete_headers = Some(false);
        assert_eq!(
            text(build(&i).unwrap()),
            "POST /post HTTP/1.1\r\nContent-Length: 3\r\n\r\na b"
        );
    }

    #[test]
    fn defaults_and_content_length_rules() {
        let i = Input::default();
        assert_eq!(
            text(build(&i).unwrap()),
            "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"
        );
        let put = input("PUT", &[("connection", "keep-alive")], None);
        assert_eq!(
            text(build(&put).unwrap()),
            "PUT /post HTTP/1.1\r\nconnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
        );
        assert!(
            method_takes_body("POSTX")
                && method_takes_body("XPUTX")
                && method_takes_body("UNDELETE")
        );
        assert!(!method_takes_body("GET") && !method_takes_body("DELETEX"));
        let given = input("POST", &[("Content-Length", "99")], Some("x"));
        let raw = text(build(&given).unwrap());
        assert!(raw.contains("Content-Length: 99\r\n") && !raw.contains("Content-Length: 1\r\n"));
    }

    #[test]
    fn encoded_request_is_byte_for_byte() {
        let i = Input {
            encoded_request: Some("R0VUIC8gSFRUUC8xLjAN\nCkhvc3Q6DQoNCg==".into()),
            ..Input::default()
        };
        assert_eq!(build(&i).unwrap(), b"GET / HTTP/1.0\r\nHost:\r\n\r\n");
        let both = Input {
            data: Some("x".into()),
            ..i.clone()
        };
        assert_eq!(build(&both), Err(BuildError::DataAndEncodedRequest));
        let bad = Input {
            encoded_request: Some("!!".into()),
            ..Input::default()
        };
        assert!(matches!(build(&bad), Err(BuildError::EncodedRequest(_))));
    }

    #[test]
    fn unparsable_template_sends_no_body() {
        // go-ftw sends no body when Go cannot parse the template.
        let i = input("POST", &[], Some("q={{7*7}}"));
        assert_eq!(
            text(build(&i).unwrap()),
            "POST /post HTTP/1.1\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        );
        let j = input(
            "POST",
            &[("Content-Type", "text/plain")],
            Some("{{ \"ab\" | repeat 2 }}"),
        );
        assert!(text(build(&j).unwrap()).ends_with("\r\n\r\nabab"));
    }
}
