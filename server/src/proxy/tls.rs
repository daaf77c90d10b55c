//! TLS termination: rustls (ring provider) with certificates chosen by SNI and
//! ALPN `h2` / `http/1.1`.
//!
//! Contract: each `[[proxy.tls.certificates]]` entry is loaded and its key
//! checked at start (an unreadable or mismatched file is a configuration error
//! naming the file). A client's SNI name picks the entry listing it (exact,
//! then `*.parent` wildcard); no SNI or an unknown name gets the first entry.

use crate::proxy::config::{CertificateSection, TlsSettings};
use rustls::crypto::ring;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::sync::Arc;

/// A TLS setup problem.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{file}: {message}")]
    File { file: String, message: String },
    #[error("TLS configuration: {0}")]
    Config(#[from] rustls::Error),
}

#[derive(Debug)]
struct SniResolver {
    by_name: HashMap<String, Arc<CertifiedKey>>,
    default: Option<Arc<CertifiedKey>>,
}

impl ResolvesServerCert for SniResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let Some(name) = hello.server_name() else {
            return self.default.clone();
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        if let Some(ck) = self.by_name.get(&name) {
            return Some(Arc::clone(ck));
        }
        if let Some((_, parent)) = name.split_once('.') {
            if let Some(ck) = self.by_name.get(&format!("*.{parent}")) {
                return Some(Arc::clone(ck));
            }
        }
        self.default.clone()
    }
}

fn load(
    entry: &CertificateSection,
    provider: &rustls::crypto::CryptoProvider,
) -> Result<Arc<CertifiedKey>, TlsError> {
    let file_err = |path: &std::path::Path, message: String| TlsError::File {
        file: path.display().to_string(),
        message,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(&entry.cert_file)
        .map_err(|e| file_err(&entry.cert_file, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| file_err(&entry.cert_file, e.to_string()))?;
    if certs.is_empty() {
        return Err(file_err(
            &entry.cert_file,
            "no PEM certificate found".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(&entry.key_file)
        .map_err(|e| file_err(&entry.key_file, e.to_string()))?;
    let signing = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| file_err(&entry.key_file, e.to_string()))?;
    let ck = CertifiedKey::new(certs, signing);
    ck.keys_match().map_err(|e| {
        file_err(
            &entry.key_file,
            format!("key does not match {}: {e}", entry.cert_file.display()),
        )
    })?;
    Ok(Arc::new(ck))
}

/// Builds the rustls server configuration.
pub fn server_config(settings: &TlsSettings) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = Arc::new(ring::default_provider());
    let mut by_name = HashMap::new();
    let mut default = None;
    for entry in &settings.certificates {
        let ck = load(entry, &provider)?;
        if default.is_none() {
            default = Some(Arc::clone(&ck));
        }
        for name in &entry.names {
            by_name.insert(
                name.trim_end_matches('.').to_ascii_lowercase(),
                Arc::clone(&ck),
            );
        }
    }
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(SniResolver { by_name, default }));
    config.alpn_protocols = settings.alpn.clone();
    Ok(Arc::new(config))
}
