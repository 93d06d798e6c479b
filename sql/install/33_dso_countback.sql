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
