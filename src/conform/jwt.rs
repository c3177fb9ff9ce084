//! Tokens the suite mints for itself: HS256 with the service's secret, the way the service's own
//! tests do, or ES256/RS256 with the keys of the suite's key set (`jwks.rs`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

/// A signed HS256 token for `claims`.
pub fn sign(secret: &[u8], claims: &Value) -> String {
    sign_with(&json!({ "alg": "HS256", "typ": "JWT" }), claims, |input| hmac_sha256(secret, input))
}

/// A token with `header` and `claims`, its signature computed over the JWS signing input by `signer`.
pub fn sign_with(header: &Value, claims: &Value, signer: impl FnOnce(&[u8]) -> Vec<u8>) -> String {
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let signature = URL_SAFE_NO_PAD.encode(signer(signing_input.as_bytes()));
    format!("{signing_input}.{signature}")
}

/// An unsigned token (`alg: none`), which a service must refuse.
pub fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(json!({ "alg": "none", "typ": "JWT" }).to_string());
    format!("{header}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
}

/// Claims for `subject` with `scopes`, valid for an hour from `now` (Unix seconds).
pub fn claims(issuer: &str, audience: &str, subject: &str, scopes: &[String], now: u64) -> Value {
    json!({ "iss": issuer, "aud": audience, "sub": subject, "scope": scopes.join(" "), "iat": now, "nbf": now, "exp": now + 3600 })
}

pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length, so this cannot fail.
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    #[test]
    fn tokens_have_three_parts_and_verify() {
        let token = sign(b"secret", &json!({ "sub": "a" }));
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let expected = URL_SAFE_NO_PAD.encode(hmac_sha256(b"secret", format!("{}.{}", parts[0], parts[1]).as_bytes()));
        assert_eq!(parts[2], expected);
        assert!(unsigned(&json!({})).ends_with('.'));
    }
}
