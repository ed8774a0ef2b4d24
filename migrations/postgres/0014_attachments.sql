-- Attachments (docs/design.md, "Attachments"): each upload's description, and its bytes in
-- pieces of 256 KiB, so that neither storing nor serving one holds it whole in memory. An
-- upload is `complete` once all its pieces are in; `message_id` is set by the message that
-- takes it (an upload no message took is removed after a day).
CREATE TABLE attachments (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    session_id    TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    uploader_kind TEXT NOT NULL,
    uploader_id   TEXT,
    name          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    size          BIGINT NOT NULL DEFAULT 0,
    width         BIGINT,
    height        BIGINT,
    chunks        BIGINT NOT NULL DEFAULT 0,
    complete      BOOLEAN NOT NULL DEFAULT FALSE,
    message_id    TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX attachments_session ON attachments (session_id);
CREATE INDEX attachments_unattached ON attachments (created_at) WHERE message_id IS NULL;
CREATE TABLE attachment_chunks (
    attachment_id TEXT NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    idx           BIGINT NOT NULL,
    bytes         BYTEA NOT NULL,
    PRIMARY KEY (attachment_id, idx)
);
-- A message's files, as JSON: `[{"id", "name", "contentType", "size", "width", "height"}]`.
-- (The append that stores the message takes them, in its transaction.)
ALTER TABLE messages ADD COLUMN attachments TEXT;
-- Which kinds of file a tenant's conversations accept (`images,pdf,text,office`); NULL: all.
ALTER TABLE tenants ADD COLUMN attachment_types TEXT;
