//! The rule table: when a folded fingerprint is SQL.
//!
//! Contract: [`classify`] looks only at one context's folded window (at
//! most [`super::fold::MAX_TOKENS`] tokens and the bytes they cover), is
//! pure, and names the first [`Rule`] that matches, in table order.
//!
//! # How to read the table
//!
//! An injection is a *break* out of the value the application meant to
//! insert, followed by SQL that only makes sense as code. The break is:
//! - in a quoted context, the implicit string (`s`) the application's quote
//!   opened, plus any `)` that close its parentheses;
//! - in the bare context, a *value expression* (terms joined by operators
//!   and comparisons: `1`, `-9-(2)`, `concat(a,b)`, `x=1`) plus any `)`.
//!
//! Some shapes are SQL wherever they appear in the window; the rest must
//! come right after the break.
//!
//! | rule           | shape (fingerprint letters)                            | example                          |
//! |----------------|--------------------------------------------------------|----------------------------------|
//! | `risky-call`   | risky `f(` with a code-like argument, or a system proc | `sleep(5)`, `xp_cmdshell`        |
//! | `union-select` | `U` `(`* `Q` + non-English body; `U` ending a full window | `1 union all select 1,2`      |
//! | `versioned`    | a `/*!` comment and any keyword                        | `1 /*!and*/ 1`                   |
//! | `nested-call`  | known `f(` directly inside known `f(`                  | `ascii(substring(`               |
//! | `subquery`     | `o = & , f` then `(`+ `Q` + select list                | `1=(select top 1 name`           |
//! | `query`        | `(`* `Q` + select list at the start                    | `(select id from users limit 1,1)` |
//! | `union`        | break, `U`, then `Q`, a row list, a comment or the end | `1 union--`                      |
//! | `stacked`      | break, `;`, then a statement                           | `1;drop table x`                 |
//! | `logic`        | break, `&` (not `NOT`), then an SQL-shaped expression  | `' or 1=1`, `1 and sleep(`       |
//! | `clause`       | break, `K`, then what a clause takes                   | `1 order by 1--`                 |
//! | `chain`        | quoted: operators and values alternating to the app's quote or a comment | `a'+'b`, `' = '` |
//! | `operator`     | quoted: break, `o`/`=`, then an SQL-shaped expression  | `' + (select`                    |
//! | `subquery`     | break then `(Q`                                        | `9999' (select count(*)`         |
//! | `verb`         | break, `Q`, then a statement                           | `x' exec master..xp_cmdshell 'a'`|
//! | `comment`      | quoted: break then only a comment                      | `admin'--`                       |
//! | `value-comment`| bare: a numeric value, or a `(…)` group with operators inside, then only a cut-off `--`/`/*` | `1*1--`, `( 1 OR @a ) --` |
//! | `tautology`    | bare, when nothing above matched: a comparison that is always true | `1=1`, `42 LIKE 42`, `1!=2`      |
//!
//! A tautology after a break and a logic word is `logic` (`x' and pw glob
//! pw`). On its own (`1=1`) it is a probe rather than a break-out, so the
//! paranoia-1 detector ([`super::detect_breakout`]) leaves it out.
//!
//! Guards against text that merely contains SQL words:
//! - the rules that need no keyword at all after the break (`chain`,
//!   `operator`, `comment`, quoted `verb`) require the implicit string to
//!   look like one quoted value, not prose, a path, markup or JSON; double
//!   quotes are held to a stricter standard than single quotes;
//! - `clause`, `chain` and `operator` do not fire when the input ends inside
//!   a string the application's quote cannot close (`"WHERE'S GEORGE"`);
//! - a quoted `verb` also needs the quote glued to the value (`admin'exec`,
//!   not "The 'drop' in prices");
//! - select lists, statements and union bodies reject runs of English words
//!   and prose punctuation (`select a size`, `Exec review: Q2`,
//!   `; exec will create`, `union select committee`);
//! - a word comparison between two words is English (`not available in
//!   your area`, `Tom and Jerry = best cartoon`), and `NOT` at the break is
//!   not a connective;
//! - in the bare context a head that already compares names, in a window
//!   without numbers or variables, is a search filter the user wrote
//!   (`project = WEB AND status in ("Done")`), not a broken-out value; a
//!   lone `:` (`field : value`) does not join a value expression.

use super::grammar::{Strictness, Window};
use super::lexer::Start;
use super::token::{Call, Class, Tag};

/// Which rule recognised SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    RiskyCall,
    UnionSelect,
    Versioned,
    NestedCall,
    Subquery,
    Query,
    Union,
    Stacked,
    Logic,
    Clause,
    Chain,
    Operator,
    Verb,
    Comment,
    ValueComment,
    Tautology,
}

impl Rule {
    pub fn name(self) -> &'static str {
        match self {
            Rule::RiskyCall => "risky-call",
            Rule::UnionSelect => "union-select",
            Rule::Versioned => "versioned",
            Rule::NestedCall => "nested-call",
            Rule::Subquery => "subquery",
            Rule::Query => "query",
            Rule::Union => "union",
            Rule::Stacked => "stacked",
            Rule::Logic => "logic",
            Rule::Clause => "clause",
            Rule::Chain => "chain",
            Rule::Operator => "operator",
            Rule::Verb => "verb",
            Rule::Comment => "comment",
            Rule::ValueComment => "value-comment",
            Rule::Tautology => "tautology",
        }
    }
}

/// The first rule that calls this window SQL, if any. `versioned` says the
/// lexer met a MySQL `/*!` comment.
pub fn classify(w: &Window<'_>, versioned: bool) -> Option<Rule> {
    anywhere(w, versioned).or_else(|| match w.start {
        Start::Bare => after_bare_break(w).or_else(|| tautology(w)),
        Start::Quoted(_) => after_quoted_break(w),
    })
}

/// Bare context: an always-true comparison anywhere in the window.
fn tautology(w: &Window<'_>) -> Option<Rule> {
    (0..w.len())
        .any(|i| w.is_tautology(i))
        .then_some(Rule::Tautology)
}

/// Shapes that are SQL wherever they appear in the window.
fn anywhere(w: &Window<'_>, versioned: bool) -> Option<Rule> {
    let n = w.len();
    for i in 0..n {
        let risky = match w.call(i) {
            Call::Procedure => true,
            Call::Risky => w.is(i, Class::Func) && w.call_args(i + 1),
            Call::Known | Call::Unknown => false,
        };
        if risky {
            return Some(Rule::RiskyCall);
        }
    }
    for i in 0..n {
        if w.is(i, Class::Union) {
            let q = w.skip(i + 1, Class::LParen);
            if w.is(q, Class::Verb) && w.union_body(q + 1) {
                return Some(Rule::UnionSelect);
            }
        }
    }
    if w.truncated && w.is(n.wrapping_sub(1), Class::Union) {
        return Some(Rule::UnionSelect);
    }
    if versioned && n > 1 && w.tokens.iter().any(|t| t.class.is_keyword()) {
        return Some(Rule::Versioned);
    }
    for i in 0..n {
        let known = |j: usize| w.is(j, Class::Func) && w.call(j) != Call::Unknown;
        if known(i) && w.is(i + 1, Class::LParen) && known(i + 2) {
            return Some(Rule::NestedCall);
        }
    }
    for i in 0..n {
        let before = matches!(
            w.at(i),
            Some(Class::Op | Class::Cmp | Class::Logic | Class::Comma | Class::Func)
        );
        if before && w.is(i + 1, Class::LParen) {
            let q = w.skip(i + 1, Class::LParen);
            if w.is(q, Class::Verb) && w.select_body(q + 1, Strictness::Lenient) {
                return Some(Rule::Subquery);
            }
        }
    }
    let q = w.skip(0, Class::LParen);
    if w.is(q, Class::Verb) && w.select_body(q + 1, Strictness::Strict) {
        return Some(Rule::Query);
    }
    None
}

/// Bare context: the break is a value expression.
fn after_bare_break(w: &Window<'_>) -> Option<Rule> {
    let lead = w.skip(0, Class::RParen);
    let value = w.value_end(lead);
    let b = w.skip(value.unwrap_or(lead), Class::RParen);
    if is_numeric_head(w, b)
        && w.is(b, Class::Comment)
        && b + 1 == w.len()
        && w.is_cutoff_comment(b)
    {
        return Some(Rule::ValueComment);
    }
    if is_closed_group_cutoff(w) {
        return Some(Rule::ValueComment);
    }
    let unfiltered = |rule: Rule, head_end: usize| {
        let boolean = matches!(rule, Rule::Logic | Rule::Clause);
        (!boolean || !is_filter_expression(w, head_end)).then_some(rule)
    };
    if let Some(rule) = after_break(w, b, value.is_some() || b > 0).and_then(|r| unfiltered(r, b)) {
        return Some(rule);
    }
    // `((1) or 1=1`: also try the value inside leading parentheses.
    let p = w.skip(0, Class::LParen);
    if p > 0 {
        if let Some(v) = w.value_end(p) {
            return after_break(w, v, true).and_then(|r| unfiltered(r, v));
        }
    }
    None
}

/// `( … ) --`: a parenthesised expression, with something other than
/// words inside, that the input ends by cutting off the query.
fn is_closed_group_cutoff(w: &Window<'_>) -> bool {
    let n = w.len();
    let (Some(last), Some(close)) = (n.checked_sub(1), n.checked_sub(2)) else {
        return false;
    };
    let inner = w.tokens.get(1..close).unwrap_or(&[]);
    !w.truncated
        && w.is(0, Class::LParen)
        && w.is(close, Class::RParen)
        && w.is_cutoff_comment(last)
        && inner.iter().any(|t| {
            matches!(
                t.class,
                Class::Var
                    | Class::Logic
                    | Class::Verb
                    | Class::Func
                    | Class::Cmp
                    | Class::Str
                    | Class::Op
            )
        })
}

/// The input is itself a filter over names (`project = OPS AND status in
/// ("Done")`, as search languages write them): the head already compares
/// and the window holds no number or variable an injection would test.
/// Such a head does not count as a break for `logic` and `clause`.
fn is_filter_expression(w: &Window<'_>, b: usize) -> bool {
    let head = w.tokens.get(..b).unwrap_or(&[]);
    head.iter().any(|t| t.class == Class::Cmp)
        && !w
            .tokens
            .iter()
            .any(|t| matches!(t.class, Class::Num | Class::Var))
}

/// Whether tokens `..b` are a number-like value: numbers, variables,
/// calls, operators and parentheses, with at least one value.
fn is_numeric_head(w: &Window<'_>, b: usize) -> bool {
    let head = w.tokens.get(..b).unwrap_or(&[]);
    let allowed = head.iter().all(|t| {
        matches!(
            t.class,
            Class::Num | Class::Var | Class::Func | Class::Op | Class::LParen | Class::RParen
        )
    });
    let valued = head
        .iter()
        .any(|t| matches!(t.class, Class::Num | Class::Var | Class::Func));
    allowed && valued
}

/// Quoted context: the break is the implicit string and any `)`.
fn after_quoted_break(w: &Window<'_>) -> Option<Rule> {
    if !w.is(0, Class::Str) {
        return None;
    }
    let b = w.skip(1, Class::RParen);
    if w.is(b, Class::Comment)
        && b + 1 == w.len()
        && w.implicit_is_value()
        && w.comment_reads_as_sql(b)
    {
        return Some(Rule::Comment);
    }
    after_break(w, b, true)
}

/// Rules for what follows the break at `b`. `head` says a break exists
/// (the bare context may start right at a keyword).
fn after_break(w: &Window<'_>, b: usize, head: bool) -> Option<Rule> {
    let quoted = matches!(w.start, Start::Quoted(_));
    match w.at(b) {
        Some(Class::Union) if head => {
            let q = w.skip(b + 1, Class::LParen);
            let row_list = matches!(w.at(b + 1), Some(Class::Num | Class::Str | Class::Var))
                && w.is(b + 2, Class::Comma);
            if w.is(q, Class::Verb) {
                if w.union_body(q + 1) {
                    return Some(Rule::Union);
                }
            } else if matches!(w.at(b + 1), None | Some(Class::Comment)) {
                return Some(Rule::Union);
            }
            if row_list {
                return Some(Rule::Union);
            }
        }
        Some(Class::Semi) => {
            let stacked = match w.at(b + 1) {
                Some(Class::Verb) => w.statement(b + 2),
                Some(Class::Keyword) => match w.at(b + 2) {
                    Some(
                        Class::Var
                        | Class::LParen
                        | Class::Logic
                        | Class::Num
                        | Class::Str
                        | Class::Func,
                    ) => true,
                    // `; BEGIN DECLARE @s …`
                    Some(Class::Verb) => w.statement(b + 3),
                    _ => false,
                },
                Some(Class::Func) => w.call(b + 1) != Call::Unknown,
                _ => false,
            };
            if stacked {
                return Some(Rule::Stacked);
            }
        }
        Some(Class::Logic)
            if w.tag(b) != Tag::Not
                && (w.sql_expr(b + 1, Strictness::Strict) || w.is_tautology(b + 1)) =>
        {
            return Some(Rule::Logic);
        }
        _ => {}
    }
    if !head {
        return None;
    }
    let closable = !w.ends_in_foreign_string();
    if w.is(b, Class::Clause) && closable && w.clause(b) {
        return Some(Rule::Clause);
    }
    if quoted
        && closable
        && w.implicit_is_value()
        && matches!(w.at(b), Some(Class::Op | Class::Cmp | Class::Logic))
    {
        if let Some(rule) = operator_chain(w, b) {
            return Some(rule);
        }
    }
    if w.is(b, Class::LParen) && w.is(b + 1, Class::Verb) {
        return Some(Rule::Subquery);
    }
    // `x' BEGIN DECLARE @s …`: a block keyword, then a statement.
    let verb = if quoted && w.is(b, Class::Keyword) && w.is(b + 1, Class::Verb) {
        b + 1
    } else {
        b
    };
    if w.is(verb, Class::Verb) {
        let b = verb;
        let value = !quoted || (w.implicit_is_value() && w.implicit_is_glued());
        if quoted && value && w.statement(b + 1) {
            return Some(Rule::Verb);
        }
        if value && w.strict_statement(b + 1) {
            return Some(Rule::Verb);
        }
    }
    None
}

/// Quoted context, an operator at `b`: `a'+'b`, `' = '`, `1' -1 or '1`,
/// `x' + (select …`.
fn operator_chain(w: &Window<'_>, b: usize) -> Option<Rule> {
    let operator = |j: usize| matches!(w.at(j), Some(Class::Op | Class::Cmp | Class::Logic));
    let mut j = b;
    while operator(j)
        && w.at(j + 1)
            .is_some_and(|c| c.is_operand() && c != Class::Func)
    {
        j += 2;
    }
    let n = w.len();
    if j > b {
        if w.is(j, Class::Logic) && w.sql_expr(j + 1, Strictness::Strict) {
            return Some(Rule::Chain);
        }
        let to_app_quote = j == n && w.is_open_value(j - 1);
        let to_comment = w.is(j, Class::Comment) && j + 1 == n;
        if to_app_quote || to_comment {
            return Some(Rule::Chain);
        }
        if j >= b + 6 && j + 1 >= n && w.truncated {
            return Some(Rule::Chain);
        }
    }
    let plain_next = w.is(b + 1, Class::Word) && !w.implicit_is_empty();
    if !w.is(b, Class::Logic) && !plain_next && w.sql_expr(b + 1, Strictness::Strict) {
        return Some(Rule::Operator);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::detect;

    /// The rule that fires on `input`, if any.
    fn rule_of(input: &str) -> Option<String> {
        detect(input.as_bytes()).and_then(|d| d.fingerprint.rsplit(' ').next().map(str::to_owned))
    }

    /// Each rule with inputs it must name, and near misses that must pass.
    const CASES: &[(&str, &[&str], &[&str])] = &[
        (
            "risky-call",
            &[
                "sleep(5)",
                "1 and benchmark(10,md5(1))",
                "x;exec xp_cmdshell",
            ],
            &["sleep (8 hours)", "sleep(8) hours"],
        ),
        (
            "union-select",
            &["1 union all select 1,2", "') union select null--"],
            &[
                "the union select committee met",
                "\"union select\" tutorial",
            ],
        ),
        (
            "versioned",
            &["1 /*!and*/ 1", "1/*!50000or*/2"],
            &["/*!important*/"],
        ),
        (
            "nested-call",
            &["ascii(substring(user(),1,1))"],
            &["ascii(art)", "print(len(x))"],
        ),
        (
            "subquery",
            &[
                "1=(select top 1 name from t)",
                "9999' (select count(*) from t)",
            ],
            &["Pick one (select 1)"],
        ),
        (
            "query",
            &["(select id from users limit 1,1)", "select * from users"],
            &["Select all that apply", "select x from y where"],
        ),
        (
            "union",
            &["1 union--", "-1 union 1,2,3"],
            &["1950 union made"],
        ),
        (
            "stacked",
            &[
                "1;drop table x",
                "'; waitfor delay '0:0:5'--",
                "1; begin declare @s int",
            ],
            &["1; drop by at 5", "1; exec will create it"],
        ),
        (
            "logic",
            &["1 or 1=1", "' or '1'='1", "x') or ('a'='a", "and 1=1"],
            &[
                "1 or 2 drinks",
                "Tom and Jerry = best cartoon",
                "not available in your area",
            ],
        ),
        (
            "clause",
            &[
                "1 order by 1--",
                "1' limit 1,1-- -",
                "1 procedure analyse()",
            ],
            &[
                "8-bit Limit (BRK)",
                "I having true friends",
                "\"WHERE'S GEORGE\"",
            ],
        ),
        (
            "chain",
            &["a'+'b", "'='", "1' -1 or '1"],
            &["the 'and' operator", "SMALL \"&\" SIGN", "\"*\""],
        ),
        (
            "operator",
            &["x' + (1)='1", "aa'!=ascii(1)#("],
            &["pr_shop\">MamaBear</a>"],
        ),
        (
            "verb",
            &["1 update t set c=1", "x' exec master..proc 'a'"],
            &["18 CREATE GOLD", "CRAFT SHOW SET"],
        ),
        (
            "comment",
            &["admin'--", "admin'#", "x')--"],
            &["FOO BAR'# BLAH", "7\" #2 CIRCULAR NEEDLE"],
        ),
        (
            "value-comment",
            &["1--", "@@version /*", "( 1 OR @a ) --"],
            &["2 -- see above", "(optional) --"],
        ),
        (
            "tautology",
            &[
                "1=1",
                "b,1=1",
                "42 like 42",
                "42<=>42",
                "11!=1",
                "1 is not 2",
                "'1' not regexp '2'",
            ],
            &[
                "11=1",
                "11!=11",
                "1 is not 1",
                "'1' not regexp '1'",
                "123<456",
                "1=1+x",
                "\"1\" sSOUNDS LIKE \"SOUNDS LIKE 1",
            ],
        ),
    ];

    #[test]
    fn each_rule_fires_on_its_examples_and_not_on_near_misses() {
        for (rule, fire, pass) in CASES {
            for input in *fire {
                assert_eq!(rule_of(input).as_deref(), Some(*rule), "{input}");
            }
            for input in *pass {
                assert_eq!(rule_of(input), None, "{rule}: {input}");
            }
        }
    }
}
