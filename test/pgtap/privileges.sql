-- Privileges: PUBLIC reads nothing in crisk's tables and runs none of the
-- functions that change data or read personal data; the README's GRANT
-- recipes give an order-entry role, a read-only BI role, a credit-manager
-- role and an ERP loading role exactly what they need.  The roles exist only inside this
-- transaction.
BEGIN;
SELECT plan(63);

-- No crisk table, view or sequence, whoever adds it: the issue's rule is
-- that nothing in crisk tables is readable by PUBLIC, reference data
-- included (the functions that use it read it themselves).
SELECT is_empty($$
    SELECT c.oid::regclass::text
    FROM pg_catalog.pg_class c
    WHERE c.relnamespace = 'crisk'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND pg_catalog.has_table_privilege('public', c.oid,
              'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')
$$, 'PUBLIC has no privilege on any crisk table, view or sequence');

-- Functions that change data, read personal data or run as their owner.
SELECT ok(NOT pg_catalog.has_function_privilege('public', p, 'EXECUTE'), 'PUBLIC may not execute ' || p)
FROM unnest(ARRAY['crisk.set_ledger(regclass)', 'crisk.check_order(text,numeric)',
                  'crisk.set_orders(regclass)', 'crisk.check_order(text,numeric,boolean,text)',
                  'crisk.set_credit_limit(text,numeric,text)', 'crisk.set_limit_locked(text,boolean,text)',
                  'crisk.raise_alert(text,text,text,text,text,jsonb,bigint)',
                  'crisk.acknowledge_alert(bigint,text)', 'crisk.customer_dossier(text)',
                  'crisk.forget_customer(text)', 'crisk.purge_history(interval)',
                  'crisk.distribute_store()']) AS p;
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = 'crisk'::regnamespace AND p.prorettype = 'trigger'::regtype
      AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')
$$, 'PUBLIC may not execute crisk''s trigger functions');
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = 'crisk'::regnamespace AND p.prosecdef
      AND pg_catalog.has_function_privilege('public', p.oid, 'EXECUTE')
$$, 'PUBLIC may not execute any SECURITY DEFINER function');
-- Every SQL and PL/pgSQL function pins its search_path, but those that
-- must stay inlinable and name everything with its schema:
-- crisk.ledger_rows(), crisk.allocation_rows(), crisk.open_items_at(), its
-- twin for a distributed store and the allocation totals both read,
-- crisk.ledger_parts(), what was known on a date (scores_at, limits_at),
-- the *_at functions whose views are them at today and the dunning
-- worklist's invoices with their latest action (and the twin), the two lists of
-- customers a rescoring pass reads with the profile counts they use, the
-- alert rules its write statement selects from, and the promises' status
-- it counts the broken ones from.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
    JOIN pg_catalog.pg_language l ON l.oid = p.prolang
    WHERE p.pronamespace = 'crisk'::regnamespace AND l.lanname IN ('sql', 'plpgsql')
      AND p.oid NOT IN ('crisk.ledger_rows()'::regprocedure,
                        'crisk.allocation_rows()'::regprocedure,
                        'crisk.open_items_at(date)'::regprocedure,
                        'crisk._open_items_at_distributed(date)'::regprocedure,
                        'crisk._allocations_applied_at(date)'::regprocedure,
                        'crisk._allocations_consumed_at(date)'::regprocedure,
                        'crisk.ledger_parts()'::regprocedure,
                        'crisk.scores_at(date)'::regprocedure,
                        'crisk.limits_at(date)'::regprocedure,
                        'crisk._profile_item_counts(crisk.payment_profile,bigint,bigint)'::regprocedure,
                        'crisk.watchlist_at(date)'::regprocedure,
                        'crisk.aged_balance_at(date)'::regprocedure,
                        'crisk.dunning_worklist_at(date)'::regprocedure,
                        'crisk._dunning_open_invoices_at(date)'::regprocedure,
                        'crisk._dunning_items_at(date)'::regprocedure,
                        'crisk._dunning_items_at_distributed(date)'::regprocedure,
                        'crisk.dunning_letters_at(date)'::regprocedure,
                        'crisk._rescore_worklist(date)'::regprocedure,
                        'crisk._rescore_items(text[], date)'::regprocedure,
                        'crisk._promise_status_rows(date)'::regprocedure,
                        'crisk._alert_rules(text,date,boolean,integer,integer,integer,text,text,text,bigint,bigint,numeric,double precision,double precision,numeric,numeric,numeric,date,date,date,timestamp with time zone,double precision,double precision,timestamp with time zone,text[],jsonb)'::regprocedure)
      AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
$$, 'every SQL and PL/pgSQL function in crisk sets search_path = pg_catalog, pg_temp');

-- Those exceptions are inlined indeed: no function scan is left in a plan.
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    line text;
    plan text := '';
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        plan := plan || line || E'\n';
    END LOOP;
    RETURN plan;
END
$$;
SELECT unalike(pg_temp.plan_of('SELECT w FROM crisk._rescore_worklist(current_date) AS w'),
               '%Function Scan on _rescore_worklist%', 'crisk._rescore_worklist() is inlined into its caller''s query');
SELECT unalike(pg_temp.plan_of('SELECT i FROM crisk._rescore_items(''{A,B}'', current_date) AS i'),
               '%Function Scan on _rescore_items%', 'crisk._rescore_items() is inlined into its caller''s query');
SELECT unalike(pg_temp.plan_of($q$SELECT s.customer_id FROM crisk._promise_status_rows(current_date) AS s
    WHERE s.customer_id = 'A'$q$),
               '%Function Scan on _promise_status_rows%', 'crisk._promise_status_rows() is inlined into its caller''s query');
SELECT unalike(pg_temp.plan_of($q$SELECT x.* FROM (VALUES ('A'::text, 40, 70)) AS w(customer_id, score, previous_score)
    CROSS JOIN LATERAL crisk._alert_rules(w.customer_id, current_date, true, 15, w.score, w.previous_score,
        'C', 'B', 'standard', 12, 3, 5000, 20, 4, 1000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL) AS x$q$),
               '%Function Scan on _alert_rules%', 'crisk._alert_rules() is inlined into the write statement''s query');
SELECT unalike(pg_temp.plan_of('SELECT * FROM crisk.open_items_at(current_date)'),
               '%Function Scan%', 'crisk.open_items_at() and the allocation totals it reads are inlined');
SELECT unalike(pg_temp.plan_of('SELECT * FROM crisk._open_items_at_distributed(current_date)'),
               '%Function Scan%', 'crisk._open_items_at_distributed() and the allocation totals it reads are inlined');
SELECT unalike(pg_temp.plan_of('SELECT * FROM crisk.dunning_worklist_at(current_date)'),
               '%Function Scan%', 'crisk.dunning_worklist_at() and the invoices with their latest action it reads are inlined');
SELECT unalike(pg_temp.plan_of('SELECT * FROM crisk._dunning_items_at_distributed(current_date)'),
               '%Function Scan%', 'crisk._dunning_items_at_distributed() and the invoices it reads are inlined');

-- Some data to act on.
INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES ('P1', 'Privileges test', 1000);
INSERT INTO crisk.invoice VALUES ('P1-1', 'P1', 300, '2024-01-01', current_date + 10, NULL);
INSERT INTO crisk.alert (kind, customer_id, severity, message) VALUES ('downgrade', 'P1', 'warning', 'test');

-- The ERP order-entry recipe: EXECUTE on check_order, nothing else.
CREATE ROLE regress_crisk_erp;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_erp;
GRANT EXECUTE ON FUNCTION crisk.check_order(text, numeric) TO regress_crisk_erp;
SET LOCAL ROLE regress_crisk_erp;
SELECT results_eq($$SELECT decision, available_credit FROM crisk.check_order('P1', 100)$$,
                  $$VALUES ('approve'::text, 700::numeric)$$,
                  'order entry gets a decision from check_order');
SELECT throws_ok($$SELECT * FROM crisk.account$$, '42501', NULL, 'order entry cannot read accounts');
SELECT throws_ok($$SELECT * FROM crisk.ledger$$, '42501', NULL, 'order entry cannot read the ledger');
SELECT throws_ok($$SELECT crisk.set_credit_limit('P1', 1, 'x')$$, '42501', NULL,
                 'order entry cannot set limits');
SELECT throws_ok($$SELECT crisk.customer_dossier('P1')$$, '42501', NULL,
                 'order entry cannot export a dossier');
RESET ROLE;

-- The read-only BI recipe.
CREATE ROLE regress_crisk_bi;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_bi;
GRANT SELECT ON ALL TABLES IN SCHEMA crisk TO regress_crisk_bi;
SET LOCAL ROLE regress_crisk_bi;
SELECT results_eq($$SELECT sum(amount) FROM crisk.ledger WHERE customer_id = 'P1'$$,
                  $$VALUES (300::numeric)$$, 'BI reads the ledger');
SELECT results_eq($$SELECT count(*) FROM crisk.alert WHERE customer_id = 'P1'$$,
                  $$VALUES (1::bigint)$$, 'BI reads alerts');
SELECT lives_ok($$SELECT * FROM crisk.score, crisk.limit_change, crisk.event, crisk.financials LIMIT 1$$,
                'BI reads scores, limit changes, events and financials');
SELECT throws_ok($$INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('P1', 'lien', '2024-01-01')$$,
                 '42501', NULL, 'BI cannot add events');
SELECT throws_ok($$UPDATE crisk.account SET credit_limit = 1$$, '42501', NULL, 'BI cannot change limits');
SELECT throws_ok($$SELECT crisk.acknowledge_alert(1)$$, '42501', NULL, 'BI cannot acknowledge alerts');
SELECT throws_ok($$SELECT * FROM crisk.check_order('P1', 1)$$, '42501', NULL, 'BI cannot run order checks');
SELECT throws_ok($$SELECT crisk.forget_customer('P1')$$, '42501', NULL, 'BI cannot erase customers');
SELECT throws_ok($$INSERT INTO crisk.dispute (invoice_id, reason) VALUES ('P1-1', 'x')$$,
                 '42501', NULL, 'BI cannot record disputes');
RESET ROLE;

-- The credit-manager recipe.
CREATE ROLE regress_crisk_manager;
GRANT regress_crisk_bi TO regress_crisk_manager;
GRANT EXECUTE ON FUNCTION crisk.acknowledge_alert(bigint, text),
                          crisk.set_credit_limit(text, numeric, text),
                          crisk.set_limit_locked(text, boolean, text),
                          crisk.check_order(text, numeric),
                          crisk.customer_dossier(text)
      TO regress_crisk_manager;
GRANT INSERT, UPDATE, DELETE ON crisk.event, crisk.financials TO regress_crisk_manager;
GRANT UPDATE (blocked, insured_cover, payment_terms_days, dunning_policy, policy, model, customer_since)
      ON crisk.account TO regress_crisk_manager;
GRANT INSERT, UPDATE, DELETE ON crisk.dunning_policy TO regress_crisk_manager;
GRANT INSERT, UPDATE ON crisk.dispute, crisk.promise, crisk.contact TO regress_crisk_manager;
GRANT USAGE ON SEQUENCE crisk.dispute_dispute_id_seq, crisk.promise_promise_id_seq,
                        crisk.contact_contact_id_seq TO regress_crisk_manager;
SET LOCAL ROLE regress_crisk_manager;
SELECT lives_ok($$SELECT crisk.set_credit_limit('P1', 2000, 'insurer raised the cover')$$,
                'the credit manager sets a limit');
SELECT lives_ok($$SELECT crisk.set_limit_locked('P1', true, 'limit agreed with the insurer')$$,
                'the credit manager locks a limit');
SELECT results_eq($$SELECT crisk.acknowledge_alert(alert_id) FROM crisk.alert WHERE customer_id = 'P1'$$,
                  $$VALUES (true)$$, 'the credit manager acknowledges an alert');
SELECT lives_ok($$INSERT INTO crisk.event (customer_id, kind, occurred_on, detail)
                  VALUES ('P1', 'capital_loss', '2024-03-01', 'equity below half the share capital')$$,
                'the credit manager records a legal event');
SELECT lives_ok($$UPDATE crisk.account SET blocked = true WHERE customer_id = 'P1'$$,
                'the credit manager puts an account on stop');
SELECT results_eq($$SELECT decision FROM crisk.check_order('P1', 1)$$, $$VALUES ('block'::text)$$,
                  'and order checks then block');
SELECT throws_ok($$UPDATE crisk.account SET credit_limit = 99999 WHERE customer_id = 'P1'$$, '42501', NULL,
                 'limits change only through crisk.set_credit_limit, with a reason');
SELECT throws_ok($$UPDATE crisk.alert SET message = 'rewritten'$$, '42501', NULL,
                 'the credit manager cannot rewrite alerts');
SELECT throws_ok($$INSERT INTO crisk.limit_change (customer_id, changed_at, new_locked, changed_by)
                   VALUES ('P1', now(), false, 'x')$$, '42501', NULL,
                 'the credit manager cannot write the audit trail');
SELECT lives_ok($$INSERT INTO crisk.dispute (invoice_id, reason) VALUES ('P1-1', 'wrong price')$$,
                'the credit manager records a dispute (customer and amount read from the ledger)');
SELECT lives_ok($$INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on)
                  VALUES ('P1', '{P1-1}', 300, current_date + 7)$$,
                'the credit manager records a promise to pay');
SELECT lives_ok($$INSERT INTO crisk.contact (customer_id, channel, note) VALUES ('P1', 'phone', 'called')$$,
                'the credit manager logs a call');
SELECT throws_ok($$SELECT crisk.forget_customer('P1')$$, '42501', NULL,
                 'erasure is not the credit manager''s');
RESET ROLE;
-- What the credit manager did is on record under the login that did it.
SELECT results_eq($$SELECT new_limit, new_locked, reason, changed_by = session_user
                    FROM crisk.limit_change WHERE customer_id = 'P1' ORDER BY change_id$$,
                  $$VALUES (1000::numeric, false, NULL::text, true),
                           (2000::numeric, false, 'insurer raised the cover', true),
                           (2000::numeric, true, 'limit agreed with the insurer', true)$$,
                  'limit changes are logged with the reason and the login');
SELECT results_eq($$SELECT acknowledged_by = session_user FROM crisk.alert WHERE customer_id = 'P1'$$,
                  $$VALUES (true)$$, 'the acknowledgement names the login');

-- The ERP loading recipe, exactly as the README writes it: the ERP keeps
-- crisk's invoices and accounts by key, which reads the key.
CREATE ROLE regress_crisk_loader;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_loader;
GRANT SELECT, INSERT, UPDATE, DELETE ON crisk.invoice, crisk.account TO regress_crisk_loader;
SET LOCAL ROLE regress_crisk_loader;
SELECT lives_ok($$INSERT INTO crisk.invoice VALUES ('P2-1', 'P2', 120.00, '2024-02-01', '2024-03-02', NULL)$$,
                'the ERP inserts an invoice');
SELECT lives_ok($$UPDATE crisk.invoice SET paid_date = '2024-03-05' WHERE invoice_id = 'P2-1'$$,
                'the ERP marks an invoice paid, by its key');
SELECT lives_ok($$DELETE FROM crisk.invoice WHERE invoice_id = 'P2-1'$$,
                'the ERP deletes an invoice, by its key');
SELECT lives_ok($$INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days)
                  VALUES ('P2', 'Loader test', 500, 30)$$,
                'the ERP creates an account');
SELECT lives_ok($$UPDATE crisk.account SET name = 'Loader test SA', payment_terms_days = 45
                  WHERE customer_id = 'P2'$$,
                'the ERP updates an account, by its key');
SELECT lives_ok($$INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES ('P2', 'Loader test SAS', 600)
                  ON CONFLICT (customer_id) DO UPDATE SET name = excluded.name, credit_limit = excluded.credit_limit$$,
                'the ERP upserts its customer master');
SELECT throws_ok($$UPDATE crisk.account SET credit_limit = 900, limit_run_id = 1 WHERE customer_id = 'P2'$$,
                 '42501', NULL, 'the ERP cannot pass a limit change off as a rescoring run''s');
SELECT lives_ok($$DELETE FROM crisk.account WHERE customer_id = 'P2'$$,
                'the ERP deletes an account, by its key');
RESET ROLE;
SELECT results_eq($$SELECT new_limit, run_id, changed_by = session_user FROM crisk.limit_change
                    WHERE customer_id = 'P2' ORDER BY change_id$$,
                  $$VALUES (500::numeric, NULL::bigint, true), (600::numeric, NULL::bigint, true)$$,
                  'the ERP''s limit changes are logged as changes by hand, under its login');
-- Without SELECT, as crisk 0.1.0's README had it, updating by key fails.
CREATE ROLE regress_crisk_loader_without_select;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_loader_without_select;
GRANT INSERT, UPDATE, DELETE ON crisk.invoice, crisk.account TO regress_crisk_loader_without_select;
SET LOCAL ROLE regress_crisk_loader_without_select;
SELECT throws_ok($$UPDATE crisk.account SET name = 'x' WHERE customer_id = 'P1'$$, '42501', NULL,
                 'updating by key needs SELECT');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
