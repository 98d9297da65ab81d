-- PLACEHOLDER on branch h/urgent only, so that 0014 applies (migrations are numbered
-- without gaps). The real 0013 is h/confidential's: on merge, take theirs.
SELECT 1;
