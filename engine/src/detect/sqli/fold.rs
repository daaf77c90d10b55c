//! Folds the lexer's token stream into a short fingerprint.
//!
//! Contract: [`fold`] keeps at most [`MAX_TOKENS`] folded tokens and stops
//! pulling from the lexer at the first token that would not fit, so its
//! cost is bounded by the input prefix it looks at. Each fold only looks at
//! the last kept token and the incoming one (one token of lookback, none of
//! lookahead), so the result does not depend on how far the input goes.
//!
//! Folds, in the order they are tried:
//! - a comment is whitespace unless nothing but comments follows it: only a
//!   trailing comment survives, as `c`;
//! - keyword pairs become one token: `UNION ALL|DISTINCT` → `U`,
//!   `ORDER BY`/`GROUP BY` and `INTO OUTFILE` → `K`, `LEFT [OUTER] JOIN` → `k`,
//!   `WAITFOR DELAY|TIME` → `Q`, `SOUNDS LIKE` → `=`, `AND NOT` → `&`,
//!   `IS NOT` / `NOT LIKE|IN|BETWEEN` → `=`;
//! - a word followed by `(` becomes a function `f` (a known function name
//!   even across whitespace, any other word only when `(` touches it);
//! - runs of `(`, of `)`, of `;`, of adjacent strings (SQL concatenates `'a' 'b'`)
//!   and of operators collapse to one;
//! - a sign (`- + ~ !`) where an operand is expected is dropped: `-1` is `n`;
//! - digits glued to a plain word (`70s`, `1108_519_no`) are one word.

use super::lexer::Lexer;
use super::token::{Call, Class, Detail, Tag, Token};

/// Tokens kept in a fingerprint.
pub const MAX_TOKENS: usize = 10;

const EMPTY: Token = Token::new(Class::Comment, 0, 0, Detail::None);

const UNKNOWN_WORD: Detail = Detail::Word {
    tag: Tag::Plain,
    call: Call::Unknown,
};

/// The folded token prefix of one lexing context.
#[derive(Debug, Clone, Copy)]
pub struct Fingerprint {
    tokens: [Token; MAX_TOKENS],
    len: usize,
    /// Tokens remained after the last kept one.
    pub truncated: bool,
    /// The lexer skipped a MySQL `/*!` versioned-comment marker.
    pub versioned: bool,
}

impl Fingerprint {
    pub fn tokens(&self) -> &[Token] {
        self.tokens.get(..self.len).unwrap_or(&[])
    }

    /// The fingerprint letters, e.g. `s&n=nc`.
    pub fn letters(&self) -> String {
        self.tokens().iter().map(|t| t.class.letter()).collect()
    }

    fn last_mut(&mut self) -> Option<&mut Token> {
        self.len.checked_sub(1).and_then(|i| self.tokens.get_mut(i))
    }

    fn push(&mut self, token: Token) -> bool {
        match self.tokens.get_mut(self.len) {
            Some(slot) => {
                *slot = token;
                self.len += 1;
                true
            }
            None => false,
        }
    }
}

/// Folds the tokens of `lexer` into a fingerprint.
pub fn fold(mut lexer: Lexer<'_>) -> Fingerprint {
    let mut fp = fold_tokens(&mut lexer);
    fp.versioned = lexer.saw_versioned();
    fp
}

fn fold_tokens(lexer: &mut Lexer<'_>) -> Fingerprint {
    let mut fp = Fingerprint {
        tokens: [EMPTY; MAX_TOKENS],
        len: 0,
        truncated: false,
        versioned: false,
    };
    let mut trailing_comment = None;
    for token in lexer {
        if token.class == Class::Comment {
            trailing_comment = Some(token);
            continue;
        }
        trailing_comment = None;
        let last = fp.last_mut();
        if let Some(last) = last {
            if merge(last, &token) {
                continue;
            }
        } else if is_sign(&token) {
            continue;
        }
        if !fp.push(token) {
            fp.truncated = true;
            return fp;
        }
    }
    if let Some(comment) = trailing_comment {
        if !fp.push(comment) {
            fp.truncated = true;
        }
    }
    fp
}

pub(super) fn is_sign(token: &Token) -> bool {
    matches!(token.detail, Detail::Op(b'-' | b'+' | b'~' | b'!')) && token.end == token.start + 1
}

/// Tries to fold `cur` into `last`; true if `cur` was absorbed. May also
/// reclassify `last` (a word before `(` becomes a function) and return false.
fn merge(last: &mut Token, cur: &Token) -> bool {
    let absorb = |last: &mut Token, class: Class, tag: Tag| {
        last.class = class;
        if let Detail::Word { call, .. } = last.detail {
            last.detail = Detail::Word { tag, call };
        }
        last.end = cur.end;
        true
    };
    match (last.class, last.tag(), cur.class, cur.tag()) {
        (Class::Union, _, _, Tag::SetQuantifier) => absorb(last, Class::Union, Tag::Union),
        (_, Tag::Sort, _, Tag::By) => absorb(last, Class::Clause, Tag::Plain),
        (_, Tag::Into, _, Tag::Outfile) => absorb(last, Class::Clause, Tag::Into),
        (_, Tag::JoinKind, _, Tag::JoinKind) => absorb(last, last.class, Tag::JoinKind),
        (_, Tag::JoinKind, _, Tag::Join) => absorb(last, Class::Keyword, Tag::Join),
        (_, Tag::Waitfor, _, Tag::WaitArg) => absorb(last, Class::Verb, Tag::Waitfor),
        (_, Tag::Sounds, _, Tag::Predicate) => absorb(last, Class::Cmp, Tag::Predicate),
        (Class::Logic | Class::Cmp, _, _, Tag::Not) => absorb(last, last.class, last.tag()),
        (_, Tag::Not, Class::Cmp, _) => absorb(last, Class::Cmp, Tag::Predicate),
        (Class::LParen, _, Class::LParen, _) => absorb(last, Class::LParen, Tag::Plain),
        (Class::RParen, _, Class::RParen, _) => absorb(last, Class::RParen, Tag::Plain),
        (Class::Semi, _, Class::Semi, _) => absorb(last, Class::Semi, Tag::Plain),
        (Class::Str, _, Class::Str, _) => {
            last.end = cur.end;
            true
        }
        (Class::Op, _, Class::Op, _) => {
            last.end = cur.end;
            true
        }
        // `1108_519_no` or `70s`: digits glued to a word are one identifier.
        (Class::Num, _, Class::Word, _) if last.end == cur.start && cur.detail == UNKNOWN_WORD => {
            *last = Token::new(Class::Word, last.start, cur.end, UNKNOWN_WORD);
            true
        }
        (prev, _, Class::Op, _) if is_sign(cur) && expects_operand(prev) => true,
        (_, _, Class::LParen, _) => {
            if calls_function(last, cur) {
                last.class = Class::Func;
            }
            false
        }
        _ => false,
    }
}

/// After a token of this class an operand is expected, so a sign is unary.
fn expects_operand(class: Class) -> bool {
    matches!(
        class,
        Class::LParen
            | Class::Comma
            | Class::Semi
            | Class::Logic
            | Class::Cmp
            | Class::Keyword
            | Class::Clause
            | Class::Verb
            | Class::Union
    )
}

/// Whether `word` followed by `paren` is a function call.
fn calls_function(word: &Token, paren: &Token) -> bool {
    let touching = word.end == paren.start;
    match (word.class, word.call()) {
        (Class::Word, Call::Known | Call::Risky | Call::Procedure) => true,
        (Class::Word, Call::Unknown) => touching && matches!(word.detail, Detail::Word { .. }),
        (
            Class::Verb | Class::Keyword | Class::Cmp | Class::Op | Class::Num,
            Call::Known | Call::Risky,
        ) => touching,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::super::lexer::Start;
    use super::*;

    fn fp(input: &str) -> String {
        fold(Lexer::new(input.as_bytes(), Start::Bare)).letters()
    }

    #[test]
    fn keyword_pairs_fold() {
        assert_eq!(fp("1 union all select"), "nUQ");
        assert_eq!(fp("1 UNION/**/DISTINCT/**/SELECT"), "nUQ");
        assert_eq!(fp("1 order by 2"), "nKn");
        assert_eq!(fp("1 into outfile 'x'"), "nKs");
        assert_eq!(fp("x left outer join y"), "wkw");
        assert_eq!(fp("; waitfor delay '0:0:5'"), ";Qs");
        assert_eq!(fp("a sounds like b"), "w=w");
        assert_eq!(fp("a and not b is not null"), "w&w=n");
        assert_eq!(fp("a not like b"), "w=w");
    }

    #[test]
    fn functions_need_a_paren() {
        assert_eq!(fp("sleep(5)"), "f(n)");
        assert_eq!(fp("sleep (5)"), "f(n)");
        assert_eq!(fp("sleep 5"), "wn");
        assert_eq!(fp("foo(1)"), "f(n)");
        assert_eq!(fp("foo (1)"), "w(n)");
        assert_eq!(fp("if(1,2,3)"), "f(n,n,n)");
        assert_eq!(fp("x like ('a')"), "w=(s)");
    }

    #[test]
    fn runs_and_signs_collapse() {
        assert_eq!(fp("((1))"), "(n)");
        assert_eq!(fp("'a' 'b' \"c\""), "s");
        assert_eq!(fp("-1 - -2"), "non");
        assert_eq!(fp("~9-(2) or ~1 = 1"), "no(n)&n=n");
        assert_eq!(fp("70s 1and 2"), "wn&n");
    }

    #[test]
    fn comments_survive_only_at_the_end() {
        assert_eq!(fp("1/**/or/**/1=1--"), "n&n=nc");
        assert_eq!(fp("1#x\nand 1=1"), "n&n=n");
        assert_eq!(fp("1 -- a\n-- b"), "nc");
    }

    #[test]
    fn prefix_is_bounded() {
        let long = "1,".repeat(1000);
        let folded = fold(Lexer::new(long.as_bytes(), Start::Bare));
        assert_eq!(folded.tokens().len(), MAX_TOKENS);
        assert!(folded.truncated);
    }
}
