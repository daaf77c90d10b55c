//! `json` body parser (placeholder until implemented).

use super::{BodyLimits, BodyParser, ValueSink};

/// Streaming json parser.
pub struct JsonParser {
    _limits: BodyLimits,
}

impl JsonParser {
    pub fn new(limits: BodyLimits) -> Self {
        JsonParser { _limits: limits }
    }
}

impl BodyParser for JsonParser {
    fn feed(&mut self, _chunk: &[u8], _sink: &mut dyn ValueSink) {}
    fn finish(&mut self, _sink: &mut dyn ValueSink) {}
}
