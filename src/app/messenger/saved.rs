//! What the messenger keeps in localStorage, per widget key (the slots of docs/protocol.md,
//! "The embed"): the visitor's conversation, so that a reload or another page of the shop
//! continues it, the anonymous visitor's key, which ties their conversations together, and the
//! highest `seq` the visitor has seen, for the unread count.

use crate::client::storage;
use serde::{Deserialize, Serialize};

/// The visitor's conversation, as kept in localStorage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorSession {
    pub session_key: String,
    pub session_id: String,
    /// The shop's verified customer it belongs to (`None`: an anonymous visitor's). When the
    /// page says someone else is signed in, or nobody, the messenger forgets it: a visitor is
    /// never shown another customer's conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
}

impl VisitorSession {
    /// Whether this conversation may be shown to the page's visitor now (`user_id`: the
    /// customer the page says is signed in, `None` when nobody is).
    pub fn shown_to(&self, user_id: Option<&str>) -> bool {
        match &self.user_id {
            // An anonymous visitor's conversation stays theirs when they sign in.
            None => true,
            Some(owner) => user_id == Some(owner.as_str()),
        }
    }
}

/// The localStorage keys of one widget.
#[derive(Debug, Clone)]
pub struct Slots {
    session: String,
    visitor: String,
    seen: String,
}

impl Slots {
    pub fn new(widget_key: &str) -> Self {
        Self {
            session: format!("switchboard.{widget_key}.session"),
            visitor: format!("switchboard.{widget_key}.visitor"),
            seen: format!("switchboard.{widget_key}.seen"),
        }
    }

    pub fn session(&self) -> Option<VisitorSession> {
        storage::get(&self.session).and_then(|raw| serde_json::from_str(&raw).ok())
    }

    pub fn save_session(&self, visitor: &VisitorSession) {
        if let Ok(json) = serde_json::to_string(visitor) {
            storage::set(&self.session, &json);
        }
    }

    /// The conversation is gone: the next message starts a new one.
    pub fn forget_session(&self) {
        storage::remove(&self.session);
    }

    /// The anonymous visitor's key: what their next conversation and their list of earlier
    /// ones are asked with.
    pub fn visitor_key(&self) -> Option<String> {
        storage::get(&self.visitor).filter(|key| !key.is_empty())
    }

    /// Keeps the key the server handed back, or forgets the one it no longer knows (or that a
    /// verified customer does not need).
    pub fn keep_visitor_key(&self, key: Option<&str>) {
        match key {
            Some(key) => storage::set(&self.visitor, key),
            None => self.forget_visitor_key(),
        }
    }

    pub fn forget_visitor_key(&self) {
        storage::remove(&self.visitor);
    }

    /// The highest `seq` the visitor has seen; 0 before the first visit.
    pub fn seen(&self) -> u64 {
        storage::get(&self.seen)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    }

    pub fn save_seen(&self, seq: u64) {
        storage::set(&self.seen, &seq.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::VisitorSession;

    fn session(user_id: Option<&str>) -> VisitorSession {
        VisitorSession {
            session_key: "k".into(),
            session_id: "s".into(),
            user_id: user_id.map(Into::into),
        }
    }

    #[test]
    fn a_customers_conversation_is_shown_to_them_only() {
        assert!(session(Some("cust-42")).shown_to(Some("cust-42")));
        assert!(!session(Some("cust-42")).shown_to(Some("cust-7")));
        assert!(!session(Some("cust-42")).shown_to(None));
        assert!(session(None).shown_to(None));
        assert!(session(None).shown_to(Some("cust-42")));
    }

    #[test]
    fn a_session_saved_before_customers_reads_as_anonymous() {
        let saved: VisitorSession =
            serde_json::from_str(r#"{"sessionKey": "k", "sessionId": "s"}"#).unwrap();
        assert_eq!(saved, session(None));
    }
}
