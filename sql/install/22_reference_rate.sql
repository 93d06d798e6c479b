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
