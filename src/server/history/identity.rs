//! Identity verification: a shop vouches for its signed-in customer with the HMAC-SHA256 of
//! their user id, keyed with the tenant's identity secret (Intercom's scheme), computed on the
//! shop's server so that a visitor cannot make one for somebody else.

use crate::protocol::{Visitor, VisitorIdentity, MAX_USER_ID_CHARS};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A customer whose identity checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub user_id: String,
    /// Their name and email as the shop gave them (checked as a visitor's are).
    pub visitor: Visitor,
}

/// Why an identity cannot be used at all (a wrong hash is not this: it makes the visitor
/// anonymous).
pub type IdentityError = &'static str;

/// The customer `identity` names, when its hash is right for `secret`; `Ok(None)` when it is
/// not (or the tenant has no secret): the visitor is then anonymous, never someone else.
pub fn verify(
    secret: Option<&str>,
    identity: &VisitorIdentity,
) -> Result<Option<Verified>, IdentityError> {
    let user_id = identity.user_id.trim();
    if user_id.is_empty()
        || user_id.chars().count() > MAX_USER_ID_CHARS
        || user_id.chars().any(char::is_control)
    {
        return Err(
            "the identity's userId must be 1 to 200 characters, without control characters",
        );
    }
    let visitor = Visitor {
        name: identity.name.clone(),
        email: identity.email.clone(),
    }
    .checked()?;
    let Some(secret) = secret else {
        return Ok(None);
    };
    let signed = hex::decode(identity.user_hash.trim())
        .ok()
        .is_some_and(|hash| signature(secret, user_id).verify_slice(&hash).is_ok());
    Ok(signed.then(|| Verified {
        user_id: user_id.to_string(),
        visitor,
    }))
}

/// What a shop's server computes: HMAC-SHA256 of the user id, in hex.
pub fn user_hash(secret: &str, user_id: &str) -> String {
    hex::encode(signature(secret, user_id).finalize().into_bytes())
}

fn signature(secret: &str, user_id: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(user_id.as_bytes());
    mac
}

/// A new identity secret: 32 random bytes in hex.
pub fn new_secret() -> String {
    crate::server::auth::random_key(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(user_id: &str, hash: &str) -> VisitorIdentity {
        VisitorIdentity {
            user_id: user_id.into(),
            name: Some("Dana".into()),
            email: Some("dana@example.com".into()),
            user_hash: hash.into(),
        }
    }

    #[test]
    fn the_right_hash_verifies_and_any_other_does_not() {
        let hash = user_hash("s3cret", "cust-42");
        let verified = verify(Some("s3cret"), &identity("cust-42", &hash)).unwrap();
        assert_eq!(verified.map(|v| v.user_id), Some("cust-42".into()));
        // Another user's hash, another secret's, a bad hex, no secret at all: anonymous.
        let other = user_hash("s3cret", "cust-43");
        assert_eq!(
            verify(Some("s3cret"), &identity("cust-42", &other)),
            Ok(None)
        );
        assert_eq!(verify(Some("other"), &identity("cust-42", &hash)), Ok(None));
        assert_eq!(verify(Some("s3cret"), &identity("cust-42", "zz")), Ok(None));
        assert_eq!(verify(None, &identity("cust-42", &hash)), Ok(None));
    }

    #[test]
    fn a_known_hash_matches_what_a_shop_computes() {
        // `printf cust-42 | openssl dgst -sha256 -hmac s3cret`
        assert_eq!(
            user_hash("s3cret", "cust-42"),
            "518b15e0bced4188b8b3dd65775ef5dbefb0f9c4d51fe50a80241e24cba1ec7d"
        );
    }

    #[test]
    fn an_unusable_identity_is_refused() {
        assert!(verify(Some("s"), &identity(" ", "00")).is_err());
        assert!(verify(Some("s"), &identity(&"x".repeat(201), "00")).is_err());
        let mut bad_email = identity("cust-42", "00");
        bad_email.email = Some("not an address".into());
        assert!(verify(Some("s"), &bad_email).is_err());
    }
}
