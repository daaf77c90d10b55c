//! `sqli` detector: SQL injection recognised by the shape of the input's
//! token sequence, not by patterns over its text.
//!
//! Contract: [`detect`] runs in time linear in the input (at most three
//! lexing passes, each stopping after a short folded prefix), uses a fixed
//! amount of memory, never panics, accepts any bytes (UTF-8 or not) and is
//! case-insensitive. It lexes the input in three starting contexts — bare
//! (where a number or identifier would go), and as if inside a single- or a
//! double-quoted string the application opened — folds each token stream
//! into a fingerprint of at most [`fold::MAX_TOKENS`] token classes, and
//! reports the first context whose fingerprint the rule table in [`rules`]
//! calls SQL.
//!
//! Layout: [`token`] (vocabulary) ← [`keywords`] (word table) ← [`lexer`]
//! (bytes → tokens) ← [`fold`] (tokens → fingerprint) ← [`grammar`]
//! (structural questions) ← [`rules`] (the decision).

mod fold;
mod grammar;
mod keywords;
mod lexer;
mod rules;
mod token;

use super::Detection;
use lexer::{Lexer, Start};

/// The starting contexts, in the order they are tried.
const CONTEXTS: [Start; 3] = [Start::Bare, Start::Quoted(b'\''), Start::Quoted(b'"')];

/// Runs the sqli detector. The detection's `fingerprint` is the context
/// (`'` or `"` for a quoted one, nothing for bare), the token classes and
/// the rule, e.g. `'s&n=nc logic`; its range covers the fingerprinted tokens.
pub fn detect(input: &[u8]) -> Option<Detection> {
    if !might_be_sql(input) {
        return None;
    }
    detect_prechecked(input)
}

/// [`detect`] for an input [`might_be_sql`] has already passed.
pub fn detect_prechecked(input: &[u8]) -> Option<Detection> {
    CONTEXTS
        .into_iter()
        .find_map(|start| detect_in(input, start))
}

/// Like [`detect`], but only injections that break out of the value they were
/// put in: any detection in a quoted context, and in the bare context only
/// those that start with a value (a number, a variable, a closing
/// parenthesis) or with an opening parenthesis (an expression or subquery in
/// place of an operand: `(select id from users limit 1,1)`, `( 1 OR @a ) --`),
/// or call a risky function or use a versioned comment. A query or a filter
/// expression typed on its own (`SELECT name FROM users WHERE id = ?`,
/// `price < 100 && stock > 0`), or a lone always-true comparison (`1=1`),
/// is not reported: it reads as SQL, but nothing in it escapes a value. This
/// is the paranoia-1 detector; [`detect`] is the stricter one.
pub fn detect_breakout(input: &[u8]) -> Option<Detection> {
    let bare_shut = breakout_screen(input, || might_be_sql(input))?;
    breakout_in_contexts(input, bare_shut)
}

/// Whether [`detect_breakout`] could report on `input`, by its two cheap
/// exclusions: `might_be_sql` (the caller's, which may be cached) and
/// [`breakout_possible`].
pub fn breakout_might_report(input: &[u8], might_be_sql: impl FnOnce() -> bool) -> bool {
    breakout_screen(input, might_be_sql).is_some()
}

/// [`detect_breakout`]'s two exclusions, the cheaper first for the input's
/// length: `None` when either rules a detection out, else whether the
/// bare context is shut (see [`bare_cannot_break_out`]).
fn breakout_screen(input: &[u8], might_be_sql: impl FnOnce() -> bool) -> Option<bool> {
    // Past this many bytes the exclusion (a byte search and one token, a
    // few hundred instructions) costs less than `might_be_sql` (about
    // twelve a byte), and goes first.
    const LONG_INPUT: usize = 40;
    // `None` when nothing is left: no bare context, no quote to break out of.
    let contexts = || {
        let bare_shut = bare_cannot_break_out(input);
        (!bare_shut || has_quote(input)).then_some(bare_shut)
    };
    if input.len() > LONG_INPUT {
        let bare_shut = contexts()?;
        might_be_sql().then_some(bare_shut)
    } else if might_be_sql() {
        contexts()
    } else {
        None
    }
}

/// A cheap pre-check for [`detect_breakout`], beside [`might_be_sql`]:
/// `false` only for inputs it reports nothing on, because the bare context
/// cannot count (see `bare_cannot_break_out`) and, without a quote, the
/// quoted contexts read the whole input as one string (prose, mostly).
pub fn breakout_possible(input: &[u8]) -> bool {
    has_quote(input) || !bare_cannot_break_out(input)
}

/// Whether a quoted context has a quote to break out of.
fn has_quote(input: &[u8]) -> bool {
    memchr::memchr2(b'\'', b'"', input).is_some()
}

/// [`detect_breakout`] for an input [`might_be_sql`] has already passed.
pub fn detect_breakout_prechecked(input: &[u8]) -> Option<Detection> {
    breakout_in_contexts(input, bare_cannot_break_out(input))
}

/// The first context's breakout detection; the bare context is passed over
/// when `bare_shut` (see [`bare_cannot_break_out`]).
fn breakout_in_contexts(input: &[u8], bare_shut: bool) -> Option<Detection> {
    CONTEXTS.into_iter().find_map(|start| {
        if bare_shut && matches!(start, Start::Bare) {
            return None;
        }
        detect_in(input, start)
            .filter(|d| !matches!(start, Start::Bare) || bare_breakout(&d.fingerprint))
    })
}

/// Whether the bare context can be known, from byte searches and the
/// input's first token, to give no detection [`bare_breakout`] keeps: its
/// fingerprint would not
/// open with a value or a parenthesis, and neither of the two rules that
/// count wherever they stand can hold.
///
/// - `risky-call` needs a system procedure's name, and every such name
///   holds `_` (`keywords::tests::every_procedure_name_holds_an_underscore`),
///   or a risky function: a word the table calls risky, made a function by
///   the `(` after it. Without `_` in the input that word is one of the few
///   risky names without `_` (`sleep`, `benchmark`, …), and a word's text
///   is input bytes, so with no `(`, or none of those names in the input,
///   there is none;
/// - `versioned` needs a `/*!` comment;
/// - the fingerprint's first token is the first the lexer gives that is
///   neither a comment nor a sign (the fold drops those when nothing is
///   kept yet), and the fold turns no other class into a value or a
///   parenthesis (only a number glued to a word changes, into a word).
///
/// Costs byte searches and one token, against lexing up to ten: most
/// prose starts with a word and has no `/` or `_`, and where it has a
/// parenthesis (an aside, a list) no risky function's name.
fn bare_cannot_break_out(input: &[u8]) -> bool {
    if memchr::memchr3(b'(', b'/', b'_', input).is_some()
        && (memchr::memchr2(b'/', b'_', input).is_some() || may_name_risky_call(input))
    {
        return false;
    }
    let first = Lexer::new(input, Start::Bare)
        .find(|token| token.class != token::Class::Comment && !fold::is_sign(token));
    !first.is_some_and(|token| {
        matches!(
            token.class,
            token::Class::Num | token::Class::Var | token::Class::LParen | token::Class::RParen
        )
    })
}

/// Whether `input` may hold, in any case, a risky function's name that has
/// no `_` (see [`keywords::risky_names_without_underscore`]). A substring
/// search, so `asleep` answers yes too and no word the lexer can make from
/// the input is missed; an input longer than [`LOWERED_BYTES`] answers yes
/// unsearched, since the search would cost more than the bare context's
/// lexing it could save (which stops after a few tokens).
fn may_name_risky_call(input: &[u8]) -> bool {
    static NAMES: std::sync::LazyLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::LazyLock::new(|| {
            aho_corasick::AhoCorasick::builder()
                // Leftmost-first: the kind the vector (Teddy) prefilter serves.
                .match_kind(aho_corasick::MatchKind::LeftmostFirst)
                .build(keywords::risky_names_without_underscore().map(<[u8]>::to_ascii_lowercase))
                .ok()
        });
    let mut lowered = [0u8; LOWERED_BYTES];
    match (NAMES.as_ref(), lowered.get_mut(..input.len())) {
        (Some(names), Some(lowered)) => {
            lowered.copy_from_slice(input);
            lowered.make_ascii_lowercase();
            names.is_match(&*lowered)
        }
        // Too long, or no searcher (it cannot fail to build): nothing is
        // ruled out.
        _ => true,
    }
}

/// Inputs up to this long are lowercased on the stack and searched for the
/// risky names in lowercase, which the searcher does with a vector
/// prefilter (about 1,700 instructions for 200 bytes of prose, against
/// 6,200 for lexing the bare context).
const LOWERED_BYTES: usize = 512;

fn bare_breakout(fingerprint: &str) -> bool {
    let letters = fingerprint.split(' ').next().unwrap_or_default();
    let rule = fingerprint.rsplit(' ').next().unwrap_or_default();
    let value_first = matches!(letters.as_bytes().first(), Some(b'n' | b'v' | b')'));
    // A value that opens a parenthesis stands where an operand would
    // (`id=(select …)`, `id=( 1 OR @a ) --`); prose seldom starts with a
    // parenthesis that the rules then read as SQL.
    let group_first = letters.starts_with('(');
    // A lone `1=1` probes; it does not break out of anything.
    ((value_first || group_first) && rule != "tautology")
        || rule == "risky-call"
        || rule == "versioned"
}

/// A cheap, linear pre-check: `false` only for inputs no starting context can
/// read as SQL injection (no SQL punctuation, no statement keyword, and no
/// punctuation-free condition). It keeps the tokenizer off ordinary values.
pub fn might_be_sql(input: &[u8]) -> bool {
    // Commas, quotes, percent signs and the like are common in prose and
    // carry no injection by themselves: every rule also needs one of these,
    // a statement keyword, or a punctuation-free condition.
    // One pass for every byte-level sign and every word (this runs on
    // every value that is not plainly harmless).
    let mut quote = false;
    let mut operator = false;
    let mut logic = false;
    let mut condition = false;
    let mut previous = 0u8;
    // The class of the word before the current one (`42 LIKE 42`, `1 IS
    // NOT 2`: a comparison word next to a number).
    let mut previous_word: u8 = 0;
    let mut at = 0usize;
    while let Some(&b) = input.get(at) {
        if is_word_byte(b) {
            // A whole word at once (the common case in prose).
            let rest = input.get(at..).unwrap_or_default();
            let len = rest
                .iter()
                .position(|&c| !is_word_byte(c))
                .unwrap_or(rest.len());
            let word = rest.get(..len).unwrap_or_default();
            if word_says_sql(word, &mut previous_word, &mut logic, &mut condition) {
                return true;
            }
            previous = word.last().copied().unwrap_or(b);
            at += len;
            continue;
        }
        match b {
            b'=' | b'<' | b'>' | b'(' | b')' | b';' | b'#' | b'|' => return true,
            // `@var`, `@@version`; not the `@` inside an email address
            // (`ann.lee@example.org`), by far its commonest use in values.
            b'@' => {
                let local_part = previous.is_ascii_alphanumeric()
                    || matches!(previous, b'.' | b'_' | b'-' | b'+');
                let domain = input.get(at + 1).is_some_and(u8::is_ascii_alphanumeric);
                if !(local_part && domain) {
                    return true;
                }
            }
            // `--` and `/*` open comments.
            b'-' if previous == b'-' => return true,
            b'*' if previous == b'/' => return true,
            b'\'' | b'"' | b'`' => quote = true,
            b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'~' | b'!' | b'\\' => operator = true,
            _ => {}
        }
        previous = b;
        at += 1;
    }
    // A quote breaks out of a quoted value; an operator or a logic word
    // after it makes the rest code (`a'+'b`, `'or'1`).
    (quote && operator) || (logic && (condition || quote))
}

/// Bytes that are [`might_be_sql`] signals wherever they occur (see
/// [`mark_sql_signals`]): the bytes that decide alone and the quotes.
pub(crate) const SQL_SIGNAL_BYTES: crate::transform::summary::ByteSet =
    crate::transform::summary::ByteSet::of(b"=<>();#|'\"`");

/// The words that are [`might_be_sql`] signals (lowercase; matched in any
/// case, as whole words: runs of ASCII letters, digits and `_`).
///
/// Together with [`SQL_SIGNAL_BYTES`] and [`at_sign_is_signal`] they are
/// the pre-check's signs: `might_be_sql(value)` implies that the value
/// holds a signal byte, a signal word, a `@` that is a signal, or the
/// pairs `--` or `/*` (the pre-check's verdicts that need no such sign
/// alone all need a quote or a condition word) — even when the value is
/// looked at inside a longer text, between bytes that are none of ASCII
/// letters, digits, `_`, `.`, `+` and `-`.
pub(crate) fn signal_words() -> impl Iterator<Item = &'static [u8]> {
    WORDS
        .iter()
        .filter(|(_, class)| class & (STRONG | CONDITION) != 0)
        .map(|&(word, _)| word)
}

/// Whether the `@` at `at` in `text` is a [`might_be_sql`] signal: not
/// between the local part and the domain of an email address.
pub(crate) fn at_sign_is_signal(text: &[u8], at: usize) -> bool {
    let previous = at
        .checked_sub(1)
        .and_then(|i| text.get(i))
        .copied()
        .unwrap_or(0);
    let local_part =
        previous.is_ascii_alphanumeric() || matches!(previous, b'.' | b'_' | b'-' | b'+');
    let domain = text.get(at + 1).is_some_and(u8::is_ascii_alphanumeric);
    !(local_part && domain)
}

/// Bytes of a word for the pre-check: ASCII letters, digits and `_`.
const WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    table
};

#[inline]
pub(crate) fn is_word_byte(b: u8) -> bool {
    WORD_BYTES.get(usize::from(b)).copied().unwrap_or(false)
}

/// Folds one word into the pre-check's state; true when the word settles it
/// (a statement keyword, or a comparison word next to a number).
#[inline]
fn word_says_sql(word: &[u8], previous: &mut u8, logic: &mut bool, condition: &mut bool) -> bool {
    if word.len() > LONGEST_WORD {
        // Too long to be a keyword; passed over (the words on either side
        // count as next to each other).
        return false;
    }
    let class = word_class(word);
    if class & STRONG != 0 {
        return true;
    }
    *logic |= class & LOGIC != 0;
    *condition |= class & CONDITION != 0;
    let adjacent = (*previous & NUMBER != 0 && class & COMPARISON != 0)
        || (*previous & COMPARISON != 0 && class & (NUMBER | NOT) != 0);
    *previous = class;
    adjacent
}

const STRONG: u8 = 1;
const LOGIC: u8 = 2;
const CONDITION: u8 = 4;
const COMPARISON: u8 = 8;
const NUMBER: u8 = 16;
const NOT: u8 = 32;

/// The words the pre-check knows, with what each contributes (as flags).
const WORDS: [(&[u8], u8); 35] = [
    (b"union", STRONG),
    (b"select", STRONG),
    (b"sleep", STRONG),
    (b"benchmark", STRONG),
    (b"waitfor", STRONG),
    (b"having", STRONG),
    (b"procedure", STRONG),
    (b"exec", STRONG),
    (b"execute", STRONG),
    (b"drop", STRONG),
    (b"insert", STRONG),
    (b"delete", STRONG),
    (b"update", STRONG),
    (b"truncate", STRONG),
    (b"declare", STRONG),
    (b"shutdown", STRONG),
    (b"outfile", STRONG),
    (b"dumpfile", STRONG),
    (b"load_file", STRONG),
    (b"pg_sleep", STRONG),
    (b"and", LOGIC),
    (b"or", LOGIC),
    (b"xor", LOGIC),
    (b"div", LOGIC),
    (b"is", CONDITION | COMPARISON),
    (b"like", CONDITION | COMPARISON),
    (b"regexp", CONDITION | COMPARISON),
    (b"rlike", CONDITION | COMPARISON),
    (b"glob", CONDITION | COMPARISON),
    (b"sounds", CONDITION | COMPARISON),
    (b"not", CONDITION | NOT),
    (b"between", CONDITION),
    (b"true", CONDITION),
    (b"false", CONDITION),
    (b"null", CONDITION),
];

/// Longest word in [`WORDS`].
const LONGEST_WORD: usize = 9;

/// What a word (at most [`LONGEST_WORD`] bytes) can contribute to the
/// pre-check, as flags: a number, or one of [`WORDS`] in any case.
fn word_class(word: &[u8]) -> u8 {
    let Some(&first) = word.first() else {
        return 0;
    };
    if first.is_ascii_digit() {
        return if word.iter().all(u8::is_ascii_digit) {
            NUMBER
        } else {
            0
        };
    }
    let letter = first | 0x20;
    if !letter.is_ascii_lowercase() {
        return 0;
    }
    let mut candidates = BY_START
        .get(word.len())
        .and_then(|row| row.get(usize::from(letter - b'a')))
        .copied()
        .unwrap_or(0);
    while candidates != 0 {
        let i = candidates.trailing_zeros() as usize;
        candidates &= candidates - 1;
        if let Some(&(w, class)) = WORDS.get(i) {
            if w.eq_ignore_ascii_case(word) {
                return class;
            }
        }
    }
    0
}

/// For each word length and first letter, the words of [`WORDS`] with them
/// (bit `i` for `WORDS[i]`): most words of ordinary text find none.
const BY_START: [[u64; 26]; LONGEST_WORD + 1] = {
    let mut table = [[0u64; 26]; LONGEST_WORD + 1];
    let mut i = 0;
    while i < WORDS.len() {
        let word = WORDS[i].0;
        table[word.len()][(word[0] - b'a') as usize] |= 1 << i;
        i += 1;
    }
    table
};

fn detect_in(input: &[u8], start: Start) -> Option<Detection> {
    if let Start::Quoted(q) = start {
        // Without the quote in the input the whole input is one string.
        memchr::memchr(q, input)?;
    }
    let fp = fold::fold(Lexer::new(input, start));
    let window = grammar::Window {
        tokens: fp.tokens(),
        input,
        start,
        truncated: fp.truncated,
    };
    let rule = rules::classify(&window, fp.versioned)?;
    let first = fp.tokens().first()?;
    let last = fp.tokens().last()?;
    Some(Detection {
        fingerprint: format!("{}{} {}", prefix(start), fp.letters(), rule.name()),
        start: first.start,
        end: last.end.max(first.start),
    })
}

fn prefix(start: Start) -> &'static str {
    match start {
        Start::Bare => "",
        Start::Quoted(b'"') => "\"",
        Start::Quoted(_) => "'",
    }
}

/// The folded fingerprint of each starting context (bare, `'`, `"`), for
/// diagnostics and tuning: a corpus runner prints these for misses.
pub fn fingerprints(input: &[u8]) -> [String; 3] {
    CONTEXTS.map(|start| {
        let fp = fold::fold(Lexer::new(input, start));
        format!("{}{}", prefix(start), fp.letters())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pre-check as first written (two passes: bytes, then words); the
    /// one-pass version must agree with it everywhere.
    fn reference_might_be_sql(input: &[u8]) -> bool {
        // Commas, quotes, percent signs and the like are common in prose and
        // carry no injection by themselves: every rule also needs one of these,
        // a statement keyword, or a punctuation-free condition.
        // One pass for every byte-level sign (this runs on every value).
        let mut quote = false;
        let mut operator = false;
        let mut previous = 0u8;
        for (i, &b) in input.iter().enumerate() {
            match b {
                b'=' | b'<' | b'>' | b'(' | b')' | b';' | b'#' | b'|' => return true,
                // `@var`, `@@version`; not the `@` inside an email address
                // (`ann.lee@example.org`), by far its commonest use in values.
                b'@' => {
                    let local_part = previous.is_ascii_alphanumeric()
                        || matches!(previous, b'.' | b'_' | b'-' | b'+');
                    let domain = input.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
                    if !(local_part && domain) {
                        return true;
                    }
                }
                // `--` and `/*` open comments.
                b'-' if previous == b'-' => return true,
                b'*' if previous == b'/' => return true,
                b'\'' | b'"' | b'`' => quote = true,
                b'+' | b'-' | b'*' | b'/' | b'%' | b'^' | b'&' | b'~' | b'!' | b'\\' => {
                    operator = true
                }
                _ => {}
            }
            previous = b;
        }
        // A quote breaks out of a quoted value; an operator or a logic word
        // after it makes the rest code (`a'+'b`, `'or'1`).
        if quote && operator {
            return true;
        }
        let mut logic = false;
        let mut condition = false;
        // `42 LIKE 42`, `1 IS NOT 2`: a comparison word next to a number.
        let mut previous: u8 = 0;
        for word in input
            .split(|b| !(b.is_ascii_alphanumeric() || *b == b'_'))
            .filter(|w| !w.is_empty() && w.len() <= LONGEST_WORD)
        {
            let class = word_class(word);
            if class & STRONG != 0 {
                return true;
            }
            logic |= class & LOGIC != 0;
            condition |= class & CONDITION != 0;
            if logic && (condition || quote) {
                return true;
            }
            if (previous & NUMBER != 0 && class & COMPARISON != 0)
                || (previous & COMPARISON != 0 && class & (NUMBER | NOT) != 0)
            {
                return true;
            }
            previous = class;
        }
        false
    }

    /// The libinjection corpus lines and 50,000 generated mixes of SQL
    /// words, signs and prose.
    fn pre_check_inputs() -> Vec<Vec<u8>> {
        let mut inputs: Vec<Vec<u8>> = Vec::new();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/corpora/libinjection/data");
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries.flatten() {
            let text = std::fs::read(entry.path()).unwrap_or_default();
            inputs.extend(text.split(|&b| b == b'\n').map(<[u8]>::to_vec));
        }
        assert!(inputs.len() > 5_000, "{} corpus lines", inputs.len());
        let words = [
            "1",
            "42",
            "or",
            "and",
            "is",
            "not",
            "like",
            "null",
            "select",
            "x",
            "verylongword1",
            "a_b",
            "@",
            "@@v",
            "a@b",
            "--",
            "/*",
            "'",
            "\"",
            "+",
            "=",
            "(",
            ")",
            ";",
            " ",
            ",",
        ];
        inputs.extend(mixes(&words, 0x5eed, 50_000));
        inputs
    }

    /// `count` strings of six of `words` each, some followed by a space.
    fn mixes(words: &[&str], seed: u64, count: usize) -> Vec<Vec<u8>> {
        let mut state = seed;
        (0..count)
            .map(|_| {
                let mut v = String::new();
                for _ in 0..6 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    v.push_str(words[(state % words.len() as u64) as usize]);
                    if state & 0x100 != 0 {
                        v.push(' ');
                    }
                }
                v.into_bytes()
            })
            .collect()
    }

    /// What [`detect_breakout`] answered before the bare context could be
    /// passed over unlexed.
    fn breakout_lexing_every_context(input: &[u8]) -> Option<Detection> {
        if !might_be_sql(input) {
            return None;
        }
        CONTEXTS.into_iter().find_map(|start| {
            detect_in(input, start)
                .filter(|d| !matches!(start, Start::Bare) || bare_breakout(&d.fingerprint))
        })
    }

    #[test]
    fn passing_over_the_bare_context_changes_no_breakout_detection() {
        let mut inputs = pre_check_inputs();
        // Prose-led mixes: words first, with what can still make the bare
        // context count (calls, procedures, versioned comments, literal
        // values such as `null`, variables, signs before numbers).
        let words = [
            "the",
            "order",
            "and",
            "or",
            "not",
            "is",
            "null",
            "true",
            "sleep",
            "sleep(5)",
            "BeNcHmArK",
            "openrowset(",
            "asleep",
            "x.",
            "#",
            "\n",
            "(1)",
            "xp_cmdshell",
            "sp_password",
            "/*!",
            "*/",
            "/*",
            "--",
            "@v",
            "-",
            "+",
            "7",
            "(",
            ")",
            "union",
            "select",
            "'",
            "\"",
            "=",
            ",",
            ".",
            " ",
        ];
        inputs.extend(mixes(&words, 0xb4e, 50_000));
        let mut shut = 0;
        let mut shut_with_paren = 0;
        for input in &inputs {
            let bare_shut = bare_cannot_break_out(input);
            shut += usize::from(bare_shut);
            shut_with_paren += usize::from(bare_shut && input.contains(&b'('));
            let before = breakout_lexing_every_context(input);
            assert!(
                breakout_possible(input) || before.is_none(),
                "not possible: {:?}",
                String::from_utf8_lossy(input)
            );
            assert_eq!(
                detect_breakout(input),
                before,
                "{:?}",
                String::from_utf8_lossy(input)
            );
            if might_be_sql(input) {
                assert_eq!(
                    detect_breakout_prechecked(input),
                    breakout_lexing_every_context(input),
                    "prechecked: {:?}",
                    String::from_utf8_lossy(input)
                );
            }
        }
        // The shortcut is taken, and not for everything; also where a
        // parenthesis stands with no risky name.
        assert!(
            shut > inputs.len() / 10 && shut < inputs.len(),
            "{shut} of {}",
            inputs.len()
        );
        assert!(shut_with_paren > inputs.len() / 100, "{shut_with_paren}");
    }

    #[test]
    fn risky_names_are_found_in_any_case_short_or_long() {
        let names: Vec<Vec<u8>> = keywords::risky_names_without_underscore()
            .map(<[u8]>::to_vec)
            .collect();
        assert!(names.iter().any(|n| n == b"SLEEP"), "{names:?}");
        let prose = |len: usize| "the museum opens at nine (see the map) ".repeat(len / 39 + 1);
        for len in [0, 40, 440, 600, 5000] {
            let plain = prose(len);
            // Searched on the stack up to its size; longer is a yes unsearched.
            assert_eq!(
                may_name_risky_call(plain.as_bytes()),
                plain.len() > LOWERED_BYTES,
                "{len}"
            );
            for name in &names {
                // Every other letter uppercased, at the end of the prose.
                let mixed: String = name
                    .iter()
                    .enumerate()
                    .map(|(i, &b)| {
                        char::from(if i % 2 == 0 {
                            b.to_ascii_lowercase()
                        } else {
                            b
                        })
                    })
                    .collect();
                let input = format!("{plain}{mixed}(1)");
                assert!(may_name_risky_call(input.as_bytes()), "{len} {mixed}");
            }
        }
    }

    #[test]
    fn one_pass_pre_check_agrees_with_the_two_pass_one() {
        let inputs = pre_check_inputs();
        for input in &inputs {
            assert_eq!(
                might_be_sql(input),
                reference_might_be_sql(input),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    /// Every position of `text` a chunk search marks for SQL (see
    /// [`signal_words`]).
    fn signs_in(text: &[u8]) -> Vec<usize> {
        let words: Vec<&[u8]> = signal_words().collect();
        let mut marks = Vec::new();
        let mut at = 0;
        while let Some(&b) = text.get(at) {
            if is_word_byte(b) {
                let len = text[at..].iter().take_while(|&&c| is_word_byte(c)).count();
                if words
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(&text[at..at + len]))
                {
                    marks.push(at);
                }
                at += len;
                continue;
            }
            let pair = |p: &[u8]| text.get(at.wrapping_sub(1)..=at) == Some(p);
            if SQL_SIGNAL_BYTES.contains(b)
                || (b == b'@' && at_sign_is_signal(text, at))
                || pair(b"--")
                || pair(b"/*")
            {
                marks.push(at);
            }
            at += 1;
        }
        marks
    }

    #[test]
    fn signals_mark_every_value_the_pre_check_opens() {
        let inputs = pre_check_inputs();
        let mut opened = 0;
        // Each input as a value between quotes, with other inputs around it
        // (as in a raw JSON chunk).
        for (i, input) in inputs.iter().enumerate() {
            let before = inputs.get(i.wrapping_sub(1)).cloned().unwrap_or_default();
            let after = inputs.get(i + 1).cloned().unwrap_or_default();
            let mut text = before.clone();
            text.extend_from_slice(b"\":\"");
            let start = text.len();
            text.extend_from_slice(input);
            let end = text.len();
            text.extend_from_slice(b"\",");
            text.extend_from_slice(&after);
            let marked = signs_in(&text)
                .into_iter()
                .any(|at| (start..end).contains(&at));
            if might_be_sql(input) {
                opened += 1;
                assert!(marked, "{:?}", String::from_utf8_lossy(input));
            }
        }
        assert!(opened > 5_000, "{opened}");
    }

    #[test]
    fn pre_check_words_are_known_in_any_case_and_nothing_else_is() {
        for (word, class) in WORDS {
            assert_eq!(word_class(word), class, "{}", String::from_utf8_lossy(word));
            let upper = word.to_ascii_uppercase();
            assert_eq!(word_class(&upper), class);
        }
        for other in [
            "unions", "sel", "an", "order", "nullable", "42x", "_or", "Über",
        ] {
            assert_eq!(word_class(other.as_bytes()), 0, "{other}");
        }
        assert_eq!(word_class(b"2024"), NUMBER);
    }

    fn fired(input: &str) -> Option<String> {
        detect(input.as_bytes()).map(|d| d.fingerprint)
    }

    #[test]
    fn contexts_and_fingerprints() {
        assert_eq!(fired("1 OR 1=1").as_deref(), Some("n&n=n logic"));
        assert_eq!(fired("1' AND 1=1-- -").as_deref(), Some("'s&n=nc logic"));
        assert_eq!(fired("x\" or \"1\"=\"1").as_deref(), Some("\"s&s=s logic"));
        assert_eq!(fired("admin'--").as_deref(), Some("'sc comment"));
        assert_eq!(
            fired("1 union select 1,2").as_deref(),
            Some("nUQn,n union-select")
        );
    }

    #[test]
    fn breakout_keeps_parenthesised_operands_and_drops_typed_queries() {
        let breakout = |text: &str| detect_breakout(text.as_bytes()).map(|d| d.fingerprint);
        for attack in [
            "( 1 OR @a ) --",
            "(select id from users limit 1,1)",
            "( (SELECT ( 1)) ) --",
            "(1)or(1)=(1)",
        ] {
            assert!(breakout(attack).is_some(), "{attack}");
        }
        for text in [
            "select id from users where id = 1",
            "(optional) --",
            "(Select all that apply)",
            "(1=1)",
            "price < 100 && stock > 0",
        ] {
            assert_eq!(breakout(text), None, "{text}");
        }
    }

    #[test]
    fn range_covers_the_tokens() {
        let d = detect(b"  1 OR 1=1  ");
        assert_eq!(d.map(|d| (d.start, d.end)), Some((2, 10)));
        // A quoted context starts at the implicit string, byte 0.
        let d = detect(b"x' or 1=1");
        assert_eq!(d.map(|d| (d.start, d.end)), Some((0, 9)));
    }

    #[test]
    fn prose_is_not_sql() {
        for text in [
            "D'Arcy O'Neil",
            "it's 5 o'clock",
            "a+or@b.com",
            "Please select your size",
            "salt and pepper",
            "1 or 2 drinks",
            "union select committee met",
            "Sleep (8 hours) is important",
            "",
        ] {
            assert_eq!(fired(text), None, "{text}");
        }
    }

    #[test]
    fn fingerprints_for_every_context() {
        assert_eq!(fingerprints(b"a' or 1=1"), ["ws", "'s&n=n", "\"s"]);
        // `x'..'` is a hex string literal, so bare `x'` opens a string.
        assert_eq!(fingerprints(b"x' or 1=1"), ["s", "'s&n=n", "\"s"]);
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let mut random = crate::test_bytes::Xorshift(0x2545_f491_4f6c_dd1d);
        let alphabet: &[u8] =
            b"'\"`[]()@$#-*/!;,.=<>|&+~ \n0123456789abcxyzSELECTunion\xa0\xff\x00";
        for len in 0..200 {
            let input = random.bytes_over(alphabet, len);
            if let Some(d) = detect(&input) {
                assert!(d.start <= d.end && d.end <= input.len());
            }
        }
    }
}
