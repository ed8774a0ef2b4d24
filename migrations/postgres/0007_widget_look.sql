-- How a tenant's widget looks: its own title, colour and launcher side, and an uploaded avatar.
-- The image has a table of its own, so that reading a tenant (on every message) never reads it;
-- `avatar_version` names the stored image in its address, so browsers may cache it for good.
ALTER TABLE tenants ADD COLUMN widget_title TEXT;
ALTER TABLE tenants ADD COLUMN widget_colour TEXT;
ALTER TABLE tenants ADD COLUMN launcher_side TEXT NOT NULL DEFAULT 'right';
ALTER TABLE tenants ADD COLUMN avatar_version TEXT;
CREATE TABLE tenant_avatars (
    tenant_id    TEXT PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
    content_type TEXT NOT NULL,
    bytes        BYTEA NOT NULL
);
