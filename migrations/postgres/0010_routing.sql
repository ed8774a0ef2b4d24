-- Routing (docs/design.md, "Routing"): a tenant assigns conversations by hand (`manual`, the
-- default) or has them go to its free agents (`auto`), at most `capacity` active ones each.
ALTER TABLE tenants ADD COLUMN assignment TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE tenants ADD COLUMN capacity BIGINT NOT NULL DEFAULT 3;
-- When the agent was last given a conversation: a tie goes to whoever waited longest.
ALTER TABLE agents ADD COLUMN last_assigned_at TEXT;
-- Since when a conversation has waited for a person: the queue is served oldest first.
ALTER TABLE sessions ADD COLUMN queued_at TEXT;
UPDATE sessions SET queued_at = updated_at WHERE status = 'pending' AND assigned_agent_id IS NULL;
CREATE INDEX sessions_queue ON sessions (tenant_id, queued_at) WHERE queued_at IS NOT NULL;
