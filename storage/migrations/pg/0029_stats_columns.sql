-- PostgreSQL's 0029 (see ../0029_stats_columns.sql): the same columns, values and indexes.
-- The durations are generated columns here (STORED: computed as the row is written, one
-- table rewrite now instead of an UPDATE of every row, which would leave as many dead
-- rows behind); marks is ORed in by a trigger function as in SQLite.
CREATE FUNCTION lianxin_us(later text, earlier text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$
    SELECT (floor(extract(epoch FROM (substr(later, 1, 19)::timestamp AT TIME ZONE 'UTC')))
            - floor(extract(epoch FROM (substr(earlier, 1, 19)::timestamp AT TIME ZONE 'UTC')))
           )::bigint * 1000000
           + CAST(substr(later, 21, 6) AS bigint) - CAST(substr(earlier, 21, 6) AS bigint)
$$;

ALTER TABLE requests
    ADD COLUMN marks BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN first_response_us BIGINT
        GENERATED ALWAYS AS (lianxin_us(first_response_at, filed_at)) STORED,
    ADD COLUMN resolution_us BIGINT
        GENERATED ALWAYS AS (lianxin_us(resolved_at, filed_at)) STORED;

UPDATE requests r SET marks = e.marks
FROM (SELECT request_id,
             bit_or(CASE kind WHEN 'escalated' THEN 1 WHEN 'explained' THEN 2 ELSE 4 END) AS marks
      FROM request_events WHERE kind IN ('escalated', 'explained', 'taken')
      GROUP BY request_id) e
WHERE r.id = e.request_id;

CREATE FUNCTION lianxin_event_marks() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE requests
    SET marks = marks | CASE NEW.kind WHEN 'escalated' THEN 1 WHEN 'explained' THEN 2 ELSE 4 END
    WHERE id = NEW.request_id;
    RETURN NULL;
END
$$;
CREATE TRIGGER request_events_marks AFTER INSERT ON request_events FOR EACH ROW
WHEN (NEW.kind IN ('escalated', 'explained', 'taken'))
EXECUTE FUNCTION lianxin_event_marks();

DROP INDEX requests_filed;
CREATE INDEX requests_filed ON requests (filed_at, status, first_response_at, respond_by,
    resolve_by, resolved_at, reopened, household_id, handler_id, category, marks,
    first_response_us);
DROP INDEX requests_closed;
CREATE INDEX requests_closed ON requests (closed_at, outcome, resolved_at, filed_at,
    household_id, handler_id, category, resolution_us) WHERE closed_at IS NOT NULL;
