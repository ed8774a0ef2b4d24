-- Who the visitor is and where (docs/design.md, "Visitors"): the last page their widget
-- reported, referrer, browser, system, language, time zone and when they were last on the
-- site, as JSON (protocol `Visit`). Written without touching `updated_at`: a visitor browsing
-- the shop does not move their conversation up the inbox.
ALTER TABLE sessions ADD COLUMN visit TEXT;
