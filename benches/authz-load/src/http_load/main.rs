//! `http-load`: a fixed-rate (open-loop) HTTP/1.1 load generator for latency at a
//! given load, which wrk cannot do (it only runs closed-loop, as fast as it can).
//!
//! `--connections` threads each own one keep-alive connection and a share of the
//! schedule: request `i` of thread `k` is due at `start + k/rate + i*connections/rate`.
//! A thread sleeps until a request is due, sends it and reads the response. Latency is
//! measured from the time the request was *due*, not from when it went out, so a slow
//! response that delays the next sends is counted against every request it delayed
//! (no coordinated omission); the time from the actual send is reported too.
//!
//! ```sh
//! cargo build --release -p palisade-authz-load --bin http-load
//! target/release/http-load --target 127.0.0.1:18083 --rate 5000 --duration-seconds 10
//! target/release/http-load --target 127.0.0.1:18083 --rate 2000 --method POST \
//!     --body-file form.txt --header 'Content-Type: application/x-www-form-urlencoded'
//! ```
//!
//! Prints a human summary and a last line `RESULT key=value ...` for scripts.

mod client;
mod latency;

use anyhow::{bail, Context, Result};
use clap::Parser;
use client::Connection;
use latency::Samples;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

#[derive(Debug, Parser)]
#[command(about = "Fixed-rate HTTP/1.1 load generator (latency at a given load)")]
struct Args {
    /// Server address, e.g. 127.0.0.1:18083.
    #[arg(long)]
    target: SocketAddr,
    /// Request target (path and query).
    #[arg(long, default_value = "/")]
    path: String,
    #[arg(long, default_value = "GET")]
    method: String,
    /// Extra header, `Name: value` (repeatable).
    #[arg(long = "header")]
    headers: Vec<String>,
    /// Request body, sent with a Content-Length.
    #[arg(long)]
    body_file: Option<PathBuf>,
    /// Requests per second, all connections together.
    #[arg(long)]
    rate: f64,
    /// Connections (one thread each).
    #[arg(long, default_value_t = 8)]
    connections: usize,
    #[arg(long, default_value_t = 10.0)]
    duration_seconds: f64,
    /// Requests due in the first seconds are sent but not counted.
    #[arg(long, default_value_t = 1.0)]
    warmup_seconds: f64,
}

/// What one connection thread measured.
#[derive(Default)]
struct Outcome {
    due: Samples,
    service: Samples,
    non_2xx: u64,
    errors: u64,
}

fn main() -> Result<()> {
    let args = Args::parse();
    if !args.rate.is_finite() || args.rate <= 0.0 || args.connections == 0 {
        bail!("--rate must be positive and --connections at least 1");
    }
    let request = build_request(&args)?;
    let connections = args.connections;
    let interval = Duration::from_secs_f64(connections as f64 / args.rate);
    let start = Instant::now() + Duration::from_millis(100);
    let counted_from = start + Duration::from_secs_f64(args.warmup_seconds);
    let end = counted_from + Duration::from_secs_f64(args.duration_seconds);

    let mut handles = Vec::with_capacity(connections);
    for k in 0..connections {
        let request = request.clone();
        let target = args.target;
        let first = start + Duration::from_secs_f64(k as f64 / args.rate);
        handles.push(thread::spawn(move || {
            drive(target, &request, first, interval, counted_from, end)
        }));
    }
    let mut total = Outcome::default();
    for handle in handles {
        let Ok(outcome) = handle.join() else {
            bail!("a connection thread failed");
        };
        total.due.extend(outcome.due);
        total.service.extend(outcome.service);
        total.non_2xx += outcome.non_2xx;
        total.errors += outcome.errors;
    }
    total.due.sort();
    total.service.sort();
    let achieved = total.due.len() as f64 / args.duration_seconds;
    println!(
        "{} {}{} at {:.0} req/s over {} connections for {} s: {} answered ({:.0} req/s), {} non-2xx, {} errors",
        args.method,
        args.target,
        args.path,
        args.rate,
        connections,
        args.duration_seconds,
        total.due.len(),
        achieved,
        total.non_2xx,
        total.errors
    );
    let d = &total.due;
    let s = &total.service;
    println!(
        "latency from due time (ms): p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}",
        d.quantile_ms(0.5),
        d.quantile_ms(0.9),
        d.quantile_ms(0.99),
        d.quantile_ms(0.999),
        d.quantile_ms(1.0)
    );
    println!(
        "latency from send (ms):     p50 {:.3}  p90 {:.3}  p99 {:.3}  p99.9 {:.3}  max {:.3}",
        s.quantile_ms(0.5),
        s.quantile_ms(0.9),
        s.quantile_ms(0.99),
        s.quantile_ms(0.999),
        s.quantile_ms(1.0)
    );
    println!(
        "RESULT rps={achieved:.0} p50_ms={:.3} p99_ms={:.3} p999_ms={:.3} send_p99_ms={:.3} non2xx={} errors={}",
        d.quantile_ms(0.5),
        d.quantile_ms(0.99),
        d.quantile_ms(0.999),
        s.quantile_ms(0.99),
        total.non_2xx,
        total.errors
    );
    Ok(())
}

/// One connection's share of the schedule.
fn drive(
    target: SocketAddr,
    request: &[u8],
    first: Instant,
    interval: Duration,
    counted_from: Instant,
    end: Instant,
) -> Outcome {
    let mut out = Outcome::default();
    let mut conn = Connection::new(target);
    let mut due = first;
    while due < end {
        let now = Instant::now();
        if due > now {
            thread::sleep(due - now);
        }
        let sent = Instant::now();
        let result = conn.exchange(request);
        let done = Instant::now();
        if due >= counted_from {
            match result {
                Ok(status) => {
                    if !(200..300).contains(&status) {
                        out.non_2xx += 1;
                    }
                    out.due.push(done.saturating_duration_since(due));
                    out.service.push(done.saturating_duration_since(sent));
                }
                Err(_) => out.errors += 1,
            }
        }
        due += interval;
    }
    out
}

fn build_request(args: &Args) -> Result<Vec<u8>> {
    let body = match &args.body_file {
        Some(path) => std::fs::read(path).with_context(|| format!("read {}", path.display()))?,
        None => Vec::new(),
    };
    // Defaults a `--header` of the same name replaces (never sent twice: a
    // second Host or User-Agent is not what clients send).
    let mut fields: Vec<(String, String)> = vec![
        ("Host".into(), args.target.to_string()),
        ("User-Agent".into(), "palisade-http-load".into()),
        ("Accept".into(), "*/*".into()),
    ];
    for header in &args.headers {
        let Some((name, value)) = header.split_once(':') else {
            bail!("--header must be `Name: value`, got {header:?}");
        };
        let (name, value) = (name.trim().to_string(), value.trim().to_string());
        match fields
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            Some(field)
                if ["host", "user-agent", "accept"]
                    .contains(&name.to_ascii_lowercase().as_str()) =>
            {
                field.1 = value
            }
            _ => fields.push((name, value)),
        }
    }
    let mut head = format!("{} {} HTTP/1.1\r\n", args.method, args.path);
    for (name, value) in &fields {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || args.method.eq_ignore_ascii_case("POST") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut request = head.into_bytes();
    request.extend_from_slice(&body);
    Ok(request)
}
