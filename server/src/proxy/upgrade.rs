//! Upgrade tunnelling (WebSocket and other HTTP/1.1 `Upgrade` protocols).
//!
//! Contract: the upgrade request's head is inspected like any other request
//! (a block is answered with the block page, never tunnelled); only when the
//! upstream answers `101 Switching Protocols` are the two connections joined,
//! and from then on bytes are copied both ways unchanged until either side
//! closes. Tunnelled bytes are not inspected.

use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;

/// Joins the client and upstream connections once both have switched.
pub fn tunnel(client: OnUpgrade, upstream: OnUpgrade) {
    tokio::spawn(async move {
        let (client, upstream) = match tokio::try_join!(client, upstream) {
            Ok(pair) => pair,
            Err(e) => {
                tracing::debug!(error = %e, "upgrade failed");
                return;
            }
        };
        let mut client = TokioIo::new(client);
        let mut upstream = TokioIo::new(upstream);
        match tokio::io::copy_bidirectional(&mut client, &mut upstream).await {
            Ok((up, down)) => tracing::debug!(up, down, "tunnel closed"),
            Err(e) => tracing::debug!(error = %e, "tunnel ended with an error"),
        }
    });
}
