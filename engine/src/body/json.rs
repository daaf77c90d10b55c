//! `application/json` (and `+json`) bodies: a hand-written streaming tokenizer.
//!
//! Contract:
//! - Every object key is a [`TargetSource::JsonKey`] named by the key's own path, with
//!   the unescaped key as value; every string (unescaped: `\uXXXX`, surrogate pairs
//!   become UTF-8) and every number (its literal text) is a [`TargetSource::JsonValue`]
//!   named by its path. `true`, `false` and `null` are checked but not reported.
//! - Paths: `user.name`, `user.tags[2]`, `[0].id` under a root array, `` (empty) for
//!   a root scalar. Keys are inserted as they are (lossy UTF-8, no quoting); a path is
//!   cut at 256 bytes.
//! - Keys go to [`ValueSink::json_key`]. A key the sink answers `true` for is kept by
//!   its place (where its object stands, its order among the object's keys, and
//!   whether the object's path holds a `[`; `known_keys`), and the same key in the
//!   same place later in the body (the next element of an array of like objects) is
//!   not reported again; its path is kept as usual. A key cut to `max_value_bytes`,
//!   or whose path reached the limit, is reported every time.
//! - Strict RFC 8259 syntax. Any syntax error (bad escape, lone surrogate, control
//!   character in a string, leading zero, trailing comma, bytes after the top value
//!   other than whitespace) is [`BodyIssue::Malformed`] with the offset of the
//!   offending byte; more than `max_depth` nested containers is [`BodyIssue::TooDeep`];
//!   a body that stops inside a value is [`BodyIssue::Truncated`], reported after the
//!   partial string or number it stopped in. An empty or all-whitespace body is fine.
//! - A key or value longer than `max_value_bytes` is cut to that many (unescaped)
//!   bytes and reported [`BodyIssue::ValueTruncated`] just before it is emitted.
//! - Memory: one key or value (`max_value_bytes`), one path, one frame per open container,
//!   and the known keys' table (8 KiB, on the first key kept).

use super::bounded::{describe, is_ws, push_bounded, push_path, MAX_PATH_BYTES};
use super::known_keys::KnownKeys;
use super::{BodyIssue, BodyLimits, BodyParser, ValueSink};
use crate::target::TargetSource;

/// One open object or array.
struct Frame {
    /// `None` for an object; the current element index for an array.
    index: Option<u64>,
    /// Length of `path` that is this container's own path.
    base_len: usize,
    /// Keys of this object read so far.
    keys: u32,
    /// Where this container stands: from its parent's place and the key
    /// it is the value of, or the parent array's place for every element
    /// (`known_keys`).
    place: u32,
    /// Whether this container's own path holds a `[`.
    bracket: bool,
}

/// Where in the number grammar we are (`-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Num {
    Minus,
    Zero,
    Int,
    Dot,
    Frac,
    Exp,
    ExpSign,
    ExpDigits,
}

impl Num {
    /// Whether a number may end here.
    fn complete(self) -> bool {
        matches!(self, Num::Zero | Num::Int | Num::Frac | Num::ExpDigits)
    }

    /// The state after `byte`, or `None` if `byte` does not continue the number.
    fn next(self, byte: u8) -> Option<Num> {
        match (self, byte) {
            (Num::Minus, b'0') => Some(Num::Zero),
            (Num::Minus, b'1'..=b'9') => Some(Num::Int),
            (Num::Int, b'0'..=b'9') => Some(Num::Int),
            (Num::Zero | Num::Int, b'.') => Some(Num::Dot),
            (Num::Dot | Num::Frac, b'0'..=b'9') => Some(Num::Frac),
            (Num::Zero | Num::Int | Num::Frac, b'e' | b'E') => Some(Num::Exp),
            (Num::Exp, b'+' | b'-') => Some(Num::ExpSign),
            (Num::Exp | Num::ExpSign | Num::ExpDigits, b'0'..=b'9') => Some(Num::ExpDigits),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// A value must start here.
    Value,
    /// Just after `[`: a value or `]`.
    ArrayFirst,
    /// Just after `{`: a key or `}`.
    ObjectFirst,
    /// After `,` in an object: a key.
    ObjectKey,
    /// After a key: `:`.
    Colon,
    /// After a value inside a container: `,` or the closing bracket.
    AfterValue,
    /// Inside a string (key or value, see `str_is_key`).
    Str,
    /// After `\` in a string.
    Escape,
    /// Reading the hex digits of `\uXXXX`; `high` is a pending high surrogate.
    Unicode {
        high: Option<u16>,
        digits: u8,
        acc: u16,
    },
    /// After a high surrogate: expecting `\` of the low one.
    LowBackslash {
        high: u16,
    },
    /// After a high surrogate and `\`: expecting `u`.
    LowU {
        high: u16,
    },
    Number(Num),
    /// Inside `true` / `false` / `null`; `pos` bytes already matched.
    Literal {
        word: &'static [u8],
        pos: u8,
    },
    /// The top-level value is complete: whitespace only.
    Done,
    /// A fatal issue was reported, or the body finished.
    Dead,
}

/// Streaming JSON parser.
pub struct JsonParser {
    limits: BodyLimits,
    state: State,
    frames: Vec<Frame>,
    path: String,
    /// The current key, string or number (unescaped), at most `max_value_bytes`.
    buf: Vec<u8>,
    over: bool,
    str_is_key: bool,
    /// Offset of the byte being processed.
    offset: u64,
    /// Keys the sink needs to see only once, by place.
    known_keys: KnownKeys,
}

impl JsonParser {
    pub fn new(limits: BodyLimits) -> Self {
        JsonParser {
            limits,
            state: State::Value,
            frames: Vec::new(),
            path: String::new(),
            buf: Vec::new(),
            over: false,
            str_is_key: false,
            offset: 0,
            known_keys: KnownKeys::default(),
        }
    }

    fn push(&mut self, bytes: &[u8]) {
        push_bounded(
            &mut self.buf,
            &mut self.over,
            bytes,
            self.limits.max_value_bytes,
        );
    }

    fn push_char(&mut self, code: u32) {
        let c = char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER);
        let mut utf8 = [0u8; 4];
        self.push(c.encode_utf8(&mut utf8).as_bytes());
    }

    fn malformed(&mut self, sink: &mut dyn ValueSink, reason: String) {
        sink.issue(BodyIssue::Malformed {
            reason,
            offset: self.offset,
        });
        self.state = State::Dead;
    }

    fn unexpected(&mut self, sink: &mut dyn ValueSink, byte: u8, context: &str) {
        let reason = format!("unexpected {} {context}", describe(byte));
        self.malformed(sink, reason);
    }

    /// A value is complete: back to the container, or done at the top level.
    fn value_done(&mut self) {
        self.state = if self.frames.is_empty() {
            State::Done
        } else {
            State::AfterValue
        };
    }

    /// Points `path` at element `index` of the innermost array.
    fn set_element_path(&mut self) {
        let Some(frame) = self.frames.last() else {
            return;
        };
        let index = frame.index.unwrap_or(0);
        self.path.truncate(frame.base_len);
        // `[index]` formatted on the stack: this runs for every element.
        let mut segment = [0u8; 22];
        let mut at = segment.len() - 1;
        if let Some(close) = segment.get_mut(at) {
            *close = b']';
        }
        let mut rest = index;
        loop {
            at -= 1;
            if let Some(digit) = segment.get_mut(at) {
                *digit = b'0' + (rest % 10) as u8;
            }
            rest /= 10;
            if rest == 0 || at <= 1 {
                break;
            }
        }
        at -= 1;
        if let Some(open) = segment.get_mut(at) {
            *open = b'[';
        }
        // ASCII: cut anywhere to stay under the path limit.
        let room = MAX_PATH_BYTES.saturating_sub(self.path.len());
        for &b in segment.get(at..).unwrap_or_default().iter().take(room) {
            self.path.push(char::from(b));
        }
    }

    fn open(&mut self, sink: &mut dyn ValueSink, index: Option<u64>) {
        if self.frames.len() >= self.limits.max_depth {
            sink.issue(BodyIssue::TooDeep);
            self.state = State::Dead;
            return;
        }
        // The place: every element of an array has the array's; an
        // object's value has its parent's and its key's. The `[`: the
        // parent's, or in what its path gained for this container (its key
        // or its index).
        let (place, bracket) = match self.frames.last() {
            None => (1, self.path.as_bytes().contains(&b'[')),
            Some(parent) => {
                let place = match parent.index {
                    Some(_) => parent.place.wrapping_mul(31).wrapping_add(0x5bd1_e995),
                    None => parent.place.wrapping_mul(31).wrapping_add(parent.keys),
                };
                let added = self.path.as_bytes().get(parent.base_len..);
                let bracket = parent.bracket || added.is_some_and(|added| added.contains(&b'['));
                (place, bracket)
            }
        };
        self.frames.push(Frame {
            index,
            base_len: self.path.len(),
            keys: 0,
            place,
            bracket,
        });
        self.state = if index.is_some() {
            State::ArrayFirst
        } else {
            State::ObjectFirst
        };
    }

    fn close(&mut self, sink: &mut dyn ValueSink, byte: u8) {
        let is_array = self.frames.last().map(|f| f.index.is_some());
        match (is_array, byte) {
            (Some(true), b']') | (Some(false), b'}') => {
                if let Some(frame) = self.frames.pop() {
                    self.path.truncate(frame.base_len);
                }
                self.value_done();
            }
            _ => self.unexpected(sink, byte, "(mismatched bracket)"),
        }
    }

    /// Reports the key or value in `buf` and resets it.
    fn emit(&mut self, sink: &mut dyn ValueSink) {
        let buf = std::mem::take(&mut self.buf);
        let over = std::mem::replace(&mut self.over, false);
        self.report(sink, &buf, None, over);
        self.buf = buf;
        self.buf.clear();
    }

    /// Reports `text`, the key or value just read (`over`: cut to the
    /// limit), under its path.
    /// `checked` is `text` as a `str` when the caller already knows it is
    /// UTF-8 (a key lying whole in the chunk's valid part).
    /// Inlined into its three callers: the call's saving and restoring of
    /// registers cost 22 instructions a key or value (114.7M -> 110.4M).
    #[inline(always)]
    fn report(&mut self, sink: &mut dyn ValueSink, text: &[u8], checked: Option<&str>, over: bool) {
        // A key's place: its object's place and its order among the
        // object's keys, and whether its object's path holds a `[` (the
        // sink's answer may rest on whether the key's name does: so does
        // the key's own text, compared in full, unless the path was cut).
        let key_place = if self.str_is_key {
            let (base_len, place) = match self.frames.last_mut() {
                Some(frame) => {
                    frame.keys = frame.keys.saturating_add(1);
                    let place = frame.place.wrapping_mul(31).wrapping_add(frame.keys);
                    (frame.base_len, place << 1 | u32::from(frame.bracket))
                }
                None => (0, 0),
            };
            self.path.truncate(base_len);
            if base_len > 0 && self.path.len() < MAX_PATH_BYTES {
                self.path.push('.');
            }
            match checked.map_or_else(|| std::str::from_utf8(text), Ok) {
                Ok(key) => push_path(&mut self.path, key),
                Err(_) => push_path(&mut self.path, &String::from_utf8_lossy(text)),
            }
            let cut = self.path.len() >= MAX_PATH_BYTES;
            Some((!cut && !over).then_some(place))
        } else {
            None
        };
        if over {
            sink.issue(BodyIssue::ValueTruncated {
                name: self.path.clone(),
            });
        }
        match key_place {
            Some(Some(place)) => {
                if !self.known_keys.holds(place, text) && sink.json_key(&self.path, text) {
                    self.known_keys.keep(place, text);
                }
            }
            // A cut key or path: reported every time.
            Some(None) => {
                sink.json_key(&self.path, text);
            }
            None => sink.value(TargetSource::JsonValue, &self.path, text),
        }
    }

    fn end_string(&mut self, sink: &mut dyn ValueSink) {
        self.emit(sink);
        self.after_string();
    }

    /// The state after a string's closing quote.
    fn after_string(&mut self) {
        if self.str_is_key {
            self.state = State::Colon;
        } else {
            self.value_done();
        }
    }

    /// Starts a value at `byte` (the state is `Value`).
    fn start_value(&mut self, sink: &mut dyn ValueSink, byte: u8) {
        self.str_is_key = false;
        match byte {
            b'{' => self.open(sink, None),
            b'[' => self.open(sink, Some(0)),
            b'"' => self.state = State::Str,
            b'-' => {
                self.push(&[byte]);
                self.state = State::Number(Num::Minus);
            }
            b'0' => {
                self.push(&[byte]);
                self.state = State::Number(Num::Zero);
            }
            b'1'..=b'9' => {
                self.push(&[byte]);
                self.state = State::Number(Num::Int);
            }
            b't' => {
                self.state = State::Literal {
                    word: b"true",
                    pos: 1,
                }
            }
            b'f' => {
                self.state = State::Literal {
                    word: b"false",
                    pos: 1,
                }
            }
            b'n' => {
                self.state = State::Literal {
                    word: b"null",
                    pos: 1,
                }
            }
            _ => self.unexpected(sink, byte, "where a value should start"),
        }
    }

    fn escape(&mut self, sink: &mut dyn ValueSink, byte: u8) {
        let plain = match byte {
            b'"' => b'"',
            b'\\' => b'\\',
            b'/' => b'/',
            b'b' => 0x08,
            b'f' => 0x0c,
            b'n' => b'\n',
            b'r' => b'\r',
            b't' => b'\t',
            b'u' => {
                self.state = State::Unicode {
                    high: None,
                    digits: 0,
                    acc: 0,
                };
                return;
            }
            _ => {
                self.unexpected(sink, byte, "after '\\' (invalid escape)");
                return;
            }
        };
        self.push(&[plain]);
        self.state = State::Str;
    }

    fn unicode(
        &mut self,
        sink: &mut dyn ValueSink,
        byte: u8,
        high: Option<u16>,
        digits: u8,
        acc: u16,
    ) {
        let Some(digit) = hex_value(byte) else {
            self.unexpected(sink, byte, "in a \\u escape");
            return;
        };
        let acc = acc << 4 | u16::from(digit);
        if digits < 3 {
            self.state = State::Unicode {
                high,
                digits: digits + 1,
                acc,
            };
            return;
        }
        let is_high = (0xd800..=0xdbff).contains(&acc);
        let is_low = (0xdc00..=0xdfff).contains(&acc);
        match high {
            None if is_high => self.state = State::LowBackslash { high: acc },
            None if is_low => self.malformed(sink, "unpaired low surrogate".into()),
            None => {
                self.push_char(u32::from(acc));
                self.state = State::Str;
            }
            Some(high) if is_low => {
                let code = 0x10000 + ((u32::from(high) - 0xd800) << 10) + (u32::from(acc) - 0xdc00);
                self.push_char(code);
                self.state = State::Str;
            }
            Some(_) => self.malformed(sink, "high surrogate not followed by a low one".into()),
        }
    }

    /// Takes the commonest structure after a key or value at once rather
    /// than a byte at a time through [`JsonParser::step`]: a key's `:`
    /// (with a string value's opening quote right after it), and a value's
    /// `,` with the opening quote of the next key (in an object) or string
    /// (in an array). Returns what is left of `rest`; anything else is
    /// left to `step`.
    fn common_structure<'c>(&mut self, rest: &'c [u8]) -> &'c [u8] {
        match (self.state, rest) {
            (State::Colon, [b':', b'"', tail @ ..]) => {
                self.str_is_key = false;
                self.state = State::Str;
                self.offset += 2;
                tail
            }
            (State::Colon, [b':', tail @ ..]) => {
                self.state = State::Value;
                self.offset += 1;
                tail
            }
            (State::AfterValue, [b',', b'"', tail @ ..]) => {
                match self.frames.last_mut() {
                    Some(Frame {
                        index: Some(index), ..
                    }) => {
                        // The next string of an array.
                        *index += 1;
                        self.set_element_path();
                        self.str_is_key = false;
                    }
                    _ => self.str_is_key = true,
                }
                self.state = State::Str;
                self.offset += 2;
                tail
            }
            _ => rest,
        }
    }

    /// Handles one byte; returns `false` if the byte must be seen again in the new state.
    fn step(&mut self, sink: &mut dyn ValueSink, byte: u8) -> bool {
        match self.state {
            State::Dead => {}
            State::Value => {
                if !is_ws(byte) {
                    self.start_value(sink, byte);
                }
            }
            State::ArrayFirst => match byte {
                _ if is_ws(byte) => {}
                b']' => self.close(sink, byte),
                _ => {
                    self.set_element_path();
                    self.state = State::Value;
                    return false;
                }
            },
            State::ObjectFirst | State::ObjectKey => match byte {
                _ if is_ws(byte) => {}
                b'"' => {
                    self.str_is_key = true;
                    self.state = State::Str;
                }
                b'}' if self.state == State::ObjectFirst => self.close(sink, byte),
                _ => self.unexpected(sink, byte, "where an object key should start"),
            },
            State::Colon => match byte {
                _ if is_ws(byte) => {}
                b':' => self.state = State::Value,
                _ => self.unexpected(sink, byte, "after an object key (expected ':')"),
            },
            State::AfterValue => match byte {
                _ if is_ws(byte) => {}
                b',' => match self.frames.last_mut() {
                    Some(Frame {
                        index: Some(index), ..
                    }) => {
                        *index += 1;
                        self.set_element_path();
                        self.state = State::Value;
                    }
                    _ => self.state = State::ObjectKey,
                },
                b']' | b'}' => self.close(sink, byte),
                _ => self.unexpected(
                    sink,
                    byte,
                    "after a value (expected ',' or a closing bracket)",
                ),
            },
            State::Str => match byte {
                b'"' => self.end_string(sink),
                b'\\' => self.state = State::Escape,
                0x00..=0x1f => self.unexpected(sink, byte, "in a string (control character)"),
                _ => self.push(&[byte]),
            },
            State::Escape => self.escape(sink, byte),
            State::Unicode { high, digits, acc } => self.unicode(sink, byte, high, digits, acc),
            State::LowBackslash { high } => match byte {
                b'\\' => self.state = State::LowU { high },
                _ => self.malformed(sink, "high surrogate not followed by a low one".into()),
            },
            State::LowU { high } => match byte {
                b'u' => {
                    self.state = State::Unicode {
                        high: Some(high),
                        digits: 0,
                        acc: 0,
                    }
                }
                _ => self.malformed(sink, "high surrogate not followed by a low one".into()),
            },
            State::Number(num) => match num.next(byte) {
                Some(next) => {
                    self.push(&[byte]);
                    self.state = State::Number(next);
                }
                None if num.complete() => {
                    self.emit(sink);
                    self.value_done();
                    return false;
                }
                None => self.unexpected(sink, byte, "in a number"),
            },
            State::Literal { word, pos } => {
                if word.get(usize::from(pos)) != Some(&byte) {
                    self.unexpected(sink, byte, "in a literal (true, false or null)");
                } else if usize::from(pos) + 1 == word.len() {
                    self.value_done();
                } else {
                    self.state = State::Literal { word, pos: pos + 1 };
                }
            }
            State::Done => {
                if !is_ws(byte) {
                    self.unexpected(sink, byte, "after the top-level value");
                }
            }
        }
        true
    }
}

impl BodyParser for JsonParser {
    fn feed(&mut self, chunk: &[u8], sink: &mut dyn ValueSink) {
        // The chunk's UTF-8 checked once, for the keys lying whole in it: a
        // key's ends are quotes, so a key inside the valid part is UTF-8
        // too, and costs a slice instead of a check of its own.
        let valid = Utf8Part::of(chunk);
        let mut rest = chunk;
        while let Some(&byte) = rest.first() {
            match self.state {
                State::Dead => return,
                State::Str => {
                    // Fast path: the plain run of a string in one go.
                    let run = super::stops::string_stop(rest).unwrap_or(rest.len());
                    let (plain, tail) = rest.split_at_checked(run).unwrap_or((rest, &[]));
                    if tail.first() == Some(&b'"') && self.buf.is_empty() && !self.over {
                        // The whole string, without escapes, is in this
                        // chunk: reported from it, not copied.
                        let max = self.limits.max_value_bytes;
                        let text = plain.get(..max).unwrap_or(plain);
                        let checked = if self.str_is_key {
                            valid.get(chunk.len() - rest.len(), text.len())
                        } else {
                            None
                        };
                        self.report(sink, text, checked, plain.len() > max);
                        self.after_string();
                        self.offset += run as u64 + 1;
                        rest = self.common_structure(tail.get(1..).unwrap_or_default());
                        continue;
                    }
                    if run > 0 {
                        self.push(plain);
                        self.offset += run as u64;
                        rest = tail;
                        continue;
                    }
                }
                State::Number(mut num) => {
                    // Fast path: the digits (and sign, point, exponent) in one go.
                    let mut run = 0;
                    for &b in rest {
                        match num.next(b) {
                            Some(next) => {
                                num = next;
                                run += 1;
                            }
                            None => break,
                        }
                    }
                    if run > 0 {
                        let (digits, tail) = rest.split_at_checked(run).unwrap_or((rest, &[]));
                        self.offset += run as u64;
                        // The number's first byte (in the buffer) was the
                        // byte before `rest` when it opened in this chunk.
                        let at = chunk.len() - rest.len();
                        let whole = match self.buf.as_slice() {
                            [first] if at > 0 && !self.over => chunk
                                .get(at - 1..at + run)
                                .filter(|whole| whole.first() == Some(first)),
                            _ => None,
                        };
                        if let Some(whole) = whole.filter(|_| !tail.is_empty() && num.complete()) {
                            // The whole number is in this chunk and ends
                            // here: reported from it, not copied.
                            let max = self.limits.max_value_bytes;
                            let text = whole.get(..max).unwrap_or(whole);
                            self.report(sink, text, None, whole.len() > max);
                            self.buf.clear();
                            self.value_done();
                            rest = self.common_structure(tail);
                            continue;
                        }
                        self.push(digits);
                        self.state = State::Number(num);
                        rest = tail;
                        continue;
                    }
                }
                _ => {}
            }
            if self.step(sink, byte) {
                self.offset += 1;
                rest = rest.get(1..).unwrap_or_default();
            }
        }
    }

    fn finish(&mut self, sink: &mut dyn ValueSink) {
        let reason = match self.state {
            State::Dead | State::Done => None,
            State::Value if self.frames.is_empty() => None,
            State::Number(num) if num.complete() && self.frames.is_empty() => {
                self.emit(sink);
                None
            }
            State::Number(_) => {
                self.emit(sink);
                Some("JSON ends inside a number")
            }
            State::Str
            | State::Escape
            | State::Unicode { .. }
            | State::LowBackslash { .. }
            | State::LowU { .. } => {
                self.emit(sink);
                Some("JSON ends inside a string")
            }
            State::Literal { .. } => Some("JSON ends inside a literal"),
            _ => Some("JSON ends inside an object or array"),
        };
        if let Some(reason) = reason {
            sink.issue(BodyIssue::Truncated {
                reason: reason.into(),
            });
        }
        self.state = State::Dead;
        self.buf = Vec::new();
        self.frames = Vec::new();
    }
}

/// The longest run of a chunk that is well-formed UTF-8, found with one
/// check (a chunk may open or close inside a character).
struct Utf8Part<'a> {
    /// Where the run starts in the chunk.
    start: usize,
    text: &'a str,
}

impl<'a> Utf8Part<'a> {
    fn of(chunk: &'a [u8]) -> Utf8Part<'a> {
        // Past the continuation bytes of a character the last chunk began.
        let start = chunk
            .iter()
            .take(3)
            .take_while(|&&b| b & 0xC0 == 0x80)
            .count();
        let bytes = chunk.get(start..).unwrap_or_default();
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => std::str::from_utf8(bytes.get(..e.valid_up_to()).unwrap_or_default())
                .unwrap_or_default(),
        };
        Utf8Part { start, text }
    }

    /// The `len` bytes at `at` in the chunk, when they are whole characters
    /// of the valid run.
    fn get(&self, at: usize, len: usize) -> Option<&'a str> {
        let from = at.checked_sub(self.start)?;
        self.text.get(from..from.checked_add(len)?)
    }
}

fn hex_value(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod known_key_tests {
    use super::*;

    /// Records what it is told; needs every key once but `loud`.
    #[derive(Default)]
    struct Recorder {
        seen: Vec<(TargetSource, String, Vec<u8>)>,
        truncated: usize,
    }

    impl ValueSink for Recorder {
        fn value(&mut self, source: TargetSource, name: &str, value: &[u8]) {
            self.seen.push((source, name.to_string(), value.to_vec()));
        }
        fn issue(&mut self, issue: BodyIssue) {
            assert!(
                matches!(issue, BodyIssue::ValueTruncated { .. }),
                "{issue:?}"
            );
            self.truncated += 1;
        }
        fn json_key(&mut self, name: &str, key: &[u8]) -> bool {
            self.value(TargetSource::JsonKey, name, key);
            key != b"loud"
        }
    }

    fn parse(body: &[u8], limits: BodyLimits, split: &[usize]) -> Recorder {
        let mut parser = JsonParser::new(limits);
        let mut sink = Recorder::default();
        let mut from = 0;
        for &at in split.iter().chain([&body.len()]) {
            parser.feed(body.get(from..at).unwrap_or_default(), &mut sink);
            from = at;
        }
        parser.finish(&mut sink);
        sink
    }

    fn keys(sink: &Recorder) -> Vec<&str> {
        sink.seen
            .iter()
            .filter(|(source, _, _)| *source == TargetSource::JsonKey)
            .map(|(_, name, _)| name.as_str())
            .collect()
    }

    #[test]
    fn a_key_the_sink_needs_once_is_reported_once_in_its_place() {
        let body = br#"[{"a":1,"b":{"c":2}},{"a":3,"b":{"c":4}},{"b":5,"a":6},{"a":7,"loud":8},{"a":9,"loud":10},{"x":{"c":11}}]"#;
        let whole = parse(body, BodyLimits::default(), &[]);
        assert_eq!(
            keys(&whole),
            [
                "[0].a", "[0].b", "[0].b.c", // then [1] is all known
                "[2].b", "[2].a", // each in the other's place
                "[3].a", "[3].loud", // `a` back in its first place; `loud` never kept
                "[4].loud", // `a` known again
                "[5].x", "[5].x.c", // `c` under another key is another place
            ]
        );
        let values: Vec<&str> = whole
            .seen
            .iter()
            .filter(|(source, _, _)| *source == TargetSource::JsonValue)
            .map(|(_, name, _)| name.as_str())
            .collect();
        assert_eq!(
            values,
            [
                "[0].a", "[0].b.c", "[1].a", "[1].b.c", "[2].b", "[2].a", "[3].a", "[3].loud",
                "[4].a", "[4].loud", "[5].x.c"
            ]
        );
        // The same at every chunking.
        for at in 0..=body.len() {
            let split = parse(body, BodyLimits::default(), &[at]);
            assert_eq!(split.seen, whole.seen, "split at {at}");
        }
        let bytes: Vec<usize> = (1..body.len()).collect();
        assert_eq!(parse(body, BodyLimits::default(), &bytes).seen, whole.seen);
    }

    #[test]
    fn a_cut_key_is_reported_every_time() {
        let body = br#"[{"abcdef":1},{"abcdef":2},{"abcdef":3}]"#;
        let limits = BodyLimits {
            max_value_bytes: 3,
            ..BodyLimits::default()
        };
        let sink = parse(body, limits, &[]);
        assert_eq!(keys(&sink), ["[0].abc", "[1].abc", "[2].abc"]);
        assert_eq!(sink.truncated, 3);
    }
}
