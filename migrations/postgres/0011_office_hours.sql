-- Office hours (docs/design.md, "Office hours"): when the tenant's team answers, as written
-- ("Mon-Fri 08:00-20:00,Sat 10:00-16:00"), in its IANA time zone. NULL: at any hour.
ALTER TABLE tenants ADD COLUMN office_hours TEXT;
ALTER TABLE tenants ADD COLUMN timezone TEXT NOT NULL DEFAULT 'UTC';
