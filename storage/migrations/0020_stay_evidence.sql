-- Stays with evidence (issue 12): a village's area (an optional centre and radius from
-- the roster's regions sheet), the locations a cadre sends during a stay, and which of
-- the night's windows (evening, next morning) an inside location has covered.

ALTER TABLE regions ADD COLUMN lat REAL;
ALTER TABLE regions ADD COLUMN lon REAL;
ALTER TABLE regions ADD COLUMN radius_m REAL;

-- The first inside location in the night's evening and in the next morning; a stay
-- with both counts as a night with evidence (bot/domain/stays.py).
ALTER TABLE cadre_days ADD COLUMN evening_at TEXT;
ALTER TABLE cadre_days ADD COLUMN morning_at TEXT;

-- Every location sent for a stay: once, or a live location and each of its updates
-- (they share the message id, which ties an update to its stay).
CREATE TABLE stay_points (
    id         INTEGER PRIMARY KEY,
    day_id     INTEGER NOT NULL REFERENCES cadre_days (id) ON DELETE CASCADE,
    at         TEXT    NOT NULL,
    latitude   REAL    NOT NULL,
    longitude  REAL    NOT NULL,
    live       INTEGER NOT NULL DEFAULT 0,
    inside     INTEGER NOT NULL,
    message_id INTEGER
);
CREATE INDEX stay_points_day ON stay_points (day_id, at);
CREATE INDEX stay_points_message ON stay_points (message_id);
