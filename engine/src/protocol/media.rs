//! Media-type parameters: the `Content-Type` grammar (type, subtype and
//! `;name=value` parameters) and the parameters of `Accept` elements.
//!
//! Contract: [`parse`] follows RFC 9110 `media-type` with the leniencies real
//! clients need — empty parameters (`text/html;`) are allowed, an unquoted value
//! may hold any visible ASCII except `;`, `"` and `\` (multipart boundaries use
//! `( ) , / : = ?`), and whitespace around `=` is measured rather than refused so
//! that callers decide how strict to be. Anything else is an error with a short
//! reason. Parsing never allocates more than the parameter list.

/// One `name=value` parameter, value unquoted (`\x` escapes resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param<'a> {
    pub name: &'a [u8],
    pub value: Vec<u8>,
    pub quoted: bool,
}

/// A parsed media type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaType<'a> {
    pub kind: &'a [u8],
    pub subtype: &'a [u8],
    pub params: Vec<Param<'a>>,
    /// Whitespace appeared before a parameter's `=`.
    pub space_before_eq: bool,
    /// Most whitespace bytes seen right after a parameter's `=`.
    pub max_space_after_eq: usize,
}

impl MediaType<'_> {
    /// Values of the parameters called `name` (ASCII case-insensitive).
    pub fn values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [u8]> + 's {
        self.params
            .iter()
            .filter(move |p| p.name.eq_ignore_ascii_case(name.as_bytes()))
            .map(|p| p.value.as_slice())
    }
}

fn ows(input: &[u8], mut i: usize) -> usize {
    while matches!(input.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

fn token(input: &[u8], start: usize) -> usize {
    let mut i = start;
    while input.get(i).is_some_and(|&b| super::is_tchar(b)) {
        i += 1;
    }
    i
}

/// Parses a `Content-Type` value.
pub fn parse(input: &[u8]) -> Result<MediaType<'_>, &'static str> {
    let mut i = ows(input, 0);
    let type_end = token(input, i);
    if type_end == i {
        return Err("no media type");
    }
    let kind = input.get(i..type_end).unwrap_or_default();
    if input.get(type_end) != Some(&b'/') {
        return Err("media type without '/'");
    }
    i = type_end + 1;
    let sub_end = token(input, i);
    if sub_end == i {
        return Err("empty media subtype");
    }
    let subtype = input.get(i..sub_end).unwrap_or_default();
    i = sub_end;
    let mut media = MediaType {
        kind,
        subtype,
        params: Vec::new(),
        space_before_eq: false,
        max_space_after_eq: 0,
    };
    loop {
        i = ows(input, i);
        match input.get(i) {
            None => return Ok(media),
            Some(b';') => i += 1,
            Some(_) => return Err("expected ';' between parameters"),
        }
        i = ows(input, i);
        if matches!(input.get(i), None | Some(b';')) {
            continue;
        }
        let name_end = token(input, i);
        if name_end == i {
            return Err("parameter name is not a token");
        }
        let name = input.get(i..name_end).unwrap_or_default();
        i = ows(input, name_end);
        if i > name_end {
            media.space_before_eq = true;
        }
        if input.get(i) != Some(&b'=') {
            return Err("parameter without '='");
        }
        let after_eq = i + 1;
        i = ows(input, after_eq);
        media.max_space_after_eq = media.max_space_after_eq.max(i - after_eq);
        let (value, quoted, next) = param_value(input, i)?;
        media.params.push(Param {
            name,
            value,
            quoted,
        });
        i = next;
    }
}

/// A quoted string or a run of lenient value bytes starting at `i`.
fn param_value(input: &[u8], mut i: usize) -> Result<(Vec<u8>, bool, usize), &'static str> {
    let mut value = Vec::new();
    if input.get(i) == Some(&b'"') {
        i += 1;
        loop {
            match input.get(i) {
                None => return Err("unterminated quoted parameter"),
                Some(b'"') => return Ok((value, true, i + 1)),
                Some(b'\\') => {
                    let Some(&escaped) = input.get(i + 1) else {
                        return Err("unterminated quoted parameter");
                    };
                    value.push(escaped);
                    i += 2;
                }
                Some(&b) if b == b'\t' || (b' '..=b'~').contains(&b) || b >= 0x80 => {
                    value.push(b);
                    i += 1;
                }
                Some(_) => return Err("control byte in a quoted parameter"),
            }
        }
    }
    while let Some(&b) = input.get(i) {
        if !(b'!'..=b'~').contains(&b) || b == b';' || b == b'"' || b == b'\\' {
            break;
        }
        value.push(b);
        i += 1;
    }
    if value.is_empty() {
        return Err("empty parameter value");
    }
    Ok((value, false, i))
}

/// The first `charset` parameter of a Content-Type, leniently: quotes (double or
/// single) removed, even when the rest of the header is malformed.
pub fn charset_of(content_type: &[u8]) -> Option<String> {
    if let Ok(media) = parse(content_type) {
        return media.values("charset").next().map(clean_charset);
    }
    content_type
        .split(|&b| b == b';')
        .skip(1)
        .find_map(|param| {
            let (name, value) = split_eq(param)?;
            name.eq_ignore_ascii_case(b"charset")
                .then(|| clean_charset(value))
        })
}

/// Every `charset` parameter of every element of an `Accept` value.
pub fn accept_charsets(accept: &[u8]) -> Vec<String> {
    accept
        .split(|&b| b == b',')
        .flat_map(|element| element.split(|&b| b == b';').skip(1))
        .filter_map(split_eq)
        .filter(|(name, _)| name.eq_ignore_ascii_case(b"charset"))
        .map(|(_, value)| clean_charset(value))
        .collect()
}

fn split_eq(param: &[u8]) -> Option<(&[u8], &[u8])> {
    let eq = param.iter().position(|&b| b == b'=')?;
    let name = param.get(..eq)?.trim_ascii();
    let value = param.get(eq + 1..)?.trim_ascii();
    Some((name, value))
}

/// A charset name with surrounding whitespace and quotes removed, lowercased.
pub fn clean_charset(value: &[u8]) -> String {
    let v = value.trim_ascii();
    let v = v
        .strip_prefix(b"\"")
        .and_then(|x| x.strip_suffix(b"\""))
        .or_else(|| v.strip_prefix(b"'").and_then(|x| x.strip_suffix(b"'")))
        .unwrap_or(v);
    String::from_utf8_lossy(v.trim_ascii()).to_ascii_lowercase()
}

/// Whether `charset` is in the allow-list.
pub fn charset_allowed(charset: &str, allowed: &[String]) -> bool {
    allowed.iter().any(|a| a.eq_ignore_ascii_case(charset))
}

/// How a parameter value looks when it is itself a media type (`type/subtype`,
/// the whole value): `Some(true)` when the type selects a body parser (JSON,
/// XML, form or multipart), `Some(false)` for any other media type.
pub fn embedded_media_type(value: &[u8]) -> Option<bool> {
    let value = value.trim_ascii();
    let slash = value.iter().position(|&b| b == b'/')?;
    let (kind, subtype) = (value.get(..slash)?, value.get(slash + 1..)?);
    let is_name = |p: &[u8]| {
        p.first().is_some_and(u8::is_ascii_alphabetic) && p.iter().all(|&b| super::is_tchar(b))
    };
    if !is_name(kind) || !is_name(subtype) {
        return None;
    }
    let sub = subtype.to_ascii_lowercase();
    Some(
        sub.ends_with(b"json")
            || sub.ends_with(b"xml")
            || sub == b"x-www-form-urlencoded"
            || kind.eq_ignore_ascii_case(b"multipart"),
    )
}

/// Whether a media type matches an allow-list entry (`type/subtype`, `type/*`,
/// `*/*`, or a suffix entry such as `application/*+json`).
pub fn type_allowed(media: &MediaType<'_>, allowed: &[String]) -> bool {
    allowed.iter().any(|entry| {
        let Some((kind, sub)) = entry.split_once('/') else {
            return false;
        };
        let kind_ok = kind == "*" || media.kind.eq_ignore_ascii_case(kind.as_bytes());
        let sub_ok = sub == "*"
            || media.subtype.eq_ignore_ascii_case(sub.as_bytes())
            || sub.strip_prefix('*').is_some_and(|suffix| {
                !suffix.is_empty()
                    && media.subtype.len() > suffix.len()
                    && media
                        .subtype
                        .get(media.subtype.len() - suffix.len()..)
                        .is_some_and(|end| end.eq_ignore_ascii_case(suffix.as_bytes()))
            });
        kind_ok && sub_ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_real_content_types() {
        for ok in [
            &b"application/json"[..],
            b"application/x-www-form-urlencoded; charset=UTF-8",
            b"text/html;",
            b"multipart/form-data; boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW",
            b"multipart/mixed; boundary=-----boundary_data:55780(123,45:667)+part",
            b"application/soap+xml; action=\"urn:hl7-org:v3:PRPA_IN201305UV02\"; charset=UTF-8",
            b"text/plain; charset=/gar/bage",
            b"application/*+json",
        ] {
            assert!(parse(ok).is_ok(), "{}", String::from_utf8_lossy(ok));
        }
    }

    #[test]
    fn refuses_malformed_content_types() {
        for bad in [
            &b"%{(#nike='multipart/form-data').(#dm=@ognl"[..],
            b"text/plain; charset=\"UTF-8\"; garbage",
            b"text/xml; blah",
            b"multipart/; boundary=0000",
            b"application",
            b"text/plain; charset=\"utf-8",
        ] {
            assert!(parse(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn measures_spacing_and_reads_charsets() {
        let m = parse(b"multipart/form-data; boundary=  x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(m.max_space_after_eq, 2);
        assert_eq!(
            charset_of(b"text/plain; charset='UTF-8'").as_deref(),
            Some("utf-8")
        );
        assert_eq!(
            charset_of(b"text/plain;  charset = utf-7").as_deref(),
            Some("utf-7")
        );
        assert_eq!(
            accept_charsets(b"text/html;q=0.9;charset=\"CP1026\",*/*;q=0.8"),
            vec!["cp1026".to_string()]
        );
    }

    #[test]
    fn recognises_embedded_media_types() {
        assert_eq!(embedded_media_type(b"application/json"), Some(true));
        assert_eq!(
            embedded_media_type(b"application/vnd.x.customer-v2+json"),
            Some(true)
        );
        assert_eq!(embedded_media_type(b"foobar/foobar"), Some(false));
        assert_eq!(
            embedded_media_type(b"gc0p4Jq0M2Yt,08/jU534c0p?==:test"),
            None
        );
        assert_eq!(embedded_media_type(b"----WebKitFormBoundary"), None);
    }

    #[test]
    fn allow_list_entries_match() {
        let allowed = vec!["application/*+json".to_string(), "text/*".to_string()];
        let m = parse(b"application/vnd.api+json").unwrap_or_else(|e| panic!("{e}"));
        assert!(type_allowed(&m, &allowed));
        let m = parse(b"application/json").unwrap_or_else(|e| panic!("{e}"));
        assert!(!type_allowed(&m, &allowed));
        let m = parse(b"text/csv").unwrap_or_else(|e| panic!("{e}"));
        assert!(type_allowed(&m, &allowed));
    }
}
