//! TLS termination with rcgen certificates: HTTP/2 via ALPN with a real client
//! (reqwest on rustls), HTTP/1.1 over TLS, and certificate choice by SNI.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test helpers may fail loudly

mod proxy_support;

use proxy_support::*;

fn cert(dir: &TempDir, name: &str) -> (String, std::path::PathBuf, std::path::PathBuf) {
    let ck = rcgen::generate_simple_self_signed(vec![name.to_string()]).unwrap();
    let pem = ck.cert.pem();
    let cert = dir.write(&format!("{name}.crt"), &pem);
    let key = dir.write(&format!("{name}.key"), &ck.key_pair.serialize_pem());
    (pem, cert, key)
}

#[tokio::test]
async fn h2_over_tls_with_sni_and_http11_fallback() {
    let up = Upstream::start().await;
    let certs = TempDir::new("tls");
    let (pem_a, cert_a, key_a) = cert(&certs, "localhost");
    let (pem_b, cert_b, key_b) = cert(&certs, "alt.test");
    let tls = format!(
        "[proxy.tls]\nlisten = \"127.0.0.1:0\"\n\
         [[proxy.tls.certificates]]\ncert_file = \"{}\"\nkey_file = \"{}\"\nnames = [\"localhost\"]\n\
         [[proxy.tls.certificates]]\ncert_file = \"{}\"\nkey_file = \"{}\"\nnames = [\"alt.test\"]\n",
        cert_a.display(),
        key_a.display(),
        cert_b.display(),
        key_b.display()
    );
    let proxy = start_proxy(&[up.url()], &tls, None).await;
    let addr = proxy.tls_addr.unwrap();
    let build = |h1: bool| {
        let mut b = reqwest::Client::builder()
            .use_rustls_tls()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(pem_a.as_bytes()).unwrap())
            .add_root_certificate(reqwest::Certificate::from_pem(pem_b.as_bytes()).unwrap())
            .resolve("localhost", addr)
            .resolve("alt.test", addr)
            .no_proxy()
            .timeout(WAIT);
        if h1 {
            b = b.http1_only();
        }
        b.build().unwrap()
    };
    let h2 = build(false);
    for host in ["localhost", "alt.test"] {
        let r = h2
            .get(format!("https://{host}:{}/tls", addr.port()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{host}");
        assert_eq!(
            r.version(),
            reqwest::Version::HTTP_2,
            "{host}: ALPN must pick h2"
        );
        assert_eq!(r.text().await.unwrap(), "ok\n");
    }
    let r = h2
        .post(format!("https://alt.test:{}/echo", addr.port()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("q=1%27%20UNION%20SELECT%20username,password%20FROM%20users--")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403, "a body block over h2");
    let h1 = build(true);
    let r = h1
        .get(format!("https://localhost:{}/h1", addr.port()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.version(), reqwest::Version::HTTP_11);
    let seen = up.requests();
    assert_eq!(seen.len(), 3);
    for r in &seen {
        assert_eq!(r.headers["x-forwarded-proto"], "https");
    }
    assert_eq!(seen[1].headers["host"], format!("alt.test:{}", addr.port()));
    proxy.stop().await;
}
