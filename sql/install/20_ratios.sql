-- Receivables ratios from figures the caller already has (src/ratios.c):
-- crisk.dso, crisk.best_possible_dso, crisk.collection_effectiveness.
-- Exact numeric arithmetic, one rounding half away from zero to 2 decimals
-- (days for the DSOs, percent for the CEI).  NULL when the denominator is 0.

CREATE FUNCTION crisk.dso(receivables pg_catalog.numeric,
                          credit_sales pg_catalog.numeric,
                          period_days pg_catalog.int4)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_dso'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.dso(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.int4) IS
    'Days sales outstanding, standard method: receivables / credit_sales * period_days, in days to 2 decimals; NULL when credit_sales is 0.';

CREATE FUNCTION crisk.best_possible_dso(current_receivables pg_catalog.numeric,
                                        credit_sales pg_catalog.numeric,
                                        period_days pg_catalog.int4)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_best_possible_dso'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.best_possible_dso(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.int4) IS
    'Best possible DSO: current (not yet due) receivables / credit_sales * period_days, in days to 2 decimals; DSO minus this is the average days delinquent.';

CREATE FUNCTION crisk.collection_effectiveness(beginning_receivables pg_catalog.numeric,
                                               credit_sales pg_catalog.numeric,
                                               ending_receivables pg_catalog.numeric,
                                               ending_current_receivables pg_catalog.numeric,
                                               months pg_catalog.int4)
    RETURNS pg_catalog.numeric
    AS 'MODULE_PATHNAME', 'crisk_collection_effectiveness'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.collection_effectiveness(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.int4) IS
    'Collection effectiveness index over months: (beginning + credit_sales/months - ending) / (beginning + credit_sales/months - ending current) * 100, in percent to 2 decimals.';
