//! `palisade proxy`: flags, then the order a production start needs —
//! validate the configuration and load the engine before binding any port
//! (exit 64 on either), bind, print the addresses, serve, and on SIGTERM or
//! SIGINT drain in-flight requests and exit 0.

use crate::proxy::config::{self, FileConfig, Overrides, ProxySettings};
use crate::proxy::ProxyServer;
use crate::runtime::clock::MonotonicClock;
use crate::runtime::store::{spawn_reloader, EngineSource, EngineStore};
use crate::runtime::{admin, telemetry};
use std::path::PathBuf;
use std::sync::Arc;

const EXIT_CONFIG: u8 = 64;
const EXIT_RUNTIME: u8 = 2;

/// `palisade proxy` flags. Each one overrides the config file.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Plain-text listener (HTTP/1.1 and h2c), e.g. 127.0.0.1:8080.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Upstream base URL (http://host:port); repeat for round-robin.
    #[arg(long, value_name = "URL")]
    pub upstream: Vec<String>,
    /// Policy file (TOML). Default: the embedded rules/default.toml.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Directory of signature files. Default: the embedded signature set.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,
    /// Admin listener for /metrics, /healthz and /readyz, e.g. 127.0.0.1:9090.
    #[arg(long, value_name = "ADDR")]
    pub admin: Option<String>,
    /// A palisade.toml whose [proxy] table configures the proxy (docs/proxy.md).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Validates flags and file into settings (no I/O but reading the file).
pub fn settings(args: &Args) -> Result<ProxySettings, config::ConfigError> {
    let file = match &args.config {
        Some(path) => config::read_file(path)?,
        None => FileConfig::default(),
    };
    ProxySettings::build(
        file,
        Overrides {
            listen: args.listen.clone(),
            upstreams: args.upstream.clone(),
            policy: args.policy.clone(),
            signatures: args.signatures.clone(),
            admin: args.admin.clone(),
        },
    )
}

/// Runs `palisade proxy`; returns the exit code.
pub fn main(args: &Args) -> u8 {
    let settings = match settings(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("palisade proxy: {e}");
            return EXIT_CONFIG;
        }
    };
    // Connections are served on their own threads (`worker_threads` shards,
    // see `listener`); this runtime accepts them and runs the admin
    // listener, reloads and the DoS model's ticks.
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    runtime.worker_threads(1);
    let runtime = match runtime.enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("palisade proxy: starting the runtime: {e}");
            return EXIT_RUNTIME;
        }
    };
    runtime.block_on(run(settings))
}

async fn run(settings: ProxySettings) -> u8 {
    // The recorder must exist before the first engine load records it.
    let metrics = telemetry::install();
    let source = EngineSource {
        signatures: settings.signatures.clone(),
        policy: settings.policy.clone(),
        paranoia: None,
    };
    let store = match EngineStore::load(source, Arc::new(MonotonicClock::new())) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("palisade proxy: {e:#}");
            return EXIT_CONFIG;
        }
    };
    if let Err(e) = spawn_reloader(Arc::clone(&store)) {
        eprintln!("palisade proxy: watching the policy for reloads: {e:#}");
        return EXIT_RUNTIME;
    }
    let dos = crate::runtime::dos::DosSupervisor::start(Arc::clone(&store));
    let admin_addr = settings.admin;
    // Before the readiness lines: a SIGTERM right after them is a clean stop.
    let termination = crate::runtime::termination::Termination::install();
    let server = match ProxyServer::bind(settings, Arc::clone(&store)).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("palisade proxy: {e}");
            return EXIT_RUNTIME;
        }
    };
    if let Some(addr) = admin_addr {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(listener) => {
                if let Ok(a) = listener.local_addr() {
                    println!("palisade proxy: admin listening on {a}");
                }
                tokio::spawn(admin::serve(listener, Arc::clone(&store), metrics));
            }
            Err(e) => {
                eprintln!("palisade proxy: binding admin {addr}: {e}");
                return EXIT_RUNTIME;
            }
        }
    }
    if let Some(a) = server.local_addr() {
        println!("palisade proxy: listening on http://{a}");
    }
    if let Some(a) = server.tls_addr() {
        println!("palisade proxy: listening on https://{a}");
    }
    let shutdown = server.shutdown_handle();
    tokio::spawn(async move {
        termination.wait().await;
        eprintln!("palisade proxy: shutting down, draining in-flight requests");
        shutdown.shutdown();
    });
    let served = server.run().await;
    dos.save_now();
    match served {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("palisade proxy: {e}");
            EXIT_RUNTIME
        }
    }
}
