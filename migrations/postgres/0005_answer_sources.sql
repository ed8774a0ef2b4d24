-- The help-center article an AI answer came from, shown to the visitor as a link under it; and
-- each tenant's own words for the moment the assistant hands a visitor to a person.
ALTER TABLE messages ADD COLUMN source_title TEXT;
ALTER TABLE messages ADD COLUMN source_url TEXT;
ALTER TABLE tenants ADD COLUMN handover TEXT;
