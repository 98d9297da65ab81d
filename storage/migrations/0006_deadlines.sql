-- Due times, reminders before them and escalation past them (issue 5).
-- The due times themselves are ``requests.respond_by`` / ``resolve_by`` (0004); these
-- columns say since when they run, whether the handler's one extension is used, and
-- whether a request past due has reached the top of its chain (so the sweep stops).

ALTER TABLE requests ADD COLUMN due_from TEXT;           -- when the current due times were set
ALTER TABLE requests ADD COLUMN extended_at TEXT;        -- the one later resolution date, when
ALTER TABLE requests ADD COLUMN stalled_at TEXT;         -- past due with no one above: told then
ALTER TABLE requests ADD COLUMN reopen_escalated INTEGER NOT NULL DEFAULT 0;  -- reopens acted on
UPDATE requests SET due_from = filed_at;

CREATE INDEX requests_respond_due ON requests (respond_by)
    WHERE status IN ('open', 'acknowledged') AND first_response_at IS NULL;
CREATE INDEX requests_resolve_due ON requests (resolve_by)
    WHERE status IN ('open', 'acknowledged');

-- Reminders sent, one per request, due time and due moment: a sweep run twice, or after
-- a restart, finds the row and sends nothing again.
CREATE TABLE sent_reminders (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    due        TEXT    NOT NULL CHECK (due IN ('respond', 'resolve')),
    due_at     TEXT    NOT NULL,
    sent_at    TEXT    NOT NULL,
    PRIMARY KEY (request_id, due, due_at)
);
