//! Attribute-value checks of the `xss` detector: script-capable URL schemes
//! and dangerous CSS in `style`.
//!
//! Contract: the value has already been through the signature's decoding
//! chain (URL, HTML-entity and JavaScript escapes), so these checks see raw
//! characters; they still ignore what browsers (old and new) ignore inside a
//! scheme — leading spaces and controls, embedded tab / CR / LF and other C0
//! controls, `&#0;` decoded to U+FFFD — and compare case-insensitively. Each
//! check is one left-to-right pass over the value with a fixed-size window;
//! none allocates or panics.

use super::tables::ignorable_len;
use super::tokenizer::is_space;

/// A URL scheme that runs script or renders active content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scheme {
    Javascript,
    Vbscript,
    Livescript,
    /// `data:` with an HTML, XML, SVG, script or Flash media type.
    Data,
}

impl Scheme {
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Javascript => "javascript",
            Scheme::Vbscript => "vbscript",
            Scheme::Livescript => "livescript",
            Scheme::Data => "data",
        }
    }
}

/// Longest scheme name we look for (`javascript`, `livescript`).
const MAX_SCHEME_LEN: usize = 10;

/// Media types that make a `data:` URL active (prefixes, lowercase).
const ACTIVE_MEDIA_TYPES: [&[u8]; 14] = [
    b"text/html",
    b"text/xml",
    b"text/javascript",
    b"text/ecmascript",
    b"text/vbscript",
    b"text/x-scriptlet",
    b"application/xhtml+xml",
    b"application/xml",
    b"application/javascript",
    b"application/x-javascript",
    b"application/ecmascript",
    b"application/x-shockwave-flash",
    b"application/x-x509-user-cert",
    b"image/svg+xml",
];

/// Skips what a browser strips before a URL: spaces, controls, NBSP, U+FFFD,
/// and a backtick (legacy IE quoted values with it).
fn skip_leading(value: &[u8], mut at: usize) -> usize {
    loop {
        let skip = match value.get(at..) {
            Some([b' ' | b'`' | 0x7F, ..]) => 1,
            Some([0xC2, 0xA0, ..]) => 2,
            _ => ignorable_len(value, at),
        };
        if skip == 0 {
            return at;
        }
        at += skip;
    }
}

/// Whether `value` continues at `at` with `needle` (lowercase), ignoring
/// ignorable bytes and case.
fn continues_with(value: &[u8], mut at: usize, needle: &[u8]) -> bool {
    let mut matched = 0;
    while let Some(&want) = needle.get(matched) {
        let skip = ignorable_len(value, at);
        if skip > 0 {
            at += skip;
            continue;
        }
        match value.get(at) {
            Some(byte) if byte.to_ascii_lowercase() == want => {
                matched += 1;
                at += 1;
            }
            _ => return false,
        }
    }
    true
}

/// The script-capable scheme `value` starts with, and the index just after
/// its `:`. `data:` counts only with an active media type.
pub(super) fn script_url(value: &[u8]) -> Option<(Scheme, usize)> {
    let mut at = skip_leading(value, 0);
    let mut scheme = [0u8; MAX_SCHEME_LEN];
    let mut len = 0;
    loop {
        let skip = ignorable_len(value, at);
        if skip > 0 {
            at += skip;
            continue;
        }
        let byte = *value.get(at)?;
        if byte == b':' {
            break;
        }
        let slot = scheme.get_mut(len)?;
        if !byte.is_ascii_alphabetic() {
            return None;
        }
        *slot = byte.to_ascii_lowercase();
        len += 1;
        at += 1;
    }
    let after = at + 1;
    let found = match scheme.get(..len)? {
        b"javascript" => Scheme::Javascript,
        b"vbscript" => Scheme::Vbscript,
        b"livescript" => Scheme::Livescript,
        b"data" => {
            let media = skip_leading(value, after);
            if !ACTIVE_MEDIA_TYPES
                .iter()
                .any(|t| continues_with(value, media, t))
            {
                return None;
            }
            Scheme::Data
        }
        _ => return None,
    };
    Some((found, after))
}

/// Bytes that show the text after `javascript:` is code, not prose. Right
/// after the colon any of them counts; after a space (`JavaScript: see
/// https://...`) only a call, template or assignment does.
fn is_code_punctuation(byte: u8, after_space: bool) -> bool {
    match byte {
        b'(' | b'`' | b'=' => true,
        b')' | b';' | b'.' | b'[' | b'{' | b'/' | b'\'' | b'"' | b'+' => !after_space,
        _ => false,
    }
}

/// How far into the text after a script scheme we look for code.
const CODE_WINDOW: usize = 64;

/// Whether a script URL may start after `previous`: at a delimiter, not in the
/// middle of a word or path (`/docs/javascript:x` is not a URL).
fn is_url_boundary(previous: u8) -> bool {
    previous <= b' '
        || matches!(
            previous,
            b'"' | b'\'' | b'`' | b'=' | b'(' | b'>' | b',' | b';' | b'[' | b'{' | b':' | b'|'
        )
}

/// A script URL anywhere in a value, outside any markup: a redirect target
/// or link taken as is, a JSON string, a `name=value` pair. Stricter than
/// [`script_url`] so that prose such as `JavaScript: The Good Parts` passes:
/// the first word after a script scheme must contain code punctuation within
/// [`CODE_WINDOW`] bytes. Returns the scheme and the range it covers (to the
/// end of that word, at most the window).
/// Whether the letters before `colon` (skipping ignorable bytes, lowercased)
/// end with the name of a script URL scheme: a necessary condition for
/// [`script_url`] to read a scheme ending at `colon`.
pub(super) fn scheme_ends_at(input: &[u8], colon: usize) -> bool {
    let mut letters = [0u8; MAX_SCHEME_LEN];
    let mut len = 0;
    let mut at = colon;
    while at > 0 && len < MAX_SCHEME_LEN {
        at -= 1;
        let Some(&byte) = input.get(at) else {
            break;
        };
        if byte < 0x20 || (0x80..=0xBF).contains(&byte) || byte == 0xEF {
            // Ignorable: control bytes and U+FFFD (EF BF BD), read backwards.
            continue;
        }
        if !byte.is_ascii_alphabetic() {
            break;
        }
        if let Some(slot) = letters.get_mut(MAX_SCHEME_LEN - 1 - len) {
            *slot = byte.to_ascii_lowercase();
        }
        len += 1;
    }
    let read = letters.get(MAX_SCHEME_LEN - len..).unwrap_or_default();
    [&b"javascript"[..], b"vbscript", b"livescript", b"data"]
        .iter()
        .any(|scheme| read.ends_with(scheme))
}

pub(super) fn script_url_in_text(input: &[u8]) -> Option<(Scheme, usize, usize)> {
    // Every script URL has its scheme's colon (`script_url` stops only there).
    memchr::memchr(b':', input)?;
    let candidates = input.iter().enumerate().filter(|&(at, &byte)| {
        matches!(byte.to_ascii_lowercase(), b'j' | b'v' | b'l' | b'd')
            && at
                .checked_sub(1)
                .and_then(|p| input.get(p))
                .is_none_or(|&p| is_url_boundary(p))
    });
    for (start, _) in candidates {
        let rest = input.get(start..).unwrap_or_default();
        let Some((scheme, after)) = script_url(rest) else {
            continue;
        };
        let mut at = after;
        while rest.get(at).is_some_and(|&b| b <= b' ') {
            at += 1;
        }
        let word_len = rest
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take(CODE_WINDOW)
            .take_while(|&&b| b != b' ')
            .count();
        let word = rest.get(at..at + word_len).unwrap_or_default();
        let after_space = at > after;
        if scheme == Scheme::Data || word.iter().any(|&b| is_code_punctuation(b, after_space)) {
            return Some((scheme, start, start + at + word_len));
        }
    }
    None
}

/// What makes a `style` value dangerous.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StyleHazard {
    /// IE `expression(...)`.
    Expression,
    /// A `javascript:` URL (in `url(...)` or elsewhere).
    Javascript,
    /// A `vbscript:` URL.
    Vbscript,
    /// IE `behavior:` (HTC components).
    Behavior,
    /// Firefox `-moz-binding` (XBL), and the unprefixed spelling.
    Binding,
}

impl StyleHazard {
    pub fn name(self) -> &'static str {
        match self {
            StyleHazard::Expression => "style-expression",
            StyleHazard::Javascript => "style-javascript",
            StyleHazard::Vbscript => "style-vbscript",
            StyleHazard::Behavior => "style-behavior",
            StyleHazard::Binding => "style-binding",
        }
    }
}

/// Needles looked for anywhere in a normalised style value (no spaces,
/// comments or escapes, lowercase).
const STYLE_NEEDLES: [(&[u8], StyleHazard); 3] = [
    (b"expression(", StyleHazard::Expression),
    (b"javascript:", StyleHazard::Javascript),
    (b"vbscript:", StyleHazard::Vbscript),
];

/// Property names that bind script to an element (a whole identifier before
/// `:`, so `scroll-behavior` is not `behavior`).
const STYLE_PROPERTIES: [(&[u8], StyleHazard); 4] = [
    (b"behavior", StyleHazard::Behavior),
    (b"behaviour", StyleHazard::Behavior),
    (b"binding", StyleHazard::Binding),
    (b"-moz-binding", StyleHazard::Binding),
];

/// The longest needle or property fits in this window.
const WINDOW: usize = 16;

/// A bounded buffer of the last [`WINDOW`] bytes pushed.
#[derive(Default)]
struct Window {
    bytes: [u8; WINDOW],
    len: usize,
}

impl Window {
    fn push(&mut self, byte: u8) {
        if self.len == WINDOW {
            self.bytes.copy_within(1.., 0);
            self.len -= 1;
        }
        if let Some(slot) = self.bytes.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }

    fn held(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

/// Reads a normalised style value byte by byte: the tail for needles, and
/// the last identifier for property names.
#[derive(Default)]
struct StyleReader {
    tail: Window,
    /// The identifier being read, or the last one when `open` is false.
    ident: Window,
    open: bool,
    /// Bytes dropped from an identifier longer than the window.
    ident_overflow: bool,
}

impl StyleReader {
    /// Whitespace or a comment: the current identifier ends.
    fn gap(&mut self) {
        self.open = false;
    }

    fn push(&mut self, byte: u8, in_string: bool) -> Option<StyleHazard> {
        let byte = byte.to_ascii_lowercase();
        self.tail.push(byte);
        let held = self.tail.held();
        if let Some(&(_, hazard)) = STYLE_NEEDLES.iter().find(|(n, _)| held.ends_with(n)) {
            return Some(hazard);
        }
        if byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_' {
            if !self.open {
                self.ident.clear();
                self.ident_overflow = false;
                self.open = true;
            }
            self.ident_overflow |= self.ident.len == WINDOW;
            self.ident.push(byte);
            return None;
        }
        let property = (byte == b':' && !in_string && !self.ident_overflow)
            .then(|| {
                STYLE_PROPERTIES
                    .iter()
                    .find(|(p, _)| *p == self.ident.held())
            })
            .flatten()
            .map(|&(_, hazard)| hazard);
        self.ident.clear();
        self.open = false;
        property
    }
}

/// Decodes the CSS escape at `at` (which holds `\`): returns the byte it
/// stands for (`None` for a non-ASCII code point) and the bytes consumed.
fn css_escape(value: &[u8], at: usize) -> (Option<u8>, usize) {
    let digits = value
        .get(at + 1..)
        .unwrap_or_default()
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_hexdigit())
        .count();
    if digits == 0 {
        return match value.get(at + 1) {
            Some(&byte) => (Some(byte), 2),
            None => (None, 1),
        };
    }
    let code = value
        .get(at + 1..at + 1 + digits)
        .unwrap_or_default()
        .iter()
        .fold(0u32, |acc, &d| {
            acc << 4 | char::from(d).to_digit(16).unwrap_or(0)
        });
    let space = usize::from(value.get(at + 1 + digits).is_some_and(|&b| is_space(b)));
    let byte = u8::try_from(code).ok().filter(|b| b.is_ascii());
    (byte, 1 + digits + space)
}

/// The first hazard in a `style` value, reading past CSS comments (outside
/// strings), escapes, whitespace and controls.
pub(super) fn style_hazard(value: &[u8]) -> Option<StyleHazard> {
    let mut reader = StyleReader::default();
    let mut quote: Option<u8> = None;
    let mut at = 0;
    while let Some(&byte) = value.get(at) {
        let skip = ignorable_len(value, at);
        if skip > 0 || is_space(byte) {
            reader.gap();
            at += skip.max(1);
            continue;
        }
        if quote.is_none() && byte == b'/' && value.get(at + 1) == Some(&b'*') {
            let close = value
                .get(at + 2..)
                .and_then(|rest| memchr::memmem::find(rest, b"*/"));
            at = match close {
                Some(rel) => at + 2 + rel + 2,
                None => value.len(),
            };
            reader.gap();
            continue;
        }
        match (quote, byte) {
            (None, b'"' | b'\'') => quote = Some(byte),
            (Some(open), _) if open == byte => quote = None,
            _ => {}
        }
        let (decoded, used) = if byte == b'\\' {
            css_escape(value, at)
        } else {
            (Some(byte), 1)
        };
        at += used;
        if let Some(hazard) = decoded.and_then(|b| reader.push(b, quote.is_some())) {
            return Some(hazard);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_survive_case_spaces_and_controls() {
        assert_eq!(
            script_url(b"javascript:alert(1)"),
            Some((Scheme::Javascript, 11))
        );
        assert_eq!(
            script_url(b"  JaVaScRiPt:x").map(|s| s.0),
            Some(Scheme::Javascript)
        );
        assert_eq!(
            script_url(b"\x01\x0e java\tscr\nipt:x").map(|s| s.0),
            Some(Scheme::Javascript)
        );
        assert_eq!(
            script_url(b"j\xEF\xBF\xBDavascript:x").map(|s| s.0),
            Some(Scheme::Javascript)
        );
        assert_eq!(
            script_url(b"`javascript:x`").map(|s| s.0),
            Some(Scheme::Javascript)
        );
        assert_eq!(
            script_url(b"VBScript:msgbox(1)").map(|s| s.0),
            Some(Scheme::Vbscript)
        );
        assert_eq!(script_url(b"https://example.com/javascript:x"), None);
        assert_eq!(script_url(b"java script:x"), None);
        assert_eq!(script_url(b"javascriptx:x"), None);
        assert_eq!(script_url(b"javascript"), None);
        assert_eq!(script_url(b""), None);
    }

    #[test]
    fn data_urls_count_only_with_active_media_types() {
        assert_eq!(
            script_url(b"data:text/html,<b>").map(|s| s.0),
            Some(Scheme::Data)
        );
        assert_eq!(
            script_url(b"DATA: Image/SVG+xml;base64,xx").map(|s| s.0),
            Some(Scheme::Data)
        );
        assert_eq!(script_url(b"data:image/png;base64,iVBOR"), None);
        assert_eq!(script_url(b"data:,hello"), None);
        assert_eq!(script_url(b"data: 12 rows"), None);
    }

    #[test]
    fn urls_in_text_need_code_after_the_scheme() {
        let found = script_url_in_text;
        assert_eq!(
            found(b"javascript:alert(1)"),
            Some((Scheme::Javascript, 0, 19))
        );
        assert_eq!(
            found(b"{\"u\":\"javascript\n:alert(7)\"}"),
            Some((Scheme::Javascript, 6, 28))
        );
        assert!(found(b"next=javascript://%0aalert(1)").is_some());
        assert!(found(b"javascript: void(0)").is_some());
        assert!(found(b"x data:text/html;base64,PHNjcmlwdD4=").is_some());
        assert!(found(b"JavaScript: The Good Parts (2008)").is_none());
        assert!(found(b"Learn JavaScript: https://example.com/course").is_none());
        assert!(found(b"javascript:document.cookie").is_some());
        assert!(found(b"/docs/javascript:alert(1)").is_none());
        assert!(found(b"myjavascript:alert(1)").is_none());
        assert!(found(b"javascript:").is_none());
        assert!(found(b"javascript").is_none());
        assert!(found(&b"javascript:".repeat(5000)).is_none());
    }

    #[test]
    fn style_hazards_through_comments_escapes_and_spaces() {
        assert_eq!(
            style_hazard(b"width: expression(alert(1))"),
            Some(StyleHazard::Expression)
        );
        assert_eq!(
            style_hazard(b"x:exp/**/ression (1)"),
            Some(StyleHazard::Expression)
        );
        assert_eq!(
            style_hazard(b"x:\\65 xpression(1)"),
            Some(StyleHazard::Expression)
        );
        assert_eq!(
            style_hazard(b"x:ex\\pression(1)"),
            Some(StyleHazard::Expression)
        );
        assert_eq!(
            style_hazard(b"x:\0expression(1)"),
            Some(StyleHazard::Expression)
        );
        assert_eq!(
            style_hazard(b"background:url('java\tscript:x')"),
            Some(StyleHazard::Javascript)
        );
        assert_eq!(
            style_hazard(b"behavior: url(x.htc)"),
            Some(StyleHazard::Behavior)
        );
        assert_eq!(
            style_hazard(b"-moz-binding:url(x.xml#xss)"),
            Some(StyleHazard::Binding)
        );
        assert_eq!(
            style_hazard(b"a:b(\"*//*\");c:ex/*x*//*/*/pression(1)"),
            Some(StyleHazard::Expression)
        );
        assert_eq!(style_hazard(b"color: red; font-weight: bold"), None);
        assert_eq!(
            style_hazard(b"scroll-behavior: smooth; overscroll-behavior: none"),
            None
        );
        assert_eq!(style_hazard(b"content: 'behavior: x'"), None);
        assert_eq!(
            style_hazard(b"x:1;Behavior : url(#default#time2)"),
            Some(StyleHazard::Behavior)
        );
        assert_eq!(
            style_hazard(b"x:1;behavi\\or:url(a.htc)"),
            Some(StyleHazard::Behavior)
        );
        assert_eq!(style_hazard(b"background: url(/img/expression.png)"), None);
        assert_eq!(style_hazard(b"/* unterminated"), None);
        assert_eq!(style_hazard(b"\\"), None);
    }
}
