-- An `access` event (the extension may not act on every site it needs)
-- names the hosts it lacks: a JSON array, NULL for every other event type.
ALTER TABLE events ADD COLUMN hosts TEXT;
