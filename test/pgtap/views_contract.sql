-- The BI views' contract (SPEC 3.4): the views BI tools read, with their
-- exact column names, types and order; their _at functions returning the
-- same columns; security_invoker; nothing readable by PUBLIC; a comment on
-- every view and every column; the provision matrix and the dunning log.
BEGIN;
SELECT plan(51);

CREATE FUNCTION pg_temp.view_columns(v regclass) RETURNS TABLE (name text, type text)
LANGUAGE sql AS $$
    SELECT a.attname::text, pg_catalog.format_type(a.atttypid, a.atttypmod)
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = v AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum
$$;
-- The OUT columns of a set-returning function, in order.
CREATE FUNCTION pg_temp.function_columns(f regprocedure) RETURNS TABLE (name text, type text)
LANGUAGE sql AS $$
    SELECT c.name, pg_catalog.format_type(c.type, NULL)
    FROM pg_catalog.pg_proc p,
         unnest(p.proargnames, p.proallargtypes::oid[], p.proargmodes::text[])
             WITH ORDINALITY AS c(name, type, mode, n)
    WHERE p.oid = f AND c.mode = 't'
    ORDER BY c.n
$$;

SELECT has_view('crisk', v, 'crisk.' || v || ' exists')
FROM unnest(ARRAY['aged_balance', 'portfolio_kpi', 'watchlist', 'dunning_worklist',
                   'dunning_letters', 'promise_status', 'terms_compliance']) AS v;

SELECT results_eq($$SELECT * FROM pg_temp.view_columns('crisk.aged_balance')$$,
    $$VALUES ('customer_id', 'text'), ('current_amount', 'numeric'), ('days_1_30', 'numeric'), ('days_31_60', 'numeric'),
             ('days_61_90', 'numeric'), ('days_over_90', 'numeric'), ('total_open', 'numeric'),
             ('open_items', 'bigint'), ('oldest_due_date', 'date'),
             ('max_days_past_due', 'integer'), ('disputed', 'numeric'), ('unapplied_credits', 'numeric')$$,
    'crisk.aged_balance: columns, types and order');
SELECT results_eq($$SELECT * FROM pg_temp.view_columns('crisk.portfolio_kpi')$$,
    $$VALUES ('customers', 'integer'), ('receivables', 'numeric'), ('current_amount', 'numeric'),
             ('days_1_30', 'numeric'), ('days_31_60', 'numeric'), ('days_61_90', 'numeric'),
             ('days_over_90', 'numeric'), ('overdue_amount', 'numeric'), ('overdue_share', 'numeric'),
             ('credit_sales_90_days', 'numeric'), ('dso', 'numeric'), ('dso_countback', 'numeric'),
             ('best_possible_dso', 'numeric'), ('average_days_delinquent', 'numeric'),
             ('concentration_hhi', 'double precision'), ('largest_exposure', 'numeric'),
             ('top_10_share', 'numeric'), ('provision_matrix', 'text'), ('expected_credit_loss', 'numeric'),
             ('customers_scored', 'integer'), ('customers_class_a', 'integer'), ('customers_class_b', 'integer'),
             ('customers_class_c', 'integer'), ('customers_class_d', 'integer'), ('customers_class_e', 'integer'),
             ('credit_limits_total', 'numeric'), ('exposures_above_limit', 'integer'),
             ('amount_above_limit', 'numeric'), ('open_alerts', 'integer'), ('disputed', 'numeric')$$,
    'crisk.portfolio_kpi: columns, types and order');
SELECT results_eq($$SELECT * FROM pg_temp.view_columns('crisk.watchlist')$$,
    $$VALUES ('customer_id', 'text'), ('name', 'text'), ('segment', 'text'), ('reason', 'text'),
             ('observed_on', 'date'), ('risk_class', 'text'), ('score', 'integer'),
             ('class_from', 'text'), ('class_to', 'text'), ('exposure', 'numeric'),
             ('credit_limit', 'numeric'), ('amount_over_limit', 'numeric'), ('event_kind', 'text'),
             ('adverse_events', 'integer')$$,
    'crisk.watchlist: columns, types and order');
SELECT results_eq($$SELECT * FROM pg_temp.view_columns('crisk.dunning_worklist')$$,
    $$VALUES ('customer_id', 'text'), ('name', 'text'), ('invoice_id', 'text'), ('amount', 'numeric'),
             ('issue_date', 'date'), ('due_date', 'date'), ('days_past_due', 'integer'),
             ('dunning_policy', 'text'), ('dunning_level', 'integer'), ('action', 'text'),
             ('action_description', 'text'), ('order_decision', 'text'), ('last_level_done', 'integer'),
             ('last_acted_on', 'date'), ('late_payment_interest', 'numeric'),
             ('recovery_indemnity', 'numeric'), ('total_due', 'numeric')$$,
    'crisk.dunning_worklist: columns, types and order');
SELECT results_eq($$SELECT * FROM pg_temp.view_columns('crisk.dunning_letters')$$,
    $$VALUES ('customer_id', 'text'), ('name', 'text'), ('level', 'integer'), ('action', 'text'),
             ('dunning_policy', 'text'), ('language', 'text'), ('invoice_ids', 'text[]'),
             ('invoices', 'integer'), ('amount_due', 'numeric'), ('interest', 'numeric'),
             ('indemnity', 'numeric'), ('total_due', 'numeric'), ('subject', 'text'), ('body', 'text'),
             ('letter_date', 'date')$$,
    'crisk.dunning_letters: columns, types and order');
SELECT results_eq($$SELECT * FROM pg_temp.view_columns('crisk.terms_compliance')$$,
    $$VALUES ('customer_id', 'text'), ('name', 'text'), ('invoice_id', 'text'), ('issue_date', 'date'),
             ('due_date', 'date'), ('terms_days', 'integer'), ('latest_due_date', 'date'),
             ('end_of_month_terms', 'boolean'), ('late_interest_rate', 'numeric'),
             ('legal_floor_rate', 'numeric'), ('problem', 'text')$$,
    'crisk.terms_compliance: columns, types and order');

-- Each view's _at function returns exactly its columns.
SELECT results_eq(pg_catalog.format('SELECT * FROM pg_temp.function_columns(%L)', f),
                  pg_catalog.format('SELECT * FROM pg_temp.view_columns(%L)', v),
                  f || ' returns the columns of ' || v)
FROM (VALUES ('crisk.aged_balance_at(date)', 'crisk.aged_balance'),
             ('crisk.portfolio_kpi_at(date,text)', 'crisk.portfolio_kpi'),
             ('crisk.watchlist_at(date)', 'crisk.watchlist'),
             ('crisk.dunning_worklist_at(date)', 'crisk.dunning_worklist'),
             ('crisk.dunning_letters_at(date)', 'crisk.dunning_letters'),
             ('crisk.promise_status_at(date)', 'crisk.promise_status')) AS x(f, v);
SELECT volatility_is('crisk', f, ARRAY['date'], 'stable', 'crisk.' || f || ' is STABLE')
FROM unnest(ARRAY['aged_balance_at', 'watchlist_at', 'dunning_worklist_at', 'dunning_letters_at',
                  'promise_status_at']) AS f;
SELECT volatility_is('crisk', 'portfolio_kpi_at', ARRAY['date', 'text'], 'stable',
                     'crisk.portfolio_kpi_at is STABLE');
-- portfolio_kpi_at's matrix has a default.
SELECT lives_ok($$SELECT * FROM crisk.portfolio_kpi_at(date '2024-06-30')$$,
                'portfolio_kpi_at works without a matrix');

-- The views read with the caller's rights and nothing is readable by PUBLIC.
SELECT is_empty($$
    SELECT c.relname FROM pg_catalog.pg_class c
    WHERE c.oid IN ('crisk.aged_balance'::regclass, 'crisk.portfolio_kpi'::regclass,
                    'crisk.watchlist'::regclass, 'crisk.dunning_worklist'::regclass,
                    'crisk.dunning_letters'::regclass, 'crisk.promise_status'::regclass,
                    'crisk.terms_compliance'::regclass)
      AND NOT coalesce(c.reloptions @> ARRAY['security_invoker=true'], false)
$$, 'every BI view is security_invoker');
SELECT ok(NOT pg_catalog.has_table_privilege('public', r, 'SELECT'), 'PUBLIC cannot read ' || r)
FROM unnest(ARRAY['crisk.aged_balance', 'crisk.portfolio_kpi', 'crisk.watchlist', 'crisk.dunning_worklist',
                  'crisk.provision_matrix', 'crisk.provision_matrix_in_force', 'crisk.dunning_action',
                  'crisk.dunning_letters', 'crisk.promise_status', 'crisk.terms_compliance']) AS r;
SELECT ok(NOT pg_catalog.has_function_privilege('public', f, 'EXECUTE'), 'PUBLIC may not execute ' || f)
FROM unnest(ARRAY['crisk.set_provision_matrix(text)',
                  'crisk.record_dunning_action(text,integer,text,date)']) AS f;
-- A role without rights on the tables gets nothing through the functions.
CREATE ROLE regress_crisk_nobody;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_nobody;
SET LOCAL ROLE regress_crisk_nobody;
SELECT throws_ok($$SELECT * FROM crisk.aged_balance_at('2024-06-30')$$, '42501', NULL,
                 'aged_balance_at reads with the caller''s rights');
SELECT throws_ok($$SELECT * FROM crisk.aged_balance$$, '42501', NULL,
                 'aged_balance is not readable without a grant');
RESET ROLE;
-- The BI recipe (SELECT on all tables) reads every view.
CREATE ROLE regress_crisk_reader;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA crisk TO regress_crisk_reader;
SET LOCAL ROLE regress_crisk_reader;
SELECT lives_ok($$SELECT * FROM crisk.aged_balance, crisk.watchlist, crisk.dunning_worklist, crisk.portfolio_kpi,
                    crisk.dunning_letters, crisk.promise_status, crisk.terms_compliance$$,
                'a BI role with SELECT on all tables reads every view');
RESET ROLE;

-- Comments: every view and every column of it.
SELECT is_empty($$
    SELECT v FROM unnest(ARRAY['crisk.aged_balance', 'crisk.portfolio_kpi', 'crisk.watchlist',
                               'crisk.dunning_worklist', 'crisk.dunning_letters', 'crisk.terms_compliance']::regclass[]) AS v
    WHERE pg_catalog.obj_description(v, 'pg_class') IS NULL
$$, 'every BI view has a comment');
SELECT is_empty($$
    SELECT a.attrelid::regclass || '.' || a.attname
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = ANY (ARRAY['crisk.aged_balance', 'crisk.portfolio_kpi', 'crisk.watchlist',
                                  'crisk.dunning_worklist', 'crisk.dunning_letters', 'crisk.terms_compliance']::regclass[])
      AND a.attnum > 0 AND NOT a.attisdropped
      AND pg_catalog.col_description(a.attrelid, a.attnum) IS NULL
$$, 'every column of the BI views has a comment');

-- The aged balance's aggregate runs in parallel plans like crisk.aging.
SELECT results_eq($$SELECT p.proparallel::text, a.aggcombinefn::text, a.aggtranstype::regtype::text
                    FROM pg_catalog.pg_aggregate a JOIN pg_catalog.pg_proc p ON p.oid = a.aggfnoid
                    WHERE a.aggfnoid = 'crisk.aging_with_total(numeric,date,date)'::regprocedure$$,
                  $$VALUES ('s', 'crisk.aging_combine', 'crisk.aging_state')$$,
                  'crisk.aging_with_total is parallel safe, with crisk.aging''s state and combine function');

-- The provision matrix and the dunning log.
SELECT columns_are('crisk', 'provision_matrix',
    ARRAY['matrix', 'days_past_due', 'loss_rate', 'description', 'shipped']);
SELECT col_is_pk('crisk', 'provision_matrix', ARRAY['matrix', 'days_past_due'],
                 'one rate per matrix and bucket');
SELECT results_eq($$SELECT days_past_due, loss_rate FROM crisk.provision_matrix
                    WHERE matrix = 'default' ORDER BY days_past_due$$,
                  $$VALUES (0, 0.003), (1, 0.016), (31, 0.036), (61, 0.066), (91, 0.106)$$,
                  'the default matrix: the rates of IFRS 9 IE example 12');
SELECT columns_are('crisk', 'dunning_action',
    ARRAY['action_id', 'invoice_id', 'customer_id', 'policy', 'level', 'action', 'acted_on',
          'days_past_due', 'note', 'recorded_at', 'recorded_by']);
SELECT function_returns('crisk', 'record_dunning_action', ARRAY['text', 'integer', 'text', 'date'], 'bigint');
SELECT is_definer('crisk', 'record_dunning_action', ARRAY['text', 'integer', 'text', 'date'],
                  'record_dunning_action needs only EXECUTE');

SELECT * FROM finish();
ROLLBACK;
