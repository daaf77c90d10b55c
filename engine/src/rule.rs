//! Rule identity and classification: ids, categories, severities, paranoia levels
//! and the target selectors a rule names.

use crate::target::{TargetClass, TargetSource};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A rule's numeric id, unique across the loaded set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RuleId(pub u32);

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// What kind of attack (or problem) a rule detects. Each category owns an id range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Protocol violations, limits, smuggling markers, malformed bodies.
    Protocol,
    /// Scanner and attack-tool fingerprints.
    Scanner,
    /// Local file inclusion and path traversal.
    Lfi,
    /// Remote file inclusion.
    Rfi,
    /// OS command injection.
    Rce,
    /// PHP code injection and wrappers.
    Php,
    /// SQL injection.
    Sqli,
    /// Cross-site scripting.
    Xss,
    /// NoSQL (MongoDB-style operator) injection.
    Nosqli,
    /// Server-side template injection.
    Ssti,
    /// LDAP injection.
    Ldap,
    /// XML external entities and entity expansion.
    Xxe,
    /// Server-side request forgery.
    Ssrf,
    /// Java: JNDI lookups, deserialisation gadgets, class-loader access.
    Java,
    /// Node.js prototype pollution and friends.
    Nodejs,
    /// CRLF / header injection and response splitting.
    HeaderInjection,
    /// Session fixation.
    SessionFixation,
    /// Rules written in a policy rather than the signature set.
    Custom,
}

impl Category {
    /// Every category.
    pub const ALL: [Category; 18] = [
        Category::Protocol,
        Category::Scanner,
        Category::Lfi,
        Category::Rfi,
        Category::Rce,
        Category::Php,
        Category::Sqli,
        Category::Xss,
        Category::Nosqli,
        Category::Ssti,
        Category::Ldap,
        Category::Xxe,
        Category::Ssrf,
        Category::Java,
        Category::Nodejs,
        Category::HeaderInjection,
        Category::SessionFixation,
        Category::Custom,
    ];

    /// The id range reserved for signatures of this category (inclusive).
    pub fn id_range(self) -> (u32, u32) {
        let base = match self {
            Category::Protocol => 10_000,
            Category::Scanner => 11_000,
            Category::Lfi => 12_000,
            Category::Rfi => 13_000,
            Category::Rce => 14_000,
            Category::Php => 15_000,
            Category::Sqli => 16_000,
            Category::Xss => 17_000,
            Category::Nosqli => 18_000,
            Category::Ssti => 19_000,
            Category::Ldap => 20_000,
            Category::Xxe => 21_000,
            Category::Ssrf => 22_000,
            Category::Java => 23_000,
            Category::Nodejs => 24_000,
            Category::HeaderInjection => 25_000,
            Category::SessionFixation => 26_000,
            Category::Custom => 90_000,
        };
        let width = if self == Category::Custom { 9_999 } else { 999 };
        (base, base + width)
    }

    /// The snake_case name used in files and output.
    pub fn name(self) -> &'static str {
        match self {
            Category::Protocol => "protocol",
            Category::Scanner => "scanner",
            Category::Lfi => "lfi",
            Category::Rfi => "rfi",
            Category::Rce => "rce",
            Category::Php => "php",
            Category::Sqli => "sqli",
            Category::Xss => "xss",
            Category::Nosqli => "nosqli",
            Category::Ssti => "ssti",
            Category::Ldap => "ldap",
            Category::Xxe => "xxe",
            Category::Ssrf => "ssrf",
            Category::Java => "java",
            Category::Nodejs => "nodejs",
            Category::HeaderInjection => "header_injection",
            Category::SessionFixation => "session_fixation",
            Category::Custom => "custom",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How serious a finding is; the weight is what it adds to the anomaly score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Notice,
    Warning,
    Error,
    Critical,
}

impl Severity {
    /// Anomaly-score weight (the scale operators of CRS already know).
    pub fn weight(self) -> u32 {
        match self {
            Severity::Critical => 5,
            Severity::Error => 4,
            Severity::Warning => 3,
            Severity::Notice => 2,
        }
    }
}

/// Paranoia level 1–4: higher levels switch on stricter, noisier rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Paranoia(u8);

impl Paranoia {
    pub const MIN: Paranoia = Paranoia(1);
    pub const MAX: Paranoia = Paranoia(4);

    /// A level from 1 to 4.
    pub fn new(level: u8) -> Option<Paranoia> {
        (1..=4).contains(&level).then_some(Paranoia(level))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl Default for Paranoia {
    fn default() -> Self {
        Paranoia::MIN
    }
}

impl TryFrom<u8> for Paranoia {
    type Error = String;
    fn try_from(level: u8) -> Result<Self, Self::Error> {
        Paranoia::new(level).ok_or_else(|| format!("paranoia must be 1 to 4, got {level}"))
    }
}

impl From<Paranoia> for u8 {
    fn from(p: Paranoia) -> u8 {
        p.0
    }
}

/// What a rule looks at: a target class, optionally narrowed to named values
/// (`headers` or `header:user-agent`, `args` or `args:q`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TargetSelector {
    pub class: TargetClass,
    /// Lowercased name the target must have; `None` selects every value of the class.
    pub name: Option<String>,
}

impl TargetSelector {
    /// Parses `class` or `class:name`. Class names: method, uri, path, args, arg_names,
    /// cookies, cookie_names, headers, header_names, xml_markup, files, file_content, body;
    /// `header:NAME`, `cookie:NAME` and `args:NAME` are accepted for named selection.
    pub fn parse(text: &str) -> Result<TargetSelector, String> {
        let (class_name, name) = match text.split_once(':') {
            Some((c, n)) => (c, Some(n.to_ascii_lowercase())),
            None => (text, None),
        };
        let class = match class_name {
            "method" => TargetClass::Method,
            "uri" => TargetClass::Uri,
            "path" => TargetClass::Path,
            "args" => TargetClass::Args,
            "arg_names" | "args_names" => TargetClass::ArgNames,
            "cookies" | "cookie" => TargetClass::Cookies,
            "cookie_names" => TargetClass::CookieNames,
            "headers" | "header" => TargetClass::Headers,
            "header_names" => TargetClass::HeaderNames,
            "xml_markup" => TargetClass::XmlMarkup,
            "files" => TargetClass::Files,
            "file_content" => TargetClass::FileContent,
            "body" => TargetClass::Body,
            other => {
                return Err(format!(
                    "unknown target `{other}` (expected one of method, uri, path, args, arg_names, cookies, cookie_names, headers, header_names, xml_markup, files, file_content, body, optionally with `:name`)"
                ))
            }
        };
        if matches!(name.as_deref(), Some("")) {
            return Err(format!("target `{text}` has an empty name"));
        }
        Ok(TargetSelector { class, name })
    }

    /// Whether a value with this source and name is selected.
    pub fn selects(&self, source: TargetSource, name: &str) -> bool {
        source.class() == self.class
            && match &self.name {
                None => true,
                Some(want) => want.eq_ignore_ascii_case(name),
            }
    }
}
