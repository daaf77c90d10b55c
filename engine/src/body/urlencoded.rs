//! `urlencoded` body parser (placeholder until implemented).

use super::{BodyLimits, BodyParser, ValueSink};

/// Streaming urlencoded parser.
pub struct UrlEncodedParser {
    _limits: BodyLimits,
}

impl UrlEncodedParser {
    pub fn new(limits: BodyLimits) -> Self {
        UrlEncodedParser { _limits: limits }
    }
}

impl BodyParser for UrlEncodedParser {
    fn feed(&mut self, _chunk: &[u8], _sink: &mut dyn ValueSink) {}
    fn finish(&mut self, _sink: &mut dyn ValueSink) {}
}
