-- Each tenant's own knowledge base: markdown articles the assistant answers from and the help
-- center shows. A slug names an article within its tenant (its address in the help center).
CREATE TABLE articles (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    slug       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    -- Raised by every edit: with the count and the newest id, what tells a node its copy of the
    -- tenant's knowledge base is stale (two edits may share a millisecond; never a revision).
    revision   BIGINT NOT NULL DEFAULT 1,
    UNIQUE (tenant_id, slug)
);
