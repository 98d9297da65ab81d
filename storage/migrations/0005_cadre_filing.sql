-- A cadre filing for a household after a visit or a call: ``/file H0001`` leaves this
-- row, and the cadre's next message becomes the request (then the row goes).
-- ``conversations`` cannot hold it: its rows belong to a request that exists.

CREATE TABLE cadre_filing (
    user_id      INTEGER PRIMARY KEY,
    cadre_id     TEXT    NOT NULL REFERENCES cadres (id) ON DELETE CASCADE,
    household_id TEXT    NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    since        TEXT    NOT NULL
);
