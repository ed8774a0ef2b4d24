//! The hub: what the HTTP handlers, the messenger page, the health checks and the sockets ask
//! for, whether it came over REST or a socket, from a visitor or an agent. It checks who may do
//! what, and carries every change out through the [`Timeline`] (store first, then publish), so
//! that nothing is ever sent that a reconnecting client could not fetch again from the store.
//!
//! - [`visitors`]: starting a conversation, a visitor's messages and history, asking for a human.
//! - [`agents`]: signing in, the inbox, replies, assignment, closing, read marks.
//! - [`access`]: signing out, disabling and enabling agents, roles, and whether a sign-in
//!   still stands.
//! - [`knowledge`]: the tenant's articles, for its admins.
//! - [`live`]: what is not stored (typing), subscriptions, the answers in flight, readiness.

mod access;
mod agents;
pub mod appearance;
pub mod attachments;
mod follow_up;
mod history;
mod holding;
mod knowledge;
mod live;
pub mod presence;
mod routing;
pub mod settings;
mod visitors;
mod visits;

pub use live::Readiness;
pub use visitors::{StartedSession, Widget};
pub use visits::{Device, VisitRules};

use crate::protocol::{
    is_invisible, AgentRef, AgentRole, ContentError, MessageContent, Sender, Session,
    MAX_CLIENT_MESSAGE_ID_CHARS,
};

/// The highest `seq` a client may name: the store keeps them as signed 64-bit numbers.
pub const MAX_SEQ: u64 = i64::MAX as u64;

/// Which stored messages of a conversation a history request asks for, at most `limit` of
/// them, in `seq` order: those after a `seq` (from the start, or a catch-up after a
/// reconnect), or the newest before one (opening at the latest, then scrolling back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryPage {
    pub from: HistoryFrom,
    pub limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryFrom {
    After(u64),
    Before(u64),
}

impl HistoryPage {
    /// The newest page: where a conversation opens.
    pub const LATEST: Self = Self {
        from: HistoryFrom::Before(MAX_SEQ),
        limit: HISTORY_PAGE,
    };

    /// A page a client asked for, checked: one direction, a `seq` the store can hold, and a
    /// `limit` of 1 to [`HISTORY_PAGE`] (default: all of that).
    pub fn asked(
        after_seq: Option<u64>,
        before_seq: Option<u64>,
        limit: Option<u32>,
        default: HistoryFrom,
    ) -> HubResult<Self> {
        let from = match (after_seq, before_seq) {
            (Some(_), Some(_)) => {
                return Err(HubError::InvalidPage(
                    "give afterSeq or beforeSeq, not both",
                ))
            }
            (Some(after), None) => HistoryFrom::After(check_seq(after)?),
            (None, Some(before)) => HistoryFrom::Before(check_seq(before)?),
            (None, None) => default,
        };
        let limit = limit.unwrap_or(HISTORY_PAGE);
        if !(1..=HISTORY_PAGE).contains(&limit) {
            return Err(HubError::InvalidPage("limit must be 1 to 500"));
        }
        Ok(Self { from, limit })
    }
}

/// A `seq` a client named, if the store can hold it.
pub fn check_seq(seq: u64) -> HubResult<u64> {
    if seq > MAX_SEQ {
        return Err(HubError::SeqOutOfRange);
    }
    Ok(seq)
}
use crate::server::{
    assistant::Assistant,
    attachments::AttachmentRules,
    auth::{Claims, PasswordChecks, TokenSigner},
    limits::{Limited, RateLimits},
    store::{Agent, StoreError},
    timeline::{Audience, Timeline},
};
use std::sync::Arc;

/// How many messages one history request returns at most.
pub const HISTORY_PAGE: u32 = 500;

/// Why the hub refused something. Each maps to an error code of the contract.
#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{0}")]
    InvalidContent(ContentError),
    #[error("clientMessageId must be 1 to {MAX_CLIENT_MESSAGE_ID_CHARS} characters")]
    InvalidClientMessageId,
    #[error("this conversation is closed")]
    SessionClosed,
    #[error("{0}")]
    InvalidVisitor(&'static str),
    #[error("{0}")]
    InvalidAgent(&'static str),
    #[error("{0}")]
    InvalidArticle(&'static str),
    #[error("{0}")]
    InvalidSettings(&'static str),
    /// Office hours or a time zone that do not read, and why.
    #[error("{0}")]
    InvalidHours(String),
    /// A widget's page report that cannot be stored, and why.
    #[error("{0}")]
    InvalidVisit(String),
    /// A search that cannot be run, and why.
    #[error("{0}")]
    InvalidQuery(&'static str),
    /// A page of a list or a history that cannot be given.
    #[error("{0}")]
    InvalidPage(&'static str),
    #[error("{0}")]
    InvalidAvatar(appearance::AvatarRefused),
    #[error("{0}")]
    Attachment(attachments::AttachmentRefused),
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// A `seq` past what any session can reach (the store counts in signed 64 bits).
    #[error("seq must be at most {MAX_SEQ}")]
    SeqOutOfRange,
    #[error("wrong email or password")]
    InvalidCredentials,
    /// Too many of these, too fast: try again after the wait.
    #[error("Too many attempts. Try again in {}.", .0.wait_in_words())]
    RateLimited(Limited),
    /// The token was good, but whom it names is gone.
    #[error("{0}")]
    SignedOut(&'static str),
    /// Signed in, but not allowed this (a plain agent asking for an admin's call).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The store failed; the details are logged where this was made, never shown.
    #[error("something went wrong on the server")]
    Store(#[source] StoreError),
}

impl HubError {
    /// The stable, machine-readable code clients switch on.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found",
            Self::InvalidContent(ContentError::Empty) => "content_empty",
            Self::InvalidContent(ContentError::TooLong) => "content_too_long",
            Self::InvalidClientMessageId => "invalid_client_message_id",
            Self::SessionClosed => "session_closed",
            Self::InvalidVisitor(_) => "invalid_visitor",
            Self::InvalidAgent(_) => "invalid_agent",
            Self::InvalidArticle(_) => "invalid_article",
            Self::InvalidSettings(_) | Self::InvalidHours(_) => "invalid_settings",
            Self::InvalidPage(_) => "invalid_page",
            Self::InvalidQuery(_) => "invalid_query",
            Self::InvalidVisit(_) => "invalid_visit",
            Self::InvalidAvatar(appearance::AvatarRefused::TooLarge(_)) => "avatar_too_large",
            Self::InvalidAvatar(appearance::AvatarRefused::NotAnImage) => "avatar_type_not_allowed",
            Self::Attachment(attachments::AttachmentRefused::TooLarge(_)) => "attachment_too_large",
            Self::Attachment(attachments::AttachmentRefused::TypeNotAllowed(_)) => {
                "attachment_type_not_allowed"
            }
            Self::Attachment(attachments::AttachmentRefused::Invalid(_)) => "invalid_attachment",
            Self::Conflict(_) => "conflict",
            Self::SeqOutOfRange => "invalid_seq",
            Self::InvalidCredentials => "invalid_credentials",
            Self::RateLimited(_) => "rate_limited",
            Self::SignedOut(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::Store(_) => "internal",
        }
    }
}

/// The one place a store failure becomes a hub error, and is logged.
impl From<StoreError> for HubError {
    fn from(error: StoreError) -> Self {
        tracing::error!(%error, "store failure");
        Self::Store(error)
    }
}

pub type HubResult<T> = Result<T, HubError>;

/// An agent acting within their tenant, as their token and the store say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentActor {
    pub tenant_id: String,
    pub agent_id: String,
    pub name: String,
    pub role: AgentRole,
    /// The sign-in this actor came with: its token's id, expiry and version.
    pub token: TokenRef,
}

/// Which sign-in an agent acts under, to end it or check that it still stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRef {
    pub id: String,
    pub expires_at: u64,
    pub version: u64,
}

impl AgentActor {
    fn signed_in(agent: &Agent, claims: &Claims) -> Self {
        Self {
            tenant_id: agent.tenant_id.clone(),
            agent_id: agent.id.clone(),
            name: agent.name.clone(),
            role: agent.role,
            token: TokenRef {
                id: claims.jti.clone(),
                expires_at: claims.exp,
                version: claims.ver,
            },
        }
    }
}

impl AgentActor {
    /// The agent as others see them.
    pub fn as_ref(&self) -> AgentRef {
        AgentRef {
            id: self.agent_id.clone(),
            name: self.name.clone(),
        }
    }

    pub fn as_sender(&self) -> Sender {
        Sender::agent(&self.agent_id, &self.name)
    }
}

/// A visitor, who can act in their own session only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitorActor {
    pub tenant_id: String,
    pub session_id: String,
    /// A test conversation (`Session::test`): its events reach this visitor only.
    pub test: bool,
}

impl VisitorActor {
    pub fn of(tenant_id: String, session: &Session) -> Self {
        Self {
            tenant_id,
            session_id: session.id.clone(),
            test: session.test,
        }
    }

    /// Who hears what happens in this visitor's conversation.
    pub fn audience(&self) -> Audience<'_> {
        Audience::of_session(&self.tenant_id, &self.session_id, self.test)
    }
}

pub struct Hub {
    timeline: Arc<Timeline>,
    /// `None` when the AI is off: conversations start `pending`, for the agents.
    assistant: Option<Arc<Assistant>>,
    signer: TokenSigner,
    /// Sign-in password checks, a few at a time (`--max-password-checks`).
    password_checks: PasswordChecks,
    limits: Arc<RateLimits>,
    /// Who is at their desk, as this node works it out.
    presence: presence::PresenceBoard,
    /// What a widget's page report may hold (`--max-page-field-bytes`).
    visits: VisitRules,
    /// How long a reply waits for more before its follow-up email: set once email
    /// follow-ups run (`--smtp-url`).
    follow_up_batch: std::sync::OnceLock<std::time::Duration>,
    /// How large an upload may be (`--max-attachment-bytes`).
    attachments: AttachmentRules,
}

/// What the hub is started with beyond its parts: the bounds of what clients may send.
#[derive(Debug, Clone)]
pub struct HubRules {
    /// Sign-in password checks at once (`--max-password-checks`).
    pub password_checks: usize,
    pub presence: presence::PresenceTimes,
    pub visits: VisitRules,
    pub attachments: AttachmentRules,
}

/// A message as its writer sent it, before it is checked: its text, the id that makes
/// sending it again harmless, and the files it carries (ids of uploads to its conversation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    pub content: String,
    pub client_message_id: Option<String>,
    pub attachments: Vec<String>,
}

impl Draft {
    pub fn text(content: impl Into<String>) -> Self {
        Self {
            content: content.into(),
            ..Self::default()
        }
    }

    /// The text to store: 1 to 10,000 visible characters, or none at all when files go with
    /// it.
    fn checked_content(&self) -> HubResult<String> {
        check_client_message_id(&self.client_message_id)?;
        if !self.attachments.is_empty() && self.content.chars().all(is_invisible) {
            return Ok(String::new());
        }
        MessageContent::parse(self.content.clone())
            .map(MessageContent::into_inner)
            .map_err(HubError::InvalidContent)
    }
}

impl From<Limited> for HubError {
    fn from(limited: Limited) -> Self {
        Self::RateLimited(limited)
    }
}

fn check_client_message_id(id: &Option<String>) -> HubResult<()> {
    match id {
        Some(id) if id.is_empty() || id.chars().count() > MAX_CLIENT_MESSAGE_ID_CHARS => {
            Err(HubError::InvalidClientMessageId)
        }
        _ => Ok(()),
    }
}

impl Hub {
    pub fn new(
        timeline: Arc<Timeline>,
        assistant: Option<Arc<Assistant>>,
        signer: TokenSigner,
        limits: Arc<RateLimits>,
        rules: HubRules,
    ) -> Self {
        Self {
            timeline,
            assistant,
            signer,
            password_checks: PasswordChecks::start(rules.password_checks),
            limits,
            presence: presence::PresenceBoard::new(rules.presence),
            visits: rules.visits,
            follow_up_batch: std::sync::OnceLock::new(),
            attachments: rules.attachments,
        }
    }

    /// The rate limits, for what the hub cannot count itself (addresses, sockets).
    pub fn limits(&self) -> &RateLimits {
        &self.limits
    }

    fn stop_assistant(&self, session_id: &str) {
        if let Some(assistant) = &self.assistant {
            assistant.stop(session_id);
        }
    }
}
