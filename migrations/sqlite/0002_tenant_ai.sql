-- Per-tenant assistant settings: whether the AI answers first, with which answerer (NULL: the
-- server's default), and the greeting the widget shows before the visitor writes.
ALTER TABLE tenants ADD COLUMN ai_enabled INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tenants ADD COLUMN answerer TEXT;
ALTER TABLE tenants ADD COLUMN greeting TEXT;
