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

/// Parameter names that carry a session identifier in common frameworks.
pub fn is_session_parameter(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    let lower = lower
        .strip_prefix("__host-")
        .or_else(|| lower.strip_prefix("__secure-"))
        .unwrap_or(&lower);
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
}
