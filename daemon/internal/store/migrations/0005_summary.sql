-- The evening reflection answer, one per day of the user (YYYY-MM-DD of
-- the day's start).
CREATE TABLE reflections (
    day        TEXT PRIMARY KEY,
    text       TEXT NOT NULL,
    updated_at INTEGER NOT NULL  -- unix ms
);

-- Daily rollups of the summary's event-derived part (opens, time on feeds,
-- needs, attempts, notes) as JSON, for days that are over. A rollup is used
-- only while its fingerprint still matches the events of its span: the
-- number of events, the highest seq and the browser sessions. A late or
-- replayed event, a pruned one or a changed day start makes it stale, and
-- it is computed again.
CREATE TABLE summary_days (
    day         TEXT PRIMARY KEY,
    from_ms     INTEGER NOT NULL,
    to_ms       INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    body        TEXT NOT NULL
);
