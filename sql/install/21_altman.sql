-- Altman Z-scores (src/altman.c): crisk.altman_z and crisk.altman_zone.

-- Not STRICT: 'z_double_prime' leaves out sales, so a NULL sales figure must
-- still give that score.  Any other NULL (or a NULL variant) gives NULL.
CREATE FUNCTION crisk.altman_z(working_capital pg_catalog.numeric,
                               retained_earnings pg_catalog.numeric,
                               ebit pg_catalog.numeric,
                               equity pg_catalog.numeric,
                               total_liabilities pg_catalog.numeric,
                               total_assets pg_catalog.numeric,
                               sales pg_catalog.numeric,
                               variant pg_catalog.text DEFAULT 'z_prime')
    RETURNS pg_catalog.float8
    AS 'MODULE_PATHNAME', 'crisk_altman_z'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.altman_z(pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.numeric, pg_catalog.text) IS
    'Altman Z-score of a balance sheet: variant ''z'' (public manufacturers, market equity), ''z_prime'' (private firms, book equity; the default) or ''z_double_prime'' (non-manufacturers, ignores sales). NULL when total_liabilities is 0.';

CREATE FUNCTION crisk.altman_zone(z pg_catalog.float8,
                                  variant pg_catalog.text DEFAULT 'z_prime')
    RETURNS pg_catalog.text
    AS 'MODULE_PATHNAME', 'crisk_altman_zone'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.altman_zone(pg_catalog.float8, pg_catalog.text) IS
    'Zone of an Altman Z-score: ''safe'' above the variant''s upper threshold (z 2.99, z_prime 2.9, z_double_prime 2.6), ''distress'' below its lower one (1.81, 1.23, 1.1), ''grey'' in between, thresholds included.';
