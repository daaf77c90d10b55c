//! The SQL keyword table: which words are verbs, set operators, logic and
//! comparison operators, clause keywords, literal constants or function names.
//!
//! Contract: [`lookup`] is case-insensitive, allocation-free and a hash
//! probe or two (the index is built once, on first use);
//! a word that is not in the table (or longer than any entry) is `None` and
//! stays a plain bareword (`w`). The table covers the MySQL, PostgreSQL,
//! MSSQL, Oracle and SQLite words that matter for telling an injected
//! fragment from prose; it is not a full SQL grammar. Entries are sorted by
//! their uppercase bytes (a unit test checks this: no word twice, and the
//! table stays easy to read); lookup goes through a hash index built from it.

use super::token::{Call, Class, Tag};

/// What the table says about one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// The class the word takes when it is not a function call.
    pub class: Class,
    /// Merge behaviour with neighbouring words (`UNION ALL`, `ORDER BY`, …).
    pub tag: Tag,
    /// Whether the word names a function when followed by `(`.
    pub call: Call,
}

const fn e(class: Class, tag: Tag, call: Call) -> Entry {
    Entry { class, tag, call }
}

/// Longest word in the table; longer words are never keywords.
const MAX_WORD: usize = 24;

/// Looks up a word (any case). Dotted names (`dbms_pipe.receive_message`,
/// `information_schema.tables`) are looked up whole, then by their last and
/// first segment, so a qualified function call keeps its function class.
pub fn lookup(word: &[u8]) -> Option<Entry> {
    if let Some(entry) = lookup_exact(word) {
        return Some(entry);
    }
    // Words are short: a plain loop beats the call to `memchr` that
    // `contains` makes (49 instructions a word in callgrind).
    if word.iter().all(|&b| b != b'.') {
        return None;
    }
    let last = word.rsplit(|&b| b == b'.').next().unwrap_or(&[]);
    let first = word.split(|&b| b == b'.').next().unwrap_or(&[]);
    // A qualified name is an identifier unless a segment is a function.
    [last, first]
        .into_iter()
        .filter_map(lookup_exact)
        .find(|entry| entry.call != Call::Unknown)
        .map(|entry| Entry {
            class: Class::Word,
            tag: Tag::Plain,
            call: entry.call,
        })
}

/// The names of risky functions and system procedures that hold no `_`:
/// in an input without `_`, the only words that can make a `risky-call`.
pub fn risky_names_without_underscore() -> impl Iterator<Item = &'static [u8]> {
    TABLE
        .iter()
        .filter(|(name, entry)| {
            matches!(entry.call, Call::Risky | Call::Procedure) && !name.contains(&b'_')
        })
        .map(|&(name, _)| name)
}

fn lookup_exact(word: &[u8]) -> Option<Entry> {
    if word.is_empty() || word.len() > MAX_WORD {
        return None;
    }
    let slots = index();
    let mut slot = slot_of(word);
    // Linear probing; most words (prose) land on an empty slot at once.
    loop {
        let i = *slots.get(slot)?;
        if i == EMPTY_SLOT {
            return None;
        }
        let (name, entry) = TABLE.get(usize::from(i))?;
        if name.eq_ignore_ascii_case(word) {
            return Some(*entry);
        }
        slot = (slot + 1) & (SLOTS - 1);
    }
}

/// Slots of the hash index over [`TABLE`] (a power of two, at least four
/// times the table's length: probes stay short).
const SLOTS: usize = 2048;
const EMPTY_SLOT: u16 = u16::MAX;

/// The slot a word hashes to, in any case (the hash reads its bytes
/// uppercased).
fn slot_of(word: &[u8]) -> usize {
    let hash = word.iter().fold(word.len() as u32, |h, &b| {
        (h ^ u32::from(b.to_ascii_uppercase())).wrapping_mul(0x0100_0193)
    });
    (hash >> 16) as usize & (SLOTS - 1)
}

/// For each slot, the position in [`TABLE`] of the word there, or
/// [`EMPTY_SLOT`]; `None` (the lookup finds nothing) only if a probe
/// runs off the end, which the sizing rules out. Built on first use.
fn index() -> &'static [u16] {
    static INDEX: std::sync::OnceLock<Vec<u16>> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut slots = vec![EMPTY_SLOT; SLOTS];
        for (i, (name, _)) in TABLE.iter().enumerate() {
            let mut slot = slot_of(name);
            while slots.get(slot).is_some_and(|&s| s != EMPTY_SLOT) {
                slot = (slot + 1) & (SLOTS - 1);
            }
            if let Some(s) = slots.get_mut(slot) {
                *s = i as u16;
            }
        }
        slots
    })
}

/// The table, sorted by name. Classes: `Verb` starts a statement, `Union`
/// joins two queries, `Logic`/`Cmp`/`Op` are word operators, `Clause` is a
/// keyword that continues a query after a value, `Keyword` any other one, `Num` is a literal constant, `Word` with a `Call` is a
/// function name (only a function when followed by `(`).
static TABLE: &[(&[u8], Entry)] = &[
    (b"ABS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ACOS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"AES_DECRYPT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"AES_ENCRYPT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ALL", e(Class::Keyword, Tag::SetQuantifier, Call::Unknown)),
    (b"ALTER", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"AND", e(Class::Logic, Tag::Plain, Call::Unknown)),
    (b"ANY", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ARRAY_AGG", e(Class::Word, Tag::Plain, Call::Known)),
    (b"AS", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"ASC", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"ASCII", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ASIN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ATAN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ATAN2", e(Class::Word, Tag::Plain, Call::Known)),
    (b"AVG", e(Class::Word, Tag::Plain, Call::Known)),
    (b"BACKUP", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"BEGIN", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"BENCHMARK", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"BETWEEN", e(Class::Cmp, Tag::Predicate, Call::Unknown)),
    (b"BIN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"BITAND", e(Class::Word, Tag::Plain, Call::Known)),
    (b"BIT_AND", e(Class::Word, Tag::Plain, Call::Known)),
    (b"BIT_COUNT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"BIT_LENGTH", e(Class::Word, Tag::Plain, Call::Known)),
    (b"BIT_OR", e(Class::Word, Tag::Plain, Call::Known)),
    (b"BY", e(Class::Word, Tag::By, Call::Unknown)),
    (b"CASE", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"CAST", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CEIL", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CEILING", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CHAR", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CHARACTER_LENGTH", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CHARINDEX", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CHAR_LENGTH", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CHR", e(Class::Word, Tag::Plain, Call::Known)),
    (b"COALESCE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"COERCIBILITY", e(Class::Word, Tag::Plain, Call::Known)),
    (b"COLLATE", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"COLLATION", e(Class::Word, Tag::Plain, Call::Known)),
    (b"COMPRESS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CONCAT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CONCAT_WS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CONNECTION_ID", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CONV", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CONVERT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"COPY", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"COS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"COT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"COUNT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CRC32", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CREATE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"CROSS", e(Class::Word, Tag::JoinKind, Call::Unknown)),
    (b"CTXSYS", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"CURDATE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CURRENT_DATABASE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CURRENT_DATE", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"CURRENT_SETTING", e(Class::Word, Tag::Plain, Call::Known)),
    (b"CURRENT_TIME", e(Class::Num, Tag::Plain, Call::Unknown)),
    (
        b"CURRENT_TIMESTAMP",
        e(Class::Num, Tag::Plain, Call::Unknown),
    ),
    (b"CURRENT_USER", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"CURTIME", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DATABASE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DATALENGTH", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DATE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DATE_FORMAT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DAY", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DBCC", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"DBMS_LOCK", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"DBMS_PIPE", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"DBMS_XMLGEN", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"DB_NAME", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DEALLOCATE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"DECLARE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"DECODE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DEGREES", e(Class::Word, Tag::Plain, Call::Known)),
    (b"DELAY", e(Class::Word, Tag::WaitArg, Call::Unknown)),
    (b"DELETE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"DESC", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"DESCRIBE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (
        b"DISTINCT",
        e(Class::Keyword, Tag::SetQuantifier, Call::Unknown),
    ),
    (
        b"DISTINCTROW",
        e(Class::Keyword, Tag::SetQuantifier, Call::Unknown),
    ),
    (b"DIV", e(Class::Op, Tag::Plain, Call::Unknown)),
    (b"DROP", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"DUMPFILE", e(Class::Keyword, Tag::Outfile, Call::Unknown)),
    (b"ELSE", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"ELT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ENCODE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"END", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"EXCEPT", e(Class::Union, Tag::Plain, Call::Unknown)),
    (b"EXEC", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"EXECUTE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"EXISTS", e(Class::Keyword, Tag::Plain, Call::Known)),
    (b"EXP", e(Class::Word, Tag::Plain, Call::Known)),
    (b"EXPORT_SET", e(Class::Word, Tag::Plain, Call::Known)),
    (b"EXTRACT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"EXTRACTVALUE", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"FALSE", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"FIELD", e(Class::Word, Tag::Plain, Call::Known)),
    (b"FIND_IN_SET", e(Class::Word, Tag::Plain, Call::Known)),
    (b"FLOOR", e(Class::Word, Tag::Plain, Call::Known)),
    (b"FORMAT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"FOUND_ROWS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"FROM", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"FROM_BASE64", e(Class::Word, Tag::Plain, Call::Known)),
    (b"FULL", e(Class::Word, Tag::JoinKind, Call::Unknown)),
    (b"GLOB", e(Class::Cmp, Tag::Predicate, Call::Unknown)),
    (b"GRANT", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"GREATEST", e(Class::Word, Tag::Plain, Call::Known)),
    (b"GROUP", e(Class::Word, Tag::Sort, Call::Unknown)),
    (b"GROUP_CONCAT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"GTID_SUBSET", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"GTID_SUBTRACT", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"HAVING", e(Class::Clause, Tag::Plain, Call::Unknown)),
    (b"HEX", e(Class::Word, Tag::Plain, Call::Known)),
    (b"HEXTORAW", e(Class::Word, Tag::Plain, Call::Known)),
    (b"HOST_NAME", e(Class::Word, Tag::Plain, Call::Known)),
    (b"IF", e(Class::Keyword, Tag::Plain, Call::Known)),
    (b"IFNULL", e(Class::Word, Tag::Plain, Call::Known)),
    (b"IIF", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ILIKE", e(Class::Cmp, Tag::Predicate, Call::Unknown)),
    (b"IN", e(Class::Cmp, Tag::Predicate, Call::Unknown)),
    (b"INET_ATON", e(Class::Word, Tag::Plain, Call::Known)),
    (b"INNER", e(Class::Word, Tag::JoinKind, Call::Unknown)),
    (b"INSERT", e(Class::Verb, Tag::Plain, Call::Known)),
    (b"INSTR", e(Class::Word, Tag::Plain, Call::Known)),
    (b"INTERSECT", e(Class::Union, Tag::Plain, Call::Unknown)),
    (b"INTO", e(Class::Clause, Tag::Into, Call::Unknown)),
    (b"IS", e(Class::Cmp, Tag::Predicate, Call::Unknown)),
    (b"ISNULL", e(Class::Word, Tag::Plain, Call::Known)),
    (b"JOIN", e(Class::Keyword, Tag::Join, Call::Unknown)),
    (b"JSON_EXTRACT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"JSON_KEYS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LAST_INSERT_ID", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LCASE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LEAST", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LEFT", e(Class::Word, Tag::JoinKind, Call::Known)),
    (b"LEN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LENGTH", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LIKE", e(Class::Cmp, Tag::Predicate, Call::Known)),
    (b"LIMIT", e(Class::Clause, Tag::Plain, Call::Unknown)),
    (b"LN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LOAD", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"LOAD_FILE", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"LOCALTIME", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"LOCALTIMESTAMP", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"LOCATE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LOG", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LOG10", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LOG2", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LOWER", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LO_IMPORT", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"LPAD", e(Class::Word, Tag::Plain, Call::Known)),
    (b"LTRIM", e(Class::Word, Tag::Plain, Call::Known)),
    (b"MAKE_SET", e(Class::Word, Tag::Plain, Call::Known)),
    (b"MAX", e(Class::Word, Tag::Plain, Call::Known)),
    (b"MD5", e(Class::Word, Tag::Plain, Call::Known)),
    (b"MERGE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"MID", e(Class::Word, Tag::Plain, Call::Known)),
    (b"MIN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"MINUS", e(Class::Union, Tag::Plain, Call::Unknown)),
    (b"MOD", e(Class::Op, Tag::Plain, Call::Known)),
    (b"NAME_CONST", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"NATURAL", e(Class::Word, Tag::JoinKind, Call::Unknown)),
    (b"NCHAR", e(Class::Word, Tag::Plain, Call::Known)),
    (b"NOT", e(Class::Logic, Tag::Not, Call::Unknown)),
    (b"NOW", e(Class::Word, Tag::Plain, Call::Known)),
    (b"NULL", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"NULLIF", e(Class::Word, Tag::Plain, Call::Known)),
    (b"NVL", e(Class::Word, Tag::Plain, Call::Known)),
    (b"OCT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"OCTET_LENGTH", e(Class::Word, Tag::Plain, Call::Known)),
    (b"OFFSET", e(Class::Clause, Tag::Plain, Call::Unknown)),
    (b"ON", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"OPENDATASOURCE", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"OPENQUERY", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"OPENROWSET", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"OR", e(Class::Logic, Tag::Plain, Call::Unknown)),
    (b"ORD", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ORDER", e(Class::Word, Tag::Sort, Call::Unknown)),
    (b"OUTER", e(Class::Word, Tag::JoinKind, Call::Unknown)),
    (b"OUTFILE", e(Class::Keyword, Tag::Outfile, Call::Unknown)),
    (b"PG_LS_DIR", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"PG_READ_FILE", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"PG_SLEEP", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"PI", e(Class::Word, Tag::Plain, Call::Known)),
    (b"POSITION", e(Class::Word, Tag::Plain, Call::Known)),
    (b"POW", e(Class::Word, Tag::Plain, Call::Known)),
    (b"POWER", e(Class::Word, Tag::Plain, Call::Known)),
    (b"PREPARE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"PROCEDURE", e(Class::Clause, Tag::Plain, Call::Unknown)),
    (b"QUERY_TO_XML", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"QUOTE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"QUOTENAME", e(Class::Word, Tag::Plain, Call::Known)),
    (b"RADIANS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"RAND", e(Class::Word, Tag::Plain, Call::Known)),
    (b"RANDOM", e(Class::Word, Tag::Plain, Call::Known)),
    (b"RANDOMBLOB", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"RAWTOHEX", e(Class::Word, Tag::Plain, Call::Known)),
    (b"REGEXP", e(Class::Cmp, Tag::Predicate, Call::Unknown)),
    (b"RENAME", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"REPEAT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"REPLACE", e(Class::Verb, Tag::Plain, Call::Known)),
    (b"RESTORE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"RETURNING", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"REVERSE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"REVOKE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"RIGHT", e(Class::Word, Tag::JoinKind, Call::Known)),
    (b"RLIKE", e(Class::Cmp, Tag::Predicate, Call::Unknown)),
    (b"ROUND", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ROW", e(Class::Word, Tag::Plain, Call::Known)),
    (b"ROW_COUNT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"RPAD", e(Class::Word, Tag::Plain, Call::Known)),
    (b"RTRIM", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SCHEMA", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SELECT", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"SESSION_USER", e(Class::Num, Tag::Plain, Call::Known)),
    (b"SET", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"SHA", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SHA1", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SHA2", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SHOW", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"SHUTDOWN", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"SIGN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SIN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SLEEP", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"SOME", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SOUNDEX", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SOUNDS", e(Class::Cmp, Tag::Sounds, Call::Unknown)),
    (b"SPACE", e(Class::Word, Tag::Plain, Call::Known)),
    (
        b"SP_ADDEXTENDEDPROC",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (b"SP_ADDLOGIN", e(Class::Word, Tag::Plain, Call::Procedure)),
    (
        b"SP_ADDSRVROLEMEMBER",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (b"SP_ADD_JOB", e(Class::Word, Tag::Plain, Call::Procedure)),
    (b"SP_CONFIGURE", e(Class::Word, Tag::Plain, Call::Procedure)),
    (
        b"SP_EXECUTESQL",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (
        b"SP_MAKEWEBTASK",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (b"SP_OACREATE", e(Class::Word, Tag::Plain, Call::Procedure)),
    (b"SP_OAMETHOD", e(Class::Word, Tag::Plain, Call::Procedure)),
    (b"SP_PASSWORD", e(Class::Word, Tag::Plain, Call::Procedure)),
    (b"SQLITE_VERSION", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SQRT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"STR", e(Class::Word, Tag::Plain, Call::Known)),
    (
        b"STRAIGHT_JOIN",
        e(Class::Keyword, Tag::Plain, Call::Unknown),
    ),
    (b"STRCMP", e(Class::Word, Tag::Plain, Call::Known)),
    (b"STRING_AGG", e(Class::Word, Tag::Plain, Call::Known)),
    (b"STUFF", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SUBSTR", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SUBSTRING", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SUBSTRING_INDEX", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SUM", e(Class::Word, Tag::Plain, Call::Known)),
    (b"SYSDATE", e(Class::Num, Tag::Plain, Call::Known)),
    (b"SYSTEM_USER", e(Class::Num, Tag::Plain, Call::Known)),
    (b"SYS_CONTEXT", e(Class::Word, Tag::Plain, Call::Known)),
    (b"TABLE", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"TAN", e(Class::Word, Tag::Plain, Call::Known)),
    (b"THEN", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"TIME", e(Class::Word, Tag::WaitArg, Call::Known)),
    (b"TOP", e(Class::Keyword, Tag::Top, Call::Unknown)),
    (b"TO_BASE64", e(Class::Word, Tag::Plain, Call::Known)),
    (b"TO_CHAR", e(Class::Word, Tag::Plain, Call::Known)),
    (b"TO_HEX", e(Class::Word, Tag::Plain, Call::Known)),
    (b"TO_NUMBER", e(Class::Word, Tag::Plain, Call::Known)),
    (b"TRIM", e(Class::Word, Tag::Plain, Call::Known)),
    (b"TRUE", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"TRUNCATE", e(Class::Verb, Tag::Plain, Call::Known)),
    (b"TYPEOF", e(Class::Word, Tag::Plain, Call::Known)),
    (b"UCASE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"UNCOMPRESS", e(Class::Word, Tag::Plain, Call::Known)),
    (b"UNHEX", e(Class::Word, Tag::Plain, Call::Known)),
    (b"UNICODE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"UNION", e(Class::Union, Tag::Union, Call::Unknown)),
    (b"UPDATE", e(Class::Verb, Tag::Plain, Call::Unknown)),
    (b"UPDATEXML", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"UPPER", e(Class::Word, Tag::Plain, Call::Known)),
    (b"USER", e(Class::Word, Tag::Plain, Call::Known)),
    (b"USING", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"UTC_DATE", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"UTC_TIME", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"UTC_TIMESTAMP", e(Class::Num, Tag::Plain, Call::Unknown)),
    (b"UTL_HTTP", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"UTL_INADDR", e(Class::Word, Tag::Plain, Call::Risky)),
    (b"UUID", e(Class::Word, Tag::Plain, Call::Known)),
    (b"VALUES", e(Class::Keyword, Tag::Plain, Call::Known)),
    (b"VERSION", e(Class::Word, Tag::Plain, Call::Known)),
    (b"WAITFOR", e(Class::Verb, Tag::Waitfor, Call::Unknown)),
    (b"WHEN", e(Class::Keyword, Tag::Plain, Call::Unknown)),
    (b"WHERE", e(Class::Clause, Tag::Plain, Call::Unknown)),
    (b"XMLAGG", e(Class::Word, Tag::Plain, Call::Known)),
    (b"XMLTYPE", e(Class::Word, Tag::Plain, Call::Known)),
    (b"XOR", e(Class::Logic, Tag::Plain, Call::Unknown)),
    (
        b"XP_AVAILABLEMEDIA",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (b"XP_CMDSHELL", e(Class::Word, Tag::Plain, Call::Procedure)),
    (b"XP_DIRTREE", e(Class::Word, Tag::Plain, Call::Procedure)),
    (b"XP_FILEEXIST", e(Class::Word, Tag::Plain, Call::Procedure)),
    (
        b"XP_FIXEDDRIVES",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (
        b"XP_LOGINCONFIG",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (
        b"XP_NTSEC_ENUMDOMAINS",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (b"XP_REGREAD", e(Class::Word, Tag::Plain, Call::Procedure)),
    (b"XP_REGWRITE", e(Class::Word, Tag::Plain, Call::Procedure)),
    (
        b"XP_SERVICECONTROL",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (
        b"XP_TERMINATE_PROCESS",
        e(Class::Word, Tag::Plain, Call::Procedure),
    ),
    (b"ZEROBLOB", e(Class::Word, Tag::Plain, Call::Known)),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// `sqli::bare_cannot_break_out` counts on it: an input without `_`
    /// names no system procedure.
    #[test]
    fn every_procedure_name_holds_an_underscore() {
        let procedures: Vec<&[u8]> = TABLE
            .iter()
            .filter(|(_, entry)| entry.call == Call::Procedure)
            .map(|&(name, _)| name)
            .collect();
        assert!(procedures.len() > 10, "{} procedures", procedures.len());
        for name in procedures {
            assert!(name.contains(&b'_'), "{}", String::from_utf8_lossy(name));
        }
    }

    #[test]
    fn table_is_sorted_unique_uppercase_and_bounded() {
        for pair in TABLE.windows(2) {
            if let [(a, _), (b, _)] = pair {
                assert!(
                    a < b,
                    "{} !< {}",
                    String::from_utf8_lossy(a),
                    String::from_utf8_lossy(b)
                );
            }
        }
        for (name, _) in TABLE {
            assert!(name.len() <= MAX_WORD);
            assert!(!name.iter().any(u8::is_ascii_lowercase));
        }
    }

    #[test]
    fn every_word_is_found_through_the_index() {
        for (name, entry) in TABLE {
            assert_eq!(
                lookup_exact(name),
                Some(*entry),
                "{}",
                String::from_utf8_lossy(name)
            );
            let lower = name.to_ascii_lowercase();
            assert_eq!(lookup_exact(&lower), Some(*entry));
            // One byte more or less is another word.
            let mut longer = name.to_vec();
            longer.push(b'Q');
            if !TABLE.iter().any(|(n, _)| *n == longer.as_slice()) {
                assert_eq!(lookup_exact(&longer), None);
            }
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        let sel = lookup(b"sElEcT").map(|e| e.class);
        assert_eq!(sel, Some(Class::Verb));
        assert_eq!(lookup(b"union").map(|e| e.tag), Some(Tag::Union));
        assert_eq!(lookup(b"Sleep").map(|e| e.call), Some(Call::Risky));
        assert_eq!(lookup(b"selected"), None);
        assert_eq!(lookup(b""), None);
        assert_eq!(lookup(&[b'a'; 100]), None);
    }

    #[test]
    fn dotted_names_keep_function_calls() {
        let pipe = lookup(b"DBMS_PIPE.RECEIVE_MESSAGE");
        assert_eq!(
            pipe.map(|e| (e.class, e.call)),
            Some((Class::Word, Call::Risky))
        );
        assert_eq!(lookup(b"information_schema.tables"), None);
        assert_eq!(lookup(b"x.version").map(|e| e.call), Some(Call::Known));
        // A dotted name is never a keyword: `a.from` is an identifier.
        assert_eq!(lookup(b"a.from"), None);
    }
}
