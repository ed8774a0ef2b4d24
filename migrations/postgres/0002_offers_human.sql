-- The AI's offer to bring in a person is a fact of its message, not a sentence to compare: a
-- "yes" to a message that offers one asks for a person, whichever answerer wrote it.
ALTER TABLE messages ADD COLUMN offers_human BOOLEAN NOT NULL DEFAULT FALSE;
