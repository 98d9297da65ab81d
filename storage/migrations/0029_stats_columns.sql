-- /stats reads a county's month (~90,000 requests a cohort) from the indexes of 0008. Two
-- things it computed per request each time are now kept on the request, in those indexes:
--   marks: escalated (1), explained (2), taken (4, 包案), ORed in by a trigger as each such
--     event is recorded (three look-ups in request_events per request before);
--   first_response_us, resolution_us: filing to first response, and to resolution, in
--     whole microseconds (two unixepoch() and four substr() per request before), set by
--     triggers whenever the times are written.
-- On the benchmark's full-size county (benchmarks/stats.py) this halves the month's
-- figures. PostgreSQL runs pg/0029_stats_columns.sql instead (the same columns, indexes
-- and values; its triggers are functions).
ALTER TABLE requests ADD COLUMN marks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE requests ADD COLUMN first_response_us INTEGER;
ALTER TABLE requests ADD COLUMN resolution_us INTEGER;

UPDATE requests SET marks = (
    SELECT coalesce(sum(DISTINCT CASE e.kind WHEN 'escalated' THEN 1 WHEN 'explained' THEN 2
                                             WHEN 'taken' THEN 4 END), 0)
    FROM request_events e WHERE e.request_id = requests.id)
WHERE id IN (SELECT request_id FROM request_events
             WHERE kind IN ('escalated', 'explained', 'taken'));

UPDATE requests SET
    first_response_us = (unixepoch(substr(first_response_at, 1, 19))
                         - unixepoch(substr(filed_at, 1, 19))) * 1000000
                        + CAST(substr(first_response_at, 21, 6) AS INTEGER)
                        - CAST(substr(filed_at, 21, 6) AS INTEGER),
    resolution_us = (unixepoch(substr(resolved_at, 1, 19))
                     - unixepoch(substr(filed_at, 1, 19))) * 1000000
                    + CAST(substr(resolved_at, 21, 6) AS INTEGER)
                    - CAST(substr(filed_at, 21, 6) AS INTEGER)
WHERE first_response_at IS NOT NULL OR resolved_at IS NOT NULL;

CREATE TRIGGER request_events_marks AFTER INSERT ON request_events
WHEN NEW.kind IN ('escalated', 'explained', 'taken')
BEGIN
    UPDATE requests
    SET marks = marks | CASE NEW.kind WHEN 'escalated' THEN 1 WHEN 'explained' THEN 2 ELSE 4 END
    WHERE id = NEW.request_id;
END;

CREATE TRIGGER requests_durations_filed AFTER INSERT ON requests
WHEN NEW.first_response_at IS NOT NULL OR NEW.resolved_at IS NOT NULL
BEGIN
    UPDATE requests SET
        first_response_us = (unixepoch(substr(NEW.first_response_at, 1, 19))
                             - unixepoch(substr(NEW.filed_at, 1, 19))) * 1000000
                            + CAST(substr(NEW.first_response_at, 21, 6) AS INTEGER)
                            - CAST(substr(NEW.filed_at, 21, 6) AS INTEGER),
        resolution_us = (unixepoch(substr(NEW.resolved_at, 1, 19))
                         - unixepoch(substr(NEW.filed_at, 1, 19))) * 1000000
                        + CAST(substr(NEW.resolved_at, 21, 6) AS INTEGER)
                        - CAST(substr(NEW.filed_at, 21, 6) AS INTEGER)
    WHERE id = NEW.id;
END;

CREATE TRIGGER requests_durations AFTER UPDATE OF filed_at, first_response_at, resolved_at
ON requests
WHEN NEW.filed_at IS NOT OLD.filed_at OR NEW.first_response_at IS NOT OLD.first_response_at
     OR NEW.resolved_at IS NOT OLD.resolved_at
BEGIN
    UPDATE requests SET
        first_response_us = (unixepoch(substr(NEW.first_response_at, 1, 19))
                             - unixepoch(substr(NEW.filed_at, 1, 19))) * 1000000
                            + CAST(substr(NEW.first_response_at, 21, 6) AS INTEGER)
                            - CAST(substr(NEW.filed_at, 21, 6) AS INTEGER),
        resolution_us = (unixepoch(substr(NEW.resolved_at, 1, 19))
                         - unixepoch(substr(NEW.filed_at, 1, 19))) * 1000000
                        + CAST(substr(NEW.resolved_at, 21, 6) AS INTEGER)
                        - CAST(substr(NEW.filed_at, 21, 6) AS INTEGER)
    WHERE id = NEW.id;
END;

DROP INDEX requests_filed;
CREATE INDEX requests_filed ON requests (filed_at, status, first_response_at, respond_by,
    resolve_by, resolved_at, reopened, household_id, handler_id, category, marks,
    first_response_us);
DROP INDEX requests_closed;
CREATE INDEX requests_closed ON requests (closed_at, outcome, resolved_at, filed_at,
    household_id, handler_id, category, resolution_us) WHERE closed_at IS NOT NULL;
