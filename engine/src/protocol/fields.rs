//! Header-field checks: byte ranges (`Range`, `Content-Range`), `Connection`
//! options, the `Accept` family, `User-Agent`, `Cache-Control`, client hints,
//! method-override headers and the legacy `X-Up-Devcap-Post-Charset`.
//!
//! Contract: each check reads only the named fields of the head and reports
//! through the sink; absence checks (no `Accept`, no `User-Agent`) apply only
//! when [`super::head::judges_absence`] says the head carries the client's
//! whole header set.

use super::head::judges_absence;
use super::media::{self, charset_allowed};
use super::{wants, ProtocolCheck as C, Sink};
use crate::policy::ProtocolSettings;
use crate::request::RequestHead;
use crate::transform::url_decode::url_decode;

/// Headers whose removal by a hop (`Connection: <name>`) changes what the origin sees.
const PROTECTED_HEADERS: [&str; 11] = [
    "host",
    "content-length",
    "transfer-encoding",
    "authorization",
    "cookie",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
    "x-real-ip",
    "forwarded",
    "x-client-ip",
];

const KNOWN_CODINGS: [&str; 14] = [
    "gzip",
    "deflate",
    "br",
    "zstd",
    "compress",
    "identity",
    "*",
    "x-gzip",
    "x-compress",
    "aes128gcm",
    "exi",
    "pack200-gzip",
    "dcb",
    "dcz",
];

pub fn ranges(head: &RequestHead, settings: &ProtocolSettings, sink: &mut dyn Sink) {
    for value in head.header_values("range") {
        if wants(sink, C::RangeHeaderPresent) {
            sink.report(C::RangeHeaderPresent, "header:range", value);
        }
        let Some((count, malformed)) = byte_ranges(value) else {
            continue;
        };
        if malformed {
            sink.report(C::RangeMalformed, "header:range", value);
        }
        if count > settings.max_byte_ranges {
            sink.report(C::RangeTooMany, "header:range", value);
        }
        if count > 5 {
            let pdf = url_decode(head.path())
                .to_ascii_lowercase()
                .ends_with(b".pdf");
            if !pdf {
                sink.report(C::RangeManyForNonPdf, "header:range", value);
            }
            sink.report(C::RangeManyAny, "header:range", value);
        }
    }
    for value in head.header_values("content-range") {
        if !content_range_ok(value) {
            sink.report(C::ContentRangeMalformed, "header:content-range", value);
        }
    }
}

/// The number of byte ranges and whether the set is unusable: a spec that is
/// not `first-last`, `first-` or `-suffix`, or more than two ranges overlapping
/// earlier ones (the shape of range-amplification attacks). `None` for units
/// other than `bytes`, which servers ignore. Specs with `last < first` are
/// invalid ranges servers skip (RFC 9110 14.1.1) and are neither counted as
/// overlapping nor refused.
fn byte_ranges(value: &[u8]) -> Option<(usize, bool)> {
    let value = value.trim_ascii();
    let specs = value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case(b"bytes="))
        .and_then(|_| value.get(6..))?;
    let number = |p: &[u8]| -> Option<u64> {
        (!p.is_empty() && p.len() <= 19 && p.iter().all(u8::is_ascii_digit))
            .then(|| std::str::from_utf8(p).ok()?.parse().ok())
            .flatten()
    };
    let mut count = 0;
    let mut malformed = false;
    let mut spans: Vec<(u64, u64)> = Vec::new();
    for spec in specs.split(|&b| b == b',').map(<[u8]>::trim_ascii) {
        if spec.is_empty() {
            continue;
        }
        count += 1;
        let Some(dash) = spec.iter().position(|&b| b == b'-') else {
            malformed = true;
            continue;
        };
        let first = spec.get(..dash).unwrap_or_default();
        let last = spec.get(dash + 1..).unwrap_or_default();
        match (first.is_empty(), last.is_empty()) {
            (true, true) => malformed = true,
            (true, false) => malformed |= number(last).is_none(),
            (false, true) => match number(first) {
                Some(f) => spans.push((f, u64::MAX)),
                None => malformed = true,
            },
            (false, false) => match (number(first), number(last)) {
                (Some(f), Some(l)) if f <= l => spans.push((f, l)),
                (Some(_), Some(_)) => {}
                _ => malformed = true,
            },
        }
    }
    spans.truncate(1024);
    spans.sort_unstable();
    let mut overlapping = 0;
    let mut reach: Option<u64> = None;
    for &(first, last) in &spans {
        if reach.is_some_and(|r| first <= r) {
            overlapping += 1;
        }
        reach = Some(reach.map_or(last, |r| r.max(last)));
    }
    Some((count, malformed || overlapping > 2))
}

/// `bytes first-last/length`, `bytes first-last/*` or `bytes */length`.
fn content_range_ok(value: &[u8]) -> bool {
    let value = value.trim_ascii();
    let Some(rest) = value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case(b"bytes "))
        .and_then(|_| value.get(6..))
    else {
        return false;
    };
    let number = |p: &[u8]| -> Option<u64> {
        (!p.is_empty() && p.len() <= 19 && p.iter().all(u8::is_ascii_digit))
            .then(|| std::str::from_utf8(p).ok()?.parse().ok())
            .flatten()
    };
    let Some((range, length)) = rest.split_once_byte(b'/') else {
        return false;
    };
    let length = if length == b"*" {
        None
    } else {
        Some(number(length))
    };
    if range == b"*" {
        return matches!(length, Some(Some(_)));
    }
    let Some((first, last)) = range.split_once_byte(b'-') else {
        return false;
    };
    match (number(first), number(last), length) {
        (Some(f), Some(l), None) => f <= l,
        (Some(f), Some(l), Some(Some(len))) => f <= l && l < len,
        _ => false,
    }
}

trait SplitOnce {
    fn split_once_byte(&self, sep: u8) -> Option<(&[u8], &[u8])>;
}

impl SplitOnce for [u8] {
    fn split_once_byte(&self, sep: u8) -> Option<(&[u8], &[u8])> {
        let i = self.iter().position(|&b| b == sep)?;
        Some((self.get(..i)?, self.get(i + 1..)?))
    }
}

pub fn connection(head: &RequestHead, sink: &mut dyn Sink) {
    let mut options: Vec<String> = Vec::new();
    let mut conflict = false;
    for value in head.header_values("connection") {
        for option in value.split(|&b| b == b',') {
            let option = String::from_utf8_lossy(option.trim_ascii()).to_ascii_lowercase();
            if option.is_empty() {
                continue;
            }
            if PROTECTED_HEADERS.contains(&option.as_str()) {
                sink.report(
                    C::ConnectionNominatesProtected,
                    "header:connection",
                    option.as_bytes(),
                );
            }
            conflict |= options.contains(&option);
            options.push(option);
        }
    }
    let has = |o: &str| options.iter().any(|x| x == o);
    if conflict || (has("close") && has("keep-alive")) {
        let shown = options.join(",");
        sink.report(C::ConnectionConflict, "header:connection", shown.as_bytes());
    }
}

/// `Accept`, `User-Agent`, `Accept-Encoding`, `Cache-Control`, client hints.
pub fn client_headers(head: &RequestHead, settings: &ProtocolSettings, sink: &mut dyn Sink) {
    let method = head.method.as_str();
    let agent = head.header("user-agent");
    let agent_has =
        |needle: &[u8]| agent.is_some_and(|a| super::find_ignore_case(a, needle).is_some());
    // iOS CFNetwork clients send an empty Accept on some fetches; WebKit
    // components omit it on some subresource requests.
    let cfnetwork = agent_has(b"CFNetwork");
    let mut accepts = head.header_values("accept").peekable();
    if accepts.peek().is_none() && judges_absence(head) {
        let exempt =
            matches!(method, "OPTIONS" | "CONNECT") || cfnetwork || agent_has(b"AppleWebKit");
        if !exempt && wants(sink, C::AcceptMissing) {
            sink.report(C::AcceptMissing, "header:accept", b"");
        }
    }
    for accept in accepts {
        if accept.trim_ascii().is_empty() && method != "OPTIONS" && !cfnetwork {
            sink.report(C::AcceptEmpty, "header:accept", b"");
        }
        if media::accept_charsets(accept)
            .iter()
            .any(|c| !charset_allowed(c, &settings.allowed_charsets))
        {
            sink.report(C::AcceptCharsetNotAllowed, "header:accept", accept);
        }
    }
    match agent {
        None if judges_absence(head) => sink.report(C::UserAgentMissing, "header:user-agent", b""),
        None => {}
        Some(a) if a.trim_ascii().is_empty() => {
            sink.report(C::UserAgentEmpty, "header:user-agent", b"")
        }
        Some(_) => {}
    }
    for value in head.header_values("accept-encoding") {
        accept_encoding(value, sink);
    }
    if wants(sink, C::CacheControlInvalid) {
        for value in head.header_values("cache-control") {
            if !cache_control_ok(value) {
                sink.report(C::CacheControlInvalid, "header:cache-control", value);
            }
        }
    }
    if wants(sink, C::StructuredBooleanInvalid) {
        for name in ["sec-fetch-user", "sec-ch-ua-mobile"] {
            for value in head.header_values(name) {
                if !matches!(value.trim_ascii(), b"?0" | b"?1") {
                    let target = format!("header:{name}");
                    sink.report(C::StructuredBooleanInvalid, &target, value);
                }
            }
        }
    }
    for name in [
        "x-http-method-override",
        "x-http-method",
        "x-method-override",
    ] {
        for value in head.header_values(name) {
            let value = value.trim_ascii();
            if !value.is_empty() && !value.eq_ignore_ascii_case(method.as_bytes()) {
                let target = format!("header:{name}");
                sink.report(C::MethodOverride, &target, value);
            }
        }
    }
    for value in head.header_values("x-up-devcap-post-charset") {
        let legacy_client =
            agent.is_some_and(|a| a.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"UP")));
        if legacy_client
            && !charset_allowed(&media::clean_charset(value), &settings.allowed_charsets)
        {
            sink.report(
                C::DevcapCharsetNotAllowed,
                "header:x-up-devcap-post-charset",
                value,
            );
        }
    }
}

fn accept_encoding(value: &[u8], sink: &mut dyn Sink) {
    let codings: Vec<&[u8]> = value
        .split(|&b| b == b',')
        .map(|c| {
            c.split(|&b| b == b';')
                .next()
                .unwrap_or_default()
                .trim_ascii()
        })
        .filter(|c| !c.is_empty())
        .collect();
    let malformed = value.len() > 256
        || codings.len() > 16
        || codings
            .iter()
            .any(|c| c.len() > 32 || !c.iter().all(|&b| super::is_tchar(b)));
    if malformed {
        sink.report(C::AcceptEncodingMalformed, "header:accept-encoding", value);
    }
    if wants(sink, C::AcceptEncodingUnknown) {
        let unknown = codings.iter().any(|c| {
            let lower = String::from_utf8_lossy(c).to_ascii_lowercase();
            !KNOWN_CODINGS.contains(&lower.as_str())
        });
        if unknown {
            sink.report(C::AcceptEncodingUnknown, "header:accept-encoding", value);
        }
    }
}

/// Request directives of RFC 9111 (and `stale-if-error`), well formed, no empty elements.
fn cache_control_ok(value: &[u8]) -> bool {
    value.split(|&b| b == b',').all(|element| {
        let element = element.trim_ascii();
        let (name, arg) = match element.iter().position(|&b| b == b'=') {
            Some(eq) => (
                element.get(..eq).unwrap_or_default().trim_ascii(),
                Some(element.get(eq + 1..).unwrap_or_default().trim_ascii()),
            ),
            None => (element, None),
        };
        let seconds = |a: &[u8]| !a.is_empty() && a.iter().all(u8::is_ascii_digit);
        let name = name.to_ascii_lowercase();
        match (name.as_slice(), arg) {
            (b"max-age" | b"min-fresh" | b"stale-if-error", Some(a)) => seconds(a),
            (b"max-stale", None) => true,
            (b"max-stale", Some(a)) => seconds(a),
            (b"no-cache" | b"no-store" | b"no-transform" | b"only-if-cached", None) => true,
            _ => false,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_count_and_validate() {
        assert_eq!(byte_ranges(b"bytes=0-1023"), Some((1, false)));
        assert_eq!(byte_ranges(b"bytes=0-,5-0,5-5,5-6,5-7"), Some((5, true)));
        assert_eq!(byte_ranges(b"bytes=-10,-, 21-30"), Some((3, true)));
        assert_eq!(
            byte_ranges(b"bytes=10-11, 100-101, 110-11, 120-21"),
            Some((4, false))
        );
        assert_eq!(byte_ranges(b"0-1"), None);
        assert_eq!(byte_ranges(b"bytes=1-10,   11-20,"), Some((2, false)));
    }

    #[test]
    fn content_ranges() {
        assert!(content_range_ok(b"bytes 0-1023/4096"));
        assert!(content_range_ok(b"bytes 0-1023/*"));
        assert!(content_range_ok(b"bytes */4096"));
        assert!(!content_range_ok(b"test"));
        assert!(!content_range_ok(b"bytes 4096-8192/8192"));
    }

    #[test]
    fn cache_control() {
        assert!(cache_control_ok(b"no-cache"));
        assert!(cache_control_ok(b"max-age=123, max-stale, no-cache"));
        assert!(!cache_control_ok(b"private"));
        assert!(!cache_control_ok(b"max-age=1,,,max-stale=2"));
        assert!(!cache_control_ok(b"foo=bar"));
    }
}
