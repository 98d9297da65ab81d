-- Retention (`lianxin purge` and the bot's daily sweep) deletes handled inbox rows, sent
-- outbox rows and the accounts of strangers who never took part in a request.
--
-- The rows old enough to go, found without reading the whole history: handled updates
-- by the time they were handled; sent (or refused) calls by the time they were sent,
-- as long as they still hold a payload (a reminder's row, kept for its dedup key with
-- its payload blanked, leaves the index).
CREATE INDEX inbox_handled ON inbox (handled_at) WHERE status = 'done';
CREATE INDEX outbox_done ON outbox (coalesce(sent_at, created_at))
    WHERE status IN ('sent', 'failed') AND payload <> '{}';

-- Deleting an inbox row makes SQLite look for the outbox rows that point at it (a
-- foreign key): without this index, a scan of the whole outbox for every row deleted.
CREATE INDEX outbox_source ON outbox (source_inbox_id);

-- A request's trail names the villagers who acted in it by their account, so an account
-- that acted in any trail is kept. Only villagers' events are indexed (a few per request).
CREATE INDEX request_events_villager ON request_events (actor) WHERE actor LIKE 'villager:%';
