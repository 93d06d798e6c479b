-- crisk's settings: defaults, units, bounds, and the errors of bad values.
-- The library defines them when it loads.
LOAD 'crisk';

SELECT name, setting, unit, context, vartype, min_val, max_val
FROM pg_catalog.pg_settings WHERE name LIKE 'crisk.%' ORDER BY name;

SHOW crisk.rescore_interval;
SHOW crisk.history_retention;
SHOW crisk.full_rescore_time;

-- A superuser may set the batch size of the session's crisk.rescore().
SET crisk.batch_size = 250;
SHOW crisk.batch_size;
RESET crisk.batch_size;

-- Out of range, or not a time of day.
SET crisk.batch_size = 0;
\echo :LAST_ERROR_SQLSTATE
SET crisk.batch_size = 100001;
\echo :LAST_ERROR_SQLSTATE
-- The worker's settings are changed in postgresql.conf and reloaded.
SET crisk.rescore_interval = '5min';
\echo :LAST_ERROR_SQLSTATE
SET crisk.full_rescore_time = '03:00';
\echo :LAST_ERROR_SQLSTATE
-- A misspelt crisk.* setting is an error, not a silent placeholder.
SET crisk.batchsize = 10;
\echo :LAST_ERROR_SQLSTATE
-- Values for the configuration file are checked when written.
ALTER SYSTEM SET crisk.full_rescore_time = '24:00';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET crisk.full_rescore_time = '2:30';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET crisk.rescore_interval = '0';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET crisk.databases = '"unterminated';
\echo :LAST_ERROR_SQLSTATE
-- The worker's niceness, added to the server's: 0 to 19, set in the
-- configuration file (sessions and manual passes keep their own priority).
SET crisk.worker_nice = 10;
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET crisk.worker_nice = 20;
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET crisk.worker_nice = -1;
\echo :LAST_ERROR_SQLSTATE
-- Yielding to order checks: a quiet time of up to an hour, and a limit
-- per pass, both in the configuration file.
SET crisk.worker_yield_to_order_checks = '100ms';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET crisk.worker_yield_to_order_checks = '61min';
\echo :LAST_ERROR_SQLSTATE
ALTER SYSTEM SET crisk.worker_yield_limit = -1;
\echo :LAST_ERROR_SQLSTATE
