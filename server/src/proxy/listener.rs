//! Listeners: accept, limit, (TLS), guard, serve, drain.
//!
//! Connections are served on connection shards (`crate::runtime::shards`):
//! `proxy.worker_threads` threads (0: one per CPU), each a single-threaded
//! runtime, every connection whole on one of them, with that shard's own
//! upstream pool, so a request never changes threads on its way to the
//! upstream and back (on a shared multi-threaded runtime it did: two worker
//! threads served no more than one).
//!
//! The connection stack, outermost first, and why in this order:
//! 1. **Connection semaphore** (`proxy.max_connections`): a permit is taken
//!    *before* `accept`, so excess clients wait in the kernel's backlog instead
//!    of costing memory here.
//! 2. **TLS handshake** with its own timeout, ALPN deciding HTTP/2 vs HTTP/1.1.
//! 3. **Framing guard** (HTTP/1 only, [`crate::proxy::guard`]) on the
//!    decrypted bytes, before hyper's parser.
//! 4. **hyper-util auto server**: HTTP/1.1 with upgrades and h2 (prior
//!    knowledge on plain text, ALPN on TLS); `header_read_timeout` cuts
//!    slowloris clients and idle keep-alive connections; header size limits.
//! 5. **Graceful shutdown**: on the shutdown signal the accept loop stops, each
//!    connection finishes its in-flight requests (HTTP/1 closes after the
//!    current response, HTTP/2 sends GOAWAY) and the listener waits up to
//!    `shutdown_drain_seconds`.

use crate::proxy::guard::{GuardState, Guarded};
use crate::proxy::handler::{self, Connection, Shared};
use crate::proxy::observe;
use crate::runtime::shards::{Incoming, ShardServer, Shards};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio_rustls::TlsAcceptor;

/// hyper's smallest allowed read buffer.
const MIN_BUF: usize = 8192;

fn builder(shared: &Shared) -> auto::Builder<TokioExecutor> {
    let s = &shared.settings;
    let mut b = auto::Builder::new(TokioExecutor::new());
    b.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(s.timeouts.header_read)
        .max_buf_size((s.max_header_bytes + 4096).max(MIN_BUF))
        .max_headers(s.max_headers)
        .keep_alive(true);
    b.http2()
        .timer(TokioTimer::new())
        .max_header_list_size(s.max_header_bytes as u32)
        .max_concurrent_streams(256)
        .keep_alive_interval(Some(Duration::from_secs(30)))
        .keep_alive_timeout(Duration::from_secs(20));
    b
}

/// Serves the listeners (each with its TLS acceptor, if any) on `shards`
/// connection shards until `shutdown` turns true, then drains.
pub async fn serve(
    listeners: Vec<(TcpListener, Option<TlsAcceptor>)>,
    shared: Arc<Shared>,
    permits: Arc<Semaphore>,
    shutdown: watch::Receiver<bool>,
    shards: usize,
) -> std::io::Result<()> {
    let (sockets, acceptors): (Vec<TcpListener>, Vec<Option<TlsAcceptor>>) =
        listeners.into_iter().unzip();
    let acceptors = Arc::new(acceptors);
    let shard_shutdown = shutdown.clone();
    let server: ShardServer = Arc::new(move |index, incoming| {
        Box::pin(serve_shard(
            index,
            incoming,
            Arc::clone(&shared),
            Arc::clone(&acceptors),
            shard_shutdown.clone(),
        ))
    });
    let shards = Shards::start(
        "palisade-proxy",
        shards,
        sockets,
        Some(permits),
        server,
        shutdown,
    )?;
    shards.finished().await;
    Ok(())
}

/// One shard: serves the connections it is handed until shutdown, then drains.
async fn serve_shard(
    shard: usize,
    mut incoming: Incoming,
    shared: Arc<Shared>,
    acceptors: Arc<Vec<Option<TlsAcceptor>>>,
    mut shutdown: watch::Receiver<bool>,
) {
    let graceful = GracefulShutdown::new();
    let builder = Arc::new(builder(&shared));
    let drain = shared.settings.timeouts.shutdown_drain;
    loop {
        let accepted = tokio::select! {
            a = incoming.next_accepted() => a,
            _ = shutdown.wait_for(|stop| *stop) => None,
        };
        let accepted = match accepted {
            Some(Ok(a)) => a,
            Some(Err(e)) => {
                tracing::warn!(error = %e, "taking over an accepted connection");
                continue;
            }
            None => break,
        };
        let watcher = graceful.watcher();
        let shared = Arc::clone(&shared);
        let builder = Arc::clone(&builder);
        let tls = acceptors.get(accepted.listener).cloned().flatten();
        let (stream, peer, permit) = (accepted.stream, accepted.peer, accepted.permit);
        tokio::spawn(async move {
            let _permit = permit;
            observe::connection_opened();
            match tls {
                None => {
                    let guard = Arc::new(GuardState::default());
                    let conn = Arc::new(Connection {
                        shared: Arc::clone(&shared),
                        peer,
                        tls: false,
                        guard: Some(Arc::clone(&guard)),
                        shard,
                    });
                    let io = Guarded::new(stream, guard, shared.settings.max_header_bytes + 4096);
                    serve_io(io, conn, &builder, watcher).await;
                }
                Some(acceptor) => {
                    let handshake = tokio::time::timeout(
                        shared.settings.timeouts.tls_handshake,
                        acceptor.accept(stream),
                    )
                    .await;
                    match handshake {
                        Ok(Ok(stream)) => {
                            let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
                            let guard = (!h2).then(|| Arc::new(GuardState::default()));
                            let conn = Arc::new(Connection {
                                shared: Arc::clone(&shared),
                                peer,
                                tls: true,
                                guard: guard.clone(),
                                shard,
                            });
                            let guard = guard.unwrap_or_else(|| {
                                let g = Arc::new(GuardState::default());
                                g.stop();
                                g
                            });
                            let io = Guarded::new(
                                stream,
                                guard,
                                shared.settings.max_header_bytes + 4096,
                            );
                            serve_io(io, conn, &builder, watcher).await;
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
                    }
                }
            }
            observe::connection_closed();
        });
    }
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown drain timed out; closing the remaining connections");
    }
}

async fn serve_io<I>(
    io: I,
    conn: Arc<Connection>,
    builder: &auto::Builder<TokioExecutor>,
    watcher: hyper_util::server::graceful::Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req| handler::handle(req, Arc::clone(&conn)));
    let connection = builder
        .serve_connection_with_upgrades(TokioIo::new(io), service)
        .into_owned();
    if let Err(e) = watcher.watch(connection).await {
        tracing::debug!(error = %e, "connection ended with an error");
    }
}
