-- A stored message advances its session's `last_seq` in the same statement that stores it, so
-- that one multi-statement query can store a whole group of messages (store/group_commit.rs):
-- each INSERT reads the `last_seq` the previous one left. A skipped duplicate fires nothing.
CREATE TRIGGER messages_advance_session AFTER INSERT ON messages
BEGIN
    UPDATE sessions SET last_seq = NEW.seq, updated_at = NEW.created_at WHERE id = NEW.session_id;
END;
