-- Read receipts: how far the visitor has seen their conversation, and the furthest any agent
-- has read it (the "Seen" under each side's last message). Both only move forward, and never
-- past the conversation's last message.
ALTER TABLE sessions ADD COLUMN visitor_read_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN team_read_seq BIGINT NOT NULL DEFAULT 0;
UPDATE sessions SET team_read_seq = LEAST(last_seq, COALESCE(
    (SELECT MAX(r.seq) FROM read_marks r WHERE r.session_id = sessions.id), 0));
