//! Shared by the tests that run the real `palisade proxy` binary (shared
//! limits through Redis, the live DoS test): start it with a config file,
//! learn its addresses from stdout, read its metrics, stop it; and a real
//! `redis-server` on a free port. Every wait is bounded.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Bound for starting a process or reaching a state.
pub const START: Duration = Duration::from_secs(20);

/// A `palisade proxy` child process.
pub struct ProxyProcess {
    pub child: Child,
    pub addr: SocketAddr,
    pub admin: SocketAddr,
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl ProxyProcess {
    /// Runs `palisade proxy --config CONFIG` (whose `[proxy]` must set
    /// `listen` and `admin` to port 0 addresses) and waits for both addresses.
    pub fn start(config: &Path) -> ProxyProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
            .args(["proxy", "--config"])
            .arg(config)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("running the palisade binary");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads every line for as long as the process lives (the pipe never fills).
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + START;
        let (mut admin, mut addr) = (None, None);
        while admin.is_none() || addr.is_none() {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx
                .recv_timeout(left)
                .expect("palisade proxy did not print its addresses in time");
            if let Some(a) = line.strip_prefix("palisade proxy: admin listening on ") {
                admin = Some(a.trim().parse().unwrap());
            } else if let Some(a) = line.strip_prefix("palisade proxy: listening on http://") {
                addr = Some(a.trim().parse().unwrap());
            }
        }
        ProxyProcess {
            child,
            addr: addr.unwrap(),
            admin: admin.unwrap(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The admin endpoint's `/metrics` text.
    pub async fn metrics(&self) -> String {
        reqwest::Client::new()
            .get(format!("http://{}/metrics", self.admin))
            .timeout(Duration::from_secs(5))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Sends SIGTERM (graceful shutdown) and waits for the exit, bounded.
    pub fn terminate(&mut self) -> Option<std::process::ExitStatus> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + START;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

/// The sum of a metric's samples (every label set) in Prometheus text, or
/// `None` when the metric is absent.
pub fn metric(text: &str, name: &str) -> Option<f64> {
    let mut found = None;
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !(rest.starts_with('{') || rest.starts_with(' ')) {
            continue;
        }
        if let Some(v) = rest.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) {
            *found.get_or_insert(0.0) += v;
        }
    }
    found
}

/// A sample of a metric with a given label (`site="h"`), or `None`.
pub fn metric_with(text: &str, name: &str, label: &str) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(name) && l.contains(label))
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .reduce(|a, b| a + b)
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A real `redis-server` on 127.0.0.1, no persistence.
pub struct RedisServer {
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

const REDIS: &str = "/usr/bin/redis-server";

impl RedisServer {
    /// Starts redis-server on a free port in `dir`; fails clearly when it is not installed.
    pub fn start(dir: &Path) -> RedisServer {
        assert!(
            Path::new(REDIS).exists(),
            "{REDIS} is missing: install Debian's redis-server (apt-get install redis-server; .ci/run does)"
        );
        let mut server = RedisServer {
            port: free_port(),
            dir: dir.to_path_buf(),
            child: None,
        };
        server.restart();
        server
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/0", self.port)
    }

    /// (Re)starts on the same port and waits until it answers PING.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "redis-server is already running");
        let child = Command::new(REDIS)
            .args(["--port", &self.port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            // DEBUG SLEEP makes Redis slow on purpose (the timeout fallback).
            .args(["--enable-debug-command", "local"])
            .arg("--dir")
            .arg(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("running redis-server");
        self.child = Some(child);
        let deadline = Instant::now() + START;
        loop {
            if self.ping() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server did not start on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops it hard (as a crash would) and waits for the exit.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Sends one inline command (e.g. `SCRIPT FLUSH`) and returns the first reply line.
    pub fn command(&self, line: &str) -> String {
        use std::io::{Read, Write};
        let mut s = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        s.write_all(format!("{line}\r\n").as_bytes()).unwrap();
        let mut buf = [0u8; 256];
        let n = s.read(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).trim_end().to_string()
    }

    fn ping(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(1)));
        if s.write_all(b"PING\r\n").is_err() {
            return false;
        }
        let mut buf = [0u8; 7];
        s.read_exact(&mut buf).is_ok() && &buf == b"+PONG\r\n"
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}
