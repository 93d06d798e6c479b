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
