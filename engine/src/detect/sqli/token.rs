//! Token vocabulary shared by the SQL lexer, the folder and the rule table.
//!
//! Contract: a [`Token`] is plain data (`Copy`), names a byte range of the
//! input (`start..end`, `start <= end <= input.len()`), and carries one
//! [`Class`] — the letter it contributes to a fingerprint — plus the few
//! details the folder and rules need (which keyword it was, how a string or
//! comment was written). Nothing here allocates.

/// The class of a token; each class is one letter of a fingerprint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// `s`: a quoted string literal (`'..'`, `".."`, `N'..'`, `$$..$$`, …).
    Str,
    /// `n`: a number (decimal, float, `0x..`, `0b..`) or a literal keyword
    /// such as `NULL`, `TRUE`, `CURRENT_USER`.
    Num,
    /// `v`: a variable, `@x` or `@@version`.
    Var,
    /// `w`: a bareword or quoted identifier (`name`, `a.b`, `` `x` ``, `[x]`).
    Word,
    /// `f`: a word that calls a function (a word followed by `(`).
    Func,
    /// `k`: any other keyword: `FROM`, `AS`, `ON`, `SET`, `CASE`, `JOIN`, …
    Keyword,
    /// `K`: a keyword that continues a query after a value: `ORDER BY`,
    /// `GROUP BY`, `HAVING`, `LIMIT`, `OFFSET`, `WHERE`, `INTO`, `PROCEDURE`.
    Clause,
    /// `Q`: a statement verb: `SELECT`, `INSERT`, `DROP`, `EXEC`, `WAITFOR`, …
    Verb,
    /// `U`: a set operator: `UNION [ALL|DISTINCT]`, `INTERSECT`, `EXCEPT`.
    Union,
    /// `&`: a logic operator: `AND`, `OR`, `XOR`, `NOT`, `&&`, `||`.
    Logic,
    /// `=`: a comparison: `=`, `<>`, `<=>`, `LIKE`, `IN`, `IS`, `BETWEEN`, …
    Cmp,
    /// `o`: any other operator: `+ - * / % ^ | & ~ ! :: DIV MOD`, …
    Op,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `,`
    Comma,
    /// `;`
    Semi,
    /// `c`: a comment. The folder keeps it only when nothing follows it.
    Comment,
}

impl Class {
    /// The fingerprint letter of this class.
    pub fn letter(self) -> char {
        match self {
            Class::Str => 's',
            Class::Num => 'n',
            Class::Var => 'v',
            Class::Word => 'w',
            Class::Func => 'f',
            Class::Keyword => 'k',
            Class::Clause => 'K',
            Class::Verb => 'Q',
            Class::Union => 'U',
            Class::Logic => '&',
            Class::Cmp => '=',
            Class::Op => 'o',
            Class::LParen => '(',
            Class::RParen => ')',
            Class::Comma => ',',
            Class::Semi => ';',
            Class::Comment => 'c',
        }
    }

    /// True for classes that denote a value: something an operator can take.
    pub fn is_operand(self) -> bool {
        matches!(
            self,
            Class::Str | Class::Num | Class::Var | Class::Word | Class::Func
        )
    }

    /// True for classes that are keywords of some kind.
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            Class::Verb | Class::Union | Class::Logic | Class::Clause | Class::Keyword
        )
    }
}

/// Keywords the folder merges with a neighbour; every other word is `Plain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    Plain,
    Union,
    /// `ALL` / `DISTINCT` after `UNION`.
    SetQuantifier,
    /// `INTO`, before `OUTFILE` / `DUMPFILE`.
    Into,
    Outfile,
    /// `ORDER` / `GROUP` before `BY`.
    Sort,
    By,
    Not,
    /// `IS`, `LIKE`, `IN`, … that absorb a neighbouring `NOT`.
    Predicate,
    Sounds,
    Waitfor,
    /// `DELAY` / `TIME` after `WAITFOR`.
    WaitArg,
    /// `TOP` (MSSQL `SELECT TOP 1 …`).
    Top,
    /// `LEFT`, `INNER`, `CROSS`, … before `JOIN`.
    JoinKind,
    Join,
}

/// Whether a word names a function when it is followed by `(`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Call {
    /// Not a function we know (it still becomes `f` when written `word(`).
    Unknown,
    /// An ordinary SQL function (`CONCAT`, `ASCII`, `COUNT`, …).
    Known,
    /// A function attackers use for timing, file access or error-based
    /// extraction (`SLEEP`, `BENCHMARK`, `PG_SLEEP`, `LOAD_FILE`, …).
    Risky,
    /// A system stored procedure (`XP_CMDSHELL`, `SP_EXECUTESQL`, …): risky
    /// by name alone, since procedures are called without parentheses.
    Procedure,
}

/// How a comment was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentStyle {
    /// `-- …` to the end of the line.
    Dash,
    /// `# …` to the end of the line (MySQL).
    Hash,
    /// `/* … */`, possibly unterminated.
    Block,
}

/// How a string literal was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StrInfo {
    /// The quote byte (`'`, `"`, or `$` for dollar quoting).
    pub quote: u8,
    /// The closing quote was found.
    pub closed: bool,
}

/// Class-specific detail of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Detail {
    None,
    Str(StrInfo),
    Comment(CommentStyle),
    /// A word from the keyword table.
    Word {
        tag: Tag,
        call: Call,
    },
    /// An operator; the byte is its first character.
    Op(u8),
}

/// One token: a class, its byte range and its detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Token {
    pub class: Class,
    pub start: usize,
    pub end: usize,
    pub detail: Detail,
}

impl Token {
    pub const fn new(class: Class, start: usize, end: usize, detail: Detail) -> Self {
        Token {
            class,
            start,
            end,
            detail,
        }
    }

    /// The merge tag of a keyword token (`Plain` for everything else).
    pub fn tag(&self) -> Tag {
        match self.detail {
            Detail::Word { tag, .. } => tag,
            _ => Tag::Plain,
        }
    }

    /// Whether this word is a function name when followed by `(`.
    pub fn call(&self) -> Call {
        match self.detail {
            Detail::Word { call, .. } => call,
            _ => Call::Unknown,
        }
    }

    /// The first byte of an operator token (`0` for other tokens).
    pub fn op(&self) -> u8 {
        match self.detail {
            Detail::Op(b) => b,
            _ => 0,
        }
    }

    /// String details, for string tokens.
    pub fn str_info(&self) -> Option<StrInfo> {
        match self.detail {
            Detail::Str(info) => Some(info),
            _ => None,
        }
    }

    /// Whether the token came from the keyword table (`LIKE` rather than `=`).
    pub fn is_word(&self) -> bool {
        matches!(self.detail, Detail::Word { .. })
    }
}
