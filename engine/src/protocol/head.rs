//! Head checks: the request line (method, target, version), message framing
//! (`Content-Length`, `Transfer-Encoding`), `Host`, `Content-Type` against the
//! policy's allow-lists, restricted headers, restricted file extensions, backup
//! files and alternate data streams; the other header fields are in
//! [`super::fields`].
//!
//! Contract: [`check`] looks only at the head and reports through the sink; the
//! checks that only matter when a body exists (media type allow-list, body
//! without Content-Type, body on GET/HEAD, duplicate Content-Type) are returned
//! as [`Pending`] so the caller reports them when the head announces a body or
//! when the first body byte arrives — whichever comes first.

use super::media::{self, charset_allowed};
use super::{fields, wants, Origin, ProtocolCheck as C, Sink, Value};
use crate::policy::ProtocolSettings;
use crate::request::{HttpVersion, RequestHead};
use crate::transform::url_decode::url_decode;

/// A check reported only once the request is known to have a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub check: C,
    pub target: &'static str,
    pub detail: Vec<u8>,
}

/// What [`check`] leaves for the body.
#[derive(Debug, Default)]
pub struct BodyChecks {
    /// The head announces a body (`Content-Length` > 0 or `Transfer-Encoding`).
    pub announced: bool,
    pub pending: Vec<Pending>,
}

const TRANSFER_CODINGS: [&str; 6] = [
    "chunked",
    "gzip",
    "x-gzip",
    "deflate",
    "compress",
    "x-compress",
];

fn version_name(version: HttpVersion) -> &'static str {
    match version {
        HttpVersion::Http10 => "HTTP/1.0",
        HttpVersion::Http11 => "HTTP/1.1",
        HttpVersion::Http2 => "HTTP/2",
        HttpVersion::Http3 => "HTTP/3",
    }
}

fn is_http1(version: HttpVersion) -> bool {
    matches!(version, HttpVersion::Http10 | HttpVersion::Http11)
}

/// Runs the head checks; returns what waits for a body.
pub fn check(head: &RequestHead, settings: &ProtocolSettings, sink: &mut dyn Sink) -> BodyChecks {
    request_line(head, settings, sink);
    host(head, sink);
    let mut body = framing(head, sink);
    content_type(head, settings, &mut body, sink);
    fields::ranges(head, settings, sink);
    fields::connection(head, sink);
    fields::client_headers(head, settings, sink);
    restricted(head, settings, sink);
    path(head, settings, sink);
    body
}

fn request_line(head: &RequestHead, settings: &ProtocolSettings, sink: &mut dyn Sink) {
    let method = head.method.as_str();
    let well_formed = !method.is_empty()
        && method.len() <= 32
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !well_formed {
        sink.report(C::MethodMalformed, "method", method.as_bytes());
    }
    if !settings
        .allowed_methods
        .iter()
        .any(|m| m == "*" || m == method)
    {
        sink.report(C::MethodNotAllowed, "method", method.as_bytes());
    }
    let version = version_name(head.version);
    if !settings
        .allowed_http_versions
        .iter()
        .any(|v| v.eq_ignore_ascii_case(version))
    {
        sink.report(C::HttpVersionNotAllowed, "version", version.as_bytes());
    }
    target(head, sink);
}

fn target(head: &RequestHead, sink: &mut dyn Sink) {
    let uri = head.uri.as_slice();
    let method = head.method.as_str();
    let raw_bad = uri
        .iter()
        .any(|&b| (b != 0 && b < 0x20) || b == b' ' || b == 0x7f);
    let lower_starts = |prefix: &[u8]| {
        uri.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
    };
    let scheme = [&b"http://"[..], b"https://"]
        .into_iter()
        .find(|s| lower_starts(s))
        .map(<[u8]>::len);
    let fits = if uri.is_empty() {
        false
    } else if uri == b"*" {
        method == "OPTIONS"
    } else if method == "CONNECT" {
        authority_form(uri)
    } else if uri.first() == Some(&b'/') {
        !head.path().contains(&b'\\')
    } else if let Some(len) = scheme {
        let rest = uri.get(len..).unwrap_or_default();
        let end = rest
            .iter()
            .position(|&b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
        if end > 0 && !matches!(rest.get(end), Some(b'/')) {
            sink.report(C::AbsoluteTargetWithoutPath, "uri", uri);
        }
        end > 0
    } else {
        false
    };
    if raw_bad || !fits {
        sink.report(C::RequestTargetMalformed, "uri", uri);
    }
    if wants(sink, C::FragmentInTarget) && uri.contains(&b'#') {
        sink.report(C::FragmentInTarget, "uri", uri);
    }
}

/// `host:port` as CONNECT takes it.
fn authority_form(uri: &[u8]) -> bool {
    let Some(colon) = uri.iter().rposition(|&b| b == b':') else {
        return false;
    };
    let (host, port) = (
        uri.get(..colon).unwrap_or_default(),
        uri.get(colon + 1..).unwrap_or_default(),
    );
    !host.is_empty()
        && !port.is_empty()
        && port.len() <= 5
        && port.iter().all(u8::is_ascii_digit)
        && !host.iter().any(|&b| matches!(b, b'/' | b'?' | b'#' | b'@'))
}

/// Absence checks (User-Agent, Accept, framing) judge what a client omitted,
/// so they need the client's whole header set. Every HTTP/1.1 client sends
/// `Host` (a server answers 400 without it), so an HTTP/1.1 head without one
/// comes from a caller that forwarded only part of the request (the check API,
/// a test) and is not judged on absences. HTTP/1.0 (where Host is optional)
/// and HTTP/2 and 3 (where the authority travels in `:authority`) are.
pub(super) fn judges_absence(head: &RequestHead) -> bool {
    head.version != HttpVersion::Http11 || head.header("host").is_some()
}

fn host(head: &RequestHead, sink: &mut dyn Sink) {
    let hosts: Vec<&[u8]> = head.header_values("host").collect();
    match hosts.as_slice() {
        [] if head.version == HttpVersion::Http10 => {
            sink.report(C::HostMissing, "header:host", b"")
        }
        [] => {}
        [one] => {
            let value = one.trim_ascii();
            if value.is_empty() {
                sink.report(C::HostEmpty, "header:host", b"");
            } else if is_ip_literal(value) {
                sink.report(C::HostIsIpAddress, "header:host", value);
            }
        }
        [first, ..] => sink.report(C::MultipleHost, "header:host", first),
    }
}

/// An IPv4 or bracketed IPv6 literal, with or without a port (also the
/// all-digit forms some resolvers accept, such as `2130706433`).
fn is_ip_literal(host: &[u8]) -> bool {
    if host.first() == Some(&b'[') {
        return host.contains(&b']');
    }
    let name = match host.iter().rposition(|&b| b == b':') {
        Some(colon)
            if host
                .get(colon + 1..)
                .is_some_and(|p| p.iter().all(u8::is_ascii_digit)) =>
        {
            host.get(..colon).unwrap_or_default()
        }
        _ => host,
    };
    !name.is_empty()
        && name.last().is_some_and(u8::is_ascii_digit)
        && name.iter().all(|&b| b.is_ascii_digit() || b == b'.')
}

fn framing(head: &RequestHead, sink: &mut dyn Sink) -> BodyChecks {
    let lengths: Vec<&[u8]> = head.header_values("content-length").collect();
    let codings: Vec<&[u8]> = head.header_values("transfer-encoding").collect();
    if !codings.is_empty() && !lengths.is_empty() {
        sink.report(
            C::ContentLengthAndTransferEncoding,
            "header:content-length",
            b"content-length + transfer-encoding",
        );
    }
    let valid = |v: &&[u8]| !v.is_empty() && v.iter().all(u8::is_ascii_digit);
    if !lengths.iter().all(valid) || lengths.windows(2).any(|w| w[0] != w[1]) {
        sink.report(
            C::InvalidContentLength,
            "header:content-length",
            &lengths.join(&b","[..]),
        );
    }
    if !codings.is_empty() && !transfer_encoding_ok(head.version, &codings) {
        sink.report(
            C::TransferEncodingInvalid,
            "header:transfer-encoding",
            &codings.join(&b","[..]),
        );
    }
    let length = lengths
        .first()
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.parse::<u64>().ok());
    let announced = !codings.is_empty() || length.is_some_and(|n| n > 0);
    let mut body = BodyChecks {
        announced,
        pending: Vec::new(),
    };
    let method = head.method.as_str();
    if method == "GET" || method == "HEAD" {
        body.pending.push(Pending {
            check: C::BodyOnGetOrHead,
            target: "method",
            detail: method.as_bytes().to_vec(),
        });
    }
    if matches!(method, "POST" | "PUT" | "PATCH")
        && lengths.is_empty()
        && codings.is_empty()
        && is_http1(head.version)
        && judges_absence(head)
    {
        sink.report(
            C::BodyWithoutLength,
            "header:content-length",
            method.as_bytes(),
        );
    }
    body
}

/// A single, final `chunked`, possibly after known compressions, on HTTP/1.1.
fn transfer_encoding_ok(version: HttpVersion, values: &[&[u8]]) -> bool {
    if version != HttpVersion::Http11 {
        return false;
    }
    let codings: Vec<String> = values
        .iter()
        .flat_map(|v| v.split(|&b| b == b','))
        .map(|c| String::from_utf8_lossy(c.trim_ascii()).to_ascii_lowercase())
        .collect();
    codings.last().is_some_and(|c| c == "chunked")
        && codings.iter().filter(|c| *c == "chunked").count() == 1
        && codings
            .iter()
            .all(|c| TRANSFER_CODINGS.contains(&c.as_str()))
}

fn content_type(
    head: &RequestHead,
    settings: &ProtocolSettings,
    body: &mut BodyChecks,
    sink: &mut dyn Sink,
) {
    let values: Vec<&[u8]> = head.header_values("content-type").collect();
    if values.len() > 1 {
        body.pending.push(Pending {
            check: C::MultipleContentType,
            target: "header:content-type",
            detail: values.join(&b" | "[..]),
        });
    }
    let Some(value) = values
        .first()
        .map(|v| v.trim_ascii())
        .filter(|v| !v.is_empty())
    else {
        body.pending.push(Pending {
            check: C::BodyWithoutContentType,
            target: "header:content-type",
            detail: Vec::new(),
        });
        return;
    };
    let target = "header:content-type";
    let media = match media::parse(value) {
        Ok(media) => media,
        Err(_) => {
            sink.report(C::ContentTypeMalformed, target, value);
            return;
        }
    };
    // One space after '=' is a common client quirk; more, or any before it,
    // makes parsers disagree about the value (notably the multipart boundary).
    if media.space_before_eq || media.max_space_after_eq > 1 {
        sink.report(C::ContentTypeMalformed, target, value);
    }
    if !media::type_allowed(&media, &settings.allowed_content_types) {
        // Another multipart kind may still be parsed as parts by the application
        // while Palisade sees one opaque body.
        let check = if media.kind.eq_ignore_ascii_case(b"multipart") {
            C::MultipartTypeNotAllowed
        } else {
            C::ContentTypeNotAllowed
        };
        body.pending.push(Pending {
            check,
            target,
            detail: value.to_vec(),
        });
    }
    // A charset only matters for the body it decodes.
    let charsets: Vec<String> = media.values("charset").map(media::clean_charset).collect();
    let hidden_charset = media.params.iter().any(|p| {
        !p.name.eq_ignore_ascii_case(b"charset")
            && super::find_ignore_case(&p.value, b"charset").is_some()
    });
    if charsets.len() > 1 || hidden_charset {
        body.pending.push(Pending {
            check: C::CharsetAmbiguous,
            target,
            detail: value.to_vec(),
        });
    }
    if charsets
        .iter()
        .any(|c| !charset_allowed(c, &settings.allowed_charsets))
    {
        body.pending.push(Pending {
            check: C::CharsetNotAllowed,
            target,
            detail: value.to_vec(),
        });
    }
    for param in &media.params {
        match media::embedded_media_type(&param.value) {
            Some(true) => sink.report(C::MediaTypeInContentTypeParam, target, value),
            Some(false) => sink.report(C::AnyMediaTypeInContentTypeParam, target, value),
            None => {}
        }
    }
}

fn restricted(head: &RequestHead, settings: &ProtocolSettings, sink: &mut dyn Sink) {
    for header in &head.headers {
        let name = header.name.as_str();
        if settings
            .restricted_headers
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
        {
            let target = format!("header:{}", name.to_ascii_lowercase());
            sink.report(C::RestrictedHeader, &target, name.as_bytes());
        }
        if settings
            .strict_restricted_headers
            .iter()
            .any(|r| r.eq_ignore_ascii_case(name))
        {
            let target = format!("header:{}", name.to_ascii_lowercase());
            sink.report(C::StrictRestrictedHeader, &target, name.as_bytes());
        }
    }
}

fn path(head: &RequestHead, settings: &ProtocolSettings, sink: &mut dyn Sink) {
    // Only origin-form and absolute-form targets name a file.
    if head.path().first() != Some(&b'/') {
        return;
    }
    let decoded = url_decode(head.path());
    for segment in decoded.split(|&b| b == b'/') {
        let file = segment.split(|&b| b == b';').next().unwrap_or_default();
        if file.len() > 1 && file.ends_with(b"~") && file.contains(&b'.') {
            sink.report(C::BackupFile, "path", &decoded);
        }
        // `name.ext:stream` (`index.asp::$DATA`) names an NTFS alternate data
        // stream; a colon before any dot (`File:Logo.png`, `v1/x:cancel`) does not.
        let dot = file.iter().position(|&b| b == b'.');
        let colon = file.iter().rposition(|&b| b == b':');
        if let (Some(dot), Some(colon)) = (dot, colon) {
            if dot > 0 && dot + 1 < colon {
                sink.report(C::AlternateDataStream, "path", &decoded);
            }
        }
    }
    let last = decoded.rsplit(|&b| b == b'/').next().unwrap_or_default();
    let file = last.split(|&b| b == b';').next().unwrap_or_default();
    if let Some(dot) = file.iter().rposition(|&b| b == b'.') {
        let ext = file.get(dot..).unwrap_or_default();
        if settings
            .restricted_extensions
            .iter()
            .any(|r| r.as_bytes().eq_ignore_ascii_case(ext))
        {
            sink.report(C::RestrictedExtension, "path", &decoded);
        }
    }
}

/// Argument checks that need the policy or the request method.
pub fn check_arg(value: Value<'_>, settings: &ProtocolSettings, method: &str, sink: &mut dyn Sink) {
    let form_like = matches!(
        value.origin,
        Origin::Query | Origin::Form | Origin::Multipart
    );
    if !form_like {
        return;
    }
    if value.is_name {
        // Query names only: body field names are framework-generated (ASP.NET
        // control paths, nested PHP arrays) and legitimately long.
        let max = settings.max_arg_name_bytes;
        if value.origin == Origin::Query && max > 0 && value.bytes.len() > max {
            sink.report(C::ArgNameTooLong, &value.label(), value.bytes);
        }
        return;
    }
    // `_method=DELETE` (Rails, Laravel and others) switches the method an
    // application acts on; the same method as the request's is harmless.
    if value.name == "_method"
        && wants(sink, C::MethodOverride)
        && (3..=10).contains(&value.bytes.len())
        && value.bytes.iter().all(u8::is_ascii_alphabetic)
        && !value.bytes.eq_ignore_ascii_case(method.as_bytes())
    {
        sink.report(C::MethodOverride, &value.label(), value.bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literals() {
        for ip in [
            &b"127.0.0.1"[..],
            b"1.2.3.4:8080",
            b"[::1]",
            b"[fe80::1]:80",
            b"2130706433",
        ] {
            assert!(is_ip_literal(ip), "{}", String::from_utf8_lossy(ip));
        }
        for name in [
            &b"localhost"[..],
            b"deadbeef.de:8080",
            b"www.example.com",
            b"1.2.3.example",
        ] {
            assert!(!is_ip_literal(name), "{}", String::from_utf8_lossy(name));
        }
    }

    #[test]
    fn transfer_codings() {
        assert!(transfer_encoding_ok(HttpVersion::Http11, &[b"chunked"]));
        assert!(transfer_encoding_ok(
            HttpVersion::Http11,
            &[b"gzip, chunked"]
        ));
        assert!(!transfer_encoding_ok(
            HttpVersion::Http11,
            &[b"chunked, identity"]
        ));
        assert!(!transfer_encoding_ok(HttpVersion::Http11, &[b"xchunked"]));
        assert!(!transfer_encoding_ok(
            HttpVersion::Http11,
            &[b"chunked", b"chunked"]
        ));
        assert!(!transfer_encoding_ok(HttpVersion::Http10, &[b"chunked"]));
    }

    /// Collects what the checks report, at a chosen paranoia level.
    struct Collect(crate::rule::Paranoia, Vec<C>);

    impl Sink for Collect {
        fn paranoia(&self) -> crate::rule::Paranoia {
            self.0
        }
        fn report(&mut self, check: C, _target: &str, _detail: &[u8]) {
            if wants(self, check) {
                self.1.push(check);
            }
        }
    }

    /// What `check` reports at once (pending body checks are left out).
    fn run(head: &RequestHead, settings: &ProtocolSettings, level: u8) -> Vec<C> {
        let level = crate::rule::Paranoia::new(level).unwrap();
        let mut sink = Collect(level, Vec::new());
        let _ = check(head, settings, &mut sink);
        sink.1
    }

    #[test]
    fn host_and_absence_rules_follow_the_version() {
        let settings = ProtocolSettings::default();
        let mut old = RequestHead::new("GET", b"/").with_header("User-Agent", "x/1");
        old.version = HttpVersion::Http10;
        assert!(run(&old, &settings, 1).contains(&C::HostMissing));
        // HTTP/1.1 without Host: a partial head, no absence is judged.
        let partial = RequestHead::new("GET", b"/");
        assert_eq!(run(&partial, &settings, 4), Vec::<C>::new());
        let mut h2 = RequestHead::new("GET", b"/").with_header("Accept", "*/*");
        h2.version = HttpVersion::Http2;
        let found = run(&h2, &settings, 2);
        assert!(found.contains(&C::UserAgentMissing) && !found.contains(&C::HostMissing));
        assert!(!run(&h2, &settings, 1).contains(&C::UserAgentMissing));
    }

    #[test]
    fn policy_lists_drive_the_checks() {
        let text = "[engine]\n[engine.protocol]\nallowed_methods = [\"GET\"]\nrestricted_extensions = [\".md\"]\n";
        let policy = crate::policy::Policy::parse("p.toml", text).unwrap();
        let settings = &policy.engine.protocol;
        let put = RequestHead::new("PUT", b"/notes/README.md").with_header("Host", "x");
        let found = run(&put, settings, 1);
        assert!(found.contains(&C::MethodNotAllowed) && found.contains(&C::RestrictedExtension));
        let found = run(&put, &ProtocolSettings::default(), 1);
        assert!(!found.contains(&C::MethodNotAllowed) && !found.contains(&C::RestrictedExtension));
    }

    #[test]
    fn body_checks_wait_for_a_body() {
        let settings = ProtocolSettings::default();
        let head = RequestHead::new("GET", b"/")
            .with_header("Host", "x")
            .with_header("Content-Type", "text/plain; charset=ibm037");
        let mut sink = Collect(crate::rule::Paranoia::MIN, Vec::new());
        let body = check(&head, &settings, &mut sink);
        assert!(!body.announced);
        assert!(sink.1.is_empty());
        let pending: Vec<C> = body.pending.iter().map(|p| p.check).collect();
        assert!(pending.contains(&C::BodyOnGetOrHead) && pending.contains(&C::CharsetNotAllowed));
    }
}
