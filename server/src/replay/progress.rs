//! The progress bar: bytes of input read out of the total, on stderr, only
//! when stderr is a terminal (quiet when piped or redirected).
//!
//! The readers open the files themselves, so the position inside the file
//! being read is taken from the kernel's view of the open file
//! (`/proc/self/fdinfo`, Linux); elsewhere the bar moves file by file.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How often the bar is redrawn at most.
const REDRAW: Duration = Duration::from_millis(150);

/// Progress over all inputs.
pub struct Progress {
    bar: Option<ProgressBar>,
    /// Bytes of the inputs finished so far.
    done: u64,
    current: Option<PathBuf>,
    fd: Option<String>,
    last: Instant,
    requests: u64,
}

impl Progress {
    /// A bar over `total` bytes, drawn only if stderr is a terminal.
    pub fn new(total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} ({bytes_per_sec}, eta {eta}) {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar());
            bar.set_style(style);
            bar
        });
        Progress {
            bar,
            done: 0,
            current: None,
            fd: None,
            last: Instant::now(),
            requests: 0,
        }
    }

    pub fn start_file(&mut self, path: &Path) {
        if self.bar.is_some() {
            self.current = std::fs::canonicalize(path).ok();
            self.fd = None;
        }
    }

    /// Called for every request; redraws now and then.
    pub fn request(&mut self) {
        self.requests += 1;
        let Some(bar) = &self.bar else {
            return;
        };
        if !self.requests.is_multiple_of(256) || self.last.elapsed() < REDRAW {
            return;
        }
        self.last = Instant::now();
        if self.fd.is_none() {
            self.fd = self.current.as_deref().and_then(find_fd);
        }
        let inside = self.fd.as_deref().and_then(fd_position).unwrap_or(0);
        bar.set_position(self.done + inside);
        bar.set_message(format!("{} requests", self.requests));
    }

    pub fn finish_file(&mut self, size: u64) {
        self.done += size;
        self.current = None;
        self.fd = None;
        if let Some(bar) = &self.bar {
            bar.set_position(self.done);
            bar.set_message(format!("{} requests", self.requests));
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The descriptor (as a name in /proc/self/fd) open on `path`, if any.
fn find_fd(path: &Path) -> Option<String> {
    std::fs::read_dir("/proc/self/fd")
        .ok()?
        .filter_map(Result::ok)
        .find(|e| std::fs::read_link(e.path()).is_ok_and(|target| target == path))
        .map(|e| e.file_name().to_string_lossy().into_owned())
}

/// The file offset of an open descriptor.
fn fd_position(fd: &str) -> Option<u64> {
    let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).ok()?;
    info.lines()
        .find_map(|l| l.strip_prefix("pos:"))
        .and_then(|v| v.trim().parse().ok())
}
