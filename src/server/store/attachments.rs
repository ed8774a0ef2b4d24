//! The statements of attachments (docs/design.md, "Attachments"), shared by both backends in
//! SQLite's numbered form ([`super::changes::numbered_for_postgres`]), and how their rows and
//! a message's `attachments` column read.

use super::{rows::Columns, StoredAttachment};
use crate::protocol::Attachment;
use serde::{Deserialize, Serialize};

/// `?1` id, `?2` tenant, `?3` session, `?4` uploader's kind, `?5` uploader's id, `?6` name,
/// `?7` type, `?8` when.
pub(super) const CREATE: &str = "INSERT INTO attachments
    (id, tenant_id, session_id, uploader_kind, uploader_id, name, content_type, created_at)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";

/// `?1` attachment, `?2` index, `?3` bytes.
pub(super) const ADD_CHUNK: &str =
    "INSERT INTO attachment_chunks (attachment_id, idx, bytes) VALUES (?1, ?2, ?3)";

/// `?1` attachment, `?2` size, `?3` pieces, `?4` width, `?5` height.
pub(super) const FINISH: &str = "UPDATE attachments
    SET size = ?2, chunks = ?3, width = ?4, height = ?5, complete = TRUE WHERE id = ?1";

/// `?1` attachment: its pieces first, then itself (the schema cascades too; this does not
/// rely on foreign keys being enforced).
pub(super) const DELETE_CHUNKS: &str = "DELETE FROM attachment_chunks WHERE attachment_id = ?1";
pub(super) const DELETE: &str = "DELETE FROM attachments WHERE id = ?1";

/// `?1` attachment: a complete upload.
pub(super) const READ: &str = "SELECT id, tenant_id, session_id, message_id, name, content_type,
    size, width, height, chunks FROM attachments WHERE id = ?1 AND complete";

/// `?1` attachment, `?2` index.
pub(super) const READ_CHUNK: &str =
    "SELECT bytes FROM attachment_chunks WHERE attachment_id = ?1 AND idx = ?2";

/// `?1` the oldest start kept: uploads no message took, started before it.
pub(super) const STALE_CHUNKS: &str = "DELETE FROM attachment_chunks WHERE attachment_id IN
    (SELECT id FROM attachments WHERE message_id IS NULL AND created_at < ?1)";
pub(super) const STALE: &str =
    "DELETE FROM attachments WHERE message_id IS NULL AND created_at < ?1";

pub(super) fn stored_attachment_from(row: &impl Columns) -> Result<StoredAttachment, sqlx::Error> {
    let dimension = |name: &str| -> Result<Option<u32>, sqlx::Error> {
        Ok(row
            .optional_integer(name)?
            .map(|n| n.clamp(0, u32::MAX as i64) as u32))
    };
    Ok(StoredAttachment {
        tenant_id: row.text("tenant_id")?,
        session_id: row.text("session_id")?,
        message_id: row.optional_text("message_id")?,
        chunks: row.integer("chunks")?.max(0) as u32,
        attachment: Attachment {
            id: row.text("id")?,
            name: row.text("name")?,
            content_type: row.text("content_type")?,
            size: row.integer("size")?.max(0) as u64,
            url: String::new(),
            width: dimension("width")?,
            height: dimension("height")?,
        },
    })
}

/// A message's file as its `attachments` column keeps it: everything but the address, which
/// is minted for each reader.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kept {
    id: String,
    name: String,
    content_type: String,
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    width: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    height: Option<u32>,
}

/// The column's value for a message's files; `NULL` for none.
pub(super) fn to_column(attachments: &[Attachment]) -> Option<String> {
    if attachments.is_empty() {
        return None;
    }
    let kept: Vec<Kept> = attachments
        .iter()
        .map(|a| Kept {
            id: a.id.clone(),
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            width: a.width,
            height: a.height,
        })
        .collect();
    serde_json::to_string(&kept).ok()
}

/// A message's files from its column (an unreadable one, written by a later version, as none).
pub(super) fn from_column(column: Option<String>) -> Vec<Attachment> {
    let kept: Vec<Kept> = column
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    kept.into_iter()
        .map(|k| Attachment {
            id: k.id,
            name: k.name,
            content_type: k.content_type,
            size: k.size,
            url: String::new(),
            width: k.width,
            height: k.height,
        })
        .collect()
}

/// The ids of a message's files, for the PostgreSQL append that takes them.
pub(super) fn ids(attachments: &[Attachment]) -> Vec<String> {
    attachments.iter().map(|a| a.id.clone()).collect()
}
