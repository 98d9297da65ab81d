-- Leavers (issue 9): a cadre, household or region pruned from the roster while history
-- still refers to it (a request it handled or filed, a logged stay) is marked removed
-- instead of deleted: the trail keeps its names, nothing is lost, and a removed row is
-- out of the roster (export, cards, binding, routing). A re-import of the same id brings
-- it back.
ALTER TABLE cadres ADD COLUMN removed_at TEXT;
ALTER TABLE households ADD COLUMN removed_at TEXT;
ALTER TABLE regions ADD COLUMN removed_at TEXT;

-- Requests taken from a cadre who left (pruned, unbound, or no longer linked to the
-- household) and given to the next one, written in the same transaction as the roster
-- change (by the command line); the bot's sweep tells the new handler, the villager
-- and the administrators, then sets told_at. to_cadre NULL: no one could take it.
CREATE TABLE reroutes (
    id         INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    from_cadre TEXT    NOT NULL REFERENCES cadres (id),
    to_cadre   TEXT    REFERENCES cadres (id),
    tier       INTEGER NOT NULL,
    why        TEXT    NOT NULL,                     -- routing's Why, for the route line
    reason     TEXT    NOT NULL CHECK (reason IN ('removed', 'unbound', 'unlinked')),
    at         TEXT    NOT NULL,
    told_at    TEXT
);
CREATE INDEX reroutes_untold ON reroutes (id) WHERE told_at IS NULL;
