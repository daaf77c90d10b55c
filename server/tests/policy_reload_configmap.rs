//! Hot reload of a policy mounted from a Kubernetes ConfigMap: the kubelet
//! never writes `policy.toml` itself. The volume holds
//! `policy.toml -> ..data/policy.toml` and `..data -> ..<timestamp>`; an
//! update writes a new `..<timestamp>` directory, points a `..data_tmp`
//! symlink at it, renames that over `..data` and removes the old directory.
//! This test lays the volume out the same way on disk and swaps it the same
//! way, and the serving policy must follow.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

use palisade_engine::verdict::Mode;
use palisade_server::runtime::clock::MonotonicClock;
use palisade_server::runtime::store::{self, EngineSource, EngineStore};
use std::os::unix::fs::symlink;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DETECT: &str = "[engine]\nmode = \"detect\"\n";
const BLOCK: &str = "[engine]\nmode = \"block\"\n";

/// Writes one ConfigMap generation: `..<stamp>/policy.toml`.
fn generation(volume: &Path, stamp: &str, policy: &str) {
    let dir = volume.join(format!("..{stamp}"));
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("policy.toml"), policy).unwrap();
}

/// The kubelet's atomic swap of `..data` to generation `stamp`.
fn swap_to(volume: &Path, stamp: &str, old: &str) {
    let tmp = volume.join("..data_tmp");
    symlink(format!("..{stamp}"), &tmp).unwrap();
    std::fs::rename(&tmp, volume.join("..data")).unwrap();
    std::fs::remove_dir_all(volume.join(format!("..{old}"))).unwrap();
}

async fn mode_becomes(store: &EngineStore, mode: Mode) {
    let started = Instant::now();
    while store.current().inspector.policy().engine.mode != mode {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the serving policy never became {mode:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_configmap_update_is_reloaded() {
    let volume = std::env::temp_dir().join(format!(
        "palisade-configmap-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&volume);
    std::fs::create_dir_all(&volume).unwrap();
    generation(&volume, "2026_11_27_10_00_00.000000001", DETECT);
    symlink("..2026_11_27_10_00_00.000000001", volume.join("..data")).unwrap();
    symlink("..data/policy.toml", volume.join("policy.toml")).unwrap();

    let source = EngineSource {
        policy: Some(volume.join("policy.toml")),
        ..EngineSource::default()
    };
    let store = Arc::new(EngineStore::load(source, Arc::new(MonotonicClock::new())).unwrap());
    assert_eq!(store.current().inspector.policy().engine.mode, Mode::Detect);
    store::spawn_reloader(Arc::clone(&store)).unwrap();

    // Each update is seen, not only the first.
    let updates = [
        ("2026_11_27_10_05_00.000000002", BLOCK, Mode::Block),
        ("2026_11_27_10_10_00.000000003", DETECT, Mode::Detect),
    ];
    let mut current = "2026_11_27_10_00_00.000000001";
    let mut version = store.current().version;
    for (stamp, policy, mode) in updates {
        generation(&volume, stamp, policy);
        swap_to(&volume, stamp, current);
        mode_becomes(&store, mode).await;
        assert!(store.current().version > version);
        (current, version) = (stamp, store.current().version);
    }
    std::fs::remove_dir_all(&volume).unwrap();
}
