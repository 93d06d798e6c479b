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
    ADD CONSTRAINT invoice_amount_exact CHECK (crisk.require_exact_amount(amount));
