-- Conversations started from the diagnostics page to try the chat: the assistant answers them,
-- no inbox lists them and no agent hears of them.
ALTER TABLE sessions ADD COLUMN is_test BOOLEAN NOT NULL DEFAULT FALSE;
