-- Which message in which chat belongs to which request (issue 11: threads and cards).
-- A call the outbox owes about a request carries its id, and ``topic`` names the one
-- message of that request a chat keeps up to date (the cadre's case card): an edit with
-- a topic is made to the last message sent with it, or sent anew when there is none.
ALTER TABLE outbox ADD COLUMN request_id INTEGER;
ALTER TABLE outbox ADD COLUMN topic TEXT;

-- Kept when the outbox rows are purged (retention): a swipe-reply to a months-old
-- receipt still finds its request. Ids only, no words.
CREATE TABLE request_messages (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    request_id INTEGER NOT NULL,
    topic      TEXT,
    sent_at    TEXT    NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
CREATE INDEX request_messages_request ON request_messages (request_id, chat_id, topic);
