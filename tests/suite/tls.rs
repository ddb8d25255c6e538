//! TLS: a real handshake against a certificate generated in the test, HSTS on
//! every response, and a refusal to start when TLS is on but unusable.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Duration;

use agent_runtime::harness::{
    TEST_PASSWORD, TEST_USER, TestServer, basic_header, test_config_with, try_test_config_with,
};
use agent_runtime::{AgentService, BuildError};

use crate::secure_bank::{self, Bank};

struct Certs {
    dir: std::path::PathBuf,
    ca_der: rustls::pki_types::CertificateDer<'static>,
}

fn write_certs(name: &str) -> Certs {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let dir = std::env::temp_dir().join(format!("agent-tls-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    Certs {
        ca_der: cert.der().clone(),
        dir,
    }
}

fn tls_vars(certs: &Certs) -> Vec<(String, String)> {
    vec![
        ("SWML_SSL_ENABLED".into(), "true".into()),
        (
            "SWML_SSL_CERT_PATH".into(),
            certs.dir.join("cert.pem").display().to_string(),
        ),
        (
            "SWML_SSL_KEY_PATH".into(),
            certs.dir.join("key.pem").display().to_string(),
        ),
        ("SWML_DOMAIN".into(), "localhost".into()),
    ]
}

fn build(vars: &[(String, String)]) -> Result<AgentService<Bank>, BuildError> {
    let pairs: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    secure_bank::builder()
        .config(test_config_with(&pairs))
        .build()
}

#[test]
fn handshake_succeeds_and_responses_carry_hsts() {
    let certs = write_certs("ok");
    let server = TestServer::start(build(&tls_vars(&certs)).unwrap()).unwrap();

    let mut roots = rustls::RootCertStore::empty();
    roots.add(certs.ca_der.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let client = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let mut tcp = TcpStream::connect(server.addr()).expect("server accepts connections");
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let name = rustls::pki_types::ServerName::try_from("localhost").unwrap();
    let mut conn = rustls::ClientConnection::new(Arc::new(client), name).unwrap();
    let mut tls = rustls::Stream::new(&mut conn, &mut tcp);
    write!(
        tls,
        "GET /?call_id=tls-call HTTP/1.1\r\nHost: localhost\r\nAuthorization: {}\r\nConnection: close\r\n\r\n",
        basic_header(TEST_USER, TEST_PASSWORD)
    )
    .unwrap();
    let mut response = Vec::new();
    let _ = tls.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    assert!(text.starts_with("HTTP/1.1 200 OK"), "{text}");
    assert!(
        text.to_ascii_lowercase()
            .contains("strict-transport-security: max-age=31536000; includesubdomains"),
        "{text}"
    );
    // Webhook URLs are advertised over https on the configured domain.
    assert!(
        text.contains(&format!(
            "https://{TEST_USER}:{TEST_PASSWORD}@localhost:3000/swaig/"
        )),
        "{text}"
    );
}

#[test]
fn plain_http_to_a_tls_port_gets_no_service() {
    let certs = write_certs("plain");
    let server = TestServer::start(build(&tls_vars(&certs)).unwrap()).unwrap();
    let mut s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(s, "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    assert!(!String::from_utf8_lossy(&buf).contains("healthy"));
}

#[test]
fn unusable_tls_settings_stop_start_up() {
    let certs = write_certs("bad");
    // Enabled without paths: a configuration error naming the variable.
    let e = try_test_config_with(&[("SWML_SSL_ENABLED", "true")]).unwrap_err();
    assert_eq!(e.setting, "SWML_SSL_CERT_PATH");
    // Missing file, garbage certificate, garbage key, key of another cert.
    let mut missing = tls_vars(&certs);
    missing[1].1 = certs.dir.join("nope.pem").display().to_string();
    std::fs::write(certs.dir.join("garbage.pem"), "not a certificate").unwrap();
    let mut garbage_cert = tls_vars(&certs);
    garbage_cert[1].1 = certs.dir.join("garbage.pem").display().to_string();
    let mut garbage_key = tls_vars(&certs);
    garbage_key[2].1 = certs.dir.join("garbage.pem").display().to_string();
    let other = write_certs("other");
    let mut mismatched = tls_vars(&certs);
    mismatched[2].1 = other.dir.join("key.pem").display().to_string();
    for (vars, setting) in [
        (missing, "SWML_SSL_CERT_PATH"),
        (garbage_cert, "SWML_SSL_CERT_PATH"),
        (garbage_key, "SWML_SSL_KEY_PATH"),
        (mismatched, "SWML_SSL_KEY_PATH"),
    ] {
        match build(&vars) {
            Err(BuildError::Config(e)) => assert_eq!(e.setting, setting, "{e}"),
            other => panic!(
                "expected a TLS configuration error, got {:?}",
                other.map(|_| ())
            ),
        }
    }
}
