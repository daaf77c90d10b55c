//! The small part of Go's text/template (with sprig functions) that go-ftw test
//! data uses: literal text, `{{ "s" | repeat N }}` / `{{ repeat N "s" }}`,
//! `{{- -}}` trimming and `{{/* comments */}}`.
//!
//! Contract: text without `{{` comes back unchanged. A template Go's parser
//! would reject is [`Error::Syntax`] (go-ftw then sends no body); one that uses
//! anything not implemented here (another function, fields, variables) is
//! [`Error::Unsupported`], never a guess. Output is bounded to 16 MiB.

/// Why a template was not expanded.
#[derive(Debug, PartialEq, Eq)]
pub enum Error {
    /// Go's parser would reject it too (go-ftw then sends no body).
    Syntax,
    /// Possibly valid for Go, but not implemented here.
    Unsupported(String),
}

#[derive(Debug, Clone)]
enum Value {
    Str(String),
    Int(i64),
}

impl Value {
    fn text(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Int(n) => n.to_string(),
        }
    }
}

/// Most bytes one expansion may produce (a bound, not a Go rule).
const MAX_OUTPUT: usize = 16 << 20;

pub fn expand(text: &str) -> Result<String, Error> {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let mut before = rest.get(..start).unwrap_or_default();
        let mut action = rest.get(start + 2..).unwrap_or_default();
        if action.starts_with("- ") || action.starts_with("-\t") || action.starts_with("-\n") {
            before = before.trim_end();
            action = action.get(1..).unwrap_or_default();
        }
        out.push_str(before);
        let end = action_end(action).ok_or(Error::Syntax)?;
        let mut body = action.get(..end).unwrap_or_default();
        rest = action.get(end + 2..).unwrap_or_default();
        if body.ends_with(" -") || body.ends_with("\t-") || body.ends_with("\n-") {
            body = body.get(..body.len() - 1).unwrap_or_default();
            rest = rest.trim_start();
        }
        let body = body.trim();
        if body.starts_with("/*") {
            if !body.ends_with("*/") {
                return Err(Error::Syntax);
            }
            continue;
        }
        out.push_str(&pipeline(body)?.text());
        if out.len() > MAX_OUTPUT {
            return Err(Error::Unsupported("output larger than 16 MiB".into()));
        }
    }
    out.push_str(rest);
    Ok(out)
}

/// Offset of the closing `}}`, skipping string literals.
fn action_end(action: &str) -> Option<usize> {
    let bytes = action.as_bytes();
    let mut i = 0;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes.get(i).copied()?;
        match quote {
            Some(q) if b == b'\\' && q == b'"' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'`' => quote = Some(b),
            None if b == b'}' && bytes.get(i + 1) == Some(&b'}') => return Some(i),
            None => {}
        }
        i += 1;
    }
    None
}

fn pipeline(body: &str) -> Result<Value, Error> {
    let tokens = tokenize(body)?;
    let mut commands: Vec<Vec<Token>> = vec![Vec::new()];
    for t in tokens {
        match t {
            Token::Pipe => commands.push(Vec::new()),
            other => commands.last_mut().ok_or(Error::Syntax)?.push(other),
        }
    }
    let mut value: Option<Value> = None;
    for command in commands {
        let mut args = command.into_iter();
        let first = args.next().ok_or(Error::Syntax)?;
        let next = match first {
            Token::Str(s) if args.len() == 0 && value.is_none() => Value::Str(s),
            Token::Int(n) if args.len() == 0 && value.is_none() => Value::Int(n),
            Token::Ident(name) => {
                let mut values: Vec<Value> = args
                    .map(|a| match a {
                        Token::Str(s) => Ok(Value::Str(s)),
                        Token::Int(n) => Ok(Value::Int(n)),
                        Token::Ident(i) => Err(Error::Unsupported(format!("nested call `{i}`"))),
                        Token::Pipe => Err(Error::Syntax),
                    })
                    .collect::<Result<_, _>>()?;
                values.extend(value.take());
                call(&name, &values)?
            }
            _ => return Err(Error::Syntax),
        };
        value = Some(next);
    }
    value.ok_or(Error::Syntax)
}

fn call(name: &str, args: &[Value]) -> Result<Value, Error> {
    match (name, args) {
        ("repeat", [Value::Int(count), s]) => {
            let count = usize::try_from(*count).unwrap_or(0);
            let s = s.text();
            if s.len().saturating_mul(count) > MAX_OUTPUT {
                return Err(Error::Unsupported(
                    "repeat output larger than 16 MiB".into(),
                ));
            }
            Ok(Value::Str(s.repeat(count)))
        }
        _ => Err(Error::Unsupported(format!(
            "function `{name}` with {} arguments",
            args.len()
        ))),
    }
}

#[derive(Debug)]
enum Token {
    Str(String),
    Int(i64),
    Ident(String),
    Pipe,
}

fn tokenize(body: &str) -> Result<Vec<Token>, Error> {
    let mut tokens = Vec::new();
    let mut chars = body.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' | '\r' | '\n' => {
                chars.next();
            }
            '|' => {
                chars.next();
                tokens.push(Token::Pipe);
            }
            '"' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next().ok_or(Error::Syntax)? {
                        '"' => break,
                        '\\' => match chars.next().ok_or(Error::Syntax)? {
                            'n' => s.push('\n'),
                            't' => s.push('\t'),
                            'r' => s.push('\r'),
                            '\\' => s.push('\\'),
                            '"' => s.push('"'),
                            other => return Err(Error::Unsupported(format!("escape \\{other}"))),
                        },
                        '\n' => return Err(Error::Syntax),
                        other => s.push(other),
                    }
                }
                tokens.push(Token::Str(s));
            }
            '`' => {
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next().ok_or(Error::Syntax)? {
                        '`' => break,
                        other => s.push(other),
                    }
                }
                tokens.push(Token::Str(s));
            }
            '0'..='9' | '-' => {
                let mut s = String::new();
                s.push(c);
                chars.next();
                while let Some(&d) = chars.peek() {
                    if !d.is_ascii_digit() {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                tokens.push(Token::Int(s.parse().map_err(|_| Error::Syntax)?));
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut s = String::new();
                while let Some(&d) = chars.peek() {
                    if !(d.is_alphanumeric() || d == '_') {
                        break;
                    }
                    s.push(d);
                    chars.next();
                }
                tokens.push(Token::Ident(s));
            }
            '.' | '$' | '(' | ')' => {
                return Err(Error::Unsupported(format!("`{c}` in an action")));
            }
            _ => return Err(Error::Syntax),
        }
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        assert_eq!(expand("a{{ \"1\" | repeat 3 }}b").unwrap(), "a111b");
        assert_eq!(expand("x\n{{ repeat 2 \"ab\" }}\n").unwrap(), "x\nabab\n");
        assert_eq!(expand("a  {{- \"z\" -}}  b").unwrap(), "azb");
        assert_eq!(expand("{{/* c */}}k").unwrap(), "k");
        assert_eq!(expand("{{7*7}}"), Err(Error::Syntax));
        assert_eq!(expand("{{ unclosed"), Err(Error::Syntax));
        assert!(matches!(
            expand("{{ upper \"a\" }}"),
            Err(Error::Unsupported(_))
        ));
    }
}
