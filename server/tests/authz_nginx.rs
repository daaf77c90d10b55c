//! A real nginx in front of a tiny upstream, asking the real `palisade authz`
//! binary (HTTP mode) through `auth_request` — the configuration of
//! docs/deploy/nginx.md. Checks, through nginx, that a benign request reaches
//! the upstream with Palisade's headers, that an attack gets 403 and never
//! reaches it, and that a rate-limited client gets 429 with `Retry-After`.
//!
//! nginx is a required test peer (`.ci/run` installs Debian's package): this
//! test fails, it does not skip, when nginx is missing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod authz_support;

use authz_support::{raw_http, TempDir};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ATTACK_URI: &str = "/search?q=1%27%20UNION%20SELECT%20username%2Cpassword%20FROM%20users--";

fn find_nginx() -> PathBuf {
    for dir in [
        "/usr/sbin",
        "/usr/local/sbin",
        "/usr/bin",
        "/usr/local/bin",
        "/usr/local/nginx/sbin",
    ] {
        let p = Path::new(dir).join("nginx");
        if p.is_file() {
            return p;
        }
    }
    panic!("nginx is not installed: this test needs it (apt-get install -y nginx; .ci/run installs it)");
}

/// A child process killed on drop.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `palisade authz` and returns it with its HTTP check address.
fn start_palisade(policy: &Path) -> (Proc, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_palisade"))
        .args([
            "authz",
            "--http",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0",
            "--policy",
        ])
        .arg(policy)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn palisade");
    let stdout = child.stdout.take().unwrap();
    let proc = Proc(child);
    let mut lines = BufReader::new(stdout).lines();
    let line = lines
        .next()
        .expect("palisade printed its listeners")
        .expect("readable stdout");
    let addr = line
        .strip_prefix("palisade authz: http listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .parse()
        .unwrap();
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (proc, addr)
}

/// The upstream: answers every request `upstream ok` and remembers its head.
async fn start_upstream() -> (SocketAddr, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let log = Arc::clone(&log);
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                log.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let body = b"upstream ok\n";
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
                let _ = stream.write_all(body).await;
            });
        }
    });
    (addr, seen)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The nginx configuration of docs/deploy/nginx.md, with test paths and ports.
fn nginx_conf(dir: &Path, port: u16, upstream: SocketAddr, palisade: SocketAddr) -> String {
    let d = dir.display();
    // As root, nginx would switch its worker to `nobody`; stay the current user.
    let user = if is_root() { "user root;" } else { "" };
    format!(
        r#"
{user}
worker_processes 1;
error_log {d}/error.log info;
pid {d}/nginx.pid;
events {{ worker_connections 64; }}

http {{
    access_log {d}/access.log;
    client_body_temp_path {d}/tmp/body;
    proxy_temp_path {d}/tmp/proxy;
    fastcgi_temp_path {d}/tmp/fastcgi;
    uwsgi_temp_path {d}/tmp/uwsgi;
    scgi_temp_path {d}/tmp/scgi;

    upstream app {{ server {upstream}; }}
    upstream palisade {{
        server {palisade};
        keepalive 16;
    }}

    server {{
        listen 127.0.0.1:{port};

        location / {{
            auth_request /_palisade;
            auth_request_set $palisade_status $upstream_status;
            auth_request_set $palisade_request_id $upstream_http_x_palisade_request_id;
            auth_request_set $palisade_score $upstream_http_x_palisade_score;
            auth_request_set $palisade_retry_after $upstream_http_retry_after;
            error_page 403 500 = @palisade_denied;

            proxy_set_header X-Palisade-Request-Id $palisade_request_id;
            proxy_set_header X-Palisade-Score $palisade_score;
            proxy_pass http://app;
        }}

        location = /_palisade {{
            internal;
            proxy_pass http://palisade/check;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_pass_request_body off;
            proxy_set_header Content-Length "";
            proxy_set_header Host $host;
            proxy_set_header X-Original-Method $request_method;
            proxy_set_header X-Original-URI $request_uri;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header X-Request-Id $request_id;
        }}

        location @palisade_denied {{
            default_type text/plain;
            if ($palisade_status = 429) {{
                add_header Retry-After $palisade_retry_after always;
                add_header X-Palisade-Request-Id $palisade_request_id always;
                return 429 "Too many requests. Request id: $palisade_request_id\n";
            }}
            if ($palisade_status = 403) {{
                add_header X-Palisade-Request-Id $palisade_request_id always;
                return 403 "Request blocked. Request id: $palisade_request_id\n";
            }}
            return 500;
        }}
    }}
}}
"#
    )
}

struct Nginx {
    proc: Proc,
    binary: PathBuf,
    dir: PathBuf,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let conf = self.dir.join("nginx.conf");
        let _ = Command::new(&self.binary)
            .arg("-p")
            .arg(&self.dir)
            .arg("-c")
            .arg(&conf)
            .arg("-e")
            .arg(self.dir.join("error.log"))
            .args(["-s", "stop"])
            .stderr(Stdio::null())
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.proc.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn start_nginx(dir: &Path, conf: &str, port: u16) -> Nginx {
    let binary = find_nginx();
    std::fs::create_dir_all(dir.join("tmp")).unwrap();
    let conf_path = dir.join("nginx.conf");
    std::fs::write(&conf_path, conf).unwrap();
    let error_log = dir.join("error.log");
    let child = Command::new(&binary)
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(&conf_path)
        .arg("-e")
        .arg(&error_log)
        .args(["-g", "daemon off;"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn nginx");
    let mut nginx = Nginx {
        proc: Proc(child),
        binary,
        dir: dir.to_path_buf(),
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return nginx;
        }
        if let Ok(Some(status)) = nginx.proc.0.try_wait() {
            let mut stderr = String::new();
            if let Some(mut e) = nginx.proc.0.stderr.take() {
                let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
            }
            let log = std::fs::read_to_string(&error_log).unwrap_or_default();
            panic!("nginx exited ({status}): {stderr}\n{log}");
        }
        assert!(
            Instant::now() < deadline,
            "nginx did not listen on {port} within 10 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn h(name: &str, value: &str) -> (String, Vec<u8>) {
    (name.to_string(), value.as_bytes().to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_auth_request_allows_benign_and_blocks_attacks() {
    let dir = TempDir::new("authz-nginx");
    let policy = dir.write(
        "policy.toml",
        r#"
[[rate_limits]]
name = "limited-area"
key = ["client_ip"]
requests = 1
period_seconds = 60
path_prefix = "/limited/"
"#,
    );
    let (_palisade, palisade_addr) = start_palisade(&policy);
    let (upstream_addr, seen) = start_upstream().await;
    let port = free_port();
    let conf = nginx_conf(&dir.0, port, upstream_addr, palisade_addr);
    let _nginx = start_nginx(&dir.0, &conf, port);
    let front: SocketAddr = ([127, 0, 0, 1], port).into();
    let browser = [
        h("Host", "shop.example"),
        h("User-Agent", "Mozilla/5.0"),
        h("Accept", "text/html"),
    ];

    // Benign: reaches the upstream, with Palisade's headers copied by nginx.
    let r = raw_http(front, "GET", b"/products?id=42&sort=price", &browser).await;
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.text(), "upstream ok\n");
    let upstream_head = seen
        .lock()
        .unwrap()
        .last()
        .cloned()
        .expect("upstream saw the request");
    assert!(
        upstream_head.starts_with("GET /products?id=42&sort=price "),
        "{upstream_head}"
    );
    let lower = upstream_head.to_ascii_lowercase();
    assert!(lower.contains("x-palisade-score: 0"), "{upstream_head}");
    assert!(lower.contains("x-palisade-request-id: "), "{upstream_head}");

    // Attack: 403 from nginx, the upstream never sees it.
    let before = seen.lock().unwrap().len();
    let r = raw_http(front, "GET", ATTACK_URI.as_bytes(), &browser).await;
    assert_eq!(r.status, 403, "{r:?}");
    let id = r
        .header("x-palisade-request-id")
        .expect("request id")
        .to_string();
    assert!(!id.is_empty());
    assert_eq!(r.text(), format!("Request blocked. Request id: {id}\n"));
    assert_eq!(
        seen.lock().unwrap().len(),
        before,
        "the attack did not reach the upstream"
    );

    // Rate limit: the second request to /limited/ is 429 with Retry-After.
    let r = raw_http(front, "GET", b"/limited/report", &browser).await;
    assert_eq!(r.status, 200, "{r:?}");
    let r = raw_http(front, "GET", b"/limited/report", &browser).await;
    assert_eq!(r.status, 429, "{r:?}");
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        seen.lock().unwrap().len(),
        before + 1,
        "only the allowed /limited/ request got through"
    );
}
