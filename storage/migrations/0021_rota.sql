-- 住夜 rota (issue 12, seed 004): who stays each working night in each township and
-- village. A week's rota is built once per region (``rota_weeks``) from the volunteers
-- and the rank rules (bot/domain/rota.py); each night's people are rows of
-- ``rota_nights`` (``reminded_at``: the one reminder on their day, noted in the sweep's
-- transaction). A swap (换班) asked by button is a row of ``rota_swaps`` until answered.
CREATE TABLE rota_weeks (
    region_id  TEXT NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    week       TEXT NOT NULL,          -- the Monday, YYYY-MM-DD (local)
    built_at   TEXT NOT NULL,
    PRIMARY KEY (region_id, week)
);

CREATE TABLE rota_nights (
    id          INTEGER PRIMARY KEY,
    region_id   TEXT NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    night       TEXT NOT NULL,         -- YYYY-MM-DD (local): the evening it starts
    cadre_id    TEXT NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    volunteer   INTEGER NOT NULL DEFAULT 0,
    reminded_at TEXT,
    UNIQUE (region_id, night, cadre_id)
);
CREATE INDEX rota_nights_night ON rota_nights (night, region_id);
CREATE INDEX rota_nights_cadre ON rota_nights (cadre_id, night);

CREATE TABLE rota_volunteers (
    cadre_id TEXT NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    night    TEXT NOT NULL,
    at       TEXT NOT NULL,
    PRIMARY KEY (cadre_id, night)
);

CREATE TABLE rota_swaps (
    id          INTEGER PRIMARY KEY,
    night_id    INTEGER NOT NULL REFERENCES rota_nights (id) ON DELETE CASCADE,
    from_cadre  TEXT NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    to_cadre    TEXT NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    asked_at    TEXT NOT NULL,
    answer      TEXT CHECK (answer IN ('accepted', 'declined')),
    answered_at TEXT
);
