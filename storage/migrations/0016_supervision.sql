-- 督办, not moving the work (issue 11): past a due time the request stays with its
-- handler, who is urged once; the supervisor reads one line in their digest.

-- Each overdue fact urged, once: a due time missed (``due`` respond / resolve, ``mark`` the
-- due time as stored in ``requests``) or the villager's second reopen (``reopened``, the
-- count). A sweep run twice, or after a restart, finds the row and urges nothing again;
-- ``urged_at`` starts the second deadline (``deadlines.escalate_after``) of a reopen.
CREATE TABLE urgings (
    request_id INTEGER NOT NULL REFERENCES requests (id),
    due        TEXT    NOT NULL CHECK (due IN ('respond', 'resolve', 'reopened')),
    mark       TEXT    NOT NULL,
    urged_at   TEXT    NOT NULL,
    PRIMARY KEY (request_id, due, mark)
);

-- What a supervisor (``recipient`` a cadre id) or the administrators (``*admins``) would
-- have been sent one message each for: written by the use cases in the transaction of
-- the change, drained (``digested_at``) by the next digest round, one line each.
CREATE TABLE digest_lines (
    id          INTEGER PRIMARY KEY,
    recipient   TEXT    NOT NULL,
    request_id  INTEGER NOT NULL REFERENCES requests (id),
    what        TEXT    NOT NULL,
    note        TEXT    NOT NULL DEFAULT '',
    at          TEXT    NOT NULL,
    digested_at TEXT
);
CREATE INDEX digest_lines_pending ON digest_lines (recipient, id) WHERE digested_at IS NULL;
