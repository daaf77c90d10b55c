//! Routes: per host/path overrides of how strictly a request is inspected
//! (mode, paranoia, threshold, limits). The first route whose scope matches a
//! request applies; a request matching none uses the `[engine]` settings.

use crate::policy::LimitAction;
use crate::rule::Paranoia;
use crate::scope::{Scope, ScopeInput};
use crate::verdict::Mode;
use serde::Deserialize;

/// Limit keys a route may override; unset keys keep the engine's value.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    pub max_inspected_body_bytes: Option<u64>,
    pub max_args_count: Option<usize>,
    pub max_value_bytes: Option<usize>,
    pub max_json_depth: Option<usize>,
    pub max_headers_count: Option<usize>,
    pub on_limit: Option<LimitAction>,
}

/// A `[[routes]]` entry as written.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// A name for logs, metrics and `policy explain`.
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub hosts: Vec<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub path_prefix: Option<String>,
    #[serde(default)]
    pub path_glob: Option<String>,
    #[serde(default)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub paranoia: Option<Paranoia>,
    #[serde(default)]
    pub anomaly_threshold: Option<u32>,
    #[serde(default)]
    pub limits: LimitOverrides,
}

/// A compiled route.
#[derive(Debug, Clone)]
pub struct Route {
    pub name: String,
    scope: Scope,
    pub mode: Option<Mode>,
    pub paranoia: Option<Paranoia>,
    pub anomaly_threshold: Option<u32>,
    pub limits: LimitOverrides,
}

/// Why a route is invalid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("anomaly_threshold must be at least 1")]
    Threshold,
    #[error("a route must have a scope (hosts, path, path_prefix, path_glob or methods)")]
    NoScope,
    #[error(transparent)]
    Scope(#[from] crate::scope::ScopeError),
}

impl Route {
    /// Validates and compiles an entry; `index` names unnamed routes.
    pub fn compile(spec: &RouteSpec, index: usize) -> Result<Route, RouteError> {
        if spec.anomaly_threshold == Some(0) {
            return Err(RouteError::Threshold);
        }
        let scope = Scope::compile(&crate::scope::scope_spec_of!(spec))?;
        if scope.is_everything() {
            return Err(RouteError::NoScope);
        }
        Ok(Route {
            name: spec
                .name
                .clone()
                .unwrap_or_else(|| format!("route-{}", index + 1)),
            scope,
            mode: spec.mode,
            paranoia: spec.paranoia,
            anomaly_threshold: spec.anomaly_threshold,
            limits: spec.limits,
        })
    }

    pub fn matches(&self, input: &ScopeInput<'_>) -> bool {
        self.scope.matches(input)
    }
}
