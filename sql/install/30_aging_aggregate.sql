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
