-- The guard of readers that give the single-node answer only (src/single_node.c).
-- Some readers cannot see the rows Citus keeps on worker nodes: crisk.ledger
-- (its inlined body hides the table from Citus's planner, which leaves the
-- coordinator's empty shell to be scanned) and what is read through it,
-- crisk.check_order and the session caches (which read tables directly).
-- They call this guard, so that a distributed store or ledger gives 0A000
-- instead of a different figure.  Without Citus it costs one syscache lookup.

CREATE FUNCTION crisk._require_single_node(what pg_catalog.text)
    RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'crisk_require_single_node_sql'
    LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk._require_single_node(pg_catalog.text) IS
    'True, or 0A000 naming what when a crisk table, the ledger source or a relation a ledger view reads is a Citus table: for readers that would not see rows on the worker nodes.';

-- The guard of the view crisk.ledger: its readers are inlined SQL, which
-- Citus plans over the shards only when crisk's planner hook shows it the
-- tables first (src/citus_inline.c, crisk preloaded after citus).  So on a
-- store spread by crisk.distribute_store() it passes where that hook runs
-- and raises 0A000 otherwise; with a ledger or crisk table made a Citus
-- table by hand it refuses as crisk._require_single_node does.
CREATE FUNCTION crisk._require_readable_ledger()
    RETURNS pg_catalog.bool
    AS 'MODULE_PATHNAME', 'crisk_require_readable_ledger'
    LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION crisk._require_readable_ledger() IS
    'True where reading crisk.ledger gives the single-node answer: one node, a local store, or a store distributed by crisk.distribute_store() on nodes that preload citus then crisk; 0A000 otherwise.';
