#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Quick probe: time per request for a 4 KiB form body and a benign GET.
use palisade_engine::request::RequestHead;
use palisade_engine::{defaults, Inspector};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let rules = Arc::new(defaults::compiled_rules().expect("rules"));
    let policy = defaults::policy().expect("policy");
    if std::env::var_os("PALISADE_GROUPS").is_some() {
        for line in rules.describe_groups() {
            println!("{line}");
        }
    }
    let inspector = Inspector::new(rules, &policy);
    let mut body = String::new();
    let mut i = 0;
    while body.len() < 4096 {
        body.push_str(&format!(
            "field{i}=Hello+there%2C+this+is+a+normal+message+number+{i}&"
        ));
        i += 1;
    }
    let head = RequestHead::new("POST", b"/contact?lang=en&page=2")
        .with_header("Host", "www.example.org")
        .with_header("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0.0.0 Safari/537.36")
        .with_header("Content-Type", "application/x-www-form-urlencoded")
        .with_header("Accept", "text/html")
        .with_header("Cookie", "_ga=GA1.2.3; session=abcdef0123456789");
    let n: u32 = std::env::var("N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    let only_get = std::env::var_os("ONLY_GET").is_some();
    let v = inspector.inspect(&head, body.as_bytes());
    println!(
        "verdict {} findings {:?}",
        v.summary(),
        v.findings.iter().map(|f| f.rule_id.0).collect::<Vec<_>>()
    );
    let t = Instant::now();
    for _ in 0..if only_get { 0 } else { n } {
        let _ = inspector.inspect(&head, body.as_bytes());
    }
    let per = t.elapsed() / n;
    println!(
        "4 KiB form: {per:?} per request, {:.1} MB/s",
        body.len() as f64 / per.as_secs_f64() / 1e6
    );
    let get = RequestHead::new("GET", b"/en-us/store?sort=price-asc&utm_source=newsletter&q=linen+shirts")
        .with_header("Host", "www.shop.example")
        .with_header("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0.0.0 Safari/537.36")
        .with_header("Accept", "text/html,application/xhtml+xml")
        .with_header("Accept-Language", "en-US,en;q=0.9")
        .with_header("Cookie", "_ga=GA1.2.1234567890.1717000000; cart=5f2b9c1e");
    let t = Instant::now();
    for _ in 0..n {
        let _ = inspector.inspect(&get, b"");
    }
    println!("benign GET: {:?} per request", t.elapsed() / n);
}
