-- Citus: the single-node guard of readers and crisk.distribute_store()
-- (sql/install/07_single_node.sql, 51_ledger.sql's crisk.ledger, 90_citus.sql).
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

CREATE OR REPLACE VIEW crisk.ledger AS
    SELECT l.invoice_id, l.customer_id, l.amount, l.issue_date, l.due_date, l.paid_date
    FROM crisk.ledger_rows() AS l
    WHERE crisk._require_readable_ledger();

CREATE FUNCTION crisk.distribute_store()
    RETURNS void
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    own_version pg_catalog.text;
    workers     pg_catalog.int4 := 0;
    missing     pg_catalog.text[] := '{}';
    node        record;
    con         record;
    statement   pg_catalog.text;
    per_customer pg_catalog.text[];
    ddl          pg_catalog.text[] := '{}';
    foreign_keys pg_catalog.text[] := '{}';
    shared       pg_catalog.text[] := ARRAY['scorecard', 'limit_policy', 'event_kind', 'alert_kind',
        'dunning_policy', 'dunning_template', 'reference_rate', 'legal_interest_rate',
        'provision_matrix', 'model_fit'];
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

    -- crisk's store on the cluster.  Every table with a customer_id (but
    -- the log of the coordinator's passes, crisk.job_error) is distributed
    -- by it, co-located with crisk.account, the rescore queue included:
    -- change tracking runs on the shards and queues a customer in the
    -- co-located shard (a reference table could not be written there).
    -- The shared tables are reference tables; the rest (the pass log, the
    -- one-row settings, the erasure log, allocations) stays on the
    -- coordinator.
    IF EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
               WHERE p.logicalrelid OPERATOR(pg_catalog.=) 'crisk.account'::pg_catalog.regclass) THEN
        RAISE NOTICE 'crisk''s store is already distributed';
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM crisk.ledger_source) THEN
        RAISE EXCEPTION 'crisk.distribute_store() needs crisk''s own ledger'
            USING ERRCODE = '0A000',
                  DETAIL = pg_catalog.format('crisk reads its invoices from %s (crisk.set_ledger); the distributed store reads crisk.invoice, distributed with the accounts.',
                      (SELECT l.source FROM crisk.ledger_source l)),
                  HINT = 'Load the invoices into crisk.invoice and run SELECT crisk.set_ledger(''crisk.invoice'') first.';
    END IF;
    SELECT pg_catalog.array_agg(c.relname::pg_catalog.text ORDER BY c.relname OPERATOR(pg_catalog.<>) 'account', c.relname)
    INTO per_customer
    FROM pg_catalog.pg_class c
    WHERE c.relnamespace OPERATOR(pg_catalog.=) 'crisk'::pg_catalog.regnamespace
      AND c.relkind OPERATOR(pg_catalog.=) 'r'
      AND NOT c.relname OPERATOR(pg_catalog.=) ANY (shared OPERATOR(pg_catalog.||) '{job_error}'::pg_catalog.text[])
      AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                  WHERE a.attrelid OPERATOR(pg_catalog.=) c.oid
                    AND a.attname OPERATOR(pg_catalog.=) 'customer_id' AND NOT a.attisdropped)
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                      WHERE p.logicalrelid OPERATOR(pg_catalog.=) c.oid);

    -- Citus copies the rows into the shards with crisk's triggers quiet
    -- (the shipped-row guards would take the copy of a shipped row for a
    -- user's insert); on the shards they then run as on one node, and
    -- what they write in other crisk tables Citus routes to those tables'
    -- shards.  These settings go to the workers with the transaction:
    -- Citus passes on the SET LOCAL of a multi-statement transaction, as
    -- which it takes a DO block, not a function called by a SELECT.
    SET LOCAL citus.propagate_set_commands = 'local';
    SET LOCAL citus.enable_unsafe_triggers = on;
    SET LOCAL citus.multi_shard_modify_mode = 'sequential';
    EXECUTE 'DO $set$ BEGIN SET LOCAL session_replication_role = ''replica''; END $set$';

    -- Citus keeps no unique constraint without the distribution column
    -- (uniqueness then holds per customer), and no foreign key that
    -- cascades updates of it (a customer_id is then changed by deleting
    -- and inserting).  The same changes run on every worker's copy of the
    -- table (Citus's shell there), in their own transactions, before the
    -- tables are distributed; foreign keys are added back afterwards.
    FOR con IN
        SELECT c.conrelid::pg_catalog.regclass AS rel, c.conname, c.contype,
               pg_catalog.pg_get_constraintdef(c.oid) AS def,
               (SELECT pg_catalog.string_agg(pg_catalog.quote_ident(a.attname), ', ' ORDER BY k.i)
                FROM pg_catalog.unnest(c.conkey) WITH ORDINALITY AS k(attnum, i)
                JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.conrelid
                     AND a.attnum OPERATOR(pg_catalog.=) k.attnum) AS columns,
               EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid OPERATOR(pg_catalog.=) c.conrelid
                         AND a.attname OPERATOR(pg_catalog.=) 'customer_id'
                         AND a.attnum OPERATOR(pg_catalog.=) ANY (c.conkey)) AS has_customer
        FROM pg_catalog.pg_constraint c
        JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) c.conrelid
        WHERE r.relnamespace OPERATOR(pg_catalog.=) 'crisk'::pg_catalog.regnamespace
          AND r.relname OPERATOR(pg_catalog.=) ANY (per_customer)
          AND c.contype OPERATOR(pg_catalog.=) ANY ('{p,u,f}'::pg_catalog.char[])
        ORDER BY c.conrelid, c.conname
    LOOP
        IF con.contype OPERATOR(pg_catalog.=) 'f' THEN
            ddl := ddl OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I',
                con.rel, con.conname);
            foreign_keys := foreign_keys OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s',
                con.rel, con.conname, pg_catalog.replace(con.def, ' ON UPDATE CASCADE', ''));
        ELSIF NOT con.has_customer THEN
            ddl := ddl OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I',
                con.rel, con.conname)
                OPERATOR(pg_catalog.||) pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s (customer_id, %s)',
                con.rel, con.conname,
                CASE con.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END, con.columns);
        END IF;
    END LOOP;
    FOREACH statement IN ARRAY ddl LOOP
        EXECUTE statement;
    END LOOP;
    IF pg_catalog.cardinality(ddl) OPERATOR(pg_catalog.>) 0 THEN
        FOR node IN
            SELECT w.nodename, w.nodeport, w.success, w.result
            FROM pg_catalog.run_command_on_workers(
                'SET citus.enable_ddl_propagation TO off; '
                OPERATOR(pg_catalog.||) pg_catalog.array_to_string(ddl, '; ')) w
        LOOP
            IF NOT node.success THEN
                RAISE EXCEPTION 'could not prepare crisk''s tables on worker %:%', node.nodename, node.nodeport
                    USING ERRCODE = '0A000', DETAIL = node.result;
            END IF;
        END LOOP;
    END IF;

    -- The queue's "everyone" rows (a NULL customer_id) cannot be
    -- distributed: everyone is queued by name instead.
    IF EXISTS (SELECT 1 FROM crisk.rescore_queue q WHERE q.customer_id IS NULL) THEN
        INSERT INTO crisk.rescore_queue (customer_id)
        SELECT a.customer_id FROM crisk.account a
        UNION
        SELECT i.customer_id FROM crisk.invoice i;
        DELETE FROM crisk.rescore_queue q WHERE q.customer_id IS NULL;
    END IF;
    FOREACH statement IN ARRAY shared LOOP
        IF pg_catalog.to_regclass('crisk.' OPERATOR(pg_catalog.||) statement) IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
                           WHERE p.logicalrelid OPERATOR(pg_catalog.=) ('crisk.' OPERATOR(pg_catalog.||) statement)::pg_catalog.regclass) THEN
            PERFORM pg_catalog.create_reference_table(('crisk.' OPERATOR(pg_catalog.||) statement)::pg_catalog.regclass);
            PERFORM pg_catalog.truncate_local_data_after_distributing_table(('crisk.' OPERATOR(pg_catalog.||) statement)::pg_catalog.regclass);
        END IF;
    END LOOP;
    FOREACH statement IN ARRAY per_customer LOOP
        PERFORM pg_catalog.create_distributed_table(('crisk.' OPERATOR(pg_catalog.||) statement)::pg_catalog.regclass,
            'customer_id', colocate_with => CASE WHEN statement OPERATOR(pg_catalog.=) 'account' THEN 'default' ELSE 'crisk.account' END);
    END LOOP;
    FOREACH statement IN ARRAY foreign_keys LOOP
        EXECUTE statement;
    END LOOP;
    FOREACH statement IN ARRAY per_customer LOOP
        PERFORM pg_catalog.truncate_local_data_after_distributing_table(('crisk.' OPERATOR(pg_catalog.||) statement)::pg_catalog.regclass);
    END LOOP;

    -- The ledger stays crisk.invoice (crisk.set_ledger refuses any other
    -- source now): emptying crisk.ledger_source again, as
    -- crisk.set_ledger('crisk.invoice') does, need not queue everyone,
    -- which a distributed queue could not hold (a NULL customer_id).
    ALTER TABLE crisk.ledger_source DISABLE TRIGGER crisk_track_changes;

    -- Triggers that fire on a worker draw identities from that worker's
    -- sequences: each node draws from its own range (its group id times
    -- 2^48), so that identities stay unique across the cluster.
    FOR node IN
        SELECT w.nodename, w.nodeport, w.success, w.result
        FROM pg_catalog.run_command_on_workers($q$
            SELECT pg_catalog.count(pg_catalog.setval(d.objid::pg_catalog.regclass,
                       GREATEST(pg_catalog.nextval(d.objid::pg_catalog.regclass),
                           (SELECT g.groupid::pg_catalog.int8 OPERATOR(pg_catalog.<<) 48 FROM pg_catalog.pg_dist_local_group g))))
            FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_class s ON s.oid OPERATOR(pg_catalog.=) d.objid
            JOIN pg_catalog.pg_class t ON t.oid OPERATOR(pg_catalog.=) d.refobjid
            WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
              AND s.relkind OPERATOR(pg_catalog.=) 'S'
              AND d.deptype OPERATOR(pg_catalog.=) 'i'
              AND t.relnamespace OPERATOR(pg_catalog.=) 'crisk'::pg_catalog.regnamespace$q$) w
    LOOP
        IF NOT node.success THEN
            RAISE EXCEPTION 'could not set the identity ranges on worker %:%', node.nodename, node.nodeport
                USING ERRCODE = '0A000', DETAIL = node.result;
        END IF;
    END LOOP;
    EXECUTE 'DO $set$ BEGIN SET LOCAL session_replication_role = ''origin''; END $set$';
    RAISE NOTICE 'crisk''s store is distributed: % tables by customer_id, % reference tables',
        pg_catalog.cardinality(per_customer), pg_catalog.cardinality(shared);
END
$$;
COMMENT ON FUNCTION crisk.distribute_store() IS
    'On a Citus coordinator with crisk on every worker: distributes crisk''s per-customer tables by customer_id (co-located with crisk.account) and makes its shared tables reference tables (doc/citus.md). Superuser only.';
REVOKE ALL ON FUNCTION crisk.distribute_store() FROM PUBLIC;

-- crisk.set_ledger() on a Citus cluster: crisk's readers cannot read a
-- ledger kept in Citus tables (named, or read through a view), and a store
-- spread by crisk.distribute_store() reads crisk.invoice only.
CREATE FUNCTION crisk._set_ledger_on_citus(source pg_catalog.regclass)
    RETURNS pg_catalog.bool
    LANGUAGE plpgsql
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    citus_table pg_catalog.text;
    distributed pg_catalog.bool;
BEGIN
    IF source IS NULL OR source OPERATOR(pg_catalog.=) 'crisk.invoice'::pg_catalog.regclass
       OR pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RETURN false;
    END IF;
    EXECUTE $q$SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition p
               WHERE p.logicalrelid OPERATOR(pg_catalog.=) 'crisk.account'::pg_catalog.regclass)$q$
    INTO distributed;
    IF distributed THEN
        RAISE EXCEPTION 'crisk.set_ledger cannot name another ledger on a distributed store'
            USING ERRCODE = '0A000',
                  DETAIL = 'crisk.distribute_store() spread crisk''s store over the cluster; its ledger is crisk.invoice, distributed with it.',
                  HINT = 'Load the invoices into crisk.invoice.';
    END IF;
    EXECUTE $q$
        WITH RECURSIVE read(relid) AS (
            SELECT $1
            UNION
            SELECT d.refobjid
            FROM read
            JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) read.relid
            JOIN pg_catalog.pg_depend d
              ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
             AND d.objid OPERATOR(pg_catalog.=) r.oid
             AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
             AND d.refobjid OPERATOR(pg_catalog.<>) read.relid)
        SELECT p.logicalrelid::pg_catalog.regclass::pg_catalog.text
        FROM pg_catalog.pg_dist_partition p
        WHERE p.logicalrelid OPERATOR(pg_catalog.=) ANY (SELECT read.relid FROM read)
        ORDER BY 1 LIMIT 1$q$
    INTO citus_table USING source::pg_catalog.oid;
    IF citus_table IS NOT NULL THEN
        RAISE EXCEPTION 'crisk.set_ledger cannot name a Citus table'
            USING ERRCODE = '0A000',
                  DETAIL = pg_catalog.format('%s is a Citus table; crisk''s readers cannot read a ledger on the worker nodes yet.', citus_table),
                  HINT = 'Keep crisk''s ledger on the coordinator, or load the invoices into crisk.invoice and run crisk.distribute_store() (doc/citus.md).';
    END IF;
    RETURN false;
END
$$;
COMMENT ON FUNCTION crisk._set_ledger_on_citus(pg_catalog.regclass) IS
    'For crisk.set_ledger(): raises 0A000 when the source is, or reads, a Citus table, or when crisk''s store is distributed and the source is not crisk.invoice; false otherwise.';
REVOKE ALL ON FUNCTION crisk._set_ledger_on_citus(pg_catalog.regclass) FROM PUBLIC;
