-- The roster (who is linked to whom), contact-card codes, and bound Telegram accounts.
-- Ids are the county's own (as in its spreadsheet), so a re-import updates by id.

CREATE TABLE regions (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL,
    level     TEXT NOT NULL CHECK (level IN ('county', 'township', 'village', 'group')),
    parent_id TEXT REFERENCES regions (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX regions_parent ON regions (parent_id);

CREATE TABLE cadres (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    rank       TEXT NOT NULL CHECK (rank IN ('county_leader', 'section_chief',
                   'township_secretary', 'township_cadre', 'village_cadre', 'grid_worker')),
    unit       TEXT NOT NULL DEFAULT '',
    phone      TEXT NOT NULL,
    region_id  TEXT NOT NULL REFERENCES regions (id) DEFERRABLE INITIALLY DEFERRED,
    backup_id  TEXT REFERENCES cadres (id) DEFERRABLE INITIALLY DEFERRED,  -- the B of the AB post
    supervises TEXT REFERENCES regions (id) DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX cadres_supervises ON cadres (supervises) WHERE supervises IS NOT NULL;

CREATE TABLE households (
    id        TEXT PRIMARY KEY,
    head_name TEXT NOT NULL,
    region_id TEXT NOT NULL REFERENCES regions (id) DEFERRABLE INITIALLY DEFERRED,
    address   TEXT NOT NULL DEFAULT '',
    phone     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX households_region ON households (region_id);

-- A household's chain of cadres: tier 1 is the first contact, then up.
CREATE TABLE links (
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE
                 DEFERRABLE INITIALLY DEFERRED,
    cadre_id     TEXT NOT NULL REFERENCES cadres (id) ON DELETE CASCADE
                 DEFERRABLE INITIALLY DEFERRED,
    tier         INTEGER NOT NULL CHECK (tier >= 1),
    PRIMARY KEY (household_id, cadre_id)
);
CREATE INDEX links_cadre ON links (cadre_id);

-- Contact-card codes: random, unguessable; one live code per holder; revoked ones are kept.
CREATE TABLE codes (
    code         TEXT PRIMARY KEY,
    household_id TEXT REFERENCES households (id) ON DELETE CASCADE,
    cadre_id     TEXT REFERENCES cadres (id) ON DELETE CASCADE,
    issued_at    TEXT NOT NULL,
    revoked_at   TEXT,
    CHECK ((household_id IS NULL) <> (cadre_id IS NULL))
);
CREATE UNIQUE INDEX codes_live_household ON codes (household_id)
    WHERE household_id IS NOT NULL AND revoked_at IS NULL;
CREATE UNIQUE INDEX codes_live_cadre ON codes (cadre_id)
    WHERE cadre_id IS NOT NULL AND revoked_at IS NULL;

-- Telegram accounts acting for households (a household may have several; a shared
-- phone may act for several households).
CREATE TABLE members (
    user_id      INTEGER NOT NULL,
    household_id TEXT    NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    code         TEXT    NOT NULL REFERENCES codes (code) ON DELETE CASCADE,
    bound_at     TEXT    NOT NULL,
    PRIMARY KEY (user_id, household_id)
);
CREATE INDEX members_household ON members (household_id);
CREATE INDEX members_code ON members (code);

-- The Telegram account of a cadre (one each; a new phone is a new code).
CREATE TABLE cadre_accounts (
    cadre_id TEXT    PRIMARY KEY REFERENCES cadres (id) ON DELETE CASCADE,
    user_id  INTEGER NOT NULL UNIQUE,
    code     TEXT    NOT NULL REFERENCES codes (code) ON DELETE CASCADE,
    bound_at TEXT    NOT NULL
);

-- Which household a member bound to several is talking about now.
CREATE TABLE member_focus (
    user_id      INTEGER PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE
);

-- Wrong codes tried, to refuse guessing for a while.
CREATE TABLE bind_failures (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL,
    at      TEXT    NOT NULL
);
CREATE INDEX bind_failures_user ON bind_failures (user_id, at);
