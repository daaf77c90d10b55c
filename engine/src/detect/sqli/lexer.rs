//! A byte-oriented, case-insensitive SQL lexer that never fails.
//!
//! Contract: [`Lexer`] yields every non-whitespace token of the input in
//! order, each covering a non-empty byte range (except the implicit string of
//! a quoted starting context, which may be empty), and ranges never overlap
//! or go backwards. Every byte is examined a bounded number of times, so a
//! full pass is `O(input)`; there is no allocation and no indexing that can
//! panic. Input need not be UTF-8: bytes `>= 0x80` are word bytes, and any
//! byte the lexer does not know is whitespace or a one-byte operator.
//!
//! Dialect choices, made to be permissive rather than exact:
//! - strings take `''` doubling and `\` escapes (MySQL), with `N'..'`,
//!   `E'..'`, `X'..'`, `B'..'`, `_charset'..'` and `$tag$..$tag$` forms;
//! - `--` starts a comment even without a following space, `#` too (MySQL);
//! - `/*! … */` and `/*!50000 … */` are MySQL versioned comments: their
//!   markers are whitespace and their body is code;
//! - `` `x` `` and `[x]` are identifiers, `@x`, `@@x` and `@'x'` variables;
//! - `1and` lexes as `1` `and`, as MySQL reads it.

use super::keywords;
use super::token::{Call, Class, CommentStyle, Detail, StrInfo, Tag, Token};

/// Where lexing starts: as-is, or already inside a string opened by the
/// application's own quote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// The input is inserted bare, as a number or identifier would be.
    Bare,
    /// The input is inserted after an opening quote of this byte.
    Quoted(u8),
}

/// The lexer: an iterator over tokens.
pub struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
    /// The implicit opening quote still to be consumed.
    implicit_quote: Option<u8>,
    /// Inside a `/*! … */` body: the next `*/` is whitespace.
    in_versioned: bool,
    /// A `/*!` marker has been skipped.
    saw_versioned: bool,
}

impl<'a> Lexer<'a> {
    pub fn new(input: &'a [u8], start: Start) -> Self {
        let implicit_quote = match start {
            Start::Bare => None,
            Start::Quoted(q) => Some(q),
        };
        Lexer {
            input,
            pos: 0,
            implicit_quote,
            in_versioned: false,
            saw_versioned: false,
        }
    }

    /// Whether the input so far used a MySQL versioned comment (`/*!`), a
    /// construct ordinary text does not contain.
    pub fn saw_versioned(&self) -> bool {
        self.saw_versioned
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.input.get(i).copied()
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.pos.checked_add(ahead).and_then(|i| self.at(i))
    }

    /// Index of the first `needle` at or after `from`, or the input length.
    fn find_byte(&self, from: usize, needle: u8) -> usize {
        self.input
            .get(from..)
            .and_then(|rest| memchr::memchr(needle, rest))
            .map_or(self.input.len(), |i| from + i)
    }

    fn emit(&mut self, class: Class, start: usize, end: usize, detail: Detail) -> Token {
        self.pos = end;
        Token::new(class, start, end, detail)
    }

    /// Lexes a string body after its opening quote; `start` is where the
    /// token begins (the prefix or quote), `body` the first body byte.
    fn string(&mut self, quote: u8, start: usize, body: usize) -> Token {
        let mut i = body;
        let mut closed = false;
        while let Some(b) = self.at(i) {
            if b == quote {
                if self.at(i + 1) == Some(quote) {
                    i += 2;
                    continue;
                }
                closed = true;
                break;
            }
            if b == b'\\' {
                i += 2;
                continue;
            }
            i += 1;
        }
        let end = if closed { i + 1 } else { self.input.len() };
        let info = StrInfo { quote, closed };
        self.emit(Class::Str, start, end, Detail::Str(info))
    }

    /// `$$..$$` or `$tag$..$tag$` (PostgreSQL); `None` if not a dollar quote.
    fn dollar_string(&mut self, start: usize) -> Option<Token> {
        let rest = self.input.get(start..)?;
        let tag_len = rest
            .iter()
            .skip(1)
            .take(17)
            .position(|&b| !(b.is_ascii_alphabetic() || b == b'_'))?;
        if rest.get(tag_len + 1) != Some(&b'$') || tag_len > 16 {
            return None;
        }
        let delim = rest.get(..tag_len + 2)?;
        let body = start + delim.len();
        let found = self
            .input
            .get(body..)
            .and_then(|tail| memchr::memmem::find(tail, delim));
        let (end, closed) = match found {
            Some(i) => (body + i + delim.len(), true),
            None => (self.input.len(), false),
        };
        let info = StrInfo {
            quote: b'$',
            closed,
        };
        Some(self.emit(Class::Str, start, end, Detail::Str(info)))
    }

    /// A quoted identifier: `` `x` `` or `[x]`.
    fn quoted_ident(&mut self, start: usize, close: u8) -> Token {
        let end = self.find_byte(start + 1, close);
        let end = (end + 1).min(self.input.len());
        self.emit(Class::Word, start, end, Detail::None)
    }

    /// A comment running to the end of the line (the newline is not part of it).
    fn line_comment(&mut self, start: usize, style: CommentStyle) -> Token {
        let end = self.find_byte(start, b'\n');
        self.emit(Class::Comment, start, end, Detail::Comment(style))
    }

    fn block_comment(&mut self, start: usize) -> Token {
        let found = self
            .input
            .get(start + 2..)
            .and_then(|tail| memchr::memmem::find(tail, b"*/"));
        let end = found.map_or(self.input.len(), |i| start + 2 + i + 2);
        self.emit(
            Class::Comment,
            start,
            end,
            Detail::Comment(CommentStyle::Block),
        )
    }

    fn variable(&mut self, start: usize) -> Token {
        let mut i = start + 1;
        if self.at(i) == Some(b'@') {
            i += 1;
        }
        match self.at(i) {
            Some(q @ (b'\'' | b'"' | b'`')) => {
                let close = self.find_byte(i + 1, q);
                i = (close + 1).min(self.input.len());
            }
            _ => i = self.word_end(i),
        }
        self.emit(Class::Var, start, i, Detail::None)
    }

    /// End of a run of word bytes starting at `i`; dots join segments
    /// (`a.b`, `master..xp_cmdshell`).
    fn word_end(&self, mut i: usize) -> usize {
        // The run of plain word bytes first (most words end at a space).
        let rest = self.input.get(i..).unwrap_or_default();
        i += rest
            .iter()
            .position(|&b| !PLAIN_WORD_BYTES[usize::from(b)])
            .unwrap_or(rest.len());
        while let Some(b) = self.at(i) {
            let word = is_word_byte(b) && !self.is_nbsp(i);
            let joining_dot =
                b == b'.' && self.at(i + 1).is_some_and(|n| is_word_byte(n) || n == b'.');
            if !(word || joining_dot) {
                break;
            }
            i += 1;
        }
        i
    }

    /// `0xA0` is whitespace (Latin-1 no-break space) unless it continues a
    /// UTF-8 sequence.
    fn is_nbsp(&self, i: usize) -> bool {
        self.at(i) == Some(0xA0)
            && i.checked_sub(1)
                .and_then(|p| self.at(p))
                .is_none_or(|p| p < 0x80)
    }

    fn number(&mut self, start: usize) -> Token {
        let digits = |lexer: &Self, mut i: usize, ok: fn(u8) -> bool| {
            while lexer.at(i).is_some_and(ok) {
                i += 1;
            }
            i
        };
        let num = |lexer: &mut Self, end| lexer.emit(Class::Num, start, end, Detail::None);
        let second = self.at(start + 1).map(|b| b.to_ascii_lowercase());
        if self.at(start) == Some(b'0') {
            let third = self.at(start + 2);
            if second == Some(b'x') && third.is_some_and(|b| b.is_ascii_hexdigit()) {
                let end = digits(self, start + 2, |b| b.is_ascii_hexdigit());
                return num(self, end);
            }
            if second == Some(b'b') && matches!(third, Some(b'0' | b'1')) {
                let end = digits(self, start + 2, |b| b == b'0' || b == b'1');
                return num(self, end);
            }
        }
        let mut end = digits(self, start, |b| b.is_ascii_digit());
        if self.at(end) == Some(b'.') {
            end = digits(self, end + 1, |b| b.is_ascii_digit());
        }
        if matches!(self.at(end), Some(b'e' | b'E')) {
            let sign = usize::from(matches!(self.at(end + 1), Some(b'+' | b'-')));
            if self.at(end + 1 + sign).is_some_and(|b| b.is_ascii_digit()) {
                end = digits(self, end + 1 + sign, |b| b.is_ascii_digit());
            }
        }
        num(self, end)
    }

    fn word(&mut self, start: usize) -> Token {
        let end = self.word_end(start);
        let text = self.input.get(start..end).unwrap_or(&[]);
        // String prefixes: N'..', E'..', X'..', B'..', _utf8'..'.
        if self.at(end) == Some(b'\'') {
            let prefix = matches!(
                text,
                [b'n' | b'N' | b'e' | b'E' | b'x' | b'X' | b'b' | b'B']
            ) || (text.first() == Some(&b'_') && text.len() > 1);
            if prefix {
                return self.string(b'\'', start, end + 1);
            }
        }
        let detail = match keywords::lookup(text) {
            Some(entry) => {
                let detail = Detail::Word {
                    tag: entry.tag,
                    call: entry.call,
                };
                return self.emit(entry.class, start, end, detail);
            }
            None => Detail::Word {
                tag: Tag::Plain,
                call: Call::Unknown,
            },
        };
        self.emit(Class::Word, start, end, detail)
    }

    fn operator(&mut self, start: usize, first: u8) -> Token {
        let second = self.at(start + 1);
        let third = self.at(start + 2);
        let (class, len) = match (first, second, third) {
            (b'<', Some(b'='), Some(b'>')) => (Class::Cmp, 3),
            (b'-', Some(b'>'), Some(b'>')) => (Class::Op, 3),
            (b'<', Some(b'<'), _)
            | (b'>', Some(b'>'), _)
            | (b':', Some(b':'), _)
            | (b'-', Some(b'>'), _) => (Class::Op, 2),
            (b'<', Some(b'=' | b'>'), _)
            | (b'>' | b'!' | b':' | b'=', Some(b'='), _)
            | (b'!', Some(b'<' | b'>'), _) => (Class::Cmp, 2),
            (b'&', Some(b'&'), _) | (b'|', Some(b'|'), _) => (Class::Logic, 2),
            (b'<' | b'>' | b'=', _, _) => (Class::Cmp, 1),
            _ => (Class::Op, 1),
        };
        self.emit(class, start, start + len, Detail::Op(first))
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        if let Some(q) = self.implicit_quote.take() {
            return Some(self.string(q, 0, 0));
        }
        loop {
            let start = self.pos;
            let b = self.at(start)?;
            let next = self.peek(1);
            let token = match b {
                _ if is_space(b) || self.is_nbsp(start) => {
                    self.pos += 1;
                    continue;
                }
                b'*' if self.in_versioned && next == Some(b'/') => {
                    self.in_versioned = false;
                    self.pos += 2;
                    continue;
                }
                b'/' if next == Some(b'*') && self.peek(2) == Some(b'!') => {
                    // MySQL versioned comment: skip `/*!` and a version number.
                    let mut i = start + 3;
                    while i < start + 9 && self.at(i).is_some_and(|d| d.is_ascii_digit()) {
                        i += 1;
                    }
                    self.pos = i;
                    self.in_versioned = true;
                    self.saw_versioned = true;
                    continue;
                }
                b'/' if next == Some(b'*') => self.block_comment(start),
                b'-' if next == Some(b'-') => self.line_comment(start, CommentStyle::Dash),
                b'#' => self.line_comment(start, CommentStyle::Hash),
                b'\'' | b'"' => self.string(b, start, start + 1),
                b'`' => self.quoted_ident(start, b'`'),
                b'[' => self.quoted_ident(start, b']'),
                b'(' => self.emit(Class::LParen, start, start + 1, Detail::None),
                b')' => self.emit(Class::RParen, start, start + 1, Detail::None),
                b',' => self.emit(Class::Comma, start, start + 1, Detail::None),
                b';' => self.emit(Class::Semi, start, start + 1, Detail::None),
                b'@' => self.variable(start),
                b'0'..=b'9' => self.number(start),
                b'.' if next.is_some_and(|d| d.is_ascii_digit()) => self.number(start),
                b'$' => match self.dollar_string(start) {
                    Some(token) => token,
                    None => self.word(start),
                },
                _ if is_word_byte(b) => self.word(start),
                _ => self.operator(start, b),
            };
            return Some(token);
        }
    }
}

/// Bytes that separate tokens: ASCII whitespace, NUL and other controls.
fn is_space(b: u8) -> bool {
    b <= b' ' || b == 0x7F
}

/// ASCII word bytes (letters, digits, `_`, `$`): a run of them is part of
/// a word whatever surrounds it.
const PLAIN_WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_' || c == b'$';
        b += 1;
    }
    table
};

/// Bytes that make up barewords.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lex(input: &str, start: Start) -> String {
        Lexer::new(input.as_bytes(), start)
            .map(|t| t.class.letter())
            .collect()
    }

    fn bare(input: &str) -> String {
        lex(input, Start::Bare)
    }

    fn texts(input: &str) -> Vec<String> {
        Lexer::new(input.as_bytes(), Start::Bare)
            .map(|t| {
                String::from_utf8_lossy(input.as_bytes().get(t.start..t.end).unwrap_or(&[]))
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn strings_with_doubling_escapes_and_prefixes() {
        assert_eq!(texts("'a''b' 'c\\'d'"), ["'a''b'", "'c\\'d'"]);
        assert_eq!(bare("N'x' E'y' x'4142' _utf8'z'"), "ssss");
        assert_eq!(bare("$$a b$$ $q$x$q$"), "ss");
        assert_eq!(bare("'unterminated"), "s");
        assert_eq!(bare("$5"), "w");
    }

    #[test]
    fn quoted_start_opens_an_implicit_string() {
        assert_eq!(lex("x' or 1=1", Start::Quoted(b'\'')), "s&n=n");
        assert_eq!(lex("no quote here", Start::Quoted(b'\'')), "s");
        assert_eq!(lex("a''b' and", Start::Quoted(b'\'')), "s&");
        assert_eq!(lex("x\" or", Start::Quoted(b'"')), "s&");
    }

    #[test]
    fn numbers() {
        assert_eq!(
            texts("0x1F 0b101 1.5e-3 .5 1e 0xZ"),
            ["0x1F", "0b101", "1.5e-3", ".5", "1", "e", "0", "xZ"]
        );
        assert_eq!(bare("1and 2"), "n&n");
    }

    #[test]
    fn comments() {
        assert_eq!(bare("1-- x\n2"), "ncn");
        assert_eq!(bare("1#x"), "nc");
        assert_eq!(bare("a/*x*/b /* open"), "wcwc");
        assert_eq!(bare("1/*!50000union*/select"), "nUQ");
        assert_eq!(bare("/*!SELECT*/ 1 */"), "Qnoo");
    }

    #[test]
    fn identifiers_variables_and_operators() {
        assert_eq!(
            texts("a.b `x y` [z] @v @@version @'q'"),
            ["a.b", "`x y`", "[z]", "@v", "@@version", "@'q'"]
        );
        assert_eq!(bare("a<=>b != c || d && e :: f"), "w=w=w&w&wow");
        assert_eq!(bare("select union and like from order"), "QU&=kw");
        assert_eq!(bare("SELECT Union AND"), "QU&");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut all: Vec<u8> = (0..=255u8).collect();
        all.extend_from_slice(b"'\"`[@$/*!--#0x0b.");
        for start in [Start::Bare, Start::Quoted(b'\''), Start::Quoted(b'"')] {
            for cut in 0..all.len() {
                let slice = all.get(cut..).unwrap_or(&[]);
                let mut last_end = 0;
                for token in Lexer::new(slice, start) {
                    assert!(token.start >= last_end && token.end >= token.start);
                    assert!(token.end <= slice.len());
                    last_end = token.end;
                }
            }
        }
    }
}
