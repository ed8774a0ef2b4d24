-- History (docs/design.md, "History and data rights"): visitors across conversations, one per
-- browser (found by the hash of the key its widget keeps, in visitor_keys) or one per verified
-- customer of the shop (found by the shop's user id, never by a key).
CREATE TABLE visitors (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    user_id    TEXT,
    name       TEXT,
    email      TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, user_id)
);
CREATE TABLE visitor_keys (
    key_hash   TEXT PRIMARY KEY,
    visitor_id TEXT NOT NULL REFERENCES visitors (id) ON DELETE CASCADE
);
CREATE INDEX visitor_keys_visitor ON visitor_keys (visitor_id);
ALTER TABLE sessions ADD COLUMN visitor_id TEXT REFERENCES visitors (id);
CREATE INDEX sessions_by_visitor ON sessions (visitor_id, updated_at DESC);
-- The key a tenant's shop signs its customers' ids with, and how many days its closed
-- conversations are kept (NULL: for ever).
ALTER TABLE tenants ADD COLUMN identity_secret TEXT;
ALTER TABLE tenants ADD COLUMN retention_days INTEGER;

-- Full-text search over what people wrote (not the system's own lines), per tenant. The index
-- keeps its own copy of the text under the message's rowid, so that deleting a message (an
-- erasure) finds its entry at once; test conversations are not indexed.
CREATE VIRTUAL TABLE message_search USING fts5(
    content, message_id UNINDEXED, session_id UNINDEXED, tenant_id UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_index_search AFTER INSERT ON messages
WHEN NEW.sender_kind <> 'system' AND NEW.content <> ''
BEGIN
    INSERT INTO message_search (rowid, content, message_id, session_id, tenant_id)
    SELECT NEW.rowid, NEW.content, NEW.id, NEW.session_id, s.tenant_id
    FROM sessions s WHERE s.id = NEW.session_id AND NOT s.is_test;
END;
CREATE TRIGGER messages_unindex_search AFTER DELETE ON messages
BEGIN
    DELETE FROM message_search WHERE rowid = OLD.rowid;
END;
INSERT INTO message_search (rowid, content, message_id, session_id, tenant_id)
SELECT m.rowid, m.content, m.id, m.session_id, s.tenant_id
FROM messages m JOIN sessions s ON s.id = m.session_id
WHERE m.sender_kind <> 'system' AND m.content <> '' AND NOT s.is_test;
