//! Targets: every value the rules look at, with where it came from.
//!
//! A [`TargetSource`] names the exact origin of a value (a query argument, a JSON
//! value, a multipart file name, ...). Each source belongs to exactly one
//! [`TargetClass`], the unit signatures select: a value is therefore scanned by
//! the rule groups of exactly one class, once per distinct transform chain.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The exact origin of an inspected value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TargetSource {
    /// The request method.
    Method,
    /// The request-target exactly as received (raw, not decoded).
    Uri,
    /// The normalised, decoded path.
    Path,
    /// The raw query string (everything after `?`, undecoded).
    QueryString,
    /// A query-string argument name (decoded once).
    QueryArgName,
    /// A query-string argument value (decoded once).
    QueryArg,
    /// A cookie name.
    CookieName,
    /// A cookie value.
    Cookie,
    /// A request header name (lowercase).
    HeaderName,
    /// A request header value.
    Header,
    /// A form field name from an urlencoded or multipart body.
    BodyArgName,
    /// A form field value from an urlencoded or multipart body.
    BodyArg,
    /// A JSON object key.
    JsonKey,
    /// A JSON string or number value.
    JsonValue,
    /// XML element text.
    XmlText,
    /// An XML attribute value.
    XmlAttr,
    /// XML markup declarations: DOCTYPE, ENTITY, processing instructions.
    XmlMarkup,
    /// A multipart file name (the `filename` parameter).
    MultipartFileName,
    /// The leading bytes of a multipart file's contents.
    MultipartFileContent,
    /// A body inspected as raw text (unknown or text content types).
    RawBody,
}

impl TargetSource {
    /// All sources, in declaration order.
    pub const ALL: [TargetSource; 20] = [
        TargetSource::Method,
        TargetSource::Uri,
        TargetSource::Path,
        TargetSource::QueryString,
        TargetSource::QueryArgName,
        TargetSource::QueryArg,
        TargetSource::CookieName,
        TargetSource::Cookie,
        TargetSource::HeaderName,
        TargetSource::Header,
        TargetSource::BodyArgName,
        TargetSource::BodyArg,
        TargetSource::JsonKey,
        TargetSource::JsonValue,
        TargetSource::XmlText,
        TargetSource::XmlAttr,
        TargetSource::XmlMarkup,
        TargetSource::MultipartFileName,
        TargetSource::MultipartFileContent,
        TargetSource::RawBody,
    ];

    /// The class that signatures select this source by.
    pub fn class(self) -> TargetClass {
        use TargetSource as S;
        match self {
            S::Method => TargetClass::Method,
            S::Uri | S::QueryString => TargetClass::Uri,
            S::Path => TargetClass::Path,
            S::QueryArg | S::BodyArg | S::JsonValue | S::XmlText | S::XmlAttr => TargetClass::Args,
            S::QueryArgName | S::BodyArgName | S::JsonKey => TargetClass::ArgNames,
            S::CookieName => TargetClass::CookieNames,
            S::Cookie => TargetClass::Cookies,
            S::HeaderName => TargetClass::HeaderNames,
            S::Header => TargetClass::Headers,
            S::XmlMarkup => TargetClass::XmlMarkup,
            S::MultipartFileName => TargetClass::Files,
            S::MultipartFileContent => TargetClass::FileContent,
            S::RawBody => TargetClass::Body,
        }
    }

    /// The prefix used when a target is shown or selected by name (`args:q`).
    pub fn prefix(self) -> &'static str {
        use TargetSource as S;
        match self {
            S::Method => "method",
            S::Uri => "uri",
            S::Path => "path",
            S::QueryString => "query_string",
            S::QueryArg | S::BodyArg => "args",
            S::QueryArgName | S::BodyArgName => "args_names",
            S::CookieName => "cookie_names",
            S::Cookie => "cookie",
            S::HeaderName => "header_names",
            S::Header => "header",
            S::JsonKey => "json_keys",
            S::JsonValue => "json",
            S::XmlText => "xml",
            S::XmlAttr => "xml_attrs",
            S::XmlMarkup => "xml_markup",
            S::MultipartFileName => "files",
            S::MultipartFileContent => "file_content",
            S::RawBody => "body",
        }
    }

    /// Whether targets of this source carry a name (`args:q`) or stand alone (`path`).
    pub fn is_named(self) -> bool {
        !matches!(
            self,
            TargetSource::Method
                | TargetSource::Uri
                | TargetSource::Path
                | TargetSource::QueryString
                | TargetSource::RawBody
        )
    }
}

/// The groups of sources that signatures select (`targets = ["args", "cookies"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetClass {
    Method,
    Uri,
    Path,
    Args,
    ArgNames,
    Cookies,
    CookieNames,
    Headers,
    HeaderNames,
    XmlMarkup,
    Files,
    FileContent,
    Body,
}

impl TargetClass {
    /// All classes, in declaration order.
    pub const ALL: [TargetClass; 13] = [
        TargetClass::Method,
        TargetClass::Uri,
        TargetClass::Path,
        TargetClass::Args,
        TargetClass::ArgNames,
        TargetClass::Cookies,
        TargetClass::CookieNames,
        TargetClass::Headers,
        TargetClass::HeaderNames,
        TargetClass::XmlMarkup,
        TargetClass::Files,
        TargetClass::FileContent,
        TargetClass::Body,
    ];

    /// A dense index for tables keyed by class.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A value under inspection, borrowed from the request or a parser's buffer.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    pub source: TargetSource,
    /// The value's name (argument name, header name, JSON path); empty if unnamed.
    pub name: &'a str,
    pub value: &'a [u8],
}

impl Target<'_> {
    /// The display form of where the value came from: `args:q`, `json:user.tags[2]`, `path`.
    pub fn label(&self) -> String {
        TargetLabel {
            source: self.source,
            name: self.name,
        }
        .to_string()
    }
}

/// Display helper for `prefix:name` labels.
pub struct TargetLabel<'a> {
    pub source: TargetSource,
    pub name: &'a str,
}

impl TargetLabel<'_> {
    /// Writes the label into `out` (cleared first), without the formatting
    /// machinery: this runs for every value.
    pub fn write_to(&self, out: &mut String) {
        out.clear();
        out.push_str(self.source.prefix());
        if self.source.is_named() {
            out.push(':');
            out.push_str(self.name);
        }
    }
}

impl fmt::Display for TargetLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_named() {
            write!(f, "{}:{}", self.source.prefix(), self.name)
        } else {
            f.write_str(self.source.prefix())
        }
    }
}
