-- A villager's follow-ups to a request, by the message that carried them (issue 11:
-- threads). 「另起一件事」 under "已补充到诉求" splits one into a request of its own: the
-- row says which request it went to, and the old request's trail no longer shows the
-- MESSAGE event it made (the trail itself stays append-only; a SPLIT event says where
-- it went). ``join_id``: its relay row while the relay is still owed.
CREATE TABLE follow_ups (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    user_id    INTEGER NOT NULL,
    event_id   INTEGER REFERENCES request_events (id),
    join_id    INTEGER,
    content    TEXT    NOT NULL,
    at         TEXT    NOT NULL,
    split_to   INTEGER REFERENCES requests (id)
);
CREATE INDEX follow_ups_event ON follow_ups (event_id) WHERE split_to IS NOT NULL;
