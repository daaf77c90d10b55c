//! Request-path errors and the one function that turns them into responses.
//!
//! Contract: every refusal the proxy sends — a block, a limit, a timeout, an
//! unreachable upstream — is built by [`ProxyError::into_response`]. The
//! response carries the request id (header and body) and never a rule id,
//! score, upstream address or internal error text; those go to the audit log
//! and tracing. Each error knows whose fault it was ([`Fault`]).

use crate::proxy::respbody::ResponseBody;
use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use palisade_engine::policy::BlockResponse;

/// Whose fault an error was, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Client,
    Upstream,
    Internal,
}

impl Fault {
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::Client => "client",
            Fault::Upstream => "upstream",
            Fault::Internal => "internal",
        }
    }
}

/// A request framing shape refused as a request-smuggling risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Smuggling {
    ContentLengthAndTransferEncoding,
    DuplicateContentLength,
    InvalidContentLength,
    InvalidTransferEncoding,
    ObsFold,
    BareLf,
}

impl Smuggling {
    pub fn as_str(self) -> &'static str {
        match self {
            Smuggling::ContentLengthAndTransferEncoding => "content_length_and_transfer_encoding",
            Smuggling::DuplicateContentLength => "duplicate_content_length",
            Smuggling::InvalidContentLength => "invalid_content_length",
            Smuggling::InvalidTransferEncoding => "invalid_transfer_encoding",
            Smuggling::ObsFold => "obs_fold",
            Smuggling::BareLf => "bare_lf",
        }
    }
}

/// Why the proxy answered instead of the upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyError {
    /// The engine refused the request (403, the policy's status, 413 or 429).
    Refused {
        status: u16,
        retry_after_seconds: Option<u64>,
    },
    /// Request framing that could smuggle a second request.
    Smuggling(Smuggling),
    /// A malformed request the parser let through (bad header value, ...).
    BadRequest(&'static str),
    /// Too many header bytes or headers.
    HeadersTooLarge,
    /// Body larger than `proxy.limits.max_body_bytes`.
    BodyTooLarge,
    /// The client stopped sending its body.
    BodyTimeout,
    /// The client's body stream failed (reset, malformed chunking).
    BodyFailed,
    /// No upstream accepted a connection.
    UpstreamUnreachable,
    /// The upstream did not answer in time.
    UpstreamTimeout,
    /// The upstream connection failed after the request was sent.
    UpstreamFailed,
}

impl ProxyError {
    pub fn fault(&self) -> Fault {
        match self {
            ProxyError::Refused { .. }
            | ProxyError::Smuggling(_)
            | ProxyError::BadRequest(_)
            | ProxyError::HeadersTooLarge
            | ProxyError::BodyTooLarge
            | ProxyError::BodyTimeout
            | ProxyError::BodyFailed => Fault::Client,
            ProxyError::UpstreamUnreachable
            | ProxyError::UpstreamTimeout
            | ProxyError::UpstreamFailed => Fault::Upstream,
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ProxyError::Refused { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::FORBIDDEN)
            }
            ProxyError::Smuggling(_) | ProxyError::BadRequest(_) | ProxyError::BodyFailed => {
                StatusCode::BAD_REQUEST
            }
            ProxyError::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ProxyError::BodyTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProxyError::BodyTimeout => StatusCode::REQUEST_TIMEOUT,
            ProxyError::UpstreamUnreachable | ProxyError::UpstreamFailed => StatusCode::BAD_GATEWAY,
            ProxyError::UpstreamTimeout => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// A short label for metrics and logs (never sent to the client).
    pub fn kind(&self) -> &'static str {
        match self {
            ProxyError::Refused { .. } => "refused",
            ProxyError::Smuggling(s) => s.as_str(),
            ProxyError::BadRequest(_) => "bad_request",
            ProxyError::HeadersTooLarge => "headers_too_large",
            ProxyError::BodyTooLarge => "body_too_large",
            ProxyError::BodyTimeout => "body_timeout",
            ProxyError::BodyFailed => "body_failed",
            ProxyError::UpstreamUnreachable => "upstream_unreachable",
            ProxyError::UpstreamTimeout => "upstream_timeout",
            ProxyError::UpstreamFailed => "upstream_failed",
        }
    }

    /// Whether the client connection must close after this answer because the
    /// request's framing cannot be trusted or its body was cut off.
    pub fn breaks_framing(&self) -> bool {
        matches!(
            self,
            ProxyError::Smuggling(_)
                | ProxyError::BadRequest(_)
                | ProxyError::HeadersTooLarge
                | ProxyError::BodyTooLarge
                | ProxyError::BodyTimeout
                | ProxyError::BodyFailed
        )
    }

    fn page(&self) -> &'static str {
        match self {
            ProxyError::Refused { .. } => "Request refused.",
            ProxyError::Smuggling(_) => "Bad request: ambiguous request framing.",
            ProxyError::BadRequest(_) | ProxyError::BodyFailed => "Bad request.",
            ProxyError::HeadersTooLarge => "Request header fields too large.",
            ProxyError::BodyTooLarge => "Request body too large.",
            ProxyError::BodyTimeout => "Request timeout: the request body stopped arriving.",
            ProxyError::UpstreamUnreachable => {
                "Bad gateway: the application server could not be reached."
            }
            ProxyError::UpstreamFailed => {
                "Bad gateway: the application server closed the connection."
            }
            ProxyError::UpstreamTimeout => {
                "Gateway timeout: the application server did not answer in time."
            }
        }
    }

    /// The response for this error. `block` is the policy's block response
    /// (its template is used for engine refusals, with `{request_id}` filled in).
    /// `close` asks an HTTP/1 client to close the connection (set it when the
    /// request body was not read to its end, or [`ProxyError::breaks_framing`]).
    pub fn into_response(
        self,
        request_id: &str,
        block: &BlockResponse,
        close: bool,
    ) -> Response<ResponseBody> {
        let status = self.status();
        let (content_type, body) = match &self {
            ProxyError::Refused { .. } => (
                block.content_type.clone(),
                block.body.replace("{request_id}", request_id),
            ),
            other => (
                "text/plain; charset=utf-8".to_string(),
                format!(
                    "{} {}\nRequest id: {request_id}\n",
                    status.as_u16(),
                    other.page()
                ),
            ),
        };
        let mut response = Response::new(ResponseBody::local(Bytes::from(body)));
        *response.status_mut() = status;
        let headers = response.headers_mut();
        if let Ok(v) = HeaderValue::from_str(&content_type) {
            headers.insert(header::CONTENT_TYPE, v);
        }
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        if let Ok(v) = HeaderValue::from_str(request_id) {
            headers.insert(crate::proxy::head::REQUEST_ID, v);
        }
        if let ProxyError::Refused {
            retry_after_seconds: Some(s),
            ..
        } = self
        {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        if close {
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusal_uses_template_and_retry_after() {
        let block = BlockResponse::default();
        let r = ProxyError::Refused {
            status: 429,
            retry_after_seconds: Some(7),
        }
        .into_response("abc", &block, true);
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()[header::RETRY_AFTER], "7");
        assert_eq!(r.headers()["x-request-id"], "abc");
        assert_eq!(r.headers()[header::CONNECTION], "close");
    }

    #[test]
    fn gateway_errors_keep_the_connection() {
        let r = ProxyError::UpstreamTimeout.into_response("id", &BlockResponse::default(), false);
        assert_eq!(r.status(), 504);
        assert!(r.headers().get(header::CONNECTION).is_none());
        assert!(ProxyError::BodyTimeout.breaks_framing());
        assert_eq!(ProxyError::UpstreamTimeout.fault(), Fault::Upstream);
    }
}
