-- Confidential complaints (issue 11): a request about a cadre goes to the supervisor of
-- the region above that cadre, and the accused never sees it (``accused_id``: the cadre
-- the complaint is about; NULL for an ordinary request).
ALTER TABLE requests ADD COLUMN accused_id TEXT REFERENCES cadres (id);
CREATE INDEX requests_accused ON requests (accused_id) WHERE accused_id IS NOT NULL;

-- A villager pressed 「反映干部问题」 and chose the cadre: their next message is the
-- complaint, filed before anything is sent to anyone.
CREATE TABLE complaints_asked (
    user_id      INTEGER PRIMARY KEY,
    household_id TEXT    NOT NULL REFERENCES households (id),
    accused_id   TEXT    NOT NULL REFERENCES cadres (id),
    since        TEXT    NOT NULL
);
