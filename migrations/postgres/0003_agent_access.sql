-- Who may manage the desk, whether the agent may sign in at all, and which sign-ins still
-- stand. `token_version` is raised by a password reset or a disable: every token issued before
-- carries an older one and is refused from then on, on every node.
ALTER TABLE agents ADD COLUMN role TEXT NOT NULL DEFAULT 'agent';
ALTER TABLE agents ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE agents ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
-- Tokens signed out before they expire, kept until they would have.
CREATE TABLE revoked_tokens (
    token_id   TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
