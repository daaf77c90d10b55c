//! Linear-time bench: inputs built to hurt backtracking engines, at 100 B, 10 KiB
//! and 1 MiB, carried in a query string, a urlencoded body and a JSON body (plus
//! nested JSON and a many-part multipart body), through the full engine with the
//! full embedded signature set at paranoia 4.
//!
//! Two modes:
//! - `cargo bench -p palisade-benches --bench linear_time` runs criterion (bytes/s per
//!   input, carrier and size; results under `target/criterion/linear_*`);
//! - `LINEAR_TIME_REPORT=1 cargo bench -p palisade-benches --bench linear_time` (what
//!   `benches/linear-time-report.sh` runs) times every case with the thread's CPU
//!   clock and prints a table: median CPU time per request, MB/s, the 1 MiB / 10 KiB
//!   throughput ratio and PASS/FAIL against the targets (ratio >= 0.8, no request over
//!   10 ms CPU up to the body limit).
//!
//! The engine runs in detect mode so no request stops early at the anomaly threshold:
//! every byte is parsed and every value matched, the worst case. Limits: the body
//! limit stays at its default (1 MiB, so the largest bodies are exactly the limit);
//! the per-value, argument-count and nesting limits are raised so a 1 MiB value, 130k
//! arguments or 500k levels of nesting are inspected in full instead of being cut
//! (`LINEAR_LIMITS=default` keeps every default limit instead).

use criterion::{black_box, BenchmarkId, Criterion, SamplingMode, Throughput};
use palisade_benches::CHUNK_BYTES;
use palisade_engine::inspector::Settings;
use palisade_engine::request::RequestHead;
use palisade_engine::rule::Paranoia;
use palisade_engine::verdict::Mode;
use palisade_engine::{defaults, Inspector, Verdict};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Sizes every input is built at (request bytes: URI for a query, body otherwise).
const SIZES: &[usize] = &[100, 10 * 1024, 1 << 20];
/// Extra sizes the report mode adds to show the trend between the acceptance points.
const REPORT_EXTRA_SIZES: &[usize] = &[100 * 1024];
/// The default body limit; the largest cases are built to exactly this size.
const BODY_LIMIT: usize = 1 << 20;
/// Acceptance: no request over this much CPU time up to the body limit.
const MAX_CPU: Duration = Duration::from_millis(10);
/// Acceptance: throughput at 1 MiB at least this fraction of throughput at 10 KiB.
const MIN_RATIO: f64 = 0.8;
/// Protocol checks that mean a generated body did not parse.
const BODY_MALFORMED: u32 = 10_001;
const BODY_TRUNCATED: u32 = 10_002;

/// Where the payload travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Carrier {
    /// `GET /search?q=<payload>`.
    Query,
    /// `POST` with `q=<payload>` as `application/x-www-form-urlencoded`.
    Urlencoded,
    /// `POST` with `{"q":"<payload>"}` as `application/json`.
    Json,
    /// `POST` with the payload as the whole `multipart/form-data` body.
    Multipart,
}

impl Carrier {
    fn name(self) -> &'static str {
        match self {
            Carrier::Query => "query",
            Carrier::Urlencoded => "urlencoded",
            Carrier::Json => "json",
            Carrier::Multipart => "multipart",
        }
    }
}

/// How an input is built.
#[derive(Debug, Clone, Copy)]
enum Shape {
    /// `prefix` then `unit` repeated, then `suffix`, as the value of `q`. `form_unit`
    /// is the unit in a query string or form (spaces as `+`), `json_unit` inside a
    /// JSON string (backslashes escaped).
    Value {
        prefix: &'static str,
        form_unit: &'static str,
        json_unit: &'static str,
        suffix: &'static str,
    },
    /// `[[[[…]]]]` as the whole JSON body.
    JsonArrays,
    /// `{"a":{"a":…1…}}` as the whole JSON body.
    JsonObjects,
    /// `a=1&a=1&…` as the query or form; `{"a":1,"a":1,…}` as JSON.
    ManyArgs,
    /// A multipart body with many small parts.
    ManyParts,
}

/// A named input and the carriers it is sent in.
struct Input {
    name: &'static str,
    shape: Shape,
    carriers: &'static [Carrier],
}

const VALUE_CARRIERS: &[Carrier] = &[Carrier::Query, Carrier::Urlencoded, Carrier::Json];

const fn value(
    name: &'static str,
    prefix: &'static str,
    form_unit: &'static str,
    json_unit: &'static str,
    suffix: &'static str,
) -> Input {
    Input {
        name,
        shape: Shape::Value {
            prefix,
            form_unit,
            json_unit,
            suffix,
        },
        carriers: VALUE_CARRIERS,
    }
}

/// The inputs: the favourite inputs of catastrophic patterns (`(a+)+$` on `aaaa!`,
/// nested groups, quotes, tag openers, double encoding, comments, escapes), long runs
/// of one character, SQL and HTML made of many tokens, deep nesting and huge numbers
/// of arguments or parts.
const INPUTS: &[Input] = &[
    value("a_run_bang", "", "a", "a", "!"),
    value("one_char_A", "", "A", "A", ""),
    value("spaces", "x", "+", " ", "x"),
    value("parens", "", "(", "(", ""),
    value("quotes", "", "'", "'", ""),
    value("angles", "", "<", "<", ""),
    value("pct25", "", "%25", "%25", ""),
    value("comments", "", "/**/", "/**/", ""),
    value("backslashes", "", "\\", "\\\\", ""),
    value("semicolons", "", ";", ";", ""),
    value("pipes", "", "|", "|", ""),
    value("tag_attrs", "<a", "+x=1", " x=1", ""),
    value("sql_union", "", "union+select+", "union select ", ""),
    value(
        "xss_tags",
        "",
        "<img+src=x+onerror=alert(1)>",
        "<img src=x onerror=alert(1)>",
        "",
    ),
    Input {
        name: "json_arrays",
        shape: Shape::JsonArrays,
        carriers: &[Carrier::Json],
    },
    Input {
        name: "json_objects",
        shape: Shape::JsonObjects,
        carriers: &[Carrier::Json],
    },
    Input {
        name: "many_args",
        shape: Shape::ManyArgs,
        carriers: VALUE_CARRIERS,
    },
    Input {
        name: "many_parts",
        shape: Shape::ManyParts,
        carriers: &[Carrier::Multipart],
    },
];

const BOUNDARY: &str = "----PalisadeLinearTimeBoundary7MA4YWxk";

/// One built request.
struct Case {
    input: &'static str,
    carrier: Carrier,
    /// The nominal size (what the table is keyed by).
    size: usize,
    head: RequestHead,
    body: Vec<u8>,
}

impl Case {
    /// Bytes the engine reads: the request target plus the body.
    fn bytes(&self) -> usize {
        self.head.uri.len() + self.body.len()
    }
}

/// `unit` repeated to fill `room` bytes, whole units only (a cut unit could break
/// an escape or a percent sequence).
fn fill(out: &mut Vec<u8>, unit: &str, room: usize) {
    let unit = unit.as_bytes();
    if unit.is_empty() {
        return;
    }
    for _ in 0..room / unit.len() {
        out.extend_from_slice(unit);
    }
}

fn build(input: &Input, carrier: Carrier, size: usize) -> Case {
    let (uri, content_type, body) = match (input.shape, carrier) {
        (
            Shape::Value {
                prefix,
                form_unit,
                suffix,
                ..
            },
            Carrier::Query,
        ) => {
            let mut uri = b"/search?q=".to_vec();
            uri.extend_from_slice(prefix.as_bytes());
            let room = size.saturating_sub(uri.len() + suffix.len());
            fill(&mut uri, form_unit, room);
            uri.extend_from_slice(suffix.as_bytes());
            (uri, None, Vec::new())
        }
        (
            Shape::Value {
                prefix,
                form_unit,
                suffix,
                ..
            },
            _,
        ) if carrier == Carrier::Urlencoded => {
            let mut body = b"q=".to_vec();
            body.extend_from_slice(prefix.as_bytes());
            let room = size.saturating_sub(body.len() + suffix.len());
            fill(&mut body, form_unit, room);
            body.extend_from_slice(suffix.as_bytes());
            (
                b"/submit".to_vec(),
                Some("application/x-www-form-urlencoded"),
                body,
            )
        }
        (
            Shape::Value {
                prefix,
                json_unit,
                suffix,
                ..
            },
            _,
        ) => {
            let mut body = br#"{"q":""#.to_vec();
            body.extend_from_slice(prefix.as_bytes());
            let room = size.saturating_sub(body.len() + suffix.len() + 2);
            fill(&mut body, json_unit, room);
            body.extend_from_slice(suffix.as_bytes());
            body.extend_from_slice(br#""}"#);
            (b"/api/submit".to_vec(), Some("application/json"), body)
        }
        (Shape::JsonArrays, _) => {
            let depth = size / 2;
            let mut body = vec![b'['; depth];
            body.resize(2 * depth, b']');
            (b"/api/submit".to_vec(), Some("application/json"), body)
        }
        (Shape::JsonObjects, _) => {
            // `{"a":` (5 bytes) and `}` (1 byte) per level, one `1` in the middle.
            let depth = size.saturating_sub(1) / 6;
            let mut body = Vec::with_capacity(size);
            fill(&mut body, r#"{"a":"#, depth * 5);
            body.push(b'1');
            body.resize(body.len() + depth, b'}');
            (b"/api/submit".to_vec(), Some("application/json"), body)
        }
        (Shape::ManyArgs, Carrier::Query) => {
            let mut uri = b"/search?a=1".to_vec();
            let room = size.saturating_sub(uri.len());
            fill(&mut uri, "&a=1", room);
            (uri, None, Vec::new())
        }
        (Shape::ManyArgs, Carrier::Json) => {
            let mut body = br#"{"a":1"#.to_vec();
            let room = size.saturating_sub(body.len() + 1);
            fill(&mut body, r#","a":1"#, room);
            body.push(b'}');
            (b"/api/submit".to_vec(), Some("application/json"), body)
        }
        (Shape::ManyArgs, _) => {
            let mut body = b"a=1".to_vec();
            let room = size.saturating_sub(body.len());
            fill(&mut body, "&a=1", room);
            (
                b"/submit".to_vec(),
                Some("application/x-www-form-urlencoded"),
                body,
            )
        }
        (Shape::ManyParts, _) => {
            let part =
                format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n");
            let end = format!("--{BOUNDARY}--\r\n");
            let mut body = Vec::with_capacity(size);
            let room = size.saturating_sub(end.len()).max(part.len());
            fill(&mut body, &part, room);
            body.extend_from_slice(end.as_bytes());
            (b"/upload".to_vec(), None, body)
        }
    };
    let content_type = match input.shape {
        Shape::ManyParts => format!("multipart/form-data; boundary={BOUNDARY}"),
        _ => content_type.unwrap_or_default().to_string(),
    };
    let method = if body.is_empty() { "GET" } else { "POST" };
    let mut head = RequestHead::new(method, &uri)
        .with_header("Host", "www.example-shop.co.uk")
        .with_header(
            "User-Agent",
            "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
        )
        .with_header("Accept", "*/*")
        .with_header("Accept-Language", "en-GB,en;q=0.8")
        .with_header("Accept-Encoding", "gzip, deflate, br");
    if !body.is_empty() {
        head = head
            .with_header("Content-Type", content_type)
            .with_header("Content-Length", body.len().to_string());
    }
    Case {
        input: input.name,
        carrier,
        size,
        head,
        body,
    }
}

fn cases(sizes: &[usize]) -> Vec<Case> {
    let mut out = Vec::new();
    for input in INPUTS {
        for &carrier in input.carriers {
            for &size in sizes {
                out.push(build(input, carrier, size));
            }
        }
    }
    out
}

/// The engine under test: full embedded signatures, paranoia 4, detect mode, and
/// (unless `LINEAR_LIMITS=default`) the per-value, argument and nesting limits raised.
fn inspector() -> Inspector {
    let rules = Arc::new(defaults::compiled_rules().expect("embedded signatures compile"));
    let policy = defaults::policy().expect("embedded policy parses");
    let mut settings = Settings::from_policy(&policy);
    settings.paranoia = Paranoia::MAX;
    settings.mode = Mode::Detect;
    settings.limits.max_inspected_body_bytes = BODY_LIMIT as u64;
    if std::env::var("LINEAR_LIMITS").as_deref() != Ok("default") {
        settings.limits.max_value_bytes = BODY_LIMIT;
        settings.limits.max_args_count = 1_000_000;
        settings.limits.max_json_depth = 1_000_000;
    }
    Inspector::with_settings(rules, settings)
}

/// Inspects a case the way the proxy does: head, then the body in 16 KiB chunks.
fn run(inspector: &Inspector, case: &Case) -> Verdict {
    let mut tx = inspector.begin(&case.head);
    for chunk in case.body.chunks(CHUNK_BYTES) {
        let _ = black_box(tx.feed_body(chunk));
    }
    tx.finish()
}

fn size_label(size: usize) -> String {
    match size {
        s if s >= 1 << 20 && s % (1 << 20) == 0 => format!("{}MiB", s >> 20),
        s if s >= 1024 && s % 1024 == 0 => format!("{}KiB", s >> 10),
        s => format!("{s}B"),
    }
}

fn criterion_benches(c: &mut Criterion) {
    let inspector = inspector();
    for carrier in [
        Carrier::Query,
        Carrier::Urlencoded,
        Carrier::Json,
        Carrier::Multipart,
    ] {
        let mut group = c.benchmark_group(format!("linear_{}", carrier.name()));
        group.sampling_mode(SamplingMode::Flat);
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(2));
        for case in cases(SIZES).iter().filter(|c| c.carrier == carrier) {
            group.throughput(Throughput::Bytes(case.bytes() as u64));
            group.bench_with_input(
                BenchmarkId::new(case.input, size_label(case.size)),
                case,
                |b, case| b.iter(|| run(&inspector, black_box(case))),
            );
        }
        group.finish();
    }
}

/// CPU time this thread has used (`CLOCK_THREAD_CPUTIME_ID`).
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the
    // kernel always supports for the calling thread.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Timings of one case.
struct Measured {
    runs: usize,
    median_cpu: Duration,
    max_cpu: Duration,
    median_wall: Duration,
    findings: usize,
    /// The body did not parse (malformed or truncated): the generator is wrong, and
    /// the figure measures a parser that gave up, not a full inspection.
    broken: bool,
}

/// Runs a case repeatedly (at least 5 times, up to about `budget` of CPU or 200 runs).
fn measure(inspector: &Inspector, case: &Case, budget: Duration) -> Measured {
    let verdict = run(inspector, case); // warm-up, and the findings count
    let mut cpu = Vec::new();
    let mut wall = Vec::new();
    let mut spent = Duration::ZERO;
    while cpu.len() < 5 || (spent < budget && cpu.len() < 200) {
        let w = Instant::now();
        let c = thread_cpu();
        let _ = black_box(run(inspector, black_box(case)));
        let c = thread_cpu().saturating_sub(c);
        wall.push(w.elapsed());
        cpu.push(c);
        spent += c;
    }
    cpu.sort();
    wall.sort();
    Measured {
        runs: cpu.len(),
        median_cpu: cpu[cpu.len() / 2],
        max_cpu: cpu.last().copied().unwrap_or_default(),
        median_wall: wall[wall.len() / 2],
        findings: verdict.findings.len(),
        broken: verdict
            .findings
            .iter()
            .any(|f| matches!(f.rule_id.0, BODY_MALFORMED | BODY_TRUNCATED)),
    }
}

fn mb_per_s(bytes: usize, time: Duration) -> f64 {
    if time.is_zero() {
        return 0.0;
    }
    bytes as f64 / time.as_secs_f64() / 1e6
}

fn fmt_time(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us >= 1000.0 {
        format!("{:.2} ms", us / 1000.0)
    } else {
        format!("{us:.1} µs")
    }
}

/// The report mode: one table row per input, carrier and size.
fn report() {
    let inspector = inspector();
    let budget = Duration::from_millis(
        std::env::var("LINEAR_BUDGET_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(300),
    );
    let only = std::env::var("LINEAR_ONLY").unwrap_or_default();
    let mut sizes: Vec<usize> = SIZES.iter().chain(REPORT_EXTRA_SIZES).copied().collect();
    sizes.sort();
    let limits = std::env::var("LINEAR_LIMITS").unwrap_or_else(|_| "raised".into());
    println!(
        "# linear time: full embedded signature set, paranoia 4, detect mode, limits {limits}; \
         median of >= 5 runs (CPU budget {} ms per case), thread CPU time",
        budget.as_millis()
    );
    println!();
    println!("| input | carrier | size | bytes | runs | median CPU | max CPU | median wall | MB/s (CPU) | ratio vs 10 KiB | findings | result |");
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
    let mut failures = 0usize;
    let all = cases(&sizes);
    let mut ten_kib: Option<f64> = None;
    for case in &all {
        let key = format!("{}/{}", case.input, case.carrier.name());
        if !only.is_empty() && !key.contains(&only) {
            continue;
        }
        let m = measure(&inspector, case, budget);
        let rate = mb_per_s(case.bytes(), m.median_cpu);
        if case.size == 10 * 1024 {
            ten_kib = Some(rate);
        }
        let ratio = (case.size > 10 * 1024)
            .then_some(ten_kib)
            .flatten()
            .map(|base| if base > 0.0 { rate / base } else { 0.0 });
        let mut problems = Vec::new();
        if m.max_cpu > MAX_CPU && case.size <= BODY_LIMIT {
            problems.push(format!("> {} ms", MAX_CPU.as_millis()));
        }
        if case.size == BODY_LIMIT && ratio.is_some_and(|r| r < MIN_RATIO) {
            problems.push(format!("ratio < {MIN_RATIO}"));
        }
        if m.broken {
            problems.push("body did not parse".to_string());
        }
        if !problems.is_empty() {
            failures += 1;
        }
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.1} | {} | {} | {} |",
            case.input,
            case.carrier.name(),
            size_label(case.size),
            case.bytes(),
            m.runs,
            fmt_time(m.median_cpu),
            fmt_time(m.max_cpu),
            fmt_time(m.median_wall),
            rate,
            ratio.map(|r| format!("{r:.2}")).unwrap_or_default(),
            m.findings,
            if problems.is_empty() {
                "PASS".to_string()
            } else {
                format!("FAIL ({})", problems.join(", "))
            },
        );
    }
    println!();
    println!("{failures} row(s) failed.");
}

fn main() {
    if std::env::var_os("LINEAR_TIME_REPORT").is_some() {
        report();
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    criterion_benches(&mut criterion);
    criterion.final_summary();
}
