-- Who the visitor is and where (docs/design.md, "Visitors"): the last page their widget
-- reported, referrer, browser, system, language, time zone and when they were last on the
-- site, as JSON (protocol `Visit`). Written without touching `updated_at`: a visitor browsing
-- the shop does not move their conversation up the inbox.
ALTER TABLE sessions ADD COLUMN visit TEXT;
-- When the visitor's last page closed (or their last report): kept apart from `visit`, so that
-- a page closing never writes back an older page over a newer report.
ALTER TABLE sessions ADD COLUMN visit_seen_at TEXT;
