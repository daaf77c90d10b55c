//! Raw bodies: unknown or text content types, inspected as one value.
//!
//! Contract: the first `max_value_bytes` bytes of the body are kept and reported at
//! [`BodyParser::finish`] as one [`TargetSource::RawBody`] value named `""`; a longer
//! body is reported [`BodyIssue::ValueTruncated`] (named `""`) just before that value.
//! An empty body reports nothing. Memory: at most `max_value_bytes` bytes.

use super::bounded::push_bounded;
use super::{BodyIssue, BodyLimits, BodyParser, ValueSink};
use crate::target::TargetSource;

/// Keeps the leading bytes of a body.
pub struct RawParser {
    limits: BodyLimits,
    kept: Vec<u8>,
    over: bool,
    finished: bool,
}

impl RawParser {
    pub fn new(limits: BodyLimits) -> Self {
        RawParser {
            limits,
            kept: Vec::new(),
            over: false,
            finished: false,
        }
    }
}

impl BodyParser for RawParser {
    fn feed(&mut self, chunk: &[u8], _sink: &mut dyn ValueSink) {
        if self.finished || self.over {
            return;
        }
        push_bounded(
            &mut self.kept,
            &mut self.over,
            chunk,
            self.limits.max_value_bytes,
        );
    }

    fn finish(&mut self, sink: &mut dyn ValueSink) {
        if self.finished {
            return;
        }
        self.finished = true;
        if self.over {
            sink.issue(BodyIssue::ValueTruncated {
                name: String::new(),
            });
        }
        if !self.kept.is_empty() || self.over {
            sink.value(TargetSource::RawBody, "", &self.kept);
        }
        self.kept = Vec::new();
    }
}
