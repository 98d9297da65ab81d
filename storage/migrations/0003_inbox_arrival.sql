-- An update_id is not unique for ever: Telegram picks the next id at random after a week
-- without updates, and a new Bot API server (or the sandbox) starts again at 1. Keyed by
-- update_id, such an update was taken for a duplicate and dropped: a villager ignored.
-- Inbox rows now get their own key in arrival order (the dispatcher's order within a
-- chat); a redelivery is recognised by the same update_id *and* the same content.
--
-- Also: plain indexes for the foreign keys a roster --prune deletes through (the partial
-- ones on codes cannot serve them).

CREATE TABLE inbox_new (
    id          INTEGER PRIMARY KEY,       -- arrival order
    update_id   INTEGER NOT NULL,
    lane        INTEGER NOT NULL,          -- chat (or user) whose updates are handled in order
    payload     TEXT    NOT NULL,          -- the update's JSON as Telegram sent it
    received_at TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'failed')),
    handled_at  TEXT,
    error       TEXT
);
INSERT INTO inbox_new (update_id, lane, payload, received_at, status, handled_at, error)
SELECT update_id, lane, payload, received_at, status, handled_at, error
FROM inbox ORDER BY update_id;
CREATE INDEX inbox_update ON inbox_new (update_id);  -- moves with the table when renamed

-- The outbox keeps its rows; its link to the inbox moves to the new key.
CREATE TABLE outbox_copy AS
SELECT o.id, o.lane, o.method, o.payload, o.priority, o.created_at, o.not_before, o.status,
       o.attempts, o.sent_at, o.result_message_id, o.last_error,
       (SELECT i.id FROM inbox_new AS i WHERE i.update_id = o.source_update_id)
           AS source_inbox_id,
       o.dedup_key
FROM outbox AS o;

DROP TABLE outbox;
DROP TABLE inbox;
ALTER TABLE inbox_new RENAME TO inbox;

CREATE TABLE outbox (
    id                INTEGER PRIMARY KEY,
    lane              INTEGER NOT NULL,    -- chat id; 0 for bot-wide calls
    method            TEXT    NOT NULL,    -- Bot API method, e.g. sendMessage
    payload           TEXT    NOT NULL,    -- its parameters as JSON
    priority          INTEGER NOT NULL CHECK (priority IN (0, 1)),  -- 0 interactive, 1 bulk
    created_at        TEXT    NOT NULL,
    not_before        TEXT    NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'sent', 'failed')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    sent_at           TEXT,
    result_message_id INTEGER,
    last_error        TEXT,
    source_inbox_id   INTEGER REFERENCES inbox (id),  -- the handled update that owed it
    dedup_key         TEXT                 -- set by senders that must never enqueue twice
);
INSERT INTO outbox SELECT * FROM outbox_copy;
DROP TABLE outbox_copy;

CREATE INDEX inbox_pending ON inbox (lane, id) WHERE status = 'pending';
CREATE INDEX outbox_pending ON outbox (lane, priority, id) WHERE status = 'pending';
CREATE UNIQUE INDEX outbox_dedup ON outbox (dedup_key) WHERE dedup_key IS NOT NULL;

CREATE INDEX codes_household ON codes (household_id);
CREATE INDEX codes_cadre ON codes (cadre_id);
CREATE INDEX cadres_region ON cadres (region_id);
CREATE INDEX cadres_backup ON cadres (backup_id);
