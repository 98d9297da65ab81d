-- Visiting rounds (五人大走访), 当场办结 confirmed on the cadre's phone, 夜议 and 回头看
-- (issue 12). Visits themselves stay in cadre_days (0007): a round's coverage, its
-- findings and 夜访 are derived from them and from requests, never stored twice.

-- A round: a supervisor's team visits the households of one village until ends_on
-- (local date, inclusive); the households are those of the village when it started.
CREATE TABLE visit_rounds (
    id         INTEGER PRIMARY KEY,
    region_id  TEXT    NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    started_by TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    started_at TEXT    NOT NULL,
    ends_on    TEXT    NOT NULL
);
CREATE TABLE round_team (
    round_id INTEGER NOT NULL REFERENCES visit_rounds (id) ON DELETE CASCADE,
    cadre_id TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    PRIMARY KEY (round_id, cadre_id)
) WITHOUT ROWID;
CREATE INDEX round_team_cadre ON round_team (cadre_id);
CREATE TABLE round_households (
    round_id     INTEGER NOT NULL REFERENCES visit_rounds (id) ON DELETE CASCADE,
    household_id TEXT    NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    PRIMARY KEY (round_id, household_id)
) WITHOUT ROWID;

-- A supervisor's round being set up (the village, then the team, then the end date).
CREATE TABLE round_drafts (
    user_id   INTEGER PRIMARY KEY,
    cadre_id  TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    region_id TEXT    NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    team      TEXT    NOT NULL DEFAULT '',   -- cadre ids, comma-separated
    since     TEXT    NOT NULL
);

-- 当场办结: a finding a team member resolved on the spot, and the villager's
-- confirmation on that cadre's phone (once; confirmed_by is the cadre whose phone).
CREATE TABLE on_spot (
    request_id   INTEGER PRIMARY KEY REFERENCES requests (id),
    round_id     INTEGER NOT NULL REFERENCES visit_rounds (id) ON DELETE CASCADE,
    cadre_id     TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    resolved_at  TEXT    NOT NULL,
    confirmed_at TEXT,
    confirmed_by TEXT
);

-- 夜议: a village meeting, and its decisions (each may become a request for a household).
CREATE TABLE meetings (
    id         INTEGER PRIMARY KEY,
    region_id  TEXT    NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    cadre_id   TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    held_at    TEXT    NOT NULL,
    topic      TEXT    NOT NULL,
    attendance INTEGER NOT NULL CHECK (attendance >= 0)
);
CREATE TABLE meeting_decisions (
    meeting_id INTEGER NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    number     INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    request_id INTEGER REFERENCES requests (id),
    PRIMARY KEY (meeting_id, number)
) WITHOUT ROWID;

-- 回头看: a follow-up visit to a closed request, its due day, the one reminder when it is
-- overdue, and its result ('satisfied', or 'again': a new request was asked for).
CREATE TABLE revisits (
    id           INTEGER PRIMARY KEY,
    request_id   INTEGER NOT NULL REFERENCES requests (id),
    cadre_id     TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    scheduled_at TEXT    NOT NULL,
    due_on       TEXT    NOT NULL,
    reminded_at  TEXT,
    done_at      TEXT,
    result       TEXT    CHECK (result IN ('satisfied', 'again')),
    note         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX revisits_due ON revisits (due_on) WHERE done_at IS NULL;
CREATE UNIQUE INDEX revisits_open ON revisits (request_id) WHERE done_at IS NULL;
