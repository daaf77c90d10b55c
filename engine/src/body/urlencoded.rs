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
//! - Pairs are decoded as their segments complete and reported at the end
//!   of each chunk (or each run of [`STAGED_BYTES`] of decoded text), in
//!   order, as spans of that text (see [`ValueSink::begin_chunk`]).
//! - Memory: one name and one value, each at most `max_value_bytes` bytes,
//!   and the decoded pairs of one run (about [`STAGED_BYTES`]).

use super::bounded::push_bounded;
use super::{BodyIssue, BodyLimits, BodyParser, ValueSink};
use crate::target::TargetSource;
use crate::transform::url_decode::percent_decode_append;
use std::ops::Range;

/// Decoded text gathered before the pairs in it are reported.
pub const STAGED_BYTES: usize = 64 * 1024;

/// A pair decoded and waiting to be reported: its name and value as
/// ranges of the staged text, and whether either was cut.
struct Staged {
    name: Range<usize>,
    value: Range<usize>,
    name_over: bool,
    value_over: bool,
}

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
    /// The decoded names and values of the pairs completed in this run,
    /// each followed by `&`, and the pairs themselves.
    text: Vec<u8>,
    staged: Vec<Staged>,
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
            text: Vec::new(),
            staged: Vec::new(),
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

    /// Decodes the current pair (unless the segment was empty) into the
    /// staged text and resets.
    fn end_segment(&mut self) {
        let empty = !self.in_value && self.name.is_empty() && !self.name_over;
        if !empty {
            let name = self.stage(false);
            let value = self.stage(true);
            self.staged.push(Staged {
                name,
                value,
                name_over: self.name_over,
                value_over: self.value_over,
            });
        }
        self.name.clear();
        self.value.clear();
        self.name_over = false;
        self.value_over = false;
        self.in_value = false;
    }

    /// Appends the decoded name or value to the staged text; its range.
    fn stage(&mut self, value: bool) -> Range<usize> {
        let raw = if value { &self.value } else { &self.name };
        let start = self.text.len();
        if !percent_decode_append(raw, true, &mut self.text) {
            self.text.extend_from_slice(raw);
        }
        let end = self.text.len();
        self.text.push(b'&');
        start..end
    }

    /// Reports the staged pairs in order and empties the stage.
    fn flush(&mut self, sink: &mut dyn ValueSink) {
        if self.staged.is_empty() {
            self.text.clear();
            return;
        }
        sink.begin_chunk(&self.text);
        for pair in self.staged.drain(..) {
            let name_bytes = self.text.get(pair.name.clone()).unwrap_or_default();
            let name = String::from_utf8_lossy(name_bytes);
            if !sink.wants_values() {
                // Past the argument limit: only a truncation is still reported.
                for _ in 0..usize::from(pair.name_over) + usize::from(pair.value_over) {
                    sink.issue(BodyIssue::ValueTruncated {
                        name: name.to_string(),
                    });
                }
                continue;
            }
            if pair.name_over {
                sink.issue(BodyIssue::ValueTruncated {
                    name: name.to_string(),
                });
            }
            sink.value_in_chunk(self.name_source, &name, name_bytes, pair.name.start);
            if pair.value_over {
                sink.issue(BodyIssue::ValueTruncated {
                    name: name.to_string(),
                });
            }
            let value_bytes = self.text.get(pair.value.clone()).unwrap_or_default();
            sink.value_in_chunk(self.value_source, &name, value_bytes, pair.value.start);
        }
        self.text.clear();
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
                self.end_segment();
                if self.text.len() >= STAGED_BYTES {
                    self.flush(sink);
                }
            }
            rest = after;
        }
        self.flush(sink);
    }

    fn finish(&mut self, sink: &mut dyn ValueSink) {
        if self.finished {
            return;
        }
        self.end_segment();
        self.flush(sink);
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
