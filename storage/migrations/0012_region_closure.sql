-- The region tree stored once (issue 10): a closure table, one row for every region and
-- each region at or above it (itself at depth 0, its parent at 1, ...). A supervisor's
-- jurisdiction is `region_tree WHERE ancestor_id = :region` (the primary key reads it in
-- order), a household's chain of regions `WHERE region_id = :region ORDER BY depth`.
-- The roster import rebuilds it whenever it writes or removes regions
-- (storage/region_tree.py); here it is filled for the regions already stored.
CREATE TABLE region_tree (
    ancestor_id TEXT    NOT NULL REFERENCES regions (id) ON DELETE CASCADE
                        DEFERRABLE INITIALLY DEFERRED,
    region_id   TEXT    NOT NULL REFERENCES regions (id) ON DELETE CASCADE
                        DEFERRABLE INITIALLY DEFERRED,
    depth       INTEGER NOT NULL CHECK (depth >= 0),
    PRIMARY KEY (ancestor_id, region_id)
) WITHOUT ROWID;
CREATE INDEX region_tree_up ON region_tree (region_id, depth, ancestor_id);

-- Capped at depth 32, so a cyclic tree (refused by the roster check, but possible in an
-- old database) cannot loop forever; a pair met twice keeps its shortest depth.
INSERT INTO region_tree (ancestor_id, region_id, depth)
WITH RECURSIVE tree (ancestor_id, region_id, depth) AS (
    SELECT id, id, 0 FROM regions
    UNION ALL
    SELECT t.ancestor_id, r.id, t.depth + 1
    FROM tree t JOIN regions r ON r.parent_id = t.region_id
    WHERE t.depth < 32
)
SELECT ancestor_id, region_id, min(depth) FROM tree GROUP BY ancestor_id, region_id;
