//! The audit log: one JSON line per blocked or flagged request (or per request
//! with `mode = "all"`), to stdout or to a file with size-based rotation.
//!
//! Contract: the request path never waits for the log. Records are serialised
//! on the request path and handed to a writer thread through a bounded queue;
//! when the queue is full the record is dropped and
//! `palisade_audit_dropped_total` counts it. The writer is never blocked on
//! the queue: it wakes every [`GATHER`] on its own, writes what has gathered
//! in one write, and sleeps again, so queuing a record never wakes a thread
//! (a context switch per logged request cost the proxy about a tenth of its
//! throughput). [`AuditLog::finish`] writes what is left at shutdown. Values of `Authorization`,
//! `Proxy-Authorization` and `Cookie` headers (cookie names are kept) and
//! excerpts of findings on those targets are replaced by `[redacted]`.
//! Rotation: when a line would take the file past `max_file_bytes`, `audit.log`
//! becomes `audit.log.1`, `.1` becomes `.2`, ... and the oldest past
//! `max_files` is removed.

use crate::proxy::config::{AuditMode, AuditSettings};
use crate::proxy::observe;
use palisade_engine::request::{cookie_pairs, RequestHead};
use palisade_engine::verdict::{excerpt, BlockReason};
use palisade_engine::Verdict;
use serde::Serialize;
use std::borrow::Cow;
use std::cell::RefCell;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const REDACTED: &str = "[redacted]";
const QUEUE: usize = 8192;
/// How long records gather between two writes.
pub const GATHER: Duration = Duration::from_millis(20);
/// Longest path (escaped) kept in a record.
const PATH_BYTES: usize = 1024;

/// A handle for recording; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    mode: AuditMode,
    tx: SyncSender<Vec<u8>>,
    writer: Arc<Writer>,
}

/// The writer thread, for stopping it.
struct Writer {
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

#[derive(Serialize)]
struct Record<'a> {
    time: String,
    request_id: &'a str,
    client: Option<String>,
    peer: Option<String>,
    method: &'a str,
    host: Cow<'a, str>,
    path: Cow<'a, str>,
    status: u16,
    action: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<BlockReason>,
    score: u32,
    threshold: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    route: Option<&'a str>,
    findings: Vec<AuditFinding<'a>>,
    policy_version: u64,
    headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
}

#[derive(Serialize)]
struct AuditFinding<'a> {
    rule: u32,
    category: &'a str,
    target: &'a str,
    excerpt: &'a str,
}

/// Whether a target names a sensitive value.
fn sensitive_target(target: &str) -> bool {
    let t = target.to_ascii_lowercase();
    t.starts_with("cookie:")
        || t.starts_with("cookies:")
        || t == "header:authorization"
        || t == "header:proxy-authorization"
        || t == "header:cookie"
}

/// `bytes` as [`excerpt`] shows them, borrowed when that changes nothing
/// (printable ASCII without `\\`, within `max`): most header values, hosts and
/// paths are logged without a copy.
fn shown(bytes: &[u8], max: usize) -> Cow<'_, str> {
    if bytes.len() <= max
        && bytes
            .iter()
            .all(|&b| (0x20..=0x7e).contains(&b) && b != b'\\')
    {
        if let Ok(s) = std::str::from_utf8(bytes) {
            return Cow::Borrowed(s);
        }
    }
    Cow::Owned(excerpt(bytes, max))
}

/// The headers as logged: escaped, with credentials redacted.
pub fn redacted_headers(head: &RequestHead) -> Vec<(Cow<'_, str>, Cow<'_, str>)> {
    head.headers
        .iter()
        .map(|h| {
            let name: Cow<'_, str> = if h.name.bytes().any(|b| b.is_ascii_uppercase()) {
                Cow::Owned(h.name.to_ascii_lowercase())
            } else {
                Cow::Borrowed(&h.name)
            };
            let value = match name.as_ref() {
                "authorization" | "proxy-authorization" => Cow::Borrowed(REDACTED),
                "cookie" => Cow::Owned(
                    cookie_pairs(&h.value)
                        .map(|(n, _)| format!("{}={REDACTED}", excerpt(n, 128)))
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
                _ => shown(&h.value, 256),
            };
            (name, value)
        })
        .collect()
}

thread_local! {
    /// The last second formatted on this thread and its text up to the
    /// seconds (`2026-11-28T18:10:07`): a busy thread formats each second once.
    static SECOND_TEXT: RefCell<(u64, String)> = const { RefCell::new((u64::MAX, String::new())) };
}

/// RFC 3339 UTC time with milliseconds.
fn now_rfc3339() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
    let millis = d.subsec_millis();
    SECOND_TEXT.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != secs {
            *cached = (secs, second_text(secs));
        }
        let mut out = String::with_capacity(cached.1.len() + 5);
        out.push_str(&cached.1);
        out.push('.');
        out.push(char::from(b'0' + (millis / 100 % 10) as u8));
        out.push(char::from(b'0' + (millis / 10 % 10) as u8));
        out.push(char::from(b'0' + (millis % 10) as u8));
        out.push('Z');
        out
    })
}

/// `secs` since the epoch as RFC 3339 UTC up to the seconds.
fn second_text(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// What one audit entry is about.
pub struct Entry<'a> {
    pub request_id: &'a str,
    pub head: &'a RequestHead,
    pub verdict: &'a Verdict,
    pub client: Option<std::net::IpAddr>,
    pub status: u16,
    pub policy_version: u64,
}

impl AuditLog {
    /// Starts the writer. `None` when the mode is `off`.
    pub fn start(settings: &AuditSettings) -> std::io::Result<Option<AuditLog>> {
        if settings.mode == AuditMode::Off {
            return Ok(None);
        }
        let (tx, rx) = sync_channel::<Vec<u8>>(QUEUE);
        let sink = match &settings.path {
            Some(path) => Sink::File(RotatingFile::open(
                path.clone(),
                settings.max_file_bytes,
                settings.max_files,
            )?),
            None => Sink::Stdout,
        };
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::Builder::new()
                .name("palisade-audit".to_string())
                .spawn(move || write_loop(&rx, sink, &stop))?
        };
        Ok(Some(AuditLog {
            mode: settings.mode,
            tx,
            writer: Arc::new(Writer {
                stop,
                thread: Mutex::new(Some(thread)),
            }),
        }))
    }

    /// Writes every record queued so far and stops the writer (at shutdown;
    /// records queued afterwards are dropped and counted).
    pub fn finish(&self) {
        self.writer.stop.store(true, Ordering::Release);
        let thread = self.writer.thread.lock().ok().and_then(|mut t| t.take());
        if let Some(thread) = thread {
            thread.thread().unpark();
            let _ = thread.join();
        }
    }

    /// Whether this verdict is logged.
    pub fn wants(&self, verdict: &Verdict) -> bool {
        match self.mode {
            AuditMode::Off => false,
            AuditMode::All => true,
            AuditMode::Flagged => verdict.reason.is_some() || !verdict.findings.is_empty(),
        }
    }

    /// Queues a record (dropped, and counted, if the writer is behind).
    pub fn record(&self, entry: &Entry<'_>) {
        let v = entry.verdict;
        let findings = v
            .findings
            .iter()
            .map(|f| AuditFinding {
                rule: f.rule_id.0,
                category: f.category.name(),
                target: &f.target,
                excerpt: if sensitive_target(&f.target) {
                    REDACTED
                } else {
                    &f.excerpt
                },
            })
            .collect();
        let record = Record {
            time: now_rfc3339(),
            request_id: entry.request_id,
            client: entry.client.map(crate::addr_text::ip_text),
            peer: entry.head.peer.map(crate::addr_text::socket_text),
            method: &entry.head.method,
            host: shown(entry.head.host().unwrap_or_default(), 256),
            path: shown(entry.head.path(), PATH_BYTES),
            status: entry.status,
            action: if v.is_block() { "block" } else { "allow" },
            reason: v.reason,
            score: v.score,
            threshold: v.threshold,
            route: v.route.as_deref(),
            findings,
            policy_version: entry.policy_version,
            headers: redacted_headers(entry.head),
        };
        let mut line = Vec::with_capacity(1024);
        if serde_json::to_writer(&mut line, &record).is_err() {
            return;
        }
        line.push(b'\n');
        match self.tx.try_send(line) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                observe::audit_dropped()
            }
        }
    }
}

enum Sink {
    Stdout,
    File(RotatingFile),
}

fn write_loop(rx: &Receiver<Vec<u8>>, mut sink: Sink, stop: &AtomicBool) {
    let mut batch: Vec<Vec<u8>> = Vec::new();
    loop {
        // Read the flag first: a record queued before `finish` set it is
        // drained below, before the loop ends.
        let stopping = stop.load(Ordering::Acquire);
        let disconnected = loop {
            match rx.try_recv() {
                Ok(line) => batch.push(line),
                Err(TryRecvError::Empty) => break false,
                Err(TryRecvError::Disconnected) => break true,
            }
        };
        if !batch.is_empty() {
            let result = match &mut sink {
                Sink::Stdout => {
                    let mut out = std::io::stdout().lock();
                    batch
                        .iter()
                        .try_for_each(|line| out.write_all(line))
                        .and_then(|()| out.flush())
                }
                Sink::File(f) => f.write_lines(&batch),
            };
            if let Err(e) = result {
                tracing::error!(error = %e, "audit log write failed");
            }
            batch.clear();
        }
        if stopping || disconnected {
            return;
        }
        std::thread::park_timeout(GATHER);
    }
}

/// A file that rotates by size.
pub struct RotatingFile {
    path: PathBuf,
    file: std::fs::File,
    size: u64,
    max_bytes: u64,
    max_files: usize,
}

fn rotated(path: &Path, n: usize) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

impl RotatingFile {
    pub fn open(path: PathBuf, max_bytes: u64, max_files: usize) -> std::io::Result<RotatingFile> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        let size = file.metadata()?.len();
        Ok(RotatingFile {
            path,
            file,
            size,
            max_bytes,
            max_files,
        })
    }

    fn rotate(&mut self) -> std::io::Result<()> {
        let _ = std::fs::remove_file(rotated(&self.path, self.max_files));
        for n in (1..self.max_files).rev() {
            let from = rotated(&self.path, n);
            if from.exists() {
                std::fs::rename(&from, rotated(&self.path, n + 1))?;
            }
        }
        std::fs::rename(&self.path, rotated(&self.path, 1))?;
        self.file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.size = 0;
        Ok(())
    }

    pub fn write_line(&mut self, line: &[u8]) -> std::io::Result<()> {
        self.write_lines(std::slice::from_ref(&line))
    }

    /// Writes lines in as few writes as rotation allows (one, usually).
    pub fn write_lines<L: AsRef<[u8]>>(&mut self, lines: &[L]) -> std::io::Result<()> {
        let mut pending: Vec<u8> = Vec::new();
        for line in lines {
            let line = line.as_ref();
            if self.size > 0 && self.size.saturating_add(line.len() as u64) > self.max_bytes {
                self.file.write_all(&pending)?;
                pending.clear();
                self.rotate()?;
            }
            pending.extend_from_slice(line);
            self.size = self.size.saturating_add(line.len() as u64);
        }
        self.file.write_all(&pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_redacted_but_cookie_names_kept() {
        let head = RequestHead::new("GET", b"/")
            .with_header("Authorization", "Bearer secret")
            .with_header("Cookie", "session=abc; theme=dark")
            .with_header("User-Agent", "t");
        let h = redacted_headers(&head);
        assert_eq!(h[0], ("authorization".into(), REDACTED.into()));
        assert_eq!(h[1].1, "session=[redacted]; theme=[redacted]");
        assert_eq!(h[2].1, "t");
        assert!(sensitive_target("cookie:session"));
        assert!(!sensitive_target("args:q"));
    }

    #[test]
    fn rotation_keeps_max_files() {
        let dir = std::env::temp_dir().join(format!("palisade-audit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.log");
        let mut f = RotatingFile::open(path.clone(), 100, 2).unwrap();
        for _ in 0..10 {
            f.write_line(&[b'x'; 60]).unwrap();
        }
        assert!(path.exists());
        assert!(rotated(&path, 1).exists());
        assert!(rotated(&path, 2).exists());
        assert!(!rotated(&path, 3).exists());
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 60);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn records_gathered_between_writes_are_all_written_by_finish() {
        let dir = std::env::temp_dir().join(format!("palisade-audit-batch-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("audit.log");
        let log = AuditLog::start(&AuditSettings {
            mode: AuditMode::All,
            path: Some(path.clone()),
            max_file_bytes: 1 << 30,
            max_files: 2,
        })
        .unwrap()
        .unwrap();
        let inspector = palisade_engine::Inspector::new(
            std::sync::Arc::new(palisade_engine::defaults::compiled_rules().unwrap()),
            &palisade_engine::defaults::policy().unwrap(),
        );
        let head = RequestHead::new("GET", b"/a?q=1").with_header("Host", "shop.example");
        let verdict = inspector.inspect(&head, b"");
        for i in 0..500 {
            let id = format!("req-{i}");
            log.record(&Entry {
                request_id: &id,
                head: &head,
                verdict: &verdict,
                client: None,
                status: 200,
                policy_version: 1,
            });
        }
        log.finish();
        let text = std::fs::read_to_string(&path).unwrap();
        let ids: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["request_id"].to_string()
            })
            .collect();
        assert_eq!(ids.len(), 500);
        assert_eq!(ids[0], "\"req-0\"");
        assert_eq!(ids[499], "\"req-499\"");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn time_is_rfc3339() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }

    #[test]
    fn known_seconds_format_as_rfc3339() {
        assert_eq!(second_text(0), "1970-01-01T00:00:00");
        assert_eq!(second_text(951_782_400), "2000-02-29T00:00:00");
        assert_eq!(second_text(1_795_892_407), "2026-11-28T19:00:07");
        // Formatted twice in the same second: the cached prefix is reused.
        let (a, b) = (now_rfc3339(), now_rfc3339());
        assert_eq!(a.len(), b.len());
        assert_eq!(&a[..4], &b[..4]);
    }

    #[test]
    fn shown_is_excerpt_borrowed_or_not() {
        let cases: [&[u8]; 8] = [
            b"shop.example",
            b"/a/b?q=1",
            b"back\\slash",
            b"tab\there",
            b"\xff\xfe",
            b"",
            b"exactly-ten",
            b"caf\xc3\xa9",
        ];
        for case in cases {
            for max in [0, 3, 10, 11, 256] {
                let got = shown(case, max);
                assert_eq!(got.as_ref(), excerpt(case, max), "{case:?} {max}");
                let plain = case.len() <= max
                    && case
                        .iter()
                        .all(|&b| (0x20..=0x7e).contains(&b) && b != b'\\');
                assert_eq!(matches!(got, Cow::Borrowed(_)), plain, "{case:?} {max}");
            }
        }
    }
}
