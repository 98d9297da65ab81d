-- Service days, stay quotas and digests (issue 5). Reminders themselves are not stored
-- ahead: each sweep derives them from the configuration; only what was done is kept.

-- Stays (住村, counted once per local day against the rank's monthly quota) and visits
-- a cadre logs with /stay and /visit; a location sent just after is attached.
CREATE TABLE cadre_days (
    id           INTEGER PRIMARY KEY,
    cadre_id     TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('stay', 'visit')),
    local_date   TEXT    NOT NULL,                   -- YYYY-MM-DD in the configured zone
    logged_at    TEXT    NOT NULL,
    household_id TEXT    REFERENCES households (id) ON DELETE SET NULL,
    note         TEXT    NOT NULL DEFAULT '',
    latitude     REAL,
    longitude    REAL
);
CREATE INDEX cadre_days_cadre ON cadre_days (cadre_id, kind, local_date);

-- Villagers who asked to hear "your cadre visits tomorrow" before each service day.
CREATE TABLE visit_optins (
    user_id      INTEGER NOT NULL,
    household_id TEXT    NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    since        TEXT    NOT NULL,
    PRIMARY KEY (user_id, household_id)
);

-- Reminder rounds already queued (e.g. 'morning:2026-03-15'), so a sweep every minute
-- does not rebuild thousands of reminders the outbox would only refuse as duplicates.
CREATE TABLE schedule_rounds (
    occasion TEXT PRIMARY KEY,
    done_at  TEXT NOT NULL,
    sent     INTEGER NOT NULL
);

-- Up to when each supervisor's last digest reported.
CREATE TABLE digest_marks (
    cadre_id TEXT PRIMARY KEY REFERENCES cadres (id) ON DELETE CASCADE,
    through  TEXT NOT NULL
);
