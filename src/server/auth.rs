//! Identity: agent passwords (argon2id) and the JWTs (HS256) that agents and visitors present.
//!
//! An agent token says which agent of which tenant is calling; a visitor token says which
//! session. Both carry the tenant, so every query can be scoped without another lookup.

use crate::server::config::JwtSecret;
use argon2::{
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The shortest password an agent may have.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Who a token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Visitor,
}

/// The claims of every Switchboard JWT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The agent's id, or the visitor's session id.
    pub sub: String,
    /// The tenant.
    pub tid: String,
    pub role: Role,
    pub iat: u64,
    pub exp: u64,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid")]
    Invalid,
}

/// Signs and checks tokens with the server's secret.
#[derive(Clone)]
pub struct TokenSigner {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    agent_ttl: Duration,
    visitor_ttl: Duration,
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl TokenSigner {
    pub fn new(secret: &JwtSecret, agent_ttl: Duration, visitor_ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is exact: the socket closes at `exp`, and REST agrees with it.
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
            agent_ttl,
            visitor_ttl,
        }
    }

    fn issue(&self, role: Role, sub: &str, tenant_id: &str, ttl: Duration) -> String {
        let iat = unix_now();
        let claims = Claims {
            sub: sub.to_string(),
            tid: tenant_id.to_string(),
            role,
            iat,
            exp: iat + ttl.as_secs().max(1),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    pub fn issue_agent(&self, agent_id: &str, tenant_id: &str) -> String {
        self.issue(Role::Agent, agent_id, tenant_id, self.agent_ttl)
    }

    pub fn issue_visitor(&self, session_id: &str, tenant_id: &str) -> String {
        self.issue(Role::Visitor, session_id, tenant_id, self.visitor_ttl)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })
    }
}

impl Claims {
    /// How long until the token expires (zero if it has).
    pub fn remaining(&self) -> Duration {
        Duration::from_secs(self.exp.saturating_sub(unix_now()))
    }
}

/// Hashes a password with argon2id and a random salt. Slow on purpose: call it off the async
/// runtime (`spawn_blocking`).
pub fn hash_password(password: &str) -> String {
    let salt_bytes: [u8; 16] = rand::random();
    let salt = SaltString::encode_b64(&salt_bytes).expect("16 bytes is a valid salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing with default parameters cannot fail")
        .to_string()
}

/// Checks a password against a stored hash. With no hash (unknown email) it still does the
/// work of one check, so that timing does not tell which emails exist.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let decoy = DECOY.get_or_init(|| hash_password("decoy password, never matches"));
    let hash = stored.unwrap_or(decoy);
    let Ok(parsed) = PasswordHash::new(hash) else {
        return false;
    };
    let matches = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && stored.is_some()
}

/// A random secret for visitors (session keys) and tenants (widget keys): `bytes` of entropy,
/// URL-safe.
pub fn random_key(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex::encode(raw)
}

/// The stored form of a session key: its SHA-256, so a copy of the database cannot be used to
/// read visitors' conversations.
pub fn key_hash(key: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(key.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(ttl: Duration) -> TokenSigner {
        let secret = JwtSecret::from_stored("k".repeat(32));
        TokenSigner::new(&secret, ttl, ttl)
    }

    #[test]
    fn tokens_round_trip_and_carry_role_and_tenant() {
        let tokens = signer(Duration::from_secs(60));
        let claims = tokens.verify(&tokens.issue_agent("a1", "t1")).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.tid.as_str(), claims.role),
            ("a1", "t1", Role::Agent)
        );
        let claims = tokens.verify(&tokens.issue_visitor("s1", "t1")).unwrap();
        assert_eq!(claims.role, Role::Visitor);
        assert!(claims.remaining() <= Duration::from_secs(60));
    }

    #[test]
    fn forged_and_expired_tokens_are_refused() {
        let tokens = signer(Duration::from_secs(60));
        let other = JwtSecret::from_stored("z".repeat(32));
        let forger = TokenSigner::new(&other, Duration::from_secs(60), Duration::from_secs(60));
        assert_eq!(
            tokens.verify(&forger.issue_agent("a1", "t1")),
            Err(TokenError::Invalid)
        );
        assert_eq!(tokens.verify("not.a.token"), Err(TokenError::Invalid));

        let expired = Claims {
            sub: "a1".into(),
            tid: "t1".into(),
            role: Role::Agent,
            iat: 1,
            exp: 2,
        };
        let token = encode(&Header::new(Algorithm::HS256), &expired, &tokens.encoding).unwrap();
        assert_eq!(tokens.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("Password123!");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("Password123!", Some(&hash)));
        assert!(!verify_password("password123!", Some(&hash)));
        assert!(!verify_password("Password123!", None));
    }

    #[test]
    fn keys_are_random_and_hashed() {
        let a = random_key(24);
        assert_eq!(a.len(), 48);
        assert_ne!(a, random_key(24));
        assert_eq!(key_hash(&a), key_hash(&a));
        assert_ne!(key_hash(&a), a);
    }
}
