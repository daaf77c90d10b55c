//! The default signature set and policy, embedded at build time from
//! `signatures/*.toml` and `rules/default.toml`.

use crate::matcher::{CompileError, CompiledRules};
use crate::policy::{Policy, PolicyError};
use crate::signature::{parse_set, Signature, SignatureError};

include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

/// Why the embedded defaults failed to load (a build-time bug; tests guard it).
#[derive(Debug, thiserror::Error)]
pub enum DefaultsError {
    #[error("embedded signatures: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Signatures(Vec<SignatureError>),
    #[error("embedded signatures: {0}")]
    Compile(#[from] CompileError),
    #[error("embedded policy: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Policy(Vec<PolicyError>),
}

/// The embedded signatures, parsed and validated.
pub fn signatures() -> Result<Vec<Signature>, DefaultsError> {
    parse_set(SIGNATURE_FILES.iter().copied()).map_err(DefaultsError::Signatures)
}

/// The embedded signatures, compiled.
pub fn compiled_rules() -> Result<CompiledRules, DefaultsError> {
    Ok(CompiledRules::compile(&signatures()?)?)
}

/// The embedded default policy.
pub fn policy() -> Result<Policy, DefaultsError> {
    Policy::parse("rules/default.toml", DEFAULT_POLICY).map_err(DefaultsError::Policy)
}
