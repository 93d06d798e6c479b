-- crisk._require_single_node(what): readers that would read only this
-- node's rows refuse, with 0A000, once Citus lists a crisk table or the
-- ledger in pg_catalog.pg_dist_partition.  Without Citus the catalog does
-- not exist and the guard passes; here a stand-in catalog with Citus's
-- first column plays Citus's part (test/citus/030_store.pl runs the real
-- thing).  Everything is rolled back at the end.
BEGIN;
\set ON_ERROR_ROLLBACK on
\set VERBOSITY default
\set SHOW_CONTEXT never

INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES ('G1', 'Guarded', 10000);
INSERT INTO crisk.invoice VALUES ('G-1', 'G1', 1200.00, '2026-01-01', '2026-01-31', NULL);

-- No Citus: the guard passes and the readers answer.
SELECT crisk._require_single_node('anything') AS passes;
SELECT customer_id, total_open FROM crisk.aged_balance_at('2026-03-01');
SELECT decision FROM crisk.check_order('G1', 100);

-- crisk.distribute_store() needs Citus.
SELECT crisk.distribute_store();
\echo :LAST_ERROR_SQLSTATE

-- Citus's catalog, with nothing of crisk's in it: still the answers.
SET LOCAL allow_system_table_mods = on;
CREATE TABLE pg_catalog.pg_dist_partition (logicalrelid pg_catalog.regclass NOT NULL);
SELECT crisk._require_single_node('anything') AS passes;
SELECT customer_id, total_open FROM crisk.aged_balance_at('2026-03-01');

-- An ERP table in it: crisk.set_ledger refuses it, and a view over it.
CREATE TABLE public.erp_invoice AS SELECT * FROM crisk.invoice;
CREATE VIEW public.erp_ledger AS SELECT * FROM public.erp_invoice;
INSERT INTO pg_catalog.pg_dist_partition VALUES ('public.erp_invoice');
SELECT crisk._require_single_node('anything') AS passes;
SELECT crisk.set_ledger('public.erp_invoice');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_ledger('public.erp_ledger');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS sources_set FROM crisk.ledger_source;

-- An ERP ledger listed once set_ledger named it, read directly or through
-- a view: the ledger's readers refuse, naming the table.
DELETE FROM pg_catalog.pg_dist_partition;
SELECT crisk.set_ledger('public.erp_invoice');
INSERT INTO pg_catalog.pg_dist_partition VALUES ('public.erp_invoice');
SELECT customer_id, total_open FROM crisk.aged_balance_at('2026-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM crisk.ledger;
\echo :LAST_ERROR_SQLSTATE
DELETE FROM pg_catalog.pg_dist_partition;
SELECT crisk.set_ledger('public.erp_ledger');
INSERT INTO pg_catalog.pg_dist_partition VALUES ('public.erp_invoice');
SELECT customer_id, total_open FROM crisk.aged_balance_at('2026-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_ledger('crisk.invoice');
SELECT customer_id, total_open FROM crisk.aged_balance_at('2026-03-01');
DELETE FROM pg_catalog.pg_dist_partition;

-- A crisk table in it: crisk's direct readers refuse as well.
-- crisk.account listed is what crisk.distribute_store() leaves: the ledger's
-- readers, rescoring among them, then need crisk's planner hook (crisk
-- preloaded after citus), absent here, and say so.
INSERT INTO pg_catalog.pg_dist_partition VALUES ('crisk.account');
SELECT decision FROM crisk.check_order('G1', 100);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.rescore(ARRAY['G1'], '2026-03-01');
\echo :LAST_ERROR_SQLSTATE
SELECT customer_id, total_open FROM crisk.aged_balance_at('2026-03-01');
\echo :LAST_ERROR_SQLSTATE
-- A session cache reads its own table, which is not listed: the answer.
SELECT crisk.late_payment_interest(1000, '2026-01-01', '2026-03-01');
-- A distributed store (crisk.distribute_store() lists crisk.account) reads
-- crisk.invoice only.
SELECT crisk.set_ledger('public.erp_invoice');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.set_ledger('crisk.invoice');
ROLLBACK;
