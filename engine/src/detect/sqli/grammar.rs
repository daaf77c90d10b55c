//! Structural questions about a folded token window, used by the rule table.
//!
//! Contract: every function here reads a [`Window`] — at most
//! [`super::fold::MAX_TOKENS`] tokens — by index, treats an index past the
//! end as "no token", and never indexes out of bounds. Recursion and loops
//! only move forward through the window, so each question costs
//! `O(MAX_TOKENS²)` at worst, independent of the input length.
//!
//! The questions are deliberately loose SQL grammar: "does a value
//! expression start here and where does it end", "does what follows this
//! `SELECT` look like a select list rather than English", "is this an
//! expression with SQL shape (a comparison, a call, a subquery)".

use super::lexer::Start;
use super::token::{Call, Class, CommentStyle, Detail, Tag, Token};

/// One context's folded tokens plus what the rules need to read them.
pub struct Window<'a> {
    pub tokens: &'a [Token],
    pub input: &'a [u8],
    pub start: Start,
    /// The input went on past the last token.
    pub truncated: bool,
}

/// Bytes that mark the implicit string as a path, URL, markup or JSON
/// rather than a single value an application would quote.
const NOT_A_VALUE: &[u8] = b"=?&/<>\\{}[]():,";

impl Window<'_> {
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn at(&self, i: usize) -> Option<Class> {
        self.tokens.get(i).map(|t| t.class)
    }

    pub fn is(&self, i: usize, class: Class) -> bool {
        self.at(i) == Some(class)
    }

    fn token(&self, i: usize) -> Option<&Token> {
        self.tokens.get(i)
    }

    pub fn tag(&self, i: usize) -> Tag {
        self.token(i).map_or(Tag::Plain, Token::tag)
    }

    pub fn call(&self, i: usize) -> Call {
        self.token(i).map_or(Call::Unknown, Token::call)
    }

    fn op(&self, i: usize) -> u8 {
        self.token(i).map_or(0, Token::op)
    }

    pub fn text(&self, i: usize) -> &[u8] {
        self.token(i)
            .and_then(|t| self.input.get(t.start..t.end))
            .unwrap_or(&[])
    }

    fn is_operand(&self, i: usize) -> bool {
        self.at(i).is_some_and(Class::is_operand)
    }

    /// First index at or after `i` that is not `class`.
    pub fn skip(&self, mut i: usize, class: Class) -> usize {
        while self.is(i, class) {
            i += 1;
        }
        i
    }

    /// `i` is a `(`: the index after its matching `)`, or the window end.
    fn skip_group(&self, mut i: usize) -> usize {
        let mut depth = 0usize;
        while let Some(class) = self.at(i) {
            i += 1;
            match class {
                Class::LParen => depth += 1,
                Class::RParen => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        i
    }

    /// End of one term at `i`: an operand, a call with its arguments, or a
    /// parenthesised group that is not a subquery.
    fn term_end(&self, i: usize) -> Option<usize> {
        match self.at(i)? {
            Class::LParen if self.is(self.skip(i, Class::LParen), Class::Verb) => None,
            Class::LParen => Some(self.skip_group(i)),
            Class::Str | Class::Num | Class::Var | Class::Word => Some(i + 1),
            Class::Func if self.is(i + 1, Class::LParen) => Some(self.skip_group(i + 1)),
            Class::Func => Some(i + 1),
            _ => None,
        }
    }

    /// End of a value expression at `i`: terms joined by operators and
    /// comparisons (`-9-(2)`, `x=1`, `concat(a,b)`).
    pub fn value_end(&self, i: usize) -> Option<usize> {
        let mut j = self.term_end(i)?;
        while matches!(self.at(j), Some(Class::Op | Class::Cmp)) && !self.is_colon(j) {
            match self.term_end(j + 1) {
                Some(k) => j = k,
                None if j + 1 == self.len() => return Some(j + 1),
                None => return Some(j),
            }
        }
        Some(j)
    }

    /// After `SELECT` (at `i - 1`): a select list, not English ("select a
    /// size"). Accepts `*`, calls, `@@vars`, `1,`, `x FROM t WHERE 1`, …;
    /// `Lenient` (the select already follows an operator: `=(select`) also
    /// accepts `x FROM`.
    pub fn select_body(&self, i: usize, strictness: Strictness) -> bool {
        let next = self.at(i + 1);
        match self.at(i) {
            None => i >= self.len() && self.truncated,
            Some(Class::LParen) => self.parenthesised_code(i),
            Some(Class::Func) => true,
            // `SELECT WHERE` is not a query ("update set where join").
            Some(Class::Clause) => false,
            Some(Class::Op) => self.op(i) == b'*',
            Some(Class::Keyword) if self.tag(i) == Tag::Top && self.is(i + 1, Class::Num) => {
                self.select_body(i + 2, strictness)
            }
            Some(Class::Keyword) => self.select_body(i + 1, strictness),
            Some(Class::Var) => {
                self.text(i).starts_with(b"@@")
                    || matches!(
                        next,
                        Some(
                            Class::Comma
                                | Class::Keyword
                                | Class::Clause
                                | Class::Comment
                                | Class::Op
                                | Class::Cmp
                                | Class::RParen
                        )
                    )
            }
            Some(Class::Num | Class::Str) => matches!(
                next,
                Some(
                    Class::Comma
                        | Class::Semi
                        | Class::Keyword
                        | Class::Clause
                        | Class::Union
                        | Class::Comment
                        | Class::Op
                        | Class::RParen
                )
            ),
            Some(Class::Word) => {
                let from = next == Some(Class::Keyword);
                (from
                    && self.is(i + 2, Class::Word)
                    && self.is(i + 3, Class::Clause)
                    && self.is_operand(i + 4))
                    || (from && self.is(i + 2, Class::LParen))
                    || (from && strictness == Strictness::Lenient)
                    || matches!(next, Some(Class::Comma | Class::Comment))
                    || (next == Some(Class::Op) && self.is_arithmetic(i + 1))
            }
            _ => false,
        }
    }

    /// An arithmetic operator, not prose punctuation (`-` in "drop-earrings",
    /// `:` in "Exec review: Q2").
    fn is_arithmetic(&self, i: usize) -> bool {
        matches!(self.op(i), b'*' | b'/' | b'%' | b'+' | b'|' | b'^' | b'&')
    }

    /// Whether `i` is a lone `:`, which SQL does not use as an operator
    /// (`field : value` is a search syntax).
    fn is_colon(&self, i: usize) -> bool {
        self.token(i)
            .is_some_and(|t| t.op() == b':' && t.end == t.start + 1)
    }

    /// `i` is a `(`: its content is code (`(select`, `(1),`, `(a+b)`), not
    /// an English parenthetical (`Delete (Trashcan)`).
    fn parenthesised_code(&self, i: usize) -> bool {
        let p = self.skip(i, Class::LParen);
        match self.at(p) {
            None => self.truncated,
            Some(Class::Verb | Class::Func | Class::Keyword | Class::Var) => true,
            Some(Class::Str | Class::Num | Class::Word) => {
                let j = self.skip(p + 1, Class::RParen);
                match self.at(j) {
                    None => self.truncated,
                    Some(class) => matches!(
                        class,
                        Class::LParen
                            | Class::Comma
                            | Class::Op
                            | Class::Cmp
                            | Class::Logic
                            | Class::Keyword
                            | Class::Clause
                            | Class::Union
                            | Class::Comment
                    ),
                }
            }
            _ => false,
        }
    }

    /// After `UNION [ALL] SELECT`: anything but English words ("union
    /// select committee", "union select and"); `a||b` is concatenation.
    pub fn union_body(&self, i: usize) -> bool {
        let english_next = match self.at(i + 1) {
            Some(Class::Word | Class::Verb | Class::Str) => true,
            Some(Class::Logic) => self.token(i + 1).is_some_and(Token::is_word),
            _ => false,
        };
        // `"union select" tutorial`: the quote closes a quoted phrase and
        // prose runs on to the end of the input.
        let prose_tail = i + 1 == self.len()
            && !self.truncated
            && self
                .token(i)
                .and_then(Token::str_info)
                .is_some_and(|s| !s.closed)
            && self.text(i).iter().any(u8::is_ascii_whitespace);
        (!self.is(i, Class::Word) || !english_next) && !prose_tail
    }

    /// `i` is the `(` after a risky function: its first argument looks like
    /// code (`sleep(5)`, not "sleep (8 hours)").
    pub fn call_args(&self, i: usize) -> bool {
        if !self.is(i, Class::LParen) {
            return false;
        }
        match self.at(i + 1) {
            None | Some(Class::RParen | Class::LParen | Class::Func | Class::Verb | Class::Var) => {
                true
            }
            // `sleep(5)`, `sleep(5)--`, but not "sleep(8) hours".
            Some(Class::Num | Class::Str | Class::Word) if self.is(i + 2, Class::RParen) => {
                !self.is(i + 3, Class::Word)
            }
            Some(Class::Num | Class::Str | Class::Word) => matches!(
                self.at(i + 2),
                None | Some(Class::Comma | Class::Op | Class::Cmp | Class::Logic)
            ),
            _ => false,
        }
    }

    /// After `; VERB` (verb at `i - 1`): a statement, not "; exec will …".
    pub fn statement(&self, i: usize) -> bool {
        if self.tag(i.wrapping_sub(1)) == Tag::Waitfor && self.is(i, Class::Str) {
            return true;
        }
        match self.at(i) {
            None => true,
            Some(
                Class::LParen
                | Class::Func
                | Class::Var
                | Class::Op
                | Class::Clause
                | Class::Keyword
                | Class::Num
                | Class::Comment
                | Class::Verb
                | Class::Semi,
            ) => true,
            Some(Class::Str) => i + 1 < self.len(),
            Some(Class::Word) => {
                // `drop x`, `exec proc 'a'`, `load data infile 'f'`; not
                // "; drop by at 5" or "; exec will create".
                let end = self.skip(i, Class::Word);
                match self.at(end) {
                    None | Some(Class::Verb | Class::Union | Class::Logic | Class::Cmp) => false,
                    _ if end == i + 1 => true,
                    Some(next) => matches!(
                        next,
                        Class::Str
                            | Class::Keyword
                            | Class::Clause
                            | Class::Comment
                            | Class::LParen
                            | Class::Semi
                            | Class::Var
                    ),
                }
            }
            _ => false,
        }
    }

    /// After a verb that follows a value with no `;` (verb at `i - 1`): a
    /// stricter statement shape (`WAITFOR DELAY '0:0:5'`, `UPDATE t SET c=`).
    pub fn strict_statement(&self, i: usize) -> bool {
        if self.tag(i.wrapping_sub(1)) == Tag::Waitfor && self.is(i, Class::Str) {
            return true;
        }
        let next = self.at(i + 1);
        match self.at(i) {
            Some(Class::Var | Class::Func) => true,
            Some(Class::LParen) => self.parenthesised_code(i),
            Some(Class::Keyword) => next.is_some_and(Class::is_operand),
            Some(Class::Op) => self.op(i) == b'*',
            Some(Class::Num | Class::Str) => matches!(
                next,
                Some(Class::Comma | Class::Keyword | Class::Comment | Class::Semi)
            ),
            Some(Class::Word) => {
                (next == Some(Class::Keyword)
                    && self.is(i + 2, Class::Word)
                    && self.is(i + 3, Class::Cmp))
                    || (matches!(next, Some(Class::Keyword | Class::Str | Class::Var))
                        && !self.is(i + 2, Class::Word))
            }
            _ => false,
        }
    }

    /// A right-hand side of a comparison at `j` (the window may end there).
    fn comparand(&self, j: usize) -> bool {
        (j >= self.len() && self.truncated)
            || matches!(
                self.at(j),
                Some(
                    Class::Str
                        | Class::Num
                        | Class::Var
                        | Class::Word
                        | Class::Func
                        | Class::LParen
                        | Class::Verb
                )
            )
    }

    /// `i` is a clause keyword (`ORDER BY`, `LIMIT`, …): what follows it
    /// continues a query (`ORDER BY 1--`, `LIMIT 1,1`, `PROCEDURE ANALYSE(`).
    pub fn clause(&self, i: usize) -> bool {
        match self.at(i + 1) {
            Some(Class::Func) => true,
            Some(Class::Num | Class::Var | Class::Str | Class::Word)
                if self.is(i + 2, Class::Comma) =>
            {
                true
            }
            _ => self.sql_expr(i + 1, Strictness::Lenient),
        }
    }

    /// Whether an expression with SQL shape starts at `i`: a subquery, a
    /// call, a comparison (`x=1`, `1 LIKE 1`), a value then a comment, a
    /// value inside parentheses followed by an operator, …
    pub fn sql_expr(&self, i: usize, strictness: Strictness) -> bool {
        let p = self.skip(i, Class::LParen);
        let parenthesised = p > i;
        let first = self.at(p);
        match first {
            Some(Class::Verb | Class::Func) => return true,
            Some(Class::Str | Class::Num | Class::Var | Class::Word) => {}
            _ => return false,
        }
        let word = first == Some(Class::Word);
        let j = self.skip(p + 1, Class::RParen);
        match self.at(j) {
            Some(Class::Cmp) => {
                // "x or y in z", "Tom and Jerry = best cartoon" are English.
                let word_op = self.token(j).is_some_and(Token::is_word);
                let english =
                    word && self.is(j + 1, Class::Word) && (word_op || self.is(j + 2, Class::Word));
                !english && self.comparand(j + 1)
            }
            Some(Class::Comment) => !word,
            Some(Class::Op) => parenthesised || (j..self.len()).any(|k| self.is(k, Class::Cmp)),
            Some(Class::Union | Class::Semi) => true,
            Some(Class::Clause) => self.clause(j),
            // `(1 or 1`, `(1,2)=`; not "(pepper or sugar)".
            Some(Class::Comma | Class::Logic) => {
                parenthesised && !(word && self.is(j + 1, Class::Word))
            }
            None => {
                (strictness == Strictness::Lenient && !word)
                    || (self.truncated && parenthesised && j >= self.len())
            }
            _ => false,
        }
    }

    /// The application's closing quote cannot close the input's last
    /// string: the input ends inside a string of another quote (or, bare,
    /// inside any string), so the resulting query would not parse.
    pub fn ends_in_foreign_string(&self) -> bool {
        if self.truncated {
            return false;
        }
        let Some(info) = self.tokens.last().and_then(Token::str_info) else {
            return false;
        };
        !info.closed && Start::Quoted(info.quote) != self.start
    }

    /// Whether the token at `i` is a string left open for the
    /// application's quote to close, holding one value (`'1`, `'1 `). A
    /// leading space (`A '=' B`) is accepted only after a symbolic
    /// operator: after a word it reads as prose (`the 'and' operator`).
    pub fn is_open_value(&self, i: usize) -> bool {
        let open = self
            .token(i)
            .and_then(Token::str_info)
            .is_some_and(|info| !info.closed);
        let after_word = i
            .checked_sub(1)
            .and_then(|p| self.token(p))
            .is_some_and(Token::is_word);
        let body = trim_end_space(self.text(i).get(1..).unwrap_or(&[]));
        let body = if after_word { body } else { trim_space(body) };
        open && !body.iter().any(|&b| is_space(b))
    }

    /// The body of the implicit string a quoted context opens, without its
    /// closing quote.
    fn implicit_body(&self) -> &[u8] {
        let body = self.text(0);
        match (self.start, body.split_last()) {
            (Start::Quoted(q), Some((&last, rest))) if last == q => rest,
            _ => body,
        }
    }

    /// Whether the input's first quote is glued to the value before it
    /// (`admin'`, `'`), as a closing quote is; "The 'drop'" opens a quotation.
    pub fn implicit_is_glued(&self) -> bool {
        self.implicit_body().last().is_none_or(|&b| !is_space(b))
    }

    /// Whether the implicit string is empty (the input starts with the quote).
    pub fn implicit_is_empty(&self) -> bool {
        self.implicit_body().is_empty()
    }

    /// Whether the text before the input's first quote looks like one value
    /// an application would quote (`admin`, `1`, `aa `, or nothing), rather
    /// than prose, a path, markup, JSON or bare punctuation. Double quotes are held to a stricter standard
    /// (a word, no whitespace at all): in ordinary text `"` mostly quotes
    /// phrases (`"CREATE" STERLING GOLD`) and marks inches.
    pub fn implicit_is_value(&self) -> bool {
        let body = self.implicit_body();
        let bad = |b: &u8| NOT_A_VALUE.contains(b);
        match self.start {
            Start::Quoted(b'"') => {
                body.iter().any(u8::is_ascii_alphanumeric)
                    && !body.iter().any(|b| bad(b) || is_space(*b))
            }
            _ => {
                let body = trim_space(body);
                let worded = body.is_empty() || body.iter().any(u8::is_ascii_alphanumeric);
                worded && !body.iter().any(|b| bad(b) || is_space(*b))
            }
        }
    }

    /// Whether tokens `i..i + 3` are a comparison that is always true: the
    /// same literal on both sides of an equality (`1=1`, `'a' LIKE 'a'`,
    /// `pw GLOB pw`), or two different constants on both sides of an
    /// inequality (`1!=2`, `1 IS NOT 2`, `'1' NOT REGEXP '2'`). Ordering
    /// comparisons (`123<456`) are left out: they read as arithmetic. Both
    /// sides must be single literals, not the ends of longer expressions
    /// (`1=1+x`).
    pub fn is_tautology(&self, i: usize) -> bool {
        let literal = |j: usize| matches!(self.at(j), Some(Class::Num | Class::Str | Class::Word));
        let glued_op = |j: usize| matches!(self.at(j), Some(Class::Op | Class::Cmp));
        if !(literal(i) && self.is(i + 1, Class::Cmp) && literal(i + 2))
            || glued_op(i + 3)
            || i.checked_sub(1).is_some_and(glued_op)
        {
            return false;
        }
        let mut op = [0u8; 16];
        let mut len = 0;
        for &b in self.text(i + 1).iter().filter(|b| !b.is_ascii_whitespace()) {
            if let Some(slot) = op.get_mut(len) {
                *slot = b.to_ascii_lowercase();
                len += 1;
            }
        }
        let op = op.get(..len).unwrap_or(&[]);
        let same = literal_text(self.text(i)).eq_ignore_ascii_case(literal_text(self.text(i + 2)));
        // Two different names can hold equal values (`a != b`); two
        // different constants cannot.
        let constants = [i, i + 2]
            .iter()
            .all(|&j| matches!(self.at(j), Some(Class::Num | Class::Str)));
        match op {
            b"=" | b"==" | b"<=>" | b"like" | b"ilike" | b"glob" | b"is" | b"regexp" | b"rlike"
            | b"soundslike" => same,
            b"!=" | b"<>" | b"isnot" | b"notlike" | b"notilike" | b"notglob" | b"notregexp"
            | b"notrlike" => constants && !same,
            _ => false,
        }
    }

    /// A `#` comment that reads as a comment, not a hashtag or `#2`.
    pub fn comment_reads_as_sql(&self, i: usize) -> bool {
        match self.token(i).map(|t| t.detail) {
            Some(Detail::Comment(CommentStyle::Hash)) => self
                .text(i)
                .get(1)
                .is_none_or(|b| !b.is_ascii_alphanumeric()),
            Some(Detail::Comment(_)) => true,
            _ => false,
        }
    }

    /// Whether the comment at `i` is a `--` or `/*` that cuts off the rest
    /// of a query: glued to what precedes it (`1--`) or with nothing in it
    /// but dashes (`1 -- -`), unlike prose dashes ("2 -- see above").
    pub fn is_cutoff_comment(&self, i: usize) -> bool {
        let Some(token) = self.token(i) else {
            return false;
        };
        if !matches!(
            token.detail,
            Detail::Comment(CommentStyle::Dash | CommentStyle::Block)
        ) {
            return false;
        }
        let glued = i
            .checked_sub(1)
            .and_then(|p| self.token(p))
            .is_some_and(|prev| prev.end == token.start);
        let body = self.text(i).get(2..).unwrap_or(&[]);
        glued || body.iter().all(|&b| b == b'-' || is_space(b))
    }
}

/// How much of an expression [`Window::sql_expr`] requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// A lone non-word value counts (`ORDER BY 1`).
    Lenient,
    /// The value must be compared, called, commented or continued
    /// (`OR 1` alone is English: "1 or 2 drinks").
    Strict,
}

fn is_space(b: u8) -> bool {
    b.is_ascii_whitespace()
}

fn trim_space(mut s: &[u8]) -> &[u8] {
    while let [first, rest @ ..] = s {
        if !is_space(*first) {
            break;
        }
        s = rest;
    }
    trim_end_space(s)
}

fn trim_end_space(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., last] = s {
        if !is_space(*last) {
            break;
        }
        s = rest;
    }
    s
}

/// The value a literal token stands for: a string without its prefix and
/// quotes (`N'ab'` → `ab`), anything else as written.
fn literal_text(text: &[u8]) -> &[u8] {
    let Some(open) = text.iter().position(|&b| matches!(b, b'\'' | b'"' | b'`')) else {
        return text;
    };
    let quote = text.get(open).copied().unwrap_or_default();
    let body = text.get(open + 1..).unwrap_or(&[]);
    body.strip_suffix(&[quote]).unwrap_or(body)
}
