//! The serving engine behind an atomically swapped pointer, and hot reload.
//!
//! A reload (SIGHUP, or a change to the policy file or signature directory)
//! builds a complete new engine off the request path and swaps it in one
//! atomic store; requests in flight keep the `Arc` they started with and finish
//! on the old engine. A reload that fails to parse or compile is rejected: its
//! errors are logged, `palisade_policy_reloads_total{result="rejected"}` is
//! incremented, and the old engine keeps serving. Rate-limit state starts
//! fresh with each new policy.

use crate::engine_setup;
use crate::runtime::telemetry;
use anyhow::{anyhow, Result};
use arc_swap::ArcSwap;
use palisade_engine::clock::Clock;
use palisade_engine::matcher::CompiledRules;
use palisade_engine::rule::Paranoia;
use palisade_engine::Inspector;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Where the engine comes from.
#[derive(Debug, Clone, Default)]
pub struct EngineSource {
    /// Directory of signature files; `None` for the embedded set.
    pub signatures: Option<PathBuf>,
    /// Policy file; `None` for the embedded default.
    pub policy: Option<PathBuf>,
    /// Paranoia override from the command line.
    pub paranoia: Option<Paranoia>,
}

/// One loaded engine and its identity.
pub struct LoadedEngine {
    pub inspector: Inspector,
    /// 1 for the first load, +1 for each successful reload.
    pub version: u64,
}

/// The engine currently serving.
pub struct EngineStore {
    current: ArcSwap<LoadedEngine>,
    source: EngineSource,
    clock: Arc<dyn Clock>,
    versions: AtomicU64,
}

fn build(source: &EngineSource, clock: &Arc<dyn Clock>) -> Result<Inspector> {
    let sigs = engine_setup::load_signatures(source.signatures.as_deref())?;
    let rules = Arc::new(CompiledRules::compile(&sigs).map_err(|e| anyhow!("{e}"))?);
    let mut policy = engine_setup::load_policy(source.policy.as_deref())?;
    if let Some(level) = source.paranoia {
        policy.engine.paranoia = level;
    }
    Ok(Inspector::new(rules, &policy).with_clock(Arc::clone(clock)))
}

impl EngineStore {
    /// Loads the first engine; an error here is a configuration error (exit 64).
    pub fn load(source: EngineSource, clock: Arc<dyn Clock>) -> Result<EngineStore> {
        let inspector = build(&source, &clock)?;
        telemetry::record_reload(true, 1);
        Ok(EngineStore {
            current: ArcSwap::from_pointee(LoadedEngine {
                inspector,
                version: 1,
            }),
            source,
            clock,
            versions: AtomicU64::new(1),
        })
    }

    /// The clock every engine of this store reads.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The engine to use for one request (hold it for the whole request).
    pub fn current(&self) -> Arc<LoadedEngine> {
        self.current.load_full()
    }

    /// Rebuilds from the sources and swaps; on failure the old engine stays.
    pub fn reload(&self) -> Result<u64> {
        match build(&self.source, &self.clock) {
            Ok(inspector) => {
                let version = self.versions.fetch_add(1, Ordering::SeqCst) + 1;
                self.current
                    .store(Arc::new(LoadedEngine { inspector, version }));
                telemetry::record_reload(true, version);
                tracing::info!(version, "policy reloaded");
                Ok(version)
            }
            Err(e) => {
                telemetry::record_reload(false, 0);
                tracing::error!(error = %format!("{e:#}"), "policy reload rejected; the previous policy keeps serving");
                Err(e)
            }
        }
    }

    /// Files and directories whose change triggers a reload.
    pub fn watched_paths(&self) -> Vec<PathBuf> {
        let mut paths = Vec::new();
        if let Some(p) = &self.source.policy {
            paths.push(p.clone());
        }
        if let Some(d) = &self.source.signatures {
            paths.push(d.clone());
        }
        paths
    }
}

fn watch_target(path: &Path) -> PathBuf {
    // Editors replace files (write to a temp file, rename): watch the directory.
    if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// Whether a directory entry is one of the kubelet's atomic-writer names
/// (`..data`, `..data_tmp`, `..2026_11_27_10_00_00.123456789`), which no
/// editor or deployment tool uses for anything else.
fn is_atomic_writer_entry(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().starts_with(b"..") && name.len() > 2
}

/// Reloads on SIGHUP and on changes to the watched files, until the process
/// ends. Changes are debounced (one reload per burst of events).
pub fn spawn_reloader(store: Arc<EngineStore>) -> Result<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<()>();
    let watched = store.watched_paths();
    if !watched.is_empty() {
        use notify::{RecursiveMode, Watcher};
        // A change is relevant when it touches a watched file (by name, since
        // editors save by rename), anything inside a watched directory, or
        // the `..data` links of a Kubernetes ConfigMap or Secret volume: the
        // kubelet updates one by writing a new `..<timestamp>` directory and
        // renaming a `..data_tmp` symlink over `..data`, which the mounted
        // `policy.toml -> ..data/policy.toml` resolves through, so the file's
        // own name never appears in the events.
        let names: Vec<std::ffi::OsString> = watched
            .iter()
            .filter(|p| !p.is_dir())
            .filter_map(|p| p.file_name().map(|n| n.to_os_string()))
            .collect();
        let dirs_watched: Vec<PathBuf> = watched
            .iter()
            .filter(|p| p.is_dir())
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .collect();
        let event_tx = tx.clone();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let Ok(event) = event else {
                    return;
                };
                if event.kind.is_access() {
                    return;
                }
                let relevant = event.paths.iter().any(|p| {
                    p.file_name()
                        .is_some_and(|n| names.iter().any(|w| w == n) || is_atomic_writer_entry(n))
                        || dirs_watched.iter().any(|d| p.starts_with(d))
                });
                if relevant {
                    let _ = event_tx.send(());
                }
            })?;
        let mut dirs: Vec<PathBuf> = watched
            .iter()
            .map(|p| watch_target(p))
            .filter_map(|p| std::fs::canonicalize(p).ok())
            .collect();
        dirs.sort();
        dirs.dedup();
        for d in &dirs {
            watcher.watch(d, RecursiveMode::NonRecursive)?;
        }
        // The watcher lives as long as the process.
        std::mem::forget(watcher);
    }
    let mut hup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    tokio::spawn(async move {
        loop {
            tokio::select! {
                got = hup.recv() => {
                    if got.is_none() { break; }
                    tracing::info!("SIGHUP: reloading policy");
                }
                got = rx.recv() => {
                    if got.is_none() { break; }
                    // Debounce: let the burst of events from one save settle.
                    tokio::time::sleep(Duration::from_millis(150)).await;
                    while rx.try_recv().is_ok() {}
                    tracing::info!("policy files changed: reloading");
                }
            }
            let store = Arc::clone(&store);
            let _ = tokio::task::spawn_blocking(move || store.reload()).await;
        }
    });
    Ok(())
}
