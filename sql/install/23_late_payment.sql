-- Late-payment penalties of French B2B law (src/late_payment.c):
-- crisk.late_payment_interest and crisk.recovery_indemnity.

-- STABLE, not IMMUTABLE as SPEC 3.1 lists it: without annual_rate the result
-- depends on crisk.reference_rate, and an IMMUTABLE function may be folded
-- to a constant when a query is planned (prepared statements, views' plans,
-- index expressions), which would keep using the old rates after a row is
-- added.  Not STRICT: a NULL annual_rate asks for the statutory rate; a NULL
-- amount or date still gives NULL.
CREATE FUNCTION crisk.late_payment_interest(amount pg_catalog.numeric,
                                            due_date pg_catalog.date,
                                            paid_date pg_catalog.date,
                                            annual_rate pg_catalog.numeric DEFAULT NULL)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_late_payment_interest'
    LANGUAGE C STABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.late_payment_interest(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.numeric) IS
    'Late-payment interest to the cent: amount * rate * days / 365 over the days from the day after due_date to paid_date (the as-of date for an open invoice). annual_rate is a fraction; NULL applies the French statutory rate (ECB rate in force on 1 January or 1 July, from crisk.reference_rate, plus 10 points). 0 when paid on time or for a credit note.';

CREATE FUNCTION crisk.recovery_indemnity(due_date pg_catalog.date,
                                         paid_date pg_catalog.date)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_recovery_indemnity'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.recovery_indemnity(pg_catalog.date, pg_catalog.date) IS
    'Fixed recovery indemnity of French law (D441-5): 40.00 euros when paid_date (the as-of date for an open invoice) is after due_date, else 0.00.';
