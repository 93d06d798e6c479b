-- Predictive models (issue 19): the objects of sql/install/80_* to 8x_*,
-- new in 0.2.0 and created here exactly as a fresh install creates them.

-- as in sql/install/80_outcome_counts.sql
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

-- as in sql/install/81_logistic_regression.sql
-- The aggregate crisk.logistic_regression and its result type
-- crisk.logit_fit (src/logistic_regression.c).

CREATE TYPE crisk.logit_fit AS (
    coefficients    pg_catalog.float8[],
    std_errors      pg_catalog.float8[],
    log_likelihood  pg_catalog.float8,
    iterations      pg_catalog.int4,
    converged       pg_catalog.bool
);
COMMENT ON TYPE crisk.logit_fit IS
    'A fitted logistic regression: coefficients (intercept first, then one per element of x), their standard errors, the log-likelihood of the sample, the Newton (IRLS) iterations taken and whether they converged.';

CREATE FUNCTION crisk.logistic_regression_transition(state crisk.outcome_counts,
                                                     y pg_catalog.bool,
                                                     x pg_catalog.float8[])
    RETURNS crisk.outcome_counts
    AS 'MODULE_PATHNAME', 'crisk_logistic_regression_transition'
    LANGUAGE C IMMUTABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk.logistic_regression_transition(crisk.outcome_counts, pg_catalog.bool, pg_catalog.float8[]) IS
    'Transition function of crisk.logistic_regression: counts the row under its pattern of x, as y true or false; rows with a NULL y, x or element of x are skipped.';

CREATE FUNCTION crisk.logistic_regression_final(crisk.outcome_counts)
    RETURNS crisk.logit_fit
    AS 'MODULE_PATHNAME', 'crisk_logistic_regression_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.logistic_regression_final(crisk.outcome_counts) IS
    'Final function of crisk.logistic_regression: maximum-likelihood fit by Newton-Raphson (IRLS) on the gathered rows; separation and collinearity raise 22023.';

CREATE AGGREGATE crisk.logistic_regression(y pg_catalog.bool, x pg_catalog.float8[]) (
    SFUNC = crisk.logistic_regression_transition,
    STYPE = crisk.outcome_counts,
    COMBINEFUNC = crisk.outcome_counts_combine,
    FINALFUNC = crisk.logistic_regression_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.logistic_regression(pg_catalog.bool, pg_catalog.float8[]) IS
    'Logistic regression of y (true = the event, e.g. the customer went bad) on the elements of x, with an intercept: coefficients agree with R''s glm(family = binomial). Rows with NULLs are skipped; no rows give NULL.';

-- as in sql/install/82_auc.sql
-- The aggregate crisk.auc (src/auc.c), over the state of
-- sql/install/80_outcome_counts.sql.

CREATE FUNCTION crisk.auc_final(crisk.outcome_counts)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_auc_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.auc_final(crisk.outcome_counts) IS
    'Final function of crisk.auc: the share of (good, bad) pairs where the good customer scores higher, ties counting one half; NULL without a bad or a good row.';

CREATE AGGREGATE crisk.auc(score pg_catalog.float8, bad pg_catalog.bool) (
    SFUNC = crisk.score_outcome_transition,
    STYPE = crisk.outcome_counts,
    COMBINEFUNC = crisk.outcome_counts_combine,
    FINALFUNC = crisk.auc_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.auc(pg_catalog.float8, pg_catalog.bool) IS
    'Area under the ROC curve of a score where higher means better credit: the probability that a good customer scores above a bad one, ties counting one half (R''s pROC::auc with direction ">"). Gini = 2 * AUC - 1. NULL without a bad or a good row.';

-- as in sql/install/83_ks.sql
-- The aggregate crisk.ks (src/ks.c), over the state of
-- sql/install/80_outcome_counts.sql.

CREATE FUNCTION crisk.ks_final(crisk.outcome_counts)
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_ks_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.ks_final(crisk.outcome_counts) IS
    'Final function of crisk.ks: the largest gap, over cut-offs, between the shares of bad and of good customers scoring at or below the cut-off; NULL without a bad or a good row.';

CREATE AGGREGATE crisk.ks(score pg_catalog.float8, bad pg_catalog.bool) (
    SFUNC = crisk.score_outcome_transition,
    STYPE = crisk.outcome_counts,
    COMBINEFUNC = crisk.outcome_counts_combine,
    FINALFUNC = crisk.ks_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.ks(pg_catalog.float8, pg_catalog.bool) IS
    'Kolmogorov-Smirnov statistic of a score, a fraction from 0 to 1: the largest gap between the share of bad customers and the share of good customers at or below a cut-off. NULL without a bad or a good row.';

-- as in sql/install/84_psi.sql
-- crisk.psi, the population stability index (src/psi.c).

CREATE FUNCTION crisk.psi(expected_share pg_catalog.float8[], actual_share pg_catalog.float8[])
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_psi'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.psi(pg_catalog.float8[], pg_catalog.float8[]) IS
    'Population stability index of a distribution over classes: sum of (actual - expected) * ln(actual / expected), one share per class, each array summing to 1. Below 0.10 stable, above 0.25 a significant shift; infinite when a class is empty in one array only.';
