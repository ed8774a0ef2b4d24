-- The hub's data: tenants, their agents, visitor sessions and the messages in them.
-- Timestamps are RFC 3339 UTC text with milliseconds, so they sort as text.

CREATE TABLE tenants (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- Public: it is in every page that embeds the widget.
    widget_key      TEXT NOT NULL UNIQUE,
    -- JSON array of origins (scheme://host[:port]) allowed to embed the widget.
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    created_at      TEXT NOT NULL
);

CREATE TABLE agents (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    -- Sign-in takes only an email and a password, so an email names one agent everywhere.
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
CREATE INDEX agents_by_tenant ON agents (tenant_id);

CREATE TABLE sessions (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    -- SHA-256 of the visitor's session key: a copy of the database does not reveal the keys.
    key_hash          TEXT NOT NULL UNIQUE,
    status            TEXT NOT NULL CHECK (status IN ('bot', 'pending', 'active', 'closed')),
    assigned_agent_id TEXT REFERENCES agents (id),
    visitor_name      TEXT,
    visitor_email     TEXT,
    last_seq          INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX sessions_by_activity ON sessions (tenant_id, updated_at DESC);

CREATE TABLE messages (
    id                TEXT PRIMARY KEY,
    session_id        TEXT NOT NULL REFERENCES sessions (id),
    seq               INTEGER NOT NULL,
    client_message_id TEXT,
    sender_kind       TEXT NOT NULL CHECK (sender_kind IN ('customer', 'ai', 'agent', 'system')),
    sender_id         TEXT,
    sender_name       TEXT,
    content           TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    UNIQUE (session_id, seq),
    UNIQUE (session_id, client_message_id)
);

-- How far each agent has read each session.
CREATE TABLE read_marks (
    agent_id   TEXT NOT NULL REFERENCES agents (id),
    session_id TEXT NOT NULL REFERENCES sessions (id),
    seq        INTEGER NOT NULL,
    PRIMARY KEY (agent_id, session_id)
);

-- Small server-wide values, such as the generated JWT secret of a demo install.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
