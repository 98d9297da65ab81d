-- SQLite's functions that the repositories' SQL uses, for PostgreSQL. Created again (OR
-- REPLACE) at every upgrade: they are code, not data, and carry no version of their own.

-- STABLE, not IMMUTABLE: text::timestamp is only stable, and a SQL function is inlined into
-- the query only when its body is as immutable as it says; called instead, each of /stats'
-- several per request cost ~7 µs (twice the whole expression's time).
CREATE OR REPLACE FUNCTION unixepoch(moment text) RETURNS bigint
LANGUAGE sql STABLE AS $$
    SELECT floor(extract(epoch FROM (moment::timestamp AT TIME ZONE 'UTC')))::bigint
$$;

CREATE OR REPLACE FUNCTION iif(test boolean, yes anyelement, no anyelement) RETURNS anyelement
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN test THEN yes ELSE no END $$;

CREATE OR REPLACE FUNCTION instr(haystack text, needle text) RETURNS bigint
LANGUAGE sql IMMUTABLE AS $$ SELECT strpos(haystack, needle)::bigint $$;

CREATE OR REPLACE FUNCTION json_extract(document text, path text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT document::jsonb #>> string_to_array(substr(path, 3), '.')
$$;

CREATE OR REPLACE FUNCTION lianxin_concat(so_far text, item anyelement, separator text)
RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN item IS NULL THEN so_far
                WHEN so_far IS NULL THEN item::text
                ELSE so_far || separator || item::text END
$$;

CREATE OR REPLACE FUNCTION lianxin_concat(so_far text, item anyelement) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT lianxin_concat(so_far, item, ',') $$;

-- group_concat(x): the items gathered in an array (array_append grows it in place in an
-- aggregate), joined once at the end; NULLs skipped, NULL when none is left, as SQLite's.
-- Concatenating text step by step instead costs the square of the length: 40,000 values
-- took 24 s, a county's month of response times (/stats) has twice that.
CREATE OR REPLACE FUNCTION lianxin_joined(items anycompatiblearray) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN cardinality(array_remove(items, NULL)) > 0
                THEN array_to_string(items, ',') END
$$;

DROP AGGREGATE IF EXISTS group_concat(anyelement);  -- the step-by-step one, before 2026-11-30
CREATE OR REPLACE AGGREGATE group_concat(anycompatible) (
    SFUNC = array_append, STYPE = anycompatiblearray, FINALFUNC = lianxin_joined
);
CREATE OR REPLACE AGGREGATE group_concat(anyelement, text) (
    SFUNC = lianxin_concat, STYPE = text
);
