//! Running the checks over one request: the bounded [`RequestState`] kept
//! between the head, each parsed value and the raw body chunks, and the entry
//! points the inspector calls at each of those moments.
//!
//! Contract: the order of reports depends only on the order of the calls,
//! never on chunk boundaries — checks waiting for a body fire at its first
//! byte, part-header findings when the part's content has been inspected, and
//! the raw percent-encoding scan at the end of the body.

use super::{attack, encoding, head, media, multipart, wants, Origin, ProtocolCheck, Sink, Value};
use crate::body::BodyKind;
use crate::policy::ProtocolSettings;
use crate::request::RequestHead;
use crate::rule::Paranoia;
use crate::target::TargetSource;
use crate::transform::summary::ByteSet;

/// What a request's checks remember between the head, its values and its body
/// chunks. Bounded: a few flags, one hash per query argument name (kept only at
/// paranoia 3 and up) and the percent-encoding scanner's few pending bytes.
#[derive(Debug, Default)]
pub struct RequestState {
    /// The request method as received.
    method: String,
    /// The body parser the Content-Type selects.
    body: BodyFlavour,
    /// A form body declared a charset other than UTF-8 (its bytes are not UTF-8).
    pub(super) form_charset_other: bool,
    /// Hashes of the query argument names seen (duplicate detection).
    query_names: Vec<u64>,
    /// Raw scan of a form body for invalid and `%u` escapes.
    percent: Option<encoding::PercentScan>,
    /// Checks that wait for the first body byte (the head announced no body).
    pending: Vec<head::Pending>,
    /// Part-header findings held until the part's first value has been
    /// inspected (at most one per check).
    part_reports: Vec<Report>,
}

/// A finding held back.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Report {
    check: ProtocolCheck,
    target: String,
    detail: Vec<u8>,
}

/// Collects reports instead of passing them on.
struct Holding<'a> {
    paranoia: Paranoia,
    reports: &'a mut Vec<Report>,
}

impl Sink for Holding<'_> {
    fn paranoia(&self) -> Paranoia {
        self.paranoia
    }

    fn report(&mut self, check: ProtocolCheck, target: &str, detail: &[u8]) {
        if wants(self, check) && !self.reports.iter().any(|r| r.check == check) {
            self.reports.push(Report {
                check,
                target: target.to_string(),
                detail: detail.to_vec(),
            });
        }
    }
}

fn flush_part_reports(state: &mut RequestState, sink: &mut dyn Sink) {
    for r in std::mem::take(&mut state.part_reports) {
        sink.report(r.check, &r.target, &r.detail);
    }
}

/// The body kinds the value checks tell apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum BodyFlavour {
    #[default]
    Other,
    Form,
    Multipart,
    Json,
    Xml,
}

impl RequestState {
    /// The state for a request with this head.
    pub fn new(head: &RequestHead) -> RequestState {
        let content_type = head.header("content-type");
        let body = match BodyKind::from_content_type(content_type) {
            BodyKind::UrlEncoded => BodyFlavour::Form,
            BodyKind::Multipart { .. } => BodyFlavour::Multipart,
            BodyKind::Json => BodyFlavour::Json,
            BodyKind::Xml => BodyFlavour::Xml,
            BodyKind::Raw => BodyFlavour::Other,
        };
        let form_charset_other = body == BodyFlavour::Form
            && content_type.and_then(media::charset_of).is_some_and(|c| {
                !c.eq_ignore_ascii_case("utf-8") && !c.eq_ignore_ascii_case("us-ascii")
            });
        RequestState {
            method: head.method.clone(),
            body,
            form_charset_other,
            query_names: Vec::new(),
            percent: (body == BodyFlavour::Form).then(encoding::PercentScan::default),
            pending: Vec::new(),
            part_reports: Vec::new(),
        }
    }

    /// Whether the body is JSON (its clients may pass JSON text in the query too).
    pub(super) fn json_body(&self) -> bool {
        self.body == BodyFlavour::Json
    }
}

/// Runs every head check.
pub fn check_head(
    head: &RequestHead,
    settings: &ProtocolSettings,
    state: &mut RequestState,
    sink: &mut dyn Sink,
) {
    let body = head::check(head, settings, sink);
    if body.announced {
        report_pending(body.pending, sink);
    } else {
        state.pending = body.pending;
    }
    encoding::check_head(head, sink);
    attack::check_head(head, sink);
}

fn report_pending(pending: Vec<head::Pending>, sink: &mut dyn Sink) {
    for p in pending {
        sink.report(p.check, p.target, &p.detail);
    }
}

/// Bytes some value check at `paranoia` looks for in a value of `source`
/// from a JSON body (`json`) or a form body or query string: a value
/// holding none of them passes [`check_value`] with no report, unless its
/// name is one the checks read ([`name_is_checked`]). Control bytes; `/`
/// for a request line, `<` for a tag, `)` for a filter breakout; for forms
/// and queries also `\`, `%`, bytes from 0x80 up (UTF-8 and printable
/// checks), `[` `]` in names from paranoia 3 and everything outside the
/// strict set at 4. Kept next to the checks;
/// `checked_bytes_cover_the_checks` tests it.
pub fn checked_bytes(source: TargetSource, paranoia: Paranoia) -> ByteSet {
    use TargetSource as S;
    // A constant: `range` loops over its bytes when called at run time.
    const CONTROLS_AND_MARKUP: ByteSet = ByteSet::range(0, 0x1f).union(ByteSet::of(b"\x7f/<)"));
    let mut bytes = CONTROLS_AND_MARKUP;
    if matches!(source, S::JsonKey | S::JsonValue) {
        return bytes;
    }
    bytes = bytes.union(ByteSet::of(b"\\%")).union(ByteSet::NON_ASCII);
    let name = matches!(source, S::QueryArgName | S::BodyArgName);
    if name && paranoia.get() >= 3 {
        bytes = bytes.union(ByteSet::of(b"[]"));
    }
    if paranoia.get() >= 4 {
        bytes = bytes.union(encoding::STRICT_ARG.complement());
    }
    bytes
}

/// Whether a check reads the name or length of a form or query value of
/// `source` named `name` (`_charset_`, `_method`, a query name over the
/// length limit, any query name where duplicates are looked for): then a
/// value free of [`checked_bytes`] may still be reported.
pub fn name_is_checked(
    source: TargetSource,
    name: &str,
    len: usize,
    settings: &ProtocolSettings,
    paranoia: Paranoia,
) -> bool {
    use TargetSource as S;
    match source {
        S::QueryArgName => {
            (settings.max_arg_name_bytes > 0 && len > settings.max_arg_name_bytes)
                || paranoia >= ProtocolCheck::DuplicateQueryParam.paranoia()
        }
        S::QueryArg | S::BodyArg => name == "_charset_" || name == "_method",
        _ => false,
    }
}

/// Runs the value checks on one value a body or query parser reported.
pub fn check_value(
    source: TargetSource,
    name: &str,
    bytes: &[u8],
    settings: &ProtocolSettings,
    state: &mut RequestState,
    sink: &mut dyn Sink,
) {
    use TargetSource as S;
    // A part's content ends it: what its headers showed is reported now, after
    // its names and content have been through the signatures.
    if matches!(source, S::BodyArg | S::MultipartFileContent) {
        flush_part_reports(state, sink);
    }
    let body_origin = if state.body == BodyFlavour::Multipart {
        Origin::Multipart
    } else {
        Origin::Form
    };
    let (origin, is_name) = match source {
        S::QueryArgName => (Origin::Query, true),
        S::QueryArg => (Origin::Query, false),
        S::BodyArgName => (body_origin, true),
        S::BodyArg => (body_origin, false),
        S::JsonKey => (Origin::Json, true),
        S::JsonValue => (Origin::Json, false),
        S::XmlText | S::XmlAttr => (Origin::Xml, false),
        S::RawBody => (Origin::RawBody, false),
        _ => return,
    };
    let value = Value {
        origin,
        is_name,
        source,
        name,
        bytes,
        present: crate::transform::summary::ByteSet::collect(bytes),
    };
    if is_name && origin == Origin::Query && wants(sink, ProtocolCheck::DuplicateQueryParam) {
        attack::duplicate_query_name(&mut state.query_names, value, sink);
    }
    if origin == Origin::Form || origin == Origin::Multipart {
        multipart::check_form_value(value, settings, sink);
    }
    head::check_arg(value, settings, &state.method, sink);
    encoding::check_value(value, state, sink);
    attack::check_value(value, sink);
}

/// Runs the part-header checks on one multipart part header. What they find
/// is reported after the part's next value has been through the signatures
/// (see [`check_value`]), or at the end of the body.
pub fn check_part_header(
    name: &[u8],
    value: &[u8],
    settings: &ProtocolSettings,
    state: &mut RequestState,
    paranoia: Paranoia,
) {
    let mut holding = Holding {
        paranoia,
        reports: &mut state.part_reports,
    };
    multipart::check_header(name, value, settings, &mut holding);
}

/// Looks at raw body bytes: the first byte releases the checks that wait for a
/// body; form bodies are scanned for invalid and `%u` escapes.
pub fn check_body_chunk(chunk: &[u8], state: &mut RequestState, sink: &mut dyn Sink) {
    if chunk.is_empty() {
        return;
    }
    if !state.pending.is_empty() {
        report_pending(std::mem::take(&mut state.pending), sink);
    }
    if let Some(scan) = state.percent.as_mut() {
        scan.feed(chunk);
    }
}

/// Ends the raw body scan and reports what it and the part headers found.
pub fn finish_body(state: &mut RequestState, sink: &mut dyn Sink) {
    flush_part_reports(state, sink);
    if let Some(mut scan) = state.percent.take() {
        scan.finish(sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Collect(Vec<ProtocolCheck>, Paranoia);

    impl Sink for Collect {
        fn paranoia(&self) -> Paranoia {
            self.1
        }
        fn report(&mut self, check: ProtocolCheck, _target: &str, _detail: &[u8]) {
            // As the inspector: checks above the level are not reported.
            if check.paranoia() <= self.1 {
                self.0.push(check);
            }
        }
    }

    #[test]
    fn checked_bytes_cover_the_checks() {
        let pieces: [&[u8]; 26] = [
            b"GET",
            b"http",
            b"HTTP",
            b" ",
            b"1.1",
            b"[",
            b"]",
            b"(",
            b"|",
            b"&",
            b"*",
            b"=",
            b"%41",
            b"%u0041",
            b"\\",
            b"\\u0041",
            b"_method",
            b"DELETE",
            b"caf\xc3\xa9",
            b"\xff",
            b"Host:",
            b"x",
            b"'",
            b"\"",
            b"a[b]c",
            b"\n",
        ];
        let sources = [
            (TargetSource::JsonKey, "application/json"),
            (TargetSource::JsonValue, "application/json"),
            (
                TargetSource::BodyArgName,
                "application/x-www-form-urlencoded",
            ),
            (TargetSource::BodyArg, "application/x-www-form-urlencoded"),
            (TargetSource::QueryArgName, "text/plain"),
            (TargetSource::QueryArg, "text/plain"),
        ];
        let settings = ProtocolSettings::default();
        let mut checked = 0;
        let mut seed: u64 = 0x5eed;
        for _ in 0..6_000 {
            let mut value = Vec::new();
            for _ in 0..4 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                value.extend_from_slice(pieces[(seed % pieces.len() as u64) as usize]);
            }
            for level in 1..=4u8 {
                let paranoia = Paranoia::new(level).unwrap_or(Paranoia::MAX);
                for (source, content_type) in sources {
                    if value
                        .iter()
                        .any(|&b| checked_bytes(source, paranoia).contains(b))
                    {
                        continue;
                    }
                    for name in ["q", "_method", "_charset_", "a.b"] {
                        if name_is_checked(source, name, value.len(), &settings, paranoia) {
                            continue;
                        }
                        checked += 1;
                        let head = RequestHead::new("POST", b"/")
                            .with_header("Content-Type", content_type);
                        let mut state = RequestState::new(&head);
                        let mut sink = Collect(Vec::new(), paranoia);
                        check_value(source, name, &value, &settings, &mut state, &mut sink);
                        assert!(
                            sink.0.is_empty(),
                            "{source:?} {name} PL{level} {:?}: {:?}",
                            String::from_utf8_lossy(&value),
                            sink.0
                        );
                    }
                }
            }
        }
        assert!(checked > 5_000, "{checked}");
    }
}
