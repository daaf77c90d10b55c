//! `authz-load`: a load generator for Palisade's Envoy ext_authz gRPC service.
//!
//! N concurrent streams (tasks, each with one call in flight) share one or more
//! HTTP/2 connections, as Envoy's ext_authz client does, and call
//! `envoy.service.auth.v3.Authorization/Check` with a tonic client for a fixed
//! time: first a benign browser request, then the same request carrying a SQL
//! injection. The request is encoded once (as wrk sends fixed bytes), so the
//! generator spends its share of the CPU on the RPC rather than on re-encoding;
//! the server decodes every call in full.
//!
//! For each kind it prints checks/s, latency percentiles, the CPU time per
//! check of the server (when spawned) and of itself, and `others`: the CPU the
//! rest of the machine used meanwhile, in cores — a run where it is not near 0
//! was disturbed and does not measure this machine. It also counts answers that
//! were not the expected one (benign must be allowed, the attack denied): a run
//! with wrong answers measures nothing, so that is an error exit.
//!
//! ```sh
//! cargo build --release -p palisade-server -p palisade-authz-load
//! target/release/authz-load --spawn target/release/palisade --concurrency 16
//! # or against a running service:
//! target/release/authz-load --target 127.0.0.1:9001 --concurrency 16
//! ```

use anyhow::{anyhow, bail, Context, Result};
use bytes::{BufMut, Bytes};
use clap::Parser;
use envoy_types::pb::envoy::config::core::v3::{
    address::Address, socket_address::PortSpecifier, SocketAddress,
};
use envoy_types::pb::envoy::service::auth::v3::attribute_context::{HttpRequest, Peer, Request};
use envoy_types::pb::envoy::service::auth::v3::check_response::HttpResponse;
use envoy_types::pb::envoy::service::auth::v3::{AttributeContext, CheckRequest, CheckResponse};
use prost::Message;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint};
use tonic::Status;

const CHECK_PATH: &str = "/envoy.service.auth.v3.Authorization/Check";

/// Sends already-encoded `CheckRequest` bytes; decodes `CheckResponse`s.
#[derive(Debug, Clone, Copy, Default)]
struct PreEncoded;

#[derive(Debug)]
struct BytesEncoder;

#[derive(Debug)]
struct ResponseDecoder;

impl Encoder for BytesEncoder {
    type Item = Bytes;
    type Error = Status;
    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), Status> {
        dst.put_slice(&item);
        Ok(())
    }
}

impl Decoder for ResponseDecoder {
    type Item = CheckResponse;
    type Error = Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<CheckResponse>, Status> {
        CheckResponse::decode(src)
            .map(Some)
            .map_err(|e| Status::internal(e.to_string()))
    }
}

impl Codec for PreEncoded {
    type Encode = Bytes;
    type Decode = CheckResponse;
    type Encoder = BytesEncoder;
    type Decoder = ResponseDecoder;
    fn encoder(&mut self) -> BytesEncoder {
        BytesEncoder
    }
    fn decoder(&mut self) -> ResponseDecoder {
        ResponseDecoder
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "authz-load",
    about = "Load generator for Palisade's ext_authz gRPC service"
)]
struct Args {
    /// The gRPC check service (ip:port). Required unless --spawn is given.
    #[arg(long)]
    target: Option<SocketAddr>,
    /// Start `PALISADE authz --grpc 127.0.0.1:0` and load it.
    #[arg(long, value_name = "PALISADE")]
    spawn: Option<PathBuf>,
    /// Policy file for the spawned service (default: its embedded policy).
    #[arg(long, value_name = "FILE", requires = "spawn")]
    policy: Option<PathBuf>,
    /// Concurrent streams (calls in flight).
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// HTTP/2 connections the streams share.
    #[arg(long, default_value_t = 1)]
    connections: usize,
    /// Seconds measured per request kind.
    #[arg(long, default_value_t = 10)]
    duration_seconds: u64,
    /// Seconds of unmeasured load before each measurement.
    #[arg(long, default_value_t = 2)]
    warmup_seconds: u64,
    /// Worker threads of the load generator's own runtime.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Which requests: benign, attack or both.
    #[arg(long, default_value = "both")]
    kind: String,
    /// Cycle through this many variants of each request, each with its own
    /// User-Agent, session cookie and `ref` argument (as from that many
    /// browsers), instead of repeating one: values the service has not seen
    /// recently are scanned in full. 1 = one request repeated.
    #[arg(long, default_value_t = 1)]
    distinct: usize,
}

/// A browser navigation as Envoy describes it: 12 headers, 6 cookies, 6 query
/// args. Variant `n` > 0 stands for another browser: its own User-Agent build,
/// session cookie and `ref` argument.
fn check_request(query: &str, n: usize) -> CheckRequest {
    let (user_agent, cookie, query) = if n == 0 {
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36".to_string(),
            "session=8f14e45fceea167a5a36dedd4bea2543; cart=3; theme=dark; consent=yes; ab=b; tz=Europe%2FLondon".to_string(),
            query.to_string(),
        )
    } else {
        (
            format!("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.{n}.0 Safari/537.36"),
            format!("session={:032x}; cart=3; theme=dark; consent=yes; ab=b; tz=Europe%2FLondon", n as u128 * 0x9E37_79B9_7F4A_7C15),
            format!("{query}{n}"),
        )
    };
    let headers: HashMap<String, String> = [
        (":authority", "shop.example"),
        (":method", "GET"),
        (":path", query.as_str()),
        (":scheme", "https"),
        ("user-agent", user_agent.as_str()),
        (
            "accept",
            "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        ),
        ("accept-language", "en-GB,en;q=0.9"),
        ("accept-encoding", "gzip, deflate, br"),
        ("referer", "https://shop.example/catalogue/shoes?page=2"),
        ("cookie", cookie.as_str()),
        ("sec-fetch-mode", "navigate"),
        ("sec-fetch-site", "same-origin"),
        ("upgrade-insecure-requests", "1"),
        ("x-forwarded-proto", "https"),
        ("x-request-id", "5f0c6b8e-2b47-4a3c-9c1e-7f1d2a3b4c5d"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    CheckRequest {
        attributes: Some(AttributeContext {
            source: Some(Peer {
                address: Some(envoy_types::pb::envoy::config::core::v3::Address {
                    address: Some(Address::SocketAddress(SocketAddress {
                        address: "203.0.113.10".to_string(),
                        port_specifier: Some(PortSpecifier::PortValue(40_000)),
                        ..SocketAddress::default()
                    })),
                }),
                ..Peer::default()
            }),
            request: Some(Request {
                time: None,
                http: Some(HttpRequest {
                    id: "5f0c6b8e-2b47-4a3c-9c1e-7f1d2a3b4c5d".to_string(),
                    method: "GET".to_string(),
                    headers,
                    path: query.clone(),
                    host: "shop.example".to_string(),
                    scheme: "https".to_string(),
                    protocol: "HTTP/2".to_string(),
                    size: 0,
                    ..HttpRequest::default()
                }),
            }),
            ..AttributeContext::default()
        }),
    }
}

const BENIGN: &str =
    "/catalogue/search?q=running+shoes&size=42&colour=blue&sort=price&page=2&ref=nav";
const ATTACK: &str =
    "/catalogue/search?q=shoes%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--&size=42&colour=blue&sort=price&page=2&ref=nav";

/// CPU time (user + system) a process has used, from `/proc/PID/stat`
/// (Linux; clock ticks taken as 100 Hz, the kernel's USER_HZ everywhere).
fn cpu_time(pid: &str) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may contain spaces) start after ')'.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some(Duration::from_millis((utime + stime) * 10))
}

/// Busy (non-idle) CPU time of the whole machine, from `/proc/stat`.
fn machine_busy() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next()?.strip_prefix("cpu ")?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some(Duration::from_millis(total.saturating_sub(idle) * 10))
}

/// What one run measured.
struct Measured {
    calls: usize,
    elapsed: Duration,
    latencies_ns: Vec<u64>,
    wrong: usize,
    errors: usize,
}

fn percentile(sorted: &[u64], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    Duration::from_nanos(sorted.get(rank.min(sorted.len() - 1)).copied().unwrap_or(0))
}

async fn run(
    channels: &[Channel],
    requests: &[Bytes],
    concurrency: usize,
    duration: Duration,
    expect_allow: bool,
) -> Measured {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for i in 0..concurrency {
        let channel = channels.get(i % channels.len().max(1)).cloned();
        let requests = requests.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(1 << 16);
            let (mut wrong, mut errors) = (0usize, 0usize);
            let Some(channel) = channel else {
                return (latencies, wrong, errors);
            };
            let mut client = tonic::client::Grpc::new(channel);
            let path = PathAndQuery::from_static(CHECK_PATH);
            // Streams start at different variants and step through them all.
            let mut next = i;
            while Instant::now() < deadline {
                let Some(request) = requests.get(next % requests.len().max(1)).cloned() else {
                    break;
                };
                next = next.wrapping_add(concurrency);
                let t = Instant::now();
                let result = match client.ready().await {
                    Ok(()) => {
                        client
                            .unary(tonic::Request::new(request), path.clone(), PreEncoded)
                            .await
                    }
                    Err(e) => Err(Status::unavailable(e.to_string())),
                };
                latencies.push(t.elapsed().as_nanos() as u64);
                match result {
                    Ok(response) => {
                        let allowed = matches!(
                            response.get_ref().http_response,
                            Some(HttpResponse::OkResponse(_))
                        );
                        if allowed != expect_allow {
                            wrong += 1;
                        }
                    }
                    Err(_) => errors += 1,
                }
            }
            (latencies, wrong, errors)
        }));
    }
    let mut measured = Measured {
        calls: 0,
        elapsed: Duration::ZERO,
        latencies_ns: Vec::new(),
        wrong: 0,
        errors: 0,
    };
    for task in tasks {
        if let Ok((latencies, wrong, errors)) = task.await {
            measured.calls += latencies.len();
            measured.latencies_ns.extend(latencies);
            measured.wrong += wrong;
            measured.errors += errors;
        }
    }
    measured.elapsed = started.elapsed();
    measured.latencies_ns.sort_unstable();
    measured
}

fn spawn_server(palisade: &PathBuf, policy: Option<&PathBuf>) -> Result<(Child, SocketAddr)> {
    let mut command = Command::new(palisade);
    command.args(["authz", "--grpc", "127.0.0.1:0"]);
    if let Some(policy) = policy {
        command.arg("--policy").arg(policy);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {}", palisade.display()))?;
    let stdout = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let line = lines
        .next()
        .ok_or_else(|| anyhow!("palisade printed nothing"))??;
    let addr = line
        .strip_prefix("palisade authz: grpc listening on ")
        .ok_or_else(|| anyhow!("unexpected line from palisade: {line}"))?
        .parse()?;
    std::thread::spawn(move || for _ in lines {});
    Ok((child, addr))
}

async fn main_async(args: Args, target: SocketAddr, server_pid: Option<u32>) -> Result<bool> {
    let mut channels = Vec::new();
    for _ in 0..args.connections.max(1) {
        let endpoint = Endpoint::from_shared(format!("http://{target}"))?
            .tcp_nodelay(true)
            .http2_adaptive_window(true);
        channels.push(
            endpoint
                .connect()
                .await
                .with_context(|| format!("connecting to {target}"))?,
        );
    }
    let kinds: Vec<(&str, &str, bool)> = match args.kind.as_str() {
        "benign" => vec![("benign", BENIGN, true)],
        "attack" => vec![("attack", ATTACK, false)],
        "both" => vec![("benign", BENIGN, true), ("attack", ATTACK, false)],
        other => bail!("--kind must be benign, attack or both, not {other}"),
    };
    println!(
        "target {target}, {} concurrent streams over {} connection(s), {} s per kind after {} s warm-up, {} load-generator thread(s)",
        args.concurrency,
        channels.len(),
        args.duration_seconds,
        args.warmup_seconds,
        args.threads
    );
    println!(
        "{:<8} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11} {:>7} {:>6} {:>6}",
        "kind",
        "checks",
        "checks/s",
        "p50",
        "p99",
        "p99.9",
        "max",
        "server-cpu",
        "client-cpu",
        "others",
        "wrong",
        "errors"
    );
    let server_pid = server_pid.map(|p| p.to_string());
    let mut ok = true;
    for (name, path, expect_allow) in kinds {
        let requests: Vec<Bytes> = (0..args.distinct.max(1))
            .map(|n| Bytes::from(check_request(path, n).encode_to_vec()))
            .collect();
        if args.warmup_seconds > 0 {
            let _ = run(
                &channels,
                &requests,
                args.concurrency,
                Duration::from_secs(args.warmup_seconds),
                expect_allow,
            )
            .await;
        }
        let server_before = server_pid.as_deref().and_then(cpu_time);
        let client_before = cpu_time("self");
        let busy_before = machine_busy();
        let m = run(
            &channels,
            &requests,
            args.concurrency,
            Duration::from_secs(args.duration_seconds),
            expect_allow,
        )
        .await;
        let per_check = |before: Option<Duration>, after: Option<Duration>| match (before, after) {
            (Some(b), Some(a)) if m.calls > 0 => {
                format!(
                    "{:.1}us/chk",
                    a.saturating_sub(b).as_secs_f64() * 1e6 / m.calls as f64
                )
            }
            _ => "-".to_string(),
        };
        let server_after = server_pid.as_deref().and_then(cpu_time);
        let client_after = cpu_time("self");
        // CPU the rest of the machine used meanwhile, in cores: a figure taken
        // while others were busy is not this machine's capacity.
        let others = match (busy_before, machine_busy(), client_before, client_after) {
            (Some(b0), Some(b1), Some(c0), Some(c1)) => {
                let server = match (server_before, server_after) {
                    (Some(s0), Some(s1)) => s1.saturating_sub(s0),
                    _ => Duration::ZERO,
                };
                let rest = b1
                    .saturating_sub(b0)
                    .saturating_sub(c1.saturating_sub(c0))
                    .saturating_sub(server);
                format!("{:.2}", rest.as_secs_f64() / m.elapsed.as_secs_f64())
            }
            _ => "-".to_string(),
        };
        let server_cpu = per_check(server_before, server_after);
        let client_cpu = per_check(client_before, client_after);
        let rate = m.calls as f64 / m.elapsed.as_secs_f64();
        let ms = |d: Duration| format!("{:.3}ms", d.as_secs_f64() * 1e3);
        println!(
            "{:<8} {:>10} {:>10.0} {:>9} {:>9} {:>9} {:>9} {:>11} {:>11} {:>7} {:>6} {:>6}",
            name,
            m.calls,
            rate,
            ms(percentile(&m.latencies_ns, 50.0)),
            ms(percentile(&m.latencies_ns, 99.0)),
            ms(percentile(&m.latencies_ns, 99.9)),
            ms(percentile(&m.latencies_ns, 100.0)),
            server_cpu,
            client_cpu,
            others,
            m.wrong,
            m.errors
        );
        if m.calls == 0 || m.wrong > 0 || m.errors > 0 {
            ok = false;
        }
    }
    Ok(ok)
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut server = None;
    let target = match (&args.spawn, args.target) {
        (Some(palisade), _) => match spawn_server(palisade, args.policy.as_ref()) {
            Ok((child, addr)) => {
                server = Some(child);
                addr
            }
            Err(e) => {
                eprintln!("authz-load: {e:#}");
                return std::process::ExitCode::from(2);
            }
        },
        (None, Some(addr)) => addr,
        (None, None) => {
            eprintln!("authz-load: give --target ADDR or --spawn PATH_TO_PALISADE");
            return std::process::ExitCode::from(64);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build();
    let result = match runtime {
        Ok(rt) => rt.block_on(main_async(args, target, server.as_ref().map(Child::id))),
        Err(e) => Err(e.into()),
    };
    if let Some(mut child) = server {
        let _ = child.kill();
        let _ = child.wait();
    }
    match result {
        Ok(true) => std::process::ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!(
                "authz-load: some answers were wrong or failed (see the wrong/errors columns)"
            );
            std::process::ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("authz-load: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}
