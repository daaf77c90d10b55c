//! HAR 1.2 archives: each entry's request (with `postData.text` or `params`,
//! base64 bodies, HTTP/2 entries) becomes an exchange paired with its
//! response status.
//!
//! The whole archive is read and parsed at once (HAR is one JSON document),
//! so memory grows with the file; entries are then turned into exchanges one
//! by one. A document that is not JSON, or has no `log.entries`, is a
//! [`ReadError::Format`] naming the byte offset, line and column; a single
//! entry that does not have the HAR shape is a `BadHttp` notice and the rest
//! are still read.

use crate::error::{ReadError, ReadStats};
use crate::exchange::{Event, Exchange, Limits, Micros, Notice, NoticeKind, ResponseInfo};
use crate::rfc3339;
use base64::Engine as _;
use palisade_engine::request::{Header, HttpVersion, RequestHead};
use serde::Deserialize;
use std::io::Read;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;

/// Boundary used when a multipart body is rebuilt from `params` and the
/// request names none.
const MULTIPART_BOUNDARY: &str = "palisade-har-boundary-7d1f3a";

#[derive(Deserialize)]
struct Document {
    log: Log,
}

#[derive(Deserialize)]
struct Log {
    entries: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    started_date_time: String,
    request: Request,
    #[serde(default)]
    response: Option<Response>,
    #[serde(default, rename = "serverIPAddress")]
    server_ip_address: Option<String>,
    #[serde(default)]
    timings: Option<Timings>,
    /// Total time of the entry in milliseconds.
    #[serde(default)]
    time: Option<f64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    #[serde(default)]
    http_version: String,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    cookies: Vec<NameValue>,
    #[serde(default)]
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    #[serde(default)]
    mime_type: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    params: Vec<Param>,
    /// Not in HAR 1.2 itself, but written by browsers and tools for binary bodies.
    #[serde(default)]
    encoding: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Param {
    name: String,
    #[serde(default)]
    value: Option<String>,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    content_type: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    status: i64,
}

/// Phase times in milliseconds; -1 means "does not apply".
#[derive(Deserialize, Default)]
struct Timings {
    #[serde(default)]
    blocked: Option<f64>,
    #[serde(default)]
    dns: Option<f64>,
    #[serde(default)]
    connect: Option<f64>,
    #[serde(default)]
    send: Option<f64>,
    #[serde(default)]
    wait: Option<f64>,
}

/// Reads a HAR archive from `input` (`path` is only for error messages).
pub fn read(
    input: &mut dyn Read,
    path: &Path,
    source: usize,
    limits: &Limits,
    sink: &mut dyn FnMut(Event),
) -> Result<ReadStats, ReadError> {
    let mut bytes = Vec::new();
    input
        .read_to_end(&mut bytes)
        .map_err(|source| ReadError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let replaced = replace_lone_surrogates(&mut bytes);
    let document: Document =
        serde_json::from_slice(&bytes).map_err(|e| format_error(path, &bytes, &e))?;
    let mut stats = ReadStats {
        bytes: bytes.len() as u64,
        ..ReadStats::default()
    };
    drop(bytes);
    if replaced > 0 {
        stats.notices += 1;
        sink(Event::Notice(Notice {
            kind: NoticeKind::BadHttp,
            source,
            offset: None,
            client: None,
            server: None,
            message: format!(
                "{replaced} unpaired UTF-16 surrogate escape(s) (\\uD800-\\uDFFF, as Python writes undecodable bytes) read as U+FFFD"
            ),
        }));
    }
    let mut last_time: Micros = 0;
    for (number, value) in document.log.entries.into_iter().enumerate() {
        stats.records += 1;
        let converted = serde_json::from_value::<Entry>(value)
            .map_err(|e| e.to_string())
            .and_then(|entry| convert(&entry, limits, last_time));
        match converted {
            Ok(mut exchange) => {
                exchange.index = stats.exchanges;
                exchange.source = source;
                last_time = exchange.time;
                stats.exchanges += 1;
                sink(Event::Exchange(Box::new(exchange)));
            }
            Err(message) => {
                stats.notices += 1;
                sink(Event::Notice(Notice {
                    kind: NoticeKind::BadHttp,
                    source,
                    offset: None,
                    client: None,
                    server: None,
                    message: format!("HAR entry {number}: {message}"),
                }));
            }
        }
    }
    Ok(stats)
}

/// The value of the `\uXXXX` escape at `at` (pointing at the backslash).
fn escape_at(bytes: &[u8], at: usize) -> Option<u16> {
    if bytes.get(at..at + 2)? != b"\\u" {
        return None;
    }
    let hex = std::str::from_utf8(bytes.get(at + 2..at + 6)?).ok()?;
    u16::from_str_radix(hex, 16).ok()
}

/// Rewrites `\uD800`-`\uDFFF` escapes that are not a valid surrogate pair
/// as `\uFFFD` in place (same length, so error offsets stay true): JSON
/// allows them but they are not text, and tools that write undecodable bytes
/// with Python's `surrogateescape` produce them. Returns how many.
fn replace_lone_surrogates(bytes: &mut [u8]) -> usize {
    let mut replaced = 0;
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) != Some(&b'\\') {
            i += 1;
            continue;
        }
        let Some(unit) = escape_at(bytes, i) else {
            // Any other escape: skip the backslash and the escaped byte.
            i += 2;
            continue;
        };
        match unit {
            0xD800..=0xDBFF
                if escape_at(bytes, i + 6).is_some_and(|u| (0xDC00..=0xDFFF).contains(&u)) =>
            {
                i += 12;
            }
            0xD800..=0xDFFF => {
                if let Some(hex) = bytes.get_mut(i + 2..i + 6) {
                    hex.copy_from_slice(b"FFFD");
                }
                replaced += 1;
                i += 6;
            }
            _ => i += 6,
        }
    }
    replaced
}

/// A JSON error as a format error at the byte where it happened.
fn format_error(path: &Path, bytes: &[u8], error: &serde_json::Error) -> ReadError {
    let (line, column) = (error.line(), error.column());
    ReadError::Format {
        path: path.to_path_buf(),
        offset: byte_offset(bytes, line, column),
        message: format!("invalid HAR at line {line}:{column}: {error}"),
    }
}

/// The byte offset of a 1-based line and column (column counted in bytes).
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> u64 {
    let line_start = if line <= 1 {
        0
    } else {
        bytes
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == b'\n')
            .nth(line - 2)
            .map_or(bytes.len(), |(i, _)| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(bytes.len()) as u64
}

/// The parts of an absolute URL replay needs.
struct UrlParts<'a> {
    https: bool,
    /// `host[:port]`, without userinfo.
    authority: &'a str,
    /// Path and query, `/` when empty; the fragment is dropped.
    target: String,
}

fn split_url(url: &str) -> Result<UrlParts<'_>, String> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or_else(|| format!("request.url `{url}` is not an absolute URL"))?;
    let https = matches!(scheme.to_ascii_lowercase().as_str(), "https" | "wss");
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, target) = rest.split_at(end);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let target = target.split('#').next().unwrap_or_default();
    let target = if target.starts_with('/') {
        target.to_string()
    } else {
        format!("/{target}")
    };
    Ok(UrlParts {
        https,
        authority,
        target,
    })
}

fn http_version(text: &str) -> HttpVersion {
    match text.trim().to_ascii_lowercase().as_str() {
        "http/1.0" => HttpVersion::Http10,
        "http/2" | "http/2.0" | "h2" | "h2c" => HttpVersion::Http2,
        "http/3" | "http/3.0" | "h3" => HttpVersion::Http3,
        _ => HttpVersion::Http11,
    }
}

/// The server address from `serverIPAddress` and the URL's port.
fn server_address(ip: Option<&str>, authority: &str, https: bool) -> Option<SocketAddr> {
    let ip: IpAddr = ip?
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    let port = authority
        .rsplit_once(':')
        .filter(|(host, _)| !host.ends_with(':') && (!host.contains(':') || host.ends_with(']')))
        .and_then(|(_, p)| p.parse::<u16>().ok())
        .unwrap_or(if https { 443 } else { 80 });
    Some(SocketAddr::new(ip, port))
}

/// Milliseconds (HAR) to microseconds; negative and absent phases count 0.
fn millis(value: Option<f64>) -> i64 {
    value
        .filter(|v| v.is_finite() && *v > 0.0)
        .map_or(0, |v| (v * 1000.0) as i64)
}

/// When the response's first byte arrived, from the entry's timings.
fn response_delay(entry: &Entry) -> i64 {
    match &entry.timings {
        Some(t) => {
            millis(t.blocked) + millis(t.dns) + millis(t.connect) + millis(t.send) + millis(t.wait)
        }
        None => millis(entry.time),
    }
}

fn convert(entry: &Entry, limits: &Limits, last_time: Micros) -> Result<Exchange, String> {
    let request = &entry.request;
    let url = split_url(&request.url)?;
    if request.method.is_empty() {
        return Err("request.method is empty".into());
    }
    let mut notes = Vec::new();
    let time = match rfc3339::parse(&entry.started_date_time) {
        Some(t) => t,
        None => {
            notes.push(format!(
                "startedDateTime `{}` is not an RFC 3339 date-time; using the previous entry's time",
                entry.started_date_time
            ));
            last_time
        }
    };
    let mut authority_header = None;
    let mut headers = Vec::with_capacity(request.headers.len() + 2);
    for h in &request.headers {
        if let Some(pseudo) = h.name.strip_prefix(':') {
            if pseudo.eq_ignore_ascii_case("authority") {
                authority_header = Some(h.value.clone());
            }
            continue;
        }
        headers.push(Header {
            name: h.name.clone(),
            value: h.value.as_bytes().to_vec(),
        });
    }
    let has =
        |headers: &[Header], name: &str| headers.iter().any(|h| h.name.eq_ignore_ascii_case(name));
    if !has(&headers, "host") {
        let host = authority_header.unwrap_or_else(|| url.authority.to_string());
        headers.insert(
            0,
            Header {
                name: "Host".into(),
                value: host.into_bytes(),
            },
        );
    }
    if !has(&headers, "cookie") && !request.cookies.is_empty() {
        let joined = request
            .cookies
            .iter()
            .map(|c| format!("{}={}", c.name, c.value))
            .collect::<Vec<_>>()
            .join("; ");
        headers.push(Header {
            name: "Cookie".into(),
            value: joined.into_bytes(),
        });
    }
    let mut body = match &request.post_data {
        Some(post) => post_body(post, &mut headers, &mut notes),
        None => Vec::new(),
    };
    let body_truncated = body.len() > limits.max_body;
    body.truncate(limits.max_body);
    let response = entry
        .response
        .as_ref()
        .and_then(|r| u16::try_from(r.status).ok())
        .filter(|&status| status > 0)
        .map(|status| ResponseInfo {
            status,
            time: time.saturating_add(response_delay(entry)),
        });
    Ok(Exchange {
        index: 0,
        source: 0,
        time,
        client: None,
        server: server_address(entry.server_ip_address.as_deref(), url.authority, url.https),
        head: RequestHead {
            method: request.method.clone(),
            uri: url.target.into_bytes(),
            version: http_version(&request.http_version),
            headers,
            peer: None,
            tls: url.https,
        },
        body,
        body_truncated,
        incomplete: false,
        response,
        notes,
    })
}

/// The body from `postData`: `text` (base64-decoded when so marked), or
/// `params` encoded by the MIME type when there is no text.
fn post_body(post: &PostData, headers: &mut Vec<Header>, notes: &mut Vec<String>) -> Vec<u8> {
    if let Some(text) = post.text.as_deref().filter(|t| !t.is_empty()) {
        let base64 = post
            .encoding
            .as_deref()
            .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
        if base64 {
            let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            match base64::engine::general_purpose::STANDARD.decode(compact) {
                Ok(bytes) => return bytes,
                Err(e) => notes.push(format!(
                    "postData.text is marked base64 but does not decode ({e}); inspected as text"
                )),
            }
        }
        return text.as_bytes().to_vec();
    }
    if post.params.is_empty() {
        return Vec::new();
    }
    let content_type = headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-type"))
        .map(|h| String::from_utf8_lossy(&h.value).into_owned())
        .unwrap_or_else(|| post.mime_type.clone());
    if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        let boundary = boundary_of(&content_type)
            .or_else(|| boundary_of(&post.mime_type))
            .unwrap_or_else(|| MULTIPART_BOUNDARY.to_string());
        let value = format!("multipart/form-data; boundary={boundary}");
        set_header(headers, "Content-Type", &value);
        notes.push("body rebuilt from postData.params (multipart)".into());
        multipart_body(&post.params, &boundary)
    } else {
        if !headers
            .iter()
            .any(|h| h.name.eq_ignore_ascii_case("content-type"))
        {
            set_header(headers, "Content-Type", "application/x-www-form-urlencoded");
        }
        notes.push("body rebuilt from postData.params (url-encoded)".into());
        urlencoded_body(&post.params)
    }
}

fn set_header(headers: &mut Vec<Header>, name: &str, value: &str) {
    headers.retain(|h| !h.name.eq_ignore_ascii_case(name));
    headers.push(Header {
        name: name.into(),
        value: value.as_bytes().to_vec(),
    });
}

/// The `boundary` parameter of a multipart content type.
fn boundary_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| value.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// `application/x-www-form-urlencoded` encoding of one name or value.
fn form_encode(text: &str, out: &mut Vec<u8>) {
    for &b in text.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(b),
            b' ' => out.push(b'+'),
            _ => out.extend_from_slice(format!("%{b:02X}").as_bytes()),
        }
    }
}

fn urlencoded_body(params: &[Param]) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, p) in params.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        form_encode(&p.name, &mut out);
        out.push(b'=');
        form_encode(p.value.as_deref().unwrap_or_default(), &mut out);
    }
    out
}

fn multipart_body(params: &[Param], boundary: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for p in params {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        let name = p.name.replace('"', "%22");
        match &p.file_name {
            Some(file) => out.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{}\"\r\n",
                    file.replace('"', "%22")
                )
                .as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n").as_bytes(),
            ),
        }
        if let Some(ct) = &p.content_type {
            out.extend_from_slice(format!("Content-Type: {ct}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(p.value.as_deref().unwrap_or_default().as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> (Result<ReadStats, ReadError>, Vec<Event>) {
        read_limited(text, &Limits::default())
    }

    fn read_limited(text: &str, limits: &Limits) -> (Result<ReadStats, ReadError>, Vec<Event>) {
        let mut events = Vec::new();
        let result = read(
            &mut text.as_bytes(),
            Path::new("t.har"),
            3,
            limits,
            &mut |e| events.push(e),
        );
        (result, events)
    }

    fn exchanges(events: &[Event]) -> Vec<&Exchange> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Exchange(x) => Some(&**x),
                Event::Notice(_) => None,
            })
            .collect()
    }

    fn har(entries: &str) -> String {
        format!(
            r#"{{"log":{{"version":"1.2","creator":{{"name":"t","version":"1"}},"entries":[{entries}]}}}}"#
        )
    }

    #[test]
    fn reads_get_with_host_from_url_and_status() {
        let (r, events) = read_text(&har(
            r#"{"startedDateTime":"2024-05-01T10:00:00.250Z","time":12.5,
               "request":{"method":"GET","url":"https://user@shop.example:8443/search?q=a%20b#frag",
                 "httpVersion":"HTTP/1.1","headers":[{"name":"Accept","value":"*/*"}],"cookies":[]},
               "response":{"status":200},"serverIPAddress":"192.0.2.7",
               "timings":{"blocked":-1,"dns":-1,"connect":-1,"send":0.5,"wait":10,"receive":2}}"#,
        ));
        let stats = r.unwrap();
        assert_eq!((stats.records, stats.exchanges, stats.notices), (1, 1, 0));
        let x = exchanges(&events)[0];
        assert_eq!(x.source, 3);
        assert_eq!(x.head.uri, b"/search?q=a%20b");
        assert_eq!(x.head.host(), Some(&b"shop.example:8443"[..]));
        assert!(x.head.tls);
        assert_eq!(x.time, rfc3339::parse("2024-05-01T10:00:00.250Z").unwrap());
        assert_eq!(
            x.response,
            Some(ResponseInfo {
                status: 200,
                time: x.time + 10_500
            })
        );
        assert_eq!(x.server, Some("192.0.2.7:8443".parse().unwrap()));
        assert_eq!(x.client, None);
    }

    #[test]
    fn http2_pseudo_headers_are_dropped_and_authority_is_the_host() {
        let (_, events) = read_text(&har(r#"{"startedDateTime":"2024-05-01T10:00:00Z",
               "request":{"method":"GET","url":"https://a.example/","httpVersion":"h2",
                 "headers":[{"name":":method","value":"GET"},{"name":":authority","value":"b.example"},
                            {"name":"user-agent","value":"x"}],
                 "cookies":[{"name":"sid","value":"1"},{"name":"t","value":"2"}]},
               "response":{"status":0}}"#));
        let x = exchanges(&events)[0];
        assert_eq!(x.head.version, HttpVersion::Http2);
        assert!(x.head.headers.iter().all(|h| !h.name.starts_with(':')));
        assert_eq!(x.head.host(), Some(&b"b.example"[..]));
        assert_eq!(x.head.header("cookie"), Some(&b"sid=1; t=2"[..]));
        assert_eq!(x.response, None);
    }

    #[test]
    fn bodies_from_text_base64_and_params() {
        let (_, events) = read_text(&har(
            r#"{"startedDateTime":"2024-05-01T10:00:00Z","request":{"method":"POST","url":"http://h/a",
                 "headers":[],"postData":{"mimeType":"application/json","text":"{\"a\":1}"}}},
               {"startedDateTime":"2024-05-01T10:00:01Z","request":{"method":"POST","url":"http://h/b",
                 "headers":[],"postData":{"mimeType":"application/octet-stream","text":"AAH/","encoding":"base64"}}},
               {"startedDateTime":"2024-05-01T10:00:02Z","request":{"method":"POST","url":"http://h/c",
                 "headers":[],"postData":{"mimeType":"application/x-www-form-urlencoded",
                 "params":[{"name":"q","value":"a b&c"},{"name":"x","value":"1"}]}}},
               {"startedDateTime":"2024-05-01T10:00:03Z","request":{"method":"POST","url":"http://h/d",
                 "headers":[],"postData":{"mimeType":"multipart/form-data; boundary=XyZ",
                 "params":[{"name":"f","fileName":"a.txt","contentType":"text/plain","value":"hi"}]}}}"#,
        ));
        let x = exchanges(&events);
        assert_eq!(x[0].body, br#"{"a":1}"#);
        assert_eq!(x[1].body, [0u8, 1, 255]);
        assert_eq!(x[2].body, b"q=a+b%26c&x=1");
        assert_eq!(
            x[2].head.header("content-type"),
            Some(&b"application/x-www-form-urlencoded"[..])
        );
        assert_eq!(
            x[3].head.header("content-type"),
            Some(&b"multipart/form-data; boundary=XyZ"[..])
        );
        let body = String::from_utf8_lossy(&x[3].body);
        assert!(body.starts_with("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhi\r\n--XyZ--"), "{body}");
        assert_eq!(x.iter().map(|e| e.index).collect::<Vec<_>>(), [0, 1, 2, 3]);
    }

    #[test]
    fn bodies_are_capped() {
        let limits = Limits {
            max_body: 4,
            ..Limits::default()
        };
        let (_, events) = read_limited(
            &har(
                r#"{"startedDateTime":"2024-05-01T10:00:00Z","request":{"method":"POST","url":"http://h/",
                 "headers":[],"postData":{"mimeType":"text/plain","text":"0123456789"}}}"#,
            ),
            &limits,
        );
        let x = exchanges(&events)[0];
        assert_eq!(x.body, b"0123");
        assert!(x.body_truncated);
    }

    #[test]
    fn a_bad_entry_is_a_notice_and_the_rest_is_read() {
        let (r, events) = read_text(&har(
            r#"{"startedDateTime":"2024-05-01T10:00:00Z","request":{"method":"GET"}},
               {"startedDateTime":"2024-05-01T10:00:00Z","request":{"method":"GET","url":"/relative"}},
               {"startedDateTime":"yesterday","request":{"method":"GET","url":"http://h/ok"}}"#,
        ));
        let stats = r.unwrap();
        assert_eq!((stats.records, stats.exchanges, stats.notices), (3, 1, 2));
        let notices: Vec<_> = events
            .iter()
            .filter_map(|e| match e {
                Event::Notice(n) => Some(n),
                Event::Exchange(_) => None,
            })
            .collect();
        assert!(notices.iter().all(|n| n.kind == NoticeKind::BadHttp));
        assert!(notices[0].message.starts_with("HAR entry 0:"));
        let x = exchanges(&events)[0];
        assert_eq!(x.head.uri, b"/ok");
        assert_eq!(x.notes.len(), 1);
    }

    #[test]
    fn unpaired_surrogates_are_replaced_and_noted() {
        let text = har(
            r#"{"startedDateTime":"2024-05-01T10:00:00Z","request":{"method":"POST","url":"http://h/",
                 "headers":[],"postData":{"mimeType":"application/octet-stream","text":"a\udcff\ud83d\ude00\\udc00"}}}"#,
        );
        let (r, events) = read_text(&text);
        assert_eq!(r.unwrap().notices, 1);
        let x = exchanges(&events)[0];
        assert_eq!(
            String::from_utf8_lossy(&x.body),
            "a\u{fffd}\u{1f600}\\udc00"
        );
        assert!(events
            .iter()
            .any(|e| matches!(e, Event::Notice(n) if n.message.contains("surrogate"))));
    }

    #[test]
    fn malformed_json_is_a_format_error_with_offset() {
        let text = "{\"log\": {\n  \"entries\": [ }\n}";
        let (r, events) = read_text(text);
        assert!(events.is_empty());
        match r {
            Err(ReadError::Format {
                offset, message, ..
            }) => {
                assert_eq!(offset, 25, "{message}");
                assert!(message.contains("line 2:"), "{message}");
            }
            other => panic!("expected a format error, got {other:?}"),
        }
        assert!(matches!(
            read_text(r#"{"log":{}}"#).0,
            Err(ReadError::Format { .. })
        ));
    }
}
