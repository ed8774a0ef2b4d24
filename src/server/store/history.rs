//! The statements of history (docs/design.md, "History and data rights"): visitors across
//! conversations, search, and erasure. Shared by both backends in SQLite's numbered form
//! ([`super::changes::numbered_for_postgres`]), with how their rows read. Only the search
//! itself differs: each database has its own full-text index.

use super::rows::{parse_kind, parse_status, Columns};
use crate::protocol::{
    ErasureReport, SearchHit, Sender, SnippetPart, Timestamp, Visitor, VisitorRecord,
};

/// Where a snippet's matching words start and end: characters from Unicode's private use
/// area, which nobody types, so that the text around them needs no escaping.
pub(super) const HIT_START: char = '\u{E000}';
pub(super) const HIT_END: char = '\u{E001}';

/// `?1` tenant, `?2` the shop's user id.
pub(super) const VISITOR_BY_USER: &str =
    "SELECT * FROM visitors WHERE tenant_id = ?1 AND user_id = ?2";

/// `?1` tenant, `?2` the hash of the visitor's key: only an anonymous visitor has keys.
pub(super) const VISITOR_BY_KEY: &str = "SELECT v.* FROM visitors v
    JOIN visitor_keys k ON k.visitor_id = v.id
    WHERE v.tenant_id = ?1 AND k.key_hash = ?2 AND v.user_id IS NULL";

/// `?1` id, `?2` tenant, `?3` the shop's user id (NULL: anonymous), `?4` name, `?5` email,
/// `?6` when. A verified customer's record is one per user id: their name and email follow
/// what the shop last said.
pub(super) const SAVE_VISITOR: &str = "INSERT INTO visitors
    (id, tenant_id, user_id, name, email, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
    ON CONFLICT (tenant_id, user_id) DO UPDATE
    SET name = COALESCE(excluded.name, visitors.name),
        email = COALESCE(excluded.email, visitors.email)
    RETURNING *";

/// `?1` the key's hash, `?2` visitor.
pub(super) const ADD_VISITOR_KEY: &str =
    "INSERT INTO visitor_keys (key_hash, visitor_id) VALUES (?1, ?2)";

/// Moves a visitor's conversations to another visitor of the same tenant (an anonymous
/// visitor who was identified): `?1` from, `?2` into, `?3` tenant. [`ERASE_VISITOR`] then
/// removes the one left without conversations.
pub(super) const MOVE_SESSIONS: &str = "UPDATE sessions SET visitor_id = ?2
    WHERE visitor_id = ?1 AND tenant_id = ?3
      AND EXISTS (SELECT 1 FROM visitors WHERE id = ?2 AND tenant_id = ?3)";

/// Who gave an email address (`?2`) in a tenant (`?1`): the visitor records with it, and those
/// of the conversations where it was given.
pub(super) const VISITORS_BY_EMAIL: &str = "SELECT * FROM visitors v WHERE v.tenant_id = ?1
    AND (lower(v.email) = lower(?2) OR v.id IN (SELECT s.visitor_id FROM sessions s
         WHERE s.tenant_id = ?1 AND lower(s.visitor_email) = lower(?2)))
    ORDER BY v.created_at, v.id";

/// The conversations of that address: where it was given, and every conversation of the
/// visitors who gave it.
pub(super) const SESSIONS_BY_EMAIL: &str = "SELECT s.id FROM sessions s WHERE s.tenant_id = ?1
    AND (lower(s.visitor_email) = lower(?2)
         OR s.visitor_id IN (SELECT v.id FROM visitors v
                             WHERE v.tenant_id = ?1 AND lower(v.email) = lower(?2))
         OR s.visitor_id IN (SELECT x.visitor_id FROM sessions x
                             WHERE x.tenant_id = ?1 AND lower(x.visitor_email) = lower(?2)))
    ORDER BY s.created_at, s.id";

/// `?1` tenant, `?2` the oldest activity kept, `?3` how many: closed conversations to forget.
pub(super) const CLOSED_BEFORE: &str = "SELECT id FROM sessions
    WHERE tenant_id = ?1 AND status = 'closed' AND updated_at < ?2
    ORDER BY updated_at LIMIT ?3";

/// `?1` session, `?2` tenant: the session is the tenant's (checked before erasing it).
pub(super) const SESSION_OF_TENANT: &str =
    "SELECT COUNT(*) FROM sessions WHERE id = ?1 AND tenant_id = ?2";

/// Erases a conversation (`?1`), in this order (what refers to it first): its files' bytes,
/// its files, its emailed links, the agents' read marks, its messages (on SQLite a trigger
/// takes each out of the search index; PostgreSQL's index follows the table), itself.
pub(super) const ERASE_SESSION: [&str; 6] = [
    "DELETE FROM attachment_chunks WHERE attachment_id IN
       (SELECT id FROM attachments WHERE session_id = ?1)",
    "DELETE FROM attachments WHERE session_id = ?1",
    "DELETE FROM session_links WHERE session_id = ?1",
    "DELETE FROM read_marks WHERE session_id = ?1",
    "DELETE FROM messages WHERE session_id = ?1",
    "DELETE FROM sessions WHERE id = ?1",
];

/// Which of [`ERASE_SESSION`]'s steps count what the report says.
pub(super) const ERASED_ATTACHMENTS: usize = 1;
pub(super) const ERASED_MESSAGES: usize = 4;

/// Erases a visitor (`?1`) of a tenant (`?2`) that no conversation refers to any more.
pub(super) const ERASE_VISITOR: [&str; 2] = [
    "DELETE FROM visitor_keys WHERE visitor_id = ?1
       AND NOT EXISTS (SELECT 1 FROM sessions WHERE visitor_id = ?1)",
    "DELETE FROM visitors WHERE id = ?1 AND tenant_id = ?2
       AND NOT EXISTS (SELECT 1 FROM sessions WHERE visitor_id = ?1)",
];

/// Adds one erased conversation's counts (`rows[i]`: rows [`ERASE_SESSION`]'s step `i` took).
pub(super) fn count_erased(report: &mut ErasureReport, rows: &[u64]) {
    report.attachments += rows[ERASED_ATTACHMENTS];
    report.messages += rows[ERASED_MESSAGES];
    report.conversations += rows[ERASE_SESSION.len() - 1];
}

/// The columns the search statements select, besides the snippet.
pub(super) const HIT_COLUMNS: &str = "m.id AS message_id, m.session_id, m.seq, m.sender_kind,
    m.sender_id, m.sender_name, m.created_at, s.visitor_name, s.visitor_email, s.status";

/// Only what people wrote is found: the system's own lines are not.
pub(super) const SEARCHABLE: &str = "m.sender_kind <> 'system' AND NOT s.is_test";

/// The visitor record a row holds.
pub(super) fn visitor_from(row: &impl Columns) -> Result<VisitorRecord, sqlx::Error> {
    Ok(VisitorRecord {
        id: row.text("id")?,
        user_id: row.optional_text("user_id")?,
        name: row.optional_text("name")?,
        email: row.optional_text("email")?,
        created_at: Timestamp(row.text("created_at")?),
    })
}

/// A search hit from [`HIT_COLUMNS`] and a `snippet` column marked with [`HIT_START`] and
/// [`HIT_END`].
pub(super) fn hit_from(row: &impl Columns) -> Result<SearchHit, sqlx::Error> {
    Ok(SearchHit {
        session_id: row.text("session_id")?,
        message_id: row.text("message_id")?,
        seq: row.integer("seq")?.max(0) as u64,
        sender: Sender {
            kind: parse_kind(&row.text("sender_kind")?),
            id: row.optional_text("sender_id")?,
            name: row.optional_text("sender_name")?,
        },
        created_at: Timestamp(row.text("created_at")?),
        visitor: Visitor {
            name: row.optional_text("visitor_name")?,
            email: row.optional_text("visitor_email")?,
        },
        status: parse_status(&row.text("status")?),
        snippet: snippet_parts(&row.text("snippet")?),
    })
}

/// A marked snippet as plain-text parts: the marked words as hits, the rest around them.
pub(super) fn snippet_parts(marked: &str) -> Vec<SnippetPart> {
    let mut parts: Vec<SnippetPart> = Vec::new();
    let mut text = String::new();
    let mut hit = false;
    let mut flush = |text: &mut String, hit: bool| {
        if !text.is_empty() {
            parts.push(SnippetPart {
                text: std::mem::take(text),
                hit,
            });
        }
    };
    for c in marked.chars() {
        match c {
            HIT_START if !hit => {
                flush(&mut text, false);
                hit = true;
            }
            HIT_END if hit => {
                flush(&mut text, true);
                hit = false;
            }
            HIT_START | HIT_END => {}
            c => text.push(c),
        }
    }
    flush(&mut text, hit);
    parts
}

/// The words a search looks for: letters and digits only (so that neither index's query
/// syntax can be reached from a search box), lower-case, at most [`MAX_SEARCH_WORDS`]; the
/// last one also as the start of a word, so that results come while typing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTerms {
    words: Vec<String>,
}

/// The most words of a query that are looked for.
pub const MAX_SEARCH_WORDS: usize = 8;

impl SearchTerms {
    /// The words of a query; `None` when it has none.
    pub fn parse(query: &str) -> Option<Self> {
        let words: Vec<String> = query
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .take(MAX_SEARCH_WORDS)
            .map(str::to_lowercase)
            .collect();
        (!words.is_empty()).then_some(Self { words })
    }

    /// As an FTS5 query: every word, the last as a prefix (`"refund" "pol"*`).
    pub(super) fn fts5(&self) -> String {
        let last = self.words.len() - 1;
        let quoted = |(i, w): (usize, &String)| {
            if i == last {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        };
        self.words
            .iter()
            .enumerate()
            .map(quoted)
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// As a PostgreSQL `tsquery`: every word, the last as a prefix (`refund & pol:*`).
    pub(super) fn tsquery(&self) -> String {
        let last = self.words.len() - 1;
        let word = |(i, w): (usize, &String)| {
            if i == last {
                format!("{w}:*")
            } else {
                w.clone()
            }
        };
        self.words
            .iter()
            .enumerate()
            .map(word)
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snippet_reads_as_parts_with_its_hits_marked() {
        let parts =
            snippet_parts("… our \u{E000}refund\u{E001} policy for \u{E000}kettles\u{E001}");
        let texts: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(
            texts,
            [
                ("… our ", false),
                ("refund", true),
                (" policy for ", false),
                ("kettles", true)
            ]
        );
    }

    #[test]
    fn a_query_becomes_words_the_last_one_a_prefix() {
        let terms = SearchTerms::parse("  Refund, \"policy\" OR pol* -x").expect("words");
        assert_eq!(terms.fts5(), "\"refund\" \"policy\" \"or\" \"pol\" \"x\"*");
        assert_eq!(terms.tsquery(), "refund & policy & or & pol & x:*");
        assert_eq!(SearchTerms::parse(" *-\"' "), None);
    }

    #[test]
    fn stray_markers_are_dropped_not_shown() {
        let parts = snippet_parts("a\u{E001}b\u{E000}\u{E000}c");
        let texts: Vec<(&str, bool)> = parts.iter().map(|p| (p.text.as_str(), p.hit)).collect();
        assert_eq!(texts, [("ab", false), ("c", true)]);
    }
}
