-- crisk.psi, the population stability index (src/psi.c).

CREATE FUNCTION crisk.psi(expected_share pg_catalog.float8[], actual_share pg_catalog.float8[])
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_psi'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.psi(pg_catalog.float8[], pg_catalog.float8[]) IS
    'Population stability index of a distribution over classes: sum of (actual - expected) * ln(actual / expected), one share per class, each array summing to 1. Below 0.10 stable, above 0.25 a significant shift; infinite when a class is empty in one array only.';
