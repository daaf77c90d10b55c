//! The inline reverse proxy: `palisade proxy`.
//!
//! Palisade sits in front of an application (or a Kubernetes ingress) and every
//! request passes the engine before it reaches the upstream. Each module owns
//! one concern:
//!
//! | module | concern |
//! | --- | --- |
//! | [`cli`] | `palisade proxy` flags and start-up order |
//! | [`config`] | `palisade.toml`, command-line overrides, validation |
//! | [`listener`] | accept loop, connection limit, TLS, hyper server, graceful shutdown |
//! | [`tls`] | rustls with SNI certificates and ALPN |
//! | [`guard`] | raw HTTP/1 framing checks (request smuggling shapes) |
//! | [`head`] | hyper head → engine [`RequestHead`](palisade_engine::RequestHead), header limits, request id |
//! | [`body`] | body buffering and streaming inspection |
//! | [`forward`] | header rewriting toward the upstream and back |
//! | [`upstream`] | keep-alive pool, round-robin, passive health, retries, timeouts |
//! | [`upgrade`] | WebSocket and other `Upgrade` tunnels |
//! | [`handler`] | one request, stage by stage |
//! | [`error`] | the one place errors become responses |
//! | [`respbody`] | the response body type |
//! | [`audit`] | the audit log |
//! | [`observe`] | exchange hooks (for the DoS model) and proxy metrics |
//!
//! Lifecycle: [`ProxyServer::bind`] binds every listener (so a caller learns
//! the real addresses, port 0 included) and loads TLS; [`ProxyServer::run`]
//! serves until [`ShutdownHandle::shutdown`] and then drains in-flight
//! requests. The engine comes from an [`EngineStore`], so hot reload
//! (`runtime::store::spawn_reloader`) applies to the next request.

pub mod audit;
pub mod body;
pub mod cli;
pub mod config;
pub mod error;
pub mod forward;
pub mod guard;
pub mod handler;
pub mod head;
pub mod listener;
pub mod observe;
pub mod respbody;
pub mod tls;
pub mod upgrade;
pub mod upstream;

use crate::runtime::store::EngineStore;
use config::ProxySettings;
use handler::Shared;
use observe::ExchangeObserver;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

/// Why the proxy could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("binding {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("starting the audit log: {0}")]
    Audit(std::io::Error),
    #[error("starting the connection threads: {0}")]
    Shards(std::io::Error),
}

/// Stops a running proxy (gracefully). Cheap to clone.
#[derive(Clone)]
pub struct ShutdownHandle(Arc<watch::Sender<bool>>);

impl ShutdownHandle {
    /// Stops accepting and drains in-flight requests.
    pub fn shutdown(&self) {
        let _ = self.0.send(true);
    }
}

/// A proxy with its listeners bound.
pub struct ProxyServer {
    plain: Option<TcpListener>,
    tls: Option<(TcpListener, tokio_rustls::TlsAcceptor)>,
    settings: Arc<ProxySettings>,
    store: Arc<EngineStore>,
    observers: Vec<Arc<dyn ExchangeObserver>>,
    shutdown: Arc<watch::Sender<bool>>,
}

async fn bind(addr: SocketAddr) -> Result<TcpListener, StartError> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()
    } else {
        tokio::net::TcpSocket::new_v6()
    }
    .map_err(|source| StartError::Bind { addr, source })?;
    let _ = socket.set_reuseaddr(true);
    socket
        .bind(addr)
        .map_err(|source| StartError::Bind { addr, source })?;
    socket
        .listen(4096)
        .map_err(|source| StartError::Bind { addr, source })
}

impl ProxyServer {
    /// Binds the listeners and loads the TLS certificates.
    pub async fn bind(
        settings: ProxySettings,
        store: Arc<EngineStore>,
    ) -> Result<ProxyServer, StartError> {
        let plain = match settings.listen {
            Some(addr) => Some(bind(addr).await?),
            None => None,
        };
        let tls = match &settings.tls {
            Some(t) => {
                let config = tls::server_config(t)?;
                Some((
                    bind(t.listen).await?,
                    tokio_rustls::TlsAcceptor::from(config),
                ))
            }
            None => None,
        };
        let (tx, _) = watch::channel(false);
        Ok(ProxyServer {
            plain,
            tls,
            settings: Arc::new(settings),
            store,
            observers: Vec::new(),
            shutdown: Arc::new(tx),
        })
    }

    /// The plain-text listener's address.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.plain.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The TLS listener's address.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    /// Adds an observer of finished exchanges (see [`observe`]).
    pub fn add_observer(&mut self, observer: Arc<dyn ExchangeObserver>) {
        self.observers.push(observer);
    }

    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle(Arc::clone(&self.shutdown))
    }

    /// Serves until shut down, then drains; returns when every listener is done.
    pub async fn run(self) -> Result<(), StartError> {
        let audit = audit::AuditLog::start(&self.settings.audit).map_err(StartError::Audit)?;
        let shards = crate::runtime::shards::count(self.settings.worker_threads);
        let shared = Arc::new(Shared {
            upstreams: upstream::Upstreams::new(&self.settings, shards),
            settings: Arc::clone(&self.settings),
            store: self.store,
            audit,
            observers: self.observers,
            ids: head::RequestIds::new(),
            limits: crate::shared_limits::SharedLimits::new(),
        });
        shared
            .limits
            .prepare(shared.store.current().inspector.policy());
        let permits = Arc::new(Semaphore::new(self.settings.max_connections));
        let mut listeners = Vec::new();
        if let Some(listener) = self.plain {
            listeners.push((listener, None));
        }
        if let Some((listener, acceptor)) = self.tls {
            listeners.push((listener, Some(acceptor)));
        }
        let rx = self.shutdown.subscribe();
        listener::serve(listeners, Arc::clone(&shared), permits, rx, shards)
            .await
            .map_err(StartError::Shards)?;
        // Drained: what the audit writer holds goes to the file now.
        if let Some(audit) = &shared.audit {
            let audit = audit.clone();
            let _ = tokio::task::spawn_blocking(move || audit.finish()).await;
        }
        Ok(())
    }
}
