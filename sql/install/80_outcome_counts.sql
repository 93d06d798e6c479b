-- The state type crisk.outcome_counts that crisk.logistic_regression,
-- crisk.auc and crisk.ks gather their rows in: distinct patterns of values,
-- each with its counts of bad and good rows (src/outcome_counts.c).

CREATE TYPE crisk.outcome_counts;

CREATE FUNCTION crisk.outcome_counts_in(pg_catalog.cstring)
    RETURNS crisk.outcome_counts
    AS 'MODULE_PATHNAME', 'crisk_outcome_counts_in'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.outcome_counts_in(pg_catalog.cstring) IS
    'Input function of crisk.outcome_counts: reads the text form written by crisk.outcome_counts_out and checks every field.';

CREATE FUNCTION crisk.outcome_counts_out(crisk.outcome_counts)
    RETURNS pg_catalog.cstring
    AS 'MODULE_PATHNAME', 'crisk_outcome_counts_out'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.outcome_counts_out(crisk.outcome_counts) IS
    'Output function of crisk.outcome_counts: the distinct patterns of values, sorted, each with its counts of bad and good rows.';

CREATE TYPE crisk.outcome_counts (
    INPUT = crisk.outcome_counts_in,
    OUTPUT = crisk.outcome_counts_out,
    INTERNALLENGTH = VARIABLE,
    ALIGNMENT = double,
    STORAGE = plain
);
COMMENT ON TYPE crisk.outcome_counts IS
    'Transition state of crisk.logistic_regression, crisk.auc and crisk.ks: the rows gathered as distinct patterns of values (characteristics, or a score), each with its counts of bad and good rows.';

CREATE FUNCTION crisk.outcome_counts_combine(crisk.outcome_counts, crisk.outcome_counts)
    RETURNS crisk.outcome_counts
    AS 'MODULE_PATHNAME', 'crisk_outcome_counts_combine'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.outcome_counts_combine(crisk.outcome_counts, crisk.outcome_counts) IS
    'Combine function of crisk.logistic_regression, crisk.auc and crisk.ks: adds the patterns of two partial states (parallel workers, Citus nodes).';

CREATE FUNCTION crisk.score_outcome_transition(state crisk.outcome_counts,
                                               score pg_catalog.float8,
                                               bad pg_catalog.bool)
    RETURNS crisk.outcome_counts
    AS 'MODULE_PATHNAME', 'crisk_score_outcome_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.score_outcome_transition(crisk.outcome_counts, pg_catalog.float8, pg_catalog.bool) IS
    'Transition function of crisk.auc and crisk.ks: counts a row under its score, as bad or good; rows with a NULL score or outcome are skipped.';
