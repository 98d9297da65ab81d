-- Statistics for supervisors (issue 6): indexes only.
-- Each figure reads one cohort of a period by a range scan on its date: filed_at (the filed
-- cohort), resolve_by (the due cohort), closed_at (the closed cohort). Each index carries
-- every column its cohort's figures read, and the household, handler and category they
-- are scoped and broken down by, so a county's month (~90,000 requests a cohort) is read
-- from the indexes alone: looking each request up in the table costs 0.1-0.2 s a cohort
-- when ids do not follow the dates (as closing and due dates never quite do).
CREATE INDEX requests_filed ON requests (filed_at, status, first_response_at, respond_by,
    resolve_by, resolved_at, reopened, household_id, handler_id, category);
CREATE INDEX requests_closed ON requests (closed_at, outcome, resolved_at, filed_at,
    household_id, handler_id, category) WHERE closed_at IS NOT NULL;
CREATE INDEX requests_resolve_by ON requests (resolve_by, outcome, household_id, handler_id,
    category);
-- A request's household to its region in one lookup, for a subtree's figures.
CREATE INDEX households_region_of ON households (id, region_id);
-- The overdue list uses requests_resolve_due (0006).
-- Escalated and explained are looked up per request of the filed cohort.
CREATE INDEX request_events_escalated ON request_events (request_id) WHERE kind = 'escalated';
CREATE INDEX request_events_explained ON request_events (request_id) WHERE kind = 'explained';
