-- The aggregate crisk.expected_credit_loss (IFRS 9 provision matrix) and its
-- transition state type (src/expected_credit_loss.c, sharing src/aging_aggregate.c).

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
