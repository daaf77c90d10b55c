//! `xss` detector: recognises script-capable HTML in a value by tokenizing it.
//!
//! Contract:
//! - [`detect`] reports the first script-capable construct it finds, with a
//!   short reason (`tag:script`, `attr:onerror`, `url:javascript`,
//!   `attr:style-expression`, ...) and the byte range of the tag or attribute;
//! - it runs in time linear in the input (a bounded number of passes, each
//!   linear), in constant memory, never panics, and reads bytes (the input
//!   need not be UTF-8); names and schemes compare case-insensitively;
//! - it expects a decoded value: the signature chain applies URL, HTML-entity
//!   and JavaScript decoding before it.
//!
//! # How
//!
//! The value is tokenized from several starting contexts (`tokenizer::Start`), because
//! the detector cannot know where the application will echo it: as text
//! (`<p>VALUE`), between attributes or in an unquoted value (`<p a=VALUE>`),
//! and in a single- or double-quoted value (`<p a="VALUE">`, where a leading
//! `"` closes the attribute). The value is an attack when any context leads to:
//! - a tag that is dangerous by itself (see `tables`: `script`, `iframe`,
//!   `object`, `embed`, `style`, ...), a tag that is dangerous with its
//!   loading attribute (`link href`, `base href`, `meta http-equiv|charset`,
//!   `form action`, ...), or an SVG animation (`animate`, `set`) whose
//!   `attributeName` targets a link or handler;
//! - an event-handler attribute (`on` + letters) with a value, inside a tag the
//!   value opened; in an attribute list the value broke into, only a known
//!   event name counts (`online=1` is not a handler);
//! - `srcdoc`, `formaction`, a `style` with `expression(`, `javascript:`,
//!   `behavior:` or `-moz-binding`, or any attribute whose value is a
//!   `javascript:` / `vbscript:` / active `data:` URL (see `values`).
//!
//! Plain text never yields attributes, so `onload` or `javascript` in prose is
//! not reported. Comment, CDATA, bogus-comment and processing-instruction
//! bodies, and attribute values that contain `<`, are read a second time as
//! text (one level deep), because conditional comments, foreign content and
//! mutation (mXSS) can make that markup live. A script URL with code after
//! the scheme (`javascript:alert(1)`) is reported anywhere it starts after a
//! delimiter, since a redirect target or JSON string can carry it as is; an
//! attribute left open at the very end (`" onfocus=`) counts, since the page
//! supplies its value.

use super::Detection;

mod tables;
mod tokenizer;
mod values;

use tables::{AttributeClass, Name, TagClass};
use tokenizer::{Markup, Start, Token, TokenKind, Tokenizer};
use values::{Scheme, StyleHazard};

/// Runs the xss detector.
pub fn detect(input: &[u8]) -> Option<Detection> {
    find(input).map(Finding::into_detection)
}

/// A cheap pre-check for the quiet-value screen: `false` only when [`detect`]
/// cannot report `input`. Without `<` no tag opens and without `=` no
/// attribute gets a value; what is left is a script URL, whose scheme's
/// letters (ignorable bytes aside) end right before a `:`.
pub fn might_be_xss(input: &[u8]) -> bool {
    if memchr::memchr2(b'<', b'=', input).is_some() {
        return true;
    }
    memchr::memchr_iter(b':', input).any(|colon| values::scheme_ends_at(input, colon))
}

/// The starting contexts, in the order they are tried.
const STARTS: [Start; 4] = [
    Start::Data,
    Start::BeforeAttributeName,
    Start::DoubleQuoted,
    Start::SingleQuoted,
];

fn find(input: &[u8]) -> Option<Finding> {
    if let Some((scheme, start, end)) = values::script_url_in_text(input) {
        return Some(Finding {
            reason: Reason::Url(scheme),
            start,
            end,
        });
    }
    // Without `<` no tag opens and without `=` no attribute gets a value.
    memchr::memchr2(b'<', b'=', input)?;
    STARTS.into_iter().find_map(|start| {
        let needed = match start {
            Start::DoubleQuoted => memchr::memchr(b'"', input).is_some(),
            Start::SingleQuoted => memchr::memchr(b'\'', input).is_some(),
            Start::Data | Start::BeforeAttributeName => true,
        };
        if needed {
            scan(input, start, Depth::Top, TagContext::at(start))
        } else {
            None
        }
    })
}

/// Why a value was reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    /// A dangerous tag (`tag:<name>`).
    Tag(&'static str),
    /// An event-handler attribute (`attr:<name>`).
    Event(Name),
    /// A script URL in an attribute or as the whole value (`url:<scheme>`).
    Url(Scheme),
    /// A dangerous `style` (`attr:style-...`).
    Style(StyleHazard),
    /// `srcdoc` (`attr:srcdoc`).
    Srcdoc,
    /// `formaction` (`attr:formaction`).
    FormAction,
    /// An SVG animation of a link or handler (`attr:attributename`).
    Animation,
    /// IE data binding rendered as HTML (`attr:dataformatas`).
    DataFormatAs,
    /// A processing instruction that loads active content (`pi:<target>`).
    Instruction(&'static str),
    /// An entity or attribute-list declaration (`decl:<keyword>`).
    Declaration(&'static str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Finding {
    reason: Reason,
    start: usize,
    end: usize,
}

impl Finding {
    fn shifted(self, offset: usize) -> Finding {
        Finding {
            start: self.start + offset,
            end: self.end + offset,
            ..self
        }
    }

    fn into_detection(self) -> Detection {
        let fingerprint = match self.reason {
            Reason::Tag(name) => format!("tag:{name}"),
            Reason::Event(name) => format!("attr:{}", String::from_utf8_lossy(name.as_bytes())),
            Reason::Url(scheme) => format!("url:{}", scheme.name()),
            Reason::Style(hazard) => format!("attr:{}", hazard.name()),
            Reason::Srcdoc => "attr:srcdoc".to_string(),
            Reason::FormAction => "attr:formaction".to_string(),
            Reason::Animation => "attr:attributename".to_string(),
            Reason::DataFormatAs => "attr:dataformatas".to_string(),
            Reason::Instruction(target) => format!("pi:{target}"),
            Reason::Declaration(keyword) => format!("decl:{keyword}"),
        };
        Detection {
            fingerprint,
            start: self.start,
            end: self.end,
        }
    }
}

/// Whether a pass reads the value itself or a body/value inside it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// The value: declarations are parsed, bodies and values re-read.
    Top,
    /// A re-read: declarations are text, nothing is re-read again.
    Nested,
}

/// The tag the tokenizer is in, as far as attributes are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagContext {
    /// Text: no tag is open.
    Outside,
    /// A tag the value did not open (a starting context): only known events count.
    Entered,
    /// A start tag the value opened, of this class, starting at `start`.
    Opened { class: TagClass, start: usize },
    /// An end tag: its attributes are dropped by browsers.
    Closing,
}

impl TagContext {
    /// Where a starting context leaves the tokenizer.
    fn at(start: Start) -> TagContext {
        match start {
            Start::Data => TagContext::Outside,
            Start::BeforeAttributeName | Start::SingleQuoted | Start::DoubleQuoted => {
                TagContext::Entered
            }
        }
    }
}

/// The attribute whose value comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    /// No attribute name was seen.
    None,
    /// The value the starting context begins inside: it belongs to no name.
    Initial,
    /// A named attribute starting at `start`.
    Named { class: AttributeClass, start: usize },
}

/// One tokenizer pass from `start` (in `tag`), checking tokens as they come.
fn scan(input: &[u8], start: Start, depth: Depth, mut tag: TagContext) -> Option<Finding> {
    let mut pending = match start {
        Start::SingleQuoted | Start::DoubleQuoted => Pending::Initial,
        Start::Data | Start::BeforeAttributeName => Pending::None,
    };
    let transparent = depth == Depth::Nested;
    for token in Tokenizer::new(input, start, transparent) {
        let text = input
            .get(token.text_start..token.text_end)
            .unwrap_or_default();
        match token.kind {
            TokenKind::StartTag => {
                pending = Pending::None;
                let class = tables::tag_class(text);
                if let TagClass::Dangerous(name) = class {
                    return Some(finding(Reason::Tag(name), token.span_start, token.span_end));
                }
                tag = TagContext::Opened {
                    class,
                    start: token.span_start,
                };
            }
            TokenKind::EndTag => {
                pending = Pending::None;
                tag = TagContext::Closing;
            }
            TokenKind::AttributeName => {
                pending = match tag {
                    TagContext::Closing | TagContext::Outside => Pending::None,
                    TagContext::Entered => Pending::Named {
                        class: tables::attribute_class(&Name::new(text), TagClass::Plain),
                        start: token.span_start,
                    },
                    TagContext::Opened { class, start } => {
                        let class = tables::attribute_class(&Name::new(text), class);
                        // A trigger attribute reports its whole tag.
                        let start = match class {
                            AttributeClass::Trigger(_) => start,
                            _ => token.span_start,
                        };
                        Pending::Named { class, start }
                    }
                };
            }
            TokenKind::AttributeValue => {
                let attribute = std::mem::replace(&mut pending, Pending::None);
                if let Some(found) = check_value(input, &token, tag, attribute, depth) {
                    return Some(found);
                }
            }
            TokenKind::TagEnd => {
                pending = Pending::None;
                tag = TagContext::Outside;
            }
            TokenKind::Markup(kind) => {
                pending = Pending::None;
                tag = TagContext::Outside;
                let reason = match kind {
                    Markup::Instruction => {
                        tables::dangerous_instruction(text).map(Reason::Instruction)
                    }
                    Markup::Bogus => tables::dangerous_declaration(text).map(Reason::Declaration),
                    Markup::Comment | Markup::Cdata => None,
                };
                if let Some(reason) = reason {
                    return Some(finding(reason, token.span_start, token.span_end));
                }
                if depth == Depth::Top {
                    if let Some(found) = scan(text, Start::Data, Depth::Nested, TagContext::Outside)
                    {
                        return Some(found.shifted(token.text_start));
                    }
                }
            }
        }
    }
    None
}

fn finding(reason: Reason, start: usize, end: usize) -> Finding {
    Finding { reason, start, end }
}

/// Whether a value has anything in it but spaces and controls.
fn is_blank(value: &[u8]) -> bool {
    value.iter().all(|&b| b <= b' ')
}

/// Checks one attribute value against the attribute it belongs to.
fn check_value(
    input: &[u8],
    token: &Token,
    tag: TagContext,
    attribute: Pending,
    depth: Depth,
) -> Option<Finding> {
    let value = input
        .get(token.text_start..token.text_end)
        .unwrap_or_default();
    let (class, start) = match attribute {
        // The value the context starts in is the application's, up to where
        // the input leaves it; a bare script URL was checked before.
        Pending::Initial => return None,
        Pending::None => (AttributeClass::Other, token.span_start),
        Pending::Named { class, start } => (class, start),
    };
    if tag == TagContext::Closing || tag == TagContext::Outside {
        return None;
    }
    let end = token.span_end;
    // `name=` or `name="` at the very end: the page supplies the value.
    let open_ended = token.span_end == input.len() && token.text_end == token.span_end;
    let reason = match (is_blank(value), open_ended) {
        (false, _) => attribute_reason(class, tag, value),
        (true, true) => by_name_reason(class, tag, value),
        (true, false) => None,
    };
    if let Some(reason) = reason {
        return Some(Finding { reason, start, end });
    }
    if depth == Depth::Nested {
        return None;
    }
    if memchr::memchr(b'<', value).is_some() {
        if let Some(found) = scan(value, Start::Data, Depth::Nested, TagContext::Outside) {
            return Some(found.shifted(token.text_start));
        }
    }
    // Legacy IE quoted values with backticks: `src=`x`onerror=...` holds a
    // second attribute after the closing backtick.
    let unquoted = token.span_start == token.text_start;
    if unquoted && value.first() == Some(&b'`') {
        let close = value.get(1..).and_then(|rest| memchr::memchr(b'`', rest));
        if let Some(after) = close
            .map(|rel| rel + 2)
            .filter(|&after| after < value.len())
        {
            let rest = value.get(after..).unwrap_or_default();
            return scan(rest, Start::BeforeAttributeName, Depth::Nested, tag)
                .map(|f| f.shifted(token.text_start + after));
        }
    }
    None
}

/// Why a non-blank attribute value is dangerous, if it is.
fn attribute_reason(class: AttributeClass, tag: TagContext, value: &[u8]) -> Option<Reason> {
    by_name_reason(class, tag, value)
        .or_else(|| values::script_url(value).map(|(scheme, _)| Reason::Url(scheme)))
}

/// Why an attribute is dangerous because of its name (and, for some names,
/// its value), if it is.
fn by_name_reason(class: AttributeClass, tag: TagContext, value: &[u8]) -> Option<Reason> {
    match class {
        AttributeClass::Event(handler) => {
            let counts = match tag {
                TagContext::Opened { .. } => true,
                _ => tables::is_known_event(handler.as_bytes()),
            };
            counts.then_some(Reason::Event(handler))
        }
        AttributeClass::Style => values::style_hazard(value).map(Reason::Style),
        AttributeClass::Srcdoc => Some(Reason::Srcdoc),
        AttributeClass::FormAction => Some(Reason::FormAction),
        AttributeClass::Trigger(tag) => Some(Reason::Tag(tag)),
        AttributeClass::AttributeName
            if matches!(
                tag,
                TagContext::Opened {
                    class: TagClass::Animation,
                    ..
                }
            ) =>
        {
            tables::is_dangerous_animation_target(&Name::new(value)).then_some(Reason::Animation)
        }
        AttributeClass::DataFormatAs => value
            .trim_ascii()
            .eq_ignore_ascii_case(b"html")
            .then_some(Reason::DataFormatAs),
        AttributeClass::AttributeName | AttributeClass::Other => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks each `(input, fingerprint)` pair; `""` means not detected.
    fn check(cases: &[(&[u8], &str)]) {
        for (input, want) in cases {
            let got = detect(input).map(|d| d.fingerprint).unwrap_or_default();
            assert_eq!(&got, want, "input {:?}", String::from_utf8_lossy(input));
        }
    }

    fn range(input: &[u8]) -> Option<(usize, usize)> {
        detect(input).map(|d| (d.start, d.end))
    }

    #[test]
    fn dangerous_tags_in_text() {
        check(&[
            (b"<script>alert(1)</script>", "tag:script"),
            (b"hi <IFRAME src=x>", "tag:iframe"),
            (b"<svg><script>x</script>", "tag:script"),
            (b"<x:script xmlns:x=y>", "tag:script"),
            (b"<scr\0ipt>", "tag:script"),
            (b"<\0script>", "tag:script"),
            (b"<script", "tag:script"),
            (b"<scripts> and <b>", ""),
        ]);
        assert_eq!(range(b"ab<script>"), Some((2, 9)));
    }

    #[test]
    fn conditional_tags_and_animations_need_their_attribute() {
        check(&[
            (b"<form>", ""),
            (b"<form action=//evil>", "tag:form"),
            (b"<link>https://example.com/</link>", ""),
            (b"<link rel=stylesheet href=//x>", "tag:link"),
            (b"<meta name=description content=x>", ""),
            (b"<button formaction=x>", "attr:formaction"),
            (b"<svg><animate attributeName=x>", ""),
            (
                b"<svg><set attributeName=xlink:href to=x>",
                "attr:attributename",
            ),
        ]);
        assert_eq!(range(b"x <meta charset=utf-7>"), Some((2, 21)));
    }

    #[test]
    fn event_handlers_inside_opened_tags() {
        check(&[
            (b"<img src=x onerror=alert(1)>", "attr:onerror"),
            (b"<svg/onload=alert(1)>", "attr:onload"),
            (b"<x OnFooBar='1'>", "attr:onfoobar"),
            (b"<x onfoo=", "attr:onfoo"),
            (b"<img src=x onerror>", ""),
            (b"<img src=x onerror=''>", ""),
            // End-tag attributes are dropped (a known event would still
            // count in the attribute-list context).
            (b"</a onfoobar=alert(1)>", ""),
        ]);
        assert_eq!(range(b"<a onclick=\"x\">"), Some((3, 14)));
    }

    #[test]
    fn handlers_in_text_are_not_attributes() {
        check(&[
            (b"the onload event fires; onerror too", ""),
            (b"a < b, onerror > 1", ""),
        ]);
    }

    #[test]
    fn attribute_contexts_need_known_events() {
        check(&[
            (b"x onerror=alert(1)>", "attr:onerror"),
            (b"onmouseover=alert(1);", "attr:onmouseover"),
            (b"\" autofocus onfocus=\"alert(1)", "attr:onfocus"),
            (b"' autofocus onfocus='x", "attr:onfocus"),
            (b"\" onfocus=", "attr:onfocus"),
            (b"sort=name online=1 onsale=yes on=1", ""),
            (b"\" onsale=", ""),
        ]);
    }

    #[test]
    fn urls_and_styles() {
        check(&[
            (b"<a href=\"java\tscript:x\">", "url:javascript"),
            (b"<a href=\"https://example.com/\">", ""),
            (b"<img src=\"data:image/png;base64,AA\">", ""),
            (b"<a xlink:href=data:text/html,x>", "url:data"),
            (
                b"<p style=\"x:expression(alert(1))\">",
                "attr:style-expression",
            ),
            (b"<p style=\"color:red\">", ""),
            (b"<p srcdoc=x>", "attr:srcdoc"),
            (b"javascript:alert(1)", "url:javascript"),
            (b"{\"next\": \"javascript:alert(1)\"}", "url:javascript"),
            (b"JavaScript: The Good Parts", ""),
        ]);
    }

    #[test]
    fn declarations_hide_nothing() {
        check(&[
            (b"<!--[if IE]><script>x</script><![endif]-->", "tag:script"),
            (
                b"<!-- <img title=\"--><img src=x onerror=alert(1)>\">",
                "attr:onerror",
            ),
            (
                b"<svg><![CDATA[><image xlink:href=\"]]><img src=x onerror=alert(2)//\">",
                "attr:onerror",
            ),
            (b"<?import namespace=t>", "pi:import"),
            (b"<!ENTITY x SYSTEM \"u\">", "decl:entity"),
            (b"<a title=\"<?import x>\">", "pi:import"),
            (b"<!-- note --><?xml version=\"1.0\"?><!DOCTYPE html>", ""),
        ]);
    }

    #[test]
    fn markup_inside_attribute_values_is_read_again() {
        check(&[
            (
                b"<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
                "attr:onerror",
            ),
            (b"<img src=`x`onerror=alert(1)>", "attr:onerror"),
            (b"<a title=\"x < y\">", ""),
        ]);
        assert_eq!(range(b"<a title=\"<script>\">"), Some((10, 17)));
    }

    #[test]
    fn ranges_stay_inside_the_input() {
        let inputs: [&[u8]; 5] = [
            b"<a href=javascript:x",
            b"x\" onclick=\"",
            b"<!--<script",
            b"<p title='<svg onload=1",
            b"<img src=`a`onerror=1",
        ];
        for input in inputs {
            for cut in 0..=input.len() {
                if let Some(found) = detect(&input[..cut]) {
                    assert!(
                        found.start <= found.end && found.end <= cut,
                        "{input:?} cut at {cut}"
                    );
                }
            }
        }
    }

    /// Deterministic pseudo-random bytes drawn from markup-heavy alphabets:
    /// no panic, ranges in bounds.
    #[test]
    fn random_markup_never_panics() {
        let alphabet: &[u8] =
            b"<>/!?-=\"'` \t\x0b\0abcdefghijklmnopqrstuvwxyz:;()[]{}\\&#\xef\xbf\xbd";
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..3000 {
            let len = (state % 64) as usize;
            let mut input = Vec::with_capacity(len);
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                input.push(alphabet[(state % alphabet.len() as u64) as usize]);
            }
            if let Some(found) = detect(&input) {
                assert!(
                    found.start <= found.end && found.end <= input.len(),
                    "{input:?}"
                );
            }
        }
    }

    /// Long inputs stay linear: nested comment openers, many `<` and quotes
    /// must not be re-read per opener.
    #[test]
    fn pathological_inputs_finish() {
        for unit in [
            &b"<!--"[..],
            b"<a title=\"<",
            b"\"'=",
            b"<?<!",
            b"j\0",
            b"javascript:",
        ] {
            assert_eq!(detect(&unit.repeat(20_000)), None, "{unit:?}");
        }
    }
}
