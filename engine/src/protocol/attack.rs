//! Protocol attacks carried inside values: request smuggling (an HTTP request
//! line inside an argument or body), header injection and response splitting
//! (a line break followed by a header field, a status line or a second
//! message), HTML `meta http-equiv` header emulation, line breaks in the path or
//! argument names, `unix:` socket references for mod_proxy, obsolete `$Version`
//! cookies, LDAP filter break-outs, and parameter pollution at higher paranoia.
//!
//! Contract: every check is a linear scan of one decoded value (plus, for
//! duplicate query names, one 64-bit hash per name); a check looks for the
//! structure of the attack — where the line break sits, what follows it, whether
//! a parenthesis closes a filter the value did not open — rather than for words,
//! so prose that merely mentions HTTP or LDAP stays clean.

use super::{find_ignore_case, is_tchar, wants, Origin, ProtocolCheck as C, Sink, Value};
use crate::request::{cookie_pairs, RequestHead};
use crate::transform::url_decode::{percent_decode, url_decode};
use std::borrow::Cow;

/// Methods a smuggled request line may start with.
const METHODS: [&[u8]; 18] = [
    b"GET",
    b"POST",
    b"HEAD",
    b"PUT",
    b"DELETE",
    b"OPTIONS",
    b"PATCH",
    b"TRACE",
    b"TRACK",
    b"CONNECT",
    b"PROPFIND",
    b"PROPPATCH",
    b"MKCOL",
    b"COPY",
    b"MOVE",
    b"LOCK",
    b"UNLOCK",
    b"SEARCH",
];

/// Response and forwarding headers an injected line is aimed at, whose names
/// are not ordinary words: in any argument, a line `Name: value` with one of
/// these after a line break is an injection.
const HTTP_ONLY_HEADERS: [&str; 24] = [
    "set-cookie",
    "refresh",
    "content-type",
    "content-length",
    "content-disposition",
    "content-encoding",
    "content-security-policy",
    "transfer-encoding",
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "x-frame-options",
    "x-xss-protection",
    "strict-transport-security",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-server",
    "x-forwarded-proto",
    "remote-addr",
    "remote-host",
    "remote-ip",
    "x-real-ip",
    "x-client-ip",
    "x-originating-ip",
    "true-client-ip",
];

/// Header names that are also words people write at the start of a line
/// (`Location: room 5`, `Link: https://...`): injections only in query
/// arguments, where multi-line prose does not travel.
const WORD_HEADERS: [&str; 7] = [
    "location",
    "link",
    "host",
    "via",
    "cookie",
    "authorization",
    "forwarded",
];

/// Which header names count after a line break.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Names {
    /// Every field name (header values other than URLs and cookies).
    Any,
    /// [`HTTP_ONLY_HEADERS`] and [`WORD_HEADERS`].
    Query,
    /// [`HTTP_ONLY_HEADERS`].
    Body,
}

fn is_break(b: u8) -> bool {
    b == b'\r' || b == b'\n'
}

/// Head checks: the decoded path and target, cookies and header values.
pub fn check_head(head: &RequestHead, sink: &mut dyn Sink) {
    let path = url_decode(head.path());
    if path.iter().any(|&b| is_break(b)) {
        sink.report(C::LineBreakInPath, "path", &path);
    }
    let target = url_decode(&head.uri);
    if let Some(at) = find_ignore_case(&target, b"unix:") {
        if target.get(at..).is_some_and(|rest| rest.contains(&b'|')) {
            sink.report(C::ModProxyUnixSocket, "uri", &target);
        }
    }
    // One buffer for the lowercase name, reused across headers.
    let mut name = String::new();
    for header in &head.headers {
        name.clear();
        name.push_str(&header.name);
        name.make_ascii_lowercase();
        // A decoded line break needs a raw one or an escape.
        let may_break = memchr::memchr3(b'\r', b'\n', b'%', &header.value).is_some();
        let decoded = if may_break {
            percent_decode(&header.value, false)
        } else {
            Cow::default()
        };
        if decoded.iter().any(|&b| is_break(b)) {
            let label = format!("header:{name}");
            // URLs and cookies carry application data (a multi-line form field
            // in a Referer's query): judged like query arguments. In any other
            // header a decoded line break followed by a field is an injection.
            let names = match name.as_str() {
                "referer" | "origin" | "cookie" => Names::Query,
                _ => Names::Any,
            };
            if header_line_after_break(&decoded, names) {
                sink.report(C::HeaderInjection, &label, &decoded);
            }
            if response_split(&decoded, true) {
                sink.report(C::ResponseSplitting, &label, &decoded);
            }
        }
        if name != "cookie" {
            continue;
        }
        for (cookie, value) in cookie_pairs(&header.value) {
            if cookie.eq_ignore_ascii_case(b"$Version") {
                sink.report(C::CookieVersionAttribute, "cookie:$Version", value);
            }
            // A filter breakout needs a `)`, raw or escaped.
            if memchr::memchr2(b')', b'%', value).is_none() {
                continue;
            }
            let value = url_decode(value);
            if ldap_breakout(&value) {
                let label = format!("cookie:{}", String::from_utf8_lossy(cookie));
                sink.report(C::LdapFilterBreakout, &label, &value);
            }
        }
    }
}

/// Value checks on arguments, names and bodies.
pub fn check_value(value: Value<'_>, sink: &mut dyn Sink) {
    let bytes = value.bytes;
    let argument = !matches!(
        value.origin,
        Origin::RawBody | Origin::Cookie | Origin::Header | Origin::Path
    );
    let named_form = matches!(
        value.origin,
        Origin::Query | Origin::Form | Origin::Multipart
    );
    let present = value.present;
    // Each check below needs a byte an ordinary value lacks: `/` for
    // `HTTP/`, a line break, `<` for a tag, `)` to close a filter.
    if present.contains(b'/') && request_line_inside(bytes) {
        sink.report(C::RequestLineInValue, &value.label(), bytes);
    }
    // Header injection needs a value that ends up in a header: arguments and
    // names, not whole bodies.
    if argument && (present.contains(b'\r') || present.contains(b'\n')) {
        if value.is_name && named_form {
            sink.report(C::LineBreakInArgName, &value.label(), bytes);
        }
        // A value that is itself a header block or message (an inbound-email
        // webhook's `headers` field) is data, not a line appended to a value.
        let message = starts_with_header_line(bytes);
        let names = if value.origin == Origin::Query {
            Names::Query
        } else {
            Names::Body
        };
        if !message && header_line_after_break(bytes, names) {
            sink.report(C::HeaderInjection, &value.label(), bytes);
        }
        if response_split(bytes, !message) {
            sink.report(C::ResponseSplitting, &value.label(), bytes);
        }
        if value.origin == Origin::Query && !value.is_name {
            sink.report(C::LineBreakInQueryArg, &value.label(), bytes);
        }
    }
    if !argument {
        return;
    }
    if !value.is_name && present.contains(b'<') && meta_http_equiv(bytes) {
        sink.report(C::MetaHttpEquiv, &value.label(), bytes);
    }
    if present.contains(b')') && ldap_breakout(bytes) {
        sink.report(C::LdapFilterBreakout, &value.label(), bytes);
    }
    if value.is_name && matches!(value.origin, Origin::Query | Origin::Form) {
        if present.contains(b']')
            && wants(sink, C::ArrayNameTrailingText)
            && array_trailing_text(bytes)
        {
            sink.report(C::ArrayNameTrailingText, &value.label(), bytes);
        }
        if present.contains(b'[') && wants(sink, C::ArrayParam) {
            sink.report(C::ArrayParam, &value.label(), bytes);
        }
    }
}

/// Remembers a query argument name; reports it when seen before (`a[]` style
/// array names are meant to repeat and are skipped).
pub fn duplicate_query_name(seen: &mut Vec<u64>, value: Value<'_>, sink: &mut dyn Sink) {
    if value.bytes.ends_with(b"[]") {
        return;
    }
    // FNV-1a: a stable 64-bit digest keeps memory at 8 bytes per name.
    let hash = value.bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    match seen.binary_search(&hash) {
        Ok(_) => sink.report(C::DuplicateQueryParam, &value.label(), value.bytes),
        Err(at) => seen.insert(at, hash),
    }
}

/// `foo[1]a`: text after a closing bracket that does not open another one.
fn array_trailing_text(name: &[u8]) -> bool {
    name.windows(2)
        .any(|w| w.first() == Some(&b']') && w.get(1) != Some(&b'['))
}

/// `METHOD SP target SP HTTP/d` that starts the value or a line, or ends a line.
fn request_line_inside(v: &[u8]) -> bool {
    let mut from = 0;
    while let Some(rel) = v
        .get(from..)
        .and_then(|rest| find_ignore_case(rest, b"http/"))
    {
        let k = from + rel;
        from = k + 1;
        if !v.get(k + 5).is_some_and(u8::is_ascii_digit) {
            continue;
        }
        let Some(method_start) = method_before(v, k) else {
            continue;
        };
        let before = v.get(..method_start).unwrap_or_default();
        let line_start = before
            .iter()
            .rev()
            .find(|&&b| b != b' ' && b != b'\t')
            .is_none_or(|&b| is_break(b));
        let mut end = k + 5;
        while v.get(end).is_some_and(|&b| b.is_ascii_digit() || b == b'.') {
            end += 1;
        }
        while matches!(v.get(end), Some(b' ' | b'\t')) {
            end += 1;
        }
        let line_end = v.get(end).is_some_and(|&b| is_break(b));
        if line_start || line_end {
            return true;
        }
    }
    false
}

/// Where the method of `METHOD SP target SP` ends right before `k` starts.
fn method_before(v: &[u8], k: usize) -> Option<usize> {
    let blank = |b: u8| b == b' ' || b == b'\t';
    let mut e = k;
    let skip_blank = |mut e: usize| {
        while e > 0 && v.get(e - 1).is_some_and(|&b| blank(b)) {
            e -= 1;
        }
        e
    };
    let s = skip_blank(e);
    if s == e {
        return None;
    }
    e = s;
    let target_end = e;
    while e > 0 && v.get(e - 1).is_some_and(|&b| !b.is_ascii_whitespace()) {
        e -= 1;
    }
    if e == target_end {
        return None;
    }
    let s = skip_blank(e);
    if s == e {
        return None;
    }
    let letters_end = s;
    let mut start = s;
    while start > 0 && v.get(start - 1).is_some_and(u8::is_ascii_alphabetic) {
        start -= 1;
    }
    let letters = v.get(start..letters_end)?;
    METHODS.iter().find_map(|m| {
        let tail = letters.get(letters.len().checked_sub(m.len())?..)?;
        tail.eq_ignore_ascii_case(m).then(|| letters_end - m.len())
    })
}

/// A line break followed by `name: value` (optional blanks and further breaks
/// around the name), for the names `names` selects.
fn header_line_after_break(v: &[u8], names: Names) -> bool {
    let skip = |mut i: usize, set: &[u8]| {
        while v.get(i).is_some_and(|b| set.contains(b)) {
            i += 1;
        }
        i
    };
    let mut pos = 0;
    while let Some(rel) = v
        .get(pos..)
        .and_then(|r| r.iter().position(|&b| is_break(b)))
    {
        let start = skip(pos + rel + 1, b"\r\n \t");
        // Breaks inside the run just skipped lead to the same line: go past it.
        pos = start;
        let mut end = start;
        while v.get(end).is_some_and(|&b| is_tchar(b)) {
            end += 1;
        }
        if end == start {
            continue;
        }
        let colon = skip(end, b"\r\n \t");
        if v.get(colon) != Some(&b':') {
            continue;
        }
        let value = skip(colon + 1, b" \t");
        if v.get(value).is_none_or(|&b| is_break(b)) {
            continue;
        }
        let name =
            String::from_utf8_lossy(v.get(start..end).unwrap_or_default()).to_ascii_lowercase();
        let name = name.as_str();
        let counts = match names {
            Names::Any => true,
            Names::Query => HTTP_ONLY_HEADERS.contains(&name) || WORD_HEADERS.contains(&name),
            Names::Body => HTTP_ONLY_HEADERS.contains(&name),
        };
        if counts {
            return true;
        }
    }
    false
}

/// Whether the first line of `v` is `name: ...`.
fn starts_with_header_line(v: &[u8]) -> bool {
    let name = v.iter().take_while(|&&b| is_tchar(b)).count();
    let rest = v.get(name..).unwrap_or_default();
    let rest = rest
        .get(
            rest.iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count()..,
        )
        .unwrap_or_default();
    name > 0 && rest.first() == Some(&b':')
}

/// A line break followed by a status line, or (with `html_after_blank`) a
/// blank line followed by HTML.
fn response_split(v: &[u8], html_after_blank: bool) -> bool {
    let mut pos = 0;
    while let Some(rel) = v
        .get(pos..)
        .and_then(|r| r.iter().position(|&b| is_break(b)))
    {
        // The whole run of breaks and blanks from the first break: its end is
        // where the next line starts, its breaks tell a blank line.
        let mut j = pos + rel;
        let (mut lf, mut cr) = (0, 0);
        while let Some(&b) = v.get(j) {
            match b {
                b'\n' => lf += 1,
                b'\r' => cr += 1,
                b' ' | b'\t' => {}
                _ => break,
            }
            j += 1;
        }
        pos = j;
        let rest = v.get(j..).unwrap_or_default();
        let status = rest.len() >= 12
            && rest
                .get(..5)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"http/"))
            && rest.get(5).is_some_and(u8::is_ascii_digit)
            && rest.get(6) == Some(&b'.')
            && rest.get(7).is_some_and(u8::is_ascii_digit)
            && rest.get(8) == Some(&b' ')
            && rest
                .get(9..12)
                .is_some_and(|c| c.iter().all(u8::is_ascii_digit));
        let blank_line = lf >= 2 || (lf == 0 && cr >= 2);
        if status || (html_after_blank && blank_line && html_start(rest)) {
            return true;
        }
    }
    false
}

fn html_start(rest: &[u8]) -> bool {
    let Some(tag) = rest.strip_prefix(b"<") else {
        return false;
    };
    [
        &b"html"[..],
        b"head",
        b"body",
        b"script",
        b"meta",
        b"title",
        b"iframe",
        b"svg",
        b"!doctype",
    ]
    .iter()
    .any(|t| {
        tag.get(..t.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(t))
    })
}

/// `<meta ... http-equiv` within one tag.
fn meta_http_equiv(v: &[u8]) -> bool {
    // A tag ends at `>` or at the next `<`, and is looked at for at most
    // MAX_TAG_BYTES: the scan stays linear in the value.
    const MAX_TAG_BYTES: usize = 512;
    let mut from = 0;
    while let Some(rel) = v
        .get(from..)
        .and_then(|rest| find_ignore_case(rest, b"<meta"))
    {
        let start = from + rel + 5;
        let rest = v.get(start..).unwrap_or_default();
        let rest = rest
            .get(..rest.len().min(MAX_TAG_BYTES))
            .unwrap_or_default();
        let end = rest
            .iter()
            .position(|&b| b == b'>' || b == b'<')
            .unwrap_or(rest.len());
        if find_ignore_case(rest.get(..end).unwrap_or_default(), b"http-equiv").is_some() {
            return true;
        }
        from = start;
    }
    false
}

/// A `)` that closes a filter the value never opened, followed by a new filter
/// component: `x)(uid=*)`, `x)(|(a=b)`, `*)!(sn=*`, `x)&(cn=y`.
fn ldap_breakout(v: &[u8]) -> bool {
    let mut depth = 0usize;
    // Only parentheses matter: jump from one to the next.
    for i in memchr::memchr2_iter(b'(', b')', v) {
        match v.get(i) {
            Some(b'(') => depth += 1,
            Some(b')') if depth > 0 => depth -= 1,
            Some(b')') if filter_follows(v.get(i + 1..).unwrap_or_default()) => return true,
            _ => {}
        }
    }
    false
}

fn filter_follows(rest: &[u8]) -> bool {
    let ws = |r: &[u8]| -> usize { r.iter().take_while(|b| b.is_ascii_whitespace()).count() };
    let mut spaced = ws(rest) > 0;
    let mut r = rest.get(ws(rest)..).unwrap_or_default();
    if matches!(r.first(), Some(b'&' | b'|' | b'!')) {
        r = r.get(1..).unwrap_or_default();
        spaced |= ws(r) > 0;
        r = r.get(ws(r)..).unwrap_or_default();
    }
    let Some(r) = r.strip_prefix(b"(") else {
        return false;
    };
    let r = r.get(ws(r)..).unwrap_or_default();
    // `)(uid=*` is filter syntax; `1) (price=10)` in prose needs an operator.
    match r.first() {
        Some(b'&' | b'|' | b'!' | b'(') => true,
        Some(b) if b.is_ascii_alphanumeric() && !spaced => attribute_comparison(r),
        _ => false,
    }
}

/// `attr=`, `attr>=`, `attr<=`, `attr~=`, `attr:1.2.3:=` at the start of `r`.
fn attribute_comparison(r: &[u8]) -> bool {
    let end = r
        .iter()
        .position(|&b| {
            !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b';' | b':' | b'_'))
        })
        .unwrap_or(r.len());
    let rest = r.get(end..).unwrap_or_default();
    let rest = rest
        .get(rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..)
        .unwrap_or_default();
    let rest = match rest.first() {
        Some(b'~' | b'<' | b'>') => rest.get(1..).unwrap_or_default(),
        _ => rest,
    };
    end > 0 && rest.first() == Some(&b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        assert!(request_line_inside(b"\nPOST / HTTP/1.1"));
        assert!(request_line_inside(
            b"aaa\rHEAD http://example.com/ HTTP/1.1"
        ));
        assert!(request_line_inside(
            b"barGET /a.html HTTP/1.1\r\nSomething: "
        ));
        assert!(request_line_inside(b"GET http://www.foo.bar HTTP/1.2"));
        assert!(!request_line_inside(b"aaa\r\nGet /foo\r"));
        assert!(!request_line_inside(b"the docs say GET / HTTP/1.1 works"));
    }

    #[test]
    fn header_lines() {
        assert!(header_line_after_break(
            b"foobar\r\nContent-Length: 0",
            Names::Body
        ));
        assert!(header_line_after_break(
            b"\r\nRemote-addr\r\r\r: foo.bar.com",
            Names::Query
        ));
        assert!(!header_line_after_break(b"\n\rlocation:\n\r", Names::Query));
        assert!(!header_line_after_break(
            b"Meeting\nLocation: room 5",
            Names::Body
        ));
        assert!(header_line_after_break(b"x\rInjectedHeader: y", Names::Any));
    }

    #[test]
    fn splitting() {
        assert!(response_split(b"a\r\n\r\nHTTP/1.1 200 OK", true));
        assert!(response_split(
            b"munchmuch\r\n\r\n<HTML><title></title></HTML>",
            true
        ));
        assert!(!response_split(b"Hello\r\n\r\nThanks", true));
        assert!(starts_with_header_line(
            b"Received: by mx.example\nContent-Type: text/plain"
        ));
        assert!(!starts_with_header_line(b"foobar\r\nContent-Length: 0"));
        assert!(meta_http_equiv(
            b"foo<meta http-equiv=\"Refresh\" content=\"0\">"
        ));
        assert!(!meta_http_equiv(b"<meta charset=utf-8>"));
    }

    #[test]
    fn ldap() {
        for attack in [
            &b"bar)(&)"[..],
            b"printer)(uid=*)",
            b"eb9adbd87d)!(sn=*",
            b"aaa*aaa)(cn>=bob)",
            b"john)(sn~=smith",
            b"admin)(|",
            b"val)&(cn=admin",
            b"test) ( & ",
        ] {
            assert!(ldap_breakout(attack), "{}", String::from_utf8_lossy(attack));
        }
        for benign in [
            &b"(&(objectCategory=computer)  (userAccountControl:1.2.840.113556.1.4.803:=8192))"[..],
            b"(userAccountControl:1.2.840.113556.1.4.803:=67108864)(&(objectCategory=group))",
            b"(1+2)+(3+4)",
            b"great :) (really)",
            b"Option 1) (price=10)",
        ] {
            assert!(
                !ldap_breakout(benign),
                "{}",
                String::from_utf8_lossy(benign)
            );
        }
    }

    #[test]
    fn array_names() {
        assert!(array_trailing_text(b"foo[1]a"));
        assert!(array_trailing_text(b"foo[1]a[2]"));
        assert!(!array_trailing_text(b"foo[1][2]"));
    }
}
