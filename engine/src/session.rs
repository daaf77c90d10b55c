//! Session fixation by link: a request that carries a session identifier as a
//! parameter (`?jsessionid=...`, `{"PHPSESSID": ...}`) and arrives from
//! another site (its `Referer` names a different host) or from nowhere (no
//! `Referer`) is how an attacker plants a session id on a victim. A signature
//! sees one value at a time; this check compares the parameter name with the
//! Referer and Host headers.

use crate::request::RequestHead;
use crate::rule::{Category, Paranoia, RuleId, Severity};
use crate::verdict::Finding;

/// The finding's rule id (session-fixation range).
pub const SESSION_PARAMETER_OFF_SITE: RuleId = RuleId(26_050);

/// Rule id of an absolute URL to another host in a parameter (RFI range).
pub const URL_PARAMETER_OFF_SITE: RuleId = RuleId(13_150);

/// When a parameter value is an absolute http(s)/ftp(s) URL whose host is not
/// the request's host (or a subdomain of it), or that names a port the
/// request's Host does not: the URL's host. Paranoia 2: links to other sites
/// are common in parameters (`redirect_uri`, `return_to`), so this only
/// reports them where the operator asked for stricter inspection.
pub fn off_site_url(value: &[u8], host_header: &str) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?.trim();
    let (scheme, rest) = text.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if !matches!(scheme.as_str(), "http" | "https" | "ftp" | "ftps") {
        return None;
    }
    let authority = rest.split(['/', '?', '#', '\\']).next()?;
    let hostport = authority.rsplit('@').next()?;
    let (url_host, url_port) = match hostport.strip_prefix('[') {
        Some(v6) => {
            let (h, after) = v6.split_once(']')?;
            (h.to_string(), after.strip_prefix(':').map(str::to_string))
        }
        None => match hostport.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p.to_string())),
            None => (hostport.to_string(), None),
        },
    };
    let url_host = url_host.trim_end_matches('.').to_ascii_lowercase();
    let header = host_header.trim().to_ascii_lowercase();
    let (own_host, own_port) = match header.rsplit_once(':') {
        Some((h, p)) if !h.contains(']') || h.ends_with(']') => {
            (h.trim_matches(['[', ']']).to_string(), Some(p.to_string()))
        }
        _ => (header.trim_matches(['[', ']']).to_string(), None),
    };
    if own_host.is_empty() {
        return None;
    }
    let same_site = url_host == own_host || url_host.ends_with(&format!(".{own_host}"));
    let default_port = match scheme.as_str() {
        "http" => "80",
        "https" => "443",
        "ftp" => "21",
        _ => "990",
    };
    let port_ok = match (&url_port, &own_port) {
        (None, _) => true,
        (Some(p), Some(o)) => p == o,
        (Some(p), None) => p == default_port,
    };
    (!(same_site && port_ok)).then_some(url_host)
}

/// The finding for an off-site URL in a parameter.
pub fn url_finding(target: &str, host: &str) -> Finding {
    Finding {
        rule_id: URL_PARAMETER_OFF_SITE,
        category: Category::Rfi,
        severity: Severity::Critical,
        paranoia: Paranoia::new(2).unwrap_or(Paranoia::MAX),
        message: "absolute URL to another host in a parameter".to_string(),
        target: target.to_string(),
        transforms: "none".to_string(),
        excerpt: crate::verdict::excerpt(host.as_bytes(), 48),
    }
}

/// Parameter names that carry a session identifier in common frameworks.
pub fn is_session_parameter(name: &str) -> bool {
    // No known name is longer than this with its cookie prefix: longer names
    // are answered without copying them.
    const LONGEST: usize = 48;
    // No session name has brackets; JSON paths and array arguments do (the
    // bulk of the names asked about: looked for before anything else).
    // (A plain loop: names are short, JSON paths open with their bracket.)
    if name.bytes().any(|b| b == b'[' || b == b']') {
        return false;
    }
    let name = name.trim();
    if name.len() > LONGEST {
        return false;
    }
    let mut buffer = [0u8; LONGEST];
    let Some(slot) = buffer.get_mut(..name.len()) else {
        return false;
    };
    slot.copy_from_slice(name.as_bytes());
    slot.make_ascii_lowercase();
    let Ok(lower) = std::str::from_utf8(slot) else {
        return false;
    };
    let lower = lower
        .strip_prefix("__host-")
        .or_else(|| lower.strip_prefix("__secure-"))
        .unwrap_or(lower);
    matches!(
        lower,
        "jsessionid"
            | "jservsession"
            | "jwsession"
            | "weblogicsession"
            | "phpsessid"
            | "phpsession"
            | "asp.net_sessionid"
            | "cfid"
            | "cftoken"
            | "cfsid"
            | "laravel_session"
            | "ci_session"
            | "cakephp"
            | "zend_session_id"
            | "_rails_session"
            | "rack.session"
            | "_session_id"
            | "connect.sid"
            | "koa.sess"
            | "koa:sess"
            | "sails.sid"
            | "next-auth.session-token"
            | "meteor_login_token"
            | "_flask_session"
            | "flask_session"
            | "play_session"
            | "sessionid"
            | "session-id"
    ) || lower.starts_with("aspsessionid")
}

fn host_of_url(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?;
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => host.split(':').next()?,
    };
    Some(host.trim_end_matches('.').to_ascii_lowercase())
}

/// Whether the request comes from another site or from no site: no Referer,
/// or a Referer whose host differs from the request's host.
pub fn referer_is_off_site(head: &RequestHead, host: &str) -> bool {
    match head.header("referer") {
        None => true,
        Some(value) => {
            let text = String::from_utf8_lossy(value);
            host_of_url(&text).is_none_or(|h| h != host)
        }
    }
}

/// The finding for a session parameter arriving from off site.
pub fn finding(target: &str, referer_present: bool) -> Finding {
    Finding {
        rule_id: SESSION_PARAMETER_OFF_SITE,
        category: Category::SessionFixation,
        severity: Severity::Critical,
        paranoia: Paranoia::MIN,
        message: if referer_present {
            "session identifier in a parameter of a request from another site".to_string()
        } else {
            "session identifier in a parameter of a request without a Referer".to_string()
        },
        target: target.to_string(),
        transforms: "none".to_string(),
        excerpt: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_referers() {
        assert!(is_session_parameter("JSESSIONID"));
        assert!(is_session_parameter("ASPSESSIONIDQQGGQQAS"));
        assert!(!is_session_parameter("session_length"));
        let same = RequestHead::new("GET", b"/").with_header("Referer", "http://localhost/test");
        assert!(!referer_is_off_site(&same, "localhost"));
        let other = RequestHead::new("GET", b"/").with_header("Referer", "https://evil.net/");
        assert!(referer_is_off_site(&other, "localhost"));
        assert!(referer_is_off_site(
            &RequestHead::new("GET", b"/"),
            "localhost"
        ));
    }

    #[test]
    fn off_site_urls() {
        let off = |v: &str, h: &str| off_site_url(v.as_bytes(), h);
        assert_eq!(
            off("https://evil.example/", "example.com").as_deref(),
            Some("evil.example")
        );
        assert_eq!(off("https://example.com/", "example.com"), None);
        assert_eq!(off("http://www.example.com/some/path", "example.com"), None);
        assert_eq!(off("http://foo:bar@example.com/", "example.com"), None);
        assert_eq!(off("https://example.com:8443/x", "example.com:8443"), None);
        assert!(off("https://example.com:1234/", "example.com").is_some());
        assert!(off("https://example.com.evil.com/", "example.com").is_some());
        assert_eq!(off("not a url", "example.com"), None);
        assert_eq!(off("mailto:x@example.com", "example.com"), None);
    }
}
