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
