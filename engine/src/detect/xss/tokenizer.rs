//! A byte-oriented HTML tokenizer for the `xss` detector.
//!
//! Contract:
//! - it follows the HTML5 tokenizer's data, tag and attribute states closely
//!   enough to find the tags and attributes a browser would find, and departs
//!   from it only towards seeing *more* markup: NUL bytes right after `<` are
//!   skipped and vertical tab separates attributes (legacy IE), and RAWTEXT /
//!   RCDATA elements (`<textarea>`, `<title>`, ...) are not special;
//! - it can start in the middle of a tag ([`Start`]), so a value that will be
//!   placed inside an attribute is read the way the browser will read it;
//! - every call to [`Tokenizer::next`] consumes at least one byte, or ends the
//!   stream (after at most one empty value for a `name=` at the very end), so
//!   a whole pass is linear in the input; it never allocates and never panics
//!   (all access goes through `get`);
//! - tokens carry byte ranges into the input, not copies.
//!
//! Markup declarations (`<!-- -->`, `<![CDATA[ ]]>`, `<!...>`, `<?...>`,
//! `</ ...>`) become one [`TokenKind::Markup`] token with the range of their
//! body. In *transparent* mode (used to re-read such bodies and attribute
//! values) they are plain text instead, so nothing is read a third time; only
//! the first bytes of a `<!` or `<?` declaration are shown, so its keyword
//! can still be checked.

use memchr::{memchr, memmem};

/// Where, relative to markup, the value starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Start {
    /// Text content: `<p>VALUE</p>`.
    Data,
    /// Inside a start tag, between attributes: `<p VALUE>` or `<p a=VALUE>`.
    BeforeAttributeName,
    /// Inside a single-quoted attribute value: `<p a='VALUE'>`.
    SingleQuoted,
    /// Inside a double-quoted attribute value: `<p a="VALUE">`.
    DoubleQuoted,
}

/// The kind of markup declaration a [`TokenKind::Markup`] token stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Markup {
    /// `<!-- ... -->`
    Comment,
    /// `<![CDATA[ ... ]]>`
    Cdata,
    /// `<!...>` and `</ ...>`: a bogus comment.
    Bogus,
    /// `<?...>`: a processing instruction (a bogus comment in HTML).
    Instruction,
}

/// What a token is; see [`Token`] for its ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenKind {
    /// `<name`: `text` is the name, `span` runs from `<` to the end of the name.
    StartTag,
    /// `</name`: as [`TokenKind::StartTag`].
    EndTag,
    /// An attribute name inside a tag.
    AttributeName,
    /// An attribute value: `text` without quotes, `span` with them.
    AttributeValue,
    /// `>` closing a tag.
    TagEnd,
    /// A markup declaration: `text` is its body, `span` the whole of it.
    Markup(Markup),
}

/// One token: its kind and two byte ranges into the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Token {
    pub kind: TokenKind,
    /// The bytes the token covers (for reporting).
    pub span_start: usize,
    pub span_end: usize,
    /// The bytes the token is about: a name, a value or a body.
    pub text_start: usize,
    pub text_end: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Data,
    BeforeAttributeName,
    AttributeName,
    AfterAttributeName,
    BeforeAttributeValue,
    SingleQuotedValue,
    DoubleQuotedValue,
    UnquotedValue,
    AfterQuotedValue,
}

/// How much of a declaration transparent mode shows (enough for a keyword).
const PEEK: usize = 32;

/// Whitespace between attributes: HTML's five, plus vertical tab (legacy IE).
pub(super) fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// A streaming tokenizer over one value; an iterator of [`Token`]s.
pub(super) struct Tokenizer<'a> {
    input: &'a [u8],
    pos: usize,
    state: State,
    transparent: bool,
}

impl<'a> Tokenizer<'a> {
    /// A tokenizer that reads `input` as if it started in `start`. With
    /// `transparent`, markup declarations are read as text.
    pub(super) fn new(input: &'a [u8], start: Start, transparent: bool) -> Self {
        let state = match start {
            Start::Data => State::Data,
            Start::BeforeAttributeName => State::BeforeAttributeName,
            Start::SingleQuoted => State::SingleQuotedValue,
            Start::DoubleQuoted => State::DoubleQuotedValue,
        };
        Tokenizer {
            input,
            pos: 0,
            state,
            transparent,
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.input.get(at).copied()
    }

    fn rest(&self) -> &'a [u8] {
        self.input.get(self.pos..).unwrap_or_default()
    }

    /// Advances past the bytes at `pos` for which `keep` holds.
    fn skip_while(&mut self, keep: impl Fn(u8) -> bool) {
        let run = self.rest().iter().take_while(|&&b| keep(b)).count();
        self.pos += run;
    }

    /// Data state: looks for the next `<` that opens a tag or a declaration.
    fn data(&mut self) -> Option<Token> {
        loop {
            let lt = self.pos + memchr(b'<', self.rest())?;
            self.pos = lt + 1;
            if let Some(token) = self.after_less_than(lt) {
                return Some(token);
            }
        }
    }

    /// Reads what follows the `<` at `lt`; `None` when it is just text.
    fn after_less_than(&mut self, lt: usize) -> Option<Token> {
        let mut at = lt + 1;
        while self.byte(at) == Some(0) {
            at += 1;
        }
        match self.byte(at)? {
            b if b.is_ascii_alphabetic() => Some(self.tag_name(lt, at, TokenKind::StartTag)),
            b'/' => {
                let mut name = at + 1;
                while self.byte(name) == Some(0) {
                    name += 1;
                }
                match self.byte(name) {
                    Some(b) if b.is_ascii_alphabetic() => {
                        Some(self.tag_name(lt, name, TokenKind::EndTag))
                    }
                    _ if self.transparent => None,
                    _ => Some(self.until_greater_than(lt, at + 1, Markup::Bogus)),
                }
            }
            b'!' if self.transparent => self.peek_declaration(lt, at + 1, Markup::Bogus),
            b'?' if self.transparent => self.peek_declaration(lt, at + 1, Markup::Instruction),
            b'!' => Some(self.declaration(lt, at + 1)),
            b'?' => Some(self.until_greater_than(lt, at + 1, Markup::Instruction)),
            _ => None,
        }
    }

    /// Transparent mode: a declaration's first [`PEEK`] bytes as its body,
    /// without consuming them (they are read again as text), so its keyword
    /// can be checked; comments and CDATA give no token.
    fn peek_declaration(&self, lt: usize, body: usize, kind: Markup) -> Option<Token> {
        let tail = self.input.get(body..).unwrap_or_default();
        if tail.starts_with(b"--") || tail.starts_with(b"[") {
            return None;
        }
        let end = body + tail.len().min(PEEK);
        Some(Token {
            kind: TokenKind::Markup(kind),
            span_start: lt,
            span_end: body,
            text_start: body,
            text_end: end,
        })
    }

    /// A tag name starting at `name`; the state moves into the tag.
    fn tag_name(&mut self, lt: usize, name: usize, kind: TokenKind) -> Token {
        self.pos = name;
        self.skip_while(|b| !is_space(b) && b != b'/' && b != b'>');
        self.state = State::BeforeAttributeName;
        Token {
            kind,
            span_start: lt,
            span_end: self.pos,
            text_start: name,
            text_end: self.pos,
        }
    }

    /// `<!` at `lt`, `body` just after the `!`.
    fn declaration(&mut self, lt: usize, body: usize) -> Token {
        let after = self.input.get(body..).unwrap_or_default();
        if after.starts_with(b"--") {
            return self.comment(lt, body + 2);
        }
        if after.len() >= 7
            && after
                .get(..7)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"[CDATA["))
        {
            let start = body + 7;
            let tail = self.input.get(start..).unwrap_or_default();
            return match memmem::find(tail, b"]]>") {
                Some(rel) => self.markup(lt, start, start + rel, start + rel + 3, Markup::Cdata),
                None => self.markup(lt, start, self.input.len(), self.input.len(), Markup::Cdata),
            };
        }
        self.until_greater_than(lt, body, Markup::Bogus)
    }

    /// A comment whose body starts at `body` (after `<!--`).
    fn comment(&mut self, lt: usize, body: usize) -> Token {
        // `<!-->` and `<!--->` are complete (empty) comments.
        let tail = self.input.get(body..).unwrap_or_default();
        if tail.starts_with(b">") {
            return self.markup(lt, body, body, body + 1, Markup::Comment);
        }
        if tail.starts_with(b"->") {
            return self.markup(lt, body, body, body + 2, Markup::Comment);
        }
        let mut at = body;
        while let Some(rel) = self.input.get(at..).and_then(|t| memmem::find(t, b"--")) {
            let dashes = at + rel;
            match (self.byte(dashes + 2), self.byte(dashes + 3)) {
                (Some(b'>'), _) => {
                    return self.markup(lt, body, dashes, dashes + 3, Markup::Comment)
                }
                (Some(b'!'), Some(b'>')) => {
                    return self.markup(lt, body, dashes, dashes + 4, Markup::Comment)
                }
                _ => at = dashes + 1,
            }
        }
        self.markup(
            lt,
            body,
            self.input.len(),
            self.input.len(),
            Markup::Comment,
        )
    }

    /// A declaration whose body starts at `body` and ends at the next `>`.
    fn until_greater_than(&mut self, lt: usize, body: usize, kind: Markup) -> Token {
        let tail = self.input.get(body..).unwrap_or_default();
        match memchr(b'>', tail) {
            Some(rel) => self.markup(lt, body, body + rel, body + rel + 1, kind),
            None => self.markup(lt, body, self.input.len(), self.input.len(), kind),
        }
    }

    fn markup(
        &mut self,
        lt: usize,
        body: usize,
        body_end: usize,
        end: usize,
        kind: Markup,
    ) -> Token {
        self.pos = end.max(self.pos);
        self.state = State::Data;
        Token {
            kind: TokenKind::Markup(kind),
            span_start: lt,
            span_end: end,
            text_start: body.min(body_end),
            text_end: body_end,
        }
    }

    /// `>` at `pos`: the tag ends.
    fn tag_end(&mut self) -> Token {
        let at = self.pos;
        self.pos += 1;
        self.state = State::Data;
        Token {
            kind: TokenKind::TagEnd,
            span_start: at,
            span_end: at + 1,
            text_start: at,
            text_end: at + 1,
        }
    }

    fn attribute_name(&mut self) -> Token {
        let start = self.pos;
        // The first byte belongs to the name even when it is `=`.
        self.pos += 1;
        self.skip_while(|b| !is_space(b) && b != b'/' && b != b'>' && b != b'=');
        self.state = State::AfterAttributeName;
        Token {
            kind: TokenKind::AttributeName,
            span_start: start,
            span_end: self.pos,
            text_start: start,
            text_end: self.pos,
        }
    }

    /// A quoted value whose text starts at `pos` and ends at `quote`.
    fn quoted_value(&mut self, quote: u8) -> Token {
        let start = self.pos;
        let span_start = start.saturating_sub(usize::from(start > 0));
        match memchr(quote, self.rest()) {
            Some(rel) => {
                self.pos = start + rel + 1;
                self.state = State::AfterQuotedValue;
                Token {
                    kind: TokenKind::AttributeValue,
                    span_start,
                    span_end: self.pos,
                    text_start: start,
                    text_end: start + rel,
                }
            }
            None => {
                self.pos = self.input.len();
                self.state = State::Data;
                Token {
                    kind: TokenKind::AttributeValue,
                    span_start,
                    span_end: self.pos,
                    text_start: start,
                    text_end: self.pos,
                }
            }
        }
    }

    fn unquoted_value(&mut self) -> Token {
        let start = self.pos;
        self.skip_while(|b| !is_space(b) && b != b'>');
        self.state = State::BeforeAttributeName;
        Token {
            kind: TokenKind::AttributeValue,
            span_start: start,
            span_end: self.pos,
            text_start: start,
            text_end: self.pos,
        }
    }
}

impl Iterator for Tokenizer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        loop {
            if self.state == State::Data {
                return self.data();
            }
            let byte = self.byte(self.pos);
            match self.state {
                State::Data => {}
                State::BeforeAttributeName => match byte? {
                    b if is_space(b) || b == b'/' => self.pos += 1,
                    b'>' => return Some(self.tag_end()),
                    _ => return Some(self.attribute_name()),
                },
                State::AttributeName => return Some(self.attribute_name()),
                State::AfterAttributeName => match byte? {
                    b if is_space(b) => self.pos += 1,
                    b'/' => {
                        self.pos += 1;
                        self.state = State::BeforeAttributeName;
                    }
                    b'=' => {
                        self.pos += 1;
                        self.state = State::BeforeAttributeValue;
                    }
                    b'>' => return Some(self.tag_end()),
                    _ => self.state = State::AttributeName,
                },
                State::BeforeAttributeValue => match byte {
                    // `name=` at the end: an empty, open-ended value.
                    None => return Some(self.unquoted_value()),
                    Some(byte) => match byte {
                        b if is_space(b) => self.pos += 1,
                        b'"' => {
                            self.pos += 1;
                            self.state = State::DoubleQuotedValue;
                        }
                        b'\'' => {
                            self.pos += 1;
                            self.state = State::SingleQuotedValue;
                        }
                        b'>' => return Some(self.tag_end()),
                        _ => self.state = State::UnquotedValue,
                    },
                },
                State::DoubleQuotedValue => return Some(self.quoted_value(b'"')),
                State::SingleQuotedValue => return Some(self.quoted_value(b'\'')),
                State::UnquotedValue => return Some(self.unquoted_value()),
                State::AfterQuotedValue => match byte? {
                    b'>' => return Some(self.tag_end()),
                    b if is_space(b) || b == b'/' => {
                        self.pos += 1;
                        self.state = State::BeforeAttributeName;
                    }
                    // A missing space: the next attribute starts right away.
                    _ => self.state = State::BeforeAttributeName,
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tokens rendered compactly: `<name` start tag, `</name` end tag,
    /// `@name` attribute name, `=value` attribute value, `>` tag end,
    /// `!c[body]` markup (c: comment, d: cdata, b: bogus, i: instruction).
    fn render(input: &str, start: Start) -> String {
        render_bytes(input.as_bytes(), start, false)
    }

    fn render_bytes(input: &[u8], start: Start, transparent: bool) -> String {
        let parts: Vec<String> = Tokenizer::new(input, start, transparent)
            .map(|t| {
                let text = String::from_utf8_lossy(&input[t.text_start..t.text_end]);
                match t.kind {
                    TokenKind::StartTag => format!("<{text}"),
                    TokenKind::EndTag => format!("</{text}"),
                    TokenKind::AttributeName => format!("@{text}"),
                    TokenKind::AttributeValue => format!("={text}"),
                    TokenKind::TagEnd => ">".to_string(),
                    TokenKind::Markup(kind) => {
                        let letter = match kind {
                            Markup::Comment => 'c',
                            Markup::Cdata => 'd',
                            Markup::Bogus => 'b',
                            Markup::Instruction => 'i',
                        };
                        format!("!{letter}[{text}]")
                    }
                }
            })
            .collect();
        parts.join(" ")
    }

    #[test]
    fn text_without_markup_gives_nothing() {
        for text in ["a < b and 3 > 2, x<3", "", "<", "< script>", "<3", "a<=b"] {
            assert_eq!(render(text, Start::Data), "", "{text:?}");
        }
    }

    #[test]
    fn start_tag_with_attributes() {
        assert_eq!(
            render(r#"<a href="x" title='y' z=w checked>t</a>"#, Start::Data),
            "<a @href =x @title =y @z =w @checked > </a >"
        );
    }

    #[test]
    fn slashes_separate_attributes_and_quotes_need_no_space() {
        assert_eq!(render("<svg/onload=x/>", Start::Data), "<svg @onload =x/ >");
        assert_eq!(render(r#"<p a="1"b='2'>"#, Start::Data), "<p @a =1 @b =2 >");
        assert_eq!(
            render("<img/src/onerror=1>", Start::Data),
            "<img @src @onerror =1 >"
        );
    }

    #[test]
    fn spaces_around_equals_and_equals_leading_a_name() {
        assert_eq!(
            render("<a href  =  x =y>", Start::Data),
            "<a @href =x @=y >"
        );
        assert_eq!(render("<a\x0bb=1>", Start::Data), "<a @b =1 >");
    }

    #[test]
    fn nul_after_less_than_is_skipped() {
        assert_eq!(render("<\0img src=x>", Start::Data), "<img @src =x >");
        assert_eq!(render("</\0a>", Start::Data), "</a >");
    }

    #[test]
    fn comments_end_where_html_ends_them() {
        assert_eq!(
            render("<!-- a -- b --!><b>", Start::Data),
            "!c[ a -- b ] <b >"
        );
        assert_eq!(render("<!--><i>", Start::Data), "!c[] <i >");
        assert_eq!(render("<!---><i>", Start::Data), "!c[] <i >");
        assert_eq!(render("<!-- open", Start::Data), "!c[ open]");
    }

    #[test]
    fn cdata_bogus_and_instructions() {
        assert_eq!(
            render("<![CDATA[x>y]]><?xml a?></ 1><!DOCTYPE html>", Start::Data),
            "!d[x>y] !i[xml a?] !b[ 1] !b[DOCTYPE html]"
        );
    }

    #[test]
    fn transparent_mode_reads_declarations_as_text() {
        assert_eq!(render_bytes(b"<!--<b>-->", Start::Data, true), "<b >");
        assert_eq!(render_bytes(b"<![CDATA[<b>", Start::Data, true), "<b >");
        assert_eq!(
            render_bytes(b"<?import x><i>", Start::Data, true),
            "!i[import x><i>] <i >"
        );
    }

    #[test]
    fn attribute_contexts() {
        assert_eq!(
            render(r#"x" onclick="y"#, Start::DoubleQuoted),
            "=x @onclick =y"
        );
        assert_eq!(render("x' a=b><i>", Start::SingleQuoted), "=x @a =b > <i >");
        assert_eq!(
            render("x onerror=1>", Start::BeforeAttributeName),
            "@x @onerror =1 >"
        );
        assert_eq!(
            render("no quote here", Start::DoubleQuoted),
            "=no quote here"
        );
    }

    #[test]
    fn equals_at_the_end_gives_an_empty_value() {
        assert_eq!(render("<a onclick=", Start::Data), "<a @onclick =");
        assert_eq!(render("<a onclick= ", Start::Data), "<a @onclick =");
    }

    #[test]
    fn spans_cover_quotes_and_the_less_than() {
        let input = br#"<a b="c">"#;
        let list: Vec<_> = Tokenizer::new(input, Start::Data, false).collect();
        assert_eq!((list[0].span_start, list[0].span_end), (0, 2));
        assert_eq!((list[2].span_start, list[2].span_end), (5, 8));
        assert_eq!((list[2].text_start, list[2].text_end), (6, 7));
    }

    #[test]
    fn every_prefix_of_tricky_inputs_tokenizes() {
        let inputs: [&[u8]; 6] = [
            b"<a b='c' d=\"e\" f=g/><!-- x --><![CDATA[y]]><?z?></ q>",
            b"<\0\0",
            b"</\0",
            b"<!-",
            b"<a =",
            b"\"'<a",
        ];
        let starts = [
            Start::Data,
            Start::BeforeAttributeName,
            Start::SingleQuoted,
            Start::DoubleQuoted,
        ];
        for input in inputs {
            for cut in 0..=input.len() {
                for start in starts {
                    for transparent in [false, true] {
                        for token in Tokenizer::new(&input[..cut], start, transparent) {
                            assert!(token.span_start <= token.span_end && token.span_end <= cut);
                            assert!(token.text_start <= token.text_end && token.text_end <= cut);
                        }
                    }
                }
            }
        }
    }
}
