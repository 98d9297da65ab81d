-- 公示 (issue 12): announcements cadres publish to the households of a village or region,
-- the households that opted out of notices, and a cadre's "the next message is the
-- announcement" after /announce.

-- One announcement: a draft until 发布 (published_at) or 取消 (cancelled_at). The text is
-- the words (or the photo's caption); photo is the Telegram file id.
CREATE TABLE announcements (
    id           INTEGER PRIMARY KEY,
    cadre_id     TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    region_id    TEXT    NOT NULL REFERENCES regions (id) ON DELETE CASCADE,
    text         TEXT    NOT NULL,
    photo        TEXT,
    created_at   TEXT    NOT NULL,
    published_at TEXT,
    cancelled_at TEXT,
    reached      INTEGER                              -- households reached when published
);
CREATE INDEX announcements_cadre ON announcements (cadre_id, created_at);

-- Households that asked not to receive notices: announcements and the service-day note
-- ("your cadre comes tomorrow"). Notices are on unless a row is here (one switch a
-- household: any bound member turns it off or on again).
CREATE TABLE notice_optouts (
    household_id TEXT    PRIMARY KEY REFERENCES households (id) ON DELETE CASCADE,
    user_id      INTEGER NOT NULL,                    -- who switched it off
    since        TEXT    NOT NULL
);

-- A cadre who sent /announce alone: their next message (within
-- requests.conversation_idle) is the announcement's draft.
CREATE TABLE announce_asks (
    cadre_id TEXT PRIMARY KEY REFERENCES cadres (id) ON DELETE CASCADE,
    since    TEXT NOT NULL
);
