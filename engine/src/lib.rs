//! Palisade's inspection engine.
//!
//! The engine turns an HTTP request — a [`request::RequestHead`] followed by body
//! chunks as they arrive — into a [`verdict::Verdict`]. It owns the request model,
//! the streaming body parsers, the transforms, the compiled matcher, anomaly
//! scoring and the policy model. It does no I/O and has no async runtime: the
//! `palisade` binary (crate `palisade-server`) brings sockets, files and clocks.
//!
//! Flow: [`inspector::Inspector::begin`] inspects the head and returns a
//! [`inspector::Transaction`]; the transaction takes body chunks through
//! [`inspector::Transaction::feed_body`] and gives its verdict at
//! [`inspector::Transaction::finish`] (or earlier, when the head alone decides).

pub mod admission;
pub mod body;
pub mod cidr;
mod clean_cache;
pub mod clock;
pub mod custom_rule;
pub mod defaults;
pub mod detect;
pub mod dos;
pub mod exclusion;
pub mod head_cache;
pub mod inspector;
pub mod matcher;
pub mod policy;
pub mod protocol;
mod quiet_memo;
pub mod ratelimit;
pub mod request;
pub mod route;
pub mod rule;
pub mod scope;
pub mod session;
pub mod signature;
pub mod target;
#[cfg(test)]
mod test_bytes;
pub mod transform;
pub mod vectors;
pub mod verdict;
mod word_bytes;

pub use inspector::{Inspector, Progress, Transaction};
pub use matcher::CompiledRules;
pub use policy::Policy;
pub use request::RequestHead;
pub use verdict::Verdict;
