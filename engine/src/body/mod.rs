//! Streaming request-body parsers.
//!
//! Each parser takes the body in chunks of any size and reports every completed
//! value to a [`ValueSink`] as soon as it is complete. Contract, for every parser:
//! - feeding the same body whole, in 1-byte chunks or in random chunks yields the
//!   same sequence of values and issues (chunking never changes the outcome);
//! - memory is bounded by [`BodyLimits`]: a value longer than `max_value_bytes` is
//!   reported truncated to that many bytes (with a [`BodyIssue::ValueTruncated`]),
//!   names are bounded the same way, nesting deeper than `max_depth` is an issue;
//! - malformed input is a [`BodyIssue`], never a panic; after a fatal issue the
//!   parser ignores the rest of the body.

use crate::target::TargetSource;

mod bounded;
pub mod json;
mod known_keys;
pub mod multipart;
pub mod raw;
mod stops;
pub mod urlencoded;
pub mod xml;

/// Bounds on what one parser may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyLimits {
    /// Longest value (and name) kept; longer ones are truncated and reported.
    pub max_value_bytes: usize,
    /// Deepest JSON / XML nesting accepted.
    pub max_depth: usize,
}

impl Default for BodyLimits {
    fn default() -> Self {
        BodyLimits {
            max_value_bytes: 64 * 1024,
            max_depth: 64,
        }
    }
}

/// Something wrong with a body, reported to the sink.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyIssue {
    /// A value or name was longer than `max_value_bytes`; `name` is its (possibly truncated) name.
    ValueTruncated { name: String },
    /// Nesting exceeded `max_depth`. Fatal.
    TooDeep,
    /// The body is not valid for its content type. Fatal.
    Malformed { reason: String, offset: u64 },
    /// The body ended in the middle of a structure (unterminated JSON, missing final boundary). Fatal.
    Truncated { reason: String },
}

impl BodyIssue {
    /// Whether the parser stopped after this issue.
    pub fn is_fatal(&self) -> bool {
        !matches!(self, BodyIssue::ValueTruncated { .. })
    }
}

/// Receives the values and issues a parser finds, in body order.
pub trait ValueSink {
    /// A completed value. `name` is the value's display name (field name, JSON path,
    /// XML path); `value` is the decoded value, at most `max_value_bytes` long.
    fn value(&mut self, source: TargetSource, name: &str, value: &[u8]);
    /// A JSON object key, like [`ValueSink::value`] with
    /// [`TargetSource::JsonKey`]. Returns `true` when a later key in this
    /// body with exactly these bytes, and a name that holds a `[` exactly
    /// when this one's does, would change nothing for the sink (it passed
    /// this one over and keeps no state for it): the JSON parser may then
    /// leave such repeats unreported. The default reports the key and
    /// returns `false`, so every key is reported.
    fn json_key(&mut self, name: &str, key: &[u8]) -> bool {
        self.value(TargetSource::JsonKey, name, key);
        false
    }
    /// A problem with the body.
    fn issue(&mut self, issue: BodyIssue);
    /// `false` once every further value would be ignored (past the argument
    /// limit): a parser may then skip decoding values. Issues are still
    /// reported.
    fn wants_values(&self) -> bool {
        true
    }
    /// One multipart part header as read (`name` before the colon, raw; `value`
    /// after it, folded lines joined), reported when the part's headers end,
    /// before the part's names. Other parsers never call it.
    fn part_header(&mut self, name: &[u8], value: &[u8]) {
        let _ = (name, value);
    }
}

/// A streaming parser for one body.
pub trait BodyParser: Send {
    /// Feeds the next chunk.
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn ValueSink);
    /// Signals the end of the body; reports what was pending and any truncation.
    fn finish(&mut self, sink: &mut dyn ValueSink);
}

/// Which parser a body gets, from its `Content-Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyKind {
    UrlEncoded,
    Multipart { boundary: Vec<u8> },
    Json,
    Xml,
    Raw,
}

impl BodyKind {
    /// Chooses a parser from a Content-Type header value (case-insensitive; parameters honoured).
    ///
    /// `application/x-www-form-urlencoded` → UrlEncoded; `multipart/form-data; boundary=..`
    /// → Multipart (a missing boundary gives Raw); `application/json` and any `+json`
    /// → Json; `application/xml`, `text/xml` and any `+xml` → Xml; anything else → Raw.
    pub fn from_content_type(content_type: Option<&[u8]>) -> BodyKind {
        let Some(ct) = content_type else {
            return BodyKind::Raw;
        };
        let text = String::from_utf8_lossy(ct);
        let mut parts = text.split(';');
        let mime = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        match mime.as_str() {
            "application/x-www-form-urlencoded" => BodyKind::UrlEncoded,
            "multipart/form-data" | "multipart/mixed" => {
                for param in parts {
                    let (key, val) = match param.split_once('=') {
                        Some(kv) => kv,
                        None => continue,
                    };
                    if key.trim().eq_ignore_ascii_case("boundary") {
                        let val = val.trim().trim_matches('"');
                        if !val.is_empty() {
                            return BodyKind::Multipart {
                                boundary: val.as_bytes().to_vec(),
                            };
                        }
                    }
                }
                BodyKind::Raw
            }
            "application/json" => BodyKind::Json,
            m if m.ends_with("+json") => BodyKind::Json,
            "application/xml" | "text/xml" => BodyKind::Xml,
            m if m.ends_with("+xml") => BodyKind::Xml,
            _ => BodyKind::Raw,
        }
    }

    /// A fresh parser for this kind of body.
    pub fn parser(&self, limits: BodyLimits) -> Box<dyn BodyParser> {
        match self {
            BodyKind::UrlEncoded => Box::new(urlencoded::UrlEncodedParser::new(limits)),
            BodyKind::Multipart { boundary } => {
                Box::new(multipart::MultipartParser::new(boundary, limits))
            }
            BodyKind::Json => Box::new(json::JsonParser::new(limits)),
            BodyKind::Xml => Box::new(xml::XmlParser::new(limits)),
            BodyKind::Raw => Box::new(raw::RawParser::new(limits)),
        }
    }
}
