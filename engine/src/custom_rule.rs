//! Custom rules written in a policy: conditions on the request (method, host,
//! path, headers, arguments, cookies, client address) and an action.
//!
//! A rule fires when all its conditions hold (and it is in scope). A condition
//! on a field with several values (a repeated header or argument) holds when
//! any value satisfies it; `negate = true` inverts the result. Regexes use the
//! same linear-time engine as signatures.

use crate::cidr::Cidr;
use crate::request::{cookie_pairs, RequestHead};
use crate::rule::Severity;
use crate::scope::{Scope, ScopeInput};
use regex_automata::meta;
use regex_automata::util::syntax;
use serde::Deserialize;
use std::net::IpAddr;

/// The id range of custom rules.
pub const CUSTOM_ID_RANGE: (u32, u32) = (90_000, 99_999);

/// How a condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    Equals,
    Prefix,
    Suffix,
    Contains,
    Regex,
    In,
    IpInCidr,
    Lt,
    Le,
    Gt,
    Ge,
    Exists,
}

/// One condition as written: `{ field = "header:x-api-key", op = "exists" }`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ConditionSpec {
    /// `method`, `host`, `path`, `uri`, `query`, `client_ip`, `header:NAME`, `arg:NAME`, `cookie:NAME`.
    pub field: String,
    pub op: Operator,
    /// The operand (string or number); `values` for `in` and `ip_in_cidr`.
    #[serde(default)]
    pub value: Option<toml::Value>,
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub negate: bool,
    /// Compare case-insensitively (string operators).
    #[serde(default)]
    pub ignore_case: bool,
}

/// What a custom rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Skip inspection: the request is allowed.
    Allow,
    /// Block the request.
    Block,
    /// Record a finding without score.
    Log,
    /// Add `score` to the anomaly score.
    Score,
    /// Add `tag` to the verdict.
    Tag,
    /// Apply the named `[[rate_limits]]` entry.
    RateLimit,
}

/// A `[[rules]]` entry as written.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CustomRuleSpec {
    pub id: u32,
    pub name: String,
    #[serde(default)]
    pub conditions: Vec<ConditionSpec>,
    pub action: ActionKind,
    #[serde(default)]
    pub score: Option<u32>,
    #[serde(default)]
    pub tag: Option<String>,
    #[serde(default)]
    pub rate_limit: Option<String>,
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub path_prefix: Option<String>,
    #[serde(default)]
    pub path_glob: Option<String>,
    #[serde(default)]
    pub methods: Vec<String>,
}

/// Why a custom rule is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomRuleError {
    #[error("id {0} is outside the custom-rule range 90000..=99999")]
    Id(u32),
    #[error("unknown field `{0}` (expected method, host, path, uri, query, client_ip, header:NAME, arg:NAME, cookie:NAME)")]
    Field(String),
    #[error("operator {op:?} on `{field}` needs {need}")]
    Operand {
        field: String,
        op: Operator,
        need: &'static str,
    },
    #[error("invalid regex `{pattern}`: {message}")]
    Regex { pattern: String, message: String },
    #[error("{0}")]
    Cidr(#[from] crate::cidr::CidrError),
    #[error("action {action:?} needs `{key}`")]
    ActionArgument {
        action: ActionKind,
        key: &'static str,
    },
    #[error(transparent)]
    Scope(#[from] crate::scope::ScopeError),
}

/// Where a condition reads its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Method,
    Host,
    Path,
    Uri,
    Query,
    ClientIp,
    Header(String),
    Arg(String),
    Cookie(String),
}

impl Field {
    fn parse(text: &str) -> Result<Field, CustomRuleError> {
        let named = |n: &str| {
            if n.is_empty() {
                Err(CustomRuleError::Field(text.to_string()))
            } else {
                Ok(n.to_string())
            }
        };
        Ok(match text.split_once(':') {
            None => match text {
                "method" => Field::Method,
                "host" => Field::Host,
                "path" => Field::Path,
                "uri" => Field::Uri,
                "query" => Field::Query,
                "client_ip" => Field::ClientIp,
                "user_agent" => Field::Header("user-agent".into()),
                _ => return Err(CustomRuleError::Field(text.to_string())),
            },
            Some(("header", n)) => Field::Header(named(&n.to_ascii_lowercase())?),
            Some(("arg", n)) => Field::Arg(named(n)?),
            Some(("cookie", n)) => Field::Cookie(named(n)?),
            Some(_) => return Err(CustomRuleError::Field(text.to_string())),
        })
    }

    /// Whether the field needs body arguments to be fully known.
    pub fn reads_args(&self) -> bool {
        matches!(self, Field::Arg(_))
    }
}

#[derive(Debug, Clone)]
enum Test {
    Text(Vec<u8>),
    List(Vec<Vec<u8>>),
    Regex(Box<meta::Regex>),
    Cidrs(Vec<Cidr>),
    Number(f64),
    None,
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub struct Condition {
    pub field: Field,
    op: Operator,
    test: Test,
    negate: bool,
    ignore_case: bool,
}

/// A compiled action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Allow,
    Block,
    Log,
    Score(u32),
    Tag(String),
    RateLimit(String),
}

/// A compiled custom rule.
#[derive(Debug, Clone)]
pub struct CustomRule {
    pub id: u32,
    pub name: String,
    pub conditions: Vec<Condition>,
    pub action: Action,
    pub severity: Severity,
    scope: Scope,
}

/// What conditions read, gathered once per request.
pub struct Facts<'a> {
    pub head: &'a RequestHead,
    pub host: &'a str,
    /// The normalised path.
    pub path: &'a [u8],
    pub client_ip: Option<IpAddr>,
    /// Arguments seen so far (query, then body), decoded.
    pub args: &'a [(String, Vec<u8>)],
}

fn operand_text(spec: &ConditionSpec) -> Option<String> {
    match &spec.value {
        Some(toml::Value::String(s)) => Some(s.clone()),
        Some(toml::Value::Integer(i)) => Some(i.to_string()),
        Some(toml::Value::Float(f)) => Some(f.to_string()),
        Some(toml::Value::Boolean(b)) => Some(b.to_string()),
        _ => None,
    }
}

impl Condition {
    fn compile(spec: &ConditionSpec) -> Result<Condition, CustomRuleError> {
        let field = Field::parse(&spec.field)?;
        let need = |need: &'static str| CustomRuleError::Operand {
            field: spec.field.clone(),
            op: spec.op,
            need,
        };
        let lower = |s: &str| {
            if spec.ignore_case {
                s.to_ascii_lowercase()
            } else {
                s.to_string()
            }
        };
        let test = match spec.op {
            Operator::Equals | Operator::Prefix | Operator::Suffix | Operator::Contains => {
                Test::Text(
                    lower(&operand_text(spec).ok_or_else(|| need("a `value`"))?).into_bytes(),
                )
            }
            Operator::In => {
                if spec.values.is_empty() {
                    return Err(need("a non-empty `values` list"));
                }
                Test::List(spec.values.iter().map(|v| lower(v).into_bytes()).collect())
            }
            Operator::Regex => {
                let pattern = operand_text(spec).ok_or_else(|| need("a `value` regex"))?;
                let regex = meta::Regex::builder()
                    .syntax(
                        syntax::Config::new()
                            .unicode(false)
                            .utf8(false)
                            .case_insensitive(spec.ignore_case),
                    )
                    .build(&pattern)
                    .map_err(|e| CustomRuleError::Regex {
                        pattern: pattern.clone(),
                        message: e.to_string(),
                    })?;
                Test::Regex(Box::new(regex))
            }
            Operator::IpInCidr => {
                let mut list = spec.values.clone();
                if let Some(v) = operand_text(spec) {
                    list.push(v);
                }
                if list.is_empty() {
                    return Err(need("`value` or `values` with networks"));
                }
                Test::Cidrs(list.iter().map(|c| c.parse()).collect::<Result<_, _>>()?)
            }
            Operator::Lt | Operator::Le | Operator::Gt | Operator::Ge => {
                let n = match &spec.value {
                    Some(toml::Value::Integer(i)) => *i as f64,
                    Some(toml::Value::Float(f)) => *f,
                    _ => return Err(need("a numeric `value`")),
                };
                Test::Number(n)
            }
            Operator::Exists => Test::None,
        };
        Ok(Condition {
            field,
            op: spec.op,
            test,
            negate: spec.negate,
            ignore_case: spec.ignore_case,
        })
    }

    fn values<'a>(&self, facts: &'a Facts<'a>) -> Vec<std::borrow::Cow<'a, [u8]>> {
        use std::borrow::Cow;
        let head = facts.head;
        match &self.field {
            Field::Method => vec![Cow::Borrowed(head.method.as_bytes())],
            Field::Host => vec![Cow::Borrowed(facts.host.as_bytes())],
            Field::Path => vec![Cow::Borrowed(facts.path)],
            Field::Uri => vec![Cow::Borrowed(head.uri.as_slice())],
            Field::Query => head.query().map(Cow::Borrowed).into_iter().collect(),
            Field::ClientIp => facts
                .client_ip
                .map(|ip| Cow::Owned(ip.to_string().into_bytes()))
                .into_iter()
                .collect(),
            Field::Header(name) => head
                .headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case(name))
                .map(|h| Cow::Borrowed(h.value.as_slice()))
                .collect(),
            Field::Arg(name) => facts
                .args
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| Cow::Borrowed(v.as_slice()))
                .collect(),
            Field::Cookie(name) => head
                .headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case("cookie"))
                .flat_map(|h| cookie_pairs(&h.value))
                .filter(|(n, _)| *n == name.as_bytes())
                .map(|(_, v)| Cow::Borrowed(v))
                .collect(),
        }
    }

    fn test_one(&self, value: &[u8], facts: &Facts<'_>) -> bool {
        let folded;
        let value = if self.ignore_case {
            folded = value.to_ascii_lowercase();
            folded.as_slice()
        } else {
            value
        };
        match (&self.test, self.op) {
            (Test::Text(t), Operator::Equals) => value == t.as_slice(),
            (Test::Text(t), Operator::Prefix) => value.starts_with(t),
            (Test::Text(t), Operator::Suffix) => value.ends_with(t),
            (Test::Text(t), Operator::Contains) => {
                t.is_empty() || memchr::memmem::find(value, t).is_some()
            }
            (Test::List(l), _) => l.iter().any(|x| x.as_slice() == value),
            (Test::Regex(r), _) => r.is_match(value),
            (Test::Cidrs(c), _) => {
                let ip = if matches!(self.field, Field::ClientIp) {
                    facts.client_ip
                } else {
                    std::str::from_utf8(value)
                        .ok()
                        .and_then(|s| s.trim().parse().ok())
                };
                ip.is_some_and(|ip| crate::cidr::any_contains(c, ip))
            }
            (Test::Number(n), op) => {
                let Some(v) = std::str::from_utf8(value)
                    .ok()
                    .and_then(|s| s.trim().parse::<f64>().ok())
                else {
                    return false;
                };
                match op {
                    Operator::Lt => v < *n,
                    Operator::Le => v <= *n,
                    Operator::Gt => v > *n,
                    _ => v >= *n,
                }
            }
            (Test::None, _) => true,
            _ => false,
        }
    }

    /// Whether the condition holds.
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        let values = self.values(facts);
        let any = values.iter().any(|v| self.test_one(v, facts));
        any != self.negate
    }
}

impl CustomRule {
    /// Validates and compiles an entry.
    pub fn compile(spec: &CustomRuleSpec) -> Result<CustomRule, CustomRuleError> {
        if !(CUSTOM_ID_RANGE.0..=CUSTOM_ID_RANGE.1).contains(&spec.id) {
            return Err(CustomRuleError::Id(spec.id));
        }
        let conditions = spec
            .conditions
            .iter()
            .map(Condition::compile)
            .collect::<Result<Vec<_>, _>>()?;
        let missing = |key| CustomRuleError::ActionArgument {
            action: spec.action,
            key,
        };
        let action = match spec.action {
            ActionKind::Allow => Action::Allow,
            ActionKind::Block => Action::Block,
            ActionKind::Log => Action::Log,
            ActionKind::Score => Action::Score(spec.score.ok_or_else(|| missing("score"))?),
            ActionKind::Tag => Action::Tag(spec.tag.clone().ok_or_else(|| missing("tag"))?),
            ActionKind::RateLimit => Action::RateLimit(
                spec.rate_limit
                    .clone()
                    .ok_or_else(|| missing("rate_limit"))?,
            ),
        };
        let scope = Scope::compile(&crate::scope::scope_spec_of!(spec))?;
        Ok(CustomRule {
            id: spec.id,
            name: spec.name.clone(),
            conditions,
            action,
            severity: spec.severity.unwrap_or(Severity::Critical),
            scope,
        })
    }

    /// Whether any condition reads arguments (so the body may change the outcome).
    pub fn reads_args(&self) -> bool {
        self.conditions.iter().any(|c| c.field.reads_args())
    }

    /// Whether the rule fires on this request.
    pub fn fires(&self, facts: &Facts<'_>) -> bool {
        let input = ScopeInput {
            host: facts.host,
            path: facts.path,
            method: &facts.head.method,
        };
        self.scope.matches(&input) && self.conditions.iter().all(|c| c.holds(facts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> CustomRule {
        let spec: CustomRuleSpec = toml::from_str(text).unwrap();
        CustomRule::compile(&spec).unwrap()
    }

    fn facts<'a>(head: &'a RequestHead, ip: &str, args: &'a [(String, Vec<u8>)]) -> Facts<'a> {
        Facts {
            head,
            host: "shop.example",
            path: b"/admin/users",
            client_ip: ip.parse().ok(),
            args,
        }
    }

    #[test]
    fn cidr_and_prefix_conditions() {
        let r = rule(
            r#"
            id = 90001
            name = "admin only from the office"
            action = "block"
            conditions = [
              { field = "path", op = "prefix", value = "/admin" },
              { field = "client_ip", op = "ip_in_cidr", values = ["10.0.0.0/8", "192.0.2.0/24"], negate = true },
            ]
            "#,
        );
        let head = RequestHead::new("GET", b"/admin/users");
        assert!(r.fires(&facts(&head, "203.0.113.9", &[])));
        assert!(!r.fires(&facts(&head, "10.1.2.3", &[])));
    }

    #[test]
    fn header_args_and_numbers() {
        let r = rule(
            r#"
            id = 90002
            name = "big pages need a key"
            action = "score"
            score = 3
            conditions = [
              { field = "arg:limit", op = "gt", value = 500 },
              { field = "header:x-api-key", op = "exists", negate = true },
            ]
            "#,
        );
        let head = RequestHead::new("GET", b"/api?limit=1000");
        let args = vec![("limit".to_string(), b"1000".to_vec())];
        assert!(r.fires(&facts(&head, "198.51.100.1", &args)));
        let keyed = RequestHead::new("GET", b"/api?limit=1000").with_header("X-Api-Key", "k");
        assert!(!r.fires(&facts(&keyed, "198.51.100.1", &args)));
        assert!(r.reads_args());
    }

    #[test]
    fn invalid_rules_are_rejected() {
        for bad in [
            r#"id = 1
               name = "x"
               action = "block""#,
            r#"id = 90003
               name = "x"
               action = "score""#,
            r#"id = 90003
               name = "x"
               action = "block"
               conditions = [{ field = "nope", op = "exists" }]"#,
            r#"id = 90003
               name = "x"
               action = "block"
               conditions = [{ field = "path", op = "regex", value = "(a)\\1" }]"#,
        ] {
            let spec: CustomRuleSpec = toml::from_str(bad).unwrap();
            assert!(CustomRule::compile(&spec).is_err(), "{bad}");
        }
    }
}
