-- A rollup in summary_days covers the events with span_from <= ts < to_ms
-- (its day and the hours before it that set the starting state). Any change
-- to such an event, or to a browser session that overlaps the day, deletes
-- the rollup in the same transaction, so a late or replayed event, a
-- feed_time that updates an older prompt, a pruned event or a session that
-- is closed later can never leave a stale one. A span is shorter than two
-- days (25 hours and the lookback), which keeps the lookup to a short range
-- of the span_from index.
ALTER TABLE summary_days ADD COLUMN span_from INTEGER NOT NULL DEFAULT 0;
ALTER TABLE summary_days ADD COLUMN max_seq INTEGER NOT NULL DEFAULT 0;
DELETE FROM summary_days;
CREATE INDEX summary_days_to ON summary_days (to_ms);
CREATE INDEX summary_days_span ON summary_days (span_from);

CREATE TRIGGER summary_stale_event_insert AFTER INSERT ON events BEGIN
    DELETE FROM summary_days WHERE span_from > NEW.ts - 172800000 AND span_from <= NEW.ts AND to_ms > NEW.ts;
END;
CREATE TRIGGER summary_stale_event_update AFTER UPDATE ON events BEGIN
    DELETE FROM summary_days WHERE span_from > NEW.ts - 172800000 AND span_from <= NEW.ts AND to_ms > NEW.ts;
END;
CREATE TRIGGER summary_stale_event_delete AFTER DELETE ON events BEGIN
    DELETE FROM summary_days WHERE span_from > OLD.ts - 172800000 AND span_from <= OLD.ts AND to_ms > OLD.ts;
END;
CREATE TRIGGER summary_stale_session_insert AFTER INSERT ON client_sessions BEGIN
    DELETE FROM summary_days WHERE to_ms > NEW.connected_at;
END;
CREATE TRIGGER summary_stale_session_update AFTER UPDATE ON client_sessions BEGIN
    DELETE FROM summary_days WHERE to_ms > NEW.connected_at;
END;
CREATE TRIGGER summary_stale_session_delete AFTER DELETE ON client_sessions BEGIN
    DELETE FROM summary_days WHERE to_ms > OLD.connected_at;
END;
