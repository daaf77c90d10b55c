//! What every long-running front end (proxy, check service) shares: the engine
//! behind an atomically swapped pointer with hot reload, the admin listener
//! (metrics, health), telemetry, and the monotonic clock the engine reads.

pub mod admin;
pub mod clock;
pub mod store;
pub mod telemetry;
