//! TLS through rustls. When `SWML_SSL_ENABLED` is on, the certificate chain
//! and key are loaded at start-up; anything unusable stops the agent with a
//! message naming the variable: it never falls back to plain HTTP.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::ConfigError;

/// TLS settings from `SWML_SSL_CERT_PATH` / `SWML_SSL_KEY_PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSettings {
    /// PEM certificate chain (leaf first).
    pub cert_path: PathBuf,
    /// PEM private key (PKCS#8, PKCS#1 or SEC1).
    pub key_path: PathBuf,
}

fn problem(setting: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting,
        problem: problem.into(),
    }
}

fn read(path: &Path, setting: &'static str) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| {
        problem(
            setting,
            format!("cannot read `{}`: {}", path.display(), e.kind()),
        )
    })
}

impl TlsSettings {
    /// Loads the files and builds the rustls server configuration.
    pub fn load(&self) -> Result<Arc<rustls::ServerConfig>, ConfigError> {
        let cert_pem = read(&self.cert_path, "SWML_SSL_CERT_PATH")?;
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<_, _>>()
            .map_err(|_| {
                problem(
                    "SWML_SSL_CERT_PATH",
                    "the file is not a PEM certificate chain",
                )
            })?;
        if certs.is_empty() {
            return Err(problem(
                "SWML_SSL_CERT_PATH",
                "the file holds no PEM certificate",
            ));
        }
        let key_pem = zeroize::Zeroizing::new(read(&self.key_path, "SWML_SSL_KEY_PATH")?);
        let key = PrivateKeyDer::from_pem_slice(&key_pem)
            .map_err(|_| problem("SWML_SSL_KEY_PATH", "the file holds no PEM private key"))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|_| problem("SWML_SSL_ENABLED", "no usable TLS protocol version"))?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(|e| {
                problem(
                    "SWML_SSL_KEY_PATH",
                    format!("the key does not fit the certificate: {e}"),
                )
            })?;
        Ok(Arc::new(config))
    }
}
