//! What every long-running front end (proxy, check service) shares: the engine
//! behind an atomically swapped pointer with hot reload, the admin listener
//! (metrics, health), telemetry, the monotonic clock the engine reads, and the
//! DoS model's ticking, reporting and baseline persistence, and connection
//! shards (one single-threaded runtime per core, each connection on one).

pub mod admin;
pub mod clock;
pub mod dos;
pub mod shards;
pub mod store;
pub mod telemetry;
pub mod termination;
