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
