-- Email follow-ups (docs/design.md, "Email follow-ups"): when the next email to the visitor is
-- due (NULL: none; a node sending it holds it by moving it a few minutes on), the last agent's
-- reply that asked for one, how many tries failed in a row, and the last `seq` an email has
-- covered.
ALTER TABLE sessions ADD COLUMN follow_up_due_at TEXT;
ALTER TABLE sessions ADD COLUMN follow_up_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN follow_up_attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN emailed_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX sessions_follow_up_due ON sessions (follow_up_due_at)
    WHERE follow_up_due_at IS NOT NULL;
-- Who a tenant's emails are from ("Shop <help@shop.example>"); NULL: `--email-from`.
ALTER TABLE tenants ADD COLUMN email_from TEXT;
-- The keys in emailed links: each opens its conversation in the messenger until it expires,
-- as the visitor's own session key does.
CREATE TABLE session_links (
    key_hash   TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL
);
CREATE INDEX session_links_session ON session_links (session_id);
CREATE INDEX session_links_expiry ON session_links (expires_at);
