//! Shell-command normalisation, in the spirit of ModSecurity's `cmdLine` (our
//! own implementation), for command-injection signatures. One pass:
//!
//! - `\`, `"`, `'` and `^` are deleted (`c\a"t"` is `cat`).
//! - Expansions of `IFS` become a space: `$IFS` (not followed by a letter, digit
//!   or `_`), `${IFS}`, and `${IFS` + `%`, `#`, `:` or `/` + up to 16 bytes + `}`
//!   (`${IFS%??}`, `${IFS:0:1}`). Names are case-sensitive, as in the shell.
//! - Expansions that are empty in an injected `sh -c` are deleted: `$@`, `$*`,
//!   the positional parameters `$1`..`$9` (so `$IFS$9` is one space and `$10` is
//!   `0`), their braced forms `${@}`, `${*}`, `${1}`..`${9}`, and the empty
//!   command substitutions `$()` and two backquotes. Other variables (`$u`,
//!   `$HOME`) are kept: whether they are empty is unknown.
//! - Space, `\t`, `\n`, `\r`, VT, FF, `,` and `;` are whitespace; each run of
//!   whitespace becomes one space, except that a run directly before `/` or `(`
//!   is removed (`cat /etc/passwd` is `cat/etc/passwd`). A leading or trailing
//!   run stays one space.
//! - ASCII letters are lowercased (after the `IFS` matching above).
//!
//! Deleted characters do not end a whitespace run (`a " b` is `a b`). The output
//! is never longer than the input.

use super::common::owned_if_changed;
use std::borrow::Cow;

/// How far `${IFS<op>...}` may extend before its `}`.
const MAX_IFS_OPERAND_BYTES: usize = 16;

fn is_name_byte(byte: &u8) -> bool {
    byte.is_ascii_alphanumeric() || *byte == b'_'
}

/// Length of an `IFS` expansion at the start of `rest` (which begins with `$`).
fn ifs_len(rest: &[u8]) -> Option<usize> {
    match rest {
        [b'$', b'I', b'F', b'S', next, ..] if is_name_byte(next) => None,
        [b'$', b'I', b'F', b'S', ..] => Some(4),
        [b'$', b'{', b'I', b'F', b'S', b'}', ..] => Some(6),
        [b'$', b'{', b'I', b'F', b'S', b'%' | b'#' | b':' | b'/', operand @ ..] => operand
            .iter()
            .take(MAX_IFS_OPERAND_BYTES + 1)
            .position(|&b| b == b'}')
            .map(|close| 6 + close + 1),
        _ => None,
    }
}

/// Length of an always-empty expansion at the start of `rest`.
fn empty_expansion_len(rest: &[u8]) -> Option<usize> {
    match rest {
        [b'$', b'{', b'@' | b'*' | b'1'..=b'9', b'}', ..] => Some(4),
        [b'$', b'@' | b'*' | b'1'..=b'9', ..] => Some(2),
        [b'$', b'(', b')', ..] => Some(3),
        [b'`', b'`', ..] => Some(2),
        _ => None,
    }
}

/// Bytes [`cmdline`] only lowercases wherever they are: not the ones it
/// drops or turns into a space, nor `$` and `` ` ``, which may open an
/// expansion it removes.
const ORDINARY: [bool; 256] = {
    let mut table = [true; 256];
    let special: &[u8] = b"\\\"'^ \t\n\r\x0b\x0c,;$`";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = false;
        i += 1;
    }
    table
};

/// Normalises a shell command line.
pub fn cmdline(input: &[u8]) -> Cow<'_, [u8]> {
    let special = |b: &u8| {
        b.is_ascii_uppercase()
            || b.is_ascii_whitespace()
            || matches!(
                b,
                b'\\' | b'"' | b'\'' | b'^' | b'$' | b'`' | b',' | b';' | 0x0B
            )
    };
    if !input.iter().any(special) {
        return Cow::Borrowed(input);
    }
    let mut out = Vec::with_capacity(input.len());
    let mut pending_space = false;
    let mut rest = input;
    while let Some(&byte) = rest.first() {
        // A run of bytes that are only lowercased, copied at once.
        let run = rest
            .iter()
            .position(|&b| !ORDINARY[usize::from(b)])
            .unwrap_or(rest.len());
        if run > 0 {
            space_before(&mut out, &mut pending_space, byte);
            let (copied, after) = rest.split_at_checked(run).unwrap_or((rest, &[]));
            out.extend(copied.iter().map(u8::to_ascii_lowercase));
            rest = after;
            continue;
        }
        rest = step(rest, &mut out, &mut pending_space);
    }
    if pending_space {
        out.push(b' ');
    }
    owned_if_changed(input, out)
}

/// One step of [`cmdline`] at the start of `rest` (an `$IFS`, an empty
/// expansion, or one byte); returns what follows it.
fn step<'a>(rest: &'a [u8], out: &mut Vec<u8>, pending_space: &mut bool) -> &'a [u8] {
    if let Some(len) = ifs_len(rest) {
        *pending_space = true;
        return rest.get(len..).unwrap_or_default();
    }
    if let Some(len) = empty_expansion_len(rest) {
        return rest.get(len..).unwrap_or_default();
    }
    let Some((&byte, tail)) = rest.split_first() else {
        return rest;
    };
    match byte {
        b'\\' | b'"' | b'\'' | b'^' => {}
        b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | b',' | b';' => *pending_space = true,
        _ => {
            space_before(out, pending_space, byte);
            out.push(byte.to_ascii_lowercase());
        }
    }
    tail
}

/// The one space a run of separators became, written before `byte` unless
/// `byte` is `/` or `(` (`cat /etc`, `$ (id)` keep no space there).
fn space_before(out: &mut Vec<u8>, pending_space: &mut bool, byte: u8) {
    if *pending_space && byte != b'/' && byte != b'(' {
        out.push(b' ');
    }
    *pending_space = false;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`cmdline`] without the copying of ordinary runs (every byte through
    /// [`step`]), the reference the runs must agree with.
    fn one_byte_at_a_time(input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(input.len());
        let mut pending_space = false;
        let mut rest = input;
        while !rest.is_empty() {
            rest = step(rest, &mut out, &mut pending_space);
        }
        if pending_space {
            out.push(b' ');
        }
        out
    }

    #[test]
    fn runs_copied_at_once_give_the_byte_at_a_time_output() {
        let alphabet: &[u8] = b"aZ/( \t,;\\\"'^$`{}IFS@*1%#:}x\x0b\x0c\n\r";
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..50_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 24) as usize;
            let mut state = seed;
            let input: Vec<u8> = (0..len)
                .map(|_| {
                    state = state.rotate_left(5).wrapping_mul(0x2545_f491_4f6c_dd1d);
                    alphabet[(state >> 40) as usize % alphabet.len()]
                })
                .collect();
            assert_eq!(
                cmdline(&input).into_owned(),
                one_byte_at_a_time(&input),
                "{:?}",
                String::from_utf8_lossy(&input)
            );
        }
        for case in [
            &b"Thanks for the reply; the part FIXED it."[..],
            b"c${IFS}at /etc/p'a's's'wd",
            b"$@cat",
        ] {
            assert_eq!(cmdline(case).into_owned(), one_byte_at_a_time(case));
        }
    }
}
