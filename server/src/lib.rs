//! The `palisade` binary's library: command implementations and the I/O around
//! the engine. `main.rs` only parses arguments and maps results to exit codes.

pub mod addr_text;
pub mod authz;
pub mod check;
pub mod dos_cmd;
pub mod engine_setup;
pub mod ftw;
pub mod policy_cmd;
pub mod proxy;
pub mod rawhttp;
pub mod replay;
pub mod runtime;
pub mod shared_limits;
