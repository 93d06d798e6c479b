-- Robustness (issue 15, items 5, 8 and 9).

-- crisk.invoice refuses amounts its exact totals cannot hold (51_ledger.sql).
-- Rows already there are checked first, so that the upgrade stops with a
-- message saying which invoices to correct rather than a bare violation.
CREATE FUNCTION crisk.require_exact_amount(amount pg_catalog.numeric)
    RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'crisk_require_exact_amount'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.require_exact_amount(pg_catalog.numeric) IS
    'True when crisk''s exact totals can hold the amount (at most 8 decimal places, absolute value below 10^30); otherwise raises 22003 (22023 for NaN or infinity) saying why. crisk.invoice checks its amounts with it.';

DO $$
DECLARE
    bad pg_catalog.int8;
    example pg_catalog.text;
BEGIN
    SELECT pg_catalog.count(*), pg_catalog.min(i.invoice_id) INTO bad, example
    FROM crisk.invoice AS i
    WHERE pg_catalog.min_scale(i.amount) OPERATOR(pg_catalog.>) 8
       OR pg_catalog.abs(i.amount) OPERATOR(pg_catalog.>=) '1e30'::pg_catalog.numeric;
    IF bad OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION '% invoices of crisk.invoice have amounts crisk''s exact totals cannot hold, for example invoice %',
                bad, example
            USING ERRCODE = '22003',
                  DETAIL = 'crisk 0.2.0 accepts amounts with at most 8 decimal places and below 10^30 in absolute value.',
                  HINT = 'Correct them, for example UPDATE crisk.invoice SET amount = round(amount, 2) WHERE min_scale(amount) > 8, then run ALTER EXTENSION crisk UPDATE again.';
    END IF;
END
$$;
ALTER TABLE crisk.invoice
    ADD CONSTRAINT invoice_amount_within_exact_range CHECK (crisk.require_exact_amount(amount));

-- Extreme as-of dates raise 22023 naming as_of (06_argument_checks.sql):
-- the check, and the functions that look back from as_of with it.
CREATE FUNCTION crisk._as_of_checked(as_of pg_catalog.date)
    RETURNS pg_catalog.date
    AS 'MODULE_PATHNAME', 'crisk_as_of_checked'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk._as_of_checked(pg_catalog.date) IS
    'Internal: returns as_of, or raises 22023 naming it when it is infinite or outside 4712-11-24 BC to 294276-12-31, the dates crisk can look back two years from.';

-- crisk.watchlist_at is replaced once, in 57_as_of.sql, which carries every
-- change to it.

-- crisk._rescore_worklist and crisk._rescore_items, with their argument checks,
-- are replaced once, in 40_limits.sql, which carries every change to them.

-- Truthful labels (test/pgtap/catalog_hygiene.sql): functions that only
-- compute or only read crisk's own tables and catalogs are PARALLEL SAFE.
ALTER FUNCTION crisk._rescore_ledger_transition(pg_catalog.internal, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date)
    PARALLEL SAFE;
ALTER FUNCTION crisk._rescore_ledger_final(pg_catalog.internal) PARALLEL SAFE;
CREATE OR REPLACE AGGREGATE crisk._rescore_ledger(amount pg_catalog.numeric, issue_date pg_catalog.date,
                                                  due_date pg_catalog.date, paid_date pg_catalog.date,
                                                  as_of pg_catalog.date) (
    SFUNC = crisk._rescore_ledger_transition,
    STYPE = pg_catalog.internal,
    FINALFUNC = crisk._rescore_ledger_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
ALTER FUNCTION crisk._rescore_compute(crisk.rescore_item[], pg_catalog.date) PARALLEL SAFE;
ALTER FUNCTION crisk.ledger_problems(pg_catalog.regclass) PARALLEL SAFE;
ALTER FUNCTION crisk.provision_matrix_rates(pg_catalog.text) PARALLEL SAFE;
