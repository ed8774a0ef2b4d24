-- The hub's data on PostgreSQL: the same tables as migrations/sqlite, in PostgreSQL's types.
-- Timestamps stay RFC 3339 UTC text with milliseconds, as the store's contract exchanges them:
-- that format sorts as text, and both stores return exactly what was written.

CREATE TABLE tenants (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    -- Public: it is in every page that embeds the widget.
    widget_key      TEXT NOT NULL UNIQUE,
    -- Origins (scheme://host[:port]) allowed to embed the widget.
    allowed_origins TEXT[] NOT NULL DEFAULT '{}',
    ai_enabled      BOOLEAN NOT NULL DEFAULT TRUE,
    -- NULL: the server's default answerer.
    answerer        TEXT,
    greeting        TEXT,
    created_at      TEXT NOT NULL
);

CREATE TABLE agents (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);
-- Sign-in takes only an email and a password, so an email names one agent everywhere,
-- whatever its case.
CREATE UNIQUE INDEX agents_by_email ON agents (lower(email));
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
    -- The seq of the newest message. Appends take the next one while holding this row's lock,
    -- which is what keeps seqs gap-free and unique across every node.
    last_seq          BIGINT NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX sessions_by_activity ON sessions (tenant_id, updated_at DESC);

CREATE TABLE messages (
    id                TEXT PRIMARY KEY,
    session_id        TEXT NOT NULL REFERENCES sessions (id),
    seq               BIGINT NOT NULL,
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
    seq        BIGINT NOT NULL,
    PRIMARY KEY (agent_id, session_id)
);

-- Small server-wide values, such as the generated JWT secret of a demo install.
CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
