//! `palisade authz` configuration: command-line flags over an optional
//! `palisade.toml`, validated into an [`AuthzConfig`] before any port is bound.
//!
//! The file's `[authz]` table is read (unknown keys are refused, errors name
//! the file and line); every other table in the file belongs to another front
//! end and is left alone, so one `palisade.toml` can serve the proxy and the
//! check service. Relative paths in the file are relative to the file. A flag
//! given on the command line wins over the file.
//!
//! ```toml
//! [authz]
//! grpc = "0.0.0.0:9001"            # Envoy ext_authz (gRPC)
//! http = "0.0.0.0:9002"            # nginx auth_request / Traefik ForwardAuth
//! admin = "0.0.0.0:9090"           # /metrics, /healthz, /readyz
//! policy = "policy.toml"           # default: the embedded policy
//! signatures = "signatures"        # default: the embedded signature set
//! paranoia = 2                     # overrides the policy's level
//! max_message_bytes = 4194304      # largest CheckRequest accepted (body included)
//! workers = 2                      # gRPC connection threads (default: one per CPU)
//! ```

use crate::runtime::store::EngineSource;
use anyhow::{anyhow, bail, Context, Result};
use palisade_engine::rule::Paranoia;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Default largest gRPC `CheckRequest`: tonic's default, enough for Envoy's
/// usual `max_request_bytes` plus headers.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 4 << 20;
const MIN_MESSAGE_BYTES: usize = 16 << 10;
const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// `palisade authz` flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Serve Envoy ext_authz v3 (gRPC) on this address, e.g. 127.0.0.1:9001.
    #[arg(long, value_name = "ADDR")]
    pub grpc: Option<SocketAddr>,
    /// Serve auth subrequests (nginx auth_request, Traefik ForwardAuth) on this address.
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// Serve /metrics, /healthz and /readyz on this address.
    #[arg(long, value_name = "ADDR")]
    pub admin: Option<SocketAddr>,
    /// Policy file (TOML). Default: the embedded rules/default.toml.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Directory of signature files. Default: the embedded signature set.
    #[arg(long, value_name = "DIR")]
    pub signatures: Option<PathBuf>,
    /// Override the policy's paranoia level (1-4).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    pub paranoia: Option<u8>,
    /// Threads serving gRPC connections, each connection on one of them
    /// (default: one per CPU).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub workers: Option<u16>,
    /// A palisade.toml whose [authz] table sets any of the above.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The `[authz]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    grpc: Option<SocketAddr>,
    http: Option<SocketAddr>,
    admin: Option<SocketAddr>,
    policy: Option<PathBuf>,
    signatures: Option<PathBuf>,
    paranoia: Option<Paranoia>,
    max_message_bytes: Option<usize>,
    workers: Option<u16>,
}

/// The file: only `[authz]` is ours.
#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    authz: Section,
}

/// A validated check-service configuration: at least one check listener.
#[derive(Debug, Clone)]
pub struct AuthzConfig {
    pub(crate) grpc: Option<SocketAddr>,
    pub(crate) http: Option<SocketAddr>,
    pub(crate) admin: Option<SocketAddr>,
    pub(crate) engine: EngineSource,
    pub(crate) max_message_bytes: usize,
    /// Threads serving gRPC connections.
    pub(crate) workers: usize,
}

fn read_file(path: &Path) -> Result<Section> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let file: File = toml::from_str(&text).map_err(|e| {
        let line = e
            .span()
            .map(|s| {
                text.get(..s.start)
                    .unwrap_or_default()
                    .matches('\n')
                    .count()
                    + 1
            })
            .unwrap_or(1);
        anyhow!("{}:{line}: {}", path.display(), e.message().trim())
    })?;
    let mut section = file.authz;
    let base = path.parent().unwrap_or_else(|| Path::new("."));
    let rebase = |p: PathBuf| if p.is_relative() { base.join(p) } else { p };
    section.policy = section.policy.map(rebase);
    section.signatures = section.signatures.map(rebase);
    Ok(section)
}

impl AuthzConfig {
    /// Merges the flags over the file (if any) and validates.
    pub fn from_args(args: &Args) -> Result<AuthzConfig> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => Section::default(),
        };
        let grpc = args.grpc.or(file.grpc);
        let http = args.http.or(file.http);
        if grpc.is_none() && http.is_none() {
            bail!("nothing to serve: give --grpc ADDR, --http ADDR or both (or grpc/http in the [authz] table of --config)");
        }
        let paranoia = match args.paranoia {
            Some(level) => {
                Some(Paranoia::new(level).ok_or_else(|| anyhow!("--paranoia must be 1 to 4"))?)
            }
            None => file.paranoia,
        };
        let max_message_bytes = file.max_message_bytes.unwrap_or(DEFAULT_MAX_MESSAGE_BYTES);
        if !(MIN_MESSAGE_BYTES..=MAX_MESSAGE_BYTES).contains(&max_message_bytes) {
            bail!("authz.max_message_bytes must be between {MIN_MESSAGE_BYTES} and {MAX_MESSAGE_BYTES}, got {max_message_bytes}");
        }
        let workers = match args.workers.or(file.workers) {
            Some(0) => bail!("authz.workers must be at least 1"),
            Some(n) => usize::from(n),
            None => crate::runtime::shards::count(0),
        };
        Ok(AuthzConfig {
            grpc,
            http,
            admin: args.admin.or(file.admin),
            engine: EngineSource {
                signatures: args.signatures.clone().or(file.signatures),
                policy: args.policy.clone().or(file.policy),
                paranoia,
            },
            max_message_bytes,
            workers,
        })
    }

    /// Where the engine comes from.
    pub fn engine(&self) -> &EngineSource {
        &self.engine
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needs_a_listener() {
        let err = AuthzConfig::from_args(&Args::default()).unwrap_err();
        assert!(err.to_string().contains("--grpc"), "{err}");
    }

    #[test]
    fn flags_win_over_the_file_and_paths_are_relative_to_it() {
        let dir =
            std::env::temp_dir().join(format!("palisade-authz-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("palisade.toml");
        std::fs::write(
            &file,
            "[proxy]\nlisten = \"x\"\n\n[authz]\ngrpc = \"127.0.0.1:9001\"\nhttp = \"127.0.0.1:9002\"\npolicy = \"p.toml\"\n",
        )
        .unwrap();
        let args = Args {
            http: Some("127.0.0.1:7000".parse().unwrap()),
            config: Some(file.clone()),
            ..Args::default()
        };
        let c = AuthzConfig::from_args(&args).unwrap();
        assert_eq!(c.grpc, Some("127.0.0.1:9001".parse().unwrap()));
        assert_eq!(c.http, Some("127.0.0.1:7000".parse().unwrap()));
        assert_eq!(c.engine.policy, Some(dir.join("p.toml")));
        assert!(c.workers >= 1, "one per CPU by default");
        std::fs::write(&file, "[authz]\ngrpc = \"127.0.0.1:9001\"\nworkers = 3\n").unwrap();
        let c = AuthzConfig::from_args(&args).unwrap();
        assert_eq!(c.workers, 3);
        let flags = Args {
            workers: Some(5),
            ..args.clone()
        };
        assert_eq!(AuthzConfig::from_args(&flags).unwrap().workers, 5);
        std::fs::write(&file, "[authz]\ngrpc = \"127.0.0.1:9001\"\nworkers = 0\n").unwrap();
        let err = AuthzConfig::from_args(&args).unwrap_err().to_string();
        assert!(err.contains("workers"), "{err}");
        std::fs::write(&file, "[authz]\ngrpc = \"127.0.0.1:9001\"\nlisten = 1\n").unwrap();
        let err = AuthzConfig::from_args(&args).unwrap_err().to_string();
        assert!(err.contains(":3:") && err.contains("listen"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
