//! TLS for connections to a user's server, with libpq's meaning of `sslmode`, `sslrootcert`,
//! `sslcert` and `sslkey` (from the connection string, else `PGSSLMODE`, `PGSSLROOTCERT`,
//! `PGSSLCERT`, `PGSSLKEY`). tokio-postgres parses only `disable`, `prefer` and `require` and
//! rejects the other keys, so they are taken out of the string here and the rest is left to it.

use crate::Failure;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_postgres_rustls::MakeRustlsConnect;

/// libpq's `sslmode`: how much TLS to insist on and what of the server's certificate to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    /// Plain first; TLS only when the server refuses the plain connection.
    Allow,
    /// TLS when the server offers it (libpq's default).
    Prefer,
    Require,
    /// TLS, and the certificate chain must lead to the root certificate.
    VerifyCa,
    /// As `VerifyCa`, and the certificate must name the host connected to.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<SslMode, String> {
        Ok(match value {
            "disable" => SslMode::Disable,
            "allow" => SslMode::Allow,
            "prefer" => SslMode::Prefer,
            "require" => SslMode::Require,
            "verify-ca" => SslMode::VerifyCa,
            "verify-full" => SslMode::VerifyFull,
            other => {
                return Err(format!(
                    "sslmode \"{other}\" is not one of disable, allow, prefer, require, verify-ca, verify-full"
                ))
            }
        })
    }

    /// What tokio-postgres is told; `Allow` starts plain (see [`Tls::fallback`]).
    pub fn for_driver(self) -> tokio_postgres::config::SslMode {
        use tokio_postgres::config::SslMode as Driver;
        match self {
            SslMode::Disable | SslMode::Allow => Driver::Disable,
            SslMode::Prefer => Driver::Prefer,
            SslMode::Require | SslMode::VerifyCa | SslMode::VerifyFull => Driver::Require,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Allow => "allow",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// Where trusted root certificates come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    File(PathBuf),
    /// `sslrootcert=system`: the Mozilla roots built into schemagate (a static binary has no
    /// platform store it could rely on).
    System,
}

/// The TLS settings of one connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tls {
    pub mode: SslMode,
    root: Option<RootCert>,
    client: Option<(PathBuf, PathBuf)>,
}

/// The connection-string keys handled here.
pub const KEYS: [&str; 4] = ["sslmode", "sslrootcert", "sslcert", "sslkey"];

impl Tls {
    /// No TLS: an ephemeral cluster's unix socket.
    pub fn local() -> Tls {
        Tls {
            mode: SslMode::Disable,
            root: None,
            client: None,
        }
    }

    /// The TLS settings among `found` (the [`KEYS`] taken out of a connection string), else
    /// from the environment. The error says which setting is wrong.
    pub fn from_settings(found: &[(String, String)]) -> Result<Tls, String> {
        Self::from_settings_with(found, |name| std::env::var(name).ok(), home_dir())
    }

    fn from_settings_with(
        found: &[(String, String)],
        env: impl Fn(&str) -> Option<String>,
        home: Option<PathBuf>,
    ) -> Result<Tls, String> {
        let setting = |key: &str, variable: &str| {
            found
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .or_else(|| env(variable))
                .filter(|v| !v.is_empty())
        };
        let default_file = |name: &str| {
            home.as_ref()
                .map(|home| home.join(".postgresql").join(name))
                .filter(|path| path.is_file())
        };
        let root = match setting("sslrootcert", "PGSSLROOTCERT") {
            Some(value) if value == "system" => Some(RootCert::System),
            Some(value) => Some(RootCert::File(PathBuf::from(value))),
            None => default_file("root.crt").map(RootCert::File),
        };
        let mode = match setting("sslmode", "PGSSLMODE") {
            Some(value) => SslMode::parse(&value)?,
            // As libpq: the system's roots are only worth something with the host name checked.
            None if root == Some(RootCert::System) => SslMode::VerifyFull,
            None => SslMode::Prefer,
        };
        if root == Some(RootCert::System) && mode != SslMode::VerifyFull {
            return Err(format!(
                "sslrootcert=system needs sslmode=verify-full, not {}",
                mode.as_str()
            ));
        }
        let cert = setting("sslcert", "PGSSLCERT")
            .map(PathBuf::from)
            .or_else(|| default_file("postgresql.crt"));
        let key = setting("sslkey", "PGSSLKEY")
            .map(PathBuf::from)
            .or_else(|| default_file("postgresql.key"));
        let client = match (cert, key) {
            (Some(cert), Some(key)) => Some((cert, key)),
            (None, None) => None,
            _ => return Err("a client certificate needs both sslcert and sslkey".to_string()),
        };
        Ok(Tls { mode, root, client })
    }

    /// After a failed plain connection in `allow` mode: the settings to try with TLS.
    pub fn fallback(&self) -> Option<Tls> {
        (self.mode == SslMode::Allow).then(|| Tls {
            mode: SslMode::Require,
            ..self.clone()
        })
    }

    /// The connector tokio-postgres uses; reads the certificate files.
    pub fn connector(&self) -> Result<MakeRustlsConnect, Failure> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let roots = self.roots()?;
        let chain = match (self.mode, roots) {
            (_, Some(roots)) => Some(webpki(roots, &provider)?),
            (SslMode::VerifyCa | SslMode::VerifyFull, None) => {
                return Err(Failure::Usage(format!(
                    "sslmode={} needs the root certificate to check the server's against: set sslrootcert to a file (or \"system\" for the public certificate authorities), or put it in ~/.postgresql/root.crt",
                    self.mode.as_str()
                )))
            }
            (_, None) => None,
        };
        let verifier = Arc::new(Verifier {
            chain,
            any_name: self.mode != SslMode::VerifyFull,
            provider: provider.clone(),
        });
        let builder = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Failure::Environment(format!("cannot set up TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let config = match &self.client {
            Some((cert, key)) => {
                let chain = read_certificates(cert, "sslcert")?;
                let key = PrivateKeyDer::from_pem_file(key).map_err(|e| {
                    Failure::Usage(format!(
                        "sslkey {}: cannot read a PEM private key ({e})",
                        key.display()
                    ))
                })?;
                builder.with_client_auth_cert(chain, key).map_err(|e| {
                    Failure::Usage(format!(
                        "sslcert {} and sslkey do not make a client certificate: {e}",
                        cert.display()
                    ))
                })?
            }
            None => builder.with_no_client_auth(),
        };
        Ok(MakeRustlsConnect::new(config))
    }

    fn roots(&self) -> Result<Option<RootCertStore>, Failure> {
        let mut store = RootCertStore::empty();
        match &self.root {
            None => return Ok(None),
            Some(RootCert::System) => {
                store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
            }
            Some(RootCert::File(path)) => {
                for certificate in read_certificates(path, "sslrootcert")? {
                    store.add(certificate).map_err(|e| {
                        Failure::Usage(format!(
                            "sslrootcert {}: not a usable CA certificate ({e})",
                            path.display()
                        ))
                    })?;
                }
            }
        }
        Ok(Some(store))
    }

    /// The same settings for libpq's tools (`pg_dump`), as environment variables.
    pub fn libpq_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![("PGSSLMODE", self.mode.as_str().to_string())];
        match &self.root {
            Some(RootCert::File(path)) => env.push(("PGSSLROOTCERT", path.display().to_string())),
            Some(RootCert::System) => env.push(("PGSSLROOTCERT", "system".to_string())),
            None => {}
        }
        if let Some((cert, key)) = &self.client {
            env.push(("PGSSLCERT", cert.display().to_string()));
            env.push(("PGSSLKEY", key.display().to_string()));
        }
        env
    }
}

fn home_dir() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
}

fn read_certificates(path: &Path, key: &str) -> Result<Vec<CertificateDer<'static>>, Failure> {
    let certificates = CertificateDer::pem_file_iter(path)
        .and_then(|iter| iter.collect::<Result<Vec<_>, _>>())
        .map_err(|e| {
            Failure::Usage(format!(
                "{key} {}: cannot read PEM certificates ({e})",
                path.display()
            ))
        })?;
    if certificates.is_empty() {
        return Err(Failure::Usage(format!(
            "{key} {}: holds no PEM certificate",
            path.display()
        )));
    }
    Ok(certificates)
}

fn webpki(
    roots: RootCertStore,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<WebPkiServerVerifier>, Failure> {
    WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| Failure::Usage(format!("sslrootcert: {e}")))
}

/// What is checked of the server's certificate: with `chain`, that it leads to the root
/// certificate and, unless `any_name`, that it names the host (`verify-full`); without, nothing
/// (`require` with no root certificate, libpq's meaning). The handshake signature is always
/// checked.
#[derive(Debug)]
struct Verifier {
    chain: Option<Arc<WebPkiServerVerifier>>,
    any_name: bool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            return Ok(ServerCertVerified::assertion());
        };
        // The name is checked after the chain, so a name error means the chain was good.
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.any_name => Ok(ServerCertVerified::assertion()),
            result => result,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::postgres::conninfo;

    fn split(url: &str, env: &[(&str, &str)]) -> Result<(String, Tls), String> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let (rest, found) = conninfo::take(url, &KEYS);
        let tls = Tls::from_settings_with(
            &found,
            |name| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()),
            None,
        )?;
        Ok((rest, tls))
    }

    #[test]
    fn url_parameters_are_taken_out_and_decoded() {
        let (rest, tls) = split(
            "postgresql://u:p@db:5432/x?sslmode=verify-full&application_name=a&sslrootcert=%2Ftmp%2Fca%20x.pem",
            &[],
        )
        .unwrap();
        assert_eq!(rest, "postgresql://u:p@db:5432/x?application_name=a");
        assert_eq!(tls.mode, SslMode::VerifyFull);
        assert_eq!(tls.root, Some(RootCert::File("/tmp/ca x.pem".into())));
        let (rest, _) = split("postgres://db/x?sslmode=require", &[]).unwrap();
        assert_eq!(rest, "postgres://db/x");
    }

    #[test]
    fn keywords_are_taken_out_with_libpq_quoting() {
        let (rest, tls) = split(
            "host=db sslmode = verify-ca password='a b\\'c' sslrootcert='/tmp/my ca.pem' dbname=x",
            &[],
        )
        .unwrap();
        assert_eq!(rest, "host=db password='a b\\'c' dbname=x");
        assert_eq!(tls.mode, SslMode::VerifyCa);
        assert_eq!(tls.root, Some(RootCert::File("/tmp/my ca.pem".into())));
    }

    #[test]
    fn the_string_wins_over_the_environment_and_prefer_is_the_default() {
        let env = [
            ("PGSSLMODE", "require"),
            ("PGSSLCERT", "/c"),
            ("PGSSLKEY", "/k"),
        ];
        let (_, tls) = split("postgresql://db/x", &env).unwrap();
        assert_eq!(tls.mode, SslMode::Require);
        assert_eq!(tls.client, Some(("/c".into(), "/k".into())));
        let (_, tls) = split("postgresql://db/x?sslmode=disable", &env).unwrap();
        assert_eq!(tls.mode, SslMode::Disable);
        let (_, tls) = split("host=db", &[]).unwrap();
        assert_eq!(tls.mode, SslMode::Prefer);
        let (_, tls) = split("host=db sslrootcert=system", &[]).unwrap();
        assert_eq!(tls.mode, SslMode::VerifyFull);
    }

    #[test]
    fn bad_settings_are_usage_errors() {
        for (url, expected) in [
            ("postgresql://db/x?sslmode=verify", "is not one of"),
            (
                "host=db sslrootcert=system sslmode=require",
                "needs sslmode=verify-full",
            ),
            ("host=db sslcert=/c", "needs both sslcert and sslkey"),
        ] {
            match split(url, &[]) {
                Err(message) => assert!(message.contains(expected), "{message}"),
                Ok(other) => panic!("{url}: {other:?}"),
            }
        }
        let (_, tls) = split("host=db sslmode=verify-full", &[]).unwrap();
        match tls.connector() {
            Err(Failure::Usage(message)) => assert!(message.contains("sslrootcert"), "{message}"),
            Err(other) => panic!("{other:?}"),
            Ok(_) => panic!("verify-full without roots must not connect"),
        }
    }
}
