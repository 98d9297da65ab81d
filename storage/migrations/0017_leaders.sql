-- Supervision (督办, issue 11): what a supervisor does to a case, departments, and the
-- discipline contact of a region.

-- 包案: the leader who took the case personally (the handler goes on doing the work).
ALTER TABLE requests ADD COLUMN leader_id TEXT REFERENCES cadres (id);
CREATE INDEX requests_leader ON requests (leader_id) WHERE leader_id IS NOT NULL;

-- 交办: the departments and linked units (挂钩单位, 水利局, 供电所 …) a case may be assigned
-- to, each serving a region (and the regions below it) through a contact cadre. The
-- roster's optional fifth sheet; the ids are checked by the roster check, not by keys,
-- so a pruned cadre leaves a department without a contact (refused), never a broken import.
CREATE TABLE departments (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    region_id  TEXT NOT NULL,
    contact_id TEXT NOT NULL
);
CREATE INDEX departments_region ON departments (region_id);

-- A region's discipline contact (纪检联络人): a confidential complaint about a cadre of the
-- region below goes to them first; without one, to the supervisor as before.
ALTER TABLE regions ADD COLUMN discipline_contact TEXT;

-- 催办 with a note: the supervisor's next message is the note. The conversations table's
-- CHECK lists the purposes, so it is rebuilt with 'urging' (nothing refers to it).
CREATE TABLE conversations_new (
    user_id    INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests (id),
    purpose    TEXT    NOT NULL CHECK (purpose IN ('talking', 'replying', 'resolving',
                                                   'explaining', 'reopening', 'urging')),
    since      TEXT    NOT NULL
);
INSERT INTO conversations_new (user_id, request_id, purpose, since)
    SELECT user_id, request_id, purpose, since FROM conversations;
DROP TABLE conversations;
ALTER TABLE conversations_new RENAME TO conversations;
