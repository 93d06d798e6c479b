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
