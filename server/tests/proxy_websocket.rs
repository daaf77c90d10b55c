//! WebSocket through the proxy: the upgrade head is inspected, then the
//! connection is tunnelled both ways.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod proxy_support;

use futures_util::{SinkExt, StreamExt};
use proxy_support::*;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test]
async fn websocket_echo_through_the_proxy() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let addr = proxy.addr.unwrap();
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut ws, response) = tokio::time::timeout(
        WAIT,
        tokio_tungstenite::client_async(format!("ws://{addr}/ws"), stream),
    )
    .await
    .unwrap()
    .unwrap();
    assert_eq!(response.status(), 101);
    assert!(response.headers().contains_key("x-request-id"));
    for text in ["hello", "second message", &"x".repeat(70_000)] {
        ws.send(Message::text(text.to_string())).await.unwrap();
        let echoed = tokio::time::timeout(WAIT, ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(echoed.into_text().unwrap().as_str(), text);
    }
    ws.send(Message::binary(vec![0u8, 1, 2, 255]))
        .await
        .unwrap();
    let echoed = tokio::time::timeout(WAIT, ws.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(echoed.into_data().as_ref(), &[0u8, 1, 2, 255]);
    let _ = ws.close(None).await;
    proxy.stop().await;
}

#[tokio::test]
async fn websocket_upgrade_with_an_attack_in_the_head_is_blocked() {
    let up = Upstream::start().await;
    let proxy = start_proxy(&[up.url()], "", None).await;
    let addr = proxy.addr.unwrap();
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let url = format!("ws://{addr}/ws?q=%3Cscript%3Ealert(1)%3C/script%3E");
    let err = tokio_tungstenite::client_async(url, stream)
        .await
        .unwrap_err();
    match err {
        tokio_tungstenite::tungstenite::Error::Http(r) => assert_eq!(r.status(), 403),
        other => panic!("expected an HTTP 403, got {other:?}"),
    }
    assert_eq!(up.heads.load(std::sync::atomic::Ordering::SeqCst), 0);
    proxy.stop().await;
}
