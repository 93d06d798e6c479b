-- Catalog hygiene, in the spirit of PostgreSQL's opr_sanity test: every
-- crisk function says truthfully how volatile and how parallel-safe it is.
--   * An IMMUTABLE or STABLE function is PARALLEL SAFE or RESTRICTED,
--     unless the allow-list below says why it must stay UNSAFE.
--   * A function that writes (INSERT, UPDATE, DELETE, TRUNCATE, MERGE,
--     sequences, notifications, or a call to a VOLATILE crisk function) is
--     VOLATILE; so is every trigger function, every function returning
--     void, and the C functions known to write.
--   * An IMMUTABLE SQL or PL/pgSQL function reads no table.
--   * An aggregate with a combine function is PARALLEL SAFE, and so are
--     the support functions of every PARALLEL SAFE aggregate.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE crisk_function AS
    SELECT p.oid, p.oid::pg_catalog.regprocedure::pg_catalog.text AS signature,
           p.proname, p.provolatile, p.proparallel, p.prokind, p.prorettype,
           l.lanname, p.prosrc
    FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_language l ON l.oid = p.prolang
    JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                               AND d.objid = p.oid AND d.deptype = 'e'
    JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid AND e.extname = 'crisk';

-- Functions that stay PARALLEL UNSAFE although they only read, and why.
CREATE TEMP TABLE parallel_unsafe_allowed (signature text PRIMARY KEY, reason text NOT NULL);
INSERT INTO parallel_unsafe_allowed VALUES
    ('crisk.aged_balance_at(date)',
     'reads crisk.ledger, whose source (crisk.set_ledger) may call functions of any parallel safety, through SPI where the planner cannot see them'),
    ('crisk.portfolio_kpi_at(date,text)', 'reads crisk.ledger through SPI (see aged_balance_at)'),
    ('crisk.watchlist_at(date)', 'reads crisk.ledger through SPI (see aged_balance_at)'),
    ('crisk.dunning_worklist_at(date)', 'reads crisk.ledger through SPI (see aged_balance_at)'),
    ('crisk.dunning_letters_at(date)', 'reads crisk.ledger through SPI (see aged_balance_at)'),
    ('crisk._dunning_open_invoices_at(date)', 'reads crisk.ledger (see _rescore_worklist)'),
    ('crisk._dunning_items_at(date)', 'reads crisk.ledger (see _rescore_worklist)'),
    ('crisk._dunning_items_at_distributed(date)', 'reads crisk.ledger (see _rescore_worklist)'),
    ('crisk.promise_status_at(date)', 'reads crisk.ledger through SPI (see aged_balance_at)'),
    ('crisk._broken_promises_12m(text[],date)', 'reads crisk.ledger through crisk.promise_status_at (see aged_balance_at)'),
    ('crisk.customer_dossier(text)', 'reads crisk.ledger through SPI (see aged_balance_at)'),
    ('crisk._rescore_worklist(date)',
     'reads crisk.ledger; inlined into the pass''s query, where the planner judges the source itself, but not when called as a function'),
    ('crisk._rescore_items(text[],date)', 'reads crisk.ledger (see _rescore_worklist)'),
    ('crisk._promise_status_rows(date)', 'reads crisk.ledger (see _rescore_worklist)'),
    ('crisk.development_sample(date,interval,integer)',
     'reads crisk.ledger itself and through crisk._rescore_worklist (see _rescore_worklist)');

SELECT is_empty($$
    SELECT f.signature FROM crisk_function f
    WHERE f.provolatile IN ('i', 's') AND f.proparallel = 'u'
      AND f.signature NOT IN (SELECT signature FROM parallel_unsafe_allowed)
$$, 'every IMMUTABLE or STABLE function is PARALLEL SAFE or RESTRICTED, or allow-listed with a reason');

SELECT is_empty($$
    SELECT a.signature FROM parallel_unsafe_allowed a
    LEFT JOIN crisk_function f ON f.signature = a.signature
    WHERE f.oid IS NULL OR f.proparallel <> 'u' OR f.provolatile = 'v'
$$, 'every allow-listed function exists, reads only, and is PARALLEL UNSAFE (the list stays current)');

SELECT is_empty($$
    SELECT f.signature FROM crisk_function f
    WHERE f.provolatile <> 'v'
      AND f.lanname IN ('sql', 'plpgsql')
      AND pg_catalog.regexp_replace(f.prosrc, '--[^\n]*', '', 'g')
          ~* '\m(insert\s+into|update\s+\S+\s+set|delete\s+from|truncate|merge\s+into|nextval|setval|pg_notify|set_config)\M'
$$, 'no IMMUTABLE or STABLE SQL or PL/pgSQL function writes');

SELECT is_empty($$
    SELECT f.signature || ' calls ' || v.signature
    FROM crisk_function f
    JOIN crisk_function v ON v.provolatile = 'v' AND v.prokind = 'f'
    WHERE f.provolatile <> 'v'
      AND f.lanname IN ('sql', 'plpgsql')
      AND f.prosrc ~ ('\mcrisk\.' || v.proname || '\(')
$$, 'no IMMUTABLE or STABLE function calls a VOLATILE crisk function');

SELECT is_empty($$
    SELECT f.signature FROM crisk_function f
    WHERE f.provolatile <> 'v'
      AND (f.prorettype IN ('pg_catalog.trigger'::pg_catalog.regtype,
                            'pg_catalog.event_trigger'::pg_catalog.regtype,
                            'pg_catalog.void'::pg_catalog.regtype)
           OR (f.lanname = 'c' AND f.prosrc IN (
               'crisk_rescore', 'crisk_rescore_queued', 'crisk_request_rescore',
               'crisk_purge_history', 'crisk_forget_customer')))
$$, 'trigger functions, functions returning void and the C functions that write are VOLATILE');

SELECT is_empty($$
    SELECT f.signature FROM crisk_function f
    WHERE f.provolatile = 'i'
      AND f.lanname IN ('sql', 'plpgsql')
      AND f.prosrc ~* '\m(from|join)\s+crisk\.'
$$, 'no IMMUTABLE SQL or PL/pgSQL function reads a crisk table');

SELECT is_empty($$
    SELECT f.signature FROM crisk_function f
    JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = f.oid
    WHERE a.aggcombinefn <> 0 AND f.proparallel <> 's'
$$, 'every aggregate with a combine function is PARALLEL SAFE');

SELECT is_empty($$
    SELECT f.signature || ': ' || s.oid::pg_catalog.regprocedure::pg_catalog.text
    FROM crisk_function f
    JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = f.oid
    JOIN pg_catalog.pg_proc s
      ON s.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn)
    WHERE f.proparallel = 's' AND s.proparallel <> 's'
$$, 'the support functions of a PARALLEL SAFE aggregate are PARALLEL SAFE');

SELECT is_empty($$
    SELECT f.signature || ': ' || s.oid::pg_catalog.regprocedure::pg_catalog.text
    FROM crisk_function f
    JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = f.oid
    JOIN pg_catalog.pg_proc s
      ON s.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn)
    WHERE f.provolatile = 'i' AND s.provolatile <> 'i'
$$, 'the support functions of an IMMUTABLE aggregate are IMMUTABLE');

SELECT * FROM finish();
ROLLBACK;
