//! The Envoy ext_authz gRPC service end to end: a tonic client built from the
//! same `envoy-types` protos Envoy uses, against the service on 127.0.0.1:0.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod authz_support;

use authz_support::{raw_http, start, Described, TempDir};
use envoy_types::pb::envoy::service::auth::v3::check_response::HttpResponse;
use envoy_types::pb::envoy::service::auth::v3::{CheckRequest, CheckResponse};
use envoy_types::pb::google::protobuf::value::Kind;
use tonic::Code;

const ATTACK: &str = "/search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--";

fn ok_headers(response: &CheckResponse) -> Vec<(String, String)> {
    match &response.http_response {
        Some(HttpResponse::OkResponse(ok)) => ok
            .headers
            .iter()
            .filter_map(|h| h.header.as_ref())
            .map(|h| (h.key.clone(), h.value.clone()))
            .collect(),
        other => panic!("expected an OkHttpResponse, got {other:?}"),
    }
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// (status, headers, body) of a denial.
fn denied(response: &CheckResponse) -> (i32, Vec<(String, String)>, String) {
    match &response.http_response {
        Some(HttpResponse::DeniedResponse(d)) => (
            d.status.as_ref().map(|s| s.code).unwrap_or(0),
            d.headers
                .iter()
                .filter_map(|h| h.header.as_ref())
                .map(|h| (h.key.clone(), h.value.clone()))
                .collect(),
            d.body.clone(),
        ),
        other => panic!("expected a DeniedHttpResponse, got {other:?}"),
    }
}

fn rule_ids(response: &CheckResponse) -> Vec<u32> {
    let meta = response
        .dynamic_metadata
        .as_ref()
        .expect("dynamic metadata");
    match meta.fields.get("rule_ids").and_then(|v| v.kind.as_ref()) {
        Some(Kind::ListValue(list)) => list
            .values
            .iter()
            .filter_map(|v| match v.kind {
                Some(Kind::NumberValue(n)) => Some(n as u32),
                _ => None,
            })
            .collect(),
        other => panic!("rule_ids missing: {other:?}"),
    }
}

fn status_code(response: &CheckResponse) -> Code {
    Code::from(response.status.as_ref().expect("status").code)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn allow_adds_headers_for_the_upstream() {
    let service = start(None, None).await;
    let mut client = service.client().await;
    let mut request =
        Described::get("/products?id=42&sort=price").header("User-Agent", "Mozilla/5.0");
    request.id = "envoy-req-1".into();
    let response = client
        .check(request.check_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::Ok);
    let headers = ok_headers(&response);
    assert_eq!(
        header(&headers, "x-palisade-request-id"),
        Some("envoy-req-1"),
        "Envoy's request id is kept"
    );
    assert_eq!(header(&headers, "x-palisade-score"), Some("0"));
    assert_eq!(header(&headers, "x-palisade-verdict"), Some("allow"));
    assert!(rule_ids(&response).is_empty());
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attack_is_denied_with_the_policy_body_and_the_request_id() {
    let service = start(None, None).await;
    let mut client = service.client().await;
    let response = client
        .check(Described::get(ATTACK).check_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::PermissionDenied);
    let (status, headers, body) = denied(&response);
    assert_eq!(status, 403);
    let id = header(&headers, "x-palisade-request-id")
        .expect("request id header")
        .to_string();
    assert_eq!(id.len(), 24, "a generated id: {id}");
    let policy = palisade_engine::defaults::policy().unwrap();
    let template = &policy.engine.block_response;
    assert_eq!(body, template.body.replace("{request_id}", &id));
    assert!(body.contains(&id));
    assert_eq!(
        header(&headers, "content-type"),
        Some(template.content_type.as_str())
    );
    assert!(
        rule_ids(&response).contains(&16001),
        "{:?}",
        rule_ids(&response)
    );
    assert!(!body.contains("16001"), "rule ids never reach the client");
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_denies_with_429_and_retry_after() {
    let dir = TempDir::new("authz-grpc-rate");
    let policy = dir.write(
        "policy.toml",
        r#"
[[rate_limits]]
name = "per-client"
key = ["client_ip"]
requests = 2
period_seconds = 60
path_prefix = "/api/"
"#,
    );
    let service = start(Some(&policy), None).await;
    let mut client = service.client().await;
    let mut request = Described::get("/api/orders");
    request.peer = Some("198.51.100.20:5555".parse().unwrap());
    for i in 0..2 {
        let response = client
            .check(request.check_request())
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            status_code(&response),
            Code::Ok,
            "request {i} is within the limit"
        );
    }
    let response = client
        .check(request.check_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::ResourceExhausted);
    let (status, headers, body) = denied(&response);
    assert_eq!(status, 429);
    let retry: u64 = header(&headers, "retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "retry-after {retry}");
    assert!(body.contains(header(&headers, "x-palisade-request-id").unwrap()));
    // Another client (the source address is the key) is not limited.
    request.peer = Some("198.51.100.21:5555".parse().unwrap());
    let response = client
        .check(request.check_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::Ok);
    service.stop().await;
}

fn json_post(uri: &str, body: &str, partial: bool) -> CheckRequest {
    let mut request = Described::get(uri).header("Content-Type", "application/json");
    request.method = "POST".into();
    request.body = body.as_bytes().to_vec();
    request.partial = partial;
    request.check_request()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_bodies_follow_the_policy() {
    let dir = TempDir::new("authz-grpc-truncated");
    let policy = dir.write(
        "policy.toml",
        r#"
[[routes]]
name = "uploads"
path_prefix = "/upload/"
limits = { on_limit = "reject" }
"#,
    );
    let service = start(Some(&policy), None).await;
    let mut client = service.client().await;
    let cut = r#"{"comment": {"text": "hello, this is a long and perfectly fine comment th"#;

    // inspect_partial (the default): what came is inspected, the cut is not held against the request.
    let response = client
        .check(json_post("/api/comments", cut, true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::Ok, "{response:?}");
    let ids = rule_ids(&response);
    assert!(
        ids.contains(&10006),
        "the partial inspection is recorded: {ids:?}"
    );
    assert!(!ids.contains(&10002), "{ids:?}");

    // The same bytes as a complete body are a JSON document that ends mid-structure.
    let response = client
        .check(json_post("/api/comments", cut, false))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::PermissionDenied);
    assert!(rule_ids(&response).contains(&10002));

    // An attack in the part that came is still blocked.
    let attack = r#"{"q": "1' UNION SELECT username, password FROM users--", "page": "#;
    let response = client
        .check(json_post("/api/search", attack, true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::PermissionDenied);
    assert_eq!(denied(&response).0, 403);

    // A route with on_limit = "reject" refuses what it could not see whole.
    let response = client
        .check(json_post("/upload/avatar", cut, true))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(denied(&response).0, 413);
    let response = client
        .check(json_post("/upload/avatar", r#"{"a": 1}"#, false))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status_code(&response),
        Code::Ok,
        "a whole body on that route is fine"
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_fields_are_invalid_argument_and_the_service_keeps_serving() {
    let service = start(None, None).await;
    let mut client = service.client().await;
    let mut no_method = Described::get("/").check_request();
    no_method
        .attributes
        .as_mut()
        .unwrap()
        .request
        .as_mut()
        .unwrap()
        .http
        .as_mut()
        .unwrap()
        .method = String::new();
    let mut no_path = Described::get("/").check_request();
    no_path
        .attributes
        .as_mut()
        .unwrap()
        .request
        .as_mut()
        .unwrap()
        .http
        .as_mut()
        .unwrap()
        .path = String::new();
    let mut no_http = Described::get("/").check_request();
    no_http
        .attributes
        .as_mut()
        .unwrap()
        .request
        .as_mut()
        .unwrap()
        .http = None;
    let mut bad_peer = Described::get("/").check_request();
    if let Some(envoy_types::pb::envoy::config::core::v3::address::Address::SocketAddress(s)) =
        bad_peer
            .attributes
            .as_mut()
            .unwrap()
            .source
            .as_mut()
            .unwrap()
            .address
            .as_mut()
            .unwrap()
            .address
            .as_mut()
    {
        s.address = "not-an-address".into();
    }
    let cases = [
        (CheckRequest { attributes: None }, "attributes"),
        (no_http, "attributes.request.http"),
        (no_method, "attributes.request.http.method"),
        (no_path, "attributes.request.http.path"),
        (bad_peer, "attributes.source.address"),
    ];
    for (request, field) in cases {
        let status = client.check(request).await.expect_err("must fail");
        assert_eq!(status.code(), Code::InvalidArgument, "{field}: {status:?}");
        assert!(
            status.message().contains(field),
            "{field}: {}",
            status.message()
        );
    }
    let response = client
        .check(Described::get("/").check_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::Ok);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_service_reports_serving() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::health_client::HealthClient;
    use tonic_health::pb::HealthCheckRequest;
    let service = start(None, None).await;
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", service.grpc()))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel);
    for name in ["", "envoy.service.auth.v3.Authorization"] {
        let reply = health
            .check(HealthCheckRequest {
                service: name.into(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(
            reply.status,
            ServingStatus::Serving as i32,
            "service `{name}`"
        );
    }
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_swaps_the_policy_and_admin_reports_it() {
    let dir = TempDir::new("authz-grpc-reload");
    let policy = dir.write("policy.toml", "[engine]\nmode = \"block\"\n");
    let service = start(Some(&policy), None).await;
    let mut client = service.client().await;
    let response = client
        .check(Described::get(ATTACK).check_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::PermissionDenied);

    std::fs::write(&policy, "[engine]\nmode = \"detect\"\n").unwrap();
    assert_eq!(service.store.reload().unwrap(), 2);
    let response = client
        .check(Described::get(ATTACK).check_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        status_code(&response),
        Code::Ok,
        "detect mode lets it through"
    );
    assert_eq!(
        header(&ok_headers(&response), "x-palisade-verdict"),
        Some("detect")
    );

    // A broken policy is rejected and the detect-mode policy keeps serving.
    std::fs::write(&policy, "[engine]\nmode = \"sometimes\"\n").unwrap();
    assert!(service.store.reload().is_err());
    let response = client
        .check(Described::get(ATTACK).check_request())
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::Ok);

    let ready = raw_http(service.admin(), "GET", b"/readyz", &[]).await;
    assert_eq!(ready.status, 200);
    assert!(
        ready.text().contains("policy_version=2"),
        "{}",
        ready.text()
    );
    let metrics = raw_http(service.admin(), "GET", b"/metrics", &[]).await;
    assert_eq!(metrics.status, 200);
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_are_served_whole_by_the_shards() {
    let service = start(None, None).await;
    // Several connections at once (as Envoy opens one per worker), each with
    // several streams in flight, benign and attack interleaved.
    let mut calls = tokio::task::JoinSet::new();
    for connection in 0..6 {
        let client = service.client().await;
        for i in 0..10 {
            let mut client = client.clone();
            calls.spawn(async move {
                let attack = (connection + i) % 3 == 0;
                let uri = if attack {
                    ATTACK.to_string()
                } else {
                    format!("/catalog?page={i}&conn={connection}")
                };
                let response = client
                    .check(Described::get(&uri).check_request())
                    .await
                    .unwrap()
                    .into_inner();
                (attack, status_code(&response))
            });
        }
    }
    let mut answered = 0;
    while let Some(done) = calls.join_next().await {
        let (attack, code) = done.unwrap();
        let expected = if attack {
            Code::PermissionDenied
        } else {
            Code::Ok
        };
        assert_eq!(code, expected);
        answered += 1;
    }
    assert_eq!(answered, 60);
    let threads = service.decisions.threads();
    assert_eq!(threads.len(), 60);
    assert!(
        threads.iter().all(|t| t.starts_with("palisade-grpc-")),
        "every check is decided on a shard thread: {threads:?}"
    );
    let mut used: Vec<&String> = threads.iter().collect();
    used.sort();
    used.dedup();
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(
        used.len(),
        cpus.min(6),
        "six connections go round robin over the shards: {used:?}"
    );
    service.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_bodies_are_inspected_to_the_end() {
    let service = start(None, None).await;
    let mut client = service.client().await;
    let filler: String = (0..200)
        .map(|i| format!("f{i}={}&", "plain+words+about+shoes+".repeat(16)))
        .collect();
    assert!(filler.len() > 64 << 10, "exercises the large-body path");
    let form = |tail: &str| {
        let mut request =
            Described::get("/profile").header("Content-Type", "application/x-www-form-urlencoded");
        request.method = "POST".into();
        request.body = format!("{filler}{tail}").into_bytes();
        request.check_request()
    };
    let response = client.check(form("last=ok")).await.unwrap().into_inner();
    assert_eq!(
        status_code(&response),
        Code::Ok,
        "{:?}",
        rule_ids(&response)
    );
    let response = client
        .check(form(
            "last=1%27%20UNION%20SELECT%20password%20FROM%20users--",
        ))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(status_code(&response), Code::PermissionDenied);
    assert!(
        rule_ids(&response).contains(&16001),
        "{:?}",
        rule_ids(&response)
    );
    service.stop().await;
}
