//! `palisade`: the command-line entry point. Validates configuration before
//! doing any work; exits 2 on runtime errors and 64 on invalid configuration.

use clap::{Parser, Subcommand};
use palisade_engine::inspector::Settings;
use palisade_engine::rule::Paranoia;
use palisade_engine::Inspector;
use palisade_server::{check, dos_cmd, engine_setup, policy_cmd};
use std::path::PathBuf;
use std::process::ExitCode;

/// mimalloc instead of the system allocator: the request path allocates
/// small, short-lived buffers (headers, chain outputs, records), where glibc's
/// malloc spent about a tenth of the proxy's CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code for invalid configuration (EX_USAGE / EX_DATAERR family).
const EXIT_CONFIG: u8 = 64;

#[derive(Parser)]
#[command(
    name = "palisade",
    version,
    about = "Palisade web application firewall"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct EngineArgs {
    /// Policy file (TOML). Default: the embedded rules/default.toml.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Directory of signature files. Default: the embedded signature set.
    #[arg(long, value_name = "DIR")]
    signatures: Option<PathBuf>,
    /// Override the policy's paranoia level (1-4).
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=4))]
    paranoia: Option<u8>,
}

#[derive(Subcommand)]
enum Command {
    /// Inspect raw HTTP/1.1 requests (files, directories, or stdin) and print verdicts.
    Check {
        #[command(flatten)]
        engine: EngineArgs,
        /// Output format.
        #[arg(long, value_enum, default_value = "auto")]
        format: check::Format,
        /// Request files or directories; none or `-` reads stdin.
        inputs: Vec<PathBuf>,
    },
    /// Run the CRS go-ftw regression tests against the engine and judge them by category.
    Ftw(palisade_server::ftw::Args),
    /// Serve checks for other proxies: Envoy ext_authz (gRPC), nginx auth_request and
    /// Traefik ForwardAuth (HTTP). At least one of --grpc and --http.
    Authz(palisade_server::authz::Args),
    /// Run the inline reverse proxy: inspect every request, forward the allowed ones.
    Proxy(palisade_server::proxy::cli::Args),
    /// Replay captured traffic (pcap, pcapng, HAR, raw requests) through the engine and report.
    Replay(palisade_server::replay::Args),
    /// Policy tools.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Behavioural DoS model tools.
    Dos {
        #[command(subcommand)]
        command: DosCommand,
    },
}

#[derive(Subcommand)]
enum DosCommand {
    /// Run a synthetic scenario (testdata/dos/*.toml) against the model in virtual time.
    Simulate {
        scenario: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: dos_cmd::Format,
        /// Print every Nth second of the timeline (attack seconds are always printed).
        #[arg(long, default_value_t = 10)]
        every: u64,
    },
}

#[derive(Subcommand)]
enum PolicyCommand {
    /// Validate and compile a policy (and signatures) without serving anything.
    Check {
        /// Directory of signature files. Default: the embedded set.
        #[arg(long, value_name = "DIR")]
        signatures: Option<PathBuf>,
        /// The policy file.
        file: PathBuf,
    },
    /// Run request vectors (TOML, see testdata/vectors/README.md) against a policy.
    Test {
        #[arg(long, value_name = "DIR")]
        signatures: Option<PathBuf>,
        /// The policy file.
        file: PathBuf,
        /// Vector files.
        #[arg(required = true)]
        vectors: Vec<PathBuf>,
    },
    /// Show which routes, exclusions and custom rules apply to a raw request, and why.
    Explain {
        #[arg(long, value_name = "DIR")]
        signatures: Option<PathBuf>,
        /// The client's address as the proxy would see it (ip:port).
        #[arg(long)]
        peer: Option<String>,
        /// The policy file.
        file: PathBuf,
        /// A file holding one raw HTTP/1.1 request.
        request: PathBuf,
    },
}

/// Loads rules and a policy for the policy subcommands, or exits 64.
fn load_for_policy(
    signatures: Option<&std::path::Path>,
    file: &std::path::Path,
) -> Result<
    (
        std::sync::Arc<palisade_engine::CompiledRules>,
        palisade_engine::Policy,
    ),
    ExitCode,
> {
    let loaded = engine_setup::load_signatures(signatures).and_then(|sigs| {
        let rules =
            palisade_engine::CompiledRules::compile(&sigs).map_err(|e| anyhow::anyhow!("{e}"))?;
        let policy = engine_setup::load_policy(Some(file))?;
        Ok((std::sync::Arc::new(rules), policy))
    });
    loaded.map_err(|e| {
        eprintln!("palisade: {e:#}");
        ExitCode::from(EXIT_CONFIG)
    })
}

fn inspector(args: &EngineArgs) -> Result<Inspector, anyhow::Error> {
    let inspector =
        engine_setup::build_inspector(args.signatures.as_deref(), args.policy.as_deref())?;
    Ok(match args.paranoia.and_then(Paranoia::new) {
        Some(level) => {
            let mut settings: Settings = inspector.settings().clone();
            settings.paranoia = level;
            Inspector::with_settings(inspector.rules().clone(), settings)
        }
        None => inspector,
    })
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PALISADE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Check {
            engine,
            format,
            inputs,
        } => {
            let inspector = match inspector(&engine) {
                Ok(i) => i,
                Err(e) => {
                    eprintln!("palisade: {e:#}");
                    return ExitCode::from(EXIT_CONFIG);
                }
            };
            match check::run(&inspector, &inputs, format) {
                Ok(outcome) => ExitCode::from(outcome.exit_code() as u8),
                Err(e) => {
                    eprintln!("palisade: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Ftw(args) => ExitCode::from(palisade_server::ftw::main(&args)),
        Command::Authz(args) => ExitCode::from(palisade_server::authz::main(&args)),
        Command::Proxy(args) => ExitCode::from(palisade_server::proxy::cli::main(&args)),
        Command::Replay(args) => ExitCode::from(palisade_server::replay::main(&args)),
        Command::Dos {
            command:
                DosCommand::Simulate {
                    scenario,
                    format,
                    every,
                },
        } => match dos_cmd::simulate(&scenario, format, every) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("palisade: {e:#}");
                ExitCode::from(2)
            }
        },
        Command::Policy {
            command:
                PolicyCommand::Test {
                    signatures,
                    file,
                    vectors,
                },
        } => {
            let (rules, policy) = match load_for_policy(signatures.as_deref(), &file) {
                Ok(x) => x,
                Err(code) => return code,
            };
            match policy_cmd::test(rules, &policy, &vectors) {
                Ok((_, 0)) => ExitCode::SUCCESS,
                Ok(_) => ExitCode::from(1),
                Err(e) => {
                    eprintln!("palisade: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Policy {
            command:
                PolicyCommand::Explain {
                    signatures,
                    peer,
                    file,
                    request,
                },
        } => {
            let (rules, policy) = match load_for_policy(signatures.as_deref(), &file) {
                Ok(x) => x,
                Err(code) => return code,
            };
            match policy_cmd::explain(rules, &policy, &request, peer.as_deref()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("palisade: {e:#}");
                    ExitCode::from(2)
                }
            }
        }
        Command::Policy {
            command: PolicyCommand::Check { signatures, file },
        } => match engine_setup::build_inspector(signatures.as_deref(), Some(&file)) {
            Ok(i) => {
                println!(
                    "{}: ok ({} rules in {} groups, {} transform chains)",
                    file.display(),
                    i.rules().rules().len(),
                    i.rules().group_count(),
                    i.rules().chain_count()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("palisade: {e:#}");
                ExitCode::from(EXIT_CONFIG)
            }
        },
    }
}
