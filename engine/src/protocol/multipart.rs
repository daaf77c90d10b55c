//! Multipart part-header checks: field and file names that confuse part
//! parsers (`;` outside an HTML entity, `=`, `\`, `"`, control bytes; quotes at
//! paranoia 2), part charsets outside the allow-list, decoding
//! `Content-Transfer-Encoding`s, header names that are not tokens, and the
//! HTML5 `_charset_` form field.
//!
//! Contract: [`check_header`] sees each part header as the multipart parser
//! read it (folded lines joined), raw — quoted strings keep their backslashes,
//! so an escaped quote shows as the backslash that parsers disagree about. It
//! keeps no state between headers or parts.

use super::media::{self, charset_allowed};
use super::{wants, ProtocolCheck as C, Sink, Value};
use crate::policy::ProtocolSettings;
use crate::transform::url_decode::percent_decode;

/// Checks one part header.
pub fn check_header(name: &[u8], value: &[u8], settings: &ProtocolSettings, sink: &mut dyn Sink) {
    let target = format!(
        "multipart:{}",
        String::from_utf8_lossy(name).to_ascii_lowercase()
    );
    let name_ok = !name.is_empty() && name.iter().all(|&b| super::is_tchar(b));
    let value_ok = value
        .iter()
        .all(|&b| b == b'\t' || (b >= b' ' && b != 0x7f));
    if !name_ok || !value_ok {
        let mut detail = name.to_vec();
        detail.extend_from_slice(b": ");
        detail.extend_from_slice(value);
        sink.report(C::MultipartHeaderMalformed, &target, &detail);
    }
    if name.eq_ignore_ascii_case(b"content-disposition") {
        disposition(value, settings, &target, sink);
    } else if name.eq_ignore_ascii_case(b"content-type") {
        if let Some(charset) = media::charset_of(value) {
            if !charset_allowed(&charset, &settings.allowed_charsets) {
                sink.report(C::MultipartCharsetNotAllowed, &target, value);
            }
        }
    } else if name.eq_ignore_ascii_case(b"content-transfer-encoding") {
        let coding = value.trim_ascii().to_ascii_lowercase();
        // Identity codings leave the bytes as they are; base64 or
        // quoted-printable would hide the content from inspection.
        if !matches!(coding.as_slice(), b"7bit" | b"8bit" | b"binary") {
            sink.report(C::MultipartTransferEncoding, &target, value);
        }
        sink.report(C::MultipartTransferEncodingPresent, &target, value);
    }
}

/// The `name`, `filename` and `filename*` parameters of a Content-Disposition.
fn disposition(value: &[u8], settings: &ProtocolSettings, target: &str, sink: &mut dyn Sink) {
    for (param, raw) in params(value) {
        let lower = param.to_ascii_lowercase();
        match lower.as_slice() {
            b"name" | b"filename" => name_checks(&raw, target, sink),
            b"filename*" => {
                // RFC 8187: charset'language'percent-encoded
                let mut pieces = raw.splitn(3, |&b| b == b'\'');
                let (charset, _, encoded) = (pieces.next(), pieces.next(), pieces.next());
                let Some(encoded) = encoded else {
                    sink.report(C::MultipartNameUnsafe, target, &raw);
                    continue;
                };
                let charset = media::clean_charset(charset.unwrap_or_default());
                if !charset_allowed(&charset, &settings.allowed_charsets) {
                    sink.report(C::MultipartCharsetNotAllowed, target, &raw);
                }
                name_checks(&percent_decode(encoded, false), target, sink);
            }
            _ => {}
        }
    }
}

fn name_checks(name: &[u8], target: &str, sink: &mut dyn Sink) {
    let unsafe_byte = name.iter().enumerate().any(|(i, &b)| match b {
        b'\\' | b'=' | b'"' => true,
        b';' => !closes_entity(name.get(..i).unwrap_or_default()),
        _ => b < b' ' || b == 0x7f,
    });
    if unsafe_byte {
        sink.report(C::MultipartNameUnsafe, target, name);
    }
    if wants(sink, C::MultipartNameQuote) && name.contains(&b'\'') {
        sink.report(C::MultipartNameQuote, target, name);
    }
}

/// Whether `before` ends with an HTML entity's `&name` or `&#123` / `&#x1F`, so
/// that the `;` after it closes the entity.
fn closes_entity(before: &[u8]) -> bool {
    // Entity names are short: look back a bounded distance (linear scans).
    let before = before
        .get(before.len().saturating_sub(34)..)
        .unwrap_or(before);
    let Some(amp) = before.iter().rposition(|&b| b == b'&') else {
        return false;
    };
    let body = before.get(amp + 1..).unwrap_or_default();
    let ok = match body {
        [b'#', b'x' | b'X', hex @ ..] => !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit),
        [b'#', digits @ ..] => !digits.is_empty() && digits.iter().all(u8::is_ascii_digit),
        _ => !body.is_empty() && body.iter().all(u8::is_ascii_alphanumeric),
    };
    ok && body.len() <= 32
}

/// `(name, raw value)` pairs after the disposition type; quoted values keep
/// their backslashes, tokens end at `;`.
fn params(value: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out = Vec::new();
    let mut rest = match value.iter().position(|&b| b == b';') {
        Some(i) => value.get(i..).unwrap_or_default(),
        None => return out,
    };
    while let Some((&b';', after)) = rest.split_first() {
        let after = after.trim_ascii_start();
        let key_end = after
            .iter()
            .position(|&b| b == b'=' || b == b';')
            .unwrap_or(after.len());
        let key = after
            .get(..key_end)
            .unwrap_or_default()
            .trim_ascii()
            .to_vec();
        let tail = after.get(key_end..).unwrap_or_default();
        let Some((&b'=', v)) = tail.split_first() else {
            rest = tail;
            continue;
        };
        let v = v.trim_ascii_start();
        let (raw, next) = if let Some(quoted) = v.strip_prefix(b"\"") {
            let mut end = 0;
            while let Some(&b) = quoted.get(end) {
                match b {
                    b'\\' => end += 2,
                    b'"' => break,
                    _ => end += 1,
                }
            }
            let end = end.min(quoted.len());
            let after_quote = quoted.get(end + 1..).unwrap_or_default();
            let next = after_quote
                .iter()
                .position(|&b| b == b';')
                .map_or(&[][..], |i| after_quote.get(i..).unwrap_or_default());
            (quoted.get(..end).unwrap_or_default().to_vec(), next)
        } else {
            let end = v.iter().position(|&b| b == b';').unwrap_or(v.len());
            (
                v.get(..end).unwrap_or_default().trim_ascii_end().to_vec(),
                v.get(end..).unwrap_or_default(),
            )
        };
        out.push((key, raw));
        rest = next;
    }
    out
}

/// Form-level checks on a form or multipart value: the `_charset_` field.
pub fn check_form_value(value: Value<'_>, settings: &ProtocolSettings, sink: &mut dyn Sink) {
    if !value.is_name && value.name == "_charset_" {
        let charset = media::clean_charset(value.bytes);
        if !charset_allowed(&charset, &settings.allowed_charsets) {
            sink.report(C::FormCharsetFieldNotAllowed, &value.label(), value.bytes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_params_are_raw() {
        let p = params(br#"form-data; name="fi;le"; filename="te\"st.txt""#);
        assert_eq!(p[0], (b"name".to_vec(), b"fi;le".to_vec()));
        assert_eq!(p[1], (b"filename".to_vec(), br#"te\"st.txt"#.to_vec()));
        let p = params(b"form-data; name=fi=le; filename=a.txt");
        assert_eq!(p[0].1, b"fi=le".to_vec());
    }

    #[test]
    fn entities_close_semicolons() {
        assert!(closes_entity(b"zzz&auml"));
        assert!(closes_entity(b"&#39"));
        assert!(!closes_entity(b"&amp;fi"));
        assert!(!closes_entity(b"fi"));
    }
}
