-- Relays that must not be lost quietly, and a villager's follow-ups taken together.
--
-- outbox.if_failed: the calls to enqueue if Telegram refuses this one for good (400,
-- 403): "your words were not delivered" to the person who wrote them, and to the
-- administrators. A JSON list of calls; NULL for none. The sender enqueues them in the
-- transaction that marks the call failed.
ALTER TABLE outbox ADD COLUMN if_failed TEXT;

-- A villager's further messages to a request, waiting to reach its handler together
-- (one message for many, at the pace the handler's chat allows). Each is already in the
-- request's trail; a row goes when its relay is in the outbox, in the same transaction.
CREATE TABLE joins (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL,
    content    TEXT    NOT NULL,   -- the message as JSON (text, media, place, contact)
    at         TEXT    NOT NULL
);
CREATE INDEX joins_by_request ON joins (request_id, id);

-- How often a villager adding to requests has been answered lately: "已补充" once per
-- window, then once "all received", then nothing until the window ends.
CREATE TABLE join_answers (
    user_id  INTEGER PRIMARY KEY,
    since    TEXT    NOT NULL,
    messages INTEGER NOT NULL
);
