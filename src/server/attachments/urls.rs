//! Short-lived signed addresses for attachments: `/api/v1/attachments/{id}?exp=…&sig=…`.
//!
//! An `<img>` cannot send a bearer token, so the address itself is the permission: the hub
//! mints one only for whoever may read the conversation (its visitor, its tenant's agents),
//! and any node can check it, because the key comes from the secret every node shares.
//! Addresses are minted for a window of time (`exp` rounded up), so the same file keeps the
//! same address for a while and the browser's cache serves it again.

use crate::protocol::{Message, Session};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

type HmacSha256 = Hmac<Sha256>;

#[derive(Clone)]
pub struct UrlSigner {
    key: Vec<u8>,
    /// Seconds an address is good for at least; at most twice that.
    lifetime: u64,
}

impl std::fmt::Debug for UrlSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UrlSigner")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

/// Seconds since the Unix epoch, now.
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

impl UrlSigner {
    /// A signer whose key is derived from `secret` (the JWT secret), so that it signs nothing
    /// a token check would accept, and the other way round.
    pub fn new(secret: &[u8], lifetime: Duration) -> Self {
        let mut derive = HmacSha256::new_from_slice(secret).expect("HMAC takes any key");
        derive.update(b"switchboard attachment urls v1");
        Self {
            key: derive.finalize().into_bytes().to_vec(),
            lifetime: lifetime.as_secs().max(1),
        }
    }

    fn mac(&self, id: &str, exp: u64) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.key).expect("HMAC takes any key");
        mac.update(id.as_bytes());
        mac.update(b".");
        mac.update(exp.to_string().as_bytes());
        mac
    }

    /// When an address minted at `now` expires: the end of the next window.
    fn expiry(&self, now: u64) -> u64 {
        (now / self.lifetime + 2) * self.lifetime
    }

    /// The file's address, good from `now` for at least the lifetime.
    pub fn url_at(&self, id: &str, now: u64) -> String {
        let exp = self.expiry(now);
        let sig = hex::encode(self.mac(id, exp).finalize().into_bytes());
        format!("/api/v1/attachments/{id}?exp={exp}&sig={sig}")
    }

    /// Whether `exp` and `sig` are this server's, for this file, and not yet expired at `now`.
    pub fn verify_at(&self, id: &str, exp: u64, sig: &str, now: u64) -> bool {
        let Ok(sig) = hex::decode(sig) else {
            return false;
        };
        now < exp && self.mac(id, exp).verify_slice(&sig).is_ok()
    }

    /// Fills in the address of each of the message's files.
    pub fn sign_message(&self, message: &mut Message) {
        let now = unix_now();
        for attachment in &mut message.attachments {
            attachment.url = self.url_at(&attachment.id, now);
        }
    }

    pub fn sign_messages(&self, messages: &mut [Message]) {
        messages.iter_mut().for_each(|m| self.sign_message(m));
    }

    /// Fills in the addresses of the files of the session's last message.
    pub fn sign_session(&self, session: &mut Session) {
        if let Some(message) = &mut session.last_message {
            self.sign_message(message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> UrlSigner {
        UrlSigner::new(
            b"a secret of thirty-two bytes....",
            Duration::from_secs(600),
        )
    }

    fn parts(url: &str) -> (String, u64, String) {
        let (path, query) = url.split_once('?').unwrap();
        let id = path.rsplit('/').next().unwrap().to_string();
        let (exp, sig) = query.split_once('&').unwrap();
        (
            id,
            exp.trim_start_matches("exp=").parse().unwrap(),
            sig.trim_start_matches("sig=").to_string(),
        )
    }

    #[test]
    fn an_address_is_good_for_its_file_until_it_expires() {
        let s = signer();
        let (id, exp, sig) = parts(&s.url_at("f1", 1_000));
        assert_eq!(id, "f1");
        assert!(s.verify_at("f1", exp, &sig, 1_000));
        assert!(
            s.verify_at("f1", exp, &sig, 1_000 + 600),
            "good for the lifetime"
        );
        assert!(!s.verify_at("f1", exp, &sig, exp), "expired");
        assert!(exp - 1_000 <= 2 * 600);
    }

    #[test]
    fn a_tampered_address_is_refused() {
        let s = signer();
        let (_, exp, sig) = parts(&s.url_at("f1", 1_000));
        assert!(!s.verify_at("f2", exp, &sig, 1_000), "another file");
        assert!(!s.verify_at("f1", exp + 600, &sig, 1_000), "a later expiry");
        assert!(!s.verify_at("f1", exp, "00", 1_000));
        assert!(!s.verify_at("f1", exp, "not hex", 1_000));
        let other = UrlSigner::new(b"another secret", Duration::from_secs(600));
        assert!(!other.verify_at("f1", exp, &sig, 1_000), "another server's");
    }

    #[test]
    fn addresses_stay_the_same_within_a_window() {
        let s = signer();
        assert_eq!(s.url_at("f1", 1_200), s.url_at("f1", 1_799));
        assert_ne!(s.url_at("f1", 1_799), s.url_at("f1", 1_800));
    }
}
