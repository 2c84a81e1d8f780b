-- Scheduled breaks: weekly or one-off rules, their spec text as the user
-- wrote it (daemon/internal/schedule parses it). sites is a JSON array of
-- hosts, or NULL for "every host of every enabled feed".
CREATE TABLE schedule_rules (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,
    start_spec TEXT NOT NULL,
    end_spec   TEXT NOT NULL,
    locked     INTEGER NOT NULL DEFAULT 0,
    sites      TEXT,
    enabled    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

-- On-demand breaks ("now for 1h", break mode). end_at NULL = open-ended
-- until the user ends it.
CREATE TABLE adhoc_breaks (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    start_at   INTEGER NOT NULL,
    end_at     INTEGER,
    locked     INTEGER NOT NULL DEFAULT 0,
    sites      TEXT,
    created_at INTEGER NOT NULL
);

-- A break window (by its schedule.Window key) that the user ended early,
-- with their reason. The window counts as ended at at_ms.
CREATE TABLE break_early_ends (
    window_key  TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    at_ms       INTEGER NOT NULL,
    planned_end INTEGER NOT NULL
);
CREATE INDEX break_early_ends_at ON break_early_ends (at_ms);

-- When each browser had an authenticated socket, so the reflection can say
-- "not enforced in Firefox for 2h" instead of blaming the user.
CREATE TABLE client_sessions (
    id              INTEGER PRIMARY KEY,
    client_id       TEXT NOT NULL,
    connected_at    INTEGER NOT NULL,
    disconnected_at INTEGER
);
CREATE INDEX client_sessions_client ON client_sessions (client_id, connected_at);

-- Break page notes ("what I wanted to look at").
ALTER TABLE events ADD COLUMN note TEXT;
ALTER TABLE events ADD COLUMN break_key TEXT;
