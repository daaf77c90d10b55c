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
//! [`Shards::start`] gives each shard a stream of accepted sockets, already
//! registered with that shard's reactor; what serves them is the caller's.

use futures_core::Stream;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};

/// Accepted sockets for one shard, registered with its runtime as they are
/// taken. Ends when the accept loop stops.
#[derive(Debug)]
pub struct Incoming {
    sockets: mpsc::UnboundedReceiver<std::net::TcpStream>,
}

impl Stream for Incoming {
    type Item = io::Result<TcpStream>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.sockets.poll_recv(cx) {
            Poll::Ready(Some(socket)) => Poll::Ready(Some(TcpStream::from_std(socket))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => Poll::Pending,
        }
    }
}

/// What a shard runs: given its index and its sockets, a future that serves
/// them and resolves once the shard is done (after its shutdown signal).
pub type ShardServer =
    Arc<dyn Fn(usize, Incoming) -> Pin<Box<dyn Future<Output = ()>>> + Send + Sync>;

/// Running shards and the accept loop feeding them.
#[derive(Debug)]
pub struct Shards {
    done: Vec<oneshot::Receiver<()>>,
}

impl Shards {
    /// Starts `count` shard threads named `{name}-{i}` and an accept loop on
    /// the current runtime that hands `listener`'s connections to them in
    /// turn (with `TCP_NODELAY` set) until `stop` resolves.
    pub fn start(
        name: &str,
        count: usize,
        listener: TcpListener,
        server: ShardServer,
        stop: impl Future<Output = ()> + Send + 'static,
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
                    runtime.block_on(server(index, Incoming { sockets: rx }));
                    // Connections still open past the server's own drain end
                    // with the runtime.
                    drop(runtime);
                    let _ = finished.send(());
                })?;
            senders.push(tx);
            done.push(finished_rx);
        }
        tokio::spawn(accept_loop(listener, senders, stop));
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
    shards: Vec<mpsc::UnboundedSender<std::net::TcpStream>>,
    stop: impl Future<Output = ()>,
) {
    tokio::pin!(stop);
    let mut next = 0usize;
    loop {
        let accepted = tokio::select! {
            () = &mut stop => break,
            accepted = listener.accept() => accepted,
        };
        let socket = match accepted {
            Ok((socket, _)) => socket,
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
        if let Some(shard) = shards.get(next % shards.len()) {
            // A shard that has already stopped drops the socket (closing it).
            let _ = shard.send(socket);
        }
        next = next.wrapping_add(1);
    }
}
