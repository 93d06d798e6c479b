-- Provision matrices for the expected credit loss of crisk.portfolio_kpi
-- (IFRS 9 simplified approach): a loss rate per aging bucket.
--
-- Same conventions as crisk.dunning_policy: crisk ships the matrix
-- "default" (shipped = true, read-only, left out by pg_dump since CREATE
-- EXTENSION recreates it); users copy it under a name of their own, change
-- the rates there, and put their matrix in force with
-- crisk.set_provision_matrix().  Their rows and their choice are kept by
-- pg_dump.
--
-- A row starts a bucket at days_past_due; the bucket runs to the day before
-- the next row's.  The row at 0 is the current bucket (not yet due: every
-- zero or negative days past due), so the next row must start at 1, and a
-- matrix needs at least three buckets (current, 1 to n, over n), as the
-- bucket bounds of crisk.expected_credit_loss do.

CREATE TABLE crisk.provision_matrix (
    matrix          pg_catalog.text NOT NULL,
    days_past_due   pg_catalog.int4 NOT NULL,
    loss_rate       pg_catalog.numeric NOT NULL,
    description     pg_catalog.text,
    shipped         pg_catalog.bool NOT NULL DEFAULT false,
    CONSTRAINT provision_matrix_pkey PRIMARY KEY (matrix, days_past_due),
    CONSTRAINT provision_matrix_matrix_not_empty CHECK (matrix <> ''),
    CONSTRAINT provision_matrix_days_not_negative CHECK (days_past_due >= 0),
    -- NaN sorts above every number, so this also refuses NaN.
    CONSTRAINT provision_matrix_loss_rate_fraction CHECK (loss_rate >= 0 AND loss_rate <= 1)
);
COMMENT ON TABLE crisk.provision_matrix IS
    'Provision matrices (IFRS 9 simplified approach): per matrix, a loss rate for each aging bucket, used for the expected credit loss of crisk.portfolio_kpi. Matrix "default" is shipped (shipped = true, read-only); copy it under another name to change the rates and put yours in force with crisk.set_provision_matrix().';
COMMENT ON COLUMN crisk.provision_matrix.matrix IS 'Name of the matrix.';
COMMENT ON COLUMN crisk.provision_matrix.days_past_due IS 'First day past due of the bucket, which runs to the day before the next row''s; 0 is the current bucket (not yet due), and the next row must start at 1.';
COMMENT ON COLUMN crisk.provision_matrix.loss_rate IS 'Share of the bucket''s receivables expected to be lost over their life, as a fraction (0.016 for 1.6 %).';
COMMENT ON COLUMN crisk.provision_matrix.description IS 'What the bucket covers, or where the rate comes from.';
COMMENT ON COLUMN crisk.provision_matrix.shipped IS 'True for the rows crisk ships; those cannot be changed.';

-- The default rates are those of the provision matrix in the Illustrative
-- Examples accompanying IFRS 9 Financial Instruments (IASB, 2014), example
-- 12, paragraphs IE74 to IE77: a manufacturer with trade receivables and no
-- significant financing component, whose historical default rates adjusted
-- for forward-looking estimates give 0.3 % current, 1.6 % 1-30 days,
-- 3.6 % 31-60 days, 6.6 % 61-90 days and 10.6 % over 90 days past due.
-- They are the standard's own illustration of the method, on the same five
-- buckets as crisk's aging, and a sensible order of magnitude for a B2B
-- portfolio; they are not a calibration.  IFRS 9 (B5.5.35) asks each
-- entity to base its matrix on its own loss experience: copy the matrix and
-- put in the rates observed on your ledger.
INSERT INTO crisk.provision_matrix (matrix, days_past_due, loss_rate, description, shipped) VALUES
    ('default',  0, 0.003, 'Not yet due (IFRS 9 IE, example 12)', true),
    ('default',  1, 0.016, '1 to 30 days past due (IFRS 9 IE, example 12)', true),
    ('default', 31, 0.036, '31 to 60 days past due (IFRS 9 IE, example 12)', true),
    ('default', 61, 0.066, '61 to 90 days past due (IFRS 9 IE, example 12)', true),
    ('default', 91, 0.106, 'More than 90 days past due (IFRS 9 IE, example 12)', true);
REVOKE ALL ON crisk.provision_matrix FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.provision_matrix', 'WHERE NOT shipped');
CREATE TRIGGER provision_matrix_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.provision_matrix
    FOR EACH ROW EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Copy the matrix under a new name, change the rates there, and put it in force with crisk.set_provision_matrix().');
CREATE TRIGGER provision_matrix_shipped_truncate
    BEFORE TRUNCATE ON crisk.provision_matrix
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Delete your own rows with DELETE ... WHERE NOT shipped.');

-- The matrix in force: one row, or none for "default".
CREATE TABLE crisk.provision_matrix_in_force (
    matrix      pg_catalog.text NOT NULL,
    set_at      pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    set_by      pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    single_row  pg_catalog.bool NOT NULL DEFAULT true,
    CONSTRAINT provision_matrix_in_force_pkey PRIMARY KEY (single_row),
    CONSTRAINT provision_matrix_in_force_single_row CHECK (single_row)
);
COMMENT ON TABLE crisk.provision_matrix_in_force IS
    'The provision matrix crisk.portfolio_kpi uses, as set by crisk.set_provision_matrix(), with when and by which login; empty means matrix "default". pg_dump keeps it.';
REVOKE ALL ON crisk.provision_matrix_in_force FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.provision_matrix_in_force', '');

-- crisk.provision_matrix_rates turns a matrix into the loss_rates and bounds
-- arguments of crisk.expected_credit_loss, checking that its rows form a
-- matrix.  NULL asks for the matrix in force.
CREATE FUNCTION crisk.provision_matrix_rates(matrix pg_catalog.text DEFAULT NULL,
                                             OUT matrix_used pg_catalog.text,
                                             OUT loss_rates pg_catalog.numeric[],
                                             OUT bounds pg_catalog.int4[])
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    days pg_catalog.int4[];
BEGIN
    matrix_used := COALESCE(provision_matrix_rates.matrix,
                            (SELECT f.matrix FROM crisk.provision_matrix_in_force f),
                            'default');
    SELECT pg_catalog.array_agg(p.days_past_due ORDER BY p.days_past_due),
           pg_catalog.array_agg(p.loss_rate ORDER BY p.days_past_due)
      INTO days, loss_rates
      FROM crisk.provision_matrix p
     WHERE p.matrix OPERATOR(pg_catalog.=) matrix_used;
    IF days IS NULL THEN
        RAISE EXCEPTION 'provision matrix % does not exist', matrix_used
            USING ERRCODE = '42704',
                  HINT = 'The matrices are the names in crisk.provision_matrix.';
    END IF;
    -- At most 64 bounds, as for every crisk aging function: 66 buckets.
    IF pg_catalog.cardinality(days) OPERATOR(pg_catalog.<) 3
       OR pg_catalog.cardinality(days) OPERATOR(pg_catalog.>) 66
       OR days[1] OPERATOR(pg_catalog.<>) 0 OR days[2] OPERATOR(pg_catalog.<>) 1 THEN
        RAISE EXCEPTION 'provision matrix % is not a valid matrix', matrix_used
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('Its buckets start at %s days past due.', days),
                  HINT = 'A matrix needs a row at 0 days past due (current), one at 1, and at least one more, at most 66 rows in all.';
    END IF;
    -- Each bucket from the third on starts the day after the previous
    -- bucket's upper bound.
    bounds := ARRAY(SELECT d OPERATOR(pg_catalog.-) 1
                    FROM pg_catalog.unnest(days[3:]) AS d);
END
$$;
COMMENT ON FUNCTION crisk.provision_matrix_rates(pg_catalog.text) IS
    'The loss rates and bucket bounds of a provision matrix (NULL: the one in force), as crisk.expected_credit_loss takes them; 42704 for an unknown matrix, 22023 when its rows do not form one.';

-- crisk.set_provision_matrix puts a matrix in force, under the caller's
-- login.  SECURITY DEFINER so that a credit manager needs no right on the
-- table that records it.
CREATE FUNCTION crisk.set_provision_matrix(matrix pg_catalog.text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF set_provision_matrix.matrix IS NULL THEN
        RAISE EXCEPTION 'matrix must not be null'
            USING ERRCODE = '22004', HINT = 'Give ''default'' for the matrix shipped with crisk.';
    END IF;
    -- Refuses an unknown or malformed matrix.
    PERFORM crisk.provision_matrix_rates(set_provision_matrix.matrix);
    INSERT INTO crisk.provision_matrix_in_force AS f (matrix, set_at, set_by)
    VALUES (set_provision_matrix.matrix, pg_catalog.now(), SESSION_USER)
    ON CONFLICT (single_row) DO UPDATE
        SET matrix = excluded.matrix, set_at = excluded.set_at, set_by = excluded.set_by;
END
$$;
COMMENT ON FUNCTION crisk.set_provision_matrix(pg_catalog.text) IS
    'Puts a provision matrix in force for crisk.portfolio_kpi, recording when and by which login; 42704 for an unknown matrix, 22023 for rows that do not form one.';
REVOKE ALL ON FUNCTION crisk.set_provision_matrix(pg_catalog.text) FROM PUBLIC;
