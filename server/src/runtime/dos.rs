//! The DoS model in a long-running front end (proxy, check service): once a
//! second it advances the model's clock (so windows close and attacks end
//! even when traffic stops), logs the model's events (attack started, global
//! limit, attack ended) and exports its state as metrics. With `[dos]
//! baseline_file` set it also loads the learned baseline at start, saves it
//! every `baseline_save_seconds` and at shutdown (atomically: a temporary
//! file renamed over the old one), and carries it over a policy reload. A
//! missing, corrupt or incompatible file is logged and ignored: the model
//! learns afresh.

use crate::runtime::store::EngineStore;
use palisade_engine::dos::persist::BaselineFile;
use palisade_engine::dos::{DosEvent, DosModel};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// 1 for a site's current state, 0 for the others, by `site` and `state`
/// (`learning` | `ready` | `attack`).
pub const STATE: &str = "palisade_dos_state";
/// Attacks declared, by `site`.
pub const ATTACKS: &str = "palisade_dos_attacks_total";
/// Clients blocked as bad actors now, by `site`.
pub const BLOCKED_CLIENTS: &str = "palisade_dos_blocked_clients";
/// Attack signatures active now, by `site`.
pub const SIGNATURES: &str = "palisade_dos_signatures";
/// The learned request rate, by `site`.
pub const BASELINE_RPS: &str = "palisade_dos_baseline_rps";
/// Approximate memory held by the model.
pub const MEMORY_BYTES: &str = "palisade_dos_memory_bytes";
/// Baseline saves and loads, by `op` (`save` | `load`) and `result` (`ok` | `error`).
pub const BASELINE_FILE: &str = "palisade_dos_baseline_file_total";

const EVERY: Duration = Duration::from_secs(1);

/// Keeps the serving policy's DoS model ticking, reported and persisted.
pub struct DosSupervisor {
    store: Arc<EngineStore>,
    /// The model last seen (to notice a reload) and when it was last saved.
    seen: Mutex<(Option<Arc<DosModel>>, Instant)>,
}

fn baseline_path(model: &DosModel) -> Option<PathBuf> {
    model.config().baseline_file.as_ref().map(PathBuf::from)
}

fn record_file(op: &'static str, ok: bool) {
    metrics::counter!(BASELINE_FILE, "op" => op, "result" => if ok { "ok" } else { "error" })
        .increment(1);
}

/// Reads a saved baseline; `None` (logged) when absent or unusable.
fn load(path: &Path) -> Option<BaselineFile> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            tracing::info!(file = %path.display(), "no saved DoS baseline yet: learning");
            return None;
        }
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "reading the DoS baseline; learning afresh");
            record_file("load", false);
            return None;
        }
    };
    match BaselineFile::decode(&bytes) {
        Ok(file) => Some(file),
        Err(e) => {
            tracing::warn!(file = %path.display(), error = %e, "ignoring the saved DoS baseline; learning afresh");
            record_file("load", false);
            None
        }
    }
}

/// Writes `file` to `path` atomically (temporary file, then rename).
fn save(path: &Path, file: &BaselineFile) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "baseline".into());
    let tmp = path.with_file_name(format!(".{name}.tmp.{}", std::process::id()));
    let write = || -> std::io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&file.encode())?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    let result = write();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

impl DosSupervisor {
    /// Loads the saved baseline into the serving model (before traffic) and
    /// starts the once-a-second task on the current runtime.
    pub fn start(store: Arc<EngineStore>) -> Arc<DosSupervisor> {
        let supervisor = Arc::new(DosSupervisor {
            store,
            seen: Mutex::new((None, Instant::now())),
        });
        supervisor.step();
        let s = Arc::clone(&supervisor);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let s = Arc::clone(&s);
                // Saving writes a file: keep it off the async workers.
                let _ = tokio::task::spawn_blocking(move || s.step()).await;
            }
        });
        supervisor
    }

    /// One round: adopt a new model (restoring its baseline), tick, report, save when due.
    fn step(&self) {
        let engine = self.store.current();
        let Some(model) = engine.inspector.policy().dos.clone() else {
            return;
        };
        let now = self.store.clock().now();
        let mut seen = match self.seen.lock() {
            Ok(s) => s,
            Err(p) => p.into_inner(),
        };
        let is_new = !seen.0.as_ref().is_some_and(|m| Arc::ptr_eq(m, &model));
        if is_new {
            if let Some(path) = baseline_path(&model) {
                // A reload carries the running baseline over; a start loads the file.
                let saved = match &seen.0 {
                    Some(previous) => Some(previous.snapshot()),
                    None => load(&path),
                };
                if let Some(saved) = saved {
                    let sites = model.restore(saved, now);
                    if seen.0.is_none() {
                        record_file("load", true);
                        tracing::info!(file = %path.display(), sites, "DoS baseline loaded");
                    }
                }
            }
            *seen = (Some(Arc::clone(&model)), Instant::now());
        }
        model.tick(now);
        for event in model.drain_events() {
            log_event(&event);
        }
        report(&model);
        let due = Duration::from_secs(model.config().baseline_save_seconds.max(1));
        if seen.1.elapsed() >= due {
            seen.1 = Instant::now();
            drop(seen);
            self.save_model(&model);
        }
    }

    fn save_model(&self, model: &DosModel) {
        let Some(path) = baseline_path(model) else {
            return;
        };
        let snapshot = model.snapshot();
        match save(&path, &snapshot) {
            Ok(()) => {
                record_file("save", true);
                tracing::debug!(file = %path.display(), sites = snapshot.sites.len(), "DoS baseline saved");
            }
            Err(e) => {
                record_file("save", false);
                tracing::warn!(file = %path.display(), error = %e, "saving the DoS baseline failed");
            }
        }
    }

    /// Saves the serving model's baseline now (at shutdown), when configured.
    pub fn save_now(&self) {
        if let Some(model) = self.store.current().inspector.policy().dos.clone() {
            self.save_model(&model);
            if let Some(path) = baseline_path(&model) {
                tracing::info!(file = %path.display(), "DoS baseline saved at shutdown");
            }
        }
    }
}

fn log_event(event: &DosEvent) {
    match event {
        DosEvent::AttackStarted {
            site,
            id,
            rps,
            baseline_rps,
            ..
        } => {
            metrics::counter!(ATTACKS, "site" => site.clone()).increment(1);
            tracing::warn!(site = %site, attack = id, rps, baseline_rps, "DoS attack started");
        }
        DosEvent::GlobalLimit { site, id, rps } => {
            tracing::warn!(site = %site, attack = id, limit_rps = rps, "DoS global limit on");
        }
        DosEvent::AttackEnded { site, id, .. } => {
            tracing::warn!(site = %site, attack = id, "DoS attack ended");
        }
    }
}

fn report(model: &DosModel) {
    for (site, status) in model.statuses() {
        let state = if status.attack.is_some() {
            "attack"
        } else if status.learning {
            "learning"
        } else {
            "ready"
        };
        for s in ["learning", "ready", "attack"] {
            metrics::gauge!(STATE, "site" => site.clone(), "state" => s).set(if s == state {
                1.0
            } else {
                0.0
            });
        }
        metrics::gauge!(BLOCKED_CLIENTS, "site" => site.clone()).set(status.blocked_clients as f64);
        metrics::gauge!(SIGNATURES, "site" => site.clone()).set(status.signatures.len() as f64);
        metrics::gauge!(BASELINE_RPS, "site" => site.clone()).set(status.baseline_rps);
    }
    metrics::gauge!(MEMORY_BYTES).set(model.memory_bytes() as f64);
}
