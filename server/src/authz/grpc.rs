//! Envoy external authorization over gRPC: `envoy.service.auth.v3.Authorization/Check`,
//! with the generated types of the `envoy-types` crate (no hand-copied protos),
//! and the standard `grpc.health.v1.Health` service on the same port.
//!
//! Answers (rendered in [`respond`], the one place this front end turns
//! results into responses):
//! - allow: status `OK` and an `OkHttpResponse` whose headers Envoy adds to the
//!   request it forwards (`x-palisade-request-id`, `x-palisade-score`,
//!   `x-palisade-verdict`, overwriting any the client sent);
//! - deny: status `PERMISSION_DENIED` (`RESOURCE_EXHAUSTED` for a rate limit) and a
//!   `DeniedHttpResponse` with the verdict's HTTP status, the policy's block body
//!   and headers (`content-type`, the request id, `retry-after` for 429);
//! - a request that cannot be inspected (a required attribute missing or
//!   malformed): the RPC fails with `INVALID_ARGUMENT` naming the field. Envoy
//!   then applies `failure_mode_allow` (docs/deploy/envoy.md).
//!
//! Both answers carry dynamic metadata (`request_id`, `score`, `action`,
//! `rule_ids`, `policy_version`) for Envoy's access log
//! (`%DYNAMIC_METADATA(envoy.filters.http.ext_authz:rule_ids)%`).

use super::convert::{self, CheckSource, ConvertError};
use super::{Checker, Decision, REQUEST_ID_HEADER};
use crate::runtime::shards::{ShardServer, Shards};
use envoy_types::pb::envoy::config::core::v3::{
    header_value_option::HeaderAppendAction, HeaderValue, HeaderValueOption,
};
use envoy_types::pb::envoy::r#type::v3::HttpStatus;
use envoy_types::pb::envoy::service::auth::v3::authorization_server::{
    Authorization, AuthorizationServer,
};
use envoy_types::pb::envoy::service::auth::v3::check_response::HttpResponse;
use envoy_types::pb::envoy::service::auth::v3::{
    CheckRequest, CheckResponse, DeniedHttpResponse, OkHttpResponse,
};
use envoy_types::pb::google::protobuf::{value::Kind, ListValue, Struct, Value};
use envoy_types::pb::google::rpc;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tonic::{Code, Request, Response, Status};

/// Bodies from this size up are inspected on the blocking pool.
const LARGE_BODY_BYTES: usize = 64 << 10;

/// The ext_authz service.
#[derive(Debug)]
pub struct AuthzService {
    checker: Arc<Checker>,
}

impl AuthzService {
    pub fn new(checker: Arc<Checker>) -> AuthzService {
        AuthzService { checker }
    }
}

#[tonic::async_trait]
impl Authorization for AuthzService {
    async fn check(
        &self,
        request: Request<CheckRequest>,
    ) -> Result<Response<CheckResponse>, Status> {
        let decided = match convert::to_engine(CheckSource::Envoy(Box::new(request.into_inner()))) {
            Ok(converted) => {
                let limits = self.checker.shared_decisions(&converted).await;
                if converted.body.len() >= LARGE_BODY_BYTES {
                    // A large body takes a while to inspect: off the shard's
                    // thread, so its other streams keep being answered.
                    let checker = Arc::clone(&self.checker);
                    let inspected =
                        tokio::task::spawn_blocking(move || checker.check_with(converted, &limits))
                            .await;
                    match inspected {
                        Ok(decision) => Ok(decision),
                        Err(e) => {
                            tracing::error!(error = %e, "inspecting a large check request");
                            return Err(Status::internal("inspection failed"));
                        }
                    }
                } else {
                    Ok(self.checker.check_with(converted, &limits))
                }
            }
            Err(e) => Err(e),
        };
        respond(decided).map(Response::new)
    }
}

fn header(key: &str, value: String) -> HeaderValueOption {
    #[allow(deprecated)]
    HeaderValueOption {
        header: Some(HeaderValue {
            key: key.to_string(),
            value,
            raw_value: Vec::new(),
        }),
        append: None,
        append_action: HeaderAppendAction::OverwriteIfExistsOrAdd.into(),
        keep_empty_value: false,
    }
}

fn string(s: impl Into<String>) -> Value {
    Value {
        kind: Some(Kind::StringValue(s.into())),
    }
}

fn number(n: f64) -> Value {
    Value {
        kind: Some(Kind::NumberValue(n)),
    }
}

fn metadata(decision: &Decision) -> Struct {
    let v = &decision.verdict;
    let action = match (v.is_block(), v.reason.is_some()) {
        (true, _) => "block",
        (false, true) => "detect",
        (false, false) => "allow",
    };
    let rule_ids = v
        .findings
        .iter()
        .map(|f| number(f64::from(f.rule_id.0)))
        .collect();
    let mut fields = std::collections::BTreeMap::new();
    fields.insert(
        "request_id".to_string(),
        string(decision.request_id.clone()),
    );
    fields.insert("action".to_string(), string(action));
    fields.insert("score".to_string(), number(f64::from(v.score)));
    fields.insert(
        "policy_version".to_string(),
        number(decision.policy_version as f64),
    );
    fields.insert(
        "rule_ids".to_string(),
        Value {
            kind: Some(Kind::ListValue(ListValue { values: rule_ids })),
        },
    );
    Struct {
        fields: fields.into_iter().collect(),
    }
}

/// Turns a decision, or the reason there is none, into the gRPC answer.
pub fn respond(decided: Result<Decision, ConvertError>) -> Result<CheckResponse, Status> {
    let decision = decided.map_err(|e| Status::invalid_argument(e.to_string()))?;
    let dynamic_metadata = Some(metadata(&decision));
    let response = match &decision.denial {
        None => CheckResponse {
            status: Some(rpc::Status {
                code: Code::Ok as i32,
                message: String::new(),
                details: Vec::new(),
            }),
            http_response: Some(HttpResponse::OkResponse(OkHttpResponse {
                headers: decision
                    .upstream_headers()
                    .into_iter()
                    .map(|(k, v)| header(k, v))
                    .collect(),
                ..OkHttpResponse::default()
            })),
            dynamic_metadata,
        },
        Some(denial) => {
            let mut headers = vec![
                header("content-type", denial.content_type.clone()),
                header(REQUEST_ID_HEADER, decision.request_id.clone()),
            ];
            if let Some(seconds) = denial.retry_after_seconds {
                headers.push(header("retry-after", seconds.to_string()));
            }
            let code = if denial.status == 429 {
                Code::ResourceExhausted
            } else {
                Code::PermissionDenied
            };
            CheckResponse {
                status: Some(rpc::Status {
                    code: code as i32,
                    message: format!("denied by policy (request id {})", decision.request_id),
                    details: Vec::new(),
                }),
                http_response: Some(HttpResponse::DeniedResponse(DeniedHttpResponse {
                    status: Some(HttpStatus {
                        code: i32::from(denial.status),
                    }),
                    headers,
                    body: denial.body.clone(),
                })),
                dynamic_metadata,
            }
        }
    };
    Ok(response)
}

/// Serves ext_authz and gRPC health on `listener` until `signal` resolves,
/// then lets calls in flight finish.
pub async fn serve(
    listener: TcpListener,
    checker: Arc<Checker>,
    max_message_bytes: usize,
    workers: usize,
    signal: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_serving::<AuthorizationServer<AuthzService>>()
        .await;
    let service = AuthorizationServer::new(AuthzService::new(checker))
        .max_decoding_message_size(max_message_bytes);
    let (stop, stop_rx) = watch::channel(false);
    let shard_stop = stop_rx.clone();
    let server: ShardServer = Arc::new(move |index, incoming| {
        let (health_service, service) = (health_service.clone(), service.clone());
        let stop = super::stopped(shard_stop.clone());
        Box::pin(async move {
            let served = tonic::transport::Server::builder()
                .add_service(health_service)
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, stop)
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, shard = index, "gRPC check service failed");
            }
        })
    });
    let shards = Shards::start(
        "palisade-grpc",
        workers,
        vec![listener],
        None,
        server,
        stop_rx,
    )?;
    signal.await;
    health
        .set_not_serving::<AuthorizationServer<AuthzService>>()
        .await;
    let _ = stop.send(true);
    shards.finished().await;
    Ok(())
}
