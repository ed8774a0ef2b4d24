//! Identity: agent passwords (argon2id) and the JWTs (HS256) that agents and visitors present.
//!
//! An agent token says which agent of which tenant is calling; a visitor token says which
//! session. Both carry the tenant, so every query can be scoped without another lookup.

use crate::server::config::JwtSecret;
use argon2::{
    password_hash::{self, PasswordHash, PasswordHasher, SaltString},
    Argon2, Block,
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
    /// This token's own id, for signing it out alone.
    #[serde(default)]
    pub jti: String,
    /// The agent's token version when it was issued: a password reset or a disable raises the
    /// stored one, and older tokens are refused.
    #[serde(default)]
    pub ver: u64,
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

pub fn unix_now() -> u64 {
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

    fn issue(&self, role: Role, sub: &str, tenant_id: &str, ttl: Duration, ver: u64) -> String {
        let iat = unix_now();
        let claims = Claims {
            sub: sub.to_string(),
            tid: tenant_id.to_string(),
            role,
            iat,
            exp: iat + ttl.as_secs().max(1),
            jti: random_key(16),
            ver,
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// A sign-in of an agent whose stored token version is `ver`.
    pub fn issue_agent(&self, agent_id: &str, tenant_id: &str, ver: u64) -> String {
        self.issue(Role::Agent, agent_id, tenant_id, self.agent_ttl, ver)
    }

    pub fn issue_visitor(&self, session_id: &str, tenant_id: &str) -> String {
        self.issue(Role::Visitor, session_id, tenant_id, self.visitor_ttl, 0)
    }

    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?;
        // jsonwebtoken still accepts a token during its `exp` second; the socket closes at the
        // start of it, and REST agrees.
        if claims.exp <= unix_now() {
            return Err(TokenError::Expired);
        }
        Ok(claims)
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
    verify_password_in(&mut Vec::new(), password, stored)
}

/// [`verify_password`], computing in `memory`, which is grown to the hash's size once and then
/// reused: a checker thread keeps one, so the 19 MiB of each check never go back to the
/// allocator, which would keep them anyway and ask for more.
fn verify_password_in(memory: &mut Vec<Block>, password: &str, stored: Option<&str>) -> bool {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let decoy = DECOY.get_or_init(|| hash_password("decoy password, never matches"));
    let hash = stored.unwrap_or(decoy);
    let matches = argon2_matches(memory, password, hash).unwrap_or(false);
    matches && stored.is_some()
}

/// Whether `password` hashes to `hash` (a PHC string: algorithm, version, parameters, salt);
/// `None` for a hash that cannot be read. The comparison takes constant time.
fn argon2_matches(memory: &mut Vec<Block>, password: &str, hash: &str) -> Option<bool> {
    let parsed = PasswordHash::new(hash).ok()?;
    let algorithm = argon2::Algorithm::try_from(parsed.algorithm).ok()?;
    let version = match parsed.version {
        Some(v) => argon2::Version::try_from(v).ok()?,
        None => argon2::Version::default(),
    };
    let params = argon2::Params::try_from(&parsed).ok()?;
    let expected = parsed.hash?;
    let mut salt = [0u8; 64];
    let salt = parsed.salt?.decode_b64(&mut salt).ok()?;
    memory.resize(params.block_count(), Block::default());
    let mut out = vec![0u8; expected.len()];
    Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password.as_bytes(), salt, &mut out, &mut memory[..])
        .ok()?;
    Some(password_hash::Output::new(&out).ok()? == expected)
}

/// Password checks, a few at a time, each on one of a few long-lived threads of their own.
///
/// argon2 takes 19 MiB a check on purpose. The threads are few and always the same, so the
/// memory the allocator keeps for each is reused by its next check rather than multiplied by
/// every short-lived thread of a blocking pool (measured: 500 wrong sign-ins at once peaked at
/// 825 MB with `spawn_blocking` behind a semaphore of 2, and 417 MB on two threads of their own
/// while argon2 allocated afresh for every check: glibc raises its mmap threshold after the first
/// free and keeps the freed blocks).
/// Checks beyond the threads wait in the queue, in order.
#[derive(Clone)]
pub struct PasswordChecks {
    queue: tokio::sync::mpsc::Sender<PasswordCheck>,
}

struct PasswordCheck {
    password: String,
    stored: Option<String>,
    answer: tokio::sync::oneshot::Sender<bool>,
}

impl PasswordChecks {
    /// Starts `threads` checker threads (at least one).
    pub fn start(threads: usize) -> Self {
        let (queue, checks) = tokio::sync::mpsc::channel::<PasswordCheck>(1024);
        let checks = std::sync::Arc::new(std::sync::Mutex::new(checks));
        for n in 0..threads.max(1) {
            let checks = checks.clone();
            std::thread::Builder::new()
                .name(format!("password-check-{n}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        let next = checks.lock().expect("password checks lock").blocking_recv();
                        let Some(check) = next else { return };
                        let matches = verify_password_in(
                            &mut memory,
                            &check.password,
                            check.stored.as_deref(),
                        );
                        let _ = check.answer.send(matches);
                    }
                })
                .expect("start a password-check thread");
        }
        Self { queue }
    }

    /// Whether `password` matches `stored` (with no hash, the work of one check and false).
    pub async fn verify(&self, password: String, stored: Option<String>) -> bool {
        let (answer, matches) = tokio::sync::oneshot::channel();
        let check = PasswordCheck {
            password,
            stored,
            answer,
        };
        if self.queue.send(check).await.is_err() {
            return false;
        }
        matches.await.unwrap_or(false)
    }
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
        let claims = tokens.verify(&tokens.issue_agent("a1", "t1", 0)).unwrap();
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
            tokens.verify(&forger.issue_agent("a1", "t1", 0)),
            Err(TokenError::Invalid)
        );
        assert_eq!(tokens.verify("not.a.token"), Err(TokenError::Invalid));

        let expired = Claims {
            sub: "a1".into(),
            tid: "t1".into(),
            role: Role::Agent,
            iat: 1,
            exp: 2,
            jti: "j1".into(),
            ver: 0,
        };
        let token = encode(&Header::new(Algorithm::HS256), &expired, &tokens.encoding).unwrap();
        assert_eq!(tokens.verify(&token), Err(TokenError::Expired));
        // Expired from the first moment of its `exp` second, with no leeway.
        let now = unix_now();
        let at_exp = Claims {
            iat: now - 10,
            exp: now,
            ..expired
        };
        let token = encode(&Header::new(Algorithm::HS256), &at_exp, &tokens.encoding).unwrap();
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
