-- /stats counts 包案 (a leader's "taken" event) per request of the filed cohort, as it
-- counts escalated and explained (0008); without an index of its own each look-up read
-- every event of the request from the table: 0.5 s of a county's 1.3 s month on the
-- benchmark's county (benchmarks/stats.py). storage/stats.py names the index (INDEXED BY):
-- while a county has no such event yet SQLite's planner would not pick an empty index.
CREATE INDEX request_events_taken ON request_events (request_id) WHERE kind = 'taken';
