-- The durable spine: what arrived (inbox), what must leave (outbox), who wrote to us.

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Every update Telegram delivered, stored before its offset is confirmed.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    lane        INTEGER NOT NULL,          -- chat (or user) whose updates are handled in order
    payload     TEXT    NOT NULL,          -- the update's JSON as Telegram sent it
    received_at TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'done', 'failed')),
    handled_at  TEXT,
    error       TEXT
);
CREATE INDEX inbox_pending ON inbox (lane, update_id) WHERE status = 'pending';

-- Every Bot API call the bot owes, written in the same transaction as the change that owes it.
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
    source_update_id  INTEGER REFERENCES inbox (update_id),
    dedup_key         TEXT                 -- set by senders that must never enqueue twice
);
CREATE INDEX outbox_pending ON outbox (lane, priority, id) WHERE status = 'pending';
CREATE UNIQUE INDEX outbox_dedup ON outbox (dedup_key) WHERE dedup_key IS NOT NULL;

-- Telegram accounts that have written to the bot (bound to households and cadres later).
CREATE TABLE accounts (
    user_id       INTEGER PRIMARY KEY,
    chat_id       INTEGER,
    first_name    TEXT    NOT NULL,
    last_name     TEXT,
    username      TEXT,
    language_code TEXT,
    first_seen    TEXT    NOT NULL,
    last_seen     TEXT    NOT NULL,
    updates_seen  INTEGER NOT NULL DEFAULT 0
);
