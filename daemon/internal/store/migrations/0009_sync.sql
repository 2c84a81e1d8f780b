-- Sharing one practice between devices through a synced folder
-- (daemon/internal/devicesync, docs/sync.md). device is '' for rows this
-- device wrote, else the id of the device they were imported from.
ALTER TABLE events ADD COLUMN device TEXT NOT NULL DEFAULT '';
CREATE INDEX events_device_seq ON events (device, seq);

-- Breaks get a portable id (uid) so early ends can name them across devices.
ALTER TABLE adhoc_breaks ADD COLUMN uid TEXT;
ALTER TABLE adhoc_breaks ADD COLUMN device TEXT NOT NULL DEFAULT '';
UPDATE adhoc_breaks SET uid = lower(hex(randomblob(8))) WHERE uid IS NULL;
CREATE UNIQUE INDEX adhoc_breaks_uid ON adhoc_breaks (uid);
-- sync_key is the portable key of the window ("adhoc:<uid>" or
-- "rule:<uid>@<start ms>"); an imported early end whose break has not
-- arrived yet keeps window_key 'pending:' || sync_key until it does.
ALTER TABLE break_early_ends ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE break_early_ends ADD COLUMN sync_key TEXT;

-- Rules and feed settings merge by "last writer wins" on (clock, device):
-- clock is a Lamport clock, one more than the highest seen when written.
ALTER TABLE schedule_rules ADD COLUMN uid TEXT;
ALTER TABLE schedule_rules ADD COLUMN clock INTEGER NOT NULL DEFAULT 0;
ALTER TABLE schedule_rules ADD COLUMN device TEXT NOT NULL DEFAULT '';
UPDATE schedule_rules SET uid = lower(hex(randomblob(8))) WHERE uid IS NULL;
CREATE UNIQUE INDEX schedule_rules_uid ON schedule_rules (uid);
ALTER TABLE feed_settings ADD COLUMN clock INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feed_settings ADD COLUMN device TEXT NOT NULL DEFAULT '';
ALTER TABLE reflections ADD COLUMN device TEXT NOT NULL DEFAULT '';

-- What was removed (a rule, a reflection), so that a removal travels and a
-- late copy of the removed thing does not bring it back.
CREATE TABLE sync_removed (
    kind   TEXT NOT NULL,   -- 'rule' or 'reflection'
    uid    TEXT NOT NULL,   -- the rule's uid, the reflection's day
    clock  INTEGER NOT NULL,
    device TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (kind, uid)
);

-- Every device seen in the folder, and the segments already imported.
CREATE TABLE sync_devices (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    last_import INTEGER NOT NULL,  -- unix ms, when we last imported from it
    last_written INTEGER NOT NULL, -- unix ms, when it wrote its newest segment
    segments    INTEGER NOT NULL DEFAULT 0,
    records     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sync_segments (
    device      TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    imported_at INTEGER NOT NULL,
    PRIMARY KEY (device, seq)
);

-- The highest logical clock this device has handed out, so that a clock
-- never goes back when the row that held the highest one is deleted.
CREATE TABLE sync_clock (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    clock INTEGER NOT NULL
);

-- An imported prompt sums the seconds of its feed_time events, which may
-- have arrived first (segments come in any order).
CREATE INDEX events_feed_time_prompt ON events (client_id, prompt_id) WHERE type = 'feed_time';
