-- crisk.distribute_store(): spreading crisk's store over a Citus cluster
-- (doc/citus.md).  This release checks the cluster and says exactly what
-- keeps the store from being distributed; it distributes nothing, since
-- crisk's readers would not yet give the single-node answer there (they
-- raise 0A000 through crisk._require_single_node() when a crisk table or
-- the ledger is a Citus table).

CREATE FUNCTION crisk.distribute_store()
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    own_version pg_catalog.text;
    workers     pg_catalog.int4 := 0;
    missing     pg_catalog.text[] := '{}';
    blockers    pg_catalog.text[];
    node        record;
BEGIN
    IF NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r
            WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER) THEN
        RAISE EXCEPTION 'permission denied for crisk.distribute_store()'
            USING ERRCODE = '42501',
                  DETAIL = 'Distributing crisk''s store changes its tables on every node.',
                  HINT = 'Run it as a superuser.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_extension e
                   WHERE e.extname OPERATOR(pg_catalog.=) 'citus') THEN
        RAISE EXCEPTION 'crisk.distribute_store() needs Citus'
            USING ERRCODE = '0A000',
                  DETAIL = 'The citus extension is not installed in this database.',
                  HINT = 'Run it on a Citus coordinator, with citus and crisk installed in this database on every node; see doc/citus.md.';
    END IF;
    IF NOT pg_catalog.citus_is_coordinator() THEN
        RAISE EXCEPTION 'crisk.distribute_store() must run on the Citus coordinator'
            USING ERRCODE = '0A000',
                  DETAIL = 'This node is not the coordinator of its Citus cluster.',
                  HINT = 'Connect to the coordinator, or make this node one with citus_set_coordinator_host().';
    END IF;

    -- crisk at the same version on every active worker.
    SELECT e.extversion INTO own_version FROM pg_catalog.pg_extension e
    WHERE e.extname OPERATOR(pg_catalog.=) 'crisk';
    FOR node IN
        SELECT w.nodename, w.nodeport, w.success, w.result
        FROM pg_catalog.run_command_on_workers(
            $q$SELECT coalesce((SELECT e.extversion FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'crisk'), 'none')$q$) w
        ORDER BY w.nodename, w.nodeport
    LOOP
        workers := workers OPERATOR(pg_catalog.+) 1;
        IF NOT node.success OR node.result OPERATOR(pg_catalog.<>) own_version THEN
            missing := pg_catalog.array_append(missing, pg_catalog.format('%s:%s (%s)',
                node.nodename, node.nodeport,
                CASE WHEN NOT node.success THEN 'unreachable: ' OPERATOR(pg_catalog.||) node.result
                     WHEN node.result OPERATOR(pg_catalog.=) 'none' THEN 'crisk not installed'
                     ELSE 'crisk ' OPERATOR(pg_catalog.||) node.result END));
        END IF;
    END LOOP;
    IF workers OPERATOR(pg_catalog.=) 0 THEN
        RAISE EXCEPTION 'the Citus cluster has no active worker node'
            USING ERRCODE = '0A000',
                  HINT = 'Add the workers with citus_add_node() first.';
    END IF;
    IF pg_catalog.cardinality(missing) OPERATOR(pg_catalog.>) 0 THEN
        RAISE EXCEPTION 'crisk % is not installed on every worker node', own_version
            USING ERRCODE = '0A000',
                  DETAIL = pg_catalog.array_to_string(missing, E'\n'),
                  HINT = 'Run CREATE EXTENSION crisk (or ALTER EXTENSION crisk UPDATE) in this database on each worker.';
    END IF;

    -- What Citus refuses in the per-customer tables, then what crisk's
    -- readers cannot do yet.
    SELECT pg_catalog.array_agg(b.line ORDER BY b.line) INTO blockers
    FROM (SELECT pg_catalog.format('%s: %s %s does not include customer_id',
                     c.conrelid::pg_catalog.regclass,
                     CASE c.contype WHEN 'p' THEN 'primary key' ELSE 'unique constraint' END,
                     c.conname) AS line
          FROM pg_catalog.pg_constraint c
          JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.conrelid
               AND a.attname OPERATOR(pg_catalog.=) 'customer_id' AND NOT a.attisdropped
          WHERE c.connamespace OPERATOR(pg_catalog.=) 'crisk'::pg_catalog.regnamespace
            AND c.contype OPERATOR(pg_catalog.=) ANY ('{p,u}'::pg_catalog.char[])
            AND NOT a.attnum OPERATOR(pg_catalog.=) ANY (c.conkey)
          UNION ALL
          SELECT pg_catalog.format('%s: foreign key %s cascades updates of customer_id',
                     c.conrelid::pg_catalog.regclass, c.conname)
          FROM pg_catalog.pg_constraint c
          WHERE c.connamespace OPERATOR(pg_catalog.=) 'crisk'::pg_catalog.regnamespace
            AND c.contype OPERATOR(pg_catalog.=) 'f'
            AND c.confupdtype OPERATOR(pg_catalog.=) 'c'
          UNION ALL
          SELECT pg_catalog.format('%s: triggers %s would run on the workers, against their own copies of crisk''s tables',
                     t.tgrelid::pg_catalog.regclass,
                     pg_catalog.string_agg(t.tgname::pg_catalog.text, ', ' ORDER BY t.tgname))
          FROM pg_catalog.pg_trigger t
          JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) t.tgrelid
          WHERE r.relnamespace OPERATOR(pg_catalog.=) 'crisk'::pg_catalog.regnamespace
            AND NOT t.tgisinternal
          GROUP BY t.tgrelid) b;
    blockers := pg_catalog.array_append(blockers,
        'crisk.ledger, crisk.check_order and the session caches of crisk''s small tables read the coordinator''s own rows, not the workers''');
    RAISE EXCEPTION 'distributing crisk''s store is not supported yet'
        USING ERRCODE = '0A000',
              DETAIL = pg_catalog.format('The cluster is ready (crisk %s on %s workers), but: %s.',
                  own_version, workers, pg_catalog.array_to_string(blockers, E';\n')),
              HINT = 'Keep crisk''s store on one node and distribute your own tables; crisk''s aggregates run on them (doc/citus.md).';
END
$$;
COMMENT ON FUNCTION crisk.distribute_store() IS
    'On a Citus coordinator with crisk on every worker: checks the cluster, then raises 0A000 listing what keeps crisk''s store from being distributed in this release (nothing is changed). Superuser only.';
REVOKE ALL ON FUNCTION crisk.distribute_store() FROM PUBLIC;
