-- Requests from 挂号 to 销号: the current state of each request, and its append-only trail.
-- ``requests`` is the trail's summary, rewritten in the same transaction as each event;
-- ``request_events`` is the record, never updated or deleted.

CREATE TABLE requests (
    id             INTEGER PRIMARY KEY,
    number         TEXT    NOT NULL UNIQUE,          -- LX-2026-000123, shown to everyone
    household_id   TEXT    NOT NULL REFERENCES households (id),
    category       TEXT    NOT NULL DEFAULT 'other',
    urgent         INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1)),
    about_cadre    INTEGER NOT NULL DEFAULT 0 CHECK (about_cadre IN (0, 1)),
    status         TEXT    NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved',
                                                      'closed')),
    handler_id     TEXT    NOT NULL REFERENCES cadres (id),
    tier           INTEGER NOT NULL,                 -- the household's tier now handling it
    filed_at       TEXT    NOT NULL,
    filed_by_user  INTEGER,                          -- the member's account, or
    filed_by_cadre TEXT    REFERENCES cadres (id),   -- the cadre who filed it for them
    first_response_at TEXT,
    respond_by     TEXT    NOT NULL,
    resolve_by     TEXT    NOT NULL,
    resolved_at    TEXT,
    resolution     TEXT    CHECK (resolution IN ('resolved', 'explained')),
    closed_at      TEXT,
    outcome        TEXT    CHECK (outcome IN ('satisfied', 'partly', 'timeout')),
    reopened       INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX requests_handler ON requests (handler_id, status);
CREATE INDEX requests_household ON requests (household_id, filed_at);
CREATE INDEX requests_resolved ON requests (resolved_at) WHERE status = 'resolved';

CREATE TABLE request_events (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    at         TEXT    NOT NULL,
    kind       TEXT    NOT NULL,                     -- filed, routed, acknowledged, ...
    actor      TEXT    NOT NULL,                     -- 'villager:<user id>', 'cadre:<id>', 'system'
    handler_id TEXT    REFERENCES cadres (id),       -- the handler after this event
    detail     TEXT    NOT NULL DEFAULT '{}'         -- JSON: note, reason, rating, content
);
CREATE INDEX request_events_request ON request_events (request_id, id);

CREATE TRIGGER request_events_append_only_update BEFORE UPDATE ON request_events
BEGIN
    SELECT RAISE(ABORT, 'the request trail is append-only');
END;
CREATE TRIGGER request_events_append_only_delete BEFORE DELETE ON request_events
BEGIN
    SELECT RAISE(ABORT, 'the request trail is append-only');
END;

-- What each villager's message belongs to, and what a cadre is writing now.
CREATE TABLE conversations (
    user_id    INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    purpose    TEXT    NOT NULL CHECK (purpose IN ('talking', 'replying', 'resolving',
                                                   'explaining', 'reopening')),
    since      TEXT    NOT NULL
);

-- A cadre away (leave, training): new requests go to their backup until then.
CREATE TABLE cadre_away (
    cadre_id TEXT PRIMARY KEY REFERENCES cadres (id) ON DELETE CASCADE,
    until    TEXT NOT NULL
);

-- Request numbers: LX-<year>-<sequence within the year>.
CREATE TABLE request_numbers (
    year INTEGER PRIMARY KEY,
    last INTEGER NOT NULL
);
