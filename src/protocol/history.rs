//! The wire types of a visitor's conversations over time (docs/protocol.md, "History"): who the
//! visitor is across conversations (a visitor key, or a shop's verified customer), transcripts,
//! search, and what is stored about a visitor (export and erasure).

use super::{AgentRef, Message, Sender, Session, SessionStatus, Timestamp, Visitor};
use serde::{Deserialize, Serialize};

/// The longest user id a shop may pass for its signed-in customer.
pub const MAX_USER_ID_CHARS: usize = 200;

/// A shop's signed-in customer, as its page passes them to the widget (`data-user-*` on the
/// script tag, or `Switchboard.identify`). The server trusts it only when `userHash` is
/// HMAC-SHA256 of `userId` with the tenant's identity secret, in hex; otherwise the visitor is
/// anonymous.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorIdentity {
    pub user_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub user_hash: String,
}

/// Who a visitor-level call is about: the anonymous visitor's key (kept in localStorage
/// across conversations), the shop's verified customer, or both (identifying an anonymous
/// visitor brings their conversations along).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorCredentials {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<VisitorIdentity>,
}

/// `POST /api/v1/chat/public/visitor` and `…/public/conversations/{id}/open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorRequest {
    pub widget_key: String,
    #[serde(flatten)]
    pub credentials: VisitorCredentials,
}

/// A visitor's conversations, newest first, as the widget lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorConversations {
    /// The anonymous visitor's key to keep; `None` for a verified customer (their identity is
    /// their key) or when the key sent was not known (the widget forgets it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_key: Option<String>,
    /// The identity sent was verified.
    pub verified: bool,
    pub conversations: Vec<ConversationSummary>,
}

/// One of a visitor's conversations, as their widget lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationSummary {
    pub session_id: String,
    pub status: SessionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_agent: Option<AgentRef>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<Message>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl From<Session> for ConversationSummary {
    fn from(session: Session) -> Self {
        Self {
            session_id: session.id,
            status: session.status,
            assigned_agent: session.assigned_agent,
            last_message: session.last_message,
            created_at: session.created_at,
            updated_at: session.updated_at,
        }
    }
}

/// The formats of a transcript (`?format=`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TranscriptFormat {
    #[default]
    Txt,
    Json,
    Html,
}

/// A transcript as JSON: the conversation and every message its reader may see, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transcript {
    pub tenant_name: String,
    pub session: Session,
    pub messages: Vec<Message>,
    pub exported_at: Timestamp,
}

/// The longest search query, in characters, and how many hits a search returns at most and
/// unless asked.
pub const MAX_SEARCH_CHARS: usize = 200;
pub const MAX_SEARCH_HITS: u32 = 50;
pub const DEFAULT_SEARCH_HITS: u32 = 20;

/// `GET /api/v1/chat/search?q=…&limit=…`: the tenant's messages that match, best first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResults {
    pub query: String,
    pub hits: Vec<SearchHit>,
}

/// A message that matches a search, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub session_id: String,
    pub message_id: String,
    pub seq: u64,
    pub sender: Sender,
    pub created_at: Timestamp,
    /// The conversation's visitor and where it stands, for the result's heading.
    pub visitor: Visitor,
    pub status: SessionStatus,
    /// The words around the match, the matching ones marked: plain text, never HTML.
    pub snippet: Vec<SnippetPart>,
}

/// A piece of a snippet: text that matched the query (`hit`) or text around it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnippetPart {
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hit: bool,
}

/// `POST /api/v1/visitors/erase`, and the visitor `GET /api/v1/visitors/export?email=` is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorEmail {
    pub email: String,
}

/// What an erasure deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErasureReport {
    pub visitors: u64,
    pub conversations: u64,
    pub messages: u64,
    pub attachments: u64,
}

impl std::ops::AddAssign for ErasureReport {
    fn add_assign(&mut self, other: Self) {
        self.visitors += other.visitors;
        self.conversations += other.conversations;
        self.messages += other.messages;
        self.attachments += other.attachments;
    }
}

/// Everything stored about a visitor (`admin visitor export`, `GET /api/v1/visitors/export`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorExport {
    pub email: String,
    pub tenant_name: String,
    pub exported_at: Timestamp,
    /// The visitor records: one per browser, or one for a verified customer.
    pub visitors: Vec<VisitorRecord>,
    pub conversations: Vec<ExportedConversation>,
}

/// A visitor across their conversations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorRecord {
    pub id: String,
    /// The shop's id of a verified customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub created_at: Timestamp,
}

/// One conversation of an export: the session (with the visit), every message, and every file's
/// bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedConversation {
    pub session: Session,
    pub messages: Vec<Message>,
    pub files: Vec<ExportedFile>,
}

/// A file of an export, its bytes in base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportedFile {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub base64: String,
}
