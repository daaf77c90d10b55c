//! Auth subrequests over HTTP, for nginx `auth_request` and Traefik ForwardAuth.
//!
//! Any method and path is a check: the request to inspect is described by the
//! subrequest's headers (see [`super::convert`] for which ones). The body of the
//! original request is never available in this mode — nginx's auth subrequest
//! does not carry it, Traefik's ForwardAuth does not send it — so only the head
//! is inspected; put Palisade inline (`palisade proxy`) or behind Envoy with
//! `with_request_body` where bodies must be inspected.
//!
//! Answers (rendered in [`respond`], the one place this front end turns results
//! into responses):
//! - allow: `200`, empty body, with `x-palisade-request-id`, `x-palisade-score`
//!   and `x-palisade-verdict` for the proxy to copy upstream (nginx:
//!   `auth_request_set`; Traefik: `authResponseHeaders`);
//! - deny: the verdict's status (`403`, `429` with `Retry-After`, `413`) with the
//!   policy's block body and content type and the request id header. Traefik
//!   returns this response to the client as is; nginx turns 403 into its own
//!   403 page and anything other than 2xx/401/403 into 500, unless its config
//!   maps them (`auth_request_set` + `error_page`, docs/deploy/nginx.md);
//! - a subrequest without the method and URI headers: `400` naming what is
//!   missing (nginx shows the client a 500: the check fails closed).

use super::convert::{self, CheckSource, ConvertError};
use super::{Checker, Decision, REQUEST_ID_HEADER};
use bytes::Bytes;
use http::{HeaderName, HeaderValue, Response, StatusCode};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// How long a connection may take to send its request head.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);

fn insert(response: &mut Response<Full<Bytes>>, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(name), v);
    }
}

/// Turns a decision, or the reason there is none, into the HTTP answer.
pub fn respond(decided: Result<Decision, ConvertError>) -> Response<Full<Bytes>> {
    let decision = match decided {
        Ok(d) => d,
        Err(e) => {
            let mut response = Response::new(Full::new(Bytes::from(format!("palisade: {e}\n"))));
            *response.status_mut() = StatusCode::BAD_REQUEST;
            insert(&mut response, "content-type", "text/plain; charset=utf-8");
            return response;
        }
    };
    match &decision.denial {
        None => {
            let mut response = Response::new(Full::new(Bytes::new()));
            for (name, value) in decision.upstream_headers() {
                insert(&mut response, name, &value);
            }
            response
        }
        Some(denial) => {
            let mut response = Response::new(Full::new(Bytes::from(denial.body.clone())));
            *response.status_mut() =
                StatusCode::from_u16(denial.status).unwrap_or(StatusCode::FORBIDDEN);
            insert(&mut response, "content-type", &denial.content_type);
            insert(&mut response, REQUEST_ID_HEADER, &decision.request_id);
            if let Some(seconds) = denial.retry_after_seconds {
                insert(&mut response, "retry-after", &seconds.to_string());
            }
            response
        }
    }
}

async fn handle(
    request: http::Request<Incoming>,
    peer: SocketAddr,
    checker: Arc<Checker>,
) -> Response<Full<Bytes>> {
    let converted = convert::to_engine(CheckSource::AuthRequest {
        headers: request.headers(),
        peer,
    });
    let decided = match converted {
        Ok(c) => Ok(checker.check_shared(c).await),
        Err(e) => Err(e),
    };
    respond(decided)
}

/// Serves auth subrequests on `listener` (HTTP/1.1 with keep-alive, and h2c)
/// until `signal` resolves, then lets requests in flight finish.
pub async fn serve(listener: TcpListener, checker: Arc<Checker>, signal: impl Future<Output = ()>) {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    tokio::pin!(signal);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    tracing::warn!(error = %e, "HTTP check listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let _ = stream.set_nodelay(true);
        let checker = Arc::clone(&checker);
        let service = hyper::service::service_fn(move |request: http::Request<Incoming>| {
            let checker = Arc::clone(&checker);
            async move { Ok::<_, Infallible>(handle(request, peer, checker).await) }
        });
        let connection = builder
            .serve_connection(TokioIo::new(stream), service)
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    graceful.shutdown().await;
}
