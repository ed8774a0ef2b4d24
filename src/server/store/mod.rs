//! The store: tenants, agents, sessions and messages, behind one trait so that the embedded
//! SQLite file and a PostgreSQL cluster serve the same hub.
//!
//! `SqliteStore` is the embedded default; `PgStore` serves a cluster of nodes. Both pass the same
//! contract tests (tests/api/store_contract.rs).
//!
//! Every read that takes a tenant id is scoped by it: an id from another tenant is simply not
//! found. [`Store::append`] is the one way a message enters the system; it gives the message the
//! next `seq` of its session atomically and makes `clientMessageId` idempotent.

mod attachments;
mod changes;
mod follow_ups;
mod group_commit;
mod history;
mod migrations;
mod postgres;
mod rows;
mod sqlite;

pub use history::{SearchTerms, MAX_SEARCH_WORDS};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use crate::protocol::{
    AgentRole, ArticleLink, Attachment, Availability, ErasureReport, LauncherSide, Message,
    OfficeHoursSettings, RoutingSettings, SearchHit, Sender, Session, SessionStatus, SessionView,
    Visit, Visitor, VisitorRecord,
};
use crate::server::{attachments::kinds::Accepted, config::DatabaseUrl};
use async_trait::async_trait;
use std::collections::HashMap;
use std::sync::Arc;

/// A shared handle to whichever store the configuration chose.
pub type DynStore = Arc<dyn Store>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (an email or widget key already taken).
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// A write named a row that does not exist.
    #[error("no such {0}")]
    NotFound(&'static str),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A unique-constraint violation as [`StoreError::Conflict`]; any other error as it is.
fn conflict_or(error: sqlx::Error, what: &'static str) -> StoreError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(error),
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub widget_key: String,
    pub allowed_origins: Vec<String>,
    pub ai: TenantAi,
    pub look: TenantLook,
    /// How its conversations find an agent.
    pub routing: RoutingSettings,
    /// When its team answers (checked when set).
    pub hours: OfficeHoursSettings,
    /// Who its follow-up emails are from ("Shop <help@shop.example>"); `None`: `--email-from`.
    pub email_from: Option<String>,
    /// The kinds of file its conversations accept.
    pub attachments: Accepted,
    /// Who its visitors are and how long their conversations are kept.
    pub history: HistoryRules,
    pub created_at: String,
}

/// A tenant's rules for its visitors over time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HistoryRules {
    /// The key its shop signs its signed-in customers' ids with (identity verification);
    /// `None`: no visitor is verified.
    pub identity_secret: Option<String>,
    /// Closed conversations older than this many days are deleted; `None`: kept.
    pub retention_days: Option<u32>,
}

/// How a visitor record is found: an anonymous visitor by their key's hash, a verified
/// customer by the shop's user id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitorLookup<'a> {
    Key { hash: &'a str },
    User { id: &'a str },
}

/// A visitor to store: anonymous (with the hash of their new key) or a verified customer
/// (whose record, one per user id, takes the name and email given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisitor {
    pub tenant_id: String,
    pub user_id: Option<String>,
    pub key_hash: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// What is stored about whoever gave an email address: their visitor records and
/// conversations (ids, oldest first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Footprint {
    pub visitors: Vec<VisitorRecord>,
    pub sessions: Vec<String>,
}

/// What to erase: conversations (with their messages, files, links and read marks), then the
/// visitor records no conversation refers to any more.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Erasure {
    pub sessions: Vec<String>,
    pub visitors: Vec<String>,
}

/// How a tenant's widget looks, as set (`None`: the default).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TenantLook {
    pub title: Option<String>,
    /// `#rrggbb`.
    pub colour: Option<String>,
    pub launcher: LauncherSide,
    /// Names the uploaded avatar (changes with each upload); `None`: no avatar, initials.
    pub avatar_version: Option<String>,
}

/// An uploaded avatar: the image's bytes and the type sniffed from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Avatar {
    pub content_type: String,
    pub bytes: Vec<u8>,
}

/// How the assistant behaves for one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantAi {
    /// Off: conversations start `pending`, for the agents.
    pub enabled: bool,
    /// `knowledge` or `openai`; `None` for the server's default.
    pub answerer: Option<String>,
    /// Shown by the widget before the visitor writes.
    pub greeting: Option<String>,
    /// What the visitor is told when the assistant hands them to a person; `None` for the
    /// built-in sentence.
    pub handover: Option<String>,
}

impl Default for TenantAi {
    fn default() -> Self {
        Self {
            enabled: true,
            answerer: None,
            greeting: None,
            handover: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: String,
    pub tenant_id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub created_at: String,
    pub role: AgentRole,
    /// A disabled agent cannot sign in, and their tokens are refused.
    pub disabled: bool,
    /// Tokens must carry this version: raised to end every sign-in at once.
    pub token_version: u64,
    /// They said they are away from their desk.
    pub away: bool,
    pub availability: Availability,
    /// When they were last given a conversation (RFC 3339); `None`: never.
    pub last_assigned_at: Option<String>,
}

/// A change to an agent's access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentChange {
    /// No sign-in, and every token issued so far refused.
    Disable,
    Enable,
    Role(AgentRole),
    /// Away from their desk, or back.
    Away(bool),
    Availability(Availability),
}

/// One article of a tenant's knowledge base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    pub id: String,
    pub tenant_id: String,
    pub slug: String,
    pub title: String,
    /// Markdown: one `##` section per question it answers.
    pub body: String,
    pub updated_at: String,
}

/// An article's content, to store under its slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleContent {
    pub slug: String,
    pub title: String,
    pub body: String,
}

/// What a tenant's knowledge base looks like from afar: it changed when this did (an edit
/// raises the revisions, a removal the count, an addition the newest id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct KnowledgeVersion {
    pub articles: u64,
    pub revisions: u64,
    pub newest: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewTenant {
    pub name: String,
    pub widget_key: String,
    pub allowed_origins: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewAgent {
    pub tenant_id: String,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: AgentRole,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub tenant_id: String,
    pub key_hash: String,
    pub visitor: Visitor,
    pub status: SessionStatus,
    /// A test conversation from the diagnostics page (`Session::test`).
    pub test: bool,
    /// The visitor across conversations (`Session::visitor_id`).
    pub visitor_id: Option<String>,
}

/// A session found by its visitor's key, with the tenant it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedSession {
    pub tenant_id: String,
    pub session: Session,
}

#[derive(Debug, Clone)]
pub struct NewMessage {
    /// The id to store it under; a new one when `None`. The AI's answer keeps the id its stream
    /// was announced with, so clients replace the streamed text with the stored message.
    pub id: Option<String>,
    pub session_id: String,
    pub sender: Sender,
    pub content: String,
    pub client_message_id: Option<String>,
    /// The AI offered to bring in a person: a "yes" to this message asks for one.
    pub offers_human: bool,
    /// The article the AI's answer came from.
    pub source: Option<ArticleLink>,
    /// Uploads of this session that the message takes (checked by the hub).
    pub attachments: Vec<Attachment>,
}

impl NewMessage {
    /// The message as stored under `id`, `seq` and the time `at`.
    pub(crate) fn stored(self, id: String, seq: u64, at: String) -> Message {
        Message {
            id,
            session_id: self.session_id,
            seq,
            client_message_id: self.client_message_id,
            sender: self.sender,
            content: self.content,
            created_at: crate::protocol::Timestamp(at),
            offers_human: self.offers_human,
            source: self.source,
            attachments: self.attachments,
        }
    }

    /// A line in the thread from the system itself ("Alice joined the conversation").
    pub fn system(session_id: &str, content: String) -> Self {
        Self {
            id: None,
            session_id: session_id.to_string(),
            sender: Sender::system(),
            content,
            client_message_id: None,
            offers_human: false,
            source: None,
            attachments: Vec::new(),
        }
    }
}

/// An upload about to be stored.
#[derive(Debug, Clone)]
pub struct NewAttachment {
    pub id: String,
    pub tenant_id: String,
    pub session_id: String,
    /// Who sent it: the visitor, or an agent (with their id).
    pub uploader: Sender,
    pub name: String,
    pub content_type: String,
}

/// An upload whose pieces are all in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FinishedUpload {
    pub size: u64,
    pub chunks: u32,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// A complete upload, with whose it is: its session's, and the message that took it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    pub tenant_id: String,
    pub session_id: String,
    pub message_id: Option<String>,
    /// How many pieces its bytes are in.
    pub chunks: u32,
    /// Its description, without an address.
    pub attachment: Attachment,
}

/// The outcome of [`Store::append`]: the stored message, and whether this call stored it
/// (false when the `clientMessageId` had been seen in the session before).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub message: Message,
    pub created: bool,
}

/// Which of a tenant's sessions a list shows, newest activity first, and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionPage {
    /// `None`: every session, open or closed.
    pub view: Option<SessionView>,
    /// Only sessions after this one in the order: its `(updated_at, id)`.
    pub before: Option<(String, String)>,
    pub limit: u32,
}

impl SessionPage {
    /// Every session (a test's or a tool's whole list).
    pub fn all() -> Self {
        Self {
            view: None,
            before: None,
            limit: u32::MAX,
        }
    }

    /// The SQL condition of the view; `viewer` is the backend's placeholder for the agent. No
    /// list shows a test conversation (`Session::test`).
    pub(crate) fn condition(&self, viewer: &str) -> String {
        let view = match self.view {
            None => "TRUE".into(),
            Some(SessionView::Unassigned) => {
                "s.status = 'pending' AND s.assigned_agent_id IS NULL".into()
            }
            Some(SessionView::Ai) => "s.status = 'bot'".into(),
            Some(SessionView::Mine) => {
                format!("s.status <> 'closed' AND s.assigned_agent_id = {viewer}")
            }
            Some(SessionView::Open) => "s.status <> 'closed'".into(),
            Some(SessionView::Closed) => "s.status = 'closed'".into(),
        };
        format!("NOT s.is_test AND ({view})")
    }
}

/// A change of who holds a session or where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionChange {
    /// An agent takes the session: `active`, assigned to them.
    Assign { agent_id: String },
    /// A new status; the assignment is kept (a closed session remembers who had it).
    Status(SessionStatus),
    /// Back to the queue: `pending`, held by nobody.
    Unassign,
    /// Automatic assignment: as `Assign`, but only while the session waits in the queue
    /// (`pending`, held by nobody) and the agent, enabled, holds fewer than `capacity` active
    /// conversations. Atomic across nodes: of two deciding at once, one wins.
    Route { agent_id: String, capacity: u32 },
    /// The visitor left an email address for a reply.
    Contact { email: String },
}

/// Who has seen a conversation, for [`Store::mark_read`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader<'a> {
    Visitor,
    Agent { id: &'a str },
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    async fn ping(&self) -> StoreResult<()>;
    async fn close(&self);

    async fn create_tenant(&self, new: NewTenant) -> StoreResult<Tenant>;
    async fn tenant(&self, id: &str) -> StoreResult<Option<Tenant>>;
    async fn tenant_by_widget_key(&self, widget_key: &str) -> StoreResult<Option<Tenant>>;
    async fn tenants(&self) -> StoreResult<Vec<Tenant>>;
    /// Replaces a tenant's allowed origins and assistant settings; false when there is no such
    /// tenant.
    async fn update_tenant(&self, id: &str, sites: &[String], ai: &TenantAi) -> StoreResult<bool>;
    /// Sets a tenant's title, colour and launcher side (the avatar is kept); false when there
    /// is no such tenant.
    async fn set_look(&self, id: &str, look: &TenantLook) -> StoreResult<bool>;
    /// Stores (or, `None`, removes) a tenant's avatar and gives it a new version; false when
    /// there is no such tenant.
    async fn set_avatar(&self, id: &str, avatar: Option<&Avatar>) -> StoreResult<bool>;
    /// Sets (or, `None`, removes) who a tenant's emails are from; false when there is no such
    /// tenant.
    async fn set_email_from(&self, id: &str, from: Option<&str>) -> StoreResult<bool>;
    /// Sets how a tenant's conversations find an agent; false when there is no such tenant.
    async fn set_routing(&self, id: &str, routing: &RoutingSettings) -> StoreResult<bool>;
    /// Sets a tenant's office hours; false when there is no such tenant.
    async fn set_hours(&self, id: &str, hours: &OfficeHoursSettings) -> StoreResult<bool>;
    async fn avatar(&self, id: &str) -> StoreResult<Option<Avatar>>;

    async fn create_agent(&self, new: NewAgent) -> StoreResult<Agent>;
    async fn agent(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Agent>>;
    async fn agent_by_email(&self, email: &str) -> StoreResult<Option<Agent>>;
    async fn agents(&self, tenant_id: &str) -> StoreResult<Vec<Agent>>;
    /// Sets a new password and ends every sign-in of the agent (raises the token version).
    /// Returns false when no agent has that id.
    async fn set_password_hash(&self, agent_id: &str, password_hash: &str) -> StoreResult<bool>;
    /// Returns false when no agent has that id.
    async fn update_agent(&self, agent_id: &str, change: AgentChange) -> StoreResult<bool>;
    /// Refuses a token from now until `expires_at` (Unix seconds), when it would expire anyway.
    async fn revoke_token(&self, token_id: &str, expires_at: u64) -> StoreResult<()>;
    async fn token_revoked(&self, token_id: &str) -> StoreResult<bool>;

    /// The tenant's articles, by title.
    async fn articles(&self, tenant_id: &str) -> StoreResult<Vec<Article>>;
    async fn article(&self, tenant_id: &str, id: &str) -> StoreResult<Option<Article>>;
    async fn article_by_slug(&self, tenant_id: &str, slug: &str) -> StoreResult<Option<Article>>;
    /// Returns false when the tenant has no such article.
    async fn delete_article(&self, tenant_id: &str, id: &str) -> StoreResult<bool>;
    /// How many articles the tenant has and when one last changed: cheap, asked before every
    /// answer, so that an edit on any node is used for the next question.
    async fn knowledge_version(&self, tenant_id: &str) -> StoreResult<KnowledgeVersion>;

    async fn setting(&self, key: &str) -> StoreResult<Option<String>>;
    /// Stores `value` unless the key has one already; returns the value that is stored.
    async fn setting_or_insert(&self, key: &str, value: &str) -> StoreResult<String>;
    /// Replaces what is known of the session's visitor and where they are; `updated_at`
    /// stays as it is.
    async fn set_visit(&self, session_id: &str, visit: &Visit) -> StoreResult<()>;
    /// Notes an agent's reply (`seq`) for an email follow-up, planned at `due_at` unless one is
    /// planned already (the replies until then go in one); only for a visitor who left an
    /// address.
    async fn plan_follow_up(&self, session_id: &str, seq: u64, due_at: &str) -> StoreResult<()>;
    /// Removes the emailed links that expired by `now`.
    async fn forget_expired_links(&self, now: &str) -> StoreResult<u64>;
    /// Notes when the visitor was last on the site (their last page closed).
    async fn set_visitor_seen(&self, session_id: &str, at: &str) -> StoreResult<()>;
    /// The follow-ups due by `now`, the longest due first, at most `limit`.
    async fn due_follow_ups(&self, now: &str, limit: u32) -> StoreResult<Vec<DueFollowUp>>;
    /// Holds a due follow-up for this node until `until`; false when another node took it.
    async fn claim_follow_up(&self, due: &DueFollowUp, until: &str) -> StoreResult<bool>;
    /// Sets which kinds of file a tenant accepts; false when there is no such tenant.
    async fn set_attachment_types(&self, id: &str, accepted: &Accepted) -> StoreResult<bool>;
    /// Starts storing an upload: its description, no bytes yet, not complete.
    async fn create_attachment(&self, new: &NewAttachment) -> StoreResult<()>;
    /// Stores piece `index` (from 0) of an upload, in a transaction of its own.
    async fn add_attachment_chunk(&self, id: &str, index: u32, bytes: &[u8]) -> StoreResult<()>;
    /// Marks an upload complete: all its pieces are in.
    async fn finish_attachment(&self, id: &str, done: &FinishedUpload) -> StoreResult<()>;
    /// Removes an upload and its bytes (one refused or broken off).
    async fn delete_attachment(&self, id: &str) -> StoreResult<()>;
    /// A complete upload, whoever's it is (the caller checks that it may have it).
    async fn attachment(&self, id: &str) -> StoreResult<Option<StoredAttachment>>;
    /// Piece `index` of an upload's bytes.
    async fn attachment_chunk(&self, id: &str, index: u32) -> StoreResult<Option<Vec<u8>>>;
    /// Removes the uploads no message took that were started before `before`: how many.
    async fn remove_unattached(&self, before: &str) -> StoreResult<u64>;
    /// Sets a tenant's identity secret and retention; false when there is no such tenant.
    async fn set_history_rules(&self, id: &str, rules: &HistoryRules) -> StoreResult<bool>;
    /// Stores a visitor: a new anonymous one with their key, or a verified customer's record
    /// (created, or its name and email brought up to date).
    async fn save_visitor(&self, new: &NewVisitor) -> StoreResult<VisitorRecord>;
    /// Moves an anonymous visitor's conversations to another visitor of the tenant (a customer
    /// who was identified) and removes the anonymous one.
    async fn merge_visitor(&self, tenant_id: &str, from: &str, into: &str) -> StoreResult<()>;
    /// Who gave an email address, and their conversations.
    async fn visitor_footprint(&self, tenant_id: &str, email: &str) -> StoreResult<Footprint>;
    /// Deletes conversations and visitors of the tenant (ids of others are passed over), in one
    /// transaction: what it deleted.
    async fn erase(&self, tenant_id: &str, erasure: &Erasure) -> StoreResult<ErasureReport>;
    /// A visitor of the tenant, found by their key's hash or the shop's user id.
    async fn visitor(
        &self,
        tenant_id: &str,
        lookup: VisitorLookup<'_>,
    ) -> StoreResult<Option<VisitorRecord>>;
    /// The visitor's conversations (no test ones), newest activity first, at most 100.
    async fn visitor_sessions(
        &self,
        tenant_id: &str,
        visitor_id: &str,
        viewer: Option<&str>,
    ) -> StoreResult<Vec<Session>>;
    /// The tenant's messages with every word of `terms`, best first, at most `limit`.
    async fn search(
        &self,
        tenant_id: &str,
        terms: &SearchTerms,
        limit: u32,
    ) -> StoreResult<Vec<SearchHit>>;
    /// The tenant's conversations closed with no activity since `before`, oldest first.
    async fn closed_before(
        &self,
        tenant_id: &str,
        before: &str,
        limit: u32,
    ) -> StoreResult<Vec<String>>;
    /// Ends a follow-up's try: done (sent, or nothing to send) or to be tried again.
    async fn settle_follow_up(
        &self,
        session_id: &str,
        outcome: &FollowUpOutcome,
    ) -> StoreResult<()>;
    /// Stores a new article; [`StoreError::Conflict`] when the tenant has one with its slug.
    async fn create_article(
        &self,
        tenant_id: &str,
        content: ArticleContent,
    ) -> StoreResult<Article>;
    /// Replaces an article's content; `None` when the tenant has no such article.
    async fn update_article(
        &self,
        tenant_id: &str,
        id: &str,
        content: ArticleContent,
    ) -> StoreResult<Option<Article>>;

    async fn create_session(&self, new: NewSession) -> StoreResult<Session>;
    /// The session as `viewer` (an agent id, for the unread count) sees it.
    async fn session(
        &self,
        tenant_id: &str,
        id: &str,
        viewer: Option<&str>,
    ) -> StoreResult<Option<Session>>;
    async fn session_by_key_hash(&self, key_hash: &str) -> StoreResult<Option<KeyedSession>>;
    /// Every session of the tenant, newest activity first.
    /// A page of the tenant's sessions, newest activity first, as `viewer` sees them (their
    /// unread counts; `Mine` is theirs).
    async fn sessions(
        &self,
        tenant_id: &str,
        viewer: &str,
        page: &SessionPage,
    ) -> StoreResult<Vec<Session>>;
    /// Applies `change`; `None` when the tenant has no such session.
    async fn update_session(
        &self,
        tenant_id: &str,
        id: &str,
        change: SessionChange,
    ) -> StoreResult<Option<Session>>;

    /// Stores a message with the next `seq` of its session, or returns the one stored earlier
    /// under the same `clientMessageId`.
    async fn append(&self, new: NewMessage) -> StoreResult<Appended>;
    /// Messages of a session with `seq > after_seq`, in `seq` order, at most `limit`.
    async fn messages_after(
        &self,
        session_id: &str,
        after_seq: u64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// The `limit` newest messages of a session with `seq < before_seq`, in `seq` order.
    async fn messages_before(
        &self,
        session_id: &str,
        before_seq: u64,
        limit: u32,
    ) -> StoreResult<Vec<Message>>;
    /// The tenant's queue: conversations waiting for a person (`pending`, held by nobody, not a
    /// test), the longest waiting first, at most `limit`.
    async fn queue(&self, tenant_id: &str, limit: u32) -> StoreResult<Vec<String>>;
    /// How many active conversations each of the tenant's agents holds (absent: none).
    async fn workloads(&self, tenant_id: &str) -> StoreResult<HashMap<String, u32>>;
    /// Records that `reader` has seen the session up to `seq`: never past its last message,
    /// never backwards. Returns the mark when it moved, `None` when it did not (or there is no
    /// such session). An agent's mark also moves the session's `team_read_seq`.
    async fn mark_read(
        &self,
        session_id: &str,
        reader: Reader<'_>,
        seq: u64,
    ) -> StoreResult<Option<u64>>;
    /// Stores a key (by its hash) that opens the session until `expires_at`, as its own
    /// session key does: the link in a follow-up email.
    async fn add_session_link(
        &self,
        session_id: &str,
        key_hash: &str,
        expires_at: &str,
    ) -> StoreResult<()>;
}

/// An email follow-up that is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueFollowUp {
    pub session_id: String,
    pub tenant_id: String,
    pub due_at: String,
    /// Tries that failed in a row.
    pub attempts: u32,
    /// The last `seq` an earlier email covered.
    pub emailed_seq: u64,
}

/// How a follow-up's try ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FollowUpOutcome {
    /// Everything up to `through_seq` is covered; a reply after it has the next email planned
    /// at `next_due`.
    Done { through_seq: u64, next_due: String },
    /// Try again at `at`; `failed` counts it as a failed try.
    Retry { at: String, failed: bool },
}

/// Opens the store the URL names and brings its schema up to date.
pub async fn connect(url: &DatabaseUrl) -> anyhow::Result<DynStore> {
    match url {
        DatabaseUrl::Sqlite(url) => Ok(Arc::new(SqliteStore::connect(url).await?)),
        DatabaseUrl::Postgres(url) => Ok(Arc::new(PgStore::connect(url).await?)),
    }
}

/// A new id: UUID v7, so ids sort by creation time.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current instant in the stored format (RFC 3339 UTC, milliseconds).
pub fn now() -> String {
    crate::protocol::Timestamp::now().0
}
