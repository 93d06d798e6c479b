-- From 08_time_windows.sql and 09_amount_total.sql: the credit core's time
-- windows, read from SQL, and the allocations' total per item.  They come
-- before the parts that call them (40_limits.sql, 45_allocations.sql,
-- 50_collections.sql, 57_as_of.sql), since the bodies of SQL functions are
-- checked when they are created.

-- The time windows of the credit core (src/credit_core.h), for the SQL that
-- reads the ledger next to it (src/time_windows.c):
--
--   crisk._twelve_months_start(as_of)  the day before the last twelve months,
--                                      (start, as_of]: as_of - 1 year (28
--                                      February for 29 February).  The sales
--                                      a limit is sized from, the legal
--                                      events that weigh on a score, the
--                                      broken promises a pass counts.
--   crisk._overdue_alert_days()        an invoice more than this many days
--                                      past due raises an overdue_90 alert.
--   crisk._dso_period_days()           the period of the standard DSO (a
--                                      payment profile's, the portfolio's).
--
-- Each window is defined once, in C; the SQL bodies call these functions
-- rather than write the window again.  IMMUTABLE: a call on a constant
-- (an inlined function's date, a plan's parameter) folds when the query is
-- planned, and costs nothing per row.
CREATE FUNCTION crisk._twelve_months_start(as_of pg_catalog.date)
    RETURNS pg_catalog.date
    AS 'MODULE_PATHNAME', 'crisk_twelve_months_start'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk._twelve_months_start(pg_catalog.date) IS
    'Internal: the day before the last twelve months ending on as_of, as_of - 1 year (28 February for 29 February); the window (start, as_of] of sales, legal events and broken promises, as the credit core defines it.';

CREATE FUNCTION crisk._overdue_alert_days()
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_overdue_alert_days'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk._overdue_alert_days() IS
    'Internal: the days past due beyond which an invoice raises an overdue_90 alert (90), as the credit core defines it.';

CREATE FUNCTION crisk._dso_period_days()
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_dso_period_days'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk._dso_period_days() IS
    'Internal: the period of the standard DSO, in days (90), of crisk.payment_profile and the portfolio''s KPIs, as the credit core defines it.';

-- crisk._amount_total: the exact sum of numeric amounts, for the readers
-- that total the allocations once per ledger item (crisk.open_items_at,
-- crisk.ledger_parts).  It gives what pg_catalog.sum(numeric) gives (the
-- scale of the most precise amount, NULL over no amounts, NULLs skipped),
-- but its state is the running total itself, a numeric, where sum() keeps
-- an accumulator of several hundred bytes per group: grouping a hundred
-- thousand items' allocations by hashing then needs less than half the
-- memory, and so less than half the time (bench/aged_balance.sh).
CREATE AGGREGATE crisk._amount_total(pg_catalog.numeric) (
    SFUNC = pg_catalog.numeric_add,
    STYPE = pg_catalog.numeric,
    COMBINEFUNC = pg_catalog.numeric_add,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk._amount_total(pg_catalog.numeric) IS
    'Internal: the exact sum of the amounts, as sum(numeric) gives it (NULL over no rows), with the running total as its state; the allocation readers total each item''s allocations with it.';
