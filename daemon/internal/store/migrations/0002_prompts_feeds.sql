-- "Habit or need?" prompts are events of type 'prompt'; the time actually
-- spent on the feed arrives later as 'feed_time' events and is summed into
-- the prompt's seconds_on_feed. Every tab event may name the feed it is on.
ALTER TABLE events ADD COLUMN feed_id TEXT;
ALTER TABLE events ADD COLUMN answer TEXT;
ALTER TABLE events ADD COLUMN seconds_to_answer REAL;
ALTER TABLE events ADD COLUMN purpose TEXT;
ALTER TABLE events ADD COLUMN timebox_minutes INTEGER;
ALTER TABLE events ADD COLUMN via TEXT;
ALTER TABLE events ADD COLUMN extends TEXT;
ALTER TABLE events ADD COLUMN prompt_id TEXT;
ALTER TABLE events ADD COLUMN seconds REAL;
ALTER TABLE events ADD COLUMN seconds_on_feed REAL;
CREATE INDEX events_type_ts ON events (type, ts);

-- The user's changes to the feed catalog. A row for a built-in feed holds
-- only what the user changed (NULL = the built-in value); extra_hosts are
-- added to the built-in hosts (e.g. a Mastodon instance). A custom feed has
-- custom = 1 and all of its definition here.
CREATE TABLE feed_settings (
    id          TEXT PRIMARY KEY,
    custom      INTEGER NOT NULL DEFAULT 0,
    name        TEXT,
    extra_hosts TEXT NOT NULL DEFAULT '[]',  -- JSON array
    paths       TEXT,                        -- JSON array, or NULL
    enabled     INTEGER                      -- 0/1, or NULL
);
