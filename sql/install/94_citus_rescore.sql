-- Rescoring on a store spread by crisk.distribute_store() (doc/citus.md):
-- whether crisk writes a distributed store, where Citus wants its
-- statements planned for their values and locks rows only one shard at a
-- time.
CREATE FUNCTION crisk._store_distributed()
    RETURNS pg_catalog.bool
    LANGUAGE C STABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS 'MODULE_PATHNAME', 'crisk_store_distributed_sql';
COMMENT ON FUNCTION crisk._store_distributed() IS
    'Internal: true when crisk.distribute_store() spread crisk''s store over a Citus cluster (crisk.account is a Citus table).';
