//! Waiting for SIGTERM or SIGINT. The handlers are installed when a
//! [`Termination`] is made, which the servers do before they announce that
//! they listen: a supervisor that stops a process right after its readiness
//! line gets a clean shutdown, not the default action of the signal.

use tokio::signal::unix::{signal, Signal, SignalKind};

/// Installed SIGTERM and SIGINT handlers (or none, if installing failed; then
/// Ctrl-C alone is waited for).
pub struct Termination {
    signals: Option<(Signal, Signal)>,
}

impl Termination {
    /// Installs the handlers now.
    pub fn install() -> Termination {
        let signals = match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(term), Ok(int)) => Some((term, int)),
            _ => None,
        };
        Termination { signals }
    }

    /// Resolves on the first SIGTERM or SIGINT.
    pub async fn wait(self) {
        match self.signals {
            Some((mut term, mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            None => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
}
