//! `application/xml`, `text/xml` (and `+xml`) bodies: a small streaming tokenizer.
//!
//! Contract:
//! - Element text is a [`TargetSource::XmlText`] named by the element path
//!   (`/root/item`), with the five predefined entities and numeric references decoded,
//!   CDATA sections taken as they are, and leading/trailing whitespace trimmed;
//!   whitespace-only text is not reported. Text is joined across comments, CDATA
//!   sections and processing instructions (`SEL<!-- -->ECT` is `SELECT`) and reported
//!   when the next start or end tag begins. Unknown entity references stay literal.
//! - Every attribute is a [`TargetSource::XmlAttr`] named `/root/item@id`, with the
//!   same decoding.
//! - `<!DOCTYPE ...>` (with any internal subset and its `<!ENTITY ...>` declarations)
//!   and processing instructions (including `<?xml ...?>`) are [`TargetSource::XmlMarkup`]
//!   named `doctype` / `pi`, whose value is the whole markup as written
//!   (`<!DOCTYPE ...>`, `<?...?>`). Comments are skipped.
//! - A mismatched or stray close tag, text or a second element outside the root
//!   element, an attribute without a quoted value, or any other garbage is
//!   [`BodyIssue::Malformed`]; more than `max_depth` nested elements is
//!   [`BodyIssue::TooDeep`]; a body that ends before the root element closes is
//!   [`BodyIssue::Truncated`] (pending text is reported first). An empty or
//!   all-whitespace body is fine. A UTF-8 byte-order mark is skipped.
//! - Text, attribute values and markup longer than `max_value_bytes` are cut and
//!   reported [`BodyIssue::ValueTruncated`]; element and attribute names are cut at
//!   `min(max_value_bytes, 256)` bytes, also reported.
//! - Memory: one text, one attribute, one markup buffer (each `max_value_bytes`), one
//!   bounded name per open element, and a bounded path.

use super::bounded::{describe, is_ws, push_bounded, push_path};
use super::{BodyIssue, BodyLimits, BodyParser, ValueSink};
use crate::target::TargetSource;

mod markup;

use markup::{is_entity_char, Doctype};

/// Longest element or attribute name kept (also bounded by `max_value_bytes`).
const MAX_NAME_BYTES: usize = 256;
/// Longest entity reference name (`&...;`) recognised; longer ones stay literal.
const MAX_ENTITY_BYTES: usize = 32;
const BOM: [u8; 3] = [0xef, 0xbb, 0xbf];

/// One open element.
struct Frame {
    name: Vec<u8>,
    /// Length of `path` before this element was appended.
    base_len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Text content (or the prolog / epilogue around the root element).
    Content,
    /// Inside `&...;`; `quote` is the attribute quote, or `None` in text.
    Entity {
        quote: Option<u8>,
    },
    /// After `<`.
    TagOpen,
    /// After `<!`, deciding between comment, CDATA and DOCTYPE.
    Bang,
    Comment {
        dashes: u8,
    },
    Cdata {
        brackets: u8,
    },
    Doctype(Doctype),
    Pi {
        question: bool,
    },
    StartName,
    InTag,
    SelfClose,
    AttrName,
    AfterAttrName,
    BeforeAttrValue,
    AttrValue {
        quote: u8,
    },
    EndName,
    AfterEndName,
    Dead,
}

/// Streaming XML parser.
pub struct XmlParser {
    limits: BodyLimits,
    state: State,
    frames: Vec<Frame>,
    path: String,
    /// Pending text of the current element (leading whitespace skipped).
    text: Vec<u8>,
    text_over: bool,
    /// Element name being read (start or end tag).
    name: Vec<u8>,
    name_over: bool,
    attr_name: Vec<u8>,
    attr_name_over: bool,
    attr_value: Vec<u8>,
    attr_value_over: bool,
    /// DOCTYPE or processing instruction being read.
    markup: Vec<u8>,
    markup_over: bool,
    entity: Vec<u8>,
    /// Bytes after `<!` (at most 7: `[CDATA[`).
    bang: Vec<u8>,
    root_seen: bool,
    root_closed: bool,
    /// A `<` has been seen (the body is more than whitespace).
    seen_content: bool,
    /// How many bytes of a leading UTF-8 byte-order mark have been skipped.
    bom_len: u8,
    offset: u64,
}

impl XmlParser {
    pub fn new(limits: BodyLimits) -> Self {
        XmlParser {
            limits,
            state: State::Content,
            frames: Vec::new(),
            path: String::new(),
            text: Vec::new(),
            text_over: false,
            name: Vec::new(),
            name_over: false,
            attr_name: Vec::new(),
            attr_name_over: false,
            attr_value: Vec::new(),
            attr_value_over: false,
            markup: Vec::new(),
            markup_over: false,
            entity: Vec::new(),
            bang: Vec::new(),
            root_seen: false,
            root_closed: false,
            seen_content: false,
            bom_len: 0,
            offset: 0,
        }
    }

    fn max_name(&self) -> usize {
        self.limits.max_value_bytes.min(MAX_NAME_BYTES)
    }

    fn malformed(&mut self, sink: &mut dyn ValueSink, reason: String) {
        sink.issue(BodyIssue::Malformed {
            reason,
            offset: self.offset,
        });
        self.state = State::Dead;
    }

    fn unexpected(&mut self, sink: &mut dyn ValueSink, byte: u8, context: &str) {
        let reason = format!("unexpected {} {context}", describe(byte));
        self.malformed(sink, reason);
    }

    /// Adds decoded text; leading whitespace is dropped, and only a dropped
    /// non-whitespace byte counts as truncation (trailing whitespace is trimmed anyway).
    fn push_text(&mut self, bytes: &[u8]) {
        let max = self.limits.max_value_bytes;
        for &byte in bytes {
            if is_ws(byte) && self.text.is_empty() {
                continue;
            }
            if self.text.len() < max {
                self.text.push(byte);
            } else if !is_ws(byte) {
                self.text_over = true;
            }
        }
    }

    fn push_markup(&mut self, bytes: &[u8]) {
        let max = self.limits.max_value_bytes;
        push_bounded(&mut self.markup, &mut self.markup_over, bytes, max);
    }

    /// Adds decoded bytes to the attribute value (`quote` is `Some`) or the text.
    fn push_decoded(&mut self, quote: Option<u8>, bytes: &[u8]) {
        if quote.is_some() {
            let max = self.limits.max_value_bytes;
            push_bounded(&mut self.attr_value, &mut self.attr_value_over, bytes, max);
        } else {
            self.push_text(bytes);
        }
    }

    /// Reports the pending text of the current element.
    fn flush_text(&mut self, sink: &mut dyn ValueSink) {
        while self.text.last().is_some_and(|&b| is_ws(b)) {
            self.text.pop();
        }
        if !self.text.is_empty() || self.text_over {
            if self.text_over {
                sink.issue(BodyIssue::ValueTruncated {
                    name: self.path.clone(),
                });
            }
            sink.value(TargetSource::XmlText, &self.path, &self.text);
        }
        self.text.clear();
        self.text_over = false;
    }

    fn emit_markup(&mut self, sink: &mut dyn ValueSink, name: &str) {
        if self.markup_over {
            sink.issue(BodyIssue::ValueTruncated { name: name.into() });
        }
        sink.value(TargetSource::XmlMarkup, name, &self.markup);
        self.markup.clear();
        self.markup_over = false;
        self.state = State::Content;
    }

    /// The start tag's name is complete: push the element.
    fn open_element(&mut self, sink: &mut dyn ValueSink) {
        if self.frames.len() >= self.limits.max_depth {
            sink.issue(BodyIssue::TooDeep);
            self.state = State::Dead;
            return;
        }
        let base_len = self.path.len();
        push_path(&mut self.path, "/");
        push_path(&mut self.path, &String::from_utf8_lossy(&self.name));
        if self.name_over {
            sink.issue(BodyIssue::ValueTruncated {
                name: self.path.clone(),
            });
        }
        self.frames.push(Frame {
            name: std::mem::take(&mut self.name),
            base_len,
        });
        self.name_over = false;
        self.root_seen = true;
    }

    fn close_element(&mut self) {
        if let Some(frame) = self.frames.pop() {
            self.path.truncate(frame.base_len);
        }
        if self.frames.is_empty() {
            self.root_closed = true;
        }
        self.state = State::Content;
    }

    /// The end tag is complete: it must close the innermost element.
    fn end_element(&mut self, sink: &mut dyn ValueSink) {
        let matches = self.frames.last().is_some_and(|f| f.name == self.name);
        if matches {
            self.name.clear();
            self.name_over = false;
            self.close_element();
        } else {
            let reason = format!(
                "close tag </{}> does not match the open element {}",
                String::from_utf8_lossy(&self.name),
                if self.path.is_empty() {
                    "(none)"
                } else {
                    &self.path
                }
            );
            self.malformed(sink, reason);
        }
    }

    fn emit_attr(&mut self, sink: &mut dyn ValueSink) {
        let mut name = self.path.clone();
        push_path(&mut name, "@");
        push_path(&mut name, &String::from_utf8_lossy(&self.attr_name));
        if self.attr_name_over || self.attr_value_over {
            sink.issue(BodyIssue::ValueTruncated { name: name.clone() });
        }
        sink.value(TargetSource::XmlAttr, &name, &self.attr_value);
        self.attr_name.clear();
        self.attr_name_over = false;
        self.attr_value.clear();
        self.attr_value_over = false;
    }

    fn content(&mut self, sink: &mut dyn ValueSink, byte: u8) {
        if byte == b'<' {
            self.seen_content = true;
            self.state = State::TagOpen;
            return;
        }
        if self.frames.is_empty() {
            let bom_byte = self.offset == u64::from(self.bom_len)
                && BOM.get(usize::from(self.bom_len)) == Some(&byte);
            if bom_byte {
                self.bom_len += 1;
            } else if !is_ws(byte) {
                self.unexpected(sink, byte, "outside the root element");
            }
            return;
        }
        if byte == b'&' {
            self.state = State::Entity { quote: None };
        } else {
            self.push_text(&[byte]);
        }
    }

    fn tag_open(&mut self, sink: &mut dyn ValueSink, byte: u8) {
        match byte {
            b'/' => {
                self.flush_text(sink);
                self.state = State::EndName;
            }
            b'!' => {
                self.bang.clear();
                self.state = State::Bang;
            }
            b'?' => {
                self.push_markup(b"<?");
                self.state = State::Pi { question: false };
            }
            _ if is_name_start(byte) => {
                if self.root_closed {
                    self.malformed(sink, "a second root element".into());
                    return;
                }
                self.flush_text(sink);
                self.name.push(byte);
                self.state = State::StartName;
            }
            _ => self.unexpected(sink, byte, "after '<'"),
        }
    }

    /// Handles one byte; returns `false` if the byte must be seen again in the new state.
    fn step(&mut self, sink: &mut dyn ValueSink, byte: u8) -> bool {
        match self.state {
            State::Dead => {}
            State::Content => self.content(sink, byte),
            State::Entity { quote } => {
                if byte == b';' {
                    self.resolve_entity(quote);
                    self.state = back_from_entity(quote);
                } else if is_entity_char(byte) && self.entity.len() < MAX_ENTITY_BYTES {
                    self.entity.push(byte);
                } else {
                    // Not a reference after all: keep it literal and look at `byte` again.
                    let mut literal = vec![b'&'];
                    literal.append(&mut self.entity);
                    self.push_decoded(quote, &literal);
                    self.state = back_from_entity(quote);
                    return false;
                }
            }
            State::TagOpen => self.tag_open(sink, byte),
            State::Bang => self.bang(sink, byte),
            State::Comment { dashes } => {
                self.state = match byte {
                    b'-' => State::Comment {
                        dashes: dashes.saturating_add(1).min(2),
                    },
                    b'>' if dashes >= 2 => State::Content,
                    _ => State::Comment { dashes: 0 },
                }
            }
            State::Cdata { brackets } => self.cdata(byte, brackets),
            State::Doctype(dt) => self.doctype(sink, byte, dt),
            State::Pi { question } => {
                self.push_markup(&[byte]);
                if question && byte == b'>' {
                    self.emit_markup(sink, "pi");
                } else {
                    self.state = State::Pi {
                        question: byte == b'?',
                    };
                }
            }
            State::StartName => match byte {
                _ if is_name_char(byte) => {
                    let max = self.max_name();
                    push_bounded(&mut self.name, &mut self.name_over, &[byte], max);
                }
                _ if is_ws(byte) => {
                    self.state = State::InTag;
                    self.open_element(sink);
                }
                b'/' => {
                    self.state = State::SelfClose;
                    self.open_element(sink);
                }
                b'>' => {
                    self.state = State::Content;
                    self.open_element(sink);
                }
                _ => self.unexpected(sink, byte, "in an element name"),
            },
            State::InTag => match byte {
                _ if is_ws(byte) => {}
                b'>' => self.state = State::Content,
                b'/' => self.state = State::SelfClose,
                _ if is_name_start(byte) => {
                    self.attr_name.push(byte);
                    self.state = State::AttrName;
                }
                _ => self.unexpected(sink, byte, "in a start tag"),
            },
            State::SelfClose => match byte {
                b'>' => self.close_element(),
                _ => self.unexpected(sink, byte, "after '/' in a start tag"),
            },
            State::AttrName => match byte {
                _ if is_name_char(byte) => {
                    let max = self.max_name();
                    push_bounded(&mut self.attr_name, &mut self.attr_name_over, &[byte], max);
                }
                _ if is_ws(byte) => self.state = State::AfterAttrName,
                b'=' => self.state = State::BeforeAttrValue,
                _ => self.unexpected(sink, byte, "in an attribute name"),
            },
            State::AfterAttrName => match byte {
                _ if is_ws(byte) => {}
                b'=' => self.state = State::BeforeAttrValue,
                _ => self.unexpected(sink, byte, "after an attribute name (expected '=')"),
            },
            State::BeforeAttrValue => match byte {
                _ if is_ws(byte) => {}
                b'"' | b'\'' => self.state = State::AttrValue { quote: byte },
                _ => self.unexpected(sink, byte, "where a quoted attribute value should start"),
            },
            State::AttrValue { quote } => match byte {
                _ if byte == quote => {
                    self.emit_attr(sink);
                    self.state = State::InTag;
                }
                b'&' => self.state = State::Entity { quote: Some(quote) },
                b'<' => self.unexpected(sink, byte, "in an attribute value"),
                _ => self.push_decoded(Some(quote), &[byte]),
            },
            State::EndName => match byte {
                _ if is_name_char(byte) && (!self.name.is_empty() || is_name_start(byte)) => {
                    let max = self.max_name();
                    push_bounded(&mut self.name, &mut self.name_over, &[byte], max);
                }
                _ if is_ws(byte) && !self.name.is_empty() => self.state = State::AfterEndName,
                b'>' if !self.name.is_empty() => self.end_element(sink),
                _ => self.unexpected(sink, byte, "in a close tag"),
            },
            State::AfterEndName => match byte {
                _ if is_ws(byte) => {}
                b'>' => self.end_element(sink),
                _ => self.unexpected(sink, byte, "in a close tag (expected '>')"),
            },
        }
        true
    }
}

impl BodyParser for XmlParser {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn ValueSink) {
        let mut rest = chunk;
        while let Some(&byte) = rest.first() {
            match self.state {
                State::Dead => return,
                State::Content if !self.frames.is_empty() => {
                    // Fast path: plain text up to the next markup or reference.
                    let run = memchr::memchr2(b'<', b'&', rest).unwrap_or(rest.len());
                    if run > 0 {
                        let (plain, tail) = rest.split_at_checked(run).unwrap_or((rest, &[]));
                        self.push_text(plain);
                        self.offset += plain.len() as u64;
                        rest = tail;
                        continue;
                    }
                }
                _ => {}
            }
            if self.step(sink, byte) {
                self.offset += 1;
                rest = rest.get(1..).unwrap_or_default();
            }
        }
    }

    fn finish(&mut self, sink: &mut dyn ValueSink) {
        let reason = match self.state {
            State::Dead => None,
            State::Content if self.frames.is_empty() => {
                if self.root_closed || !self.seen_content {
                    None
                } else {
                    Some("XML ends before the root element")
                }
            }
            State::Content | State::Entity { quote: None } | State::Cdata { .. } => {
                if let State::Entity { quote: None } = self.state {
                    let mut literal = vec![b'&'];
                    literal.append(&mut self.entity);
                    self.push_text(&literal);
                }
                self.flush_text(sink);
                Some("XML ends inside an element")
            }
            State::Comment { .. } => Some("XML ends inside a comment"),
            State::Doctype(_) => Some("XML ends inside a DOCTYPE"),
            State::Pi { .. } => Some("XML ends inside a processing instruction"),
            _ => Some("XML ends inside a tag"),
        };
        if let Some(reason) = reason {
            sink.issue(BodyIssue::Truncated {
                reason: reason.into(),
            });
        }
        self.state = State::Dead;
        self.frames = Vec::new();
        self.text = Vec::new();
        self.markup = Vec::new();
        self.attr_value = Vec::new();
    }
}

fn back_from_entity(quote: Option<u8>) -> State {
    match quote {
        Some(quote) => State::AttrValue { quote },
        None => State::Content,
    }
}

fn is_name_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_' || byte == b':' || byte >= 0x80
}

fn is_name_char(byte: u8) -> bool {
    is_name_start(byte) || byte.is_ascii_digit() || byte == b'-' || byte == b'.'
}
