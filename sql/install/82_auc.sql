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
