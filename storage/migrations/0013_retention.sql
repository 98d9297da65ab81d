-- Retention (`lianxin purge` and the bot's daily sweep) deletes handled inbox rows, sent
-- outbox rows and the accounts of strangers who never took part in a request.
--
-- Deleting an inbox row makes SQLite look for the outbox rows that point at it (a
-- foreign key): without this index, a scan of the whole outbox for every row deleted.
CREATE INDEX outbox_source ON outbox (source_inbox_id);

-- A request's trail names the villagers who acted in it by their account, so an account
-- that acted in any trail is kept. Only villagers' events are indexed (a few per request).
CREATE INDEX request_events_villager ON request_events (actor) WHERE actor LIKE 'villager:%';
