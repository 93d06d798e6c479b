-- crisk 0.1.0 install script, assembled from sql/install/ by the Makefile.
-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION crisk" to load this file. \quit

-- from sql/install/00_types.sql
-- Schema privileges and types shared across crisk's concepts.

-- Everyone may look into schema crisk and call what PUBLIC may execute (the
-- pure receivables functions); every table and every function that reads or
-- changes customer data is revoked from PUBLIC where it is created.
GRANT USAGE ON SCHEMA crisk TO PUBLIC;

-- What crisk.payment_profile() reports on one customer's invoices as of a
-- date, and what crisk.credit_score() reads.
CREATE TYPE crisk.payment_profile AS (
    invoices                  pg_catalog.int8,
    open_invoices             pg_catalog.int8,
    billed                    pg_catalog.numeric,
    open_amount               pg_catalog.numeric,
    overdue_amount            pg_catalog.numeric,
    avg_days_beyond_terms     pg_catalog.float8,
    days_beyond_terms_stddev  pg_catalog.float8,
    late_share                pg_catalog.float8,
    max_days_late             pg_catalog.int4,
    dso                       pg_catalog.numeric,
    last_payment              pg_catalog.date
);
COMMENT ON TYPE crisk.payment_profile IS
    'Payment behaviour of a set of invoices as of a date: counts, billed, open and overdue amounts, amount-weighted days beyond terms, late share, DSO and last payment.';

-- from sql/install/05_table_cache.sql
-- Per-session caches of crisk tables (src/table_cache.c).  Tables whose
-- contents C functions cache (scorecards, limit policies, reference rates)
-- carry a statement trigger running this function, so that a change is seen
-- by the next call in every session:
--   CREATE TRIGGER <table>_changed
--       AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.<table>
--       FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();

CREATE FUNCTION crisk.table_changed()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_table_changed'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.table_changed() IS
    'Trigger function: makes every session drop its cached copy of the table the trigger is on.';
REVOKE ALL ON FUNCTION crisk.table_changed() FROM PUBLIC;

-- from sql/install/10_aging.sql
-- Days past due and aging buckets (src/aging.c).

CREATE FUNCTION crisk.days_past_due(due_date pg_catalog.date, as_of pg_catalog.date)
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_days_past_due'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.days_past_due(pg_catalog.date, pg_catalog.date) IS
    'Days an invoice is past its due date at as_of (as_of - due_date); zero or negative while not yet due.';

CREATE FUNCTION crisk.aging_bucket(due_date pg_catalog.date, as_of pg_catalog.date,
                                   bounds pg_catalog.int4[] DEFAULT '{30,60,90}')
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'crisk_aging_bucket'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_bucket(pg_catalog.date, pg_catalog.date, pg_catalog.int4[]) IS
    'Aging bucket label at as_of: ''current'' when not past due, then ''1-30'', ''31-60'', ''61-90'', ''91+'' for the default bounds.';

CREATE FUNCTION crisk.aging_bucket_index(due_date pg_catalog.date, as_of pg_catalog.date,
                                         bounds pg_catalog.int4[] DEFAULT '{30,60,90}')
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_aging_bucket_index'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_bucket_index(pg_catalog.date, pg_catalog.date, pg_catalog.int4[]) IS
    'Position of the aging bucket at as_of: 0 for current, 1 to n+1 for the overdue buckets, for sorting.';

-- from sql/install/20_ratios.sql
-- Receivables ratios from figures the caller already has (src/ratios.c):
-- crisk.dso, crisk.best_possible_dso, crisk.collection_effectiveness.
-- Exact numeric arithmetic, one rounding half away from zero to 2 decimals
-- (days for the DSOs, percent for the CEI).  NULL when the denominator is 0.

CREATE FUNCTION crisk.dso(receivables pg_catalog.numeric,
                          credit_sales pg_catalog.numeric,
                          period_days pg_catalog.int4)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_dso'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.int4) IS
    'Days sales outstanding, standard method: receivables / credit_sales * period_days, in days to 2 decimals; NULL when credit_sales is 0.';

CREATE FUNCTION crisk.best_possible_dso(current_receivables pg_catalog.numeric,
                                        credit_sales pg_catalog.numeric,
                                        period_days pg_catalog.int4)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_best_possible_dso'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.best_possible_dso(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.int4) IS
    'Best possible DSO: current (not yet due) receivables / credit_sales * period_days, in days to 2 decimals; DSO minus this is the average days delinquent.';

CREATE FUNCTION crisk.collection_effectiveness(beginning_receivables pg_catalog.numeric,
                                               credit_sales pg_catalog.numeric,
                                               ending_receivables pg_catalog.numeric,
                                               ending_current_receivables pg_catalog.numeric,
                                               months pg_catalog.int4)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_collection_effectiveness'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.collection_effectiveness(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.int4) IS
    'Collection effectiveness index over months: (beginning + credit_sales/months - ending) / (beginning + credit_sales/months - ending current) * 100, in percent to 2 decimals.';

-- from sql/install/21_altman.sql
-- Altman Z-scores (src/altman.c): crisk.altman_z and crisk.altman_zone.

-- Not STRICT: 'z_double_prime' leaves out sales, so a NULL sales figure must
-- still give that score.  Any other NULL (or a NULL variant) gives NULL.
CREATE FUNCTION crisk.altman_z(working_capital pg_catalog.numeric,
                               retained_earnings pg_catalog.numeric,
                               ebit pg_catalog.numeric,
                               equity pg_catalog.numeric,
                               total_liabilities pg_catalog.numeric,
                               total_assets pg_catalog.numeric,
                               sales pg_catalog.numeric,
                               variant pg_catalog.text DEFAULT 'z_prime')
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_altman_z'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.altman_z(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.text) IS
    'Altman Z-score of a balance sheet: variant ''z'' (public manufacturers, market equity), ''z_prime'' (private firms, book equity; the default) or ''z_double_prime'' (non-manufacturers, ignores sales). NULL when total_liabilities is 0.';

CREATE FUNCTION crisk.altman_zone(z pg_catalog.float8,
                                  variant pg_catalog.text DEFAULT 'z_prime')
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'crisk_altman_zone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.altman_zone(pg_catalog.float8, pg_catalog.text) IS
    'Zone of an Altman Z-score: ''safe'' above the variant''s upper threshold (z 2.99, z_prime 2.9, z_double_prime 2.6), ''distress'' below its lower one (1.81, 1.23, 1.1), ''grey'' in between, thresholds included.';

-- from sql/install/22_reference_rate.sql
-- Reference rates for late-payment interest (SPEC 3.5): crisk.reference_rate
-- is the history of the ECB main refinancing operations (MRO) rate, as a
-- fraction, from each date it came into force.  The rate in force on a day is
-- that of the latest row dated on or before it.  crisk.late_payment_interest
-- reads the rate in force on 1 January and 1 July (Code de commerce L441-10).
-- Users add a row at each ECB change after the shipped history.
--
-- Shipped rows, verified up to 2026-01-28 against:
--   * ECB, "Key ECB interest rates", column "Main refinancing operations,
--     fixed rate", dates "with effect from":
--     https://www.ecb.europa.eu/stats/policy_and_exchange_rates/key_ecb_interest_rates/html/index.en.html
--     (rows 2014-09-10 to 2024-10-23);
--   * Banka Slovenije, "ECB interest rates", the same table continued
--     (rows 2014-09-10 to 2025-04-23): https://www.bsi.si/en/ecb-interest-rates
--   * ECB monetary policy decisions of 5 June 2025 (MRO 2.15 % from
--     11 June 2025) and of 18 December 2025 (rates unchanged), and
--     Banka Slovenije's record of Eurosystem MRO tenders, whose fixed rate is
--     2.40 % for the operation settled 2025-06-04 and 2.15 % for those
--     settled 2025-06-11 to 2025-06-25 and 2025-12-23 to 2026-01-28:
--     https://apl.bsi.si/orodja/avkcije-en.asp
-- The ECB's table also lists 2015-12-09 and 2019-09-18, when only the
-- deposit facility rate moved (MRO unchanged at 0.05 % and 0.00 %); they
-- are left out.  2014-09-10 is shipped because its rate was still in force
-- on 1 January 2016.  Semester rates that follow (ECB rate; + 10 points):
--   2016 H1 0.05 %;  2016 H2 to 2022 H2 0.00 % (0.50 % only from 27 July
--   2022);  2023 H1 2.50 %;  2023 H2 4.00 %;  2024 H1 4.50 %;
--   2024 H2 4.25 %;  2025 H1 3.15 %;  2025 H2 2.15 %;  2026 H1 2.15 %.

CREATE TABLE crisk.reference_rate (
    valid_from pg_catalog.date PRIMARY KEY,
    rate       pg_catalog.numeric NOT NULL,
    CONSTRAINT reference_rate_valid_from_finite
        CHECK (pg_catalog.isfinite(valid_from)),
    -- A fraction: 0.0215 for 2.15 %.  The MRO rate has never left 0 % to
    -- 4.75 %; the bounds leave room for the future and catch a rate typed in
    -- percent (2.15), the likeliest mistake.
    CONSTRAINT reference_rate_rate_is_a_fraction
        CHECK (rate OPERATOR(pg_catalog.>=) '-0.05'::pg_catalog.numeric
               AND rate OPERATOR(pg_catalog.<=) '0.20'::pg_catalog.numeric)
);
COMMENT ON TABLE crisk.reference_rate IS
    'History of the ECB main refinancing rate (a fraction: 0.0215 for 2.15 %), in force from valid_from until the next row. Shipped from 2014-09-10 and verified to 2026-01-28; add a row at each later ECB change.';
COMMENT ON COLUMN crisk.reference_rate.valid_from IS
    'First day the rate is in force (the ECB''s "with effect from" date).';
COMMENT ON COLUMN crisk.reference_rate.rate IS
    'ECB main refinancing operations rate as a fraction (0.0215 for 2.15 %).';

-- The rows this version of crisk ships, in one place: the install below,
-- the pg_dump filter and the guard trigger all read them from here.
CREATE FUNCTION crisk.reference_rate_shipped()
    RETURNS TABLE (valid_from pg_catalog.date, rate pg_catalog.numeric)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
    VALUES ('2014-09-10'::pg_catalog.date, '0.0005'::pg_catalog.numeric),
           ('2016-03-16', '0.0000'),
           ('2022-07-27', '0.0050'),
           ('2022-09-14', '0.0125'),
           ('2022-11-02', '0.0200'),
           ('2022-12-21', '0.0250'),
           ('2023-02-08', '0.0300'),
           ('2023-03-22', '0.0350'),
           ('2023-05-10', '0.0375'),
           ('2023-06-21', '0.0400'),
           ('2023-08-02', '0.0425'),
           ('2023-09-20', '0.0450'),
           ('2024-06-12', '0.0425'),
           ('2024-09-18', '0.0365'),
           ('2024-10-23', '0.0340'),
           ('2024-12-18', '0.0315'),
           ('2025-02-05', '0.0290'),
           ('2025-03-12', '0.0265'),
           ('2025-04-23', '0.0240'),
           ('2025-06-11', '0.0215')
    $$;
COMMENT ON FUNCTION crisk.reference_rate_shipped() IS
    'The rows of crisk.reference_rate shipped with this version of crisk (ECB main refinancing rates, verified to 2026-01-28); rows not listed here are the users''.';

INSERT INTO crisk.reference_rate (valid_from, rate)
    SELECT s.valid_from, s.rate FROM crisk.reference_rate_shipped() AS s;

-- pg_dump keeps the rows users add and leaves out the shipped ones, which
-- CREATE EXTENSION recreates on restore: dumping them too would make the
-- restore fail on duplicate keys.  Shipped rows cannot be changed (the guard
-- below), so after a restore the table is exactly what was dumped.
SELECT pg_catalog.pg_extension_config_dump('crisk.reference_rate',
    'WHERE NOT EXISTS (SELECT FROM crisk.reference_rate_shipped() AS s'
    ' WHERE s.valid_from OPERATOR(pg_catalog.=) reference_rate.valid_from)');

-- Shipped rows are verified data: a change would not survive pg_dump, so it
-- is refused; users correct the rates they added, and a later version of
-- crisk corrects its own (its upgrade script may disable this trigger).
CREATE FUNCTION crisk.reference_rate_guard()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
        RAISE EXCEPTION 'crisk.reference_rate cannot be truncated'
            USING ERRCODE = 'restrict_violation',
                  DETAIL = 'It holds the ECB rates shipped with crisk.',
                  HINT = 'Delete the rows you added instead: DELETE FROM crisk.reference_rate WHERE valid_from NOT IN (SELECT valid_from FROM crisk.reference_rate_shipped()).';
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'UPDATE'
       AND NEW.valid_from OPERATOR(pg_catalog.=) OLD.valid_from
       AND NEW.rate OPERATOR(pg_catalog.=) OLD.rate THEN
        RETURN NEW;
    END IF;
    IF EXISTS (SELECT FROM crisk.reference_rate_shipped() AS s
               WHERE s.valid_from OPERATOR(pg_catalog.=) OLD.valid_from) THEN
        RAISE EXCEPTION 'the rate of % in crisk.reference_rate is shipped with crisk and cannot be %',
                pg_catalog.to_char(OLD.valid_from, 'YYYY-MM-DD'),
                CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'changed' END
            USING ERRCODE = 'restrict_violation',
                  DETAIL = 'Shipped rates are verified against the ECB''s published history, and pg_dump does not keep changes to them.',
                  HINT = 'If a shipped rate is wrong, report it to the crisk maintainers.';
    END IF;
    IF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION crisk.reference_rate_guard() IS
    'Trigger function: refuses to change, delete or truncate the rows of crisk.reference_rate shipped with crisk.';
REVOKE ALL ON FUNCTION crisk.reference_rate_guard() FROM PUBLIC;

CREATE TRIGGER reference_rate_guard
    BEFORE UPDATE OR DELETE ON crisk.reference_rate
    FOR EACH ROW EXECUTE FUNCTION crisk.reference_rate_guard();
CREATE TRIGGER reference_rate_no_truncate
    BEFORE TRUNCATE ON crisk.reference_rate
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.reference_rate_guard();
-- Sessions drop their cached copy (src/late_payment.c) after any change.
CREATE TRIGGER reference_rate_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.reference_rate
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();

-- Like every crisk table, not readable by PUBLIC: the DBA grants reading and
-- adding rates to the roles that need them (README, "Privileges").
-- crisk.late_payment_interest works for every caller all the same: it reads
-- its cached copy through the table cache, not with the caller's rights.
--   GRANT INSERT, UPDATE, DELETE ON crisk.reference_rate TO credit_admin;
REVOKE ALL ON crisk.reference_rate FROM PUBLIC;

-- from sql/install/23_late_payment.sql
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

-- from sql/install/30_aging_aggregate.sql
-- The aggregate crisk.aging and its transition state type (src/aging_aggregate.c).
--
-- The state is a real SQL type, not internal, so that parallel workers and
-- Citus nodes can exchange it; its text form round-trips exactly.  Support
-- functions are callable by PUBLIC: they read nothing, and Citus checks
-- that the caller may execute them.

CREATE TYPE crisk.aging_state;

CREATE FUNCTION crisk.aging_state_in(pg_catalog.cstring)
    RETURNS crisk.aging_state
    AS 'MODULE_PATHNAME', 'crisk_aging_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_state_in(pg_catalog.cstring) IS
    'Input function of crisk.aging_state: reads the text form written by crisk.aging_state_out and checks every field.';

CREATE FUNCTION crisk.aging_state_out(crisk.aging_state)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'crisk_aging_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_state_out(crisk.aging_state) IS
    'Output function of crisk.aging_state: scale, display scale, bounds and the exact total of each bucket.';

CREATE TYPE crisk.aging_state (
    INPUT = crisk.aging_state_in,
    OUTPUT = crisk.aging_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE crisk.aging_state IS
    'Transition state of crisk.aging: the bucket bounds and the exact open amount of each bucket.';

CREATE FUNCTION crisk.aging_transition(state crisk.aging_state, amount pg_catalog.numeric,
                                       due_date pg_catalog.date, as_of pg_catalog.date)
    RETURNS crisk.aging_state
    AS 'MODULE_PATHNAME', 'crisk_aging_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_transition(crisk.aging_state, pg_catalog.numeric, pg_catalog.date, pg_catalog.date) IS
    'Transition function of crisk.aging(amount, due_date, as_of): adds the amount to its bucket under the default bounds {30,60,90}; rows with a NULL are left out.';

CREATE FUNCTION crisk.aging_transition(state crisk.aging_state, amount pg_catalog.numeric,
                                       due_date pg_catalog.date, as_of pg_catalog.date,
                                       bounds pg_catalog.int4[])
    RETURNS crisk.aging_state
    AS 'MODULE_PATHNAME', 'crisk_aging_transition_bounds'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_transition(crisk.aging_state, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.int4[]) IS
    'Transition function of crisk.aging(amount, due_date, as_of, bounds): adds the amount to its bucket; every row of a group must have the same bounds.';

CREATE FUNCTION crisk.aging_combine(crisk.aging_state, crisk.aging_state)
    RETURNS crisk.aging_state
    AS 'MODULE_PATHNAME', 'crisk_aging_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_combine(crisk.aging_state, crisk.aging_state) IS
    'Combine function of crisk.aging: adds two partial states bucket by bucket (parallel workers, Citus nodes).';

CREATE FUNCTION crisk.aging_final(crisk.aging_state)
    RETURNS pg_catalog.numeric[]
    AS 'MODULE_PATHNAME', 'crisk_aging_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_final(crisk.aging_state) IS
    'Final function of crisk.aging: the open amount per bucket as numeric[], element 1 = current.';

CREATE AGGREGATE crisk.aging(amount pg_catalog.numeric, due_date pg_catalog.date,
                             as_of pg_catalog.date) (
    SFUNC = crisk.aging_transition,
    STYPE = crisk.aging_state,
    COMBINEFUNC = crisk.aging_combine,
    FINALFUNC = crisk.aging_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.aging(pg_catalog.numeric, pg_catalog.date, pg_catalog.date) IS
    'Open amount per aging bucket at as_of, exact: {current, 1-30, 31-60, 61-90, 91+}. Pass only open items; NULL rows are left out; no rows give NULL.';

CREATE AGGREGATE crisk.aging(amount pg_catalog.numeric, due_date pg_catalog.date,
                             as_of pg_catalog.date, bounds pg_catalog.int4[]) (
    SFUNC = crisk.aging_transition,
    STYPE = crisk.aging_state,
    COMBINEFUNC = crisk.aging_combine,
    FINALFUNC = crisk.aging_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.aging(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.int4[]) IS
    'Open amount per aging bucket at as_of with custom bounds, exact: element 1 = current, then one element per overdue bucket. Bounds must be the same on every row of a group.';

-- from sql/install/31_expected_credit_loss.sql
-- The aggregate crisk.expected_credit_loss (IFRS 9 provision matrix) and its
-- transition state type (src/expected_loss.c, sharing src/aging_aggregate.c).

CREATE TYPE crisk.expected_credit_loss_state;

CREATE FUNCTION crisk.expected_credit_loss_state_in(pg_catalog.cstring)
    RETURNS crisk.expected_credit_loss_state
    AS 'MODULE_PATHNAME', 'crisk_expected_credit_loss_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.expected_credit_loss_state_in(pg_catalog.cstring) IS
    'Input function of crisk.expected_credit_loss_state: reads the text form written by crisk.expected_credit_loss_state_out and checks every field.';

CREATE FUNCTION crisk.expected_credit_loss_state_out(crisk.expected_credit_loss_state)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'crisk_expected_credit_loss_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.expected_credit_loss_state_out(crisk.expected_credit_loss_state) IS
    'Output function of crisk.expected_credit_loss_state: bounds, the exact total of each bucket and the loss rates.';

CREATE TYPE crisk.expected_credit_loss_state (
    INPUT = crisk.expected_credit_loss_state_in,
    OUTPUT = crisk.expected_credit_loss_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE crisk.expected_credit_loss_state IS
    'Transition state of crisk.expected_credit_loss: the bucket bounds, the exact receivables of each bucket and the loss rate of each bucket.';

CREATE FUNCTION crisk.expected_credit_loss_transition(state crisk.expected_credit_loss_state,
                                                      amount pg_catalog.numeric,
                                                      due_date pg_catalog.date,
                                                      as_of pg_catalog.date,
                                                      loss_rates pg_catalog.numeric[])
    RETURNS crisk.expected_credit_loss_state
    AS 'MODULE_PATHNAME', 'crisk_expected_credit_loss_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.expected_credit_loss_transition(crisk.expected_credit_loss_state, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.numeric[]) IS
    'Transition function of crisk.expected_credit_loss(amount, due_date, as_of, loss_rates): ages the amount under the default bounds {30,60,90}; loss_rates must be the same on every row of a group.';

CREATE FUNCTION crisk.expected_credit_loss_transition(state crisk.expected_credit_loss_state,
                                                      amount pg_catalog.numeric,
                                                      due_date pg_catalog.date,
                                                      as_of pg_catalog.date,
                                                      loss_rates pg_catalog.numeric[],
                                                      bounds pg_catalog.int4[])
    RETURNS crisk.expected_credit_loss_state
    AS 'MODULE_PATHNAME', 'crisk_expected_credit_loss_transition_bounds'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.expected_credit_loss_transition(crisk.expected_credit_loss_state, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.numeric[], pg_catalog.int4[]) IS
    'Transition function of crisk.expected_credit_loss(amount, due_date, as_of, loss_rates, bounds): ages the amount; loss_rates and bounds must be the same on every row of a group.';

CREATE FUNCTION crisk.expected_credit_loss_combine(crisk.expected_credit_loss_state,
                                                   crisk.expected_credit_loss_state)
    RETURNS crisk.expected_credit_loss_state
    AS 'MODULE_PATHNAME', 'crisk_expected_credit_loss_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.expected_credit_loss_combine(crisk.expected_credit_loss_state, crisk.expected_credit_loss_state) IS
    'Combine function of crisk.expected_credit_loss: adds two partial states bucket by bucket (parallel workers, Citus nodes).';

CREATE FUNCTION crisk.expected_credit_loss_final(crisk.expected_credit_loss_state)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_expected_credit_loss_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.expected_credit_loss_final(crisk.expected_credit_loss_state) IS
    'Final function of crisk.expected_credit_loss: the sum over buckets of receivables times loss rate, exact and unrounded.';

CREATE AGGREGATE crisk.expected_credit_loss(amount pg_catalog.numeric, due_date pg_catalog.date,
                                            as_of pg_catalog.date,
                                            loss_rates pg_catalog.numeric[]) (
    SFUNC = crisk.expected_credit_loss_transition,
    STYPE = crisk.expected_credit_loss_state,
    COMBINEFUNC = crisk.expected_credit_loss_combine,
    FINALFUNC = crisk.expected_credit_loss_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.expected_credit_loss(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.numeric[]) IS
    'Expected credit loss by provision matrix (IFRS 9 simplified approach): each bucket''s receivables {current, 1-30, 31-60, 61-90, 91+} times its loss rate (a fraction), summed exactly.';

CREATE AGGREGATE crisk.expected_credit_loss(amount pg_catalog.numeric, due_date pg_catalog.date,
                                            as_of pg_catalog.date,
                                            loss_rates pg_catalog.numeric[],
                                            bounds pg_catalog.int4[]) (
    SFUNC = crisk.expected_credit_loss_transition,
    STYPE = crisk.expected_credit_loss_state,
    COMBINEFUNC = crisk.expected_credit_loss_combine,
    FINALFUNC = crisk.expected_credit_loss_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.expected_credit_loss(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.numeric[], pg_catalog.int4[]) IS
    'Expected credit loss by provision matrix with custom bounds: one loss rate per bucket, current included, summed exactly.';

-- from sql/install/32_dso_aggregate.sql
-- The aggregate crisk.dso over invoices (standard method) and its
-- transition state type (src/dso_aggregate.c).  The scalar
-- crisk.dso(receivables, credit_sales, period_days) is another function.

CREATE TYPE crisk.dso_state;

CREATE FUNCTION crisk.dso_state_in(pg_catalog.cstring)
    RETURNS crisk.dso_state
    AS 'MODULE_PATHNAME', 'crisk_dso_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_state_in(pg_catalog.cstring) IS
    'Input function of crisk.dso_state: reads the text form written by crisk.dso_state_out and checks every field.';

CREATE FUNCTION crisk.dso_state_out(crisk.dso_state)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'crisk_dso_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_state_out(crisk.dso_state) IS
    'Output function of crisk.dso_state: as_of, period, and the exact receivables and credit sales.';

CREATE TYPE crisk.dso_state (
    INPUT = crisk.dso_state_in,
    OUTPUT = crisk.dso_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE crisk.dso_state IS
    'Transition state of crisk.dso over invoices: as_of, period_days, receivables open at as_of and amount issued in the period, exact.';

CREATE FUNCTION crisk.dso_transition(state crisk.dso_state, amount pg_catalog.numeric,
                                     issue_date pg_catalog.date, paid_date pg_catalog.date,
                                     as_of pg_catalog.date, period_days pg_catalog.int4)
    RETURNS crisk.dso_state
    AS 'MODULE_PATHNAME', 'crisk_dso_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_transition(crisk.dso_state, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.int4) IS
    'Transition function of crisk.dso(amount, issue_date, paid_date, as_of, period_days): adds an invoice to the receivables and the period''s sales.';

CREATE FUNCTION crisk.dso_combine(crisk.dso_state, crisk.dso_state)
    RETURNS crisk.dso_state
    AS 'MODULE_PATHNAME', 'crisk_dso_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_combine(crisk.dso_state, crisk.dso_state) IS
    'Combine function of crisk.dso over invoices: adds two partial states (parallel workers, Citus nodes).';

CREATE FUNCTION crisk.dso_final(crisk.dso_state)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_dso_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_final(crisk.dso_state) IS
    'Final function of crisk.dso over invoices: receivables / credit sales * period_days, rounded to 2 decimals; NULL without positive credit sales.';

CREATE AGGREGATE crisk.dso(amount pg_catalog.numeric, issue_date pg_catalog.date,
                           paid_date pg_catalog.date, as_of pg_catalog.date,
                           period_days pg_catalog.int4) (
    SFUNC = crisk.dso_transition,
    STYPE = crisk.dso_state,
    COMBINEFUNC = crisk.dso_combine,
    FINALFUNC = crisk.dso_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.dso(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.int4) IS
    'DSO by the standard method over invoices: receivables open at as_of / amount issued in (as_of - period_days, as_of] * period_days, in days to 2 decimals.';

-- from sql/install/33_dso_countback.sql
-- The aggregate crisk.dso_countback (countback DSO over calendar months) and
-- its transition state type (src/dso_countback.c).

CREATE TYPE crisk.dso_countback_state;

CREATE FUNCTION crisk.dso_countback_state_in(pg_catalog.cstring)
    RETURNS crisk.dso_countback_state
    AS 'MODULE_PATHNAME', 'crisk_dso_countback_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_countback_state_in(pg_catalog.cstring) IS
    'Input function of crisk.dso_countback_state: reads the text form written by crisk.dso_countback_state_out and checks every field.';

CREATE FUNCTION crisk.dso_countback_state_out(crisk.dso_countback_state)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'crisk_dso_countback_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_countback_state_out(crisk.dso_countback_state) IS
    'Output function of crisk.dso_countback_state: as_of, the exact receivables and the credit sales of each month (months before as_of''s month: sales).';

CREATE TYPE crisk.dso_countback_state (
    INPUT = crisk.dso_countback_state_in,
    OUTPUT = crisk.dso_countback_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE crisk.dso_countback_state IS
    'Transition state of crisk.dso_countback: as_of, receivables open at as_of and exact credit sales per calendar month.';

CREATE FUNCTION crisk.dso_countback_transition(state crisk.dso_countback_state,
                                               amount pg_catalog.numeric,
                                               issue_date pg_catalog.date,
                                               paid_date pg_catalog.date,
                                               as_of pg_catalog.date)
    RETURNS crisk.dso_countback_state
    AS 'MODULE_PATHNAME', 'crisk_dso_countback_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_countback_transition(crisk.dso_countback_state, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS
    'Transition function of crisk.dso_countback: adds an invoice to its month''s sales and, if open at as_of, to the receivables.';

CREATE FUNCTION crisk.dso_countback_combine(crisk.dso_countback_state, crisk.dso_countback_state)
    RETURNS crisk.dso_countback_state
    AS 'MODULE_PATHNAME', 'crisk_dso_countback_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_countback_combine(crisk.dso_countback_state, crisk.dso_countback_state) IS
    'Combine function of crisk.dso_countback: adds two partial states month by month (parallel workers, Citus nodes).';

CREATE FUNCTION crisk.dso_countback_final(crisk.dso_countback_state)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_dso_countback_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso_countback_final(crisk.dso_countback_state) IS
    'Final function of crisk.dso_countback: walks back month by month from as_of, in days to 2 decimals.';

CREATE AGGREGATE crisk.dso_countback(amount pg_catalog.numeric, issue_date pg_catalog.date,
                                     paid_date pg_catalog.date, as_of pg_catalog.date) (
    SFUNC = crisk.dso_countback_transition,
    STYPE = crisk.dso_countback_state,
    COMBINEFUNC = crisk.dso_countback_combine,
    FINALFUNC = crisk.dso_countback_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.dso_countback(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS
    'DSO by the countback (exhaustion) method over calendar months: as_of''s month counts its days up to as_of, earlier months all their days; in days to 2 decimals.';

-- from sql/install/34_payment_profile.sql
-- The aggregate crisk.payment_profile and its transition state type
-- (src/payment_profile.c).  The result type crisk.payment_profile is in
-- 00_types.sql.

CREATE TYPE crisk.payment_profile_state;

CREATE FUNCTION crisk.payment_profile_state_in(pg_catalog.cstring)
    RETURNS crisk.payment_profile_state
    AS 'MODULE_PATHNAME', 'crisk_payment_profile_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.payment_profile_state_in(pg_catalog.cstring) IS
    'Input function of crisk.payment_profile_state: reads the text form written by crisk.payment_profile_state_out and checks every field.';

CREATE FUNCTION crisk.payment_profile_state_out(crisk.payment_profile_state)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'crisk_payment_profile_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.payment_profile_state_out(crisk.payment_profile_state) IS
    'Output function of crisk.payment_profile_state: as_of, counts, exact totals, latest lateness and payment.';

CREATE TYPE crisk.payment_profile_state (
    INPUT = crisk.payment_profile_state_in,
    OUTPUT = crisk.payment_profile_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE crisk.payment_profile_state IS
    'Transition state of crisk.payment_profile: invoice counts and exact totals (billed, open, overdue, amount-weighted days beyond terms) as of a date.';

CREATE FUNCTION crisk.payment_profile_transition(state crisk.payment_profile_state,
                                                 amount pg_catalog.numeric,
                                                 issue_date pg_catalog.date,
                                                 due_date pg_catalog.date,
                                                 paid_date pg_catalog.date,
                                                 as_of pg_catalog.date)
    RETURNS crisk.payment_profile_state
    AS 'MODULE_PATHNAME', 'crisk_payment_profile_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.payment_profile_transition(crisk.payment_profile_state, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS
    'Transition function of crisk.payment_profile: adds one invoice as of as_of (ignored when issued after as_of).';

CREATE FUNCTION crisk.payment_profile_combine(crisk.payment_profile_state, crisk.payment_profile_state)
    RETURNS crisk.payment_profile_state
    AS 'MODULE_PATHNAME', 'crisk_payment_profile_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.payment_profile_combine(crisk.payment_profile_state, crisk.payment_profile_state) IS
    'Combine function of crisk.payment_profile: adds two partial states (parallel workers, Citus nodes).';

CREATE FUNCTION crisk.payment_profile_final(crisk.payment_profile_state)
    RETURNS crisk.payment_profile
    AS 'MODULE_PATHNAME', 'crisk_payment_profile_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.payment_profile_final(crisk.payment_profile_state) IS
    'Final function of crisk.payment_profile: builds the crisk.payment_profile row.';

CREATE AGGREGATE crisk.payment_profile(amount pg_catalog.numeric, issue_date pg_catalog.date,
                                       due_date pg_catalog.date, paid_date pg_catalog.date,
                                       as_of pg_catalog.date) (
    SFUNC = crisk.payment_profile_transition,
    STYPE = crisk.payment_profile_state,
    COMBINEFUNC = crisk.payment_profile_combine,
    FINALFUNC = crisk.payment_profile_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.payment_profile(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS
    'Payment behaviour of a set of invoices as of a date: counts, billed, open and overdue amounts, amount-weighted days beyond terms and its standard deviation, late share, maximum days late, 90-day DSO, last payment.';

-- from sql/install/35_concentration.sql
-- The aggregate crisk.concentration (Herfindahl-Hirschman index) and its
-- transition state type (src/concentration.c).

CREATE TYPE crisk.concentration_state;

CREATE FUNCTION crisk.concentration_state_in(pg_catalog.cstring)
    RETURNS crisk.concentration_state
    AS 'MODULE_PATHNAME', 'crisk_concentration_state_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.concentration_state_in(pg_catalog.cstring) IS
    'Input function of crisk.concentration_state: reads the text form written by crisk.concentration_state_out and checks every field.';

CREATE FUNCTION crisk.concentration_state_out(crisk.concentration_state)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'crisk_concentration_state_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.concentration_state_out(crisk.concentration_state) IS
    'Output function of crisk.concentration_state: the exact sum of positive exposures and of their squares.';

CREATE TYPE crisk.concentration_state (
    INPUT = crisk.concentration_state_in,
    OUTPUT = crisk.concentration_state_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE crisk.concentration_state IS
    'Transition state of crisk.concentration: exact sum of positive exposures and of their squares.';

CREATE FUNCTION crisk.concentration_transition(state crisk.concentration_state,
                                               exposure pg_catalog.numeric)
    RETURNS crisk.concentration_state
    AS 'MODULE_PATHNAME', 'crisk_concentration_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.concentration_transition(crisk.concentration_state, pg_catalog.numeric) IS
    'Transition function of crisk.concentration: adds a positive exposure and its square; zero, negative and NULL exposures are ignored.';

CREATE FUNCTION crisk.concentration_combine(crisk.concentration_state, crisk.concentration_state)
    RETURNS crisk.concentration_state
    AS 'MODULE_PATHNAME', 'crisk_concentration_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.concentration_combine(crisk.concentration_state, crisk.concentration_state) IS
    'Combine function of crisk.concentration: adds two partial states (parallel workers, Citus nodes).';

CREATE FUNCTION crisk.concentration_final(crisk.concentration_state)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_concentration_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.concentration_final(crisk.concentration_state) IS
    'Final function of crisk.concentration: 10000 * sum of squares / square of sum; NULL without a positive exposure.';

CREATE AGGREGATE crisk.concentration(exposure pg_catalog.numeric) (
    SFUNC = crisk.concentration_transition,
    STYPE = crisk.concentration_state,
    COMBINEFUNC = crisk.concentration_combine,
    FINALFUNC = crisk.concentration_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.concentration(pg_catalog.numeric) IS
    'Herfindahl-Hirschman index of exposures, one row per customer: sum of squared percentage shares, from near 0 (diversified) to 10000 (a single customer); rows <= 0 are ignored.';

-- from sql/install/40_scorecard.sql
-- Scorecards (src/scorecard.c, src/shipped_rows.c): the table of models,
-- the shipped model "default", and crisk.validate_model.
--
-- Rows users add survive pg_dump: the table is a configuration table whose
-- dump leaves out model "default", since CREATE EXTENSION inserts it again
-- on restore.  The guard trigger refuses changes to "default" (they would
-- not survive a restore); users copy it under another name instead.

-- The guard shared by crisk.scorecard and crisk.limit_policy.
CREATE FUNCTION crisk.shipped_rows_guard()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_shipped_rows_guard'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.shipped_rows_guard() IS
    'Trigger function: refuses changes to the rows crisk ships (model or policy ''default''), which pg_dump leaves out, and TRUNCATE.';
REVOKE ALL ON FUNCTION crisk.shipped_rows_guard() FROM PUBLIC;

CREATE TABLE crisk.scorecard (
    model           pg_catalog.text NOT NULL,
    characteristic  pg_catalog.text NOT NULL,
    lower_bound     pg_catalog.float8,
    upper_bound     pg_catalog.float8,
    points          pg_catalog.int4 NOT NULL,
    CONSTRAINT scorecard_model_named
        CHECK (model OPERATOR(pg_catalog.<>) ''),
    CONSTRAINT scorecard_characteristic_known
        CHECK (characteristic OPERATOR(pg_catalog.=) ANY (ARRAY[
            'avg_days_beyond_terms', 'late_share', 'max_days_late', 'utilization',
            'altman_z', 'adverse_events', 'relationship_months']::pg_catalog.text[])),
    -- NaN compares above every number, so these also refuse NaN.
    CONSTRAINT scorecard_lower_bound_finite
        CHECK (lower_bound OPERATOR(pg_catalog.>) '-Infinity'::pg_catalog.float8
               AND lower_bound OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8),
    CONSTRAINT scorecard_upper_bound_finite
        CHECK (upper_bound OPERATOR(pg_catalog.>) '-Infinity'::pg_catalog.float8
               AND upper_bound OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8),
    CONSTRAINT scorecard_bin_not_empty
        CHECK (lower_bound OPERATOR(pg_catalog.<) upper_bound),
    CONSTRAINT scorecard_points_range
        CHECK (points OPERATOR(pg_catalog.>=) 0 AND points OPERATOR(pg_catalog.<=) 100),
    -- One row per bin; NULLS NOT DISTINCT also allows one missing-value bin only.
    CONSTRAINT scorecard_bin_unique
        UNIQUE NULLS NOT DISTINCT (model, characteristic, lower_bound, upper_bound)
);
COMMENT ON TABLE crisk.scorecard IS
    'Scorecard models: per model and characteristic, bins [lower_bound, upper_bound) worth points; NULL bounds are unbounded, both NULL is the missing-value bin. Model ''default'' is shipped and read-only.';
COMMENT ON COLUMN crisk.scorecard.model IS
    'Model name, passed as the model argument of crisk.credit_score and crisk.explain_score.';
COMMENT ON COLUMN crisk.scorecard.characteristic IS
    'One of avg_days_beyond_terms, late_share, max_days_late, utilization, altman_z, adverse_events, relationship_months.';
COMMENT ON COLUMN crisk.scorecard.lower_bound IS
    'Lowest value in the bin (included); NULL: unbounded below.';
COMMENT ON COLUMN crisk.scorecard.upper_bound IS
    'Value where the bin ends (excluded); NULL: unbounded above. Both bounds NULL: the bin for an unknown value.';
COMMENT ON COLUMN crisk.scorecard.points IS
    'Points a value in this bin earns (0 to 100); a model''s best bins add up to at most 100.';

-- The shipped model.  Why each bin and point value is what it is: README,
-- "The default model and policy".  The best bins add up to
-- 25 + 15 + 10 + 10 + 20 + 15 + 5 = 100.
INSERT INTO crisk.scorecard (model, characteristic, lower_bound, upper_bound, points) VALUES
    -- Amount-weighted days beyond terms of paid invoices (negative: early).
    ('default', 'avg_days_beyond_terms', NULL, NULL, 12),
    ('default', 'avg_days_beyond_terms', NULL,    1, 25),
    ('default', 'avg_days_beyond_terms',    1,    8, 21),
    ('default', 'avg_days_beyond_terms',    8,   16, 16),
    ('default', 'avg_days_beyond_terms',   16,   31, 10),
    ('default', 'avg_days_beyond_terms',   31,   61,  4),
    ('default', 'avg_days_beyond_terms',   61, NULL,  0),
    -- Share of the amount fallen due that was paid late or is overdue.
    ('default', 'late_share', NULL, NULL, 7),
    ('default', 'late_share', NULL, 0.05, 15),
    ('default', 'late_share', 0.05, 0.15, 12),
    ('default', 'late_share', 0.15, 0.30,  8),
    ('default', 'late_share', 0.30, 0.50,  4),
    ('default', 'late_share', 0.50, NULL,  0),
    -- Worst lateness of a single invoice, in days.
    ('default', 'max_days_late', NULL, NULL, 5),
    ('default', 'max_days_late', NULL,    1, 10),
    ('default', 'max_days_late',    1,   31,  7),
    ('default', 'max_days_late',   31,   61,  4),
    ('default', 'max_days_late',   61,   91,  2),
    ('default', 'max_days_late',   91, NULL,  0),
    -- Exposure divided by the credit limit.
    ('default', 'utilization', NULL, NULL, 5),
    ('default', 'utilization', NULL,  0.5, 10),
    ('default', 'utilization',  0.5,  0.8,  8),
    ('default', 'utilization',  0.8,  1.0,  5),
    ('default', 'utilization',  1.0,  1.2,  2),
    ('default', 'utilization',  1.2, NULL,  0),
    -- Altman Z' (private firms): distress below 1.23, safe from 2.9.
    ('default', 'altman_z', NULL, NULL,  8),
    ('default', 'altman_z', NULL, 1.23,  0),
    ('default', 'altman_z', 1.23,  2.0,  7),
    ('default', 'altman_z',  2.0,  2.9, 13),
    ('default', 'altman_z',  2.9, NULL, 20),
    -- Legal events of the last 12 months.
    ('default', 'adverse_events', NULL, NULL,  8),
    ('default', 'adverse_events', NULL,    1, 15),
    ('default', 'adverse_events',    1,    2,  6),
    ('default', 'adverse_events',    2,    3,  2),
    ('default', 'adverse_events',    3, NULL,  0),
    -- Months since the first invoice.
    ('default', 'relationship_months', NULL, NULL, 1),
    ('default', 'relationship_months', NULL,    6, 0),
    ('default', 'relationship_months',    6,   12, 1),
    ('default', 'relationship_months',   12,   36, 3),
    ('default', 'relationship_months',   36, NULL, 5);

-- Every session's cached copy follows changes (src/table_cache.c).
CREATE TRIGGER scorecard_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.scorecard
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
-- ALWAYS: caches must follow changes a logical-replication subscriber
-- applies too (session_replication_role = replica skips ordinary triggers).
ALTER TABLE crisk.scorecard ENABLE ALWAYS TRIGGER scorecard_changed;
CREATE TRIGGER scorecard_shipped_rows
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.scorecard
    FOR EACH ROW EXECUTE FUNCTION crisk.shipped_rows_guard('model', 'default');
CREATE TRIGGER scorecard_no_truncate
    BEFORE TRUNCATE ON crisk.scorecard
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.shipped_rows_guard('model', 'default');

SELECT pg_catalog.pg_extension_config_dump('crisk.scorecard',
    'WHERE model OPERATOR(pg_catalog.<>) ''default''');

-- Like every crisk table, not readable by PUBLIC; the DBA grants reading
-- and changing models to the roles that need them (README, "Privileges").
-- credit_score and explain_score work for every caller all the same: they
-- read the cached model through the table cache, not with the caller's
-- rights, and explain_score shows each characteristic's points.
REVOKE ALL ON TABLE crisk.scorecard FROM PUBLIC;

CREATE FUNCTION crisk.validate_model(model pg_catalog.text)
    RETURNS TABLE (characteristic pg_catalog.text, severity pg_catalog.text,
                   problem pg_catalog.text)
    AS 'MODULE_PATHNAME', 'crisk_validate_model'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 5;
COMMENT ON FUNCTION crisk.validate_model(pg_catalog.text) IS
    'Problems of a scorecard model, one row each: errors (gaps, overlaps, no missing-value bin, unknown characteristic, points over 100) make it unusable; warnings (a worse value earning more points) do not. No rows: the model is sound.';

-- from sql/install/41_credit_score.sql
-- Credit scores, their explanation and risk classes (src/credit_score.c).
--
-- The scoring functions read crisk.scorecard (through a per-session cache),
-- hence STABLE; they are not STRICT because a NULL input is an unknown
-- value, scored by the model's missing-value bin.

CREATE FUNCTION crisk.credit_score(profile crisk.payment_profile,
                                   altman_z pg_catalog.float8 DEFAULT NULL,
                                   adverse_events pg_catalog.int4 DEFAULT 0,
                                   utilization pg_catalog.float8 DEFAULT NULL,
                                   relationship_months pg_catalog.int4 DEFAULT NULL,
                                   model pg_catalog.text DEFAULT 'default')
    RETURNS pg_catalog.int4
    AS 'MODULE_PATHNAME', 'crisk_credit_score'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.credit_score(crisk.payment_profile, pg_catalog.float8, pg_catalog.int4,
                                       pg_catalog.float8, pg_catalog.int4, pg_catalog.text) IS
    'Credit score from 0 (worst) to 100 (best): the points a scorecard model gives the payment profile, Altman Z, adverse events, utilization and relationship length; unknown values earn the missing-value points.';

CREATE FUNCTION crisk.explain_score(profile crisk.payment_profile,
                                    altman_z pg_catalog.float8 DEFAULT NULL,
                                    adverse_events pg_catalog.int4 DEFAULT 0,
                                    utilization pg_catalog.float8 DEFAULT NULL,
                                    relationship_months pg_catalog.int4 DEFAULT NULL,
                                    model pg_catalog.text DEFAULT 'default')
    RETURNS TABLE (characteristic pg_catalog.text, value pg_catalog.float8,
                   points pg_catalog.int4, max_points pg_catalog.int4)
    AS 'MODULE_PATHNAME', 'crisk_explain_score'
    LANGUAGE C STABLE PARALLEL SAFE ROWS 7;
COMMENT ON FUNCTION crisk.explain_score(crisk.payment_profile, pg_catalog.float8, pg_catalog.int4,
                                        pg_catalog.float8, pg_catalog.int4, pg_catalog.text) IS
    'The reasons for crisk.credit_score: per characteristic of the model, the value used (NULL when unknown), the points earned and the most it could earn; the points add up to the score.';

CREATE FUNCTION crisk.risk_class(score pg_catalog.int4)
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'crisk_risk_class'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.risk_class(pg_catalog.int4) IS
    'Risk class of a score: A (80-100), B (60-79), C (40-59), D (20-39), E (0-19).';

-- from sql/install/42_limit_policy.sql
-- Limit policies and credit-limit recalibration (src/credit_limit.c).
--
-- As for crisk.scorecard, pg_dump keeps the policies users add and leaves
-- out the shipped policy "default", which is read-only.

CREATE TABLE crisk.limit_policy (
    policy           pg_catalog.text    NOT NULL,
    risk_class       pg_catalog.text    NOT NULL,
    months_of_sales  pg_catalog.numeric NOT NULL,
    max_increase     pg_catalog.numeric NOT NULL,
    initial_limit    pg_catalog.numeric NOT NULL,
    rounding         pg_catalog.numeric NOT NULL,
    PRIMARY KEY (policy, risk_class),
    CONSTRAINT limit_policy_named
        CHECK (policy OPERATOR(pg_catalog.<>) ''),
    CONSTRAINT limit_policy_risk_class_known
        CHECK (risk_class OPERATOR(pg_catalog.=) ANY (ARRAY['A', 'B', 'C', 'D', 'E']::pg_catalog.text[])),
    -- numeric NaN and Infinity compare above every number: "< Infinity"
    -- refuses both.
    CONSTRAINT limit_policy_months_of_sales_range
        CHECK (months_of_sales OPERATOR(pg_catalog.>=) 0
               AND months_of_sales OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_max_increase_range
        CHECK (max_increase OPERATOR(pg_catalog.>=) 0
               AND max_increase OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_initial_limit_range
        CHECK (initial_limit OPERATOR(pg_catalog.>=) 0
               AND initial_limit OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric),
    CONSTRAINT limit_policy_rounding_range
        CHECK (rounding OPERATOR(pg_catalog.>) 0
               AND rounding OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.numeric)
);
COMMENT ON TABLE crisk.limit_policy IS
    'Credit-limit policies, one row per risk class A to E, read by crisk.recalibrated_limit. Policy ''default'' is shipped and read-only.';
COMMENT ON COLUMN crisk.limit_policy.policy IS
    'Policy name, passed as the policy argument of crisk.recalibrated_limit.';
COMMENT ON COLUMN crisk.limit_policy.risk_class IS
    'Risk class the row applies to: A, B, C, D or E (see crisk.risk_class).';
COMMENT ON COLUMN crisk.limit_policy.months_of_sales IS
    'Target limit in months of sales: target = monthly_sales x months_of_sales.';
COMMENT ON COLUMN crisk.limit_policy.max_increase IS
    'Largest rise at one recalibration, as a fraction of the current limit (0.25: +25 %); decreases are never capped.';
COMMENT ON COLUMN crisk.limit_policy.initial_limit IS
    'Most a new customer (no or zero current limit) starts with.';
COMMENT ON COLUMN crisk.limit_policy.rounding IS
    'The new limit is rounded down to a multiple of this amount.';

-- The shipped policy.  Why these figures: README, "The default model and
-- policy".  Class E gets no new credit: its target is 0, so its limit falls
-- to 0 at once and a new customer starts at 0.
INSERT INTO crisk.limit_policy (policy, risk_class, months_of_sales, max_increase, initial_limit, rounding) VALUES
    ('default', 'A', 2.0, 0.50, 50000, 1000),
    ('default', 'B', 1.5, 0.25, 20000, 1000),
    ('default', 'C', 1.0, 0.10, 10000,  500),
    ('default', 'D', 0.5, 0.00,  2000,  100),
    ('default', 'E', 0.0, 0.00,     0,  100);

CREATE TRIGGER limit_policy_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.limit_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
-- ALWAYS: caches must follow changes a logical-replication subscriber
-- applies too (session_replication_role = replica skips ordinary triggers).
ALTER TABLE crisk.limit_policy ENABLE ALWAYS TRIGGER limit_policy_changed;
CREATE TRIGGER limit_policy_shipped_rows
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.limit_policy
    FOR EACH ROW EXECUTE FUNCTION crisk.shipped_rows_guard('policy', 'default');
CREATE TRIGGER limit_policy_no_truncate
    BEFORE TRUNCATE ON crisk.limit_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.shipped_rows_guard('policy', 'default');

SELECT pg_catalog.pg_extension_config_dump('crisk.limit_policy',
    'WHERE policy OPERATOR(pg_catalog.<>) ''default''');

-- Like every crisk table, not readable by PUBLIC (see crisk.scorecard).
REVOKE ALL ON TABLE crisk.limit_policy FROM PUBLIC;

CREATE FUNCTION crisk.recalibrated_limit(current_limit pg_catalog.numeric,
                                         score pg_catalog.int4,
                                         monthly_sales pg_catalog.numeric,
                                         insured_cover pg_catalog.numeric DEFAULT NULL,
                                         policy pg_catalog.text DEFAULT 'default')
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_recalibrated_limit'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.recalibrated_limit(pg_catalog.numeric, pg_catalog.int4, pg_catalog.numeric,
                                             pg_catalog.numeric, pg_catalog.text) IS
    'New credit limit from a score and monthly sales under a limit policy: months of sales of the class, capped by insurer cover; new customers start at the initial limit, decreases apply at once, increases are capped; rounded down.';

-- from sql/install/50_store_guards.sql
-- Trigger functions that protect the portfolio store's records
-- (src/store_guard.c, src/data_protection.c).

-- Audit and history tables (crisk.score_history, crisk.limit_change,
-- crisk.erasure_log) are append-only: rows are never updated, and deleted
-- only by crisk.purge_history() (retention) and crisk.forget_customer()
-- (erasure).  Attach as
--   BEFORE UPDATE OR DELETE ... FOR EACH ROW and BEFORE TRUNCATE ... FOR EACH STATEMENT.
CREATE FUNCTION crisk.append_only()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_append_only'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.append_only() IS
    'Trigger function: refuses UPDATE, DELETE and TRUNCATE on an append-only table, except deletions by crisk.purge_history() and crisk.forget_customer().';
REVOKE ALL ON FUNCTION crisk.append_only() FROM PUBLIC;

-- Rows crisk ships (reference vocabularies, the default dunning policy) are
-- re-created by CREATE EXTENSION and not saved by pg_dump, so a change to
-- them would be lost silently by a dump and restore: they may only change
-- while crisk's own install or upgrade script runs.  On a table with a
-- boolean column "shipped" only the rows marked shipped are protected and
-- users add their own rows; on a table without one every row is.  Attach as
--   BEFORE INSERT OR UPDATE OR DELETE ... FOR EACH ROW and BEFORE TRUNCATE ... FOR EACH STATEMENT.
CREATE FUNCTION crisk.protect_shipped_rows()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_protect_shipped_rows'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.protect_shipped_rows() IS
    'Trigger function: refuses changes to rows shipped with crisk outside its install and upgrade scripts, since pg_dump does not keep them.';
REVOKE ALL ON FUNCTION crisk.protect_shipped_rows() FROM PUBLIC;

-- from sql/install/51_ledger.sql
-- The ledger: crisk's own invoice table, and the indirection through which
-- every reader (views, crisk.check_order, rescoring) reads either that
-- table or an ERP's table or view named with crisk.set_ledger().
--
-- How the indirection works.  Readers select from the view crisk.ledger,
-- which selects from the SQL function crisk.ledger_rows().  That function's
-- body is a single SELECT over the source; set_ledger() rewrites the body.
-- PostgreSQL inlines such a function into the calling query when it plans
-- it, so a lookup by customer_id reaches the source's own indexes exactly
-- as a view would, and cached plans (check_order's) are replanned when the
-- body changes.  Unlike a view over the source, a function body records no
-- dependency on the ERP's objects: a view would make the extension depend
-- on them, and "DROP SCHEMA erp CASCADE" would then drop crisk and all its
-- data with it.  The choice is kept in crisk.ledger_source, which pg_dump
-- saves; restoring that row re-applies it.

CREATE TABLE crisk.invoice (
    invoice_id   pg_catalog.text NOT NULL,
    customer_id  pg_catalog.text NOT NULL,
    amount       pg_catalog.numeric NOT NULL,
    issue_date   pg_catalog.date NOT NULL,
    due_date     pg_catalog.date NOT NULL,
    paid_date    pg_catalog.date,
    CONSTRAINT invoice_pkey PRIMARY KEY (invoice_id),
    CONSTRAINT invoice_id_not_empty CHECK (invoice_id <> ''),
    CONSTRAINT invoice_customer_id_not_empty CHECK (customer_id <> ''),
    -- NaN and infinities sort outside this range: money is a finite number.
    CONSTRAINT invoice_amount_finite
        CHECK (amount > '-Infinity'::pg_catalog.numeric AND amount < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT invoice_dates_finite
        CHECK (pg_catalog.isfinite(issue_date) AND pg_catalog.isfinite(due_date)
               AND (paid_date IS NULL OR pg_catalog.isfinite(paid_date))),
    -- Payment terms run forward from the invoice date.  A payment may
    -- precede the invoice (cash in advance), so paid_date is not bounded.
    CONSTRAINT invoice_due_after_issue CHECK (due_date >= issue_date)
);
COMMENT ON TABLE crisk.invoice IS
    'crisk''s built-in ledger: one row per invoice or credit note (negative amount); paid_date NULL while unpaid. Readers use crisk.ledger, which reads this table unless crisk.set_ledger() named another source.';
COMMENT ON COLUMN crisk.invoice.amount IS 'Amount receivable, including tax; negative for a credit note.';
COMMENT ON COLUMN crisk.invoice.paid_date IS 'Date the invoice was settled in full; NULL while open.';

-- Every per-customer reader (check_order, rescoring, dossiers) looks up one
-- customer's invoices; with paid_date second, the open ones (paid_date NULL
-- or later than today) are one range at the end of the customer's entries,
-- and the included columns answer check_order without visiting the table.
CREATE INDEX invoice_customer_idx ON crisk.invoice (customer_id, paid_date)
    INCLUDE (amount, due_date, issue_date);
-- Portfolio readers of open items (aged balance per customer, dunning
-- worklist, watch-list) read only the unpaid ones, a small part of a
-- ledger: this index holds them in customer order, so an aged balance
-- grouped by customer is an index-only scan with no sort.
CREATE INDEX invoice_open_idx ON crisk.invoice (customer_id, due_date)
    INCLUDE (amount) WHERE paid_date IS NULL;

REVOKE ALL ON crisk.invoice FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.invoice', '');

-- The source crisk reads; no row means the built-in crisk.invoice.
CREATE TABLE crisk.ledger_source (
    source   pg_catalog.text NOT NULL,
    set_at   pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    set_by   pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    single_row pg_catalog.bool NOT NULL DEFAULT true,
    CONSTRAINT ledger_source_pkey PRIMARY KEY (single_row),
    CONSTRAINT ledger_source_single_row CHECK (single_row)
);
COMMENT ON TABLE crisk.ledger_source IS
    'The table or view crisk reads invoices from, as set by crisk.set_ledger() (schema-qualified name); empty means the built-in crisk.invoice. pg_dump keeps it and a restore re-applies it.';
REVOKE ALL ON crisk.ledger_source FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.ledger_source', '');

-- The ledger as every reader sees it.  This function must stay inlinable:
-- LANGUAGE sql, STABLE, not STRICT, not SECURITY DEFINER and without a SET
-- clause.  That is why it alone has no pinned search_path; its body names
-- everything with its schema, so the caller's search_path cannot capture
-- anything.  Being inlined, it reads the source with the caller's
-- privileges, as a view with security_invoker would.
CREATE FUNCTION crisk.ledger_rows()
    RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                   amount pg_catalog.numeric, issue_date pg_catalog.date,
                   due_date pg_catalog.date, paid_date pg_catalog.date)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$SELECT s.invoice_id, s.customer_id, s.amount, s.issue_date, s.due_date, s.paid_date FROM crisk.invoice s$$;
COMMENT ON FUNCTION crisk.ledger_rows() IS
    'The invoices crisk reads, from crisk.invoice or the source named by crisk.set_ledger() (which rewrites this function). Inlined into queries; read it through the view crisk.ledger.';

CREATE VIEW crisk.ledger AS
    SELECT l.invoice_id, l.customer_id, l.amount, l.issue_date, l.due_date, l.paid_date
    FROM crisk.ledger_rows() AS l;
COMMENT ON VIEW crisk.ledger IS
    'Every invoice crisk reads: crisk.invoice, or the ERP table or view named by crisk.set_ledger(). Reading it needs SELECT on this view and on the source.';
REVOKE ALL ON crisk.ledger FROM PUBLIC;

-- crisk.ledger_problems lists what keeps a relation from serving as the
-- ledger, all at once, so that an integrator fixes their view in one go.
CREATE FUNCTION crisk.ledger_problems(source pg_catalog.regclass)
    RETURNS pg_catalog.text[]
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    rel       record;
    col       record;
    base      pg_catalog.oid;
    problems  pg_catalog.text[] := '{}';
    -- Column, accepted types (after resolving domains), and what to say.
    wanted CONSTANT pg_catalog.text[][] := ARRAY[
        ['invoice_id',  'text,character varying,character,smallint,integer,bigint,uuid', 'text, varchar, char, an integer type or uuid'],
        ['customer_id', 'text,character varying,character,smallint,integer,bigint,uuid', 'text, varchar, char, an integer type or uuid'],
        ['amount',      'numeric,smallint,integer,bigint', 'numeric or an integer type (money must be exact: no float, no money type)'],
        ['issue_date',  'date,timestamp without time zone', 'date or timestamp without time zone'],
        ['due_date',    'date,timestamp without time zone', 'date or timestamp without time zone'],
        ['paid_date',   'date,timestamp without time zone', 'date or timestamp without time zone']];
    i         pg_catalog.int4;
BEGIN
    SELECT c.relkind, c.relpersistence INTO rel
    FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) source;
    IF NOT FOUND THEN
        RETURN ARRAY[pg_catalog.format('relation with OID %s does not exist', source::pg_catalog.oid)];
    END IF;
    IF NOT rel.relkind::pg_catalog.text OPERATOR(pg_catalog.=) ANY (ARRAY['r', 'p', 'v', 'm', 'f']) THEN
        RETURN ARRAY[pg_catalog.format('%s is not a table, view, materialized view or foreign table', source)];
    END IF;
    IF rel.relpersistence OPERATOR(pg_catalog.=) 't' THEN
        RETURN ARRAY[pg_catalog.format('%s is a temporary relation', source)];
    END IF;
    IF source OPERATOR(pg_catalog.=) 'crisk.ledger'::pg_catalog.regclass THEN
        RETURN ARRAY['crisk.ledger cannot read from itself'];
    END IF;
    -- A view that reads crisk.ledger or crisk.ledger_rows(), directly or
    -- through other views, would make the ledger read itself without end.
    IF EXISTS (
        WITH RECURSIVE reads (relid) AS (
            SELECT source::pg_catalog.oid
            UNION
            SELECT d.refobjid
            FROM reads r
            JOIN pg_catalog.pg_rewrite w ON w.ev_class OPERATOR(pg_catalog.=) r.relid
            JOIN pg_catalog.pg_depend d
              ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
             AND d.objid OPERATOR(pg_catalog.=) w.oid
             AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
             AND d.refobjid OPERATOR(pg_catalog.<>) r.relid)
        SELECT FROM reads r
        WHERE r.relid OPERATOR(pg_catalog.=) 'crisk.ledger'::pg_catalog.regclass::pg_catalog.oid
           OR EXISTS (SELECT FROM pg_catalog.pg_rewrite w
                      JOIN pg_catalog.pg_depend d
                        ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                       AND d.objid OPERATOR(pg_catalog.=) w.oid
                      WHERE w.ev_class OPERATOR(pg_catalog.=) r.relid
                        AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                        AND d.refobjid OPERATOR(pg_catalog.=) 'crisk.ledger_rows()'::pg_catalog.regprocedure::pg_catalog.oid))
    THEN
        RETURN ARRAY[pg_catalog.format('%s reads crisk.ledger, which would then read itself', source)];
    END IF;

    FOR i IN 1 .. pg_catalog.array_length(wanted, 1) LOOP
        SELECT a.atttypid INTO col
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid OPERATOR(pg_catalog.=) source
          AND a.attname OPERATOR(pg_catalog.=) wanted[i][1]
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            problems := pg_catalog.array_append(problems, pg_catalog.format('column %s is missing', wanted[i][1]));
            CONTINUE;
        END IF;
        base := col.atttypid;
        WHILE (SELECT t.typtype OPERATOR(pg_catalog.=) 'd' FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) base) LOOP
            base := (SELECT t.typbasetype FROM pg_catalog.pg_type t WHERE t.oid OPERATOR(pg_catalog.=) base);
        END LOOP;
        IF NOT pg_catalog.format_type(base, NULL) OPERATOR(pg_catalog.=) ANY (pg_catalog.string_to_array(wanted[i][2], ',')) THEN
            problems := pg_catalog.array_append(problems, pg_catalog.format('column %s has type %s; expected %s',
                wanted[i][1], pg_catalog.format_type(col.atttypid, NULL), wanted[i][3]));
        END IF;
    END LOOP;
    RETURN problems;
END
$$;
COMMENT ON FUNCTION crisk.ledger_problems(pg_catalog.regclass) IS
    'What keeps a table or view from serving as crisk''s ledger (missing columns, incompatible types); empty when it can. crisk.set_ledger() refuses a source with problems.';

-- crisk.apply_ledger_source rewrites crisk.ledger_rows() from the row in
-- crisk.ledger_source (or the built-in table when there is none).  It runs
-- as a trigger on that table, so that restoring the row from a dump points
-- crisk at the same source again.
CREATE FUNCTION crisk.apply_ledger_source()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    source_name pg_catalog.text;
    source_oid  pg_catalog.regclass;
    problems    pg_catalog.text[];
    body        pg_catalog.text;
    cols        pg_catalog.text[] := '{}';
    want        record;
    have        pg_catalog.text;
BEGIN
    SELECT s.source INTO source_name FROM crisk.ledger_source s;
    IF source_name IS NULL THEN
        source_oid := 'crisk.invoice'::pg_catalog.regclass;
    ELSE
        source_oid := pg_catalog.to_regclass(source_name);
        IF source_oid IS NULL THEN
            RAISE EXCEPTION 'ledger source % does not exist', source_name
                USING ERRCODE = '42P01';
        END IF;
    END IF;
    problems := crisk.ledger_problems(source_oid);
    IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'source % cannot serve as the ledger', source_oid
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'The ledger needs the columns invoice_id text, customer_id text, amount numeric, issue_date date, due_date date, paid_date date; create a view that renames and casts the ERP''s columns.';
    END IF;

    -- Cast only the columns whose type differs, so that lookups keep using
    -- the source's indexes.
    FOR want IN SELECT * FROM (VALUES (1, 'invoice_id', 'pg_catalog.text'), (2, 'customer_id', 'pg_catalog.text'),
                                     (3, 'amount', 'pg_catalog.numeric'), (4, 'issue_date', 'pg_catalog.date'),
                                     (5, 'due_date', 'pg_catalog.date'), (6, 'paid_date', 'pg_catalog.date')) AS w(n, name, type)
                    ORDER BY w.n LOOP
        SELECT pg_catalog.format_type(a.atttypid, NULL) INTO have
        FROM pg_catalog.pg_attribute a
        WHERE a.attrelid OPERATOR(pg_catalog.=) source_oid AND a.attname OPERATOR(pg_catalog.=) want.name
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
        IF have OPERATOR(pg_catalog.=) pg_catalog.format_type(want.type::pg_catalog.regtype, NULL) THEN
            cols := pg_catalog.array_append(cols, pg_catalog.format('s.%I', want.name));
        ELSE
            cols := pg_catalog.array_append(cols, pg_catalog.format('s.%I::%s AS %I', want.name, want.type, want.name));
        END IF;
    END LOOP;
    body := pg_catalog.format('SELECT %s FROM %s s', pg_catalog.array_to_string(cols, ', '),
        (SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)
         FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
         WHERE c.oid OPERATOR(pg_catalog.=) source_oid));

    -- Same signature, volatility and parallel safety as in the install
    -- script, and still no SET clause, so that it stays inlinable.  This
    -- replaces crisk's own function when a user changes the source, never
    -- during CREATE EXTENSION (which creates it with a plain CREATE).  A
    -- replaced function keeps its owner, rights and extension membership.
    EXECUTE pg_catalog.format($f$
        CREATE OR REPLACE FUNCTION crisk.ledger_rows()
            RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                           amount pg_catalog.numeric, issue_date pg_catalog.date,
                           due_date pg_catalog.date, paid_date pg_catalog.date)
            LANGUAGE sql STABLE PARALLEL SAFE
            AS %L$f$, body);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.apply_ledger_source() IS
    'Trigger function: points crisk.ledger_rows() (and so crisk.ledger) at the source recorded in crisk.ledger_source.';
REVOKE ALL ON FUNCTION crisk.apply_ledger_source() FROM PUBLIC;

CREATE TRIGGER ledger_source_applied
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.ledger_source
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.apply_ledger_source();
-- crisk.check_order caches whether the ledger is crisk.invoice.
CREATE TRIGGER ledger_source_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.ledger_source
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
-- A change arriving by logical replication (session_replication_role =
-- replica) must take effect too.
ALTER TABLE crisk.ledger_source ENABLE ALWAYS TRIGGER ledger_source_applied;
ALTER TABLE crisk.ledger_source ENABLE ALWAYS TRIGGER ledger_source_changed;

-- crisk.set_ledger checks the source first, so that the error lists every
-- problem before anything changes; the trigger above does the rewrite.
CREATE FUNCTION crisk.set_ledger(source pg_catalog.regclass)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    problems pg_catalog.text[];
BEGIN
    IF source IS NULL THEN
        RAISE EXCEPTION 'source must not be null'
            USING ERRCODE = '22004',
                  HINT = 'Give a table or view, or ''crisk.invoice'' for the built-in ledger.';
    END IF;
    problems := crisk.ledger_problems(source);
    IF pg_catalog.cardinality(problems) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'source % cannot serve as the ledger', source
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.array_to_string(problems, E'\n'),
                  HINT = 'The ledger needs the columns invoice_id text, customer_id text, amount numeric, issue_date date, due_date date, paid_date date; create a view that renames and casts the ERP''s columns.';
    END IF;
    IF source OPERATOR(pg_catalog.=) 'crisk.invoice'::pg_catalog.regclass THEN
        DELETE FROM crisk.ledger_source;
    ELSE
        INSERT INTO crisk.ledger_source (source, set_at, set_by)
        SELECT pg_catalog.format('%I.%I', n.nspname, c.relname), pg_catalog.now(), SESSION_USER
        FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        WHERE c.oid OPERATOR(pg_catalog.=) source
        ON CONFLICT (single_row) DO UPDATE
            SET source = excluded.source, set_at = excluded.set_at, set_by = excluded.set_by;
    END IF;
END
$$;
COMMENT ON FUNCTION crisk.set_ledger(pg_catalog.regclass) IS
    'Makes crisk read invoices from a table or view with the columns invoice_id, customer_id, amount, issue_date, due_date, paid_date (compatible types); ''crisk.invoice'' goes back to the built-in ledger. Lists every problem at once (SQLSTATE 22023).';
REVOKE ALL ON FUNCTION crisk.set_ledger(pg_catalog.regclass) FROM PUBLIC;

-- from sql/install/52_account.sql
-- Customer accounts, legal events and financial statements: what credit
-- managers know about a customer besides the ledger.

CREATE TABLE crisk.account (
    customer_id         pg_catalog.text NOT NULL,
    name                pg_catalog.text,
    segment             pg_catalog.text,
    credit_limit        pg_catalog.numeric,
    limit_locked        pg_catalog.bool NOT NULL DEFAULT false,
    insured_cover       pg_catalog.numeric,
    payment_terms_days  pg_catalog.int4,
    policy              pg_catalog.text NOT NULL DEFAULT 'default',
    model               pg_catalog.text NOT NULL DEFAULT 'default',
    -- Beyond the specification:
    blocked             pg_catalog.bool NOT NULL DEFAULT false,
    customer_since      pg_catalog.date,
    dunning_policy      pg_catalog.text NOT NULL DEFAULT 'default',
    limit_reason        pg_catalog.text,
    limit_run_id        pg_catalog.int8,
    limit_changed_at    pg_catalog.timestamptz,
    limit_changed_by    pg_catalog.text,
    CONSTRAINT account_pkey PRIMARY KEY (customer_id),
    CONSTRAINT account_customer_id_not_empty CHECK (customer_id <> ''),
    -- NaN sorts above 'Infinity', so these also reject NaN.
    CONSTRAINT account_credit_limit_valid
        CHECK (credit_limit >= 0 AND credit_limit < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT account_insured_cover_valid
        CHECK (insured_cover >= 0 AND insured_cover < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT account_payment_terms_valid CHECK (payment_terms_days >= 0),
    CONSTRAINT account_customer_since_finite CHECK (pg_catalog.isfinite(customer_since))
);
COMMENT ON TABLE crisk.account IS
    'One row per customer crisk manages: credit limit (NULL: none set), limit lock (never changed by recalibration), insured cover, payment terms, limit policy, scorecard model, order stop, dunning policy, and who last changed the limit and why.';
COMMENT ON COLUMN crisk.account.credit_limit IS 'Credit limit in force; NULL when none is set (crisk.check_order then asks for review).';
COMMENT ON COLUMN crisk.account.limit_locked IS 'True: recalibration never changes this limit; people still may (crisk.set_credit_limit).';
COMMENT ON COLUMN crisk.account.insured_cover IS 'Amount a credit insurer covers for this customer; caps the recalibrated limit.';
COMMENT ON COLUMN crisk.account.policy IS 'Limit policy (crisk.limit_policy) used by recalibration.';
COMMENT ON COLUMN crisk.account.model IS 'Scorecard model (crisk.scorecard) used by scoring.';
COMMENT ON COLUMN crisk.account.blocked IS 'Order stop set by a credit manager: crisk.check_order blocks every order.';
COMMENT ON COLUMN crisk.account.customer_since IS 'Start of the relationship, for relationship_months when the ledger holds only recent invoices; NULL: the first invoice.';
COMMENT ON COLUMN crisk.account.dunning_policy IS 'Dunning policy (crisk.dunning_policy) applied to this customer''s overdue invoices.';
COMMENT ON COLUMN crisk.account.limit_reason IS 'Why the limit or its lock last changed, as given with that change (NULL: not given). Maintained by crisk: give it in the same UPDATE as the change.';
COMMENT ON COLUMN crisk.account.limit_run_id IS 'Rescoring run (crisk.job_run) that last changed the limit; NULL when a person did. Maintained by crisk: a run gives it in the same UPDATE as the change.';
COMMENT ON COLUMN crisk.account.limit_changed_at IS 'When the limit or its lock last changed (maintained by crisk).';
COMMENT ON COLUMN crisk.account.limit_changed_by IS 'Login (session user) that last changed the limit or its lock (maintained by crisk).';
REVOKE ALL ON crisk.account FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.account', '');

-- The legal events of SPEC section 2, as a closed vocabulary ("other" for
-- anything else).  adverse: counts as an adverse event for scoring;
-- order_decision/order_window_days: what crisk.check_order does while such
-- an event is recent (window NULL: for ever).
CREATE TABLE crisk.event_kind (
    kind               pg_catalog.text NOT NULL,
    description        pg_catalog.text NOT NULL,
    adverse            pg_catalog.bool NOT NULL,
    order_decision     pg_catalog.text,
    order_window_days  pg_catalog.int4,
    CONSTRAINT event_kind_pkey PRIMARY KEY (kind),
    CONSTRAINT event_kind_order_decision_valid CHECK (order_decision IN ('review', 'block')),
    CONSTRAINT event_kind_order_window_valid
        CHECK (order_window_days IS NULL OR (order_window_days > 0 AND order_decision IS NOT NULL))
);
COMMENT ON TABLE crisk.event_kind IS
    'Kinds of legal and financial events crisk.event records, shipped with crisk: whether each is adverse (counted by scoring) and what it does to order checks, for how many days.';
INSERT INTO crisk.event_kind (kind, description, adverse, order_decision, order_window_days) VALUES
    ('safeguard', 'safeguard proceedings opened (procédure de sauvegarde)', true, 'review', 365),
    ('receivership', 'receivership opened (redressement judiciaire)', true, 'block', 365),
    ('liquidation', 'judicial liquidation (liquidation judiciaire)', true, 'block', NULL),
    ('capital_loss', 'equity below half the share capital (capitaux propres inférieurs à la moitié du capital social)', true, 'review', 365),
    ('dissolution', 'dissolution of the company', true, 'block', NULL),
    ('strike_off', 'struck off the trade register (radiation)', true, 'block', NULL),
    ('lien', 'lien registered by the tax or social-security authorities (inscription de privilège)', true, 'review', 365),
    ('pledge', 'pledge registered on the business or its assets (nantissement)', true, NULL, NULL),
    ('director_change', 'change of directors', false, NULL, NULL),
    ('office_transfer', 'transfer of the registered office', false, NULL, NULL),
    ('business_sale', 'sale of the business (cession de fonds de commerce)', true, 'review', 365),
    ('lease_management', 'business put under lease-management (location-gérance)', false, 'review', 365),
    ('other', 'other event (see detail)', false, NULL, NULL);
REVOKE ALL ON crisk.event_kind FROM PUBLIC;
-- crisk.check_order caches the kinds that affect orders.
CREATE TRIGGER event_kind_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.event_kind
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
ALTER TABLE crisk.event_kind ENABLE ALWAYS TRIGGER event_kind_changed;
CREATE TRIGGER event_kind_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.event_kind
    FOR EACH ROW EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Record events outside this vocabulary with kind ''other'' and say what happened in detail.');
CREATE TRIGGER event_kind_shipped_truncate
    BEFORE TRUNCATE ON crisk.event_kind
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Record events outside this vocabulary with kind ''other'' and say what happened in detail.');

CREATE TABLE crisk.event (
    event_id     pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    customer_id  pg_catalog.text NOT NULL,
    kind         pg_catalog.text NOT NULL,
    occurred_on  pg_catalog.date NOT NULL,
    detail       pg_catalog.text,
    recorded_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT event_pkey PRIMARY KEY (event_id),
    CONSTRAINT event_customer_fkey FOREIGN KEY (customer_id)
        REFERENCES crisk.account (customer_id) ON UPDATE CASCADE,
    CONSTRAINT event_kind_fkey FOREIGN KEY (kind) REFERENCES crisk.event_kind (kind),
    CONSTRAINT event_occurred_on_finite CHECK (pg_catalog.isfinite(occurred_on))
);
COMMENT ON TABLE crisk.event IS
    'Legal and financial events concerning a customer (insolvency proceedings, capital loss, dissolution, liens, director changes, ...; kinds in crisk.event_kind), with the date they occurred (as published) and free detail such as the court or the publication reference.';
-- check_order and scoring read one customer's recent events.
CREATE INDEX event_customer_idx ON crisk.event (customer_id, occurred_on);
REVOKE ALL ON crisk.event FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.event', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.event_event_id_seq', '');

-- Balance-sheet and income-statement items feeding crisk.altman_z, one row
-- per fiscal year; NULL where the item is unknown.
CREATE TABLE crisk.financials (
    customer_id          pg_catalog.text NOT NULL,
    fiscal_year_end      pg_catalog.date NOT NULL,
    working_capital      pg_catalog.numeric,
    retained_earnings    pg_catalog.numeric,
    ebit                 pg_catalog.numeric,
    equity               pg_catalog.numeric,
    market_value_equity  pg_catalog.numeric,
    total_liabilities    pg_catalog.numeric,
    total_assets         pg_catalog.numeric,
    sales                pg_catalog.numeric,
    source               pg_catalog.text,
    recorded_at          pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT financials_pkey PRIMARY KEY (customer_id, fiscal_year_end),
    CONSTRAINT financials_customer_fkey FOREIGN KEY (customer_id)
        REFERENCES crisk.account (customer_id) ON UPDATE CASCADE,
    CONSTRAINT financials_fiscal_year_end_finite CHECK (pg_catalog.isfinite(fiscal_year_end)),
    -- Items that may be negative must still be finite numbers.
    CONSTRAINT financials_working_capital_finite
        CHECK (working_capital > '-Infinity'::pg_catalog.numeric AND working_capital < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_retained_earnings_finite
        CHECK (retained_earnings > '-Infinity'::pg_catalog.numeric AND retained_earnings < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_ebit_finite
        CHECK (ebit > '-Infinity'::pg_catalog.numeric AND ebit < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_equity_finite
        CHECK (equity > '-Infinity'::pg_catalog.numeric AND equity < 'Infinity'::pg_catalog.numeric),
    -- Altman's ratios divide by total assets and total liabilities.
    CONSTRAINT financials_market_value_equity_valid
        CHECK (market_value_equity >= 0 AND market_value_equity < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_total_liabilities_valid
        CHECK (total_liabilities >= 0 AND total_liabilities < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_total_assets_valid
        CHECK (total_assets > 0 AND total_assets < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_sales_valid
        CHECK (sales >= 0 AND sales < 'Infinity'::pg_catalog.numeric)
);
COMMENT ON TABLE crisk.financials IS
    'A customer''s financial statements, one row per fiscal year: working capital, retained earnings, EBIT, book equity, market value of equity (listed companies), total liabilities, total assets, sales; the items of the Altman Z-scores.';
COMMENT ON COLUMN crisk.financials.equity IS 'Book value of equity (Z'' and Z'''' use it).';
COMMENT ON COLUMN crisk.financials.market_value_equity IS 'Market value of equity, for listed companies (the original Z uses it); NULL otherwise.';
REVOKE ALL ON crisk.financials FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.financials', '');

-- from sql/install/53_limits.sql
-- Credit-limit changes: every change of crisk.account.credit_limit or
-- limit_locked, by a person or by a rescoring run, through a function or a
-- direct UPDATE, is written to crisk.limit_change.
--
-- How it works.  A BEFORE trigger in C (src/limit_audit.c) stamps the
-- account row when its limit or lock changes: limit_changed_at and
-- limit_changed_by always, limit_reason and limit_run_id as given in that
-- same UPDATE (NULL when the UPDATE does not assign them, so a reason never
-- outlives its change); it refuses a run's change to a locked limit.  An
-- AFTER trigger then copies the change into crisk.limit_change, with the
-- rights of crisk's owner, so that nobody needs (or gets) the right to write
-- the audit trail.
--
-- A rescoring run changes limits set-based, giving its run id and reason:
--   UPDATE crisk.account a
--      SET credit_limit = r.new_limit, limit_run_id = $run, limit_reason = r.reason
--     FROM ... r
--    WHERE a.customer_id = r.customer_id AND NOT a.limit_locked
--      AND a.credit_limit IS DISTINCT FROM r.new_limit;

CREATE TABLE crisk.limit_change (
    change_id    pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    customer_id  pg_catalog.text NOT NULL,
    changed_at   pg_catalog.timestamptz NOT NULL,
    old_limit    pg_catalog.numeric,
    new_limit    pg_catalog.numeric,
    old_locked   pg_catalog.bool,
    new_locked   pg_catalog.bool NOT NULL,
    changed_by   pg_catalog.text NOT NULL,
    run_id       pg_catalog.int8,
    reason       pg_catalog.text,
    CONSTRAINT limit_change_pkey PRIMARY KEY (change_id)
);
COMMENT ON TABLE crisk.limit_change IS
    'Audit trail of credit-limit changes (append-only): old and new limit and lock, when, which login, which rescoring run (crisk.job_run; NULL for a person) and why. old_limit and old_locked are NULL for the limit an account was created with.';
COMMENT ON COLUMN crisk.limit_change.changed_by IS 'Login (session user) whose statement made the change; for recalibration, the worker''s role.';
COMMENT ON COLUMN crisk.limit_change.run_id IS 'Rescoring run (crisk.job_run) that made the change; NULL when a person did.';
CREATE INDEX limit_change_customer_idx ON crisk.limit_change (customer_id, changed_at);
CREATE INDEX limit_change_changed_at_idx ON crisk.limit_change (changed_at);
REVOKE ALL ON crisk.limit_change FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.limit_change', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.limit_change_change_id_seq', '');
CREATE TRIGGER limit_change_append_only
    BEFORE UPDATE OR DELETE ON crisk.limit_change
    FOR EACH ROW EXECUTE FUNCTION crisk.append_only();
CREATE TRIGGER limit_change_append_only_truncate
    BEFORE TRUNCATE ON crisk.limit_change
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.append_only();

CREATE FUNCTION crisk.stamp_limit_change()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_stamp_limit_change'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.stamp_limit_change() IS
    'Trigger function on crisk.account: records when, by whom, why and by which run the credit limit or its lock changed, and refuses a rescoring run''s change to a locked limit.';
REVOKE ALL ON FUNCTION crisk.stamp_limit_change() FROM PUBLIC;

CREATE TRIGGER account_limit_stamp
    BEFORE INSERT OR UPDATE ON crisk.account
    FOR EACH ROW EXECUTE FUNCTION crisk.stamp_limit_change();

CREATE FUNCTION crisk.log_limit_change()
    RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
        INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit,
                                        old_locked, new_locked, changed_by, run_id, reason)
        VALUES (NEW.customer_id, NEW.limit_changed_at, NULL, NEW.credit_limit,
                NULL, NEW.limit_locked, NEW.limit_changed_by, NEW.limit_run_id, NEW.limit_reason);
    ELSE
        INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit,
                                        old_locked, new_locked, changed_by, run_id, reason)
        VALUES (NEW.customer_id, NEW.limit_changed_at, OLD.credit_limit, NEW.credit_limit,
                OLD.limit_locked, NEW.limit_locked, NEW.limit_changed_by, NEW.limit_run_id, NEW.limit_reason);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.log_limit_change() IS
    'Trigger function on crisk.account: writes a credit-limit or lock change, as stamped on the account row, to crisk.limit_change.';
REVOKE ALL ON FUNCTION crisk.log_limit_change() FROM PUBLIC;

-- A new account with a limit (or a lock) is a change from nothing.  Rows
-- stamped by this transaction carry its start time; a row restored from a
-- dump keeps its old stamp (see src/limit_audit.c) and is not logged again.
CREATE TRIGGER account_limit_logged_on_insert
    AFTER INSERT ON crisk.account
    FOR EACH ROW
    WHEN (NEW.limit_changed_at = pg_catalog.transaction_timestamp())
    EXECUTE FUNCTION crisk.log_limit_change();
CREATE TRIGGER account_limit_logged_on_update
    AFTER UPDATE ON crisk.account
    FOR EACH ROW
    WHEN (OLD.credit_limit IS DISTINCT FROM NEW.credit_limit
          OR OLD.limit_locked IS DISTINCT FROM NEW.limit_locked)
    EXECUTE FUNCTION crisk.log_limit_change();

-- crisk.set_credit_limit: how a person changes a limit, with a reason.
-- SECURITY DEFINER so that a credit-manager role needs only EXECUTE; the
-- change is recorded under the caller's login (session user).
CREATE FUNCTION crisk.set_credit_limit(customer_id pg_catalog.text, new_limit pg_catalog.numeric,
                                       reason pg_catalog.text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF set_credit_limit.customer_id IS NULL THEN
        RAISE EXCEPTION 'customer_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF new_limit IS NULL THEN
        RAISE EXCEPTION 'new_limit must not be null' USING ERRCODE = '22004',
            HINT = 'Give 0 to grant no credit.';
    END IF;
    IF new_limit OPERATOR(pg_catalog.<) 0 OR new_limit OPERATOR(pg_catalog.>=) 'Infinity'::pg_catalog.numeric THEN
        RAISE EXCEPTION 'new_limit must be a finite amount of zero or more'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('new_limit is %s.', new_limit);
    END IF;
    IF reason IS NULL THEN
        RAISE EXCEPTION 'reason must not be null' USING ERRCODE = '22004',
            HINT = 'Every limit change records why it was made.';
    END IF;
    IF pg_catalog.btrim(reason) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'reason must not be empty' USING ERRCODE = '22023',
            HINT = 'Every limit change records why it was made.';
    END IF;
    UPDATE crisk.account a
       SET credit_limit = new_limit, limit_reason = reason, limit_run_id = NULL
     WHERE a.customer_id OPERATOR(pg_catalog.=) set_credit_limit.customer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customer % has no account', set_credit_limit.customer_id
            USING ERRCODE = '42704', HINT = 'Insert the customer into crisk.account first.';
    END IF;
END
$$;
COMMENT ON FUNCTION crisk.set_credit_limit(pg_catalog.text, pg_catalog.numeric, pg_catalog.text) IS
    'Sets a customer''s credit limit by hand, with the reason; logged in crisk.limit_change under the caller''s login. Works on locked limits too (the lock only stops recalibration).';
REVOKE ALL ON FUNCTION crisk.set_credit_limit(pg_catalog.text, pg_catalog.numeric, pg_catalog.text) FROM PUBLIC;

-- crisk.set_limit_locked: how a person locks or unlocks a limit.
CREATE FUNCTION crisk.set_limit_locked(customer_id pg_catalog.text, locked pg_catalog.bool,
                                       reason pg_catalog.text)
    RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF set_limit_locked.customer_id IS NULL THEN
        RAISE EXCEPTION 'customer_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF locked IS NULL THEN
        RAISE EXCEPTION 'locked must not be null' USING ERRCODE = '22004';
    END IF;
    IF reason IS NULL THEN
        RAISE EXCEPTION 'reason must not be null' USING ERRCODE = '22004',
            HINT = 'Every limit change records why it was made.';
    END IF;
    IF pg_catalog.btrim(reason) OPERATOR(pg_catalog.=) '' THEN
        RAISE EXCEPTION 'reason must not be empty' USING ERRCODE = '22023',
            HINT = 'Every limit change records why it was made.';
    END IF;
    UPDATE crisk.account a
       SET limit_locked = locked, limit_reason = reason, limit_run_id = NULL
     WHERE a.customer_id OPERATOR(pg_catalog.=) set_limit_locked.customer_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'customer % has no account', set_limit_locked.customer_id
            USING ERRCODE = '42704', HINT = 'Insert the customer into crisk.account first.';
    END IF;
END
$$;
COMMENT ON FUNCTION crisk.set_limit_locked(pg_catalog.text, pg_catalog.bool, pg_catalog.text) IS
    'Locks (true) or unlocks (false) a customer''s credit limit against recalibration, with the reason; logged in crisk.limit_change under the caller''s login.';
REVOKE ALL ON FUNCTION crisk.set_limit_locked(pg_catalog.text, pg_catalog.bool, pg_catalog.text) FROM PUBLIC;

-- from sql/install/54_scores.sql
-- Scoring results, written by rescoring (crisk.rescore and the worker):
-- crisk.score holds each customer's latest result, crisk.score_history
-- every result ever written (append-only, purged by retention).
--
-- A pass writes both in the same transaction, per batch:
--   INSERT INTO crisk.score (...) VALUES/SELECT ...
--       ON CONFLICT (customer_id) DO UPDATE SET ... = excluded....;
--   INSERT INTO crisk.score_history (<the same columns>)
--       SELECT <the same columns> FROM crisk.score WHERE customer_id = ANY(batch);
-- The upsert matters: the trigger below keeps previous_score,
-- previous_risk_class and risk_class_since from the row it replaces.

CREATE TABLE crisk.score (
    customer_id               pg_catalog.text NOT NULL,
    as_of                     pg_catalog.date NOT NULL,
    scored_at                 pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    run_id                    pg_catalog.int8,
    model                     pg_catalog.text NOT NULL,
    score                     pg_catalog.int4 NOT NULL,
    risk_class                pg_catalog.text NOT NULL,
    previous_score            pg_catalog.int4,
    previous_risk_class       pg_catalog.text,
    risk_class_since          pg_catalog.timestamptz,
    reasons                   pg_catalog.jsonb NOT NULL DEFAULT '[]',
    -- The payment profile (crisk.payment_profile) the score rests on.
    invoices                  pg_catalog.int8,
    open_invoices             pg_catalog.int8,
    billed                    pg_catalog.numeric,
    open_amount               pg_catalog.numeric,
    overdue_amount            pg_catalog.numeric,
    avg_days_beyond_terms     pg_catalog.float8,
    days_beyond_terms_stddev  pg_catalog.float8,
    late_share                pg_catalog.float8,
    max_days_late             pg_catalog.int4,
    dso                       pg_catalog.numeric,
    last_payment              pg_catalog.date,
    -- The other characteristics scored.
    altman_z                  pg_catalog.float8,
    adverse_events            pg_catalog.int4,
    utilization               pg_catalog.float8,
    relationship_months       pg_catalog.int4,
    -- Recalibration.
    policy                    pg_catalog.text,
    limit_locked              pg_catalog.bool,
    credit_limit_before       pg_catalog.numeric,
    recommended_limit         pg_catalog.numeric,
    credit_limit_after        pg_catalog.numeric,
    CONSTRAINT score_pkey PRIMARY KEY (customer_id),
    CONSTRAINT score_customer_fkey FOREIGN KEY (customer_id)
        REFERENCES crisk.account (customer_id) ON UPDATE CASCADE ON DELETE CASCADE,
    CONSTRAINT score_range CHECK (score BETWEEN 0 AND 100),
    CONSTRAINT score_risk_class_valid CHECK (risk_class IN ('A', 'B', 'C', 'D', 'E')),
    CONSTRAINT score_previous_score_range CHECK (previous_score BETWEEN 0 AND 100),
    CONSTRAINT score_previous_risk_class_valid CHECK (previous_risk_class IN ('A', 'B', 'C', 'D', 'E')),
    CONSTRAINT score_reasons_array CHECK (pg_catalog.jsonb_typeof(reasons) = 'array')
);
COMMENT ON TABLE crisk.score IS
    'Latest score of each customer: score 0-100, risk class A-E, the reasons (crisk.explain_score rows as a JSON array), the payment-profile figures and other characteristics it rests on, and the credit limit before and after recalibration. One row per customer, written by rescoring.';
COMMENT ON COLUMN crisk.score.as_of IS 'Date the customer was scored as of.';
COMMENT ON COLUMN crisk.score.run_id IS 'Rescoring run (crisk.job_run) that wrote the row; NULL when none.';
COMMENT ON COLUMN crisk.score.previous_score IS 'Score of the row this one replaced (maintained by crisk).';
COMMENT ON COLUMN crisk.score.previous_risk_class IS 'Risk class before the last change of class (maintained by crisk).';
COMMENT ON COLUMN crisk.score.risk_class_since IS 'When the customer entered its current risk class (maintained by crisk).';
COMMENT ON COLUMN crisk.score.reasons IS 'JSON array of {characteristic, value, points, max_points}, as crisk.explain_score returns them: what each characteristic earned and could have earned.';
COMMENT ON COLUMN crisk.score.recommended_limit IS 'Limit recalibration computed, applied or not (not applied when limit_locked).';
COMMENT ON COLUMN crisk.score.credit_limit_after IS 'Limit in force after the pass: recommended_limit, or credit_limit_before when locked.';
REVOKE ALL ON crisk.score FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.score', '');

-- crisk.track_risk_class keeps the previous score and class, and since when
-- the class holds, from the row an upsert replaces.  A restored row keeps
-- what it carries.
CREATE FUNCTION crisk.track_risk_class()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_track_risk_class'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.track_risk_class() IS
    'Trigger function on crisk.score: keeps previous_score, previous_risk_class and risk_class_since.';
REVOKE ALL ON FUNCTION crisk.track_risk_class() FROM PUBLIC;
CREATE TRIGGER score_track_risk_class
    BEFORE INSERT OR UPDATE ON crisk.score
    FOR EACH ROW EXECUTE FUNCTION crisk.track_risk_class();

CREATE TABLE crisk.score_history (
    history_id                pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    customer_id               pg_catalog.text NOT NULL,
    as_of                     pg_catalog.date NOT NULL,
    scored_at                 pg_catalog.timestamptz NOT NULL,
    run_id                    pg_catalog.int8,
    model                     pg_catalog.text NOT NULL,
    score                     pg_catalog.int4 NOT NULL,
    risk_class                pg_catalog.text NOT NULL,
    previous_score            pg_catalog.int4,
    previous_risk_class       pg_catalog.text,
    risk_class_since          pg_catalog.timestamptz,
    reasons                   pg_catalog.jsonb NOT NULL,
    invoices                  pg_catalog.int8,
    open_invoices             pg_catalog.int8,
    billed                    pg_catalog.numeric,
    open_amount               pg_catalog.numeric,
    overdue_amount            pg_catalog.numeric,
    avg_days_beyond_terms     pg_catalog.float8,
    days_beyond_terms_stddev  pg_catalog.float8,
    late_share                pg_catalog.float8,
    max_days_late             pg_catalog.int4,
    dso                       pg_catalog.numeric,
    last_payment              pg_catalog.date,
    altman_z                  pg_catalog.float8,
    adverse_events            pg_catalog.int4,
    utilization               pg_catalog.float8,
    relationship_months       pg_catalog.int4,
    policy                    pg_catalog.text,
    limit_locked              pg_catalog.bool,
    credit_limit_before       pg_catalog.numeric,
    recommended_limit         pg_catalog.numeric,
    credit_limit_after        pg_catalog.numeric,
    CONSTRAINT score_history_pkey PRIMARY KEY (history_id),
    CONSTRAINT score_history_range CHECK (score BETWEEN 0 AND 100),
    CONSTRAINT score_history_risk_class_valid CHECK (risk_class IN ('A', 'B', 'C', 'D', 'E'))
);
COMMENT ON TABLE crisk.score_history IS
    'Every score rescoring wrote (append-only), with the same columns as crisk.score: the trail of automated decisions a customer may ask to see explained. Old rows go with crisk.purge_history().';
-- Trend per customer, and retention by age.
CREATE INDEX score_history_customer_idx ON crisk.score_history (customer_id, scored_at);
CREATE INDEX score_history_scored_at_idx ON crisk.score_history (scored_at);
REVOKE ALL ON crisk.score_history FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.score_history', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.score_history_history_id_seq', '');
CREATE TRIGGER score_history_append_only
    BEFORE UPDATE OR DELETE ON crisk.score_history
    FOR EACH ROW EXECUTE FUNCTION crisk.append_only();
CREATE TRIGGER score_history_append_only_truncate
    BEFORE TRUNCATE ON crisk.score_history
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.append_only();

-- from sql/install/55_alerts.sql
-- Alerts: conditions rescoring finds that a credit manager must look at.
-- Each alert is one row and one notification on channel crisk_alert; the
-- same condition is not raised again while its alert is unacknowledged.
--
-- A condition is (kind, customer_id, condition_key): the key tells apart
-- conditions of one kind for one customer, for instance the invoice that
-- passed 90 days, the event that was recorded, or the class the customer
-- fell to.  Raise alerts with crisk.raise_alert(), or set-based with
--   INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message, ...)
--   SELECT ...
--   ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING;

CREATE TABLE crisk.alert_kind (
    kind              pg_catalog.text NOT NULL,
    description       pg_catalog.text NOT NULL,
    default_severity  pg_catalog.text NOT NULL,
    CONSTRAINT alert_kind_pkey PRIMARY KEY (kind),
    CONSTRAINT alert_kind_severity_valid CHECK (default_severity IN ('info', 'warning', 'critical'))
);
COMMENT ON TABLE crisk.alert_kind IS
    'Kinds of alerts crisk raises, shipped with crisk, with their default severity.';
INSERT INTO crisk.alert_kind (kind, description, default_severity) VALUES
    ('score_drop', 'score fell by more than the alert threshold since the previous scoring', 'warning'),
    ('downgrade', 'risk class worsened', 'warning'),
    ('limit_breach', 'open receivables exceed the credit limit', 'critical'),
    ('legal_event', 'a legal event was recorded for the customer', 'critical'),
    ('overdue_90', 'an invoice passed 90 days past due', 'warning'),
    ('payment_pattern', 'days beyond terms deviate from the customer''s usual pattern', 'warning');
REVOKE ALL ON crisk.alert_kind FROM PUBLIC;
CREATE TRIGGER alert_kind_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.alert_kind
    FOR EACH ROW EXECUTE FUNCTION crisk.protect_shipped_rows();
CREATE TRIGGER alert_kind_shipped_truncate
    BEFORE TRUNCATE ON crisk.alert_kind
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.protect_shipped_rows();

CREATE TABLE crisk.alert (
    alert_id             pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    kind                 pg_catalog.text NOT NULL,
    customer_id          pg_catalog.text,
    condition_key        pg_catalog.text NOT NULL DEFAULT '',
    severity             pg_catalog.text NOT NULL,
    message              pg_catalog.text NOT NULL,
    detail               pg_catalog.jsonb,
    run_id               pg_catalog.int8,
    raised_at            pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    acknowledged_at      pg_catalog.timestamptz,
    acknowledged_by      pg_catalog.text,
    acknowledgment_note  pg_catalog.text,
    CONSTRAINT alert_pkey PRIMARY KEY (alert_id),
    CONSTRAINT alert_kind_fkey FOREIGN KEY (kind) REFERENCES crisk.alert_kind (kind),
    CONSTRAINT alert_severity_valid CHECK (severity IN ('info', 'warning', 'critical')),
    CONSTRAINT alert_acknowledgment_complete
        CHECK ((acknowledged_at IS NULL) = (acknowledged_by IS NULL))
);
COMMENT ON TABLE crisk.alert IS
    'Alerts raised by rescoring (score drop, downgrade, limit breach, legal event, 90 days overdue, unusual payment pattern): one row each, notified on channel crisk_alert; acknowledged with crisk.acknowledge_alert().';
COMMENT ON COLUMN crisk.alert.customer_id IS 'Customer concerned; NULL for an alert about the whole portfolio.';
COMMENT ON COLUMN crisk.alert.condition_key IS 'What tells this condition apart from others of the same kind for the same customer (an invoice, an event, a class); '''' when nothing needs to.';
COMMENT ON COLUMN crisk.alert.detail IS 'Figures behind the alert, as JSON.';
COMMENT ON COLUMN crisk.alert.run_id IS 'Rescoring run (crisk.job_run) that raised the alert.';
COMMENT ON COLUMN crisk.alert.acknowledged_by IS 'Login (session user) that acknowledged the alert.';
-- One open alert per condition: what makes "not raised twice" hold, even
-- for two passes racing.  NULLS NOT DISTINCT covers portfolio alerts.
CREATE UNIQUE INDEX alert_open_condition_idx ON crisk.alert (kind, customer_id, condition_key)
    NULLS NOT DISTINCT WHERE acknowledged_at IS NULL;
CREATE INDEX alert_customer_idx ON crisk.alert (customer_id, raised_at);
CREATE INDEX alert_raised_at_idx ON crisk.alert (raised_at);
REVOKE ALL ON crisk.alert FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.alert', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.alert_alert_id_seq', '');

-- The notification carries the alert's id, kind, severity and time only:
-- any role that can connect may LISTEN on any channel, so what identifies
-- the customer stays in the table, readable by those granted it.
CREATE FUNCTION crisk.notify_alert()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('crisk_alert',
        pg_catalog.json_build_object('alert_id', NEW.alert_id, 'kind', NEW.kind,
                                     'severity', NEW.severity, 'raised_at', NEW.raised_at)::pg_catalog.text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.notify_alert() IS
    'Trigger function on crisk.alert: notifies channel crisk_alert with {"alert_id", "kind", "severity", "raised_at"} for each new alert.';
REVOKE ALL ON FUNCTION crisk.notify_alert() FROM PUBLIC;
-- Rows inserted already acknowledged are restored history, not news.
CREATE TRIGGER alert_notify
    AFTER INSERT ON crisk.alert
    FOR EACH ROW WHEN (NEW.acknowledged_at IS NULL)
    EXECUTE FUNCTION crisk.notify_alert();

-- crisk.raise_alert returns the new alert's id, or NULL when the same
-- condition already has an open alert.
CREATE FUNCTION crisk.raise_alert(kind pg_catalog.text, customer_id pg_catalog.text,
                                  condition_key pg_catalog.text, message pg_catalog.text,
                                  severity pg_catalog.text DEFAULT NULL,
                                  detail pg_catalog.jsonb DEFAULT NULL,
                                  run_id pg_catalog.int8 DEFAULT NULL)
    RETURNS pg_catalog.int8
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    new_id pg_catalog.int8;
    chosen pg_catalog.text;
BEGIN
    IF raise_alert.kind IS NULL THEN
        RAISE EXCEPTION 'kind must not be null' USING ERRCODE = '22004';
    END IF;
    IF raise_alert.message IS NULL THEN
        RAISE EXCEPTION 'message must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT COALESCE(raise_alert.severity, k.default_severity) INTO chosen
    FROM crisk.alert_kind k WHERE k.kind OPERATOR(pg_catalog.=) raise_alert.kind;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'alert kind % does not exist', raise_alert.kind
            USING ERRCODE = '42704', HINT = 'The kinds are listed in crisk.alert_kind.';
    END IF;
    IF NOT chosen OPERATOR(pg_catalog.=) ANY (ARRAY['info', 'warning', 'critical']) THEN
        RAISE EXCEPTION 'severity must be info, warning or critical'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('severity is %s.', chosen);
    END IF;
    INSERT INTO crisk.alert AS a (kind, customer_id, condition_key, severity, message, detail, run_id)
    VALUES (raise_alert.kind, raise_alert.customer_id, COALESCE(raise_alert.condition_key, ''),
            chosen, raise_alert.message, raise_alert.detail, raise_alert.run_id)
    ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING
    RETURNING a.alert_id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION crisk.raise_alert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8) IS
    'Raises an alert unless the same condition (kind, customer, condition_key) has one open; returns its id, or NULL when it was already open. Severity defaults to the kind''s.';
REVOKE ALL ON FUNCTION crisk.raise_alert(pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.text, pg_catalog.jsonb, pg_catalog.int8) FROM PUBLIC;

-- crisk.acknowledge_alert closes an alert under the caller's login.
-- SECURITY DEFINER so that a credit manager needs no UPDATE right on the
-- table, and cannot rewrite an alert's text or who acknowledged it.
CREATE FUNCTION crisk.acknowledge_alert(alert_id pg_catalog.int8, note pg_catalog.text DEFAULT NULL)
    RETURNS pg_catalog.bool
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF acknowledge_alert.alert_id IS NULL THEN
        RAISE EXCEPTION 'alert_id must not be null' USING ERRCODE = '22004';
    END IF;
    UPDATE crisk.alert a
       SET acknowledged_at = pg_catalog.now(), acknowledged_by = SESSION_USER,
           acknowledgment_note = note
     WHERE a.alert_id OPERATOR(pg_catalog.=) acknowledge_alert.alert_id
       AND a.acknowledged_at IS NULL;
    IF FOUND THEN
        RETURN true;
    END IF;
    IF NOT EXISTS (SELECT FROM crisk.alert a
                   WHERE a.alert_id OPERATOR(pg_catalog.=) acknowledge_alert.alert_id) THEN
        RAISE EXCEPTION 'alert % does not exist', acknowledge_alert.alert_id USING ERRCODE = '42704';
    END IF;
    RETURN false;
END
$$;
COMMENT ON FUNCTION crisk.acknowledge_alert(pg_catalog.int8, pg_catalog.text) IS
    'Acknowledges an alert under the caller''s login, with an optional note; true when it was open, false when already acknowledged. Once acknowledged, the same condition can be raised again.';
REVOKE ALL ON FUNCTION crisk.acknowledge_alert(pg_catalog.int8, pg_catalog.text) FROM PUBLIC;

-- from sql/install/56_dunning.sql
-- Dunning policies: the steps of chasing an overdue invoice, by days past
-- due.  crisk ships the policy "default" (see README, "Dunning policy", for
-- why these day counts); users add levels after its last one, or create
-- their own policies and assign them with crisk.account.dunning_policy.
-- order_decision is what crisk.check_order does once a customer's oldest
-- overdue invoice has reached the level.

CREATE TABLE crisk.dunning_policy (
    policy          pg_catalog.text NOT NULL DEFAULT 'default',
    level           pg_catalog.int4 NOT NULL,
    days_past_due   pg_catalog.int4 NOT NULL,
    action          pg_catalog.text NOT NULL,
    description     pg_catalog.text NOT NULL,
    order_decision  pg_catalog.text,
    shipped         pg_catalog.bool NOT NULL DEFAULT false,
    CONSTRAINT dunning_policy_pkey PRIMARY KEY (policy, level),
    CONSTRAINT dunning_policy_days_unique UNIQUE (policy, days_past_due),
    CONSTRAINT dunning_policy_policy_not_empty CHECK (policy <> ''),
    CONSTRAINT dunning_policy_level_positive CHECK (level > 0),
    CONSTRAINT dunning_policy_days_positive CHECK (days_past_due > 0),
    CONSTRAINT dunning_policy_action_not_empty CHECK (action <> ''),
    CONSTRAINT dunning_policy_order_decision_valid CHECK (order_decision IN ('review', 'block'))
);
COMMENT ON TABLE crisk.dunning_policy IS
    'Dunning steps per policy: from how many days past due each level applies, the action to take, and what it does to order checks (review, block or nothing). Policy "default" is shipped (shipped = true, read-only); rows users add are theirs and are kept by pg_dump.';
COMMENT ON COLUMN crisk.dunning_policy.days_past_due IS 'An invoice reaches the level once it is at least this many days past due.';
COMMENT ON COLUMN crisk.dunning_policy.order_decision IS 'What crisk.check_order decides for a customer whose oldest overdue invoice reached this level: review, block, or NULL (no effect).';
COMMENT ON COLUMN crisk.dunning_policy.shipped IS 'True for the rows crisk ships; those cannot be changed.';

INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, order_decision, shipped) VALUES
    ('default', 1, 7, 'reminder',
     'Friendly reminder by e-mail or telephone, with a copy of the invoice.', NULL, true),
    ('default', 2, 21, 'second_reminder',
     'Second reminder by letter, stating the late-payment penalties and the 40 EUR recovery indemnity now due (Code de commerce L441-10, D441-5).', 'review', true),
    ('default', 3, 45, 'formal_notice',
     'Formal notice (mise en demeure) by registered letter with acknowledgement of receipt, setting a final deadline, usually 8 days.', 'block', true),
    ('default', 4, 60, 'litigation',
     'Hand-over to litigation: order for payment (injonction de payer) at the commercial court or a collection agency; declare the overdue to the credit insurer if the customer is covered.', 'block', true);
REVOKE ALL ON crisk.dunning_policy FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.dunning_policy', 'WHERE NOT shipped');
-- crisk.check_order caches the policies.
CREATE TRIGGER dunning_policy_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.dunning_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
-- Also on a logical-replication subscriber (session_replication_role = replica).
ALTER TABLE crisk.dunning_policy ENABLE ALWAYS TRIGGER dunning_policy_changed;

CREATE TRIGGER dunning_policy_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.dunning_policy
    FOR EACH ROW EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Add levels after the last shipped one, or copy the policy under a new name and assign it in crisk.account.dunning_policy.');
CREATE TRIGGER dunning_policy_shipped_truncate
    BEFORE TRUNCATE ON crisk.dunning_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Delete your own rows with DELETE ... WHERE NOT shipped.');

-- crisk.check_dunning_levels: within a policy, levels come in the order of
-- their days past due.
CREATE FUNCTION crisk.check_dunning_levels()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    bad record;
BEGIN
    SELECT p.policy, p.level, p.days_past_due, p.prev_level, p.prev_days INTO bad
    FROM (SELECT d.policy, d.level, d.days_past_due,
                 pg_catalog.lag(d.level) OVER w AS prev_level,
                 pg_catalog.lag(d.days_past_due) OVER w AS prev_days
          FROM crisk.dunning_policy d
          WINDOW w AS (PARTITION BY d.policy ORDER BY d.level)) p
    WHERE p.days_past_due OPERATOR(pg_catalog.<=) p.prev_days
    ORDER BY p.policy, p.level
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'levels of dunning policy % must come in the order of their days past due', bad.policy
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('Level %s starts at %s days, not after level %s (%s days).',
                                             bad.level, bad.days_past_due, bad.prev_level, bad.prev_days);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.check_dunning_levels() IS
    'Trigger function on crisk.dunning_policy: within a policy, a higher level starts at more days past due.';
REVOKE ALL ON FUNCTION crisk.check_dunning_levels() FROM PUBLIC;
CREATE TRIGGER dunning_policy_levels_checked
    AFTER INSERT OR UPDATE ON crisk.dunning_policy
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.check_dunning_levels();

-- crisk.check_dunning_policy_in_use: a statement may not remove the last
-- level of a policy that accounts use.  (Accounts are not checked when they
-- name a policy: pg_dump may restore crisk.account before the policies it
-- names.  crisk.check_order asks for review when a policy does not exist.)
CREATE FUNCTION crisk.check_dunning_policy_in_use()
    RETURNS trigger
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    bad record;
BEGIN
    SELECT a.dunning_policy AS policy, pg_catalog.count(*) AS accounts INTO bad
    FROM crisk.account a
    WHERE a.dunning_policy OPERATOR(pg_catalog.=) ANY (SELECT o.policy FROM removed_levels o)
      AND NOT EXISTS (SELECT FROM crisk.dunning_policy d
                      WHERE d.policy OPERATOR(pg_catalog.=) a.dunning_policy)
    GROUP BY a.dunning_policy
    ORDER BY a.dunning_policy
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'dunning policy % is still in use', bad.policy
            USING ERRCODE = '23503',
                  DETAIL = pg_catalog.format('Accounts naming it: %s.', bad.accounts),
                  HINT = 'Assign those accounts another policy in crisk.account.dunning_policy first.';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION crisk.check_dunning_policy_in_use() IS
    'Trigger function on crisk.dunning_policy: a policy that accounts use keeps at least one level.';
REVOKE ALL ON FUNCTION crisk.check_dunning_policy_in_use() FROM PUBLIC;
CREATE TRIGGER dunning_policy_in_use_on_delete
    AFTER DELETE ON crisk.dunning_policy
    REFERENCING OLD TABLE AS removed_levels
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.check_dunning_policy_in_use();
CREATE TRIGGER dunning_policy_in_use_on_update
    AFTER UPDATE ON crisk.dunning_policy
    REFERENCING OLD TABLE AS removed_levels
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.check_dunning_policy_in_use();

-- from sql/install/57_check_order.sql
-- The order credit check an ERP calls inside its order transaction
-- (src/check_order.c).  It reads the ledger, the account, the latest score,
-- the dunning policy and recent legal events with plain snapshots (no row
-- locks), so it never waits for rescoring or for other orders, and they
-- never wait for it.
--
-- SECURITY DEFINER so that an order-entry role needs nothing but EXECUTE on
-- this function; it reads only what the decision needs and returns only the
-- decision, the available credit and the reasons.

CREATE FUNCTION crisk.check_order(customer_id pg_catalog.text, amount pg_catalog.numeric)
    RETURNS TABLE (decision pg_catalog.text, available_credit pg_catalog.numeric,
                   reasons pg_catalog.text[])
    AS 'MODULE_PATHNAME', 'crisk_check_order'
    LANGUAGE C STABLE CALLED ON NULL INPUT SECURITY DEFINER PARALLEL RESTRICTED
    ROWS 1
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION crisk.check_order(pg_catalog.text, pg_catalog.numeric) IS
    'Order credit check at call time: ''approve'', ''review'' or ''block'', the credit still available before this order (limit minus open receivables; NULL without a limit) and the reasons, from the credit limit, open and overdue items in the ledger, the latest risk class, the order stop, the dunning level reached and recent legal events.';
REVOKE ALL ON FUNCTION crisk.check_order(pg_catalog.text, pg_catalog.numeric) FROM PUBLIC;

-- from sql/install/58_data_protection.sql
-- Data protection (GDPR): what crisk holds on a customer can be exported
-- (crisk.customer_dossier) and erased (crisk.forget_customer), and history
-- is not kept longer than the retention period (crisk.purge_history, which
-- the worker calls with the crisk.history_retention setting).  Both the
-- dossier and the erasure find the customer's rows in every crisk table
-- with a customer_id column, so tables added later are covered.

CREATE TABLE crisk.erasure_log (
    erasure_id        pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    erased_at         pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    erased_by         pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    rows_removed      pg_catalog.jsonb NOT NULL,
    ledger_source     pg_catalog.text NOT NULL,
    ledger_rows_kept  pg_catalog.int8 NOT NULL DEFAULT 0,
    CONSTRAINT erasure_log_pkey PRIMARY KEY (erasure_id)
);
COMMENT ON TABLE crisk.erasure_log IS
    'One row per crisk.forget_customer() call (append-only): when, which login, how many rows went from each table, and how many invoices stayed in an ERP ledger source crisk does not own. It holds nothing that identifies the customer, not even a hash of the identifier.';
COMMENT ON COLUMN crisk.erasure_log.rows_removed IS 'Rows removed per table, as {"crisk.account": 1, "crisk.invoice": 48, ...}.';
COMMENT ON COLUMN crisk.erasure_log.ledger_rows_kept IS 'Invoices of the customer left in an ERP ledger source (set with crisk.set_ledger), to be erased in the ERP.';
REVOKE ALL ON crisk.erasure_log FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.erasure_log', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.erasure_log_erasure_id_seq', '');
CREATE TRIGGER erasure_log_append_only
    BEFORE UPDATE OR DELETE ON crisk.erasure_log
    FOR EACH ROW EXECUTE FUNCTION crisk.append_only();
CREATE TRIGGER erasure_log_append_only_truncate
    BEFORE TRUNCATE ON crisk.erasure_log
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.append_only();

-- crisk.customer_dossier runs with the caller's rights: whoever exports a
-- dossier must be allowed to read every table it draws on.
CREATE FUNCTION crisk.customer_dossier(customer_id pg_catalog.text)
    RETURNS pg_catalog.jsonb
    LANGUAGE plpgsql STABLE STRICT
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    source   pg_catalog.text;
    tables   pg_catalog.jsonb := '{}';
    t        record;
    rows     pg_catalog.jsonb;
    dossier  pg_catalog.jsonb;
BEGIN
    SELECT s.source INTO source FROM crisk.ledger_source s;
    FOR t IN
        SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS name,
               -- Rows in key order, so that two exports compare line by line.
               COALESCE((SELECT pg_catalog.string_agg(pg_catalog.format('r.%I', ka.attname), ', '
                                                      ORDER BY k.ord)
                         FROM pg_catalog.pg_index i
                         CROSS JOIN LATERAL pg_catalog.unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
                         JOIN pg_catalog.pg_attribute ka
                           ON ka.attrelid OPERATOR(pg_catalog.=) i.indrelid
                          AND ka.attnum OPERATOR(pg_catalog.=) k.attnum
                         WHERE i.indrelid OPERATOR(pg_catalog.=) c.oid AND i.indisprimary),
                        'r::pg_catalog.text') AS order_by
        FROM pg_catalog.pg_class c
        JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
        JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
        WHERE n.nspname OPERATOR(pg_catalog.=) 'crisk'
          AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog."char"[])
          AND NOT c.relispartition
          AND a.attname OPERATOR(pg_catalog.=) 'customer_id'
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
        ORDER BY c.relname
    LOOP
        EXECUTE pg_catalog.format(
            'SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(r) ORDER BY %s), ''[]'')'
            ' FROM %s r WHERE r.customer_id OPERATOR(pg_catalog.=) $1', t.order_by, t.name)
            INTO rows USING customer_dossier.customer_id;
        tables := pg_catalog.jsonb_set(tables, ARRAY[t.name], rows);
    END LOOP;

    dossier := pg_catalog.jsonb_build_object(
        'customer_id', customer_dossier.customer_id,
        'exported_at', pg_catalog.now(),
        'ledger_source', COALESCE(source, 'crisk.invoice'),
        'tables', tables);
    -- Invoices crisk reads from an ERP source are part of what it holds.
    IF source IS NOT NULL THEN
        SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.to_jsonb(l) ORDER BY l.invoice_id), '[]')
          INTO rows
          FROM crisk.ledger l
         WHERE l.customer_id OPERATOR(pg_catalog.=) customer_dossier.customer_id;
        dossier := pg_catalog.jsonb_set(dossier, '{ledger}', rows);
    END IF;
    RETURN dossier;
END
$$;
COMMENT ON FUNCTION crisk.customer_dossier(pg_catalog.text) IS
    'Everything crisk holds on a customer, as jsonb: {"customer_id", "exported_at", "ledger_source", "tables": {"crisk.account": [...], ...}} with the customer''s rows of every crisk table, plus "ledger" (the invoices read from it) when the ledger is an ERP source. For access requests under GDPR art. 15 and 20.';
REVOKE ALL ON FUNCTION crisk.customer_dossier(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION crisk.forget_customer(customer_id pg_catalog.text)
    RETURNS pg_catalog.jsonb
    AS 'MODULE_PATHNAME', 'crisk_forget_customer'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION crisk.forget_customer(pg_catalog.text) IS
    'Erases a customer from every crisk table (history and audit included) and logs the erasure in crisk.erasure_log without anything identifying the customer; returns the rows removed per table. Invoices in an ERP ledger source are not touched (a warning says how many remain).';
REVOKE ALL ON FUNCTION crisk.forget_customer(pg_catalog.text) FROM PUBLIC;

CREATE FUNCTION crisk.purge_history(older_than pg_catalog.interval)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'crisk_purge_history'
    LANGUAGE C VOLATILE CALLED ON NULL INPUT SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp;
COMMENT ON FUNCTION crisk.purge_history(pg_catalog.interval) IS
    'Retention: removes score history, limit changes (except each customer''s latest) and acknowledged alerts older than older_than; returns the number of rows removed. The worker calls it with crisk.history_retention.';
REVOKE ALL ON FUNCTION crisk.purge_history(pg_catalog.interval) FROM PUBLIC;

-- from sql/install/60_provision_matrix.sql
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
    LANGUAGE plpgsql STABLE
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

-- from sql/install/61_aged_balance.sql
-- The aged balance: per customer with open items, the open amount per
-- aging bucket, the total and the oldest due date.
-- Names, limits and classes are left to a join with crisk.account and
-- crisk.score (README): reading those two tables whole on every refresh
-- would more than double the cost of the view.
--
-- Two readers, one per question:
--   * crisk.aged_balance is the balance "as of today": the items the ledger
--     shows unpaid now (paid_date IS NULL), aged at CURRENT_DATE.  On
--     crisk.invoice it reads the partial index crisk.invoice_open_idx
--     (customer_id, due_date) INCLUDE (amount) WHERE paid_date IS NULL,
--     an index-only scan already grouped by customer, so that a BI tool can
--     refresh it often on a ledger of millions of invoices.  It is a plain
--     view, so a filter on customer_id reaches that index too.
--   * crisk.aged_balance_at(as_of) rebuilds the balance at any date (month-
--     end closes): the items issued by as_of and unpaid at as_of (paid_date
--     NULL or later than as_of), as SPEC section 3 defines "as_of".  That
--     needs every invoice of the ledger, so it reads all of it.
-- For as_of = CURRENT_DATE the two agree unless the ledger holds dates in
-- the future: an invoice issued after today counts in the view (as not yet
-- due) and not in the function, and one marked paid with a payment date
-- after today (a bill of exchange or a scheduled transfer recorded ahead)
-- counts in the function and not in the view.  The view follows what the
-- ledger says today; the tests check that they agree otherwise.
--
-- The buckets and their total come from one aggregate,
-- crisk.aging_with_total (exact totals), so the row adds up to the last
-- digit.  The view must stay within 1.5 times a plain sum(amount) per
-- customer (bench/aged_balance.sh), and what it costs beyond that is
-- mostly numeric arithmetic per customer: hence the total computed in C
-- rather than by adding the buckets in SQL, and no overdue column
-- (total_open minus current_amount, one subtraction in the reader's
-- query).  An ERP row without an
-- amount or a due date cannot be aged and counts only in open_items
-- (crisk.invoice has none).  The oldest due date and max_days_past_due look at
-- invoices only (amount > 0): a credit note's due date says nothing about
-- how late the customer is.
--
-- Both read with the caller's rights (security_invoker), as crisk.ledger
-- does: what a role sees here is what it could read from the tables.  The
-- view's query and the function's differ only in which items are open and
-- the as-of date; keep them in step (sql/bi_views.sql compares them).

-- crisk.aging_with_total: crisk.aging with the buckets' total appended
-- (src/aged_balance.c), so that the view gets the total exactly and
-- without numeric additions per customer.  Same state, transition and
-- combine functions as crisk.aging, so it runs in parallel plans alike.
CREATE FUNCTION crisk.aging_with_total_final(crisk.aging_state)
    RETURNS pg_catalog.numeric[]
    AS 'MODULE_PATHNAME', 'crisk_aging_with_total_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_with_total_final(crisk.aging_state) IS
    'Final function of crisk.aging_with_total: the open amount per bucket, then their total, as numeric[].';
CREATE AGGREGATE crisk.aging_with_total(amount pg_catalog.numeric, due_date pg_catalog.date,
                                        as_of pg_catalog.date) (
    SFUNC = crisk.aging_transition,
    STYPE = crisk.aging_state,
    COMBINEFUNC = crisk.aging_combine,
    FINALFUNC = crisk.aging_with_total_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.aging_with_total(pg_catalog.numeric, pg_catalog.date, pg_catalog.date) IS
    'crisk.aging followed by the total: {current, 1-30, 31-60, 61-90, 91+, total}, exact. Pass only open items; no rows give NULL.';

CREATE VIEW crisk.aged_balance WITH (security_invoker = true) AS
    SELECT o.customer_id,
           o.buckets[1] AS current_amount,
           o.buckets[2] AS days_1_30,
           o.buckets[3] AS days_31_60,
           o.buckets[4] AS days_61_90,
           o.buckets[5] AS days_over_90,
           o.buckets[6] AS total_open,
           o.open_items,
           o.oldest_due_date,
           CURRENT_DATE OPERATOR(pg_catalog.-) o.oldest_due_date AS max_days_past_due
    FROM (SELECT l.customer_id,
                 crisk.aging_with_total(l.amount, l.due_date, CURRENT_DATE) AS buckets,
                 pg_catalog.count(*) AS open_items,
                 pg_catalog.min(l.due_date) FILTER (WHERE l.amount OPERATOR(pg_catalog.>) 0) AS oldest_due_date
          FROM crisk.ledger l
          WHERE l.paid_date IS NULL
          GROUP BY l.customer_id) o;
COMMENT ON VIEW crisk.aged_balance IS
    'Aged balance as of today: one row per customer with unpaid items in the ledger, with the open amount per aging bucket (current, 1-30, 31-60, 61-90, over 90 days past due), the total and the oldest due date; overdue is total_open - current_amount. Credit notes count in the bucket of their due date. Join crisk.account and crisk.score on customer_id for names, limits and classes. For another date: crisk.aged_balance_at(as_of).';
COMMENT ON COLUMN crisk.aged_balance.customer_id IS 'Customer code, as in the ledger.';
COMMENT ON COLUMN crisk.aged_balance.current_amount IS 'Open amount not yet due (due today or later).';
COMMENT ON COLUMN crisk.aged_balance.days_1_30 IS 'Open amount 1 to 30 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_31_60 IS 'Open amount 31 to 60 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_61_90 IS 'Open amount 61 to 90 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_over_90 IS 'Open amount more than 90 days past due.';
COMMENT ON COLUMN crisk.aged_balance.total_open IS 'Everything open: the sum of the five buckets, credit notes included (the customer''s exposure).';
COMMENT ON COLUMN crisk.aged_balance.open_items IS 'Number of open invoices and credit notes.';
COMMENT ON COLUMN crisk.aged_balance.oldest_due_date IS 'Earliest due date of an open invoice (credit notes left out); NULL when only credit notes are open.';
COMMENT ON COLUMN crisk.aged_balance.max_days_past_due IS 'Days past due of the oldest open invoice (today minus oldest_due_date); zero or negative when nothing is overdue.';
REVOKE ALL ON crisk.aged_balance FROM PUBLIC;

-- crisk.aged_balance_at: the same columns as of any date.
CREATE FUNCTION crisk.aged_balance_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text,
                   current_amount pg_catalog.numeric, days_1_30 pg_catalog.numeric,
                   days_31_60 pg_catalog.numeric, days_61_90 pg_catalog.numeric,
                   days_over_90 pg_catalog.numeric, total_open pg_catalog.numeric,
                   open_items pg_catalog.int8,
                   oldest_due_date pg_catalog.date, max_days_past_due pg_catalog.int4)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    IF aged_balance_at.as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = '22004', HINT = 'Give a date; crisk.aged_balance is the aged balance as of today.';
    END IF;
    IF NOT pg_catalog.isfinite(aged_balance_at.as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite date'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('as_of is %s.', aged_balance_at.as_of);
    END IF;
    RETURN QUERY
    SELECT o.customer_id,
           o.buckets[1],
           o.buckets[2],
           o.buckets[3],
           o.buckets[4],
           o.buckets[5],
           o.buckets[6],
           o.open_items,
           o.oldest_due_date,
           aged_balance_at.as_of OPERATOR(pg_catalog.-) o.oldest_due_date
    FROM (SELECT l.customer_id,
                 crisk.aging_with_total(l.amount, l.due_date, aged_balance_at.as_of) AS buckets,
                 pg_catalog.count(*) AS open_items,
                 pg_catalog.min(l.due_date) FILTER (WHERE l.amount OPERATOR(pg_catalog.>) 0) AS oldest_due_date
          FROM crisk.ledger l
          WHERE l.issue_date OPERATOR(pg_catalog.<=) aged_balance_at.as_of
            AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) aged_balance_at.as_of)
          GROUP BY l.customer_id) o;
END
$$;
COMMENT ON FUNCTION crisk.aged_balance_at(pg_catalog.date) IS
    'Aged balance as of a date (month-end closes): the columns of crisk.aged_balance over the items open at as_of (issued by as_of, unpaid or paid after it), aged at as_of. NULL as_of raises 22004.';

-- from sql/install/62_portfolio_kpi.sql
-- Portfolio KPIs: one row with the figures a credit manager reports every
-- month: receivables and their aging, overdue share, DSO (standard over 90
-- days and countback), best possible DSO and average days delinquent,
-- concentration, expected credit loss from the provision matrix in force,
-- customers per risk class, credit limits and exposures above them.
--
-- crisk.portfolio_kpi_at(as_of) computes them as of a date; the view
-- crisk.portfolio_kpi is the same as of today (a view over the function:
-- one row, nothing to push down).  It reads the ledger twice: once for the
-- portfolio's aggregates (DSO needs every invoice issued, not only the open
-- ones), once grouped by customer for the exposures.  Scores, limits and
-- open alerts are the current ones, whatever as_of.
--
-- Every figure is open "at as_of" (issued by as_of, unpaid or paid after
-- it) and the DSO's receivables are the same items, so that
-- average_days_delinquent = dso - best_possible_dso holds on the figures
-- shown (both rounded to 2 decimals first).  Credit sales of the period
-- that are zero or negative (only credit notes) make the DSOs NULL rather
-- than an error.  An empty portfolio gives one row: counts and amounts 0,
-- ratios NULL (nothing to divide by).

CREATE FUNCTION crisk.portfolio_kpi_at(as_of pg_catalog.date,
                                       matrix pg_catalog.text DEFAULT NULL)
    RETURNS TABLE (customers pg_catalog.int4,
                   receivables pg_catalog.numeric,
                   current_amount pg_catalog.numeric,
                   days_1_30 pg_catalog.numeric,
                   days_31_60 pg_catalog.numeric,
                   days_61_90 pg_catalog.numeric,
                   days_over_90 pg_catalog.numeric,
                   overdue_amount pg_catalog.numeric,
                   overdue_share pg_catalog.numeric,
                   credit_sales_90_days pg_catalog.numeric,
                   dso pg_catalog.numeric,
                   dso_countback pg_catalog.numeric,
                   best_possible_dso pg_catalog.numeric,
                   average_days_delinquent pg_catalog.numeric,
                   concentration_hhi pg_catalog.float8,
                   largest_exposure pg_catalog.numeric,
                   top_10_share pg_catalog.numeric,
                   provision_matrix pg_catalog.text,
                   expected_credit_loss pg_catalog.numeric,
                   customers_scored pg_catalog.int4,
                   customers_class_a pg_catalog.int4,
                   customers_class_b pg_catalog.int4,
                   customers_class_c pg_catalog.int4,
                   customers_class_d pg_catalog.int4,
                   customers_class_e pg_catalog.int4,
                   credit_limits_total pg_catalog.numeric,
                   exposures_above_limit pg_catalog.int4,
                   amount_above_limit pg_catalog.numeric,
                   open_alerts pg_catalog.int4)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    on_day         pg_catalog.date := portfolio_kpi_at.as_of;
    -- DSO's period: the 90 days (on_day - 90, on_day].
    period_from pg_catalog.date;
    m           record;
BEGIN
    IF on_day IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = '22004', HINT = 'Give a date; crisk.portfolio_kpi is the portfolio as of today.';
    END IF;
    IF NOT pg_catalog.isfinite(on_day) THEN
        RAISE EXCEPTION 'as_of must be a finite date'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('as_of is %s.', on_day);
    END IF;
    period_from := on_day OPERATOR(pg_catalog.-) 90;
    SELECT r.matrix_used, r.loss_rates, r.bounds INTO m
    FROM crisk.provision_matrix_rates(portfolio_kpi_at.matrix) AS r;

    RETURN QUERY
    WITH ledger_figures AS (
        -- The whole portfolio in one pass.
        SELECT crisk.aging(l.amount, l.due_date, on_day)
                   FILTER (WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
                             AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)) AS buckets,
               crisk.expected_credit_loss(l.amount, l.due_date, on_day, m.loss_rates, m.bounds)
                   FILTER (WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
                             AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)) AS ecl,
               pg_catalog.sum(l.amount)
                   FILTER (WHERE l.issue_date OPERATOR(pg_catalog.>) period_from
                             AND l.issue_date OPERATOR(pg_catalog.<=) on_day) AS sales,
               crisk.dso(l.amount, l.issue_date, l.paid_date, on_day, 90) AS dso,
               crisk.dso_countback(l.amount, l.issue_date, l.paid_date, on_day) AS dso_countback
        FROM crisk.ledger l
    ), exposures AS (
        SELECT l.customer_id, pg_catalog.sum(l.amount) AS exposure
        FROM crisk.ledger l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
          AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)
        GROUP BY l.customer_id
    ), exposure_figures AS (
        SELECT pg_catalog.count(*) AS customers,
               crisk.concentration(x.exposure) AS hhi,
               pg_catalog.max(x.exposure) AS largest,
               pg_catalog.sum(x.exposure) FILTER (WHERE x.exposure OPERATOR(pg_catalog.>) 0) AS positive_total,
               pg_catalog.count(*) FILTER (WHERE x.exposure OPERATOR(pg_catalog.>) a.credit_limit) AS above_limit,
               pg_catalog.sum(x.exposure OPERATOR(pg_catalog.-) a.credit_limit)
                   FILTER (WHERE x.exposure OPERATOR(pg_catalog.>) a.credit_limit) AS amount_above
        FROM exposures x
        LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) x.customer_id
    ), top_10 AS (
        SELECT pg_catalog.sum(t.exposure) AS total
        FROM (SELECT x.exposure FROM exposures x
              WHERE x.exposure OPERATOR(pg_catalog.>) 0
              ORDER BY x.exposure DESC LIMIT 10) t
    ), classes AS (
        SELECT pg_catalog.count(*) AS scored,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'A') AS a,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'B') AS b,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'C') AS c,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'D') AS d,
               pg_catalog.count(*) FILTER (WHERE s.risk_class OPERATOR(pg_catalog.=) 'E') AS e
        FROM crisk.score s
    ), figures AS (
        SELECT f.buckets, f.ecl, f.dso, f.dso_countback,
               COALESCE(f.sales, 0) AS sales,
               x.customers, x.hhi, x.largest, x.positive_total, x.above_limit, x.amount_above,
               t.total AS top_10_total,
               c.scored, c.a, c.b, c.c, c.d, c.e,
               COALESCE((SELECT pg_catalog.sum(a.credit_limit) FROM crisk.account a), 0) AS limits,
               (SELECT pg_catalog.count(*) FROM crisk.alert al WHERE al.acknowledged_at IS NULL) AS alerts,
               COALESCE(f.buckets[1], 0) AS cur,
               COALESCE(f.buckets[1] OPERATOR(pg_catalog.+) f.buckets[2] OPERATOR(pg_catalog.+) f.buckets[3]
                        OPERATOR(pg_catalog.+) f.buckets[4] OPERATOR(pg_catalog.+) f.buckets[5], 0) AS total
        FROM ledger_figures f, exposure_figures x, top_10 t, classes c
    ), ratios AS (
        SELECT g.*,
               -- best_possible_dso refuses negative sales; no sales, no DSO.
               CASE WHEN g.sales OPERATOR(pg_catalog.>) 0
                    THEN crisk.best_possible_dso(g.cur, g.sales, 90) END AS bpdso
        FROM figures g
    )
    SELECT g.customers::pg_catalog.int4,
           g.total,
           g.cur,
           COALESCE(g.buckets[2], 0),
           COALESCE(g.buckets[3], 0),
           COALESCE(g.buckets[4], 0),
           COALESCE(g.buckets[5], 0),
           g.total OPERATOR(pg_catalog.-) g.cur,
           CASE WHEN g.total OPERATOR(pg_catalog.>) 0
                THEN pg_catalog.round((g.total OPERATOR(pg_catalog.-) g.cur) OPERATOR(pg_catalog./) g.total, 4) END,
           g.sales,
           g.dso,
           g.dso_countback,
           g.bpdso,
           g.dso OPERATOR(pg_catalog.-) g.bpdso,
           g.hhi,
           g.largest,
           pg_catalog.round(g.top_10_total OPERATOR(pg_catalog./) g.positive_total, 4),
           m.matrix_used,
           COALESCE(g.ecl, 0),
           g.scored::pg_catalog.int4, g.a::pg_catalog.int4, g.b::pg_catalog.int4,
           g.c::pg_catalog.int4, g.d::pg_catalog.int4, g.e::pg_catalog.int4,
           g.limits,
           g.above_limit::pg_catalog.int4,
           COALESCE(g.amount_above, 0),
           g.alerts::pg_catalog.int4
    FROM ratios g;
END
$$;
COMMENT ON FUNCTION crisk.portfolio_kpi_at(pg_catalog.date, pg_catalog.text) IS
    'Portfolio KPIs as of a date, one row: the columns of crisk.portfolio_kpi over the items open at as_of, with the expected credit loss from the provision matrix named by matrix (NULL: the one in force). Scores, limits and alerts are the current ones. NULL as_of raises 22004, an unknown matrix 42704.';

CREATE VIEW crisk.portfolio_kpi WITH (security_invoker = true) AS
    SELECT k.customers, k.receivables, k.current_amount, k.days_1_30, k.days_31_60,
           k.days_61_90, k.days_over_90, k.overdue_amount, k.overdue_share,
           k.credit_sales_90_days, k.dso, k.dso_countback, k.best_possible_dso,
           k.average_days_delinquent, k.concentration_hhi, k.largest_exposure,
           k.top_10_share, k.provision_matrix, k.expected_credit_loss,
           k.customers_scored, k.customers_class_a, k.customers_class_b, k.customers_class_c,
           k.customers_class_d, k.customers_class_e,
           k.credit_limits_total, k.exposures_above_limit, k.amount_above_limit, k.open_alerts
    FROM crisk.portfolio_kpi_at(CURRENT_DATE) AS k;
COMMENT ON VIEW crisk.portfolio_kpi IS
    'Portfolio KPIs as of today, one row: receivables and their aging, overdue share, DSO (standard over 90 days, countback), best possible DSO, average days delinquent, concentration (HHI), expected credit loss from the provision matrix in force, customers per risk class, credit limits and exposures above them, open alerts. Empty portfolio: counts and amounts 0, ratios NULL. For another date: crisk.portfolio_kpi_at(as_of).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers IS 'Customers with open items.';
COMMENT ON COLUMN crisk.portfolio_kpi.receivables IS 'Everything open, credit notes included.';
COMMENT ON COLUMN crisk.portfolio_kpi.current_amount IS 'Open amount not yet due.';
COMMENT ON COLUMN crisk.portfolio_kpi.days_1_30 IS 'Open amount 1 to 30 days past due.';
COMMENT ON COLUMN crisk.portfolio_kpi.days_31_60 IS 'Open amount 31 to 60 days past due.';
COMMENT ON COLUMN crisk.portfolio_kpi.days_61_90 IS 'Open amount 61 to 90 days past due.';
COMMENT ON COLUMN crisk.portfolio_kpi.days_over_90 IS 'Open amount more than 90 days past due.';
COMMENT ON COLUMN crisk.portfolio_kpi.overdue_amount IS 'Open amount past due: receivables minus current_amount.';
COMMENT ON COLUMN crisk.portfolio_kpi.overdue_share IS 'overdue_amount / receivables as a fraction rounded to 4 decimals (0.1234 = 12.34 %); NULL when receivables are zero or negative.';
COMMENT ON COLUMN crisk.portfolio_kpi.credit_sales_90_days IS 'Amount invoiced over the last 90 days (credit notes deducted): the DSO''s denominator.';
COMMENT ON COLUMN crisk.portfolio_kpi.dso IS 'Days sales outstanding, standard method over 90 days: receivables / credit_sales_90_days * 90, in days to 2 decimals; NULL without sales.';
COMMENT ON COLUMN crisk.portfolio_kpi.dso_countback IS 'Days sales outstanding, countback method over calendar months (insensitive to seasonality).';
COMMENT ON COLUMN crisk.portfolio_kpi.best_possible_dso IS 'The DSO if every customer paid on time: current_amount / credit_sales_90_days * 90.';
COMMENT ON COLUMN crisk.portfolio_kpi.average_days_delinquent IS 'Average days delinquent: dso minus best_possible_dso.';
COMMENT ON COLUMN crisk.portfolio_kpi.concentration_hhi IS 'Herfindahl-Hirschman index of customers'' exposures, 0 (spread) to 10 000 (one customer); customers in credit are left out. NULL when nobody owes anything.';
COMMENT ON COLUMN crisk.portfolio_kpi.largest_exposure IS 'Largest open balance of a single customer.';
COMMENT ON COLUMN crisk.portfolio_kpi.top_10_share IS 'Share of the positive balances owed by the 10 largest, as a fraction rounded to 4 decimals.';
COMMENT ON COLUMN crisk.portfolio_kpi.provision_matrix IS 'Provision matrix the expected credit loss uses (crisk.set_provision_matrix).';
COMMENT ON COLUMN crisk.portfolio_kpi.expected_credit_loss IS 'IFRS 9 provision: each aging bucket''s receivables times the matrix''s loss rate, summed; exact (not rounded).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_scored IS 'Customers with a score (crisk.score).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_a IS 'Customers in risk class A (score 80-100).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_b IS 'Customers in risk class B (score 60-79).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_c IS 'Customers in risk class C (score 40-59).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_d IS 'Customers in risk class D (score 20-39).';
COMMENT ON COLUMN crisk.portfolio_kpi.customers_class_e IS 'Customers in risk class E (score 0-19).';
COMMENT ON COLUMN crisk.portfolio_kpi.credit_limits_total IS 'Sum of the credit limits in force (accounts without a limit count 0).';
COMMENT ON COLUMN crisk.portfolio_kpi.exposures_above_limit IS 'Customers whose open balance exceeds their credit limit.';
COMMENT ON COLUMN crisk.portfolio_kpi.amount_above_limit IS 'By how much those balances exceed the limits, in total.';
COMMENT ON COLUMN crisk.portfolio_kpi.open_alerts IS 'Alerts not yet acknowledged (crisk.alert).';
REVOKE ALL ON crisk.portfolio_kpi FROM PUBLIC;

-- from sql/install/63_watchlist.sql
-- The watch-list: the customers a credit manager must look at, one row per
-- customer and reason, with plain columns a BI tool can filter and sort.
-- The reasons:
--   high_risk_class  the customer's current risk class is D or E (crisk.score);
--   downgrade        the customer's class worsened in the 30 days up to as_of
--                    (crisk.score_history: the most recent such change);
--   limit_breach     open receivables exceed the credit limit (crisk.account);
--   adverse_event    an adverse legal event (crisk.event_kind.adverse) occurred
--                    in the 12 months up to as_of, the window scoring counts
--                    adverse events over (the latest one, and how many).
--
-- crisk.watchlist is as of today: exposures are what the ledger shows
-- unpaid now, as in crisk.aged_balance.  crisk.watchlist_at(as_of) takes
-- exposures open at as_of (issued by then, unpaid or paid after it) and
-- the downgrade and event windows ending at as_of.  Both take the current
-- scores and limits: crisk keeps no class or limit "as of" a date.  The
-- view's query and the function's differ only in those places; keep them
-- in step (sql/watchlist.sql compares them).
--
-- A class change is found in the history row that made it: rescoring
-- upserts crisk.score, whose trigger sets risk_class_since to the new
-- scored_at and previous_risk_class to the class left when the class
-- changes, and copies the row into crisk.score_history.  The partial index
-- below holds only those rows, so that finding the recent ones never reads
-- the daily full passes' history.  The windows use the score's as_of date
-- (the day it describes), not the time the pass ran.

CREATE INDEX score_history_class_change_idx ON crisk.score_history (as_of)
    WHERE risk_class_since = scored_at AND previous_risk_class IS NOT NULL;

CREATE VIEW crisk.watchlist WITH (security_invoker = true) AS
    WITH exposure AS (
        SELECT l.customer_id, pg_catalog.sum(l.amount) AS exposure
        FROM crisk.ledger l
        WHERE l.paid_date IS NULL
        GROUP BY l.customer_id
    ), reasons AS (
        SELECT s.customer_id, 'high_risk_class'::pg_catalog.text AS reason, s.as_of AS observed_on,
               NULL::pg_catalog.text AS class_from, NULL::pg_catalog.text AS class_to,
               NULL::pg_catalog.text AS event_kind, NULL::pg_catalog.int4 AS adverse_events
        FROM crisk.score s
        WHERE s.risk_class OPERATOR(pg_catalog.=) ANY ('{D,E}'::pg_catalog.text[])
        UNION ALL
        (SELECT DISTINCT ON (h.customer_id)
               h.customer_id, 'downgrade', h.as_of, h.previous_risk_class, h.risk_class, NULL, NULL
        FROM crisk.score_history h
        WHERE h.risk_class_since OPERATOR(pg_catalog.=) h.scored_at
          AND h.previous_risk_class IS NOT NULL
          AND h.as_of OPERATOR(pg_catalog.>) (CURRENT_DATE OPERATOR(pg_catalog.-) 30)
          AND h.as_of OPERATOR(pg_catalog.<=) CURRENT_DATE
          AND h.risk_class OPERATOR(pg_catalog.>) h.previous_risk_class
        ORDER BY h.customer_id, h.as_of DESC, h.scored_at DESC, h.history_id DESC)
        UNION ALL
        SELECT a.customer_id, 'limit_breach', CURRENT_DATE, NULL, NULL, NULL, NULL
        FROM crisk.account a
        JOIN exposure x ON x.customer_id OPERATOR(pg_catalog.=) a.customer_id
        WHERE x.exposure OPERATOR(pg_catalog.>) a.credit_limit
        UNION ALL
        (SELECT DISTINCT ON (e.customer_id)
               e.customer_id, 'adverse_event', e.occurred_on, NULL, NULL, e.kind,
               (pg_catalog.count(*) OVER (PARTITION BY e.customer_id))::pg_catalog.int4
        FROM crisk.event e
        JOIN crisk.event_kind k ON k.kind OPERATOR(pg_catalog.=) e.kind
        WHERE k.adverse
          AND e.occurred_on OPERATOR(pg_catalog.>) (CURRENT_DATE OPERATOR(pg_catalog.-) '1 year'::pg_catalog.interval)::pg_catalog.date
          AND e.occurred_on OPERATOR(pg_catalog.<=) CURRENT_DATE
        ORDER BY e.customer_id, e.occurred_on DESC, e.event_id DESC)
    )
    SELECT r.customer_id,
           a.name,
           a.segment,
           r.reason,
           r.observed_on,
           s.risk_class,
           s.score,
           r.class_from,
           r.class_to,
           x.exposure,
           a.credit_limit,
           CASE WHEN r.reason OPERATOR(pg_catalog.=) 'limit_breach'
                THEN x.exposure OPERATOR(pg_catalog.-) a.credit_limit END AS amount_over_limit,
           r.event_kind,
           r.adverse_events
    FROM reasons r
    LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) r.customer_id
    LEFT JOIN crisk.score s ON s.customer_id OPERATOR(pg_catalog.=) r.customer_id
    LEFT JOIN exposure x ON x.customer_id OPERATOR(pg_catalog.=) r.customer_id;
COMMENT ON VIEW crisk.watchlist IS
    'Customers to watch, as of today, one row per customer and reason: high_risk_class (current class D or E), downgrade (class worsened in the last 30 days), limit_breach (open receivables above the credit limit), adverse_event (adverse legal event in the last 12 months). For another date: crisk.watchlist_at(as_of).';
COMMENT ON COLUMN crisk.watchlist.customer_id IS 'Customer code.';
COMMENT ON COLUMN crisk.watchlist.name IS 'Customer name from crisk.account; NULL without an account.';
COMMENT ON COLUMN crisk.watchlist.segment IS 'Customer segment from crisk.account.';
COMMENT ON COLUMN crisk.watchlist.reason IS 'Why the customer is listed: high_risk_class, downgrade, limit_breach or adverse_event.';
COMMENT ON COLUMN crisk.watchlist.observed_on IS 'Date of the fact: the as-of date of the current score (high_risk_class) or of the score that downgraded (downgrade), the date of the list (limit_breach), the date the latest adverse event occurred (adverse_event).';
COMMENT ON COLUMN crisk.watchlist.risk_class IS 'Current risk class A (best) to E (crisk.score); NULL when not scored.';
COMMENT ON COLUMN crisk.watchlist.score IS 'Current score 0 (worst) to 100 (crisk.score); NULL when not scored.';
COMMENT ON COLUMN crisk.watchlist.class_from IS 'downgrade: the class before the most recent downgrade in the window; NULL for other reasons.';
COMMENT ON COLUMN crisk.watchlist.class_to IS 'downgrade: the class after it (the current class may have changed since); NULL for other reasons.';
COMMENT ON COLUMN crisk.watchlist.exposure IS 'Open receivables of the customer (credit notes deducted); NULL when nothing is open.';
COMMENT ON COLUMN crisk.watchlist.credit_limit IS 'Credit limit in force; NULL when none is set or without an account.';
COMMENT ON COLUMN crisk.watchlist.amount_over_limit IS 'limit_breach: exposure minus credit_limit; NULL for other reasons.';
COMMENT ON COLUMN crisk.watchlist.event_kind IS 'adverse_event: kind of the latest adverse event (crisk.event_kind); NULL for other reasons.';
COMMENT ON COLUMN crisk.watchlist.adverse_events IS 'adverse_event: adverse events in the 12 months; NULL for other reasons.';
REVOKE ALL ON crisk.watchlist FROM PUBLIC;

CREATE FUNCTION crisk.watchlist_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, name pg_catalog.text, segment pg_catalog.text,
                   reason pg_catalog.text, observed_on pg_catalog.date,
                   risk_class pg_catalog.text, score pg_catalog.int4,
                   class_from pg_catalog.text, class_to pg_catalog.text,
                   exposure pg_catalog.numeric, credit_limit pg_catalog.numeric,
                   amount_over_limit pg_catalog.numeric,
                   event_kind pg_catalog.text, adverse_events pg_catalog.int4)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    on_day pg_catalog.date := watchlist_at.as_of;
BEGIN
    IF on_day IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = '22004', HINT = 'Give a date; crisk.watchlist is the watch-list as of today.';
    END IF;
    IF NOT pg_catalog.isfinite(on_day) THEN
        RAISE EXCEPTION 'as_of must be a finite date'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('as_of is %s.', on_day);
    END IF;
    RETURN QUERY
    WITH exposure AS (
        SELECT l.customer_id, pg_catalog.sum(l.amount) AS exposure
        FROM crisk.ledger l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
          AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)
        GROUP BY l.customer_id
    ), reasons AS (
        SELECT s.customer_id, 'high_risk_class'::pg_catalog.text AS reason, s.as_of AS observed_on,
               NULL::pg_catalog.text AS class_from, NULL::pg_catalog.text AS class_to,
               NULL::pg_catalog.text AS event_kind, NULL::pg_catalog.int4 AS adverse_events
        FROM crisk.score s
        WHERE s.risk_class OPERATOR(pg_catalog.=) ANY ('{D,E}'::pg_catalog.text[])
        UNION ALL
        (SELECT DISTINCT ON (h.customer_id)
               h.customer_id, 'downgrade', h.as_of, h.previous_risk_class, h.risk_class, NULL, NULL
        FROM crisk.score_history h
        WHERE h.risk_class_since OPERATOR(pg_catalog.=) h.scored_at
          AND h.previous_risk_class IS NOT NULL
          AND h.as_of OPERATOR(pg_catalog.>) (on_day OPERATOR(pg_catalog.-) 30)
          AND h.as_of OPERATOR(pg_catalog.<=) on_day
          AND h.risk_class OPERATOR(pg_catalog.>) h.previous_risk_class
        ORDER BY h.customer_id, h.as_of DESC, h.scored_at DESC, h.history_id DESC)
        UNION ALL
        SELECT a.customer_id, 'limit_breach', on_day, NULL, NULL, NULL, NULL
        FROM crisk.account a
        JOIN exposure x ON x.customer_id OPERATOR(pg_catalog.=) a.customer_id
        WHERE x.exposure OPERATOR(pg_catalog.>) a.credit_limit
        UNION ALL
        (SELECT DISTINCT ON (e.customer_id)
               e.customer_id, 'adverse_event', e.occurred_on, NULL, NULL, e.kind,
               (pg_catalog.count(*) OVER (PARTITION BY e.customer_id))::pg_catalog.int4
        FROM crisk.event e
        JOIN crisk.event_kind k ON k.kind OPERATOR(pg_catalog.=) e.kind
        WHERE k.adverse
          AND e.occurred_on OPERATOR(pg_catalog.>) (on_day OPERATOR(pg_catalog.-) '1 year'::pg_catalog.interval)::pg_catalog.date
          AND e.occurred_on OPERATOR(pg_catalog.<=) on_day
        ORDER BY e.customer_id, e.occurred_on DESC, e.event_id DESC)
    )
    SELECT r.customer_id,
           a.name,
           a.segment,
           r.reason,
           r.observed_on,
           s.risk_class,
           s.score,
           r.class_from,
           r.class_to,
           x.exposure,
           a.credit_limit,
           CASE WHEN r.reason OPERATOR(pg_catalog.=) 'limit_breach'
                THEN x.exposure OPERATOR(pg_catalog.-) a.credit_limit END,
           r.event_kind,
           r.adverse_events
    FROM reasons r
    LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) r.customer_id
    LEFT JOIN crisk.score s ON s.customer_id OPERATOR(pg_catalog.=) r.customer_id
    LEFT JOIN exposure x ON x.customer_id OPERATOR(pg_catalog.=) r.customer_id;
END
$$;
COMMENT ON FUNCTION crisk.watchlist_at(pg_catalog.date) IS
    'The watch-list as of a date: the columns of crisk.watchlist with exposures open at as_of and the downgrade (30 days) and adverse-event (12 months) windows ending at as_of; scores and limits are the current ones. NULL as_of raises 22004.';

-- from sql/install/64_dunning_action.sql
-- The dunning log: which level of its dunning policy was acted on for each
-- invoice, when and by whom.  crisk.dunning_worklist lists an overdue
-- invoice only while the level it has reached is above the highest level
-- recorded here, so a reminder sent yesterday is not asked for again today,
-- and a level skipped (nobody worked the list for a while) is not asked
-- for after a later one.  Record actions with crisk.record_dunning_action();
-- users' rows are kept by pg_dump.
--
-- customer_id is copied from the ledger so that crisk.customer_dossier and
-- crisk.forget_customer find these rows with the customer's others; action
-- is copied from the policy, which may change later.

CREATE TABLE crisk.dunning_action (
    action_id      pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    invoice_id     pg_catalog.text NOT NULL,
    customer_id    pg_catalog.text NOT NULL,
    policy         pg_catalog.text NOT NULL,
    level          pg_catalog.int4 NOT NULL,
    action         pg_catalog.text NOT NULL,
    acted_on       pg_catalog.date NOT NULL,
    days_past_due  pg_catalog.int4 NOT NULL,
    note           pg_catalog.text,
    recorded_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    recorded_by    pg_catalog.text NOT NULL DEFAULT SESSION_USER,
    CONSTRAINT dunning_action_pkey PRIMARY KEY (action_id),
    -- A level is acted on once per invoice: two people working the list
    -- at the same time cannot both send the same letter on record.
    CONSTRAINT dunning_action_level_once UNIQUE (invoice_id, level),
    CONSTRAINT dunning_action_level_positive CHECK (level > 0),
    CONSTRAINT dunning_action_acted_on_finite CHECK (pg_catalog.isfinite(acted_on))
);
COMMENT ON TABLE crisk.dunning_action IS
    'Dunning actions taken, one row per invoice and level of its dunning policy: when, how many days past due the invoice then was, by which login, with a note. crisk.dunning_worklist leaves out invoices whose level has been acted on. Written by crisk.record_dunning_action().';
COMMENT ON COLUMN crisk.dunning_action.policy IS 'Dunning policy (crisk.dunning_policy) the level belongs to: the customer''s when the action was recorded.';
COMMENT ON COLUMN crisk.dunning_action.action IS 'The level''s action (reminder, formal_notice, ...) as the policy named it then.';
COMMENT ON COLUMN crisk.dunning_action.acted_on IS 'Date the action was taken.';
COMMENT ON COLUMN crisk.dunning_action.days_past_due IS 'Days past due of the invoice on acted_on.';
COMMENT ON COLUMN crisk.dunning_action.recorded_by IS 'Login (session user) that recorded the action.';
CREATE INDEX dunning_action_customer_idx ON crisk.dunning_action (customer_id);
REVOKE ALL ON crisk.dunning_action FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.dunning_action', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.dunning_action_action_id_seq', '');

-- crisk.record_dunning_action records that a level was acted on, and
-- returns the new row's id, or NULL when that level was already recorded
-- for the invoice (the worklist then no longer shows it).  Any level of the
-- customer's policy may be recorded, ahead of the one the invoice has
-- reached too: a credit manager may send the formal notice early.
-- SECURITY DEFINER so that a credit manager needs only EXECUTE (no right
-- on the table, nor on an ERP ledger source); the row names the caller's
-- login.
CREATE FUNCTION crisk.record_dunning_action(invoice_id pg_catalog.text, level pg_catalog.int4,
                                            note pg_catalog.text DEFAULT NULL,
                                            acted_on pg_catalog.date DEFAULT CURRENT_DATE)
    RETURNS pg_catalog.int8
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    inv         record;
    found_rows  pg_catalog.int8;
    policy_name pg_catalog.text;
    step        record;
    new_id      pg_catalog.int8;
BEGIN
    IF record_dunning_action.invoice_id IS NULL THEN
        RAISE EXCEPTION 'invoice_id must not be null' USING ERRCODE = '22004';
    END IF;
    IF record_dunning_action.level IS NULL THEN
        RAISE EXCEPTION 'level must not be null' USING ERRCODE = '22004',
            HINT = 'Give the level of the dunning policy that was acted on.';
    END IF;
    IF record_dunning_action.acted_on IS NULL THEN
        RAISE EXCEPTION 'acted_on must not be null' USING ERRCODE = '22004',
            HINT = 'Leave it out for today.';
    END IF;
    IF NOT pg_catalog.isfinite(record_dunning_action.acted_on) THEN
        RAISE EXCEPTION 'acted_on must be a finite date' USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('acted_on is %s.', record_dunning_action.acted_on);
    END IF;

    SELECT pg_catalog.count(*) OVER () AS n, l.customer_id, l.amount, l.due_date, l.paid_date INTO inv
    FROM crisk.ledger l
    WHERE l.invoice_id OPERATOR(pg_catalog.=) record_dunning_action.invoice_id
    LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'invoice % does not exist', record_dunning_action.invoice_id
            USING ERRCODE = '42704', HINT = 'The invoices are those of crisk.ledger.';
    END IF;
    IF inv.n OPERATOR(pg_catalog.>) 1 THEN
        RAISE EXCEPTION 'invoice % is in the ledger more than once', record_dunning_action.invoice_id
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('crisk.ledger has %s rows with this invoice_id.', inv.n),
                  HINT = 'The ledger source must have one row per invoice.';
    END IF;
    IF inv.amount OPERATOR(pg_catalog.<=) 0 THEN
        RAISE EXCEPTION 'invoice % is a credit note', record_dunning_action.invoice_id
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('Its amount is %s; only amounts owed are dunned.', inv.amount);
    END IF;
    IF inv.paid_date OPERATOR(pg_catalog.<=) record_dunning_action.acted_on THEN
        RAISE EXCEPTION 'invoice % was paid on %', record_dunning_action.invoice_id, inv.paid_date
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('acted_on is %s.', record_dunning_action.acted_on);
    END IF;

    policy_name := COALESCE((SELECT a.dunning_policy FROM crisk.account a
                             WHERE a.customer_id OPERATOR(pg_catalog.=) inv.customer_id), 'default');
    SELECT d.level, d.action INTO step
    FROM crisk.dunning_policy d
    WHERE d.policy OPERATOR(pg_catalog.=) policy_name
      AND d.level OPERATOR(pg_catalog.=) record_dunning_action.level;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT FROM crisk.dunning_policy d WHERE d.policy OPERATOR(pg_catalog.=) policy_name) THEN
            RAISE EXCEPTION 'dunning policy % does not exist', policy_name
                USING ERRCODE = '42704',
                      DETAIL = pg_catalog.format('Customer %s''s account names it.', inv.customer_id),
                      HINT = 'Set crisk.account.dunning_policy to a policy of crisk.dunning_policy.';
        END IF;
        RAISE EXCEPTION 'level % is not a level of dunning policy %', record_dunning_action.level, policy_name
            USING ERRCODE = '22023',
                  DETAIL = pg_catalog.format('Its levels are %s.',
                      (SELECT pg_catalog.string_agg(d.level::pg_catalog.text, ', ' ORDER BY d.level)
                       FROM crisk.dunning_policy d WHERE d.policy OPERATOR(pg_catalog.=) policy_name));
    END IF;

    INSERT INTO crisk.dunning_action AS x (invoice_id, customer_id, policy, level, action, acted_on,
                                           days_past_due, note, recorded_at, recorded_by)
    VALUES (record_dunning_action.invoice_id, inv.customer_id, policy_name, step.level, step.action,
            record_dunning_action.acted_on,
            record_dunning_action.acted_on OPERATOR(pg_catalog.-) inv.due_date,
            record_dunning_action.note, pg_catalog.now(), SESSION_USER)
    ON CONFLICT ON CONSTRAINT dunning_action_level_once DO NOTHING
    RETURNING x.action_id INTO new_id;
    RETURN new_id;
END
$$;
COMMENT ON FUNCTION crisk.record_dunning_action(pg_catalog.text, pg_catalog.int4, pg_catalog.text, pg_catalog.date) IS
    'Records that a level of the customer''s dunning policy was acted on for an invoice (today unless acted_on is given), under the caller''s login; returns the action''s id, or NULL when that level was already recorded. 42704 for an unknown invoice or policy, 22023 for a credit note, a paid invoice or a level the policy does not have.';
REVOKE ALL ON FUNCTION crisk.record_dunning_action(pg_catalog.text, pg_catalog.int4, pg_catalog.text, pg_catalog.date) FROM PUBLIC;

-- from sql/install/65_dunning_worklist.sql
-- The dunning worklist: the open invoices that need a dunning action
-- today, one row each, with the level of the customer's dunning policy
-- they have reached, the action it calls for, and the late-payment
-- interest and recovery indemnity due so far (French B2B law, at the
-- statutory rate: crisk.late_payment_interest and crisk.recovery_indemnity
-- with the as-of date as the payment date).
--
-- An invoice is listed when it is open, is an amount owed (credit notes
-- are not dunned), and has reached a level of its policy higher than any
-- level recorded for it in crisk.dunning_action: the level reached is the
-- highest whose days_past_due it has reached.  The policy is the account's
-- dunning_policy, "default" for a customer without an account.  An account
-- may name a policy that has no levels (accounts are not checked against
-- the policies, see 56_dunning.sql); its overdue invoices are listed every
-- day with the level and action NULL, so that the mistake shows rather
-- than the invoices going unchased.
--
-- crisk.dunning_worklist is as of today, over what the ledger shows unpaid
-- now (crisk.invoice_open_idx on the built-in ledger), like
-- crisk.aged_balance.  crisk.dunning_worklist_at(as_of) takes the invoices
-- open at as_of and the actions recorded by then: what the list was, or
-- will be, on that day.  Keep the two queries in step
-- (sql/dunning_worklist.sql compares them).

CREATE VIEW crisk.dunning_worklist WITH (security_invoker = true) AS
    SELECT l.customer_id,
           a.name,
           l.invoice_id,
           l.amount,
           l.issue_date,
           l.due_date,
           CURRENT_DATE OPERATOR(pg_catalog.-) l.due_date AS days_past_due,
           pol.policy AS dunning_policy,
           step.level AS dunning_level,
           step.action,
           step.description AS action_description,
           step.order_decision,
           done.last_level AS last_level_done,
           done.last_acted_on,
           crisk.late_payment_interest(l.amount, l.due_date, CURRENT_DATE) AS late_payment_interest,
           crisk.recovery_indemnity(l.due_date, CURRENT_DATE) AS recovery_indemnity,
           l.amount OPERATOR(pg_catalog.+) crisk.late_payment_interest(l.amount, l.due_date, CURRENT_DATE)
               OPERATOR(pg_catalog.+) crisk.recovery_indemnity(l.due_date, CURRENT_DATE) AS total_due
    FROM crisk.ledger l
    LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) l.customer_id
    CROSS JOIN LATERAL (SELECT COALESCE(a.dunning_policy, 'default'::pg_catalog.text) AS policy) pol
    LEFT JOIN LATERAL (
        SELECT d.level, d.action, d.description, d.order_decision
        FROM crisk.dunning_policy d
        WHERE d.policy OPERATOR(pg_catalog.=) pol.policy
          AND d.days_past_due OPERATOR(pg_catalog.<=) (CURRENT_DATE OPERATOR(pg_catalog.-) l.due_date)
        ORDER BY d.level DESC
        LIMIT 1) step ON true
    LEFT JOIN (
        SELECT x.invoice_id, pg_catalog.max(x.level) AS last_level, pg_catalog.max(x.acted_on) AS last_acted_on
        FROM crisk.dunning_action x
        GROUP BY x.invoice_id) done ON done.invoice_id OPERATOR(pg_catalog.=) l.invoice_id
    WHERE l.paid_date IS NULL
      AND l.amount OPERATOR(pg_catalog.>) 0
      AND l.due_date OPERATOR(pg_catalog.<) CURRENT_DATE
      AND (step.level OPERATOR(pg_catalog.>) COALESCE(done.last_level, 0)
           OR (step.level IS NULL
               AND NOT EXISTS (SELECT FROM crisk.dunning_policy d
                               WHERE d.policy OPERATOR(pg_catalog.=) pol.policy)));
COMMENT ON VIEW crisk.dunning_worklist IS
    'Open invoices that need a dunning action today, one row each: the level of the customer''s dunning policy reached and its action, what was last done (crisk.dunning_action), and the late-payment interest (statutory French rate) and 40 EUR recovery indemnity due so far. Listed until the level is recorded with crisk.record_dunning_action(). For another date: crisk.dunning_worklist_at(as_of).';
COMMENT ON COLUMN crisk.dunning_worklist.customer_id IS 'Customer code, as in the ledger.';
COMMENT ON COLUMN crisk.dunning_worklist.invoice_id IS 'Invoice to chase; record what was done with crisk.record_dunning_action(invoice_id, dunning_level).';
COMMENT ON COLUMN crisk.dunning_worklist.issue_date IS 'Invoice date.';
COMMENT ON COLUMN crisk.dunning_worklist.due_date IS 'Due date agreed.';
COMMENT ON COLUMN crisk.dunning_worklist.amount IS 'Amount of the invoice, unpaid.';
COMMENT ON COLUMN crisk.dunning_worklist.days_past_due IS 'Days since the due date (today minus due_date).';
COMMENT ON COLUMN crisk.dunning_worklist.name IS 'Customer name from crisk.account; NULL without an account.';
COMMENT ON COLUMN crisk.dunning_worklist.dunning_policy IS 'Dunning policy applied: crisk.account.dunning_policy, or default without an account.';
COMMENT ON COLUMN crisk.dunning_worklist.dunning_level IS 'Highest level of the policy the invoice has reached (its days_past_due reached); NULL when the policy has no levels (fix the account).';
COMMENT ON COLUMN crisk.dunning_worklist.action IS 'The action of that level (reminder, second_reminder, formal_notice, litigation for the default policy).';
COMMENT ON COLUMN crisk.dunning_worklist.action_description IS 'What the action involves, from the policy.';
COMMENT ON COLUMN crisk.dunning_worklist.order_decision IS 'What crisk.check_order does for a customer at this level: review, block, or NULL (nothing).';
COMMENT ON COLUMN crisk.dunning_worklist.last_level_done IS 'Highest level already recorded for the invoice in crisk.dunning_action; NULL when none.';
COMMENT ON COLUMN crisk.dunning_worklist.last_acted_on IS 'Date of the latest action recorded for the invoice; NULL when none.';
COMMENT ON COLUMN crisk.dunning_worklist.late_payment_interest IS 'Late-payment interest due so far at the French statutory rate (ECB rate + 10 points, by half-year), to the cent (crisk.late_payment_interest).';
COMMENT ON COLUMN crisk.dunning_worklist.recovery_indemnity IS 'Fixed recovery indemnity due (40.00 for an invoice past due; crisk.recovery_indemnity).';
COMMENT ON COLUMN crisk.dunning_worklist.total_due IS 'What the customer owes on this invoice today: amount + late_payment_interest + recovery_indemnity.';
REVOKE ALL ON crisk.dunning_worklist FROM PUBLIC;

CREATE FUNCTION crisk.dunning_worklist_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, name pg_catalog.text, invoice_id pg_catalog.text,
                   amount pg_catalog.numeric, issue_date pg_catalog.date, due_date pg_catalog.date,
                   days_past_due pg_catalog.int4, dunning_policy pg_catalog.text,
                   dunning_level pg_catalog.int4, action pg_catalog.text,
                   action_description pg_catalog.text, order_decision pg_catalog.text,
                   last_level_done pg_catalog.int4, last_acted_on pg_catalog.date,
                   late_payment_interest pg_catalog.numeric, recovery_indemnity pg_catalog.numeric,
                   total_due pg_catalog.numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
DECLARE
    on_day pg_catalog.date := dunning_worklist_at.as_of;
BEGIN
    IF on_day IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = '22004', HINT = 'Give a date; crisk.dunning_worklist is the worklist for today.';
    END IF;
    IF NOT pg_catalog.isfinite(on_day) THEN
        RAISE EXCEPTION 'as_of must be a finite date'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('as_of is %s.', on_day);
    END IF;
    RETURN QUERY
    SELECT l.customer_id,
           a.name,
           l.invoice_id,
           l.amount,
           l.issue_date,
           l.due_date,
           on_day OPERATOR(pg_catalog.-) l.due_date,
           pol.policy,
           step.level,
           step.action,
           step.description,
           step.order_decision,
           done.last_level,
           done.last_acted_on,
           crisk.late_payment_interest(l.amount, l.due_date, on_day),
           crisk.recovery_indemnity(l.due_date, on_day),
           l.amount OPERATOR(pg_catalog.+) crisk.late_payment_interest(l.amount, l.due_date, on_day)
               OPERATOR(pg_catalog.+) crisk.recovery_indemnity(l.due_date, on_day)
    FROM crisk.ledger l
    LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) l.customer_id
    CROSS JOIN LATERAL (SELECT COALESCE(a.dunning_policy, 'default'::pg_catalog.text) AS policy) pol
    LEFT JOIN LATERAL (
        SELECT d.level, d.action, d.description, d.order_decision
        FROM crisk.dunning_policy d
        WHERE d.policy OPERATOR(pg_catalog.=) pol.policy
          AND d.days_past_due OPERATOR(pg_catalog.<=) (on_day OPERATOR(pg_catalog.-) l.due_date)
        ORDER BY d.level DESC
        LIMIT 1) step ON true
    LEFT JOIN (
        SELECT x.invoice_id, pg_catalog.max(x.level) AS last_level, pg_catalog.max(x.acted_on) AS last_acted_on
        FROM crisk.dunning_action x
        WHERE x.acted_on OPERATOR(pg_catalog.<=) on_day
        GROUP BY x.invoice_id) done ON done.invoice_id OPERATOR(pg_catalog.=) l.invoice_id
    WHERE l.issue_date OPERATOR(pg_catalog.<=) on_day
      AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) on_day)
      AND l.amount OPERATOR(pg_catalog.>) 0
      AND l.due_date OPERATOR(pg_catalog.<) on_day
      AND (step.level OPERATOR(pg_catalog.>) COALESCE(done.last_level, 0)
           OR (step.level IS NULL
               AND NOT EXISTS (SELECT FROM crisk.dunning_policy d
                               WHERE d.policy OPERATOR(pg_catalog.=) pol.policy)));
END
$$;
COMMENT ON FUNCTION crisk.dunning_worklist_at(pg_catalog.date) IS
    'The dunning worklist as of a date: the columns of crisk.dunning_worklist over the invoices open at as_of and the actions recorded by then, with interest and indemnity due at as_of. NULL as_of raises 22004.';

-- from sql/install/70_job_run.sql
-- Rescoring passes (src/rescore.c): one row in crisk.job_run per pass of
-- the background worker or of crisk.rescore(), and one row in
-- crisk.job_error per customer that could not be scored.  Both are kept by
-- pg_dump (they record which run changed a credit limit) and purged after
-- crisk.history_retention.

CREATE SEQUENCE crisk.job_run_run_id_seq;

CREATE TABLE crisk.job_run (
    run_id             pg_catalog.int8 NOT NULL
                       DEFAULT pg_catalog.nextval('crisk.job_run_run_id_seq'::pg_catalog.regclass)
                       PRIMARY KEY,
    kind               pg_catalog.text NOT NULL
                       CHECK (kind IN ('full', 'incremental', 'manual')),
    status             pg_catalog.text NOT NULL DEFAULT 'running'
                       CHECK (status IN ('running', 'succeeded', 'failed')),
    as_of              pg_catalog.date NOT NULL,
    started_at         pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    finished_at        pg_catalog.timestamptz,
    customers_total    pg_catalog.int8 NOT NULL DEFAULT 0,
    customers_scored   pg_catalog.int8 NOT NULL DEFAULT 0,
    customers_skipped  pg_catalog.int8 NOT NULL DEFAULT 0,
    errors             pg_catalog.int8 NOT NULL DEFAULT 0,
    alerts_raised      pg_catalog.int8 NOT NULL DEFAULT 0,
    limit_changes      pg_catalog.int8 NOT NULL DEFAULT 0,
    batches            pg_catalog.int4 NOT NULL DEFAULT 0,
    run_by             pg_catalog.text NOT NULL DEFAULT session_user,
    backend_pid        pg_catalog.int4 NOT NULL DEFAULT pg_catalog.pg_backend_pid(),
    message            pg_catalog.text
);
ALTER SEQUENCE crisk.job_run_run_id_seq OWNED BY crisk.job_run.run_id;
CREATE INDEX job_run_kind_started_at_idx ON crisk.job_run (kind, started_at);
CREATE INDEX job_run_started_at_idx ON crisk.job_run (started_at);
CREATE INDEX job_run_running_idx ON crisk.job_run (run_id) WHERE status = 'running';

COMMENT ON TABLE crisk.job_run IS
    'One row per rescoring pass (background worker or crisk.rescore()): kind, timings, status, counts and a message saying what went wrong.';
COMMENT ON COLUMN crisk.job_run.kind IS
    '''full'' (every customer, daily), ''incremental'' (customers whose data changed) or ''manual'' (crisk.rescore()).';
COMMENT ON COLUMN crisk.job_run.status IS
    '''running'', ''succeeded'' (possibly with errors: see errors) or ''failed'' (stopped by an error, a crash or a termination: see message).';
COMMENT ON COLUMN crisk.job_run.as_of IS 'Date the scores were computed as of.';
COMMENT ON COLUMN crisk.job_run.customers_total IS 'Customers the pass set out to score.';
COMMENT ON COLUMN crisk.job_run.customers_scored IS 'Customers whose score was written.';
COMMENT ON COLUMN crisk.job_run.customers_skipped IS
    'Customers left for the next pass because another session held their rows.';
COMMENT ON COLUMN crisk.job_run.errors IS
    'Customers that could not be scored (see crisk.job_error); the pass scored the others.';
COMMENT ON COLUMN crisk.job_run.alerts_raised IS 'Alerts the pass raised.';
COMMENT ON COLUMN crisk.job_run.limit_changes IS 'Credit limits the pass recalibrated.';
COMMENT ON COLUMN crisk.job_run.batches IS 'Batches the pass committed (each of at most crisk.batch_size customers).';
COMMENT ON COLUMN crisk.job_run.run_by IS 'Role that ran the pass (crisk.role for the worker).';
COMMENT ON COLUMN crisk.job_run.backend_pid IS 'Process that ran the pass (pg_stat_activity.pid while it runs).';

CREATE TABLE crisk.job_error (
    run_id       pg_catalog.int8 NOT NULL REFERENCES crisk.job_run (run_id) ON DELETE CASCADE,
    customer_id  pg_catalog.text,
    failed_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
    sqlstate     pg_catalog.text NOT NULL,
    message      pg_catalog.text NOT NULL,
    detail       pg_catalog.text
);
CREATE INDEX job_error_run_id_idx ON crisk.job_error (run_id);
CREATE INDEX job_error_customer_id_idx ON crisk.job_error (customer_id);

COMMENT ON TABLE crisk.job_error IS
    'Customers a rescoring pass could not score, with the error; a NULL customer_id means a whole batch failed.';
COMMENT ON COLUMN crisk.job_error.sqlstate IS 'SQLSTATE of the error, e.g. 42704 for an account naming an unknown scorecard model.';

SELECT pg_catalog.pg_extension_config_dump('crisk.job_run', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.job_run_run_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.job_error', '');

REVOKE ALL ON TABLE crisk.job_run, crisk.job_error FROM PUBLIC;
REVOKE ALL ON SEQUENCE crisk.job_run_run_id_seq FROM PUBLIC;

-- from sql/install/71_rescore_queue.sql
-- The rescoring queue (src/change_tracking.c): customers whose data changed
-- since their last score.  Triggers on the ledger, the accounts, the events
-- and the financials (and, through crisk.track_changes(), on an ERP's own
-- tables) insert a row per customer and transaction; an incremental pass
-- rescores the queued customers and deletes the rows it has accounted for.

CREATE TABLE crisk.rescore_queue (
    customer_id  pg_catalog.text,
    queued_at    pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    queued_by    pg_catalog.xid8 NOT NULL DEFAULT pg_catalog.pg_current_xact_id()
);
CREATE INDEX rescore_queue_customer_id_idx ON crisk.rescore_queue (customer_id);

COMMENT ON TABLE crisk.rescore_queue IS
    'Customers waiting for the next incremental rescoring pass; a NULL customer_id asks for every customer (a full pass).';
COMMENT ON COLUMN crisk.rescore_queue.queued_by IS
    'Transaction that queued the customer: a pass removes only rows whose transaction it has seen.';

REVOKE ALL ON TABLE crisk.rescore_queue FROM PUBLIC;

CREATE FUNCTION crisk.track_changes_trigger()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_track_changes_trigger'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.track_changes_trigger() IS
    'Trigger function installed by crisk.track_changes(): queues for rescoring the customer of each row inserted, updated or deleted, and every customer after a TRUNCATE.';
REVOKE ALL ON FUNCTION crisk.track_changes_trigger() FROM PUBLIC;

CREATE FUNCTION crisk.track_changes(relation pg_catalog.regclass,
                                    customer_column pg_catalog.name)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    relation_kind "char";
    other_function pg_catalog.regprocedure;
BEGIN
    IF relation IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'relation must not be NULL';
    END IF;
    IF customer_column IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'customer_column must not be NULL';
    END IF;
    SELECT c.relkind INTO relation_kind
    FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) relation;
    IF relation_kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = pg_catalog.format('relation %s is not a table', relation),
            DETAIL = 'Changes are tracked on the tables that hold the rows; a view has none of its own.',
            HINT = 'Call crisk.track_changes for each table the view reads.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                   WHERE a.attrelid OPERATOR(pg_catalog.=) relation
                     AND a.attname OPERATOR(pg_catalog.=) customer_column
                     AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION USING ERRCODE = '42703',
            MESSAGE = pg_catalog.format('column %I of relation %s does not exist',
                                        customer_column, relation),
            HINT = 'customer_column names the column holding the customer id.';
    END IF;
    SELECT t.tgfoid::pg_catalog.regprocedure INTO other_function
    FROM pg_catalog.pg_trigger t
    WHERE t.tgrelid OPERATOR(pg_catalog.=) relation
      AND t.tgname IN ('crisk_track_changes', 'crisk_track_truncate')
      AND t.tgfoid OPERATOR(pg_catalog.<>) 'crisk.track_changes_trigger()'::pg_catalog.regprocedure;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = '42710',
            MESSAGE = pg_catalog.format('relation %s already has a trigger named crisk_track_changes or crisk_track_truncate running %s',
                                        relation, other_function),
            HINT = 'Rename that trigger; crisk uses these names for its own.';
    END IF;
    -- Calling again (e.g. with another column) replaces the triggers.
    PERFORM crisk.untrack_changes(relation);
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER crisk_track_changes BEFORE INSERT OR UPDATE OR DELETE ON %s'
        ' FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger(%L)',
        relation, customer_column);
    EXECUTE pg_catalog.format(
        'CREATE TRIGGER crisk_track_truncate AFTER TRUNCATE ON %s'
        ' FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger(%L)',
        relation, customer_column);
END
$$;
COMMENT ON FUNCTION crisk.track_changes(pg_catalog.regclass, pg_catalog.name) IS
    'Queues a customer for rescoring whenever a row of the table (e.g. an ERP table under the ledger view) is inserted, updated or deleted; customer_column names the column holding the customer id.';
REVOKE ALL ON FUNCTION crisk.track_changes(pg_catalog.regclass, pg_catalog.name) FROM PUBLIC;

CREATE FUNCTION crisk.untrack_changes(relation pg_catalog.regclass)
    RETURNS pg_catalog.bool
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    trigger_name pg_catalog.name;
    dropped pg_catalog.bool := false;
BEGIN
    IF relation IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'relation must not be NULL';
    END IF;
    FOR trigger_name IN
        SELECT t.tgname FROM pg_catalog.pg_trigger t
        WHERE t.tgrelid OPERATOR(pg_catalog.=) relation
          AND t.tgfoid OPERATOR(pg_catalog.=) 'crisk.track_changes_trigger()'::pg_catalog.regprocedure
    LOOP
        EXECUTE pg_catalog.format('DROP TRIGGER %I ON %s', trigger_name, relation);
        dropped := true;
    END LOOP;
    RETURN dropped;
END
$$;
COMMENT ON FUNCTION crisk.untrack_changes(pg_catalog.regclass) IS
    'Stops queueing customers for rescoring on changes to the table; returns whether it was tracked.';
REVOKE ALL ON FUNCTION crisk.untrack_changes(pg_catalog.regclass) FROM PUBLIC;

CREATE VIEW crisk.tracked_table AS
SELECT t.tgrelid::pg_catalog.regclass AS relation,
       pg_catalog.substring(pg_catalog.pg_get_triggerdef(t.oid),
                            'track_changes_trigger\(''(.*)''\)')::pg_catalog.name AS customer_column
FROM pg_catalog.pg_trigger t
WHERE t.tgfoid OPERATOR(pg_catalog.=) 'crisk.track_changes_trigger()'::pg_catalog.regprocedure
  AND t.tgname OPERATOR(pg_catalog.=) 'crisk_track_changes';
COMMENT ON VIEW crisk.tracked_table IS
    'Tables whose changes queue customers for rescoring, with their customer column.';
REVOKE ALL ON TABLE crisk.tracked_table FROM PUBLIC;

CREATE FUNCTION crisk.request_rescore(customer_ids pg_catalog.text[] DEFAULT NULL)
    RETURNS void
    AS 'MODULE_PATHNAME', 'crisk_request_rescore'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crisk.request_rescore(pg_catalog.text[]) IS
    'Queues customers for the background worker''s next incremental pass (NULL: every customer, a full pass) and wakes the worker at commit.';
REVOKE ALL ON FUNCTION crisk.request_rescore(pg_catalog.text[]) FROM PUBLIC;

-- from sql/install/72_rescore.sql
-- Rescoring by hand (src/rescore.c) and the worker's daily purge.

CREATE FUNCTION crisk.rescore(customer_ids pg_catalog.text[] DEFAULT NULL,
                              as_of pg_catalog.date DEFAULT CURRENT_DATE)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'crisk_rescore'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crisk.rescore(pg_catalog.text[], pg_catalog.date) IS
    'Rescores the given customers (NULL: every customer) as of a date, in the caller''s transaction, the same way the background worker does; returns the number of customers scored.';
REVOKE ALL ON FUNCTION crisk.rescore(pg_catalog.text[], pg_catalog.date) FROM PUBLIC;

CREATE FUNCTION crisk.rescore_queued(as_of pg_catalog.date DEFAULT CURRENT_DATE)
    RETURNS pg_catalog.int8
    AS 'MODULE_PATHNAME', 'crisk_rescore_queued'
    LANGUAGE C VOLATILE;
COMMENT ON FUNCTION crisk.rescore_queued(pg_catalog.date) IS
    'Rescores the customers queued in crisk.rescore_queue (every customer when the queue asks for it), in the caller''s transaction: the worker''s incremental pass, for pg_cron; returns the number of customers scored.';
REVOKE ALL ON FUNCTION crisk.rescore_queued(pg_catalog.date) FROM PUBLIC;

CREATE FUNCTION crisk._rescore_purge(older_than pg_catalog.interval)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF older_than IS NULL OR older_than OPERATOR(pg_catalog.<=) '0'::pg_catalog.interval THEN
        RAISE EXCEPTION USING ERRCODE = '22023',
            MESSAGE = 'older_than must be a positive interval';
    END IF;
    -- Score history, limit changes and acknowledged alerts (the store's
    -- retention), then the passes (crisk.job_error rows go with their run).
    PERFORM crisk.purge_history(older_than);
    DELETE FROM crisk.job_run
    WHERE started_at OPERATOR(pg_catalog.<) (pg_catalog.now() OPERATOR(pg_catalog.-) older_than)
      AND status OPERATOR(pg_catalog.<>) 'running';
END
$$;
COMMENT ON FUNCTION crisk._rescore_purge(pg_catalog.interval) IS
    'Internal: deletes history older than the interval (crisk.purge_history, and the records of rescoring passes); the worker calls it daily with crisk.history_retention.';
REVOKE ALL ON FUNCTION crisk._rescore_purge(pg_catalog.interval) FROM PUBLIC;

-- from sql/install/73_rescore_scoring.sql
-- The scoring step of a rescoring pass (src/rescore.c and
-- src/rescore_batch.c call these; they are internal, hence the leading
-- underscore, and nobody but the worker's role needs them).
--
--   crisk._rescore_worklist(as_of)      every customer with an account, from
--                                       ONE grouped read of the ledger and one
--                                       read of each other table (full pass)
--   crisk._rescore_items(ids, as_of)    the same for given customers, through
--                                       the per-customer indexes (incremental)
--   crisk._rescore_compute(items, as_of) score, class, reasons, recalibrated
--                                       limit; reads nothing, writes nothing
--   crisk._rescore_record(results, run, as_of)  writes scores, history,
--                                       limits and alerts
--
-- Only customers with a row in crisk.account are scored (crisk.score
-- refers to it); invoices of other customers are ignored.

-- What a pass knows about one customer before scoring: the payment profile
-- and other figures from the ledger, the account, the latest financial
-- statements, the events, and the previous score (to tell what changed).
CREATE TYPE crisk.rescore_item AS (
    customer_id              pg_catalog.text,
    profile                  crisk.payment_profile,  -- NULL: no invoice issued by as_of
    first_issue_date         pg_catalog.date,
    sales_12_months          pg_catalog.numeric,     -- NULL: nothing issued in the last 12 months
    oldest_open_due          pg_catalog.date,        -- due date of the oldest open invoice
    newest_due_over_90       pg_catalog.date,        -- latest due date of an open invoice over 90 days
    credit_limit             pg_catalog.numeric,
    limit_locked             pg_catalog.bool,
    insured_cover            pg_catalog.numeric,
    policy                   pg_catalog.text,
    model                    pg_catalog.text,
    customer_since           pg_catalog.date,
    working_capital          pg_catalog.numeric,
    retained_earnings        pg_catalog.numeric,
    ebit                     pg_catalog.numeric,
    equity                   pg_catalog.numeric,
    total_liabilities        pg_catalog.numeric,
    total_assets             pg_catalog.numeric,
    sales                    pg_catalog.numeric,
    adverse_events           pg_catalog.int4,
    last_event_recorded_at   pg_catalog.timestamptz,
    previous_score           pg_catalog.int4,
    previous_risk_class      pg_catalog.text,
    previous_as_of           pg_catalog.date,
    previous_scored_at       pg_catalog.timestamptz,
    previous_open_amount     pg_catalog.numeric,
    previous_credit_limit    pg_catalog.numeric,
    previous_avg_dbt         pg_catalog.float8,
    previous_dbt_stddev      pg_catalog.float8,
    previous_model           pg_catalog.text,
    previous_recommended_limit pg_catalog.numeric
);
COMMENT ON TYPE crisk.rescore_item IS
    'Internal: what a rescoring pass reads about one customer before scoring it.';

-- What a pass computes for one customer.  customer_id comes first: the
-- pass reads it to name a customer whose score could not be written.
CREATE TYPE crisk.rescore_result AS (
    customer_id          pg_catalog.text,
    item                 crisk.rescore_item,
    score                pg_catalog.int4,
    risk_class           pg_catalog.text,
    reasons              pg_catalog.jsonb,
    altman_z             pg_catalog.float8,
    utilization          pg_catalog.float8,
    relationship_months  pg_catalog.int4,
    monthly_sales        pg_catalog.numeric,
    recommended_limit    pg_catalog.numeric
);
COMMENT ON TYPE crisk.rescore_result IS
    'Internal: the score, class, reasons and recalibrated limit a rescoring pass computed for one customer, with what it read.';

-- Everything a pass reads from one customer's ledger, in one aggregate
-- (src/rescore_ledger.c): the payment profile, the first issue date, the
-- sales of the last twelve months, and two due dates of open invoices.
CREATE TYPE crisk.rescore_ledger AS (
    profile             crisk.payment_profile,  -- NULL: no invoice with an amount and a due date
    first_issue_date    pg_catalog.date,
    sales_12_months     pg_catalog.numeric,     -- NULL: nothing issued in the last 12 months
    oldest_open_due     pg_catalog.date,        -- due date of the oldest open invoice
    newest_due_over_90  pg_catalog.date         -- latest due date of an open invoice over 90 days
);
COMMENT ON TYPE crisk.rescore_ledger IS
    'Internal: what a rescoring pass reads from one customer''s ledger (crisk._rescore_ledger).';

CREATE FUNCTION crisk._rescore_ledger_transition(pg_catalog.internal, pg_catalog.numeric,
                                                 pg_catalog.date, pg_catalog.date,
                                                 pg_catalog.date, pg_catalog.date)
    RETURNS pg_catalog.internal
    AS 'MODULE_PATHNAME', 'crisk_rescore_ledger_transition'
    LANGUAGE C IMMUTABLE;
COMMENT ON FUNCTION crisk._rescore_ledger_transition(pg_catalog.internal, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS
    'Internal: transition function of crisk._rescore_ledger.';
REVOKE ALL ON FUNCTION crisk._rescore_ledger_transition(pg_catalog.internal, pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) FROM PUBLIC;

CREATE FUNCTION crisk._rescore_ledger_final(pg_catalog.internal)
    RETURNS crisk.rescore_ledger
    AS 'MODULE_PATHNAME', 'crisk_rescore_ledger_final'
    LANGUAGE C IMMUTABLE;
COMMENT ON FUNCTION crisk._rescore_ledger_final(pg_catalog.internal) IS
    'Internal: final function of crisk._rescore_ledger.';
REVOKE ALL ON FUNCTION crisk._rescore_ledger_final(pg_catalog.internal) FROM PUBLIC;

CREATE AGGREGATE crisk._rescore_ledger(amount pg_catalog.numeric, issue_date pg_catalog.date,
                                       due_date pg_catalog.date, paid_date pg_catalog.date,
                                       as_of pg_catalog.date) (
    SFUNC = crisk._rescore_ledger_transition,
    STYPE = pg_catalog.internal,
    FINALFUNC = crisk._rescore_ledger_final,
    FINALFUNC_MODIFY = READ_ONLY
);
COMMENT ON AGGREGATE crisk._rescore_ledger(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) IS
    'Internal: the payment profile, first issue date, sales of the last 12 months, and oldest open and latest over-90-days due dates of a customer''s invoices issued by as_of, for a rescoring pass.';
REVOKE ALL ON FUNCTION crisk._rescore_ledger(pg_catalog.numeric, pg_catalog.date, pg_catalog.date, pg_catalog.date, pg_catalog.date) FROM PUBLIC;

-- The full pass: one grouped read of the ledger, joined with the accounts,
-- the latest financial statements (ending within two years of as_of), the
-- events, and the previous scores.
--
-- This function and the next have no SET clause, so that PostgreSQL
-- inlines them into the pass's query: called as functions, their rows
-- would first be copied into a tuplestore, which cost a full pass over
-- 50 000 customers a quarter of a second.  Every name in them carries its
-- schema, operators included, so the caller's search_path cannot change
-- what they mean.
CREATE FUNCTION crisk._rescore_worklist(as_of pg_catalog.date)
    RETURNS SETOF crisk.rescore_item
    LANGUAGE sql STABLE
AS $$
    WITH ledger AS (
        SELECT l.customer_id,
               crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of) AS figures
        FROM crisk.ledger AS l
        WHERE l.issue_date OPERATOR(pg_catalog.<=) as_of
        GROUP BY l.customer_id
    ), statements AS (
        SELECT DISTINCT ON (f.customer_id) f.*
        FROM crisk.financials AS f
        WHERE f.fiscal_year_end OPERATOR(pg_catalog.<=) as_of
          AND f.fiscal_year_end OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) '2 years'::pg_catalog.interval)
        ORDER BY f.customer_id, f.fiscal_year_end DESC
    ), events AS (
        SELECT e.customer_id,
               pg_catalog.count(*) FILTER (
                   WHERE k.adverse
                     AND e.occurred_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) '1 year'::pg_catalog.interval)
                     AND e.occurred_on OPERATOR(pg_catalog.<=) as_of)::pg_catalog.int4 AS adverse_events,
               pg_catalog.max(e.recorded_at) AS last_event_recorded_at
        FROM crisk.event AS e
        JOIN crisk.event_kind AS k ON k.kind OPERATOR(pg_catalog.=) e.kind
        GROUP BY e.customer_id
    )
    SELECT a.customer_id, (g.figures).profile, (g.figures).first_issue_date,
           (g.figures).sales_12_months, (g.figures).oldest_open_due,
           (g.figures).newest_due_over_90,
           a.credit_limit, a.limit_locked, a.insured_cover, a.policy, a.model, a.customer_since,
           f.working_capital, f.retained_earnings, f.ebit, f.equity,
           f.total_liabilities, f.total_assets, f.sales,
           COALESCE(e.adverse_events, 0), e.last_event_recorded_at,
           s.score, s.risk_class, s.as_of, s.scored_at, s.open_amount, s.credit_limit_after,
           s.avg_days_beyond_terms, s.days_beyond_terms_stddev,
           s.model, s.recommended_limit
    FROM crisk.account AS a
    LEFT JOIN ledger AS g ON g.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN statements AS f ON f.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN events AS e ON e.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN crisk.score AS s ON s.customer_id OPERATOR(pg_catalog.=) a.customer_id
$$;
COMMENT ON FUNCTION crisk._rescore_worklist(pg_catalog.date) IS
    'Internal: what a full rescoring pass reads about every customer with an account, from one grouped read of the ledger.';
REVOKE ALL ON FUNCTION crisk._rescore_worklist(pg_catalog.date) FROM PUBLIC;

-- The same for given customers, each table read through its index on
-- customer_id.
CREATE FUNCTION crisk._rescore_items(customer_ids pg_catalog.text[], as_of pg_catalog.date)
    RETURNS SETOF crisk.rescore_item
    LANGUAGE sql STABLE
AS $$
    SELECT a.customer_id, (g.figures).profile, (g.figures).first_issue_date,
           (g.figures).sales_12_months, (g.figures).oldest_open_due,
           (g.figures).newest_due_over_90,
           a.credit_limit, a.limit_locked, a.insured_cover, a.policy, a.model, a.customer_since,
           f.working_capital, f.retained_earnings, f.ebit, f.equity,
           f.total_liabilities, f.total_assets, f.sales,
           COALESCE(e.adverse_events, 0), e.last_event_recorded_at,
           s.score, s.risk_class, s.as_of, s.scored_at, s.open_amount, s.credit_limit_after,
           s.avg_days_beyond_terms, s.days_beyond_terms_stddev,
           s.model, s.recommended_limit
    FROM crisk.account AS a
    LEFT JOIN (
        SELECT l.customer_id,
               crisk._rescore_ledger(l.amount, l.issue_date, l.due_date, l.paid_date, as_of) AS figures
        FROM crisk.ledger AS l
        WHERE l.customer_id OPERATOR(pg_catalog.=) ANY (customer_ids)
          AND l.issue_date OPERATOR(pg_catalog.<=) as_of
        GROUP BY l.customer_id
    ) AS g ON g.customer_id OPERATOR(pg_catalog.=) a.customer_id
    LEFT JOIN LATERAL (
        SELECT f.*
        FROM crisk.financials AS f
        WHERE f.customer_id OPERATOR(pg_catalog.=) a.customer_id
          AND f.fiscal_year_end OPERATOR(pg_catalog.<=) as_of
          AND f.fiscal_year_end OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) '2 years'::pg_catalog.interval)
        ORDER BY f.fiscal_year_end DESC
        LIMIT 1
    ) AS f ON true
    LEFT JOIN LATERAL (
        SELECT pg_catalog.count(*) FILTER (
                   WHERE k.adverse
                     AND ev.occurred_on OPERATOR(pg_catalog.>) (as_of OPERATOR(pg_catalog.-) '1 year'::pg_catalog.interval)
                     AND ev.occurred_on OPERATOR(pg_catalog.<=) as_of)::pg_catalog.int4 AS adverse_events,
               pg_catalog.max(ev.recorded_at) AS last_event_recorded_at
        FROM crisk.event AS ev
        JOIN crisk.event_kind AS k ON k.kind OPERATOR(pg_catalog.=) ev.kind
        WHERE ev.customer_id OPERATOR(pg_catalog.=) a.customer_id
    ) AS e ON true
    LEFT JOIN crisk.score AS s ON s.customer_id OPERATOR(pg_catalog.=) a.customer_id
    WHERE a.customer_id OPERATOR(pg_catalog.=) ANY (customer_ids)
$$;
COMMENT ON FUNCTION crisk._rescore_items(pg_catalog.text[], pg_catalog.date) IS
    'Internal: what an incremental rescoring pass reads about the given customers, through the per-customer indexes.';
REVOKE ALL ON FUNCTION crisk._rescore_items(pg_catalog.text[], pg_catalog.date) FROM PUBLIC;

-- Scoring proper, in C (src/rescore_compute.c): altman_z, utilization,
-- relationship_months and monthly_sales from what the pass read, then
-- crisk.explain_score (whose points add up to the score), crisk.risk_class
-- and crisk.recalibrated_limit, called as SQL would call them.
CREATE FUNCTION crisk._rescore_compute(items crisk.rescore_item[], as_of pg_catalog.date)
    RETURNS crisk.rescore_result[]
    AS 'MODULE_PATHNAME', 'crisk_rescore_compute'
    LANGUAGE C STABLE;
COMMENT ON FUNCTION crisk._rescore_compute(crisk.rescore_item[], pg_catalog.date) IS
    'Internal: scores a batch of customers (score, class, reasons, recalibrated limit) from what the pass read.';
REVOKE ALL ON FUNCTION crisk._rescore_compute(crisk.rescore_item[], pg_catalog.date) FROM PUBLIC;

-- from sql/install/74_rescore_record.sql
-- Writing a batch's results (src/rescore_batch.c calls it): limits,
-- scores, history, alerts.  Set-based: a handful of statements per batch,
-- whatever its size.
--
-- Locks: the account rows whose limit the batch recalibrates are locked
-- FOR NO KEY UPDATE SKIP LOCKED; other rows are not locked at all.  NO KEY:
-- an ERP inserting invoices or events (foreign keys take KEY SHARE on the
-- account) and crisk.check_order (plain reads) never wait for a pass.  SKIP
-- LOCKED: a pass never waits for a session that holds an account row (a
-- credit manager editing it); that customer is queued again for the next
-- pass instead, and nothing of it is written now.
--
-- Limits: a recalibrated limit is written only if the account's limit is
-- still the one the pass read (a person may have changed it since: the
-- change queued the customer, whose next pass starts from the new limit),
-- never when the limit is locked.  crisk.account's triggers stamp and log
-- the change in crisk.limit_change, with this run's id and the reason.
--
-- Alerts are raised on what changed since the customer's previous score, so
-- that an acknowledged alert is not raised again while nothing changes:
--   score_drop       the score fell by crisk.alert_score_drop points or more
--   downgrade        the risk class got worse (key: the new class)
--   limit_breach     open receivables exceed the limit, and did not before
--   legal_event      an event recorded since the previous score (key: the
--                    event; 'critical' when adverse, else 'info'); for a
--                    customer scored for the first time, recorded in the
--                    last 24 hours
--   overdue_90       an open invoice more than 90 days past due, once per
--                    invoice (key: the invoice).  A full pass looks only at
--                    invoices that passed 90 days since the customer's
--                    previous score (for a customer scored for the first
--                    time, on as_of itself); any other pass (thorough: the
--                    customer's data changed, e.g. an old invoice was
--                    booked late) looks at all of them
--   payment_pattern  the oldest open invoice is later than the customer
--                    usually pays: days past due > average days beyond
--                    terms + max(2 standard deviations, 15 days), with at
--                    least 5 paid invoices behind the average, and it was
--                    not so at the previous score (key: its due date)
-- One row and one notification each (crisk.alert's trigger); a condition
-- already open is not raised twice.
CREATE FUNCTION crisk._rescore_record(results crisk.rescore_result[], run_id pg_catalog.int8,
                                      as_of pg_catalog.date, thorough pg_catalog.bool,
                                      OUT scored pg_catalog.int8, OUT skipped pg_catalog.int8,
                                      OUT alerts pg_catalog.int8, OUT limit_changes pg_catalog.int8)
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    -- The same plans for every batch: planning these statements afresh
    -- for each batch cost more than running them.
    SET plan_cache_mode = force_generic_plan
AS $$
DECLARE
    candidates pg_catalog.text[];
    locked pg_catalog.text[];
    held pg_catalog.text[];
    changed pg_catalog.text[];
    decided pg_catalog.text[];
    score_drop pg_catalog.int4 := pg_catalog.current_setting('crisk.alert_score_drop')::pg_catalog.int4;
BEGIN
    -- The accounts whose limit changes, locked without waiting; the
    -- customers among them that another session holds are left out.
    candidates := ARRAY(SELECT r.customer_id FROM pg_catalog.unnest(results) AS r
                        WHERE NOT COALESCE((r.item).limit_locked, false)
                          AND r.recommended_limit IS NOT NULL
                          AND r.recommended_limit IS DISTINCT FROM (r.item).credit_limit);
    locked := ARRAY(SELECT a.customer_id FROM crisk.account AS a
                    WHERE a.customer_id OPERATOR(pg_catalog.=) ANY (candidates)
                    FOR NO KEY UPDATE SKIP LOCKED);
    IF pg_catalog.cardinality(locked) OPERATOR(pg_catalog.<) pg_catalog.cardinality(candidates) THEN
        held := ARRAY(SELECT c FROM pg_catalog.unnest(candidates) AS c
                      WHERE NOT c OPERATOR(pg_catalog.=) ANY (locked));
    ELSE
        held := '{}';
    END IF;

    WITH recalibrated AS (
        UPDATE crisk.account AS a
           SET credit_limit = r.recommended_limit,
               limit_run_id = _rescore_record.run_id,
               limit_reason = pg_catalog.format(
                   'recalibrated by rescoring run %s: score %s (class %s), monthly sales %s, policy %s',
                   _rescore_record.run_id, r.score, r.risk_class,
                   pg_catalog.round(r.monthly_sales, 2), (r.item).policy)
          FROM pg_catalog.unnest(results) AS r
         WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND r.customer_id OPERATOR(pg_catalog.=) ANY (locked)
           AND NOT a.limit_locked
           AND r.recommended_limit IS NOT NULL
           AND a.credit_limit IS NOT DISTINCT FROM (r.item).credit_limit
           AND a.credit_limit IS DISTINCT FROM r.recommended_limit
        RETURNING a.customer_id)
    SELECT COALESCE(pg_catalog.array_agg(recalibrated.customer_id), '{}') INTO changed
    FROM recalibrated;
    limit_changes := pg_catalog.cardinality(changed);

    -- Customers scored before: their row is updated in place (crisk.score's
    -- trigger keeps the previous score and class).  The history gets a row
    -- when the decision changed: score, class, model, recommended limit or
    -- limit in force.  An unchanged decision is already in the history, and
    -- a row per customer and day would grow it by the portfolio's size daily.
    WITH written AS (
        UPDATE crisk.score AS s
           SET as_of = _rescore_record.as_of, scored_at = pg_catalog.now(),
               run_id = _rescore_record.run_id, model = (r.item).model,
               score = r.score, risk_class = r.risk_class, reasons = r.reasons,
               invoices = ((r.item).profile).invoices,
               open_invoices = ((r.item).profile).open_invoices,
               billed = ((r.item).profile).billed,
               open_amount = ((r.item).profile).open_amount,
               overdue_amount = ((r.item).profile).overdue_amount,
               avg_days_beyond_terms = ((r.item).profile).avg_days_beyond_terms,
               days_beyond_terms_stddev = ((r.item).profile).days_beyond_terms_stddev,
               late_share = ((r.item).profile).late_share,
               max_days_late = ((r.item).profile).max_days_late,
               dso = ((r.item).profile).dso,
               last_payment = ((r.item).profile).last_payment,
               altman_z = r.altman_z, adverse_events = (r.item).adverse_events,
               utilization = r.utilization, relationship_months = r.relationship_months,
               policy = (r.item).policy, limit_locked = (r.item).limit_locked,
               credit_limit_before = (r.item).credit_limit,
               recommended_limit = r.recommended_limit,
               credit_limit_after = CASE WHEN r.customer_id OPERATOR(pg_catalog.=) ANY (changed)
                                         THEN r.recommended_limit ELSE (r.item).credit_limit END
          FROM pg_catalog.unnest(results) AS r
         WHERE s.customer_id OPERATOR(pg_catalog.=) r.customer_id
           AND (r.item).previous_score IS NOT NULL
           AND NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
        RETURNING s.customer_id,
                  (s.score IS DISTINCT FROM (r.item).previous_score
                   OR s.risk_class IS DISTINCT FROM (r.item).previous_risk_class
                   OR s.model IS DISTINCT FROM (r.item).previous_model
                   OR s.recommended_limit IS DISTINCT FROM (r.item).previous_recommended_limit
                   OR s.credit_limit_after IS DISTINCT FROM (r.item).previous_credit_limit) AS decided
    )
    SELECT pg_catalog.count(*),
           COALESCE(pg_catalog.array_agg(w.customer_id) FILTER (WHERE w.decided), '{}')
      INTO scored, decided
      FROM written AS w;

    -- Customers scored for the first time (or whose row a concurrent pass
    -- wrote meanwhile, hence ON CONFLICT): a new row, and a history row
    -- whatever the decision.
    WITH written AS (
        INSERT INTO crisk.score AS s (customer_id, as_of, scored_at, run_id, model, score, risk_class, reasons,
            invoices, open_invoices, billed, open_amount, overdue_amount,
            avg_days_beyond_terms, days_beyond_terms_stddev, late_share, max_days_late,
            dso, last_payment, altman_z, adverse_events, utilization, relationship_months,
            policy, limit_locked, credit_limit_before, recommended_limit, credit_limit_after)
        SELECT r.customer_id, _rescore_record.as_of, pg_catalog.now(), _rescore_record.run_id,
               (r.item).model, r.score, r.risk_class, r.reasons,
               ((r.item).profile).invoices, ((r.item).profile).open_invoices,
               ((r.item).profile).billed, ((r.item).profile).open_amount,
               ((r.item).profile).overdue_amount, ((r.item).profile).avg_days_beyond_terms,
               ((r.item).profile).days_beyond_terms_stddev, ((r.item).profile).late_share,
               ((r.item).profile).max_days_late, ((r.item).profile).dso,
               ((r.item).profile).last_payment,
               r.altman_z, (r.item).adverse_events, r.utilization, r.relationship_months,
               (r.item).policy, (r.item).limit_locked, (r.item).credit_limit,
               r.recommended_limit,
               CASE WHEN r.customer_id OPERATOR(pg_catalog.=) ANY (changed)
                    THEN r.recommended_limit ELSE (r.item).credit_limit END
        FROM pg_catalog.unnest(results) AS r
        WHERE (r.item).previous_score IS NULL
          AND NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
        ON CONFLICT (customer_id) DO UPDATE
            SET as_of = excluded.as_of, scored_at = excluded.scored_at, run_id = excluded.run_id,
                model = excluded.model, score = excluded.score, risk_class = excluded.risk_class,
                reasons = excluded.reasons, invoices = excluded.invoices,
                open_invoices = excluded.open_invoices, billed = excluded.billed,
                open_amount = excluded.open_amount, overdue_amount = excluded.overdue_amount,
                avg_days_beyond_terms = excluded.avg_days_beyond_terms,
                days_beyond_terms_stddev = excluded.days_beyond_terms_stddev,
                late_share = excluded.late_share, max_days_late = excluded.max_days_late,
                dso = excluded.dso, last_payment = excluded.last_payment,
                altman_z = excluded.altman_z, adverse_events = excluded.adverse_events,
                utilization = excluded.utilization, relationship_months = excluded.relationship_months,
                policy = excluded.policy, limit_locked = excluded.limit_locked,
                credit_limit_before = excluded.credit_limit_before,
                recommended_limit = excluded.recommended_limit,
                credit_limit_after = excluded.credit_limit_after
        RETURNING s.customer_id
    )
    SELECT scored OPERATOR(pg_catalog.+) pg_catalog.count(*),
           decided OPERATOR(pg_catalog.||) COALESCE(pg_catalog.array_agg(w.customer_id), '{}')
      INTO scored, decided
      FROM written AS w;

    -- The history rows of both, read back from crisk.score: returning every
    -- updated row whole, to keep the few whose decision changed, cost more
    -- than the update itself.
    IF pg_catalog.cardinality(decided) OPERATOR(pg_catalog.>) 0 THEN
        INSERT INTO crisk.score_history (customer_id, as_of, scored_at, run_id, model, score, risk_class,
            previous_score, previous_risk_class, risk_class_since, reasons,
            invoices, open_invoices, billed, open_amount, overdue_amount,
            avg_days_beyond_terms, days_beyond_terms_stddev, late_share, max_days_late,
            dso, last_payment, altman_z, adverse_events, utilization, relationship_months,
            policy, limit_locked, credit_limit_before, recommended_limit, credit_limit_after)
        SELECT s.customer_id, s.as_of, s.scored_at, s.run_id, s.model, s.score, s.risk_class, s.previous_score, s.previous_risk_class, s.risk_class_since, s.reasons, s.invoices, s.open_invoices, s.billed, s.open_amount, s.overdue_amount, s.avg_days_beyond_terms, s.days_beyond_terms_stddev, s.late_share, s.max_days_late, s.dso, s.last_payment, s.altman_z, s.adverse_events, s.utilization, s.relationship_months, s.policy, s.limit_locked, s.credit_limit_before, s.recommended_limit, s.credit_limit_after
        FROM crisk.score AS s
        WHERE s.customer_id OPERATOR(pg_catalog.=) ANY (decided);
    END IF;

    WITH r AS (
        SELECT r.*, (r.item).profile AS profile,
               CASE WHEN r.customer_id OPERATOR(pg_catalog.=) ANY (changed)
                    THEN r.recommended_limit ELSE (r.item).credit_limit END AS limit_after,
               COALESCE((r.item).previous_as_of,
                        _rescore_record.as_of OPERATOR(pg_catalog.-) 1) AS since_as_of,
               COALESCE((r.item).previous_scored_at,
                        pg_catalog.now() OPERATOR(pg_catalog.-) '1 day'::pg_catalog.interval) AS since_scored_at
        FROM pg_catalog.unnest(results) AS r
        WHERE NOT r.customer_id OPERATOR(pg_catalog.=) ANY (held)
    ), raised AS (
        SELECT r.customer_id, 'score_drop' AS kind, '' AS condition_key, NULL::pg_catalog.text AS severity,
               pg_catalog.format('score fell from %s to %s', (r.item).previous_score, r.score) AS message,
               pg_catalog.jsonb_build_object('previous_score', (r.item).previous_score, 'score', r.score) AS detail
        FROM r
        WHERE (r.item).previous_score OPERATOR(pg_catalog.-) r.score OPERATOR(pg_catalog.>=) score_drop
        UNION ALL
        SELECT r.customer_id, 'downgrade', r.risk_class, NULL,
               pg_catalog.format('risk class fell from %s to %s', (r.item).previous_risk_class, r.risk_class),
               pg_catalog.jsonb_build_object('previous_risk_class', (r.item).previous_risk_class,
                                             'risk_class', r.risk_class, 'score', r.score)
        FROM r
        WHERE r.risk_class OPERATOR(pg_catalog.>) (r.item).previous_risk_class
        UNION ALL
        SELECT r.customer_id, 'limit_breach', '', NULL,
               pg_catalog.format('open receivables %s exceed the credit limit %s',
                                 (r.profile).open_amount, r.limit_after),
               pg_catalog.jsonb_build_object('open_amount', (r.profile).open_amount,
                                             'credit_limit', r.limit_after)
        FROM r
        WHERE (r.profile).open_amount OPERATOR(pg_catalog.>) r.limit_after
          AND NOT COALESCE((r.item).previous_open_amount
                                      OPERATOR(pg_catalog.>) (r.item).previous_credit_limit, false)
        UNION ALL
        SELECT r.customer_id, 'legal_event', e.event_id::pg_catalog.text,
               CASE WHEN k.adverse THEN 'critical' ELSE 'info' END,
               pg_catalog.format('%s on %s', k.description, e.occurred_on),
               pg_catalog.jsonb_build_object('event_id', e.event_id, 'kind', e.kind,
                                             'occurred_on', e.occurred_on, 'detail', e.detail)
        FROM r
        JOIN crisk.event AS e ON e.customer_id OPERATOR(pg_catalog.=) r.customer_id
                             AND e.recorded_at OPERATOR(pg_catalog.>) r.since_scored_at
        JOIN crisk.event_kind AS k ON k.kind OPERATOR(pg_catalog.=) e.kind
        WHERE (r.item).last_event_recorded_at OPERATOR(pg_catalog.>) r.since_scored_at
        UNION ALL
        SELECT r.customer_id, 'overdue_90', l.invoice_id, NULL,
               pg_catalog.format('invoice %s of %s is %s days past due',
                                 l.invoice_id, l.amount, _rescore_record.as_of OPERATOR(pg_catalog.-) l.due_date),
               pg_catalog.jsonb_build_object('invoice_id', l.invoice_id, 'amount', l.amount,
                                             'due_date', l.due_date)
        FROM r
        JOIN crisk.ledger AS l ON l.customer_id OPERATOR(pg_catalog.=) r.customer_id
        WHERE (thorough OR (r.item).newest_due_over_90 OPERATOR(pg_catalog.>=) (r.since_as_of OPERATOR(pg_catalog.-) 90))
          AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) _rescore_record.as_of)
          AND l.issue_date OPERATOR(pg_catalog.<=) _rescore_record.as_of
          AND l.due_date OPERATOR(pg_catalog.<) (_rescore_record.as_of OPERATOR(pg_catalog.-) 90)
          AND (thorough OR l.due_date OPERATOR(pg_catalog.>=) (r.since_as_of OPERATOR(pg_catalog.-) 90))
          AND (r.item).newest_due_over_90 IS NOT NULL
          AND NOT EXISTS (SELECT FROM crisk.alert AS a
                          WHERE a.customer_id OPERATOR(pg_catalog.=) r.customer_id
                            AND a.kind OPERATOR(pg_catalog.=) 'overdue_90'
                            AND a.condition_key OPERATOR(pg_catalog.=) l.invoice_id)
        UNION ALL
        SELECT r.customer_id, 'payment_pattern', (r.item).oldest_open_due::pg_catalog.text, NULL,
               pg_catalog.format('the oldest open invoice is %s days past due; this customer usually pays %s days beyond terms (standard deviation %s)',
                                 _rescore_record.as_of OPERATOR(pg_catalog.-) (r.item).oldest_open_due,
                                 pg_catalog.round((r.profile).avg_days_beyond_terms::pg_catalog.numeric, 1),
                                 pg_catalog.round(COALESCE((r.profile).days_beyond_terms_stddev, 0)::pg_catalog.numeric, 1)),
               pg_catalog.jsonb_build_object('days_past_due', _rescore_record.as_of OPERATOR(pg_catalog.-) (r.item).oldest_open_due,
                                             'avg_days_beyond_terms', (r.profile).avg_days_beyond_terms,
                                             'days_beyond_terms_stddev', (r.profile).days_beyond_terms_stddev)
        FROM r
        WHERE (r.profile).invoices OPERATOR(pg_catalog.-) (r.profile).open_invoices OPERATOR(pg_catalog.>=) 5
          AND (_rescore_record.as_of OPERATOR(pg_catalog.-) (r.item).oldest_open_due)::pg_catalog.float8
              OPERATOR(pg_catalog.>) ((r.profile).avg_days_beyond_terms OPERATOR(pg_catalog.+)
                  GREATEST(2 OPERATOR(pg_catalog.*) COALESCE((r.profile).days_beyond_terms_stddev, 0), 15))
          AND NOT COALESCE(
                (r.item).oldest_open_due OPERATOR(pg_catalog.<=) (r.item).previous_as_of
                AND ((r.item).previous_as_of OPERATOR(pg_catalog.-) (r.item).oldest_open_due)::pg_catalog.float8
                    OPERATOR(pg_catalog.>) ((r.item).previous_avg_dbt OPERATOR(pg_catalog.+)
                        GREATEST(2 OPERATOR(pg_catalog.*) COALESCE((r.item).previous_dbt_stddev, 0), 15)),
                false)
    ), inserted AS (
        INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message, detail, run_id)
        SELECT x.kind, x.customer_id, x.condition_key, COALESCE(x.severity, k.default_severity),
               x.message, x.detail, _rescore_record.run_id
        FROM raised AS x
        JOIN crisk.alert_kind AS k ON k.kind OPERATOR(pg_catalog.=) x.kind
        ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING
        RETURNING 1)
    SELECT pg_catalog.count(*) INTO alerts FROM inserted;

    -- Customers whose account row another session held: queued again.
    skipped := pg_catalog.cardinality(held);
    IF skipped OPERATOR(pg_catalog.>) 0 THEN
        INSERT INTO crisk.rescore_queue (customer_id) SELECT pg_catalog.unnest(held);
    END IF;
END
$$;
COMMENT ON FUNCTION crisk._rescore_record(crisk.rescore_result[], pg_catalog.int8, pg_catalog.date, pg_catalog.bool) IS
    'Internal: writes a batch of rescoring results: recalibrated limits, crisk.score, crisk.score_history and alerts; returns the counts.';
REVOKE ALL ON FUNCTION crisk._rescore_record(crisk.rescore_result[], pg_catalog.int8, pg_catalog.date, pg_catalog.bool) FROM PUBLIC;

-- from sql/install/75_rescore_triggers.sql
-- What queues customers for rescoring among crisk's own tables: a change to
-- a customer's invoices, account, events or financial statements queues
-- that customer; pointing crisk at another ledger (crisk.set_ledger, which
-- writes crisk.ledger_source) queues everyone.  An ERP's own tables are
-- added with crisk.track_changes().  Changes a rescoring pass makes itself
-- (recalibrated limits) queue nobody.

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.invoice
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.invoice
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.account
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.account
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.event
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.event
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.financials
    FOR EACH ROW EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');
CREATE TRIGGER crisk_track_truncate
    AFTER TRUNCATE ON crisk.financials
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger('customer_id');

CREATE TRIGGER crisk_track_changes
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.ledger_source
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.track_changes_trigger();

-- Every pass updates each customer's crisk.score row; with room left on
-- each page the update stays on the page (a HOT update, no index entry to
-- add), which halves its cost for a daily full pass.
ALTER TABLE crisk.score SET (fillfactor = 50);

-- from sql/install/76_worker_role.sql
-- The privileges of the role the rescoring worker runs as (crisk.role).
--
-- A pass reads the ledger, accounts, events, financial statements and the
-- model tables, writes scores, history, alerts and recalibrated limits, and
-- keeps its own records; the daily purge deletes old history.  Rather than
-- a list of GRANTs in the README that drifts from the schema, the list
-- lives here, next to the objects, and a test checks that a role holding
-- exactly these privileges completes a pass.  The same role may run passes
-- from SQL (crisk.rescore, crisk.rescore_queued), e.g. as a pg_cron job
-- instead of the worker.

CREATE FUNCTION crisk.grant_worker_privileges(worker_role pg_catalog.regrole)
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    grantee pg_catalog.text;
    source pg_catalog.text;
BEGIN
    IF worker_role IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '22004',
            MESSAGE = 'worker_role must not be NULL';
    END IF;
    grantee := pg_catalog.quote_ident(worker_role::pg_catalog.text);

    EXECUTE 'GRANT USAGE ON SCHEMA crisk TO ' || grantee;
    -- What a pass reads.
    EXECUTE 'GRANT SELECT ON crisk.ledger, crisk.invoice, crisk.ledger_source,'
            ' crisk.event, crisk.event_kind, crisk.financials, crisk.scorecard,'
            ' crisk.limit_policy, crisk.alert_kind TO ' || grantee;
    -- What it writes: recalibrated limits, scores, history, alerts.
    EXECUTE 'GRANT SELECT, UPDATE ON crisk.account TO ' || grantee;
    EXECUTE 'GRANT SELECT, INSERT, UPDATE ON crisk.score TO ' || grantee;
    EXECUTE 'GRANT SELECT, INSERT ON crisk.score_history, crisk.alert,'
            ' crisk.limit_change TO ' || grantee;
    -- Its own records and the queue of customers to rescore.
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON crisk.job_run, crisk.job_error,'
            ' crisk.rescore_queue TO ' || grantee;
    EXECUTE 'GRANT USAGE ON SEQUENCE crisk.job_run_run_id_seq TO ' || grantee;
    EXECUTE 'GRANT EXECUTE ON FUNCTION crisk.rescore(pg_catalog.text[], pg_catalog.date),'
            ' crisk.rescore_queued(pg_catalog.date),'
            ' crisk._rescore_worklist(pg_catalog.date),'
            ' crisk._rescore_items(pg_catalog.text[], pg_catalog.date),'
            ' crisk._rescore_ledger(pg_catalog.numeric, pg_catalog.date, pg_catalog.date,'
            ' pg_catalog.date, pg_catalog.date),'
            ' crisk._rescore_compute(crisk.rescore_item[], pg_catalog.date),'
            ' crisk._rescore_record(crisk.rescore_result[], pg_catalog.int8, pg_catalog.date, pg_catalog.bool),'
            ' crisk._rescore_purge(pg_catalog.interval),'
            ' crisk.purge_history(pg_catalog.interval) TO ' || grantee;

    -- An ERP ledger set with crisk.set_ledger: the worker reads it too.
    SELECT s.source INTO source FROM crisk.ledger_source AS s;
    IF source IS NOT NULL THEN
        EXECUTE 'GRANT SELECT ON ' || source || ' TO ' || grantee;
    END IF;
END
$$;
COMMENT ON FUNCTION crisk.grant_worker_privileges(pg_catalog.regrole) IS
    'Grants a role what rescoring needs, for the worker (crisk.role) or for a pg_cron job calling crisk.rescore_queued(): read the ledger (including a source set with crisk.set_ledger), accounts, events, financials and models; write scores, history, alerts, limits and pass records. Run it again after crisk.set_ledger.';
REVOKE ALL ON FUNCTION crisk.grant_worker_privileges(pg_catalog.regrole) FROM PUBLIC;
