-- Urgent and withdrawal (issue 11).
-- 撤回: a withdrawn request is closed with no outcome (``storage.requests._outcome``; the
-- outcome column's CHECK predates it). The due cohort of the statistics leaves withdrawn
-- requests out, so the index it is read from carries the status as well (0008: a county's
-- month is read from the index alone).
DROP INDEX requests_resolve_by;
CREATE INDEX requests_resolve_by ON requests (resolve_by, outcome, status, household_id,
    handler_id, category);

-- The household's reminder a day before 销号 by timeout: one per resolution (a request
-- reopened and resolved again is reminded again), noted in the transaction that owes it.
CREATE TABLE close_reminders (
    request_id  INTEGER NOT NULL REFERENCES requests (id),
    resolved_at TEXT    NOT NULL,
    sent_at     TEXT    NOT NULL,
    PRIMARY KEY (request_id, resolved_at)
);
