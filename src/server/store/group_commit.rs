//! Group commit for SQLite: the messages appended while a transaction is being written are
//! stored together in the next one, so a single COMMIT (and a single fsync of the write-ahead
//! log) covers them all, and the writer connection's thread is woken once per group rather than
//! once per statement. Every caller is answered only after that COMMIT returned: no message is
//! acknowledged, nor published, before it is durable.

use super::{attachments, new_id, now, rows::kind_str, NewMessage, StoreError, StoreResult};
use crate::protocol::Message;
use sqlx::{sqlite::SqlitePool, Row};
use std::{collections::HashMap, sync::OnceLock};
use tokio::sync::{mpsc, oneshot};

/// The most messages one transaction stores.
const MOST_PER_COMMIT: usize = 256;

/// A group is stored in queries of this many INSERTs each (64 + 16 + 4 + 1 + …), so that only
/// four query texts are ever prepared (and kept in the connection's statement cache).
const STATEMENTS_PER_QUERY: [usize; 4] = [64, 16, 4, 1];

/// One message. `last_seq + 1` reads what the previous INSERT of the group left, because the
/// `messages_advance_session` trigger (migration 0003) advances the session as each row lands.
/// `WHERE true` keeps SQLite from reading ON CONFLICT as part of the SELECT.
/// A message's files are taken by the `messages_take_attachments` trigger (migration 0016).
const INSERT: &str = "INSERT INTO messages (id, session_id, seq, client_message_id, sender_kind, sender_id, sender_name, content, created_at, offers_human, source_title, source_url, attachments)
 SELECT ?, id, last_seq + 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM sessions WHERE id = ? AND true
 ON CONFLICT (session_id, client_message_id) DO NOTHING
 RETURNING id, seq;";

fn query_text(statements: usize) -> &'static str {
    static TEXTS: OnceLock<Vec<String>> = OnceLock::new();
    let texts = TEXTS.get_or_init(|| {
        STATEMENTS_PER_QUERY
            .iter()
            .map(|&n| INSERT.repeat(n))
            .collect()
    });
    let at = STATEMENTS_PER_QUERY
        .iter()
        .position(|&n| n == statements)
        .expect("a size of STATEMENTS_PER_QUERY");
    &texts[at]
}

/// A message waiting for the next commit.
struct Pending {
    id: String,
    at: String,
    new: NewMessage,
    stored: oneshot::Sender<StoreResult<Option<Message>>>,
}

#[derive(Clone)]
pub(super) struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the task that owns `writer` for appends.
    pub fn start(writer: SqlitePool) -> Self {
        let (queue, pending) = mpsc::channel(4 * MOST_PER_COMMIT);
        tokio::spawn(commit_groups(writer, pending));
        Self { queue }
    }

    /// The message as stored, once committed; `None` when nothing was stored: its
    /// `clientMessageId` is in the session already, or there is no such session.
    pub async fn store(&self, new: NewMessage) -> StoreResult<Option<Message>> {
        let (stored, outcome) = oneshot::channel();
        let pending = Pending {
            id: new.id.clone().unwrap_or_else(new_id),
            at: now(),
            new,
            stored,
        };
        let gone = || StoreError::Database(sqlx::Error::PoolClosed);
        self.queue.send(pending).await.map_err(|_| gone())?;
        outcome.await.map_err(|_| gone())?
    }
}

async fn commit_groups(writer: SqlitePool, mut queue: mpsc::Receiver<Pending>) {
    let mut group = Vec::with_capacity(MOST_PER_COMMIT);
    while queue.recv_many(&mut group, MOST_PER_COMMIT).await > 0 {
        match commit(&writer, &group).await {
            Ok(seqs) => {
                for pending in group.drain(..) {
                    let seq = seqs.get(&pending.id).copied();
                    pending.answer(Ok(seq));
                }
            }
            // Nothing of the group was stored. Each message is tried alone, so that one bad
            // message fails by itself.
            Err(error) => {
                tracing::warn!(%error, messages = group.len(), "a group commit failed; storing its messages one by one");
                for pending in group.drain(..) {
                    let seq = commit(&writer, std::slice::from_ref(&pending))
                        .await
                        .map(|seqs| seqs.get(&pending.id).copied());
                    pending.answer(seq);
                }
            }
        }
    }
}

impl Pending {
    /// Tells the appender what became of its message: its `seq` once committed, `None` if it
    /// was not stored.
    fn answer(self, seq: StoreResult<Option<u64>>) {
        let Pending {
            id,
            at,
            new,
            stored,
        } = self;
        let message = seq.map(|seq| seq.map(|seq| new.stored(id, seq, at)));
        // The appender may have gone away (its socket closed); the message is stored anyway.
        let _ = stored.send(message);
    }
}

/// Stores the group in one transaction; returns the `seq` of each message stored, by id.
async fn commit(writer: &SqlitePool, group: &[Pending]) -> StoreResult<HashMap<String, u64>> {
    let mut tx = writer.begin().await?;
    let mut seqs = HashMap::with_capacity(group.len());
    let mut rest = group;
    while !rest.is_empty() {
        let statements = *STATEMENTS_PER_QUERY
            .iter()
            .find(|&&n| n <= rest.len())
            .expect("1 is a size");
        let (chunk, after) = rest.split_at(statements);
        let mut query = sqlx::query(query_text(statements));
        for p in chunk {
            query = query
                .bind(&p.id)
                .bind(&p.new.client_message_id)
                .bind(kind_str(p.new.sender.kind))
                .bind(&p.new.sender.id)
                .bind(&p.new.sender.name)
                .bind(&p.new.content)
                .bind(&p.at)
                .bind(p.new.offers_human)
                .bind(p.new.source.as_ref().map(|s| &s.title))
                .bind(p.new.source.as_ref().map(|s| &s.url))
                .bind(attachments::to_column(&p.new.attachments))
                .bind(&p.new.session_id);
        }
        for row in query.fetch_all(&mut *tx).await? {
            let seq: i64 = row.try_get("seq")?;
            seqs.insert(row.try_get("id")?, seq as u64);
        }
        rest = after;
    }
    tx.commit().await?;
    Ok(seqs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_query_text_per_size() {
        for n in STATEMENTS_PER_QUERY {
            assert_eq!(query_text(n).matches("INSERT INTO messages").count(), n);
        }
    }
}
