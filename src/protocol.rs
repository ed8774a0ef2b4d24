//! The wire types of Switchboard: every JSON body and WebSocket frame that crosses between a browser
//! (or a third-party client) and the server, exactly as `docs/protocol.md` documents them.
//!
//! This module compiles for both targets (the server and the WASM client) and depends on nothing
//! but serde, so the two ends can never disagree about a field name. JSON is camelCase, except for
//! the original JSON echo, which keeps that seed's `original_message`.
//!
//! Timestamps travel as RFC 3339 UTC strings ([`Timestamp`]); the server creates them, the client
//! only shows them.

mod history;

pub use crate::appearance::LauncherSide;
pub use history::*;
use serde::{Deserialize, Serialize};

/// The longest message content, in characters (Unicode scalar values), that is stored.
pub const MAX_CONTENT_CHARS: usize = 10_000;
/// The longest `clientMessageId`, in characters.
pub const MAX_CLIENT_MESSAGE_ID_CHARS: usize = 64;

/// An RFC 3339 UTC instant, as sent on the wire (`2026-11-23T19:57:31.123Z`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timestamp(pub String);

impl Timestamp {
    /// The current instant, formatted with millisecond precision.
    #[cfg(feature = "ssr")]
    pub fn now() -> Self {
        Self(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
    }
}

impl std::fmt::Display for Timestamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a piece of user-written content was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentError {
    Empty,
    TooLong,
}

impl std::fmt::Display for ContentError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Empty => f.write_str("content must not be empty"),
            Self::TooLong => write!(f, "content is longer than {MAX_CONTENT_CHARS} characters"),
        }
    }
}

/// True for a character that shows nothing: white space, and the zero-width and direction
/// marks (Unicode's format characters that text can be made of alone, and Hangul fillers).
pub fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
        )
}

/// Message content that has been checked: 1 to [`MAX_CONTENT_CHARS`] characters, not only
/// white space or other invisible characters. Parsing at the edge means nothing past it needs
/// to check again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageContent(String);

impl MessageContent {
    pub fn parse(raw: impl Into<String>) -> Result<Self, ContentError> {
        let raw = raw.into();
        if raw.chars().all(is_invisible) {
            return Err(ContentError::Empty);
        }
        if raw.chars().count() > MAX_CONTENT_CHARS {
            return Err(ContentError::TooLong);
        }
        Ok(Self(raw))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

// ---------------------------------------------------------------------------------------------
// Domain objects as they appear on the wire.
// ---------------------------------------------------------------------------------------------

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SenderKind {
    Customer,
    Ai,
    Agent,
    System,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sender {
    pub kind: SenderKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl Sender {
    /// The visitor, by the name they gave, if any.
    pub fn visitor(name: Option<String>) -> Self {
        Self {
            kind: SenderKind::Customer,
            id: None,
            name,
        }
    }

    pub fn agent(id: &str, name: &str) -> Self {
        Self {
            kind: SenderKind::Agent,
            id: Some(id.to_string()),
            name: Some(name.to_string()),
        }
    }

    /// The AI assistant, as the thread names it.
    pub fn ai() -> Self {
        Self {
            kind: SenderKind::Ai,
            id: None,
            name: Some("Assistant".into()),
        }
    }

    /// The system's own lines ("Alice joined the conversation").
    pub fn system() -> Self {
        Self {
            kind: SenderKind::System,
            id: None,
            name: None,
        }
    }
}

/// A stored message. `seq` starts at 1 in each session and has no gaps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    pub id: String,
    pub session_id: String,
    pub seq: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
    pub sender: Sender,
    pub content: String,
    pub created_at: Timestamp,
    /// The AI offered to bring in a person: a "yes" to this message asks for one, and the
    /// widget may offer a button.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub offers_human: bool,
    /// The help-center article the AI's answer came from, for the visitor to read in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ArticleLink>,
    /// Files sent with the message (its `content` may then be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// The most files one message carries.
pub const MAX_ATTACHMENTS_PER_MESSAGE: usize = 10;

/// An uploaded file, as a message carries it: enough to lay it out before it loads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    pub id: String,
    /// The file's name as uploaded (without any folder), for people to read.
    pub name: String,
    /// The type read from the file's bytes, never from its name.
    pub content_type: String,
    /// Bytes.
    pub size: u64,
    /// A short-lived signed address of the file (an `<img>` cannot send a token); empty
    /// where it is not given out (a stored message before it is sent to someone).
    #[serde(default)]
    pub url: String,
    /// An image's size in pixels, so that the thread keeps its place while it loads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

impl Attachment {
    /// One of the image types shown inline (PNG, JPEG, GIF, WebP).
    pub fn is_image(&self) -> bool {
        INLINE_IMAGE_TYPES.contains(&self.content_type.as_str())
    }
}

/// The image types shown in the thread and served inline; every other file downloads.
pub const INLINE_IMAGE_TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/gif", "image/webp"];

/// What a composer may upload: the types its tenant accepts (none: uploads are off) and the
/// largest file, so that the browser refuses a file before sending it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AttachmentPolicy {
    /// MIME types, as sniffed from the bytes.
    #[serde(default)]
    pub accepted: Vec<String>,
    #[serde(default)]
    pub max_bytes: u64,
}

impl AttachmentPolicy {
    pub fn enabled(&self) -> bool {
        !self.accepted.is_empty() && self.max_bytes > 0
    }
}

/// A help-center article, as a message links to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleLink {
    pub title: String,
    /// The article's page on this server: `/help/{widgetKey}/{slug}`.
    pub url: String,
}

/// Where a conversation stands: the AI answers (`bot`), the visitor waits for a human
/// (`pending`), an agent holds it (`active`), or it is over (`closed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionStatus {
    Bot,
    Pending,
    Active,
    Closed,
}

/// An agent as others see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentRef {
    pub id: String,
    pub name: String,
}

/// What a visitor chose to tell about themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Visitor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

/// The longest visitor name and email address accepted.
pub const MAX_VISITOR_NAME_CHARS: usize = 100;
pub const MAX_EMAIL_CHARS: usize = 254;

impl Visitor {
    /// The visitor as given, trimmed (blank means not given), or why it cannot be used: a name
    /// over [`MAX_VISITOR_NAME_CHARS`] or with control characters, an email address that is
    /// too long or not one.
    pub fn checked(self) -> Result<Self, &'static str> {
        let given = |value: Option<String>| {
            value
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let (name, email) = (given(self.name), given(self.email));
        let bad_name = |n: &String| {
            n.chars().count() > MAX_VISITOR_NAME_CHARS || n.chars().any(char::is_control)
        };
        if name.as_ref().is_some_and(bad_name) {
            return Err(
                "the visitor's name must be at most 100 characters, without control characters",
            );
        }
        if email.as_ref().is_some_and(|e| !is_email(e)) {
            return Err("the visitor's email must be an address such as dana@example.com, at most 254 characters");
        }
        Ok(Self { name, email })
    }
}

/// A plausible email address: one `@` between a local part and a domain with a dot, at most
/// [`MAX_EMAIL_CHARS`], nothing invisible or blank in it.
pub fn is_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    address.chars().count() <= MAX_EMAIL_CHARS
        && !local.is_empty()
        && local.len() <= 64
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !address.chars().any(|c| is_invisible(c) || c.is_control())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    pub id: String,
    pub status: SessionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_agent: Option<AgentRef>,
    pub visitor: Visitor,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message: Option<Message>,
    pub unread_count: u64,
    /// The last `seq` the visitor has seen (`0`: none): the dashboard's "Seen".
    #[serde(default)]
    pub visitor_read_seq: u64,
    /// The furthest `seq` any agent has read (`0`: none): the widget's "Seen".
    #[serde(default)]
    pub team_read_seq: u64,
    /// Where the visitor is and what with, as their widget last reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visit: Option<Visit>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Started from the diagnostics page to try the chat: its events reach its visitor only,
    /// and no inbox lists it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
    /// The visitor across their conversations (`GET /api/v1/visitors/{id}/conversations`);
    /// `None` for a conversation from before visitors were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_id: Option<String>,
    /// The shop vouched for who the visitor is (identity verification): their id in the shop.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified_user_id: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// WebSocket frames, server → client.
// ---------------------------------------------------------------------------------------------

/// Every frame the server sends on `/ws` and `/ws/public/:sessionKey`: an event and the instant it
/// was sent, flattened into one object (`{"type": "pong", "timestamp": "…"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerFrame {
    #[serde(flatten)]
    pub event: ServerEvent,
    pub timestamp: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum ServerEvent {
    /// The first frame on every socket.
    #[serde(rename = "connection")]
    Connection { message: String },
    #[serde(rename = "chat.session.started")]
    SessionStarted { session: Session },
    #[serde(rename = "chat.message.new")]
    MessageNew { message: Message },
    #[serde(rename = "stream-start")]
    StreamStart {
        message_id: String,
        session_id: String,
    },
    #[serde(rename = "stream-token")]
    StreamToken {
        message_id: String,
        session_id: String,
        token: String,
    },
    #[serde(rename = "stream-end")]
    StreamEnd {
        message_id: String,
        session_id: String,
    },
    #[serde(rename = "chat.session.assigned")]
    SessionAssigned { session_id: String, agent: AgentRef },
    #[serde(rename = "chat.agent.joined")]
    AgentJoined { session_id: String, agent: AgentRef },
    #[serde(rename = "chat.session.updated")]
    SessionUpdated { session: Session },
    /// A colleague came, went, went idle or changed their availability (agents only).
    #[serde(rename = "agent.presence")]
    AgentPresence {
        agent: AgentRef,
        status: PresenceStatus,
        availability: Availability,
    },
    /// A visitor came to the shop, went idle or left it (agents only): `online` while a page
    /// with the widget is open and used, `away` when it is not, `offline` once none is open.
    #[serde(rename = "visitor.presence")]
    VisitorPresence {
        session_id: String,
        status: PresenceStatus,
    },
    /// The visitor's widget reported a page (agents only): what the side panel shows.
    #[serde(rename = "visitor.visit")]
    VisitorVisit { session_id: String, visit: Visit },
    /// Whether a person can join now (visitors): someone is online and available.
    #[serde(rename = "team.availability")]
    TeamAvailability {
        available: bool,
        /// Out of office hours: when the team is back (RFC 3339, UTC).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        back_at: Option<String>,
    },
    #[serde(rename = "chat.typing")]
    Typing {
        session_id: String,
        sender: Sender,
        is_typing: bool,
    },
    /// Someone has seen the conversation up to `seq`: the visitor (`kind: "customer"`) or an
    /// agent. Each reader's mark only moves forward.
    #[serde(rename = "chat.read")]
    Read {
        session_id: String,
        reader: Sender,
        seq: u64,
    },
    #[serde(rename = "human-escalation-response")]
    HumanEscalationResponse { message: String },
    #[serde(rename = "pong")]
    Pong,
    /// A refused frame or request. The socket stays open unless the code says otherwise.
    #[serde(rename = "error")]
    Error { code: String, message: String },
}

// ---------------------------------------------------------------------------------------------
// WebSocket frames, client → server.
// ---------------------------------------------------------------------------------------------

/// Every frame a client sends. The `timestamp` is optional: clients of the chat API integration guide send one, the
/// server does not rely on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClientFrame {
    #[serde(flatten)]
    pub command: ClientCommand,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum ClientCommand {
    /// A chat message. Agents name the session; a visitor's socket belongs to one session.
    /// `clientMessageId` makes sending idempotent.
    #[serde(rename = "chat")]
    Chat {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_id: Option<String>,
        /// May be `""` when the message carries files (but not left out).
        content: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_message_id: Option<String>,
        /// Ids of files uploaded to this session (`POST …/attachments`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<String>,
    },
    /// A visitor asks for a human.
    #[serde(rename = "human-escalation")]
    HumanEscalation {
        #[serde(default)]
        reason: Option<String>,
    },
    #[serde(rename = "typing")]
    Typing {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_id: Option<String>,
        is_typing: bool,
    },
    /// The reader has seen the conversation up to `seq` (the messages are on screen and the
    /// page is visible). Agents name the session.
    #[serde(rename = "read")]
    Read {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        session_id: Option<String>,
        seq: u64,
    },
    /// The visitor's widget is on a page (sent on connecting and as they navigate the shop).
    #[serde(rename = "visit")]
    Visit(PageVisit),
    #[serde(rename = "ping")]
    Ping,
    /// The agent is using their dashboard, or the visitor the shop's page (sent at most about
    /// once a minute while they are): what keeps them `online` rather than `away`.
    #[serde(rename = "activity")]
    Activity,
}

// ---------------------------------------------------------------------------------------------
// `/ws/echo?format=json`: the original JSON echo.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum EchoFrame {
    Connection {
        message: String,
        timestamp: Timestamp,
    },
    Echo {
        message: String,
        original_message: String,
        timestamp: Timestamp,
    },
}

// ---------------------------------------------------------------------------------------------
// HTTP bodies.
// ---------------------------------------------------------------------------------------------

/// Every HTTP error: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentProfile {
    pub id: String,
    pub name: String,
    pub email: String,
    #[serde(default)]
    pub role: AgentRole,
}

/// An agent of the tenant, as `GET /api/v1/agents` lists them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamMember {
    pub id: String,
    pub name: String,
    pub email: String,
    pub role: AgentRole,
    /// A disabled agent cannot sign in.
    pub disabled: bool,
    #[serde(default)]
    pub status: PresenceStatus,
    #[serde(default)]
    pub availability: Availability,
    /// They said they are away (until they say they are back).
    #[serde(default)]
    pub away: bool,
}

/// Whether an agent is at their dashboard: `online` while one is open and used, `away` after
/// a while without use (or when they say so), `offline` once none is open.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceStatus {
    Online,
    Away,
    #[default]
    Offline,
}

/// What a visitor's widget reports: the page around it and the visitor's own settings. Every
/// field is optional (a messenger opened as a page of its own has no host page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageVisit {
    /// The host page's address (`http` or `https`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Where the visitor came to the shop from: another site's address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// The browser's language, as a language tag (`nl-NL`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The visitor's IANA time zone (`Europe/Amsterdam`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
}

/// The longest page address, title or referrer a widget may report, in bytes.
pub const MAX_PAGE_FIELD_BYTES: usize = 2048;

/// Who the visitor is and where, as the agents see it: the last page reported, where they
/// came from, their browser and system (from its User-Agent), language and time zone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Visit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrer: Option<String>,
    /// "Chrome 131".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// "Windows 10", "iOS 17.2".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// When the visitor was last on the site (RFC 3339): on a page now, or when they left.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_at: Option<Timestamp>,
}

/// A visitor on the site now, for `GET /api/v1/visitors`: their conversation and whether
/// the page is in use (`online`) or not (`away`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VisitorPresence {
    pub session_id: String,
    pub status: PresenceStatus,
}

/// How a tenant's conversations that need a person find one: an agent takes them from the
/// queue (`manual`), or each goes at once to the free agent with the fewest (`auto`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssignmentMode {
    #[default]
    Manual,
    Auto,
}

impl AssignmentMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Auto => "auto",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "manual" => Some(Self::Manual),
            "auto" => Some(Self::Auto),
            _ => None,
        }
    }
}

/// The most conversations automatic assignment gives one agent at once, at most.
pub const MAX_CAPACITY: u32 = 100;
/// How many unless the tenant says.
pub const DEFAULT_CAPACITY: u32 = 3;

/// `GET`/`PUT /api/v1/settings/routing`: how conversations find an agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RoutingSettings {
    pub assignment: AssignmentMode,
    /// With `auto`: the most active conversations one agent is given (1 to [`MAX_CAPACITY`]).
    pub capacity: u32,
}

impl Default for RoutingSettings {
    fn default() -> Self {
        Self {
            assignment: AssignmentMode::Manual,
            capacity: DEFAULT_CAPACITY,
        }
    }
}

impl RoutingSettings {
    /// The settings, if the capacity is in range.
    pub fn checked(self) -> Result<Self, &'static str> {
        if (1..=MAX_CAPACITY).contains(&self.capacity) {
            Ok(self)
        } else {
            Err("the capacity must be between 1 and 100 conversations")
        }
    }
}

/// `GET`/`PUT /api/v1/settings/hours`: when the team answers, in its own time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OfficeHoursSettings {
    /// `"Mon-Fri 08:00-20:00,Sat 10:00-16:00"`; `None` (or blank): at any hour.
    #[serde(default)]
    pub hours: Option<String>,
    /// An IANA time zone, `"Europe/Amsterdam"`.
    pub timezone: String,
}

impl Default for OfficeHoursSettings {
    fn default() -> Self {
        Self {
            hours: None,
            timezone: "UTC".into(),
        }
    }
}

/// Whether an agent takes new conversations: their own choice.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    #[default]
    Available,
    Busy,
}

impl Availability {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Busy => "busy",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "available" => Some(Self::Available),
            "busy" => Some(Self::Busy),
            _ => None,
        }
    }
}

/// `PUT /api/v1/agents/me/presence`: the signed-in agent says they are away (or back), or
/// changes their availability. Absent fields stay as they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresenceRequest {
    #[serde(default)]
    pub away: Option<bool>,
    #[serde(default)]
    pub availability: Option<Availability>,
}

/// `POST /api/v1/agents`: an admin adds a colleague.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAgentRequest {
    pub email: String,
    pub name: String,
    pub password: String,
    #[serde(default)]
    pub role: AgentRole,
}

/// An article of the tenant's knowledge base (`/api/v1/knowledge/articles`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KnowledgeArticle {
    pub id: String,
    /// Its address in the help center, unique in the tenant: `a-z`, `0-9` and `-`.
    pub slug: String,
    pub title: String,
    /// Markdown; each `##` section answers one question.
    pub body: String,
    pub updated_at: Timestamp,
}

/// `POST` and `PUT /api/v1/knowledge/articles…`: an article's content. Without a slug, one is
/// made from the title.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArticleRequest {
    #[serde(default)]
    pub slug: Option<String>,
    pub title: String,
    pub body: String,
}

/// `POST /api/v1/knowledge/preview`: markdown to see as the help center will show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewRequest {
    pub body: String,
}

/// The preview: HTML made by the help center's own renderer, in which no raw HTML survives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewResponse {
    pub html: String,
}

/// `GET /api/v1/settings/assistant`: how the tenant's assistant behaves, and the choices this
/// server offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssistantSettings {
    /// Off: conversations go straight to the agents.
    pub enabled: bool,
    /// `knowledge` or `openai`; `None` for the server's default.
    #[serde(default)]
    pub answerer: Option<String>,
    /// Shown by the widget before the visitor writes.
    #[serde(default)]
    pub greeting: Option<String>,
    /// Said when the assistant hands a visitor to a person; `None` for the built-in one.
    #[serde(default)]
    pub handover: Option<String>,
    /// The built-in hand-over sentence.
    pub default_handover: String,
    /// The answerers this server can use, and the one `answerer: None` means.
    pub answerers: Vec<String>,
    #[serde(default)]
    pub default_answerer: Option<String>,
}

/// `PUT /api/v1/settings/assistant`: the settings an admin may change. Blank texts mean none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssistantSettingsRequest {
    pub enabled: bool,
    #[serde(default)]
    pub answerer: Option<String>,
    #[serde(default)]
    pub greeting: Option<String>,
    #[serde(default)]
    pub handover: Option<String>,
}

/// The longest article title and body accepted.
pub const MAX_ARTICLE_TITLE_CHARS: usize = 200;
pub const MAX_ARTICLE_BODY_CHARS: usize = 50_000;

/// What an agent may do: `admin`s also manage the desk (agents, settings, knowledge base).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AgentRole {
    Admin,
    #[default]
    Agent,
}

impl AgentRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Agent => "agent",
        }
    }

    /// The role a stored or typed name stands for; anything unknown is a plain agent.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Self::Admin),
            "agent" => Some(Self::Agent),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    pub token: String,
    pub agent: AgentProfile,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantRef {
    pub id: String,
    pub name: String,
    /// The key of the tenant's widget and help center (`/help/{widgetKey}`).
    #[serde(default)]
    pub widget_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeResponse {
    pub agent: AgentProfile,
    pub tenant: TenantRef,
    /// What the tenant's agents may upload.
    #[serde(default)]
    pub attachments: AttachmentPolicy,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartSessionRequest {
    pub widget_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor: Option<Visitor>,
    /// A test conversation (the diagnostics page): the assistant answers it, no agent sees it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub test: bool,
    /// Who starts it: the visitor of earlier conversations, or the shop's verified customer.
    #[serde(flatten)]
    pub credentials: VisitorCredentials,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartSessionResponse {
    pub session_id: String,
    /// The visitor's secret: whoever holds it reads and writes the conversation.
    pub session_key: String,
    /// A visitor JWT for `/ws?token=`.
    pub token: String,
    /// The anonymous visitor's key, for their next conversation (`None`: a verified customer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_key: Option<String>,
    /// The identity sent was verified.
    #[serde(default)]
    pub verified: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PublicMessageRequest {
    pub session_key: String,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

/// What the widget needs to know about its tenant before a conversation starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetConfig {
    pub tenant_name: String,
    /// Whether the AI answers first.
    pub ai_enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greeting: Option<String>,
    pub look: WidgetLook,
    /// Whether a person can join now (within office hours, someone online and available);
    /// `team.availability` events follow it on the visitor's socket.
    #[serde(default)]
    pub team_available: bool,
    /// Out of office hours: when the team is back (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_at: Option<String>,
    /// Replies reach a visitor who left an email address by email (the server sends email).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replies_by_email: bool,
    /// What the visitor may upload.
    #[serde(default)]
    pub attachments: AttachmentPolicy,
}

/// Whether a person can join a tenant's conversations now, and when the team is back if it is
/// out of its hours.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TeamState {
    pub available: bool,
    pub back_at: Option<String>,
}

/// `POST /api/v1/chat/public/contact`: where the visitor wants a reply while nobody is here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ContactRequest {
    pub session_key: String,
    pub email: String,
}

/// How the widget looks for a tenant, resolved: what it set, or the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetLook {
    /// The header's title: the tenant's own, or its name.
    pub title: String,
    /// `#rrggbb`.
    pub colour: String,
    /// The colour of text and icons on `colour` (AA contrast), for `widget.js`'s bubble.
    pub on_colour: String,
    pub launcher: LauncherSide,
    /// The uploaded avatar; `None`: the title's initials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

/// `GET /api/v1/settings/appearance`: the widget's look as the tenant set it (`None`: the
/// default), for its admins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppearanceSettings {
    /// The title when none is set.
    pub tenant_name: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    pub launcher: LauncherSide,
    #[serde(default)]
    pub avatar_url: Option<String>,
}

/// `PUT /api/v1/settings/appearance`. Blank title or colour: the default. The avatar has
/// calls of its own (`PUT`/`DELETE /api/v1/settings/appearance/avatar`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppearanceRequest {
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub colour: Option<String>,
    #[serde(default)]
    pub launcher: LauncherSide,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionHistory {
    pub session: Session,
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentMessageRequest {
    pub session_id: String,
    pub content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_message_id: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MarkReadRequest {
    pub seq: u64,
}

/// An inbox view (`GET /api/v1/chat/sessions?view=…`); each means one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionView {
    /// Waiting for a person, held by nobody.
    Unassigned,
    /// The assistant has it.
    Ai,
    /// Open, held by the asking agent.
    Mine,
    /// Every open conversation.
    Open,
    Closed,
}

/// The most sessions one page lists, and how many unless asked.
pub const MAX_SESSIONS_PAGE: u32 = 100;
pub const DEFAULT_SESSIONS_PAGE: u32 = 50;

/// `POST /api/v1/chat/sessions/{id}/transfer`: the colleague who takes the conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TransferRequest {
    pub agent_id: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::{json, Value};

    fn ts() -> Timestamp {
        Timestamp("2026-11-23T19:57:31.123Z".into())
    }

    /// Serialises `value`, checks the JSON is exactly `expected`, and parses it back to `value`.
    fn round_trip<T>(value: &T, expected: Value)
    where
        T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
    {
        let json = serde_json::to_value(value).expect("serialises");
        assert_eq!(json, expected, "wire form");
        let back: T = serde_json::from_value(json).expect("parses back");
        assert_eq!(&back, value, "round trip");
    }

    fn agent() -> AgentRef {
        AgentRef {
            id: "a1".into(),
            name: "Alice".into(),
        }
    }

    fn message() -> Message {
        Message {
            id: "m1".into(),
            session_id: "s1".into(),
            seq: 3,
            client_message_id: Some("c-42".into()),
            sender: Sender {
                kind: SenderKind::Customer,
                id: None,
                name: Some("Dana".into()),
            },
            content: "Hello 👋 <b>".into(),
            created_at: ts(),
            offers_human: false,
            source: None,
            attachments: vec![],
        }
    }

    fn message_json() -> Value {
        json!({
            "id": "m1", "sessionId": "s1", "seq": 3, "clientMessageId": "c-42",
            "sender": {"kind": "customer", "name": "Dana"},
            "content": "Hello 👋 <b>", "createdAt": "2026-11-23T19:57:31.123Z"
        })
    }

    fn session() -> Session {
        Session {
            id: "s1".into(),
            status: SessionStatus::Active,
            assigned_agent: Some(agent()),
            visitor: Visitor {
                name: Some("Dana".into()),
                email: None,
            },
            last_message: Some(message()),
            unread_count: 2,
            visitor_read_seq: 3,
            team_read_seq: 0,
            visit: None,
            created_at: ts(),
            updated_at: ts(),
            test: false,
            visitor_id: None,
            verified_user_id: None,
        }
    }

    fn session_json() -> Value {
        json!({
            "id": "s1", "status": "active", "assignedAgent": {"id": "a1", "name": "Alice"},
            "visitor": {"name": "Dana"}, "lastMessage": message_json(), "unreadCount": 2,
            "visitorReadSeq": 3, "teamReadSeq": 0,
            "createdAt": "2026-11-23T19:57:31.123Z", "updatedAt": "2026-11-23T19:57:31.123Z"
        })
    }

    fn server(event: ServerEvent, mut body: Value) {
        body["timestamp"] = json!("2026-11-23T19:57:31.123Z");
        round_trip(
            &ServerFrame {
                event,
                timestamp: ts(),
            },
            body,
        );
    }

    #[test]
    fn connection_frame() {
        server(
            ServerEvent::Connection {
                message: "Connected to Switchboard".into(),
            },
            json!({"type": "connection", "message": "Connected to Switchboard"}),
        );
    }

    #[test]
    fn session_frames() {
        server(
            ServerEvent::SessionStarted { session: session() },
            json!({"type": "chat.session.started", "session": session_json()}),
        );
        server(
            ServerEvent::SessionUpdated { session: session() },
            json!({"type": "chat.session.updated", "session": session_json()}),
        );
        server(
            ServerEvent::SessionAssigned {
                session_id: "s1".into(),
                agent: agent(),
            },
            json!({"type": "chat.session.assigned", "sessionId": "s1",
                   "agent": {"id": "a1", "name": "Alice"}}),
        );
        server(
            ServerEvent::AgentJoined {
                session_id: "s1".into(),
                agent: agent(),
            },
            json!({"type": "chat.agent.joined", "sessionId": "s1",
                   "agent": {"id": "a1", "name": "Alice"}}),
        );
    }

    #[test]
    fn message_frame() {
        server(
            ServerEvent::MessageNew { message: message() },
            json!({"type": "chat.message.new", "message": message_json()}),
        );
    }

    #[test]
    fn stream_frames() {
        server(
            ServerEvent::StreamStart {
                message_id: "m2".into(),
                session_id: "s1".into(),
            },
            json!({"type": "stream-start", "messageId": "m2", "sessionId": "s1"}),
        );
        server(
            ServerEvent::StreamToken {
                message_id: "m2".into(),
                session_id: "s1".into(),
                token: " world".into(),
            },
            json!({"type": "stream-token", "messageId": "m2", "sessionId": "s1",
                   "token": " world"}),
        );
        server(
            ServerEvent::StreamEnd {
                message_id: "m2".into(),
                session_id: "s1".into(),
            },
            json!({"type": "stream-end", "messageId": "m2", "sessionId": "s1"}),
        );
    }

    #[test]
    fn typing_escalation_pong_error_frames() {
        server(
            ServerEvent::Typing {
                session_id: "s1".into(),
                sender: Sender {
                    kind: SenderKind::Agent,
                    id: Some("a1".into()),
                    name: Some("Alice".into()),
                },
                is_typing: true,
            },
            json!({"type": "chat.typing", "sessionId": "s1",
                   "sender": {"kind": "agent", "id": "a1", "name": "Alice"}, "isTyping": true}),
        );
        server(
            ServerEvent::Read {
                session_id: "s1".into(),
                reader: Sender::visitor(None),
                seq: 4,
            },
            json!({"type": "chat.read", "sessionId": "s1", "reader": {"kind": "customer"}, "seq": 4}),
        );
        server(
            ServerEvent::HumanEscalationResponse {
                message: "A human agent will contact you soon.".into(),
            },
            json!({"type": "human-escalation-response",
                   "message": "A human agent will contact you soon."}),
        );
        server(ServerEvent::Pong, json!({"type": "pong"}));
        server(
            ServerEvent::Error {
                code: "invalid_frame".into(),
                message: "missing field `content`".into(),
            },
            json!({"type": "error", "code": "invalid_frame",
                   "message": "missing field `content`"}),
        );
    }

    #[test]
    fn client_frames() {
        round_trip(
            &ClientFrame {
                command: ClientCommand::Chat {
                    session_id: None,
                    content: "Hi".into(),
                    client_message_id: Some("c1".into()),
                    attachments: vec![],
                },
                timestamp: Some(ts()),
            },
            json!({"type": "chat", "content": "Hi", "clientMessageId": "c1",
                   "timestamp": "2026-11-23T19:57:31.123Z"}),
        );
        round_trip(
            &ClientFrame {
                command: ClientCommand::Chat {
                    session_id: Some("s1".into()),
                    content: "Hello from an agent".into(),
                    client_message_id: None,
                    attachments: vec![],
                },
                timestamp: None,
            },
            json!({"type": "chat", "sessionId": "s1", "content": "Hello from an agent"}),
        );
        round_trip(
            &ClientFrame {
                command: ClientCommand::HumanEscalation {
                    reason: Some("Need human assistance".into()),
                },
                timestamp: None,
            },
            json!({"type": "human-escalation", "reason": "Need human assistance"}),
        );
        round_trip(
            &ClientFrame {
                command: ClientCommand::Typing {
                    session_id: Some("s1".into()),
                    is_typing: false,
                },
                timestamp: None,
            },
            json!({"type": "typing", "sessionId": "s1", "isTyping": false}),
        );
        round_trip(
            &ClientFrame {
                command: ClientCommand::Read {
                    session_id: None,
                    seq: 7,
                },
                timestamp: None,
            },
            json!({"type": "read", "seq": 7}),
        );
        round_trip(
            &ClientFrame {
                command: ClientCommand::Ping,
                timestamp: Some(ts()),
            },
            json!({"type": "ping", "timestamp": "2026-11-23T19:57:31.123Z"}),
        );
    }

    #[test]
    fn seed_003_frames_parse_as_written() {
        // Exactly what the chat API integration guide tells a client to send.
        let chat: ClientFrame = serde_json::from_str(
            r#"{"type":"chat","content":"Your message here","timestamp":"2025-09-12T10:00:00.000Z"}"#,
        )
        .unwrap();
        assert!(
            matches!(chat.command, ClientCommand::Chat { ref content, .. } if content == "Your message here")
        );
        let ping: ClientFrame = serde_json::from_str(r#"{"type":"ping"}"#).unwrap();
        assert_eq!(ping.command, ClientCommand::Ping);
    }

    #[test]
    fn malformed_client_frames_are_refused() {
        for bad in [
            r#"{"type":"chat"}"#,
            r#"{"type":"chat","content":42}"#,
            r#"{"type":"teleport"}"#,
            r#"{"content":"no type"}"#,
            r#"not json"#,
        ] {
            assert!(
                serde_json::from_str::<ClientFrame>(bad).is_err(),
                "{bad} parsed"
            );
        }
    }

    #[test]
    fn echo_frames() {
        round_trip(
            &EchoFrame::Connection {
                message: "Connected to WebSocket server".into(),
                timestamp: ts(),
            },
            json!({"type": "connection", "message": "Connected to WebSocket server",
                   "timestamp": "2026-11-23T19:57:31.123Z"}),
        );
        round_trip(
            &EchoFrame::Echo {
                message: "Server received: hi".into(),
                original_message: "hi".into(),
                timestamp: ts(),
            },
            json!({"type": "echo", "message": "Server received: hi", "original_message": "hi",
                   "timestamp": "2026-11-23T19:57:31.123Z"}),
        );
    }

    #[test]
    fn sign_in_http_bodies() {
        round_trip(
            &LoginRequest {
                email: "agent1@callcenter.com".into(),
                password: "Password123!".into(),
            },
            json!({"email": "agent1@callcenter.com", "password": "Password123!"}),
        );
        let profile = AgentProfile {
            id: "a1".into(),
            name: "Alice".into(),
            email: "alice@example.com".into(),
            role: AgentRole::Agent,
        };
        let profile_json =
            json!({"id": "a1", "name": "Alice", "email": "alice@example.com", "role": "agent"});
        round_trip(
            &LoginResponse {
                token: "jwt".into(),
                agent: profile.clone(),
            },
            json!({"token": "jwt", "agent": profile_json}),
        );
        round_trip(
            &MeResponse {
                agent: profile,
                tenant: TenantRef {
                    id: "t1".into(),
                    name: "Demo".into(),
                    widget_key: "demo".into(),
                },
                attachments: AttachmentPolicy {
                    accepted: vec!["image/png".into()],
                    max_bytes: 10,
                },
            },
            json!({"agent": profile_json, "tenant": {"id": "t1", "name": "Demo", "widgetKey": "demo"},
                   "attachments": {"accepted": ["image/png"], "maxBytes": 10}}),
        );
    }

    #[test]
    fn chat_http_bodies() {
        round_trip(
            &ErrorBody {
                error: ErrorDetail {
                    code: "not_found".into(),
                    message: "no such session".into(),
                },
            },
            json!({"error": {"code": "not_found", "message": "no such session"}}),
        );
        round_trip(
            &StartSessionRequest {
                widget_key: "demo".into(),
                visitor: Some(Visitor {
                    name: None,
                    email: Some("dana@example.com".into()),
                }),
                test: false,
                credentials: VisitorCredentials::default(),
            },
            json!({"widgetKey": "demo", "visitor": {"email": "dana@example.com"}}),
        );
        round_trip(
            &StartSessionRequest {
                widget_key: "demo".into(),
                visitor: None,
                test: false,
                credentials: VisitorCredentials {
                    visitor_key: Some("vk".into()),
                    identity: Some(VisitorIdentity {
                        user_id: "cust-42".into(),
                        name: Some("Dana".into()),
                        email: None,
                        user_hash: "9f86…".into(),
                    }),
                },
            },
            json!({"widgetKey": "demo", "visitorKey": "vk",
                   "identity": {"userId": "cust-42", "name": "Dana", "userHash": "9f86…"}}),
        );
        round_trip(
            &StartSessionResponse {
                session_id: "s1".into(),
                session_key: "k".into(),
                token: "jwt".into(),
                visitor_key: Some("vk".into()),
                verified: false,
            },
            json!({"sessionId": "s1", "sessionKey": "k", "token": "jwt", "visitorKey": "vk",
                   "verified": false}),
        );
        round_trip(
            &SearchResults {
                query: "refund".into(),
                hits: vec![SearchHit {
                    session_id: "s1".into(),
                    message_id: "m1".into(),
                    seq: 3,
                    sender: Sender::visitor(Some("Dana".into())),
                    created_at: ts(),
                    visitor: Visitor::default(),
                    status: SessionStatus::Closed,
                    snippet: vec![
                        SnippetPart {
                            text: "a ".into(),
                            hit: false,
                        },
                        SnippetPart {
                            text: "refund".into(),
                            hit: true,
                        },
                    ],
                }],
            },
            json!({"query": "refund", "hits": [{"sessionId": "s1", "messageId": "m1", "seq": 3,
                   "sender": {"kind": "customer", "name": "Dana"},
                   "createdAt": "2026-11-23T19:57:31.123Z", "visitor": {}, "status": "closed",
                   "snippet": [{"text": "a "}, {"text": "refund", "hit": true}]}]}),
        );
        round_trip(
            &PublicMessageRequest {
                session_key: "k".into(),
                content: "Hi".into(),
                client_message_id: None,
                attachments: vec![],
            },
            json!({"sessionKey": "k", "content": "Hi"}),
        );
        round_trip(
            &PublicMessageRequest {
                session_key: "k".into(),
                content: String::new(),
                client_message_id: None,
                attachments: vec!["f1".into()],
            },
            json!({"sessionKey": "k", "content": "", "attachments": ["f1"]}),
        );
        round_trip(
            &SessionHistory {
                session: session(),
                messages: vec![message()],
            },
            json!({"session": session_json(), "messages": [message_json()]}),
        );
        round_trip(
            &AgentMessageRequest {
                session_id: "s1".into(),
                content: "Hello".into(),
                client_message_id: Some("c9".into()),
                attachments: vec![],
            },
            json!({"sessionId": "s1", "content": "Hello", "clientMessageId": "c9"}),
        );
        round_trip(&MarkReadRequest { seq: 7 }, json!({"seq": 7}));
        round_trip(
            &WidgetConfig {
                tenant_name: "Demo".into(),
                ai_enabled: true,
                greeting: Some("Hi! How can we help?".into()),
                look: WidgetLook {
                    title: "Demo".into(),
                    colour: "#2f5bea".into(),
                    on_colour: "#ffffff".into(),
                    launcher: LauncherSide::Left,
                    avatar_url: None,
                },
                team_available: true,
                back_at: None,
                replies_by_email: false,
                attachments: AttachmentPolicy::default(),
            },
            json!({"tenantName": "Demo", "aiEnabled": true, "greeting": "Hi! How can we help?",
                   "look": {"title": "Demo", "colour": "#2f5bea", "onColour": "#ffffff", "launcher": "left"},
                   "teamAvailable": true, "attachments": {"accepted": [], "maxBytes": 0}}),
        );
    }

    #[test]
    fn a_message_carries_its_files_and_a_chat_frame_their_ids() {
        let file = Attachment {
            id: "f1".into(),
            name: "shot.png".into(),
            content_type: "image/png".into(),
            size: 48_213,
            url: "/api/v1/attachments/f1?exp=1&sig=ab".into(),
            width: Some(1280),
            height: Some(720),
        };
        assert!(file.is_image());
        let mut with_file = message_json();
        with_file["content"] = json!("");
        with_file["attachments"] = json!([{"id": "f1", "name": "shot.png", "contentType": "image/png",
            "size": 48_213, "url": "/api/v1/attachments/f1?exp=1&sig=ab", "width": 1280, "height": 720}]);
        round_trip(
            &Message {
                content: String::new(),
                attachments: vec![file],
                ..message()
            },
            with_file,
        );
        let frame: ClientFrame =
            serde_json::from_value(json!({"type": "chat", "content": "", "attachments": ["f1"]}))
                .unwrap();
        assert_eq!(
            frame.command,
            ClientCommand::Chat {
                session_id: None,
                content: String::new(),
                client_message_id: None,
                attachments: vec!["f1".into()],
            }
        );
    }

    #[test]
    fn visitors_are_checked() {
        let visitor = |name: &str, email: &str| Visitor {
            name: Some(name.into()),
            email: Some(email.into()),
        };
        assert_eq!(
            visitor("  Dana ", " dana@example.com ").checked(),
            Ok(visitor("Dana", "dana@example.com"))
        );
        assert_eq!(
            visitor(" ", "").checked(),
            Ok(Visitor::default()),
            "blank means not given"
        );
        assert!(visitor(&"n".repeat(MAX_VISITOR_NAME_CHARS), "a@b.co")
            .checked()
            .is_ok());
        assert!(visitor(&"n".repeat(MAX_VISITOR_NAME_CHARS + 1), "a@b.co")
            .checked()
            .is_err());
        assert!(visitor("Dana\u{0007}", "a@b.co").checked().is_err());
        for bad in [
            "dana",
            "dana@",
            "@example.com",
            "a@b@c.com",
            "a@localhost",
            "a b@c.com",
            "a@.com",
        ] {
            assert!(visitor("Dana", bad).checked().is_err(), "{bad}");
        }
        let long = format!("{}@example.com", "a".repeat(MAX_EMAIL_CHARS));
        assert!(visitor("Dana", &long).checked().is_err());
    }

    #[test]
    fn message_content_bounds() {
        assert_eq!(MessageContent::parse(""), Err(ContentError::Empty));
        assert_eq!(MessageContent::parse(" \n\t"), Err(ContentError::Empty));
        assert!(MessageContent::parse("a").is_ok());
        // Characters, not bytes: 10,000 emoji are allowed, 10,001 are not.
        assert!(MessageContent::parse("🎉".repeat(MAX_CONTENT_CHARS)).is_ok());
        assert_eq!(
            MessageContent::parse("🎉".repeat(MAX_CONTENT_CHARS + 1)),
            Err(ContentError::TooLong)
        );
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// Content is accepted exactly when something in it can be seen and it is within
            /// the limit, and then kept as written.
            #[test]
            fn content_is_accepted_only_when_visible_and_bounded(raw in any::<String>()) {
                let visible = raw.chars().any(|c| !is_invisible(c));
                let bounded = raw.chars().count() <= MAX_CONTENT_CHARS;
                match MessageContent::parse(raw.clone()) {
                    Ok(content) => {
                        prop_assert!(visible && bounded);
                        prop_assert_eq!(content.as_str(), raw.as_str());
                    }
                    Err(ContentError::Empty) => prop_assert!(!visible),
                    Err(ContentError::TooLong) => prop_assert!(visible && !bounded),
                }
            }

            /// Only invisible characters, however many, are empty content.
            #[test]
            fn invisible_runs_are_empty(run in proptest::collection::vec(prop_oneof![
                Just(' '), Just('\n'), Just('\u{200B}'), Just('\u{200D}'), Just('\u{FEFF}'),
                Just('\u{2060}'), Just('\u{00AD}'), Just('\u{3164}'), Just('\u{202E}')
            ], 0..50)) {
                let raw: String = run.into_iter().collect();
                prop_assert_eq!(MessageContent::parse(raw), Err(ContentError::Empty));
            }

            /// A visitor's name and email pass only within their bounds, never with control
            /// characters.
            #[test]
            fn visitors_are_bounded(name in proptest::option::of(any::<String>()), email in proptest::option::of(any::<String>())) {
                let visitor = Visitor { name: name.clone(), email: email.clone() };
                if let Ok(checked) = visitor.checked() {
                    if let Some(name) = checked.name {
                        prop_assert!(name.chars().count() <= MAX_VISITOR_NAME_CHARS);
                        prop_assert!(!name.chars().any(char::is_control));
                    }
                    if let Some(email) = checked.email {
                        prop_assert!(email.chars().count() <= MAX_EMAIL_CHARS);
                        prop_assert!(is_email(&email));
                    }
                }
            }
        }
    }
}
