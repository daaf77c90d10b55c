//! What every long-running front end (proxy, check service) shares: the engine
//! behind an atomically swapped pointer with hot reload, the admin listener
//! (metrics, health), telemetry, the monotonic clock the engine reads, and the
//! DoS model's ticking, reporting and baseline persistence.

pub mod admin;
pub mod clock;
pub mod dos;
pub mod store;
pub mod telemetry;
pub mod termination;
