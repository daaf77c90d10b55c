//! `application/x-www-form-urlencoded` bodies, and query strings through the same code.
//!
//! Contract:
//! - `a=1&b=2` gives, for each pair in order, the decoded name as a name target
//!   (`name` = the decoded name as lossy UTF-8, `value` = the decoded name bytes) and
//!   then the decoded value (`name` = the decoded name). Bodies use
//!   [`TargetSource::BodyArgName`] / [`TargetSource::BodyArg`]; [`parse_query`] uses
//!   [`TargetSource::QueryArgName`] / [`TargetSource::QueryArg`].
//! - Decoding is [`percent_decode`] with `+` as a space (`%XX` and `%uXXXX`).
//! - A segment without `=` is a name with an empty value; empty segments (`&&`, a
//!   leading or trailing `&`) are skipped; `=v` is an empty name with value `v`.
//! - A name or value longer than `max_value_bytes` keeps its first `max_value_bytes`
//!   *encoded* bytes, is decoded from those (decoding never lengthens), and is reported
//!   once as [`BodyIssue::ValueTruncated`] just before it is emitted.
//! - Memory: one name and one value, each at most `max_value_bytes` bytes.

use super::bounded::push_bounded;
use super::{BodyIssue, BodyLimits, BodyParser, ValueSink};
use crate::target::TargetSource;
use crate::transform::url_decode::{percent_decode, percent_decode_into};

/// Streaming `name=value&...` parser.
pub struct UrlEncodedParser {
    limits: BodyLimits,
    name_source: TargetSource,
    value_source: TargetSource,
    /// Raw (still encoded) bytes of the current name, at most `max_value_bytes`.
    name: Vec<u8>,
    /// Raw (still encoded) bytes of the current value, at most `max_value_bytes`.
    value: Vec<u8>,
    name_over: bool,
    value_over: bool,
    /// Whether the current segment has had its `=`.
    in_value: bool,
    finished: bool,
    /// Decoding buffers reused across pairs (bounded by `max_value_bytes`
    /// like the raw ones: decoding never lengthens).
    decoded_name: Vec<u8>,
    decoded_value: Vec<u8>,
}

impl UrlEncodedParser {
    /// A parser for a form body ([`TargetSource::BodyArgName`] / [`TargetSource::BodyArg`]).
    pub fn new(limits: BodyLimits) -> Self {
        Self::with_sources(limits, TargetSource::BodyArgName, TargetSource::BodyArg)
    }

    /// A parser that reports names and values under the given sources.
    pub fn with_sources(
        limits: BodyLimits,
        name_source: TargetSource,
        value_source: TargetSource,
    ) -> Self {
        UrlEncodedParser {
            limits,
            name_source,
            value_source,
            name: Vec::new(),
            value: Vec::new(),
            name_over: false,
            value_over: false,
            in_value: false,
            finished: false,
            decoded_name: Vec::new(),
            decoded_value: Vec::new(),
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        let max = self.limits.max_value_bytes;
        if self.in_value {
            push_bounded(&mut self.value, &mut self.value_over, bytes, max);
        } else {
            push_bounded(&mut self.name, &mut self.name_over, bytes, max);
        }
    }

    /// Emits the current pair (unless the segment was empty) and resets.
    fn end_segment(&mut self, sink: &mut dyn ValueSink) {
        let empty = !self.in_value && self.name.is_empty() && !self.name_over;
        if !empty && !sink.wants_values() {
            // Past the argument limit: only a truncation is still reported.
            if self.name_over || self.value_over {
                let name = String::from_utf8_lossy(&percent_decode(&self.name, true)).into_owned();
                for _ in 0..usize::from(self.name_over) + usize::from(self.value_over) {
                    sink.issue(BodyIssue::ValueTruncated { name: name.clone() });
                }
            }
        } else if !empty {
            // Decoded into buffers kept across pairs (no allocation per pair).
            let mut decoded_name = std::mem::take(&mut self.decoded_name);
            let mut decoded_value = std::mem::take(&mut self.decoded_value);
            let name_bytes: &[u8] = if percent_decode_into(&self.name, true, &mut decoded_name) {
                &decoded_name
            } else {
                &self.name
            };
            // `from_utf8` first: `from_utf8_lossy` walks UTF-8 chunks, twice
            // the cost on the valid names nearly all forms have.
            let name = match std::str::from_utf8(name_bytes) {
                Ok(valid) => std::borrow::Cow::Borrowed(valid),
                Err(_) => String::from_utf8_lossy(name_bytes),
            };
            if self.name_over {
                sink.issue(BodyIssue::ValueTruncated {
                    name: name.to_string(),
                });
            }
            sink.value(self.name_source, &name, name_bytes);
            if self.value_over {
                sink.issue(BodyIssue::ValueTruncated {
                    name: name.to_string(),
                });
            }
            let value_bytes: &[u8] = if percent_decode_into(&self.value, true, &mut decoded_value) {
                &decoded_value
            } else {
                &self.value
            };
            sink.value(self.value_source, &name, value_bytes);
            drop(name);
            self.decoded_name = decoded_name;
            self.decoded_value = decoded_value;
        }
        self.name.clear();
        self.value.clear();
        self.name_over = false;
        self.value_over = false;
        self.in_value = false;
    }
}

impl BodyParser for UrlEncodedParser {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn ValueSink) {
        if self.finished {
            return;
        }
        let mut rest = chunk;
        while !rest.is_empty() {
            let stop = if self.in_value {
                memchr::memchr(b'&', rest)
            } else {
                memchr::memchr2(b'&', b'=', rest)
            };
            let Some(at) = stop else {
                self.push(rest);
                return;
            };
            let (head, tail) = rest.split_at_checked(at).unwrap_or((rest, &[]));
            self.push(head);
            let Some((&delimiter, after)) = tail.split_first() else {
                return;
            };
            if delimiter == b'=' {
                self.in_value = true;
            } else {
                self.end_segment(sink);
            }
            rest = after;
        }
    }

    fn finish(&mut self, sink: &mut dyn ValueSink) {
        if self.finished {
            return;
        }
        self.end_segment(sink);
        self.finished = true;
    }
}

/// Parses a query string (the part after `?`, without the `#fragment`) exactly as a
/// form body, reporting [`TargetSource::QueryArgName`] / [`TargetSource::QueryArg`].
pub fn parse_query(query: &[u8], limits: BodyLimits, sink: &mut dyn ValueSink) {
    let mut parser =
        UrlEncodedParser::with_sources(limits, TargetSource::QueryArgName, TargetSource::QueryArg);
    parser.feed(query, sink);
    parser.finish(sink);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes `wanted` values, then wants no more; records everything.
    struct Limited {
        wanted: usize,
        values: Vec<(TargetSource, String, Vec<u8>)>,
        issues: Vec<BodyIssue>,
    }

    impl ValueSink for Limited {
        fn value(&mut self, source: TargetSource, name: &str, value: &[u8]) {
            self.values.push((source, name.to_string(), value.to_vec()));
        }
        fn issue(&mut self, issue: BodyIssue) {
            self.issues.push(issue);
        }
        fn wants_values(&self) -> bool {
            self.values.len() < self.wanted
        }
    }

    #[test]
    fn past_the_sink_s_limit_only_truncations_are_reported() {
        let limits = BodyLimits {
            max_value_bytes: 8,
            ..BodyLimits::default()
        };
        let body = b"a=1&b=2&c=%27or%201=1--&a%20very%20long%20name=x&d=0123456789abc";
        for chunk in [1, 5, body.len()] {
            let mut sink = Limited {
                wanted: 4,
                values: Vec::new(),
                issues: Vec::new(),
            };
            let mut parser = UrlEncodedParser::new(limits);
            for part in body.chunks(chunk) {
                parser.feed(part, &mut sink);
            }
            parser.finish(&mut sink);
            let names: Vec<&str> = sink.values.iter().map(|(_, n, _)| n.as_str()).collect();
            assert_eq!(names, ["a", "a", "b", "b"], "chunks of {chunk}");
            assert_eq!(
                sink.issues,
                [
                    // The limit applies to the raw bytes: `%27or%201=1--`
                    // and `a%20very%20long%20name` are over it too.
                    BodyIssue::ValueTruncated { name: "c".into() },
                    BodyIssue::ValueTruncated {
                        name: "a very".into()
                    },
                    BodyIssue::ValueTruncated { name: "d".into() },
                ],
                "chunks of {chunk}"
            );
        }
    }
}
