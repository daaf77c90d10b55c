//! Encoding checks: percent-escapes (invalid, `%u` full-width, still encoded
//! after decoding), UTF-8 validity, `\u` escapes of plain characters, and the
//! byte ranges allowed in the URI, arguments and headers (NUL at paranoia 1,
//! control characters at 2, anything outside printable ASCII at 3, a strict
//! character set at 4).
//!
//! Contract: values arrive decoded once (by the query and form parsers, or by
//! [`check_head`] for the path and header values); the raw form body is scanned
//! by [`PercentScan`], which keeps at most five pending bytes between chunks, so
//! a split anywhere in an escape reports exactly what the whole body would.

use super::{wants, Origin, ProtocolCheck as C, RequestState, Sink, Value};
use crate::request::RequestHead;
use crate::transform::summary::ByteSet;
use crate::transform::url_decode::{percent_decode, url_decode};

/// How far a `%` escape has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Escape {
    Incomplete,
    Plain,
    FullWidth,
    Invalid,
}

/// Classifies `seq`, which starts with `%`.
fn classify(seq: &[u8]) -> Escape {
    match seq.get(1) {
        None => Escape::Incomplete,
        Some(b'u' | b'U') => {
            let digits = seq.get(2..).unwrap_or_default();
            if !digits.iter().all(u8::is_ascii_hexdigit) {
                Escape::Invalid
            } else if digits.len() < 4 {
                Escape::Incomplete
            } else {
                let value = digits
                    .iter()
                    .fold(0u32, |acc, &d| acc * 16 + u32::from(hex_value(d)));
                if (0xff00..=0xffef).contains(&value) {
                    Escape::FullWidth
                } else {
                    Escape::Plain
                }
            }
        }
        Some(h) if h.is_ascii_hexdigit() => match seq.get(2) {
            None => Escape::Incomplete,
            Some(l) if l.is_ascii_hexdigit() => Escape::Plain,
            Some(_) => Escape::Invalid,
        },
        Some(_) => Escape::Invalid,
    }
}

fn hex_value(d: u8) -> u8 {
    match d {
        b'0'..=b'9' => d - b'0',
        b'a'..=b'f' => d - b'a' + 10,
        b'A'..=b'F' => d - b'A' + 10,
        _ => 0,
    }
}

/// Streaming scan of raw percent-encoded bytes for invalid escapes and `%u`
/// escapes of full-width characters. Findings are kept (the first of each
/// kind) and reported by [`PercentScan::finish`], so where a chunk ends never
/// changes what is reported or in which order.
#[derive(Debug, Clone, Default)]
pub struct PercentScan {
    pending: [u8; 6],
    len: usize,
    /// Skip invalid escapes (the URI only reports `%u` abuse).
    quiet_invalid: bool,
    invalid: Option<Vec<u8>>,
    full_width: Option<Vec<u8>>,
}

impl PercentScan {
    /// Feeds raw bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some(&b) = rest.first() {
            if self.len == 0 {
                // Between escapes: straight to the next `%`.
                let Some(at) = memchr::memchr(b'%', rest) else {
                    return;
                };
                // `%XX` whole in this chunk: plain, passed over at once.
                let hex = |i: usize| rest.get(at + i).is_some_and(u8::is_ascii_hexdigit);
                if hex(1) && hex(2) {
                    rest = rest.get(at + 3..).unwrap_or_default();
                    continue;
                }
                self.start();
                rest = rest.get(at + 1..).unwrap_or_default();
                continue;
            }
            self.step(b);
            rest = rest.get(1..).unwrap_or_default();
        }
    }

    fn step(&mut self, b: u8) {
        if self.len == 0 {
            if b == b'%' {
                self.start();
            }
            return;
        }
        if let Some(slot) = self.pending.get_mut(self.len) {
            *slot = b;
            self.len += 1;
        }
        let seq = self.pending.get(..self.len).unwrap_or_default();
        match classify(seq) {
            Escape::Incomplete => {}
            Escape::Plain => self.len = 0,
            Escape::FullWidth => {
                self.full_width.get_or_insert_with(|| seq.to_vec());
                self.len = 0;
            }
            Escape::Invalid => {
                if !self.quiet_invalid {
                    self.invalid.get_or_insert_with(|| seq.to_vec());
                }
                self.len = 0;
                if b == b'%' {
                    self.start();
                }
            }
        }
    }

    fn start(&mut self) {
        self.pending[0] = b'%';
        self.len = 1;
    }

    /// Ends the bytes (an escape cut short by the end is invalid) and reports.
    pub fn finish(&mut self, sink: &mut dyn Sink) {
        let target = if self.quiet_invalid { "uri" } else { "body" };
        if self.len > 0 && !self.quiet_invalid {
            let seq = self.pending.get(..self.len).unwrap_or_default().to_vec();
            self.invalid.get_or_insert(seq);
        }
        self.len = 0;
        if let Some(seq) = self.full_width.take() {
            sink.report(C::FullWidthPercentU, target, &seq);
        }
        if let Some(seq) = self.invalid.take() {
            sink.report(C::InvalidUrlEncodingInBody, target, &seq);
        }
    }
}

/// What paranoia 4 allows in header values.
fn strict_header_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b" \"&()*+,-./:;=?@[]_~".contains(&b)
}

/// Headers whose values are free text or opaque and skip the strict character set.
const FREE_TEXT_HEADERS: [&str; 3] = ["user-agent", "referer", "cookie"];

/// Encoding checks on the head: `%u` escapes in the raw target, and the byte
/// checks on the decoded path and on every decoded header value but `Host`.
pub fn check_head(head: &RequestHead, sink: &mut dyn Sink) {
    let mut scan = PercentScan {
        quiet_invalid: true,
        ..PercentScan::default()
    };
    scan.feed(&head.uri);
    scan.finish(sink);
    let path = url_decode(head.path());
    bytes_checks(&path, None, &"path", Origin::Path, sink);
    // One buffer for the `header:name` label, reused across headers.
    let mut label = String::new();
    for header in &head.headers {
        label.clear();
        label.push_str("header:");
        label.push_str(&header.name);
        label.make_ascii_lowercase();
        let name = label.get("header:".len()..).unwrap_or_default();
        // Host is a name, not a URL: percent-escapes in it are not decoded by servers.
        if name == "host" {
            continue;
        }
        let decoded = percent_decode(&header.value, false);
        bytes_checks(&decoded, None, &label, Origin::Header, sink);
        if wants(sink, C::StrictHeaderCharacter)
            && !FREE_TEXT_HEADERS.contains(&name)
            && !decoded.iter().all(|&b| strict_header_byte(b))
        {
            sink.report(C::StrictHeaderCharacter, &label, &decoded);
        }
    }
}

/// NUL, control and non-printable checks shared by the path, headers and arguments.
/// Control bytes: C0 but TAB, LF and CR (NUL included), and DEL.
const CONTROLS: ByteSet = ByteSet::range(0, 0x1f)
    .minus(ByteSet::of(b"\t\n\r"))
    .union(ByteSet::of(&[0, 0x7f]));
/// Bytes that make a value plain text whatever else it holds: printable
/// ASCII but `%`.
const PRINTABLE_NOT_PERCENT: ByteSet = ByteSet::range(b' ', b'~').minus(ByteSet::of(b"%"));
/// [`PRINTABLE_NOT_PERCENT`] and the line breaks and tab of multi-line text.
const MULTILINE_PRINTABLE_NOT_PERCENT: ByteSet =
    PRINTABLE_NOT_PERCENT.union(ByteSet::of(b"\t\r\n"));
/// What paranoia 4 allows in arguments: letters, digits and `& , - . / : = _`.
pub(super) const STRICT_ARG: ByteSet = ByteSet::range(b'0', b'9')
    .union(ByteSet::range(b'a', b'z'))
    .union(ByteSet::range(b'A', b'Z'))
    .union(ByteSet::of(b"&,-./:=_"));

/// `present`: the bytes occurring in `bytes` when already known (argument
/// values); without it each check looks at the bytes itself, only if wanted.
/// `label` is only written out for a finding.
fn bytes_checks(
    bytes: &[u8],
    present: Option<&ByteSet>,
    label: &dyn std::fmt::Display,
    origin: Origin,
    sink: &mut dyn Sink,
) {
    let nul = present.map_or_else(|| memchr::memchr(0, bytes).is_some(), |p| p.contains(0));
    if nul {
        sink.report(C::NulInValue, &label.to_string(), bytes);
    }
    let control = |p: Option<&ByteSet>| {
        p.map_or_else(
            || bytes.iter().any(|&b| CONTROLS.contains(b)),
            |p| p.intersects(&CONTROLS),
        )
    };
    if wants(sink, C::ControlCharacter) && control(present) {
        sink.report(C::ControlCharacter, &label.to_string(), bytes);
    }
    let printable_checked = matches!(
        origin,
        Origin::Path | Origin::Header | Origin::Query | Origin::Form
    );
    // Form fields hold multi-line text (textareas); line breaks there are text.
    let multiline = origin == Origin::Form;
    let surely_plain = present.is_some_and(|p| {
        p.is_subset(if multiline {
            &MULTILINE_PRINTABLE_NOT_PERCENT
        } else {
            &PRINTABLE_NOT_PERCENT
        })
    });
    if printable_checked
        && !surely_plain
        && wants(sink, C::NonPrintableCharacter)
        && !plain_text(bytes, multiline)
    {
        sink.report(C::NonPrintableCharacter, &label.to_string(), bytes);
    }
}

/// Printable ASCII or well-formed UTF-8 beyond ASCII (text in any language),
/// with no `%` that starts an escape: one left after decoding (`%41`, or `%`
/// cut off by the end of the value) means a second or broken encoding layer,
/// while `50% off` is just text.
fn plain_text(bytes: &[u8], multiline: bool) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let escape_at = |i: usize| {
        let rest = bytes.get(i + 1..).unwrap_or_default();
        match rest {
            [] => true,
            [h] => h.is_ascii_hexdigit(),
            [h, l, ..] => h.is_ascii_hexdigit() && l.is_ascii_hexdigit(),
        }
    };
    text.char_indices().all(|(i, c)| match c {
        '%' => !escape_at(i),
        ' '..='~' => true,
        '\t' | '\r' | '\n' => multiline,
        c => !c.is_ascii() && !c.is_control(),
    })
}

/// Encoding checks on one argument, name or body value.
pub fn check_value(value: Value<'_>, state: &RequestState, sink: &mut dyn Sink) {
    let bytes = value.bytes;
    let present = value.present;
    if value.origin != Origin::RawBody {
        bytes_checks(bytes, Some(&present), &value.target(), value.origin, sink);
    }
    // ASCII is valid UTF-8; `\`, `%` start the escapes looked for below.
    let non_ascii = present.intersects(&ByteSet::NON_ASCII);
    let backslash = present.contains(b'\\');
    let form = value.origin == Origin::Form;
    let form_like = matches!(
        value.origin,
        Origin::Query | Origin::Form | Origin::Multipart
    );
    if (value.origin == Origin::Query || (form && !state.form_charset_other))
        && non_ascii
        && std::str::from_utf8(bytes).is_err()
    {
        sink.report(C::InvalidUtf8, &value.label(), bytes);
    }
    // JSON clients pass JSON text (with its own \u escapes) in query parameters too.
    if form_like && backslash && !state.json_body() && unicode_escaped_alnum(bytes) {
        sink.report(C::UnicodeEscapedAlnum, &value.label(), bytes);
    }
    let query_or_form = matches!(value.origin, Origin::Query | Origin::Form);
    if !query_or_form {
        return;
    }
    if !value.is_name
        && present.contains(b'%')
        && wants(sink, C::MultipleUrlEncoding)
        && still_encoded(bytes)
    {
        sink.report(C::MultipleUrlEncoding, &value.label(), bytes);
    }
    if !present.is_subset(&STRICT_ARG) && wants(sink, C::StrictArgCharacter) {
        sink.report(C::StrictArgCharacter, &value.label(), bytes);
    }
    if !value.is_name
        && backslash
        && wants(sink, C::BackslashEscape)
        && lone_backslash_escape(bytes)
    {
        sink.report(C::BackslashEscape, &value.label(), bytes);
    }
}

/// `%XX` (or `%uXXXX`) of an ASCII byte left in a value that was already
/// decoded once. Escapes of bytes from 0x80 up are encoded UTF-8 text that
/// nests legitimately (`filename*=UTF-8''R%C3%A9sum%C3%A9.pdf` in a signed URL).
fn still_encoded(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| {
        let hex = |k: usize| bytes.get(i + k).is_some_and(u8::is_ascii_hexdigit);
        let ascii_escape = hex(1) && hex(2) && bytes.get(i + 1).is_some_and(|&h| h <= b'7');
        let u_escape = bytes
            .get(i + 1)
            .is_some_and(|u| u.eq_ignore_ascii_case(&b'u'))
            && (2..6).all(hex);
        b == b'%' && (ascii_escape || u_escape)
    })
}

/// `\u0061`: a JavaScript/JSON escape of an ASCII letter or digit, which no
/// encoder produces except to hide a word.
fn unicode_escaped_alnum(bytes: &[u8]) -> bool {
    bytes.windows(6).any(|w| {
        w.first() == Some(&b'\\')
            && w.get(1).is_some_and(|u| u.eq_ignore_ascii_case(&b'u'))
            && w.get(2..)
                .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
            && {
                let code = w
                    .get(2..)
                    .unwrap_or_default()
                    .iter()
                    .fold(0u32, |acc, &d| acc * 16 + u32::from(hex_value(d)));
                char::from_u32(code).is_some_and(|c| c.is_ascii_alphanumeric())
            }
    })
}

/// A backslash standing alone (not doubled) before a letter or digit that is
/// not a common escape (`\n`, `\t`, `\u`, ...): shell or regex obfuscation.
fn lone_backslash_escape(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().any(|(i, &b)| {
        b == b'\\'
            && (i == 0 || bytes.get(i - 1) != Some(&b'\\'))
            && bytes
                .get(i + 1)
                .is_some_and(|&n| n.is_ascii_alphanumeric() && !b"nrtbfuxv0".contains(&n))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Paranoia;

    #[test]
    fn byte_classes_are_what_their_names_say() {
        for b in 0..=255u8 {
            let control = (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7f;
            assert_eq!(CONTROLS.contains(b), control, "{b:#x}");
            let printable = (b' '..=b'~').contains(&b) && b != b'%';
            assert_eq!(PRINTABLE_NOT_PERCENT.contains(b), printable, "{b:#x}");
            assert_eq!(
                MULTILINE_PRINTABLE_NOT_PERCENT.contains(b),
                printable || matches!(b, b'\t' | b'\r' | b'\n'),
                "{b:#x}"
            );
            let strict = b.is_ascii_alphanumeric() || b"&,-./:=_".contains(&b);
            assert_eq!(STRICT_ARG.contains(b), strict, "{b:#x}");
        }
    }

    #[derive(Default)]
    struct Collect(Vec<(C, Vec<u8>)>);

    impl Sink for Collect {
        fn paranoia(&self) -> Paranoia {
            Paranoia::MAX
        }
        fn report(&mut self, check: C, _target: &str, detail: &[u8]) {
            self.0.push((check, detail.to_vec()));
        }
    }

    fn scan(chunks: &[&[u8]]) -> Vec<(C, Vec<u8>)> {
        let mut sink = Collect::default();
        let mut scan = PercentScan::default();
        for chunk in chunks {
            scan.feed(chunk);
        }
        scan.finish(&mut sink);
        sink.0
    }

    #[test]
    fn percent_scan_is_split_independent() {
        let body = b"x=new %w20$&p=%1G&q=%uFF0F&r=%7%6F%";
        let whole = scan(&[body]);
        let bytes: Vec<&[u8]> = body.chunks(1).collect();
        assert_eq!(whole, scan(&bytes));
        assert_eq!(
            whole,
            vec![
                (C::FullWidthPercentU, b"%uFF0F".to_vec()),
                (C::InvalidUrlEncodingInBody, b"%w".to_vec()),
            ]
        );
        assert!(scan(&[b"a=%20b&c=%u0041"]).is_empty());
        assert_eq!(
            scan(&[b"a=%7"]),
            vec![(C::InvalidUrlEncodingInBody, b"%7".to_vec())]
        );
    }

    #[test]
    fn escapes_in_decoded_values() {
        assert!(still_encoded(b"%73%6F"));
        assert!(!still_encoded(b"filename*=UTF-8''R%C3%A9sum%C3%A9.pdf"));
        assert!(plain_text("Krak\u{f3}w 350 \u{b0}F".as_bytes(), false));
        assert!(!plain_text(b"test1%", false));
        assert!(!plain_text(b"a%41b", false));
        assert!(plain_text(b"50% off, %appdata% folder", false));
        assert!(plain_text(b"line one\r\nline two", true));
        assert!(!plain_text(b"t\xffest", false));
        assert!(!still_encoded(b"%7omettext_123%"));
        assert!(unicode_escaped_alnum(b"\\u0061lert"));
        assert!(!unicode_escaped_alnum(b"\\u003cb\\u003e"));
        assert!(lone_backslash_escape(b"cat /etc/\\passw\\d"));
        assert!(!lone_backslash_escape(b"\\\\c"));
        assert!(!lone_backslash_escape(b"line\\nbreak"));
    }
}
