//! `multipart/form-data` bodies.
//!
//! Contract:
//! - The body is `preamble`, then parts each introduced by a delimiter line
//!   `--boundary` (optionally followed by spaces/tabs) and closed by `--boundary--`;
//!   the preamble and the epilogue after the close are ignored. Lines end in CRLF or a
//!   bare LF; the line break before a delimiter belongs to the delimiter. A delimiter
//!   right after the blank line that ends the part headers ends an empty part.
//! - Part headers (at most `max_value_bytes` bytes in all, else
//!   [`BodyIssue::Malformed`]) are read case-insensitively; `Content-Disposition`
//!   gives `name` and `filename` (quoted or not; `filename*=charset'lang'%XX` per
//!   RFC 5987 wins over `filename`). A header line without `:` is Malformed.
//!   Each header line before it goes to [`ValueSink::part_header`] (raw name,
//!   trimmed value) when the header block ends, before the part's names.
//! - A field `name` gives [`TargetSource::BodyArgName`] (name = value = the field
//!   name) as soon as its headers end, and [`TargetSource::BodyArg`] (name = field
//!   name, value = content) when the part ends; content past `max_value_bytes` is cut
//!   and reported [`BodyIssue::ValueTruncated`]. A part with a `filename` is a file:
//!   BodyArgName, then [`TargetSource::MultipartFileName`] (name = field name, value =
//!   file name), then at its end [`TargetSource::MultipartFileContent`] with the first
//!   `max_value_bytes` bytes of content (no issue: files are expected to be large).
//!   A part without a name reports its content named `""` and no BodyArgName.
//! - A delimiter followed by anything but `--`, padding and a line break is
//!   [`BodyIssue::Malformed`]. A body that ends before `--boundary--` reports the
//!   part it stopped in, then [`BodyIssue::Truncated`]. An empty body is fine.
//! - Memory: the part headers, one part's leading content and the matcher state;
//!   the delimiter is found across chunk splits by a KMP automaton over
//!   `\n--boundary`, so no tail of the body is ever copied.

use super::bounded::push_bounded;
use super::{BodyIssue, BodyLimits, BodyParser, ValueSink};
use crate::target::TargetSource;
use crate::transform::url_decode::percent_decode;

mod scanner;

use scanner::DelimiterScanner;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Before the first delimiter; bytes are ignored.
    Preamble,
    /// Just after `--boundary`.
    AfterDelimiter,
    /// After `--boundary-`: expecting the second `-`.
    CloseDash,
    /// After `--boundary` and spaces or tabs.
    Padding,
    /// After `--boundary\r`: expecting `\n`.
    DelimiterLf,
    Headers,
    Content,
    /// After `--boundary--`; bytes are ignored.
    Epilogue,
    Dead,
}

/// The part being read.
#[derive(Default)]
struct Part {
    /// Field name (`name=`); `None` if the part has none.
    name: Option<String>,
    is_file: bool,
    content: Vec<u8>,
    over: bool,
}

/// Streaming multipart parser.
pub struct MultipartParser {
    limits: BodyLimits,
    scanner: DelimiterScanner,
    state: State,
    /// The current part's header block, at most `max_value_bytes`.
    headers: Vec<u8>,
    /// Whether the current header line has anything besides `\r`.
    line_has_bytes: bool,
    part: Part,
    seen_bytes: bool,
    offset: u64,
}

impl MultipartParser {
    pub fn new(boundary: &[u8], limits: BodyLimits) -> Self {
        MultipartParser {
            limits,
            scanner: DelimiterScanner::new(boundary),
            state: State::Preamble,
            headers: Vec::new(),
            line_has_bytes: false,
            part: Part::default(),
            seen_bytes: false,
            offset: 0,
        }
    }

    fn malformed(&mut self, sink: &mut dyn ValueSink, reason: String) {
        sink.issue(BodyIssue::Malformed {
            reason,
            offset: self.offset,
        });
        self.state = State::Dead;
    }

    /// One byte of the delimiter line or of the part headers.
    fn step(&mut self, sink: &mut dyn ValueSink, byte: u8) {
        match (self.state, byte) {
            (State::AfterDelimiter, b'-') => self.state = State::CloseDash,
            (State::CloseDash, b'-') => self.state = State::Epilogue,
            (State::AfterDelimiter | State::Padding, b' ' | b'\t') => self.state = State::Padding,
            (State::AfterDelimiter | State::Padding, b'\r') => self.state = State::DelimiterLf,
            (State::AfterDelimiter | State::Padding | State::DelimiterLf, b'\n') => {
                self.headers.clear();
                self.line_has_bytes = false;
                self.state = State::Headers;
            }
            (State::AfterDelimiter | State::CloseDash | State::Padding | State::DelimiterLf, _) => {
                let reason = format!(
                    "unexpected {} after a multipart boundary",
                    super::bounded::describe(byte)
                );
                self.malformed(sink, reason);
            }
            (State::Headers, _) => self.header_byte(sink, byte),
            _ => {}
        }
    }

    fn header_byte(&mut self, sink: &mut dyn ValueSink, byte: u8) {
        if byte == b'\n' && !self.line_has_bytes {
            self.start_content(sink);
            return;
        }
        if self.headers.len() >= self.limits.max_value_bytes {
            self.malformed(sink, "multipart part headers exceed max_value_bytes".into());
            return;
        }
        self.headers.push(byte);
        match byte {
            b'\n' => self.line_has_bytes = false,
            b'\r' => {}
            _ => self.line_has_bytes = true,
        }
    }

    /// The blank line after the part headers: parse them and report the names.
    fn start_content(&mut self, sink: &mut dyn ValueSink) {
        let head = match parse_headers(&self.headers, sink) {
            Ok(head) => head,
            Err(reason) => {
                self.malformed(sink, reason);
                return;
            }
        };
        self.headers.clear();
        let name = head.name.map(|n| String::from_utf8_lossy(&n).into_owned());
        if let Some(name) = &name {
            sink.value(TargetSource::BodyArgName, name, name.as_bytes());
        }
        let is_file = head.filename.is_some();
        if let Some(filename) = head.filename {
            let field = name.as_deref().unwrap_or("");
            sink.value(TargetSource::MultipartFileName, field, &filename);
        }
        self.part = Part {
            name,
            is_file,
            content: Vec::new(),
            over: false,
        };
        self.scanner.start_content();
        self.state = State::Content;
    }

    /// Reports the content of the part that just ended.
    fn end_part(&mut self, sink: &mut dyn ValueSink) {
        let part = std::mem::take(&mut self.part);
        let name = part.name.as_deref().unwrap_or("");
        if part.is_file {
            sink.value(TargetSource::MultipartFileContent, name, &part.content);
        } else {
            if part.over {
                sink.issue(BodyIssue::ValueTruncated { name: name.into() });
            }
            sink.value(TargetSource::BodyArg, name, &part.content);
        }
    }
}

impl BodyParser for MultipartParser {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn ValueSink) {
        if !chunk.is_empty() {
            self.seen_bytes = true;
        }
        let max = self.limits.max_value_bytes;
        let mut rest = chunk;
        while let Some(&byte) = rest.first() {
            let used = match self.state {
                State::Dead => return,
                State::Epilogue => rest.len(),
                State::Preamble | State::Content => {
                    let in_content = self.state == State::Content;
                    let part = &mut self.part;
                    let (used, found) = self.scanner.scan(rest, &mut |bytes: &[u8]| {
                        if in_content {
                            push_bounded(&mut part.content, &mut part.over, bytes, max);
                        }
                    });
                    if found {
                        if in_content {
                            self.end_part(sink);
                        }
                        self.state = State::AfterDelimiter;
                    }
                    used
                }
                _ => {
                    self.step(sink, byte);
                    1
                }
            };
            self.offset += used as u64;
            rest = rest.get(used..).unwrap_or_default();
        }
    }

    fn finish(&mut self, sink: &mut dyn ValueSink) {
        let reason = match self.state {
            State::Dead | State::Epilogue => None,
            State::Preamble if !self.seen_bytes => None,
            State::Preamble => Some("no multipart boundary in the body"),
            State::Content => {
                let max = self.limits.max_value_bytes;
                let part = &mut self.part;
                self.scanner.flush(&mut |bytes: &[u8]| {
                    push_bounded(&mut part.content, &mut part.over, bytes, max);
                });
                self.end_part(sink);
                Some("multipart body ends without its final boundary")
            }
            _ => Some("multipart body ends without its final boundary"),
        };
        if let Some(reason) = reason {
            sink.issue(BodyIssue::Truncated {
                reason: reason.into(),
            });
        }
        self.state = State::Dead;
        self.headers = Vec::new();
        self.part = Part::default();
    }
}

/// What the part headers say.
#[derive(Debug, Default, PartialEq, Eq)]
struct PartHead {
    name: Option<Vec<u8>>,
    filename: Option<Vec<u8>>,
}

/// Parses a header block (lines ending in `\n` or `\r\n`, folded lines allowed),
/// reporting each header to [`ValueSink::part_header`].
fn parse_headers(block: &[u8], sink: &mut dyn ValueSink) -> Result<PartHead, String> {
    let mut head = PartHead::default();
    let mut logical: Vec<u8> = Vec::new();
    let mut handle = |line: &[u8], head: &mut PartHead| -> Result<(), String> {
        if line.is_empty() {
            return Ok(());
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return Err(format!(
                "multipart part header without ':': {:?}",
                String::from_utf8_lossy(line.get(..line.len().min(64)).unwrap_or_default())
            ));
        };
        let (name, value) = line.split_at_checked(colon).unwrap_or((line, &[]));
        let value = value.get(1..).unwrap_or_default();
        sink.part_header(name, value.trim_ascii());
        if name
            .trim_ascii()
            .eq_ignore_ascii_case(b"content-disposition")
            && head.name.is_none()
        {
            *head = parse_disposition(value);
        }
        Ok(())
    };
    for raw_line in block.split(|&b| b == b'\n') {
        let line = raw_line.strip_suffix(b"\r").unwrap_or(raw_line);
        if matches!(line.first(), Some(b' ' | b'\t')) && !logical.is_empty() {
            logical.push(b' ');
            logical.extend_from_slice(line.trim_ascii_start());
            continue;
        }
        handle(&logical, &mut head)?;
        logical.clear();
        logical.extend_from_slice(line);
    }
    handle(&logical, &mut head)?;
    Ok(head)
}

/// Parses `form-data; name="f"; filename="a.txt"; filename*=UTF-8''a%20b.txt`.
fn parse_disposition(value: &[u8]) -> PartHead {
    let mut head = PartHead::default();
    let mut filename_ext: Option<Vec<u8>> = None;
    let mut rest = value;
    // Skip the disposition type.
    let type_end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    rest = rest.get(type_end..).unwrap_or_default();
    while let Some((&b';', after)) = rest.split_first() {
        let after = after.trim_ascii_start();
        let key_end = after
            .iter()
            .position(|&b| b == b'=' || b == b';')
            .unwrap_or(after.len());
        let (key, tail) = after.split_at_checked(key_end).unwrap_or((after, &[]));
        let key = key.trim_ascii();
        let (param, tail) = match tail.split_first() {
            Some((&b'=', value)) => param_value(value.trim_ascii_start()),
            _ => (Vec::new(), tail),
        };
        rest = tail;
        if key.eq_ignore_ascii_case(b"name") {
            head.name.get_or_insert(param);
        } else if key.eq_ignore_ascii_case(b"filename") {
            head.filename.get_or_insert(param);
        } else if key.eq_ignore_ascii_case(b"filename*") {
            filename_ext.get_or_insert_with(|| ext_value(&param));
        }
    }
    if filename_ext.is_some() {
        head.filename = filename_ext;
    }
    head
}

/// A quoted string (`\"` and `\\` unescaped; other backslashes kept, as browsers send
/// Windows paths unescaped) or a token up to `;`. Returns the value and what follows.
fn param_value(input: &[u8]) -> (Vec<u8>, &[u8]) {
    let mut out = Vec::new();
    let Some((&b'"', mut rest)) = input.split_first() else {
        let end = input.iter().position(|&b| b == b';').unwrap_or(input.len());
        let (token, tail) = input.split_at_checked(end).unwrap_or((input, &[]));
        return (token.trim_ascii_end().to_vec(), tail);
    };
    while let Some((&byte, after)) = rest.split_first() {
        rest = after;
        match byte {
            b'"' => break,
            b'\\' => match rest.split_first() {
                Some((&next @ (b'"' | b'\\'), after)) => {
                    out.push(next);
                    rest = after;
                }
                _ => out.push(b'\\'),
            },
            _ => out.push(byte),
        }
    }
    let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    (out, rest.get(end..).unwrap_or_default())
}

/// RFC 5987 `charset'language'percent-encoded`: the decoded bytes (charset not applied).
fn ext_value(value: &[u8]) -> Vec<u8> {
    let mut pieces = value.splitn(3, |&b| b == b'\'');
    let encoded = match (pieces.next(), pieces.next(), pieces.next()) {
        (Some(_), Some(_), Some(encoded)) => encoded,
        _ => value,
    };
    percent_decode(encoded, false).into_owned()
}
