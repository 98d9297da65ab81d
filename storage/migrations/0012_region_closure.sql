-- The region tree stored once (issue 10): a closure table, one row for every region and
-- each region at or above it (itself at depth 0, its parent at 1, ...), with that
-- ancestor's level. A supervisor's jurisdiction is `region_tree WHERE ancestor_id =
-- :region` (the primary key reads it in order); a region's village or township is one
-- look-up in region_tree_up (region_id, ancestor_level, nearest first).
-- The roster import rebuilds it whenever it writes or removes regions
-- (storage/region_tree.py); here it is filled for the regions already stored.
CREATE TABLE region_tree (
    ancestor_id TEXT    NOT NULL REFERENCES regions (id) ON DELETE CASCADE
                        DEFERRABLE INITIALLY DEFERRED,
    region_id   TEXT    NOT NULL REFERENCES regions (id) ON DELETE CASCADE
                        DEFERRABLE INITIALLY DEFERRED,
    depth       INTEGER NOT NULL CHECK (depth >= 0),
    ancestor_level TEXT NOT NULL,  -- regions.level of ancestor_id, for the breakdowns
    PRIMARY KEY (ancestor_id, region_id)
) WITHOUT ROWID;
CREATE INDEX region_tree_up ON region_tree (region_id, ancestor_level, depth, ancestor_id);

-- Capped at depth 32, so a cyclic tree (refused by the roster check, but possible in an
-- old database) cannot loop forever; a pair met twice keeps its shortest depth.
INSERT INTO region_tree (ancestor_id, region_id, depth, ancestor_level)
WITH RECURSIVE tree (ancestor_id, ancestor_level, region_id, depth) AS (
    SELECT id, level, id, 0 FROM regions
    UNION ALL
    SELECT t.ancestor_id, t.ancestor_level, r.id, t.depth + 1
    FROM tree t JOIN regions r ON r.parent_id = t.region_id
    WHERE t.depth < 32
)
SELECT ancestor_id, region_id, min(depth), ancestor_level FROM tree
GROUP BY ancestor_id, region_id;
