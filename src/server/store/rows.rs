//! Reading rows into the store's types, shared by both backends: the columns have the same
//! names and, where it matters here, the same types (text, 64-bit integers) in SQLite and in
//! PostgreSQL.

use super::{Agent, Article, HistoryRules, KnowledgeVersion, TenantLook};
use crate::protocol::{
    AgentRef, AgentRole, ArticleLink, AssignmentMode, Availability, LauncherSide, Message,
    OfficeHoursSettings, RoutingSettings, Sender, SenderKind, Session, SessionStatus, Timestamp,
    Visit, Visitor, MAX_CAPACITY,
};
use sqlx::{postgres::PgRow, sqlite::SqliteRow, Row};

/// The column types the shared readers need, for either backend's rows.
pub(super) trait Columns {
    fn text(&self, name: &str) -> Result<String, sqlx::Error>;
    fn optional_text(&self, name: &str) -> Result<Option<String>, sqlx::Error>;
    fn integer(&self, name: &str) -> Result<i64, sqlx::Error>;
    fn optional_integer(&self, name: &str) -> Result<Option<i64>, sqlx::Error>;
    fn flag(&self, name: &str) -> Result<bool, sqlx::Error>;
}

macro_rules! columns_for {
    ($row:ty) => {
        impl Columns for $row {
            fn text(&self, name: &str) -> Result<String, sqlx::Error> {
                self.try_get(name)
            }
            fn optional_text(&self, name: &str) -> Result<Option<String>, sqlx::Error> {
                self.try_get(name)
            }
            fn integer(&self, name: &str) -> Result<i64, sqlx::Error> {
                self.try_get(name)
            }
            fn optional_integer(&self, name: &str) -> Result<Option<i64>, sqlx::Error> {
                self.try_get(name)
            }
            fn flag(&self, name: &str) -> Result<bool, sqlx::Error> {
                self.try_get(name)
            }
        }
    };
}

columns_for!(SqliteRow);
columns_for!(PgRow);

pub(super) fn status_str(status: SessionStatus) -> &'static str {
    match status {
        SessionStatus::Bot => "bot",
        SessionStatus::Pending => "pending",
        SessionStatus::Active => "active",
        SessionStatus::Closed => "closed",
    }
}

pub(super) fn parse_status(text: &str) -> SessionStatus {
    match text {
        "bot" => SessionStatus::Bot,
        "pending" => SessionStatus::Pending,
        "active" => SessionStatus::Active,
        _ => SessionStatus::Closed,
    }
}

pub(super) fn kind_str(kind: SenderKind) -> &'static str {
    match kind {
        SenderKind::Customer => "customer",
        SenderKind::Ai => "ai",
        SenderKind::Agent => "agent",
        SenderKind::System => "system",
    }
}

pub(super) fn parse_kind(text: &str) -> SenderKind {
    match text {
        "customer" => SenderKind::Customer,
        "ai" => SenderKind::Ai,
        "agent" => SenderKind::Agent,
        _ => SenderKind::System,
    }
}

pub(super) fn agent_from(row: &impl Columns) -> Result<Agent, sqlx::Error> {
    Ok(Agent {
        id: row.text("id")?,
        tenant_id: row.text("tenant_id")?,
        email: row.text("email")?,
        name: row.text("name")?,
        password_hash: row.text("password_hash")?,
        created_at: row.text("created_at")?,
        role: AgentRole::parse(&row.text("role")?).unwrap_or_default(),
        disabled: row.flag("disabled")?,
        token_version: row.integer("token_version")? as u64,
        away: row.flag("away")?,
        availability: Availability::parse(&row.text("availability")?).unwrap_or_default(),
        last_assigned_at: row.optional_text("last_assigned_at")?,
    })
}

/// Reads a message from columns named with `prefix` (`""` for the messages table itself,
/// `"m_"` for the last message joined onto a session).
pub(super) fn message_from(row: &impl Columns, prefix: &str) -> Result<Message, sqlx::Error> {
    let col = |name: &str| format!("{prefix}{name}");
    Ok(Message {
        id: row.text(&col("id"))?,
        session_id: row.text(&col("session_id"))?,
        seq: row.integer(&col("seq"))? as u64,
        client_message_id: row.optional_text(&col("client_message_id"))?,
        sender: Sender {
            kind: parse_kind(&row.text(&col("sender_kind"))?),
            id: row.optional_text(&col("sender_id"))?,
            name: row.optional_text(&col("sender_name"))?,
        },
        content: row.text(&col("content"))?,
        created_at: Timestamp(row.text(&col("created_at"))?),
        offers_human: row.flag(&col("offers_human"))?,
        source: row
            .optional_text(&col("source_title"))?
            .zip(row.optional_text(&col("source_url"))?)
            .map(|(title, url)| ArticleLink { title, url }),
        attachments: super::attachments::from_column(row.optional_text(&col("attachments"))?),
    })
}

/// How a tenant routes, from its `assignment` and `capacity` columns.
pub(super) fn routing_from(row: &impl Columns) -> Result<RoutingSettings, sqlx::Error> {
    Ok(RoutingSettings {
        assignment: AssignmentMode::parse(&row.text("assignment")?).unwrap_or_default(),
        capacity: row.integer("capacity")?.clamp(1, MAX_CAPACITY as i64) as u32,
    })
}

/// A tenant's office hours, from its `office_hours` and `timezone` columns.
pub(super) fn hours_from(row: &impl Columns) -> Result<OfficeHoursSettings, sqlx::Error> {
    Ok(OfficeHoursSettings {
        hours: row.optional_text("office_hours")?,
        timezone: row.text("timezone")?,
    })
}

/// Reads a session from the columns that each backend's session query selects: the session,
/// its agent's name as `agent_name`, its last message as `m_*`, and `unread`.
pub(super) fn look_from(row: &impl Columns) -> Result<TenantLook, sqlx::Error> {
    Ok(TenantLook {
        title: row.optional_text("widget_title")?,
        colour: row.optional_text("widget_colour")?,
        launcher: LauncherSide::parse(&row.text("launcher_side")?).unwrap_or_default(),
        avatar_version: row.optional_text("avatar_version")?,
    })
}

/// A tenant's identity secret and retention, from its columns of those names.
pub(super) fn history_rules_from(row: &impl Columns) -> Result<HistoryRules, sqlx::Error> {
    Ok(HistoryRules {
        identity_secret: row.optional_text("identity_secret")?,
        retention_days: row
            .optional_integer("retention_days")?
            .map(|days| days.clamp(1, u32::MAX as i64) as u32),
    })
}

pub(super) fn session_from(row: &impl Columns) -> Result<Session, sqlx::Error> {
    let agent_id = row.optional_text("assigned_agent_id")?;
    let agent_name = row.optional_text("agent_name")?;
    Ok(Session {
        id: row.text("id")?,
        status: parse_status(&row.text("status")?),
        assigned_agent: agent_id
            .zip(agent_name)
            .map(|(id, name)| AgentRef { id, name }),
        visitor: Visitor {
            name: row.optional_text("visitor_name")?,
            email: row.optional_text("visitor_email")?,
        },
        last_message: match row.optional_text("m_id")? {
            Some(_) => Some(message_from(row, "m_")?),
            None => None,
        },
        unread_count: row.integer("unread")? as u64,
        visitor_read_seq: row.integer("visitor_read_seq")? as u64,
        team_read_seq: row.integer("team_read_seq")? as u64,
        visit: visit_from(row)?,
        created_at: Timestamp(row.text("created_at")?),
        updated_at: Timestamp(row.text("updated_at")?),
        test: row.flag("is_test")?,
        visitor_id: row.optional_text("visitor_id")?,
        verified_user_id: row.optional_text("verified_user_id")?,
    })
}

/// What is known of the visitor and where; `None` until their widget reported anything. An
/// unreadable one (written by a later version) counts as nothing known.
fn visit_from(row: &impl Columns) -> Result<Option<Visit>, sqlx::Error> {
    let visit: Option<Visit> = row
        .optional_text("visit")?
        .and_then(|json| serde_json::from_str(&json).ok());
    let seen_at = row.optional_text("visit_seen_at")?.map(Timestamp);
    Ok(match (visit, seen_at) {
        (None, None) => None,
        (visit, seen_at) => Some(Visit {
            seen_at,
            ..visit.unwrap_or_default()
        }),
    })
}

pub(super) fn article_from(row: &impl Columns) -> Result<Article, sqlx::Error> {
    Ok(Article {
        id: row.text("id")?,
        tenant_id: row.text("tenant_id")?,
        slug: row.text("slug")?,
        title: row.text("title")?,
        body: row.text("body")?,
        updated_at: row.text("updated_at")?,
    })
}

/// `COUNT(*) AS n, SUM(revision) AS revisions, MAX(id) AS newest` of a tenant's articles.
pub(super) fn version_from(row: &impl Columns) -> Result<KnowledgeVersion, sqlx::Error> {
    Ok(KnowledgeVersion {
        articles: row.integer("n")? as u64,
        revisions: row.integer("revisions")? as u64,
        newest: row.optional_text("newest")?,
    })
}
