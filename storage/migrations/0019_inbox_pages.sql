-- /inbox's pages (issue 11) look at the requests still waiting (open, acknowledged, or
-- resolved and waiting for the villager), soonest due first: a few hundred rows of a
-- county's year, not every request ever filed.
CREATE INDEX requests_waiting ON requests (household_id, handler_id)
    WHERE status IN ('open', 'acknowledged', 'resolved');
