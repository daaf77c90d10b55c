//! `palisade replay` end to end: the real binary on the committed fixtures
//! (a HAR recorded with mitmproxy, pcaps recorded with tcpdump, raw request
//! files) and on a synthetic pcap written by the test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../testdata")
        .join(rel)
}

fn repo(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(rel)
}

fn palisade(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args(args)
        .output()
        .expect("run palisade")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {l}: {e}")))
        .collect()
}

fn requests(values: &[Value]) -> Vec<&Value> {
    values
        .iter()
        .filter(|v| v.get("method").is_some())
        .collect()
}

fn rule_ids(v: &Value) -> Vec<u64> {
    let mut ids: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule_id"].as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

fn categories(v: &Value) -> Vec<String> {
    let mut c: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["category"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c.dedup();
    c
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("palisade-replay-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn har_from_mitmproxy_gives_verdicts_and_paired_statuses() {
    let har = testdata("replay/har-mixed.har");
    let out = palisade(&["replay", "--format", "jsonl", s(&har)]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let values = lines(&out);
    let reqs = requests(&values);
    assert_eq!(reqs.len(), 16);
    // (method, path, response status, action, categories)
    let expected: [(&str, &str, u64, &str, &[&str]); 16] = [
        ("GET", "/", 200, "allow", &[]),
        ("GET", "/products", 200, "allow", &[]),
        ("GET", "/account", 200, "allow", &[]),
        ("GET", "/missing", 404, "allow", &[]),
        ("GET", "/broken", 500, "allow", &[]),
        ("GET", "/products", 200, "block", &["sqli"]),
        ("GET", "/search", 200, "block", &["xss"]),
        ("GET", "/download", 200, "block", &["lfi"]),
        ("GET", "/ping", 200, "block", &["lfi", "rce"]),
        ("POST", "/login", 200, "allow", &[]),
        ("POST", "/login", 200, "block", &["sqli"]),
        ("POST", "/api/items", 200, "allow", &[]),
        ("POST", "/api/items", 200, "block", &["sqli"]),
        ("POST", "/upload", 200, "allow", &[]),
        ("GET", "/products", 200, "allow", &[]),
        ("GET", "/search", 200, "block", &["xss"]),
    ];
    for (i, (v, (method, path, status, action, cats))) in reqs.iter().zip(expected).enumerate() {
        assert_eq!(v["method"], method, "entry {i}");
        assert_eq!(v["path"], path, "entry {i}");
        assert_eq!(v["host"], "shop.example", "entry {i}");
        assert_eq!(v["response_status"], status, "entry {i}");
        assert_eq!(v["action"], action, "entry {i}: {v}");
        assert_eq!(categories(v), cats.to_vec(), "entry {i}: {v}");
        assert_eq!(v["source"], s(&har));
        assert_eq!(v["incomplete"], false);
        assert!(v["time"].as_str().unwrap().ends_with('Z'));
        assert!(v["client"].is_null(), "HAR has no client address");
    }
    // The HTTP/2 entries are read as HTTP/2 and allowed when benign.
    assert_eq!(reqs[14]["uri"], "/products?id=7");
    // Times are increasing and the JSON body was read from postData.text.
    assert!(reqs[12]["findings"][0]["target"]
        .as_str()
        .unwrap()
        .starts_with("json:"));
}

#[test]
fn summary_and_table_formats_and_out_file() {
    let har = testdata("replay/har-mixed.har");
    let out = palisade(&["replay", "--format", "summary", s(&har)]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("requests      16 (blocked 7, would block 0, allowed 9"),
        "{text}"
    );
    assert!(text.contains("responses     16 paired"), "{text}");
    assert!(text.contains("-- by rule (top 20, requests) --"), "{text}");
    assert!(text.contains("-- DoS attacks --\n  none"), "{text}");
    assert!(text.contains("block        404") || text.contains("allow        404"));

    let out = palisade(&["replay", "--format", "table", s(&har)]);
    let text = String::from_utf8_lossy(&out.stdout);
    let rows = text
        .lines()
        .filter(|l| l.starts_with("20") && (l.contains(" GET ") || l.contains(" POST ")))
        .count();
    assert_eq!(rows, 16, "{text}");
    assert!(text.contains("== Replay summary =="));

    let dir = temp_dir("out");
    let file = dir.join("report.jsonl");
    let out = palisade(&["replay", "--format", "jsonl", "--out", s(&file), s(&har)]);
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let written = std::fs::read_to_string(&file).unwrap();
    assert_eq!(written.lines().count(), 16);
    // --max-body cuts kept bodies and says so.
    let out = palisade(&["replay", "--format", "jsonl", "--max-body", "4", s(&har)]);
    let cut: Vec<String> = requests(&lines(&out))
        .iter()
        .filter(|v| v["body_truncated"] == true)
        .map(|v| v["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        cut,
        ["/login", "/login", "/api/items", "/api/items", "/upload"]
    );
    // Piped stdout without --format: JSON lines.
    let out = palisade(&["replay", s(&har)]);
    assert_eq!(lines(&out).len(), 16);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn policy_problems_exit_64_and_unreadable_inputs_exit_2_after_reporting() {
    let dir = temp_dir("exit");
    let bad_policy = dir.join("bad.toml");
    std::fs::write(&bad_policy, "[engine]\nparanoia = 9\n").unwrap();
    let har = testdata("replay/har-mixed.har");
    let out = palisade(&["replay", "--policy", s(&bad_policy), s(&har)]);
    assert_eq!(out.status.code(), Some(64));
    let out = palisade(&[
        "replay",
        "--suggest-exclusions",
        s(&dir.join("x.toml")),
        "--known-good",
        "colour=red",
        s(&har),
    ]);
    assert_eq!(out.status.code(), Some(64));

    // A missing file and a HAR cut in the middle: the readable input is still reported.
    let cut = dir.join("cut.har");
    let text = std::fs::read(&har).unwrap();
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let missing = dir.join("missing.pcap");
    let out = palisade(&["replay", "--format", "jsonl", s(&cut), s(&missing), s(&har)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(requests(&lines(&out)).len(), 16);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("cut.har: byte "), "{err}");
    assert!(err.contains("missing.pcap"), "{err}");

    // A pcap truncated mid-record: what came before is replayed, exit 2.
    let truncated = testdata("replay/loopback-truncated.pcap");
    let out = palisade(&["replay", "--format", "jsonl", s(&truncated)]);
    assert_eq!(out.status.code(), Some(2));
    let values = lines(&out);
    assert!(!requests(&values).is_empty());
    assert!(
        values.iter().any(|v| v["notice"] == "corrupt"),
        "{values:?}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("byte "));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn suggested_exclusions_pass_policy_check_and_silence_only_the_good_traffic() {
    let dir = temp_dir("suggest");
    let good = testdata("replay/har-known-good.har");
    let mixed = testdata("replay/har-mixed.har");
    let suggestions = dir.join("suggested.toml");
    let out = palisade(&[
        "replay",
        "--format",
        "summary",
        "--suggest-exclusions",
        s(&suggestions),
        s(&good),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&suggestions).unwrap();
    assert_eq!(text.matches("[[exclusions]]").count(), 3, "{text}");
    assert!(text.contains("path = \"/search\""), "{text}");
    assert!(text.contains("targets = [\"args:q\"]"), "{text}");
    assert!(
        text.contains("# 2 requests, e.g. POST /forum/post"),
        "{text}"
    );

    // Merged into the default policy, the result passes `policy check`.
    let policy = dir.join("tuned.toml");
    let default = std::fs::read_to_string(repo("rules/default.toml")).unwrap();
    std::fs::write(&policy, format!("{default}\n{text}")).unwrap();
    let check = palisade(&["policy", "check", s(&policy)]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );

    // Before: the good traffic has findings. After: none on it, while every
    // attack in the mixed capture is still blocked.
    let before = palisade(&["replay", "--format", "jsonl", s(&good)]);
    assert!(requests(&lines(&before))
        .iter()
        .any(|v| !rule_ids(v).is_empty()));
    let after = palisade(&[
        "replay",
        "--policy",
        s(&policy),
        "--format",
        "jsonl",
        s(&good),
    ]);
    for v in requests(&lines(&after)) {
        assert!(rule_ids(v).is_empty(), "{v}");
        assert_eq!(v["action"], "allow");
    }
    let attacks_before: Vec<bool> = requests(&lines(&palisade(&[
        "replay",
        "--format",
        "jsonl",
        s(&mixed),
    ])))
    .iter()
    .map(|v| v["action"] == "block")
    .collect();
    let attacks_after: Vec<bool> = requests(&lines(&palisade(&[
        "replay",
        "--policy",
        s(&policy),
        "--format",
        "jsonl",
        s(&mixed),
    ])))
    .iter()
    .map(|v| v["action"] == "block")
    .collect();
    assert_eq!(attacks_before, attacks_after);
    assert_eq!(attacks_after.iter().filter(|b| **b).count(), 7);

    // A filter: only the /search traffic is known-good.
    let narrow = dir.join("narrow.toml");
    let out = palisade(&[
        "replay",
        "--format",
        "summary",
        "--suggest-exclusions",
        s(&narrow),
        "--known-good",
        "path=/search,method=GET,status=2xx",
        s(&good),
        s(&mixed),
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&narrow).unwrap();
    // The known-good prose on /search, and the attacks on /search in the mixed capture.
    assert!(text.contains("path = \"/search\""), "{text}");
    assert!(
        !text.contains("/forum/post") && !text.contains("/docs/linux"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn verdicts_match_palisade_check_on_the_same_requests() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["requests/attack", "requests/benign"] {
        let mut found: Vec<PathBuf> = std::fs::read_dir(testdata(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        found.sort();
        files.extend(found);
    }
    assert!(files.len() >= 7);
    for policy in [None, Some(repo("rules/examples/search-page.toml"))] {
        let mut common: Vec<String> = Vec::new();
        if let Some(p) = &policy {
            common.extend(["--policy".to_string(), s(p).to_string()]);
        }
        let paths: Vec<String> = files.iter().map(|p| s(p).to_string()).collect();
        let mut check_args = vec!["check".to_string(), "--format".into(), "json".into()];
        check_args.extend(common.clone());
        check_args.extend(paths.clone());
        let mut replay_args = vec!["replay".to_string(), "--format".into(), "jsonl".into()];
        replay_args.extend(common);
        replay_args.extend(paths);
        let check = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(&check_args)
            .output()
            .unwrap();
        let replay = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(&replay_args)
            .output()
            .unwrap();
        assert_eq!(
            replay.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&replay.stderr)
        );
        let check = lines(&check);
        let replay = lines(&replay);
        let replay = requests(&replay);
        assert_eq!(check.len(), files.len());
        assert_eq!(replay.len(), files.len());
        let mut blocked = 0;
        for (c, r) in check.iter().zip(replay) {
            assert_eq!(c["input"], r["source"]);
            assert_eq!(c["action"], r["action"], "{c}\n{r}");
            assert_eq!(c["score"], r["score"], "{c}\n{r}");
            assert_eq!(rule_ids(c), rule_ids(r), "{c}\n{r}");
            assert_eq!(c["findings"], r["findings"]);
            blocked += usize::from(c["action"] == "block");
        }
        assert!(blocked >= 4, "the attack files are blocked");
    }
}

#[test]
fn pcap_and_pcapng_of_the_same_traffic_give_the_same_verdicts() {
    let run = |name: &str| {
        let out = palisade(&["replay", "--format", "jsonl", s(&testdata(name))]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        requests(&lines(&out))
            .iter()
            .map(|v| {
                (
                    v["method"].as_str().unwrap().to_string(),
                    v["uri"].as_str().unwrap().to_string(),
                    v["response_status"].as_u64(),
                    v["action"].as_str().unwrap().to_string(),
                    rule_ids(v),
                )
            })
            .collect::<Vec<_>>()
    };
    let pcap = run("replay/loopback.pcap");
    assert!(pcap.len() >= 10, "{pcap:?}");
    assert!(pcap.iter().any(|r| r.3 == "block"));
    assert!(
        pcap.iter().all(|r| r.2.is_some()),
        "every response paired: {pcap:?}"
    );
    assert_eq!(pcap, run("replay/loopback.pcapng"));
    assert_eq!(pcap, run("replay/loopback.pcap.gz"));
}

/// Writes a pcap (Ethernet, IPv4, TCP) where each request is one segment on
/// its own connection (picked up mid-stream, no handshake), answered 5 ms
/// later with a 200.
struct PcapWriter {
    bytes: Vec<u8>,
}

impl PcapWriter {
    fn new() -> PcapWriter {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&0i32.to_le_bytes());
        bytes.extend_from_slice(&0u32.to_le_bytes());
        bytes.extend_from_slice(&65_535u32.to_le_bytes());
        bytes.extend_from_slice(&1u32.to_le_bytes()); // LINKTYPE_ETHERNET
        PcapWriter { bytes }
    }

    #[allow(clippy::too_many_arguments)]
    fn segment(
        &mut self,
        micros: u64,
        src: [u8; 4],
        sport: u16,
        dst: [u8; 4],
        dport: u16,
        seq: u32,
        ack: u32,
        flags: u8,
        payload: &[u8],
    ) {
        let mut ip = Vec::new();
        let total = (20 + 20 + payload.len()) as u16;
        ip.extend_from_slice(&[0x45, 0]);
        ip.extend_from_slice(&total.to_be_bytes());
        ip.extend_from_slice(&[0, 1, 0x40, 0, 64, 6, 0, 0]);
        ip.extend_from_slice(&src);
        ip.extend_from_slice(&dst);
        let mut sum: u32 = ip
            .chunks(2)
            .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
            .sum();
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        let checksum = !(sum as u16);
        ip[10..12].copy_from_slice(&checksum.to_be_bytes());
        ip.extend_from_slice(&sport.to_be_bytes());
        ip.extend_from_slice(&dport.to_be_bytes());
        ip.extend_from_slice(&seq.to_be_bytes());
        ip.extend_from_slice(&ack.to_be_bytes());
        ip.extend_from_slice(&[0x50, flags, 0xff, 0xff, 0, 0, 0, 0]);
        ip.extend_from_slice(payload);
        let mut frame = vec![2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00];
        frame.extend_from_slice(&ip);
        self.bytes
            .extend_from_slice(&((micros / 1_000_000) as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&((micros % 1_000_000) as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&(frame.len() as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&(frame.len() as u32).to_le_bytes());
        self.bytes.extend_from_slice(&frame);
    }

    fn exchange(&mut self, micros: u64, client: [u8; 4], port: u16, path: &str) {
        let server = [10, 9, 9, 9];
        let request = format!("GET {path} HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: load/1.0\r\nAccept: */*\r\n\r\n");
        let response = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
        let (cseq, sseq) = (1_000u32, 5_000u32);
        self.segment(
            micros,
            client,
            port,
            server,
            80,
            cseq,
            sseq,
            0x18,
            request.as_bytes(),
        );
        self.segment(
            micros + 5_000,
            server,
            80,
            client,
            port,
            sseq,
            cseq + request.len() as u32,
            0x18,
            response,
        );
        self.segment(
            micros + 6_000,
            client,
            port,
            server,
            80,
            cseq + request.len() as u32,
            sseq + response.len() as u32,
            0x11,
            b"",
        );
        self.segment(
            micros + 6_500,
            server,
            80,
            client,
            port,
            sseq + response.len() as u32,
            cseq + request.len() as u32 + 1,
            0x11,
            b"",
        );
    }
}

#[test]
fn a_flood_in_a_capture_is_detected_in_capture_time() {
    let dir = temp_dir("dos");
    let mut pcap = PcapWriter::new();
    let start: u64 = 1_700_000_000 * 1_000_000;
    let mut port = 10_000u16;
    let mut next_port = || {
        port = if port == 65_000 { 10_000 } else { port + 1 };
        port
    };
    // 60 s of baseline: 20 clients, 10 requests per second in all.
    let mut count = 0u64;
    for second in 0..60u64 {
        for k in 0..10u64 {
            let client = [10, 0, 0, (1 + (second * 10 + k) % 20) as u8];
            let t = start + second * 1_000_000 + k * 100_000;
            pcap.exchange(t, client, next_port(), &format!("/page/{}", k % 5));
            count += 1;
        }
    }
    // Then a flood: 200 requests per second from 200 clients for 20 s.
    let flood_start = start + 60 * 1_000_000;
    for second in 0..20u64 {
        for k in 0..200u64 {
            let client = [10, 1, (k / 250) as u8, (1 + k % 250) as u8];
            let t = flood_start + second * 1_000_000 + k * 5_000;
            pcap.exchange(t, client, next_port(), "/search?q=flood");
            count += 1;
        }
    }
    let file = dir.join("flood.pcap");
    std::fs::write(&file, &pcap.bytes).unwrap();
    let policy = repo("rules/examples/dos-quickstart.toml");
    let out = palisade(&[
        "replay",
        "--policy",
        s(&policy),
        "--format",
        "jsonl",
        s(&file),
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let values = lines(&out);
    assert_eq!(requests(&values).len() as u64, count);
    assert!(requests(&values)
        .iter()
        .all(|v| v["response_status"] == 200));
    let started: Vec<&Value> = values
        .iter()
        .filter(|v| v["dos_event"]["event"] == "attack_started")
        .collect();
    assert_eq!(started.len(), 1, "{started:?}");
    let second = started[0]["dos_event"]["second"].as_u64().unwrap();
    let flood_second = flood_start / 1_000_000;
    assert!(
        (flood_second..flood_second + 10).contains(&second),
        "attack detected at {second}, flood began at {flood_second}"
    );
    // Nothing in the baseline was refused; part of the flood was.
    let reqs = requests(&values);
    let refused: Vec<&&Value> = reqs
        .iter()
        .filter(|v| v["reason"] == "dos_mitigation")
        .collect();
    assert!(!refused.is_empty());
    assert!(refused.iter().all(|v| v["path"] == "/search"));

    let summary = palisade(&[
        "replay",
        "--policy",
        s(&policy),
        "--format",
        "summary",
        s(&file),
    ]);
    let text = String::from_utf8_lossy(&summary.stdout);
    assert!(text.contains("-- DoS attacks --\n  attack "), "{text}");
    assert!(
        text.contains("on shop.example: 2023-11-14T22:14:"),
        "{text}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
