//! The statements of email follow-ups (docs/design.md, "Email follow-ups"), shared by both
//! backends in SQLite's numbered form ([`super::changes::numbered_for_postgres`]).

/// `?1` session, `?2` when due, `?3` the reply's `seq`: notes the reply and plans an email
/// unless one is planned already (the replies until then go in it); only for a visitor who
/// left an address.
pub(super) const PLAN: &str = "UPDATE sessions SET
    follow_up_seq = CASE WHEN follow_up_seq > ?3 THEN follow_up_seq ELSE ?3 END,
    follow_up_due_at = COALESCE(follow_up_due_at, ?2)
    WHERE id = ?1 AND visitor_email IS NOT NULL";

/// `?1` now, `?2` limit: the follow-ups due, the longest due first.
pub(super) const DUE: &str =
    "SELECT id, tenant_id, follow_up_due_at, follow_up_attempts, emailed_seq
    FROM sessions WHERE follow_up_due_at IS NOT NULL AND follow_up_due_at <= ?1
    ORDER BY follow_up_due_at LIMIT ?2";

/// `?1` session, `?2` the due time read, `?3` until when this node holds it: one node wins.
pub(super) const CLAIM: &str =
    "UPDATE sessions SET follow_up_due_at = ?3 WHERE id = ?1 AND follow_up_due_at = ?2";

/// `?1` session, `?2` the last `seq` covered, `?3` when the next is due: done up to `?2`; a
/// reply noted meanwhile has the next email planned. (Read from the row itself, which a
/// concurrent [`PLAN`] has locked and written: PostgreSQL re-reads it, SQLite has one writer.)
pub(super) const DONE: &str = "UPDATE sessions SET
    emailed_seq = CASE WHEN emailed_seq > ?2 THEN emailed_seq ELSE ?2 END,
    follow_up_attempts = 0,
    follow_up_due_at = CASE WHEN follow_up_seq > ?2 THEN ?3 ELSE NULL END
    WHERE id = ?1";

/// `?1` session, `?2` when to try again, `?3` 1 after a failure (0: only later).
pub(super) const RETRY: &str = "UPDATE sessions
    SET follow_up_due_at = ?2, follow_up_attempts = follow_up_attempts + ?3 WHERE id = ?1";

/// `?1` now: links that expired.
pub(super) const FORGET_LINKS: &str = "DELETE FROM session_links WHERE expires_at <= ?1";

/// `?1` key hash, `?2` session, `?3` expiry.
pub(super) const LINK: &str =
    "INSERT INTO session_links (key_hash, session_id, expires_at) VALUES (?1, ?2, ?3)";
