-- Paired browser profiles. token_hash is SHA-256 of the 256-bit token;
-- the token itself is never stored. origin is the extension origin the
-- token was paired from; hello from any other origin is refused.
CREATE TABLE clients (
    id              TEXT PRIMARY KEY,
    browser         TEXT NOT NULL,
    browser_version TEXT NOT NULL DEFAULT '',
    ext_version     TEXT NOT NULL DEFAULT '',
    origin          TEXT NOT NULL DEFAULT '',
    token_hash      BLOB NOT NULL,
    paired_at       INTEGER NOT NULL,  -- unix ms
    last_seen       INTEGER            -- unix ms
);

-- Activity reported by the extension. (client_id, eid) makes replays
-- idempotent. ts is when it happened (unix ms), received_at when stored.
-- url is NULL unless the user opted in to storing full URLs.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY,
    client_id   TEXT NOT NULL,
    eid         TEXT NOT NULL,
    ts          INTEGER NOT NULL,
    type        TEXT NOT NULL,
    domain      TEXT NOT NULL DEFAULT '',
    url         TEXT,
    tab_id      INTEGER,
    window_id   INTEGER,
    state       TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (client_id, eid)
);
CREATE INDEX events_ts ON events (ts);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
