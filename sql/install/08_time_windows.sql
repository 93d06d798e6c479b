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
