//! XML markup other than tags: `<!` declarations (comments, CDATA sections, DOCTYPE
//! with its internal subset) and entity references.
//!
//! The DOCTYPE scanner ends the declaration at the first `>` that is outside quotes,
//! outside the internal subset `[...]` and outside comments within that subset, so
//! `<!ENTITY e "a]>b">` cannot end it early; the whole declaration is kept (bounded)
//! for [`TargetSource::XmlMarkup`](crate::target::TargetSource::XmlMarkup).

use super::{State, XmlParser};
use crate::body::bounded::push_bounded;
use crate::body::ValueSink;

/// Where the DOCTYPE scanner is: quotes, internal subset, comments inside the subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Doctype {
    quote: Option<u8>,
    subset: bool,
    comment: bool,
    /// The last four bytes seen, to spot `<!--` and `-->`.
    window: [u8; 4],
}

impl XmlParser {
    /// `&name;` is complete: decode it into the text or attribute value.
    pub(super) fn resolve_entity(&mut self, quote: Option<u8>) {
        let decoded: Option<Vec<u8>> = match self.entity.as_slice() {
            b"lt" => Some(b"<".to_vec()),
            b"gt" => Some(b">".to_vec()),
            b"amp" => Some(b"&".to_vec()),
            b"quot" => Some(b"\"".to_vec()),
            b"apos" => Some(b"'".to_vec()),
            [b'#', b'x' | b'X', hex @ ..] => numeric(hex, 16),
            [b'#', dec @ ..] => numeric(dec, 10),
            _ => None,
        };
        let bytes = decoded.unwrap_or_else(|| {
            let mut literal = Vec::with_capacity(self.entity.len() + 2);
            literal.push(b'&');
            literal.extend_from_slice(&self.entity);
            literal.push(b';');
            literal
        });
        self.push_decoded(quote, &bytes);
        self.entity.clear();
    }

    pub(super) fn bang(&mut self, sink: &mut dyn ValueSink, byte: u8) {
        self.bang.push(byte);
        let seen = self.bang.as_slice();
        if seen == b"--" {
            self.state = State::Comment { dashes: 0 };
        } else if seen == b"[CDATA[" {
            if self.frames.is_empty() {
                self.malformed(sink, "CDATA section outside the root element".into());
            } else {
                self.state = State::Cdata { brackets: 0 };
            }
        } else if seen.eq_ignore_ascii_case(b"DOCTYPE") {
            if self.root_seen {
                self.malformed(sink, "DOCTYPE after the root element".into());
                return;
            }
            self.push_markup(b"<!");
            let max = self.limits.max_value_bytes;
            push_bounded(&mut self.markup, &mut self.markup_over, &self.bang, max);
            self.state = State::Doctype(Doctype {
                quote: None,
                subset: false,
                comment: false,
                window: [0; 4],
            });
        } else {
            let prefix_of = |word: &[u8]| {
                word.get(..seen.len())
                    .is_some_and(|w| w.eq_ignore_ascii_case(seen))
            };
            if !prefix_of(b"--") && !prefix_of(b"[CDATA[") && !prefix_of(b"DOCTYPE") {
                self.unexpected(sink, byte, "after '<!' (not a comment, CDATA or DOCTYPE)");
            }
        }
    }

    pub(super) fn cdata(&mut self, byte: u8, brackets: u8) {
        match byte {
            b']' if brackets == 2 => self.push_text(b"]"),
            b']' => {
                self.state = State::Cdata {
                    brackets: brackets + 1,
                }
            }
            b'>' if brackets == 2 => self.state = State::Content,
            _ => {
                for _ in 0..brackets {
                    self.push_text(b"]");
                }
                self.push_text(&[byte]);
                self.state = State::Cdata { brackets: 0 };
            }
        }
    }

    pub(super) fn doctype(&mut self, sink: &mut dyn ValueSink, byte: u8, mut dt: Doctype) {
        self.push_markup(&[byte]);
        dt.window = [dt.window[1], dt.window[2], dt.window[3], byte];
        if dt.comment {
            if dt.window.ends_with(b"-->") {
                dt.comment = false;
            }
        } else if let Some(quote) = dt.quote {
            if byte == quote {
                dt.quote = None;
            }
        } else {
            match byte {
                b'"' | b'\'' => dt.quote = Some(byte),
                b'[' if !dt.subset => dt.subset = true,
                b']' if dt.subset => dt.subset = false,
                b'>' if !dt.subset => {
                    self.emit_markup(sink, "doctype");
                    return;
                }
                b'-' if dt.subset && dt.window == *b"<!--" => {
                    dt.comment = true;
                    dt.window = [0; 4];
                }
                _ => {}
            }
        }
        self.state = State::Doctype(dt);
    }
}

pub(super) fn is_entity_char(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'#' | b'_' | b'-' | b'.' | b':')
}

/// `&#60;` / `&#x3c;`: the UTF-8 of the code point; U+FFFD if it is not a valid one.
fn numeric(digits: &[u8], radix: u32) -> Option<Vec<u8>> {
    if digits.is_empty() {
        return None;
    }
    let mut code: u32 = 0;
    for &d in digits {
        let v = char::from(d).to_digit(radix)?;
        code = code.saturating_mul(radix).saturating_add(v);
    }
    let c = char::from_u32(code)
        .filter(|&c| c != '\0')
        .unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut utf8 = [0u8; 4];
    Some(c.encode_utf8(&mut utf8).as_bytes().to_vec())
}
