//! Built-in protocol findings: problems with a request's framing, headers or
//! body structure that the engine detects in code rather than with signatures
//! (malformed bodies, limits, smuggling and splitting markers, policy
//! allow-lists). Each check has a fixed id in the protocol range (10000–10999),
//! a severity, a category and a paranoia level.
//!
//! Contract:
//! - A check never reports above the request's paranoia level: [`Sink::report`]
//!   implementations drop it, and the check functions skip work for levels that
//!   are off ([`wants`]).
//! - Ids follow the numbering convention of `docs/signatures.md`: 100xx checks are
//!   paranoia 1, 101xx stricter ones. Ids never change meaning once released.
//! - Checks are pure functions of the head, of each value a body parser reports
//!   and of the raw body bytes; they keep only the bounded [`RequestState`], so
//!   chunking never changes what they report.
//!
//! [`runner`] holds the per-request state and the entry points the inspector
//! calls. The checks live by concern: [`head`] (request line, framing, `Host`,
//! `Content-Type` policy, restricted headers and files), [`fields`] (ranges,
//! `Connection`, the `Accept` family and other header fields), [`media`]
//! (Content-Type and Accept parameter parsing), [`encoding`]
//! (percent-encoding, UTF-8 and character-set checks), [`multipart`] (part
//! headers) and [`attack`] (smuggling, header injection, response splitting and
//! parameter tricks).

use crate::body::BodyIssue;
use crate::rule::{Category, Paranoia, RuleId, Severity};
use crate::transform::summary::ByteSet;
use crate::verdict::Finding;

pub mod attack;
pub mod encoding;
pub mod fields;
pub mod head;
pub mod media;
pub mod multipart;
mod runner;

pub use runner::{
    check_body_chunk, check_head, check_part_header, check_value, checked_bytes, finish_body,
    name_is_checked, RequestState,
};

/// A protocol problem the engine detects in code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtocolCheck {
    BodyMalformed,
    BodyTruncated,
    BodyTooDeep,
    ValueTruncated,
    TooManyArgs,
    BodyOverLimit,
    TooManyHeaders,
    ContentLengthAndTransferEncoding,
    InvalidContentLength,
    NulInRequestTarget,
    MethodMalformed,
    MethodNotAllowed,
    RequestTargetMalformed,
    AbsoluteTargetWithoutPath,
    HttpVersionNotAllowed,
    HostMissing,
    HostEmpty,
    HostIsIpAddress,
    MultipleHost,
    BodyOnGetOrHead,
    BodyWithoutLength,
    TransferEncodingInvalid,
    BodyWithoutContentType,
    ContentTypeMalformed,
    ContentTypeNotAllowed,
    MultipartTypeNotAllowed,
    CharsetNotAllowed,
    CharsetAmbiguous,
    MultipleContentType,
    MediaTypeInContentTypeParam,
    RangeMalformed,
    RangeTooMany,
    ConnectionConflict,
    ConnectionNominatesProtected,
    AcceptEmpty,
    UserAgentEmpty,
    AcceptCharsetNotAllowed,
    AcceptEncodingMalformed,
    RestrictedHeader,
    ContentRangeMalformed,
    RestrictedExtension,
    BackupFile,
    AlternateDataStream,
    DevcapCharsetNotAllowed,
    ArgNameTooLong,
    NulInValue,
    InvalidUtf8,
    FullWidthPercentU,
    UnicodeEscapedAlnum,
    MultipartNameUnsafe,
    MultipartCharsetNotAllowed,
    MultipartTransferEncoding,
    MultipartHeaderMalformed,
    FormCharsetFieldNotAllowed,
    RequestLineInValue,
    HeaderInjection,
    LineBreakInArgName,
    ResponseSplitting,
    MetaHttpEquiv,
    LineBreakInPath,
    ModProxyUnixSocket,
    CookieVersionAttribute,
    LdapFilterBreakout,
    UserAgentMissing,
    RangeManyForNonPdf,
    MultipleUrlEncoding,
    InvalidUrlEncodingInBody,
    ControlCharacter,
    MultipartNameQuote,
    StrictRestrictedHeader,
    MethodOverride,
    LineBreakInQueryArg,
    AnyMediaTypeInContentTypeParam,
    FragmentInTarget,
    MultipartTransferEncodingPresent,
    AcceptMissing,
    NonPrintableCharacter,
    CacheControlInvalid,
    AcceptEncodingUnknown,
    DuplicateQueryParam,
    ArrayNameTrailingText,
    RangeHeaderPresent,
    StrictArgCharacter,
    StrictHeaderCharacter,
    StructuredBooleanInvalid,
    RangeManyAny,
    ArrayParam,
    BackslashEscape,
}

/// Everything fixed about a check.
struct Spec {
    id: u32,
    paranoia: u8,
    severity: Severity,
    category: Category,
    message: &'static str,
}

const fn spec(
    id: u32,
    paranoia: u8,
    severity: Severity,
    category: Category,
    message: &'static str,
) -> Spec {
    Spec {
        id,
        paranoia,
        severity,
        category,
        message,
    }
}

impl ProtocolCheck {
    /// Every check, in declaration order.
    pub const ALL: [ProtocolCheck; 88] = [
        ProtocolCheck::BodyMalformed,
        ProtocolCheck::BodyTruncated,
        ProtocolCheck::BodyTooDeep,
        ProtocolCheck::ValueTruncated,
        ProtocolCheck::TooManyArgs,
        ProtocolCheck::BodyOverLimit,
        ProtocolCheck::TooManyHeaders,
        ProtocolCheck::ContentLengthAndTransferEncoding,
        ProtocolCheck::InvalidContentLength,
        ProtocolCheck::NulInRequestTarget,
        ProtocolCheck::MethodMalformed,
        ProtocolCheck::MethodNotAllowed,
        ProtocolCheck::RequestTargetMalformed,
        ProtocolCheck::AbsoluteTargetWithoutPath,
        ProtocolCheck::HttpVersionNotAllowed,
        ProtocolCheck::HostMissing,
        ProtocolCheck::HostEmpty,
        ProtocolCheck::HostIsIpAddress,
        ProtocolCheck::MultipleHost,
        ProtocolCheck::BodyOnGetOrHead,
        ProtocolCheck::BodyWithoutLength,
        ProtocolCheck::TransferEncodingInvalid,
        ProtocolCheck::BodyWithoutContentType,
        ProtocolCheck::ContentTypeMalformed,
        ProtocolCheck::ContentTypeNotAllowed,
        ProtocolCheck::MultipartTypeNotAllowed,
        ProtocolCheck::CharsetNotAllowed,
        ProtocolCheck::CharsetAmbiguous,
        ProtocolCheck::MultipleContentType,
        ProtocolCheck::MediaTypeInContentTypeParam,
        ProtocolCheck::RangeMalformed,
        ProtocolCheck::RangeTooMany,
        ProtocolCheck::ConnectionConflict,
        ProtocolCheck::ConnectionNominatesProtected,
        ProtocolCheck::AcceptEmpty,
        ProtocolCheck::UserAgentEmpty,
        ProtocolCheck::AcceptCharsetNotAllowed,
        ProtocolCheck::AcceptEncodingMalformed,
        ProtocolCheck::RestrictedHeader,
        ProtocolCheck::ContentRangeMalformed,
        ProtocolCheck::RestrictedExtension,
        ProtocolCheck::BackupFile,
        ProtocolCheck::AlternateDataStream,
        ProtocolCheck::DevcapCharsetNotAllowed,
        ProtocolCheck::ArgNameTooLong,
        ProtocolCheck::NulInValue,
        ProtocolCheck::InvalidUtf8,
        ProtocolCheck::FullWidthPercentU,
        ProtocolCheck::UnicodeEscapedAlnum,
        ProtocolCheck::MultipartNameUnsafe,
        ProtocolCheck::MultipartCharsetNotAllowed,
        ProtocolCheck::MultipartTransferEncoding,
        ProtocolCheck::MultipartHeaderMalformed,
        ProtocolCheck::FormCharsetFieldNotAllowed,
        ProtocolCheck::RequestLineInValue,
        ProtocolCheck::HeaderInjection,
        ProtocolCheck::LineBreakInArgName,
        ProtocolCheck::ResponseSplitting,
        ProtocolCheck::MetaHttpEquiv,
        ProtocolCheck::LineBreakInPath,
        ProtocolCheck::ModProxyUnixSocket,
        ProtocolCheck::CookieVersionAttribute,
        ProtocolCheck::LdapFilterBreakout,
        ProtocolCheck::UserAgentMissing,
        ProtocolCheck::RangeManyForNonPdf,
        ProtocolCheck::MultipleUrlEncoding,
        ProtocolCheck::InvalidUrlEncodingInBody,
        ProtocolCheck::ControlCharacter,
        ProtocolCheck::MultipartNameQuote,
        ProtocolCheck::StrictRestrictedHeader,
        ProtocolCheck::MethodOverride,
        ProtocolCheck::LineBreakInQueryArg,
        ProtocolCheck::AnyMediaTypeInContentTypeParam,
        ProtocolCheck::FragmentInTarget,
        ProtocolCheck::MultipartTransferEncodingPresent,
        ProtocolCheck::AcceptMissing,
        ProtocolCheck::NonPrintableCharacter,
        ProtocolCheck::CacheControlInvalid,
        ProtocolCheck::AcceptEncodingUnknown,
        ProtocolCheck::DuplicateQueryParam,
        ProtocolCheck::ArrayNameTrailingText,
        ProtocolCheck::RangeHeaderPresent,
        ProtocolCheck::StrictArgCharacter,
        ProtocolCheck::StrictHeaderCharacter,
        ProtocolCheck::StructuredBooleanInvalid,
        ProtocolCheck::RangeManyAny,
        ProtocolCheck::ArrayParam,
        ProtocolCheck::BackslashEscape,
    ];

    #[rustfmt::skip]
    fn spec(self) -> Spec {
        use Category::{HeaderInjection as Inj, Ldap, Protocol as P};
        use ProtocolCheck as C;
        use Severity::{Critical as Cr, Error as Er, Notice as No, Warning as Wa};
        match self {
            C::BodyMalformed => spec(10_001, 1, Cr, P, "request body could not be parsed for its content type"),
            C::BodyTruncated => spec(10_002, 1, Cr, P, "request body ended in the middle of a structure"),
            C::BodyTooDeep => spec(10_003, 1, Cr, P, "request body nests deeper than the limit"),
            C::ValueTruncated => spec(10_004, 1, No, P, "a value was longer than the inspection limit"),
            C::TooManyArgs => spec(10_005, 1, No, P, "more arguments than the inspection limit"),
            C::BodyOverLimit => spec(10_006, 1, No, P, "body larger than the inspection limit"),
            C::TooManyHeaders => spec(10_007, 1, No, P, "more headers than the inspection limit"),
            C::ContentLengthAndTransferEncoding => spec(10_010, 1, Cr, P, "both Content-Length and Transfer-Encoding (request smuggling marker)"),
            C::InvalidContentLength => spec(10_011, 1, Cr, P, "invalid or conflicting Content-Length"),
            C::NulInRequestTarget => spec(10_012, 1, Cr, P, "NUL byte in the request target"),
            C::MethodMalformed => spec(10_013, 1, Cr, P, "request method is not a plain method name"),
            C::MethodNotAllowed => spec(10_014, 1, Cr, P, "request method is not allowed by the policy"),
            C::RequestTargetMalformed => spec(10_015, 1, Cr, P, "request target does not fit its method or contains raw control bytes"),
            C::AbsoluteTargetWithoutPath => spec(10_016, 1, No, P, "absolute request target without a path"),
            C::HttpVersionNotAllowed => spec(10_017, 1, Cr, P, "HTTP version is not allowed by the policy"),
            C::HostMissing => spec(10_018, 1, No, P, "HTTP/1.0 request without a Host header"),
            C::HostEmpty => spec(10_019, 1, Wa, P, "empty Host header"),
            C::HostIsIpAddress => spec(10_020, 1, No, P, "Host header is a numeric IP address"),
            C::MultipleHost => spec(10_021, 1, Cr, P, "more than one Host header"),
            C::BodyOnGetOrHead => spec(10_022, 1, Er, P, "GET or HEAD request announces a body"),
            C::BodyWithoutLength => spec(10_023, 1, No, P, "POST/PUT/PATCH over HTTP/1.x without Content-Length or Transfer-Encoding"),
            C::TransferEncodingInvalid => spec(10_024, 1, Cr, P, "Transfer-Encoding other than a final, single `chunked` (request smuggling marker)"),
            C::BodyWithoutContentType => spec(10_025, 1, No, P, "request body without a Content-Type"),
            C::ContentTypeMalformed => spec(10_026, 1, Cr, P, "malformed Content-Type header"),
            C::ContentTypeNotAllowed => spec(10_027, 1, Wa, P, "request body media type is not allowed by the policy"),
            C::MultipartTypeNotAllowed => spec(10_046, 1, Cr, P, "multipart body of a kind the policy does not allow (not inspected part by part)"),
            C::CharsetNotAllowed => spec(10_028, 1, Cr, P, "Content-Type charset is not allowed by the policy"),
            C::CharsetAmbiguous => spec(10_029, 1, Cr, P, "Content-Type names more than one charset"),
            C::MultipleContentType => spec(10_030, 1, Cr, P, "request with a body has more than one Content-Type header"),
            C::MediaTypeInContentTypeParam => spec(10_031, 1, Cr, P, "Content-Type parameter holds a JSON, XML, form or multipart media type"),
            C::RangeMalformed => spec(10_032, 1, Wa, P, "unparsable or heavily overlapping byte ranges in Range"),
            C::RangeTooMany => spec(10_033, 1, Cr, P, "more byte ranges than the policy allows"),
            C::ConnectionConflict => spec(10_034, 1, Wa, P, "repeated or conflicting Connection options"),
            C::ConnectionNominatesProtected => spec(10_035, 1, Cr, P, "Connection header nominates an end-to-end header for removal"),
            C::AcceptEmpty => spec(10_036, 1, No, P, "empty Accept header"),
            C::UserAgentEmpty => spec(10_037, 1, No, P, "empty User-Agent header"),
            C::AcceptCharsetNotAllowed => spec(10_038, 1, Cr, P, "Accept asks for a charset the policy does not allow"),
            C::AcceptEncodingMalformed => spec(10_039, 1, Cr, P, "oversized or malformed Accept-Encoding"),
            C::RestrictedHeader => spec(10_040, 1, Cr, P, "request header is restricted by the policy"),
            C::ContentRangeMalformed => spec(10_041, 1, Wa, P, "invalid Content-Range in a request"),
            C::RestrictedExtension => spec(10_042, 1, Cr, P, "requested file extension is restricted by the policy"),
            C::BackupFile => spec(10_043, 1, Cr, P, "request for an editor backup file (name ending in ~)"),
            C::AlternateDataStream => spec(10_047, 1, Wa, P, "colon after a file extension in the path (NTFS alternate data stream)"),
            C::DevcapCharsetNotAllowed => spec(10_044, 1, Cr, P, "X-Up-Devcap-Post-Charset names a charset the policy does not allow"),
            C::ArgNameTooLong => spec(10_045, 1, No, P, "argument name longer than the policy allows"),
            C::NulInValue => spec(10_050, 1, Cr, P, "NUL byte in an argument, cookie or header"),
            C::InvalidUtf8 => spec(10_051, 1, Wa, P, "argument is not valid UTF-8 (overlong, truncated or out-of-range sequence)"),
            C::FullWidthPercentU => spec(10_052, 1, Wa, P, "%u escape of a full-width or half-width character"),
            C::UnicodeEscapedAlnum => spec(10_053, 1, Cr, P, "\\u escape of a plain letter or digit in an argument"),
            C::MultipartNameUnsafe => spec(10_060, 1, Cr, P, "multipart field or file name holds characters that confuse part parsers"),
            C::MultipartCharsetNotAllowed => spec(10_061, 1, Cr, P, "multipart part charset is not allowed by the policy"),
            C::MultipartTransferEncoding => spec(10_062, 1, Cr, P, "multipart part uses a decoding Content-Transfer-Encoding"),
            C::MultipartHeaderMalformed => spec(10_063, 1, Cr, P, "multipart part header has an invalid name or control bytes"),
            C::FormCharsetFieldNotAllowed => spec(10_064, 1, Cr, P, "form `_charset_` field names a charset the policy does not allow"),
            C::RequestLineInValue => spec(10_080, 1, Cr, P, "HTTP request line inside an argument or body (request smuggling)"),
            C::HeaderInjection => spec(10_081, 1, Cr, Inj, "line break followed by a header field (header injection)"),
            C::LineBreakInArgName => spec(10_082, 1, Cr, Inj, "CR or LF in an argument name"),
            C::ResponseSplitting => spec(10_083, 1, Cr, Inj, "line break followed by a status line or a second message (response splitting)"),
            C::MetaHttpEquiv => spec(10_084, 1, Cr, Inj, "HTML meta http-equiv in an argument (header emulation)"),
            C::LineBreakInPath => spec(10_085, 1, Cr, P, "CR or LF in the request path"),
            C::ModProxyUnixSocket => spec(10_086, 1, Cr, P, "`unix:` socket reference in the request target (mod_proxy SSRF)"),
            C::CookieVersionAttribute => spec(10_087, 1, Cr, P, "obsolete `$Version` cookie attribute (cookie parsing differential)"),
            C::LdapFilterBreakout => spec(10_088, 1, Cr, Ldap, "value closes an LDAP filter and opens another (LDAP injection)"),
            C::UserAgentMissing => spec(10_100, 2, No, P, "request without a User-Agent header"),
            C::RangeManyForNonPdf => spec(10_101, 2, Wa, P, "more than five byte ranges for a non-PDF resource"),
            C::MultipleUrlEncoding => spec(10_102, 2, Wa, P, "argument is still percent-encoded after decoding (multiple encoding)"),
            C::InvalidUrlEncodingInBody => spec(10_103, 2, Wa, P, "invalid percent-encoding in a form body"),
            C::ControlCharacter => spec(10_104, 2, Er, P, "control character in the URI, an argument or a header"),
            C::MultipartNameQuote => spec(10_105, 2, Er, P, "quote in a multipart field or file name"),
            C::StrictRestrictedHeader => spec(10_106, 2, Er, P, "request header is restricted by the policy from paranoia 2"),
            C::MethodOverride => spec(10_107, 2, Wa, P, "method override parameter or header names another method"),
            C::LineBreakInQueryArg => spec(10_108, 2, Er, Inj, "CR or LF in a query argument"),
            C::AnyMediaTypeInContentTypeParam => spec(10_109, 2, Er, P, "Content-Type parameter holds a media type"),
            C::FragmentInTarget => spec(10_110, 2, No, P, "fragment (#) in the request target"),
            C::MultipartTransferEncodingPresent => spec(10_111, 2, No, P, "multipart part has a Content-Transfer-Encoding (deprecated for form data)"),
            C::AcceptMissing => spec(10_120, 3, No, P, "request without an Accept header"),
            C::NonPrintableCharacter => spec(10_121, 3, Wa, P, "byte outside printable ASCII (or a % left after decoding)"),
            C::CacheControlInvalid => spec(10_122, 3, Wa, P, "invalid or non-request Cache-Control directive"),
            C::AcceptEncodingUnknown => spec(10_123, 3, No, P, "unknown content coding in Accept-Encoding"),
            C::DuplicateQueryParam => spec(10_124, 3, Wa, P, "query parameter repeated (parameter pollution)"),
            C::ArrayNameTrailingText => spec(10_125, 3, Wa, P, "text after the brackets of an array parameter name"),
            C::RangeHeaderPresent => spec(10_126, 3, No, P, "Range header (byte ranges are not expected at this paranoia level)"),
            C::StrictArgCharacter => spec(10_140, 4, Wa, P, "argument byte outside the strict character set"),
            C::StrictHeaderCharacter => spec(10_141, 4, Wa, P, "header byte outside the strict character set"),
            C::StructuredBooleanInvalid => spec(10_142, 4, Wa, P, "Sec-Fetch-User / Sec-CH-UA-Mobile is not ?0 or ?1"),
            C::RangeManyAny => spec(10_143, 4, No, P, "more than five byte ranges"),
            C::ArrayParam => spec(10_144, 4, No, P, "array parameter name (parameter pollution)"),
            C::BackslashEscape => spec(10_145, 4, Wa, P, "single backslash before a letter or digit in an argument"),
        }
    }

    /// The check's rule id.
    pub fn id(self) -> RuleId {
        RuleId(self.spec().id)
    }

    pub fn severity(self) -> Severity {
        self.spec().severity
    }

    /// The lowest paranoia level at which the check runs.
    pub fn paranoia(self) -> Paranoia {
        Paranoia::new(self.spec().paranoia).unwrap_or(Paranoia::MAX)
    }

    /// What the finding is about: `protocol` for most checks, `header_injection`
    /// or `ldap` where that is the attack.
    pub fn category(self) -> Category {
        self.spec().category
    }

    pub fn message(self) -> &'static str {
        self.spec().message
    }

    /// Whether this check reports a configured limit being exceeded.
    pub fn is_limit(self) -> bool {
        matches!(
            self,
            ProtocolCheck::TooManyArgs
                | ProtocolCheck::BodyOverLimit
                | ProtocolCheck::TooManyHeaders
                | ProtocolCheck::ValueTruncated
        )
    }

    /// The check that a body issue reports.
    pub fn from_body_issue(issue: &BodyIssue) -> ProtocolCheck {
        match issue {
            BodyIssue::ValueTruncated { .. } => ProtocolCheck::ValueTruncated,
            BodyIssue::TooDeep => ProtocolCheck::BodyTooDeep,
            BodyIssue::Malformed { .. } => ProtocolCheck::BodyMalformed,
            BodyIssue::Truncated { .. } => ProtocolCheck::BodyTruncated,
        }
    }

    /// A finding for this check; `detail` is shown escaped and cut.
    pub fn finding(self, target: &str, detail: &[u8]) -> Finding {
        let spec = self.spec();
        Finding {
            rule_id: RuleId(spec.id),
            category: spec.category,
            severity: spec.severity,
            paranoia: self.paranoia(),
            message: spec.message.to_string(),
            target: target.to_string(),
            transforms: "none".to_string(),
            excerpt: crate::verdict::excerpt(detail, 64),
        }
    }
}

/// Where the checks report. The inspector implements it: it drops checks above
/// the request's paranoia level and counts each check once per request.
pub trait Sink {
    /// The request's paranoia level.
    fn paranoia(&self) -> Paranoia;
    /// Reports `check` on `target` (`header:host`, `args:q`), with the bytes that
    /// show the problem.
    fn report(&mut self, check: ProtocolCheck, target: &str, detail: &[u8]);
}

/// Whether `check` runs at the sink's paranoia level.
pub fn wants(sink: &dyn Sink, check: ProtocolCheck) -> bool {
    check.paranoia() <= sink.paranoia()
}

/// Where a value came from, as the value checks distinguish it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Query,
    Form,
    Multipart,
    Json,
    Xml,
    Cookie,
    Header,
    Path,
    RawBody,
}

/// One value handed to the value checks.
#[derive(Debug, Clone, Copy)]
pub struct Value<'a> {
    pub origin: Origin,
    /// Whether `bytes` is a name (argument name, JSON key) rather than a value.
    pub is_name: bool,
    /// Where the value came from: with `name`, its label in findings
    /// (`args:q`), written only when a check reports.
    pub source: crate::target::TargetSource,
    /// The value's name (argument or header name).
    pub name: &'a str,
    /// The decoded bytes.
    pub bytes: &'a [u8],
    /// Which byte values occur in `bytes`, computed once: most checks need a
    /// byte (`)`, `%`, a line break) that an ordinary value does not hold,
    /// and skip it without a pass of their own.
    pub(crate) present: ByteSet,
}

impl<'a> Value<'a> {
    /// The value's target (displays as its label, `args:q`).
    pub fn target(&self) -> crate::target::TargetLabel<'a> {
        crate::target::TargetLabel {
            source: self.source,
            name: self.name,
        }
    }

    /// The label findings carry (`args:q`, `json:user.name`).
    pub fn label(&self) -> String {
        self.target().to_string()
    }
}

/// ASCII case-insensitive search.
fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    // Candidates come from memchr on one byte of the needle: a caseless one
    // (`/` in `http/`, `<` in `<meta`) when there is one, else the first
    // letter in both cases. Candidates arrive left to right, so the first
    // window that matches is the leftmost match.
    let (offset, first, second) = match needle.iter().position(|b| !b.is_ascii_alphabetic()) {
        Some(p) => {
            let b = *needle.get(p)?;
            (p, b, b)
        }
        None => {
            let b = *needle.first()?;
            (0, b.to_ascii_lowercase(), b.to_ascii_uppercase())
        }
    };
    let mut from = offset;
    while let Some(rel) = memchr::memchr2(first, second, haystack.get(from..)?) {
        let at = from + rel;
        let start = at - offset;
        if haystack
            .get(start..start + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(start);
        }
        from = at + 1;
    }
    None
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_in_range() {
        let mut seen = std::collections::BTreeSet::new();
        for check in ProtocolCheck::ALL {
            let id = check.id().0;
            assert!((10_000..=10_999).contains(&id), "{check:?}");
            assert!(seen.insert(id), "{check:?}: duplicate id {id}");
            // Paranoia-1 checks sit in 100xx, stricter ones in 101xx.
            assert_eq!(check.paranoia() == Paranoia::MIN, id < 10_100, "{check:?}");
            assert!(!check.message().is_empty());
        }
    }

    #[test]
    fn existing_ids_are_stable() {
        assert_eq!(ProtocolCheck::BodyMalformed.id().0, 10_001);
        assert_eq!(ProtocolCheck::TooManyHeaders.id().0, 10_007);
        assert_eq!(
            ProtocolCheck::ContentLengthAndTransferEncoding.id().0,
            10_010
        );
        assert_eq!(ProtocolCheck::NulInRequestTarget.id().0, 10_012);
    }
}

#[cfg(test)]
mod find_ignore_case_tests {
    use super::find_ignore_case;

    /// The memchr-anchored search agrees with the plain window scan.
    #[test]
    fn agrees_with_a_window_scan() {
        let naive = |h: &[u8], n: &[u8]| {
            (!n.is_empty() && h.len() >= n.len())
                .then(|| h.windows(n.len()).position(|w| w.eq_ignore_ascii_case(n)))
                .flatten()
        };
        let haystacks: [&[u8]; 8] = [
            b"",
            b"GET /x HTTP/1.1",
            b"http http/ HTTP/2 hTtP/",
            b"<META http-equiv=refresh>",
            b"a<meta<meta",
            b"unix:/var/run|x",
            b"hhhhttp/",
            b"//http",
        ];
        let needles: [&[u8]; 6] = [b"http/", b"<meta", b"http-equiv", b"unix:", b"h", b"meta"];
        for h in haystacks {
            for n in needles {
                assert_eq!(find_ignore_case(h, n), naive(h, n), "{h:?} {n:?}");
            }
        }
    }
}
