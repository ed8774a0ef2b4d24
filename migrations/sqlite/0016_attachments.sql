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
    size          INTEGER NOT NULL DEFAULT 0,
    width         INTEGER,
    height        INTEGER,
    chunks        INTEGER NOT NULL DEFAULT 0,
    complete      BOOLEAN NOT NULL DEFAULT FALSE,
    message_id    TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX attachments_session ON attachments (session_id);
CREATE INDEX attachments_unattached ON attachments (created_at) WHERE message_id IS NULL;
CREATE TABLE attachment_chunks (
    attachment_id TEXT NOT NULL REFERENCES attachments (id) ON DELETE CASCADE,
    idx           INTEGER NOT NULL,
    bytes         BLOB NOT NULL,
    PRIMARY KEY (attachment_id, idx)
);
-- A message's files, as JSON: `[{"id", "name", "contentType", "size", "width", "height"}]`.
ALTER TABLE messages ADD COLUMN attachments TEXT;
-- The message takes its files in the same statement that stores it (group commit stores many
-- messages in one transaction): only files of its own session that no message has taken.
CREATE TRIGGER messages_take_attachments AFTER INSERT ON messages
WHEN NEW.attachments IS NOT NULL
BEGIN
    UPDATE attachments SET message_id = NEW.id
    WHERE session_id = NEW.session_id AND message_id IS NULL
      AND id IN (SELECT json_extract(value, '$.id') FROM json_each(NEW.attachments));
END;
-- Which kinds of file a tenant's conversations accept (`images,pdf,text,office`); NULL: all.
ALTER TABLE tenants ADD COLUMN attachment_types TEXT;
