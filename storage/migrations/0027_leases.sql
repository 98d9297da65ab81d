-- Several `lianxin run` processes on one (PostgreSQL) database share the work (issue 14).
-- An inbox or outbox row is worked by the process that leased it (leased_by) until its
-- lease ends (lease_until, UTC text as every time here); a killed process's rows are
-- taken by another once the lease has ended. A chat (lane) is held by whoever has a live
-- lease on one of its pending rows, so its rows are handled and sent in order.
-- `leases` names the things one process at a time does: the getUpdates loop
-- ("receiver") and each periodic sweep. Portable DDL: the same on SQLite and PostgreSQL.
ALTER TABLE inbox ADD COLUMN leased_by TEXT;
ALTER TABLE inbox ADD COLUMN lease_until TEXT;
ALTER TABLE outbox ADD COLUMN leased_by TEXT;
ALTER TABLE outbox ADD COLUMN lease_until TEXT;

CREATE TABLE leases (
    name        TEXT PRIMARY KEY,  -- receiver | sweep:<job>
    holder      TEXT NOT NULL,     -- the process: host:pid:random
    lease_until TEXT NOT NULL
);
