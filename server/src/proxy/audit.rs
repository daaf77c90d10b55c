//! The audit log: one JSON line per blocked or flagged request (or per request
//! with `mode = "all"`), to stdout or to a file with size-based rotation.
//!
//! Contract: the request path never waits for the log. Records are serialised
//! on the request path and handed to a writer thread through a bounded queue;
//! when the queue is full the record is dropped and
//! `palisade_audit_dropped_total` counts it. Values of `Authorization`,
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
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};

const REDACTED: &str = "[redacted]";
const QUEUE: usize = 8192;
/// Longest path (escaped) kept in a record.
const PATH_BYTES: usize = 1024;

/// A handle for recording; cheap to clone.
#[derive(Clone)]
pub struct AuditLog {
    mode: AuditMode,
    tx: SyncSender<Vec<u8>>,
}

#[derive(Serialize)]
struct Record<'a> {
    time: String,
    request_id: &'a str,
    client: Option<String>,
    peer: Option<String>,
    method: &'a str,
    host: String,
    path: String,
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
    headers: Vec<(String, String)>,
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

/// The headers as logged: escaped, with credentials redacted.
pub fn redacted_headers(head: &RequestHead) -> Vec<(String, String)> {
    head.headers
        .iter()
        .map(|h| {
            let name = h.name.to_ascii_lowercase();
            let value = match name.as_str() {
                "authorization" | "proxy-authorization" => REDACTED.to_string(),
                "cookie" => cookie_pairs(&h.value)
                    .map(|(n, _)| format!("{}={REDACTED}", excerpt(n, 128)))
                    .collect::<Vec<_>>()
                    .join("; "),
                _ => excerpt(&h.value, 256),
            };
            (name, value)
        })
        .collect()
}

/// RFC 3339 UTC time with milliseconds.
fn now_rfc3339() -> String {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
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
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        d.subsec_millis()
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
        std::thread::Builder::new()
            .name("palisade-audit".to_string())
            .spawn(move || write_loop(rx, sink))?;
        Ok(Some(AuditLog {
            mode: settings.mode,
            tx,
        }))
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
            client: entry.client.map(|c| c.to_string()),
            peer: entry.head.peer.map(|p| p.to_string()),
            method: &entry.head.method,
            host: excerpt(entry.head.host().unwrap_or_default(), 256),
            path: excerpt(entry.head.path(), PATH_BYTES),
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
        let Ok(mut line) = serde_json::to_vec(&record) else {
            return;
        };
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

fn write_loop(rx: Receiver<Vec<u8>>, mut sink: Sink) {
    while let Ok(line) = rx.recv() {
        let result = match &mut sink {
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(&line).and_then(|()| out.flush())
            }
            Sink::File(f) => f.write_line(&line),
        };
        if let Err(e) = result {
            tracing::error!(error = %e, "audit log write failed");
        }
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
        if self.size > 0 && self.size.saturating_add(line.len() as u64) > self.max_bytes {
            self.rotate()?;
        }
        self.file.write_all(line)?;
        self.size = self.size.saturating_add(line.len() as u64);
        Ok(())
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
    fn time_is_rfc3339() {
        let t = now_rfc3339();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z') && t.as_bytes()[10] == b'T');
    }
}
