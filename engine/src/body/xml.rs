//! `xml` body parser (placeholder until implemented).

use super::{BodyLimits, BodyParser, ValueSink};

/// Streaming xml parser.
pub struct XmlParser {
    _limits: BodyLimits,
}

impl XmlParser {
    pub fn new(limits: BodyLimits) -> Self {
        XmlParser { _limits: limits }
    }
}

impl BodyParser for XmlParser {
    fn feed(&mut self, _chunk: &[u8], _sink: &mut dyn ValueSink) {}
    fn finish(&mut self, _sink: &mut dyn ValueSink) {}
}
