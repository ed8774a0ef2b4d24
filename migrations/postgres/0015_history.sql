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
ALTER TABLE tenants ADD COLUMN retention_days BIGINT;

-- Full-text search over what people wrote: a GIN index of each message's words, which
-- PostgreSQL keeps in step with every insert and delete. `simple`: no language's stemming or
-- stop words, as SQLite's unicode61 tokenizer.
CREATE INDEX messages_search ON messages USING GIN (to_tsvector('simple', content));
