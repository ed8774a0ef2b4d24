-- What an agent says about themselves: away from their desk (until they say they are back),
-- and whether they take new conversations (`available` or `busy`). Whether they are connected
-- is not stored here: the presence records of the broker say that, and lapse by themselves.
ALTER TABLE agents ADD COLUMN away BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE agents ADD COLUMN availability TEXT NOT NULL DEFAULT 'available';
