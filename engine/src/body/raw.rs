//! `raw` body parser (placeholder until implemented).

use super::{BodyLimits, BodyParser, ValueSink};

/// Streaming raw parser.
pub struct RawParser {
    _limits: BodyLimits,
}

impl RawParser {
    pub fn new(limits: BodyLimits) -> Self {
        RawParser { _limits: limits }
    }
}

impl BodyParser for RawParser {
    fn feed(&mut self, _chunk: &[u8], _sink: &mut dyn ValueSink) {}
    fn finish(&mut self, _sink: &mut dyn ValueSink) {}
}
