//! `multipart/form-data` body parser (placeholder until implemented).

use super::{BodyLimits, BodyParser, ValueSink};

/// Streaming multipart parser.
pub struct MultipartParser {
    _boundary: Vec<u8>,
    _limits: BodyLimits,
}

impl MultipartParser {
    pub fn new(boundary: &[u8], limits: BodyLimits) -> Self {
        MultipartParser {
            _boundary: boundary.to_vec(),
            _limits: limits,
        }
    }
}

impl BodyParser for MultipartParser {
    fn feed(&mut self, _chunk: &[u8], _sink: &mut dyn ValueSink) {}
    fn finish(&mut self, _sink: &mut dyn ValueSink) {}
}
