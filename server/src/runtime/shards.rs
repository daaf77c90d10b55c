//! Connection shards: a fixed number of threads, each with its own
//! single-threaded tokio runtime, and every accepted connection served whole
//! on one of them.
//!
//! On a multi-threaded runtime an HTTP/2 connection's streams are spawned as
//! tasks that the other workers steal, so every request crosses threads: the
//! connection's state mutex is contended and each hand-over wakes a thread.
//! Measured on the gRPC check service (2 cores, 16 streams on one
//! connection): 41 µs of server CPU per check spread over two workers,
//! against 30 µs on one. A shard keeps a connection, its streams and its
//! socket on one thread; the shards share the listener (connections go round
//! robin) and, like the workers of nginx or Envoy, scale by connections.
//!
//! [`Shards::start`] gives each shard the connections accepted on any of
//! the listeners, registered with that shard's reactor as it takes them;
//! what serves them is the caller's. Used by the gRPC check service and the
//! proxy.

use futures_core::Stream;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot, watch, OwnedSemaphorePermit, Semaphore};

/// How many shards `configured` asks for: itself, or with 0 one per CPU this
/// process may use (a container's CPU quota included).
pub fn count(configured: usize) -> usize {
    if configured > 0 {
        configured
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// A connection on its way from the accept loop to a shard.
#[derive(Debug)]
struct Handoff {
    socket: std::net::TcpStream,
    peer: SocketAddr,
    listener: usize,
    permit: Option<OwnedSemaphorePermit>,
}

/// A connection a shard takes over.
#[derive(Debug)]
pub struct Accepted {
    /// Registered with the shard's runtime.
    pub stream: TcpStream,
    pub peer: SocketAddr,
    /// Which of the listeners given to [`Shards::start`] accepted it.
    pub listener: usize,
    /// The connection-limit permit taken before `accept`, if there is a limit.
    pub permit: Option<OwnedSemaphorePermit>,
}

/// Accepted connections for one shard. Ends when the accept loops stop.
#[derive(Debug)]
pub struct Incoming {
    handoffs: mpsc::UnboundedReceiver<Handoff>,
}

impl Incoming {
    /// The next connection, registered with this shard's runtime.
    pub async fn next_accepted(&mut self) -> Option<io::Result<Accepted>> {
        let h = self.handoffs.recv().await?;
        Some(TcpStream::from_std(h.socket).map(|stream| Accepted {
            stream,
            peer: h.peer,
            listener: h.listener,
            permit: h.permit,
        }))
    }
}

/// As a plain stream of sockets (for servers that take one, such as
/// tonic's): only for shards started without a connection limit, since the
/// permit is dropped here.
impl Stream for Incoming {
    type Item = io::Result<TcpStream>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.handoffs.poll_recv(cx) {
            Poll::Ready(Some(h)) => Poll::Ready(Some(TcpStream::from_std(h.socket))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// What a shard runs: given its index and its connections, a future that
/// serves them and resolves once the shard is done (after its shutdown signal).
pub type ShardServer =
    Arc<dyn Fn(usize, Incoming) -> Pin<Box<dyn Future<Output = ()>>> + Send + Sync>;

/// Running shards and the accept loops feeding them.
#[derive(Debug)]
pub struct Shards {
    done: Vec<oneshot::Receiver<()>>,
}

impl Shards {
    /// Starts `count` shard threads named `{name}-{i}` and, on the current
    /// runtime, one accept loop per listener that deals the connections to
    /// the shards in turn (with `TCP_NODELAY` set) until `stop` turns true.
    /// With `permits`, a permit is taken before each `accept` (excess clients
    /// wait in the kernel's backlog) and travels with the connection.
    pub fn start(
        name: &str,
        count: usize,
        listeners: Vec<TcpListener>,
        permits: Option<Arc<Semaphore>>,
        server: ShardServer,
        stop: watch::Receiver<bool>,
    ) -> io::Result<Shards> {
        let count = count.max(1);
        let mut senders = Vec::with_capacity(count);
        let mut done = Vec::with_capacity(count);
        for index in 0..count {
            let (tx, rx) = mpsc::unbounded_channel();
            let (finished, finished_rx) = oneshot::channel();
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let server = Arc::clone(&server);
            std::thread::Builder::new()
                .name(format!("{name}-{index}"))
                .spawn(move || {
                    runtime.block_on(server(index, Incoming { handoffs: rx }));
                    // Connections still open past the server's own drain end
                    // with the runtime.
                    drop(runtime);
                    let _ = finished.send(());
                })?;
            senders.push(tx);
            done.push(finished_rx);
        }
        let senders = Arc::new(senders);
        let next = Arc::new(AtomicUsize::new(0));
        for (index, listener) in listeners.into_iter().enumerate() {
            tokio::spawn(accept_loop(
                listener,
                index,
                Arc::clone(&senders),
                Arc::clone(&next),
                permits.clone(),
                stop.clone(),
            ));
        }
        Ok(Shards { done })
    }

    /// Waits until every shard's server has finished.
    pub async fn finished(self) {
        for shard in self.done {
            let _ = shard.await;
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    index: usize,
    shards: Arc<Vec<mpsc::UnboundedSender<Handoff>>>,
    next: Arc<AtomicUsize>,
    permits: Option<Arc<Semaphore>>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let permit = match &permits {
            Some(p) => tokio::select! {
                permit = Arc::clone(p).acquire_owned() => match permit {
                    Ok(permit) => Some(permit),
                    Err(_) => break,
                },
                _ = stop.wait_for(|s| *s) => break,
            },
            None => None,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stop.wait_for(|s| *s) => break,
        };
        let (socket, peer) = match accepted {
            Ok(pair) => pair,
            Err(e) => {
                // Out of descriptors or memory: back off instead of spinning.
                tracing::warn!(error = %e, "accepting a connection");
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let _ = socket.set_nodelay(true);
        let socket = match socket.into_std() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "handing a connection to a shard");
                continue;
            }
        };
        let shard = next.fetch_add(1, Ordering::Relaxed) % shards.len().max(1);
        if let Some(shard) = shards.get(shard) {
            // A shard that has already stopped drops the socket (closing it).
            let _ = shard.send(Handoff {
                socket,
                peer,
                listener: index,
                permit,
            });
        }
    }
}
