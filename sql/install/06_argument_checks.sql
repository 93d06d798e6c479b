-- Argument checks SQL functions share with the C code (src/argcheck.c).

-- The portfolio functions look back from as_of by intervals computed as
-- timestamps, which end two years short of PostgreSQL's dates at the
-- start and on 294276-12-31: SQL functions wrap as_of in this check where
-- they subtract an interval from it, so that an extreme date raises 22023
-- naming as_of instead of a bare 22008.  Everyone may run it (the
-- watch-list calls it with its reader's rights).
CREATE FUNCTION crisk._as_of_checked(as_of pg_catalog.date)
    RETURNS pg_catalog.date
    AS 'MODULE_PATHNAME', 'crisk_as_of_checked'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk._as_of_checked(pg_catalog.date) IS
    'Internal: returns as_of, or raises 22023 naming it when it is infinite or outside 4712-11-24 BC to 294276-12-31, the dates crisk can look back two years from.';
