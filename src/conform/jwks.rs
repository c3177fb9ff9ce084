//! The suite's own key set, for services that verify tokens with `AUTH_JWKS_URL`: an ES256 and an
//! RS256 key, served as a JWKS document by a small HTTP server on a loopback address, which counts
//! the fetches (a service must cache the set) and can take a new key mid-run (a rotation, which a
//! service must pick up when it sees the unknown `kid`).

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use p256::elliptic_curve::Generate as _;
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};

use super::jwt;
use super::receiver::{read_request, serve_loopback};

/// A signing key and the `kid` it is published under.
#[derive(Clone)]
pub struct Key {
    pub kid: String,
    signer: Signer,
}

#[derive(Clone)]
enum Signer {
    Es256(p256::ecdsa::SigningKey),
    Rs256(Box<rsa::pkcs1v15::SigningKey<sha2::Sha256>>),
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Key").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl Key {
    /// A fresh P-256 key.
    pub fn es256(kid: &str) -> Result<Self, String> {
        let key = p256::ecdsa::SigningKey::try_generate().map_err(|e| format!("cannot generate a P-256 key: {e}"))?;
        Ok(Self { kid: kid.to_owned(), signer: Signer::Es256(key) })
    }

    /// A fresh 2048-bit RSA key.
    pub fn rs256(kid: &str) -> Result<Self, String> {
        let key = rsa::pkcs1v15::SigningKey::<sha2::Sha256>::try_generate().map_err(|e| format!("cannot generate an RSA key: {e}"))?;
        Ok(Self { kid: kid.to_owned(), signer: Signer::Rs256(Box::new(key)) })
    }

    pub fn alg(&self) -> &'static str {
        match self.signer {
            Signer::Es256(_) => "ES256",
            Signer::Rs256(_) => "RS256",
        }
    }

    /// A token for `claims`, signed with this key and naming it in `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_as(&self.kid, claims)
    }

    /// A token signed with this key that names another `kid`: a forged signature for that key.
    pub fn sign_as(&self, kid: &str, claims: &Value) -> String {
        let header = json!({ "alg": self.alg(), "typ": "JWT", "kid": kid });
        jwt::sign_with(&header, claims, |input| match &self.signer {
            // The JWS form of an ECDSA signature is r || s, 64 bytes, which is what `to_bytes` gives.
            Signer::Es256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(input);
                signature.to_bytes().to_vec()
            }
            Signer::Rs256(key) => rsa::signature::SignatureEncoding::to_vec(&key.sign(input)),
        })
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Value {
        match &self.signer {
            Signer::Es256(key) => {
                let point = key.verifying_key().to_sec1_point(false);
                // Uncompressed SEC1: 0x04, then x and y, 32 bytes each.
                let bytes = point.as_bytes();
                json!({ "kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": self.kid,
                        "x": URL_SAFE_NO_PAD.encode(&bytes[1..33]), "y": URL_SAFE_NO_PAD.encode(&bytes[33..65]) })
            }
            Signer::Rs256(key) => {
                let public = public_rsa(key);
                json!({ "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                        "n": URL_SAFE_NO_PAD.encode(unsigned_bytes(&public.n().to_be_bytes())),
                        "e": URL_SAFE_NO_PAD.encode(unsigned_bytes(&public.e().to_be_bytes())) })
            }
        }
    }

    /// The public key in PEM (SubjectPublicKeyInfo), RSA only: the text an algorithm-confusion
    /// attack uses as an HS256 secret.
    pub fn public_pem(&self) -> Option<String> {
        use rsa::pkcs8::EncodePublicKey as _;
        match &self.signer {
            Signer::Rs256(key) => public_rsa(key).to_public_key_pem(rsa::pkcs8::LineEnding::LF).ok(),
            Signer::Es256(_) => None,
        }
    }
}

fn public_rsa(key: &rsa::pkcs1v15::SigningKey<sha2::Sha256>) -> rsa::PublicKey {
    let private: &rsa::PrivateKey = key.as_ref();
    private.to_public_key()
}

/// A big-endian integer without its leading zero bytes, as JWK members carry it.
fn unsigned_bytes(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len().saturating_sub(1));
    &bytes[start..]
}

#[derive(Debug, Default)]
struct Served {
    keys: Mutex<Vec<Value>>,
    fetches: AtomicUsize,
}

/// The key set and the server publishing it. Its thread serves until the process ends.
#[derive(Debug, Clone)]
pub struct KeySet {
    pub es256: Key,
    pub rs256: Key,
    served: Arc<Served>,
    pub addr: SocketAddr,
}

impl KeySet {
    /// Generates the two keys and serves them on `addr`, which must be a loopback address, at any path.
    pub fn start(addr: SocketAddr) -> Result<Self, String> {
        let (es256, rs256) = (Key::es256("conform-es256-1")?, Key::rs256("conform-rs256-1")?);
        let served = Arc::new(Served { keys: Mutex::new(vec![es256.jwk(), rs256.jwk()]), fetches: AtomicUsize::new(0) });
        let shared = Arc::clone(&served);
        let addr = serve_loopback(addr, "the key set", move |stream| serve(stream, &shared))?;
        Ok(Self { es256, rs256, served, addr })
    }

    /// Publishes another key beside the others.
    pub fn publish(&self, key: &Key) {
        self.served.keys.lock().unwrap_or_else(PoisonError::into_inner).push(key.jwk());
    }

    /// How many times the set was fetched so far.
    pub fn fetches(&self) -> usize {
        self.served.fetches.load(Ordering::SeqCst)
    }
}

fn serve(stream: TcpStream, served: &Served) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let Ok(mut writer) = stream.try_clone() else { return };
    let mut reader = BufReader::new(stream);
    while read_request(&mut reader).is_some() {
        served.fetches.fetch_add(1, Ordering::SeqCst);
        let body = json!({ "keys": *served.keys.lock().unwrap_or_else(PoisonError::into_inner) }).to_string();
        let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len());
        if writer.write_all(head.as_bytes()).and_then(|()| writer.write_all(body.as_bytes())).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use p256::ecdsa::signature::Verifier as _;

    use super::*;
    use crate::conform::http::Client;

    fn parts(token: &str) -> (Value, Vec<u8>, Vec<u8>) {
        let parts: Vec<&str> = token.split('.').collect();
        let header = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        (header, format!("{}.{}", parts[0], parts[1]).into_bytes(), URL_SAFE_NO_PAD.decode(parts[2]).unwrap())
    }

    #[test]
    fn es256_tokens_verify_against_the_published_point() {
        let key = Key::es256("k1").unwrap();
        let (header, input, signature) = parts(&key.sign(&json!({ "sub": "a" })));
        assert_eq!(header, json!({ "alg": "ES256", "typ": "JWT", "kid": "k1" }));
        let jwk = key.jwk();
        let mut sec1 = vec![4];
        sec1.extend(URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap());
        sec1.extend(URL_SAFE_NO_PAD.decode(jwk["y"].as_str().unwrap()).unwrap());
        let verifying = p256::ecdsa::VerifyingKey::from_sec1_bytes(&sec1).unwrap();
        let signature = p256::ecdsa::Signature::from_slice(&signature).unwrap();
        assert!(verifying.verify(&input, &signature).is_ok());
        assert!(verifying.verify(b"something else", &signature).is_err());
        assert_eq!(key.public_pem(), None);
    }

    #[test]
    fn the_server_publishes_added_keys_and_counts_fetches() {
        let set = KeySet::start("127.0.0.1:0".parse().unwrap()).unwrap();
        let client = Client::new(&format!("http://{}", set.addr), None);
        let first = client.get("/jwks.json").send().unwrap().json().unwrap();
        let kids: Vec<&str> = first["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert_eq!(kids, ["conform-es256-1", "conform-rs256-1"]);
        assert_eq!(first["keys"][1]["e"], "AQAB", "exponent 65537 without leading zeros");
        assert!(set.rs256.public_pem().unwrap().starts_with("-----BEGIN PUBLIC KEY-----"));
        set.publish(&Key::es256("conform-es256-2").unwrap());
        let second = client.get("/jwks.json").send().unwrap().json().unwrap();
        assert_eq!(second["keys"].as_array().unwrap().len(), 3);
        assert_eq!(set.fetches(), 2);
        assert!(KeySet::start("192.0.2.1:0".parse().unwrap()).is_err(), "only loopback addresses");
    }
}
