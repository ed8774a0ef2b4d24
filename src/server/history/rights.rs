//! A visitor's data rights: a copy of everything stored about whoever gave an email address,
//! and its erasure; and each tenant's retention, which erases closed conversations after its
//! number of days. Shared by `switchboard admin visitor` and the admins' REST calls.

use crate::protocol::{
    is_email, ErasureReport, ExportedConversation, ExportedFile, Message, Timestamp, VisitorExport,
};
use crate::server::store::{DynStore, Erasure, StoreError, StoreResult, Tenant};
use base64::Engine;

/// How many messages one read takes while exporting.
const PAGE: u32 = 500;
/// How many expired conversations one retention pass erases in a transaction.
const RETENTION_BATCH: u32 = 200;

/// An address that can name a visitor, trimmed; `None` when it is not one.
pub fn checked_email(email: &str) -> Option<&str> {
    let email = email.trim();
    is_email(email).then_some(email)
}

/// Everything stored about whoever gave `email` in the tenant: their visitor records, and
/// each of their conversations with its messages and files' bytes.
pub async fn export(store: &DynStore, tenant: &Tenant, email: &str) -> StoreResult<VisitorExport> {
    let footprint = store.visitor_footprint(&tenant.id, email).await?;
    let mut conversations = Vec::with_capacity(footprint.sessions.len());
    for session_id in &footprint.sessions {
        let Some(session) = store.session(&tenant.id, session_id, None).await? else {
            continue;
        };
        let messages = all_messages(store, session_id).await?;
        let files = files_of(store, &messages).await?;
        conversations.push(ExportedConversation {
            session,
            messages,
            files,
        });
    }
    Ok(VisitorExport {
        email: email.to_string(),
        tenant_name: tenant.name.clone(),
        exported_at: Timestamp(crate::server::store::now()),
        visitors: footprint.visitors,
        conversations,
    })
}

/// Erases whoever gave `email` in the tenant: their conversations (messages, files, links,
/// read marks, search entries) and visitor records.
pub async fn erase(store: &DynStore, tenant_id: &str, email: &str) -> StoreResult<ErasureReport> {
    let footprint = store.visitor_footprint(tenant_id, email).await?;
    let erasure = Erasure {
        sessions: footprint.sessions,
        visitors: footprint.visitors.into_iter().map(|v| v.id).collect(),
    };
    store.erase(tenant_id, &erasure).await
}

/// Every message of a session, in order.
pub async fn all_messages(store: &DynStore, session_id: &str) -> StoreResult<Vec<Message>> {
    let mut messages: Vec<Message> = Vec::new();
    loop {
        let after = messages.last().map_or(0, |m| m.seq);
        let page = store.messages_after(session_id, after, PAGE).await?;
        let done = page.len() < PAGE as usize;
        messages.extend(page);
        if done {
            return Ok(messages);
        }
    }
}

/// The bytes of every file the messages carry.
async fn files_of(store: &DynStore, messages: &[Message]) -> StoreResult<Vec<ExportedFile>> {
    let mut files = Vec::new();
    for attachment in messages.iter().flat_map(|m| &m.attachments) {
        let Some(stored) = store.attachment(&attachment.id).await? else {
            continue;
        };
        let mut bytes = Vec::with_capacity(attachment.size as usize);
        for index in 0..stored.chunks {
            let piece = store
                .attachment_chunk(&attachment.id, index)
                .await?
                .ok_or(StoreError::NotFound("attachment piece"))?;
            bytes.extend(piece);
        }
        files.push(ExportedFile {
            id: attachment.id.clone(),
            name: attachment.name.clone(),
            content_type: attachment.content_type.clone(),
            size: attachment.size,
            base64: base64::engine::general_purpose::STANDARD.encode(&bytes),
        });
    }
    Ok(files)
}

/// Erases the tenant's conversations closed with no activity for its retention's days, as of
/// `now` (RFC 3339); nothing when it keeps them.
pub async fn apply_retention(
    store: &DynStore,
    tenant: &Tenant,
    now: chrono::DateTime<chrono::Utc>,
) -> StoreResult<ErasureReport> {
    let mut report = ErasureReport::default();
    let Some(days) = tenant.history.retention_days else {
        return Ok(report);
    };
    let before = now - chrono::Duration::days(i64::from(days));
    let before = before.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    loop {
        let sessions = store
            .closed_before(&tenant.id, &before, RETENTION_BATCH)
            .await?;
        if sessions.is_empty() {
            return Ok(report);
        }
        let erasure = Erasure {
            sessions,
            visitors: Vec::new(),
        };
        let erased = store.erase(&tenant.id, &erasure).await?;
        if erased.conversations == 0 {
            return Ok(report);
        }
        report += erased;
    }
}
