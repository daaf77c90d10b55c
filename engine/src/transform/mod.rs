//! Transforms: decoders and normalisers applied to a value before matching.
//!
//! Contract, for every transform:
//! - it is a pure function of its input, linear in the input's length, and never
//!   panics on any byte sequence;
//! - it returns `Cow::Borrowed` exactly when the output equals the input, so an
//!   untouched value costs no allocation;
//! - its output is never longer than a small constant times its input.
//!
//! Each transform lives in its own module with its own test vectors in
//! `testdata/transforms/<name>.toml`. A signature names a *chain* of transforms;
//! the matcher computes each distinct chain once per value.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

pub mod base64_decode;
pub mod cmdline;
mod common;
pub mod compress_whitespace;
pub mod css_decode;
pub mod html_entity_decode;
pub mod js_decode;
pub mod lowercase;
pub mod normalise_path;
pub mod remove_nulls;
pub mod remove_sql_comments;
pub mod summary;
pub mod url_decode;
pub mod utf8_overlong;

/// One transform, as named in signature files (`transforms = ["url_decode", "lowercase"]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// `%XX` and `%uXXXX` decoding, once. `+` is left alone.
    UrlDecode,
    /// `url_decode` repeated until the value stops changing, at most [`url_decode::MAX_PASSES`] passes.
    UrlDecodeMulti,
    /// HTML character references: named (`&lt;`), decimal (`&#60;`), hex (`&#x3c;`), with or without `;`.
    HtmlEntityDecode,
    /// JavaScript escapes: `\xHH`, `\uHHHH`, `\u{H..}`, `\OOO`, `\n` and friends.
    JsDecode,
    /// CSS escapes: `\H` to `\HHHHHH` with optional trailing space, `\c`.
    CssDecode,
    /// ASCII lowercase.
    Lowercase,
    /// Runs of whitespace (space, tab, CR, LF, VT, FF, NBSP) become one space.
    CompressWhitespace,
    /// NUL bytes removed.
    RemoveNulls,
    /// Path normalisation: `\` to `/`, `//` collapsed, `./` and `../` resolved.
    NormalisePath,
    /// SQL comments (`/* */`, `-- `, `#`) replaced by one space; MySQL `/*! */` keeps its body.
    RemoveSqlComments,
    /// Shell-command normalisation: quotes, `\`, `^` removed, `$IFS`/`${IFS}` to space, `,;` spacing, lowercase.
    Cmdline,
    /// Overlong UTF-8 sequences (`%c0%af` after decoding) folded to their ASCII character.
    Utf8Overlong,
    /// Base64 decoding when the value is plausibly base64; otherwise the value unchanged.
    Base64Decode,
}

impl Transform {
    /// Applies the transform. Returns `Cow::Borrowed` iff nothing changed.
    pub fn apply(self, input: &[u8]) -> Cow<'_, [u8]> {
        match self {
            Transform::UrlDecode => url_decode::url_decode(input),
            Transform::UrlDecodeMulti => url_decode::url_decode_multi(input),
            Transform::HtmlEntityDecode => html_entity_decode::html_entity_decode(input),
            Transform::JsDecode => js_decode::js_decode(input),
            Transform::CssDecode => css_decode::css_decode(input),
            Transform::Lowercase => lowercase::lowercase(input),
            Transform::CompressWhitespace => compress_whitespace::compress_whitespace(input),
            Transform::RemoveNulls => remove_nulls::remove_nulls(input),
            Transform::NormalisePath => normalise_path::normalise_path(input),
            Transform::RemoveSqlComments => remove_sql_comments::remove_sql_comments(input),
            Transform::Cmdline => cmdline::cmdline(input),
            Transform::Utf8Overlong => utf8_overlong::utf8_overlong(input),
            Transform::Base64Decode => base64_decode::base64_decode(input),
        }
    }

    /// The snake_case name used in signature files.
    pub fn name(self) -> &'static str {
        match self {
            Transform::UrlDecode => "url_decode",
            Transform::UrlDecodeMulti => "url_decode_multi",
            Transform::HtmlEntityDecode => "html_entity_decode",
            Transform::JsDecode => "js_decode",
            Transform::CssDecode => "css_decode",
            Transform::Lowercase => "lowercase",
            Transform::CompressWhitespace => "compress_whitespace",
            Transform::RemoveNulls => "remove_nulls",
            Transform::NormalisePath => "normalise_path",
            Transform::RemoveSqlComments => "remove_sql_comments",
            Transform::Cmdline => "cmdline",
            Transform::Utf8Overlong => "utf8_overlong",
            Transform::Base64Decode => "base64_decode",
        }
    }

    /// Looks a transform up by its file name.
    pub fn from_name(name: &str) -> Option<Transform> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Every transform.
    pub const ALL: [Transform; 13] = [
        Transform::UrlDecode,
        Transform::UrlDecodeMulti,
        Transform::HtmlEntityDecode,
        Transform::JsDecode,
        Transform::CssDecode,
        Transform::Lowercase,
        Transform::CompressWhitespace,
        Transform::RemoveNulls,
        Transform::NormalisePath,
        Transform::RemoveSqlComments,
        Transform::Cmdline,
        Transform::Utf8Overlong,
        Transform::Base64Decode,
    ];
}

impl fmt::Display for Transform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An ordered list of transforms; the empty chain inspects the value as is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Chain(pub Vec<Transform>);

impl Chain {
    /// Applies every transform in order, allocating only when a step changes the value.
    pub fn apply<'a>(&self, input: &'a [u8]) -> Cow<'a, [u8]> {
        let mut current: Cow<'a, [u8]> = Cow::Borrowed(input);
        for transform in &self.0 {
            current = match current {
                Cow::Borrowed(bytes) => transform.apply(bytes),
                Cow::Owned(bytes) => {
                    let next = transform.apply(&bytes);
                    let changed = matches!(next, Cow::Owned(_));
                    if changed {
                        Cow::Owned(next.into_owned())
                    } else {
                        drop(next);
                        Cow::Owned(bytes)
                    }
                }
            };
        }
        current
    }

    /// `url_decode,lowercase` or `none`.
    pub fn describe(&self) -> String {
        if self.0.is_empty() {
            return "none".to_string();
        }
        self.0
            .iter()
            .map(|t| t.name())
            .collect::<Vec<_>>()
            .join(",")
    }
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}
