//! What the messenger keeps in localStorage, per widget key (the slots of docs/protocol.md,
//! "The embed"): the visitor's conversation, so that a reload or another page of the shop
//! continues it, and the highest `seq` the visitor has seen, for the unread count.

use crate::client::storage;
use serde::{Deserialize, Serialize};

/// The visitor's conversation, as kept in localStorage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorSession {
    pub session_key: String,
    pub session_id: String,
}

/// The localStorage keys of one widget.
#[derive(Debug, Clone)]
pub struct Slots {
    session: String,
    seen: String,
}

impl Slots {
    pub fn new(widget_key: &str) -> Self {
        Self {
            session: format!("switchboard.{widget_key}.session"),
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
