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
