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
