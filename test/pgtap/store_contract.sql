-- The portfolio store's SQL contract (SPEC 3.4): tables, their columns,
-- types and keys, the ledger indirection, and the functions' signatures,
-- volatility and security.  The worker and the BI views build on these
-- names.
BEGIN;
SELECT plan(97);

-- The ledger.
SELECT has_table('crisk', 'invoice', 'crisk.invoice exists');
SELECT columns_are('crisk', 'invoice',
    ARRAY['invoice_id', 'customer_id', 'amount', 'issue_date', 'due_date', 'paid_date']);
SELECT col_type_is('crisk', 'invoice', 'invoice_id', 'text', 'invoice.invoice_id is text');
SELECT col_type_is('crisk', 'invoice', 'customer_id', 'text', 'invoice.customer_id is text');
SELECT col_type_is('crisk', 'invoice', 'amount', 'numeric', 'invoice.amount is numeric');
SELECT col_type_is('crisk', 'invoice', 'issue_date', 'date', 'invoice.issue_date is date');
SELECT col_type_is('crisk', 'invoice', 'due_date', 'date', 'invoice.due_date is date');
SELECT col_type_is('crisk', 'invoice', 'paid_date', 'date', 'invoice.paid_date is date');
SELECT col_is_pk('crisk', 'invoice', 'invoice_id', 'invoice.invoice_id is the primary key');
SELECT col_not_null('crisk', 'invoice', 'customer_id', 'invoice.customer_id is NOT NULL');
SELECT col_not_null('crisk', 'invoice', 'amount', 'invoice.amount is NOT NULL');
SELECT col_is_null('crisk', 'invoice', 'paid_date', 'invoice.paid_date may be NULL');
SELECT has_index('crisk', 'invoice', 'invoice_customer_idx',
                 ARRAY['customer_id', 'paid_date', 'amount', 'due_date', 'issue_date'],
                 'per-customer lookups: (customer_id, paid_date) covering amount and dates');
SELECT has_index('crisk', 'invoice', 'invoice_open_idx', ARRAY['customer_id', 'due_date', 'amount', 'invoice_id'],
                 'open items: (customer_id, due_date) covering amount and invoice_id');
SELECT is((SELECT pg_catalog.pg_get_expr(indpred, indrelid) FROM pg_catalog.pg_index
           WHERE indexrelid = 'crisk.invoice_open_idx'::regclass),
          '(paid_date IS NULL)', 'invoice_open_idx holds only unpaid invoices');
SELECT has_view('crisk', 'ledger', 'readers read crisk.ledger');
SELECT columns_are('crisk', 'ledger',
    ARRAY['invoice_id', 'customer_id', 'amount', 'issue_date', 'due_date', 'paid_date']);
SELECT has_table('crisk', 'ledger_source', 'the ledger choice is a table pg_dump keeps');
SELECT has_function('crisk', 'set_ledger', ARRAY['regclass']);
SELECT function_returns('crisk', 'set_ledger', ARRAY['regclass'], 'void');
SELECT has_function('crisk', 'ledger_problems', ARRAY['regclass']);
SELECT function_returns('crisk', 'ledger_problems', ARRAY['regclass'], 'text[]');
-- crisk.ledger_rows() must stay inlinable, or every reader loses the
-- source's indexes.
SELECT function_lang_is('crisk', 'ledger_rows', ARRAY[]::name[], 'sql');
SELECT volatility_is('crisk', 'ledger_rows', ARRAY[]::name[], 'stable');
SELECT isnt_definer('crisk', 'ledger_rows', ARRAY[]::name[]);
SELECT isnt_strict('crisk', 'ledger_rows', ARRAY[]::name[]);
SELECT is((SELECT proconfig FROM pg_catalog.pg_proc WHERE oid = 'crisk.ledger_rows()'::regprocedure),
          NULL, 'crisk.ledger_rows() has no SET clause (it would prevent inlining)');

-- Accounts, events, financials.
SELECT has_table('crisk', 'account', 'crisk.account exists');
SELECT columns_are('crisk', 'account',
    ARRAY['customer_id', 'name', 'segment', 'credit_limit', 'limit_locked', 'insured_cover',
          'payment_terms_days', 'policy', 'model', 'blocked', 'customer_since', 'dunning_policy',
          'limit_reason', 'limit_run_id', 'limit_changed_at', 'limit_changed_by', 'language',
          'end_of_month_terms', 'late_interest_rate']);
SELECT col_is_pk('crisk', 'account', 'customer_id', 'account.customer_id is the primary key');
SELECT col_type_is('crisk', 'account', 'credit_limit', 'numeric', 'account.credit_limit is numeric');
SELECT col_type_is('crisk', 'account', 'limit_locked', 'boolean', 'account.limit_locked is boolean');
SELECT col_default_is('crisk', 'account', 'limit_locked', 'false', 'account.limit_locked defaults to false');
SELECT col_type_is('crisk', 'account', 'insured_cover', 'numeric', 'account.insured_cover is numeric');
SELECT col_type_is('crisk', 'account', 'payment_terms_days', 'integer', 'account.payment_terms_days is integer');
SELECT col_default_is('crisk', 'account', 'policy', 'default', 'account.policy defaults to default');
SELECT col_default_is('crisk', 'account', 'model', 'default', 'account.model defaults to default');
SELECT col_type_is('crisk', 'account', 'limit_run_id', 'bigint', 'account.limit_run_id is bigint');
SELECT has_table('crisk', 'event', 'crisk.event exists');
SELECT columns_are('crisk', 'event',
    ARRAY['event_id', 'customer_id', 'kind', 'occurred_on', 'detail', 'recorded_at']);
SELECT fk_ok('crisk', 'event', 'customer_id', 'crisk', 'account', 'customer_id');
SELECT fk_ok('crisk', 'event', 'kind', 'crisk', 'event_kind', 'kind');
SELECT bag_eq($$SELECT kind FROM crisk.event_kind$$,
    ARRAY['safeguard', 'receivership', 'liquidation', 'capital_loss', 'dissolution', 'strike_off',
          'lien', 'pledge', 'director_change', 'office_transfer', 'business_sale',
          'lease_management', 'other'],
    'the legal-event vocabulary covers SPEC section 2');
SELECT has_table('crisk', 'financials', 'crisk.financials exists');
SELECT columns_are('crisk', 'financials',
    ARRAY['customer_id', 'fiscal_year_end', 'working_capital', 'retained_earnings', 'ebit', 'equity',
          'market_value_equity', 'total_liabilities', 'total_assets', 'sales', 'source', 'recorded_at']);
SELECT col_is_pk('crisk', 'financials', ARRAY['customer_id', 'fiscal_year_end'], 'one row per customer and fiscal year');

-- Results.
SELECT has_table('crisk', 'score', 'crisk.score exists');
SELECT columns_are('crisk', 'score',
    ARRAY['customer_id', 'as_of', 'scored_at', 'run_id', 'model', 'score', 'risk_class',
          'previous_score', 'previous_risk_class', 'risk_class_since', 'reasons',
          'invoices', 'open_invoices', 'billed', 'open_amount', 'overdue_amount',
          'avg_days_beyond_terms', 'days_beyond_terms_stddev', 'late_share', 'max_days_late',
          'dso', 'last_payment', 'altman_z', 'adverse_events', 'utilization', 'relationship_months',
          'policy', 'limit_locked', 'credit_limit_before', 'recommended_limit', 'credit_limit_after', 'pd']);
SELECT col_is_pk('crisk', 'score', 'customer_id', 'score.customer_id is the primary key');
SELECT col_type_is('crisk', 'score', 'reasons', 'jsonb', 'score.reasons is jsonb');
SELECT col_type_is('crisk', 'score', 'late_share', 'double precision', 'score.late_share is double precision');
SELECT col_type_is('crisk', 'score', 'open_amount', 'numeric', 'score.open_amount is numeric');
SELECT col_type_is('crisk', 'score', 'run_id', 'bigint', 'score.run_id is bigint');
-- The profile columns match crisk.payment_profile, name for name and type for type.
SELECT is_empty($$
    SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'crisk.payment_profile'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    EXCEPT
    SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'crisk.score'::regclass AND a.attnum > 0 AND NOT a.attisdropped
$$, 'crisk.score has every crisk.payment_profile field as a plain column');
SELECT has_table('crisk', 'score_history', 'crisk.score_history exists');
SELECT is_empty($$
    SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'crisk.score'::regclass AND a.attnum > 0 AND NOT a.attisdropped
    EXCEPT
    SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod)
    FROM pg_catalog.pg_attribute a
    WHERE a.attrelid = 'crisk.score_history'::regclass AND a.attnum > 0 AND NOT a.attisdropped
$$, 'crisk.score_history has every column of crisk.score');
SELECT has_trigger('crisk', 'score_history', 'score_history_append_only', 'crisk.score_history has trigger score_history_append_only');
SELECT has_table('crisk', 'alert', 'crisk.alert exists');
SELECT columns_are('crisk', 'alert',
    ARRAY['alert_id', 'kind', 'customer_id', 'condition_key', 'severity', 'message', 'detail', 'run_id',
          'raised_at', 'acknowledged_at', 'acknowledged_by', 'acknowledgment_note']);
SELECT has_index('crisk', 'alert', 'alert_open_condition_idx', ARRAY['kind', 'customer_id', 'condition_key'],
                 'one open alert per condition');
SELECT index_is_unique('crisk', 'alert', 'alert_open_condition_idx');
SELECT has_trigger('crisk', 'alert', 'alert_notify', 'crisk.alert has trigger alert_notify');
SELECT has_table('crisk', 'limit_change', 'crisk.limit_change exists');
SELECT columns_are('crisk', 'limit_change',
    ARRAY['change_id', 'customer_id', 'changed_at', 'old_limit', 'new_limit', 'old_locked', 'new_locked',
          'changed_by', 'run_id', 'reason']);
SELECT has_trigger('crisk', 'limit_change', 'limit_change_append_only', 'crisk.limit_change has trigger limit_change_append_only');
SELECT has_trigger('crisk', 'account', 'account_limit_stamp', 'crisk.account has trigger account_limit_stamp');
-- The run table belongs to the worker: the store's tables reference it by
-- plain bigint columns only, so purging old runs never touches them (the
-- worker's own crisk.job_error goes with its run).
SELECT is_empty($$
    SELECT c.conrelid::regclass::text, c.conname
    FROM pg_catalog.pg_constraint c
    JOIN pg_catalog.pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
    WHERE c.contype = 'f' AND c.connamespace = 'crisk'::regnamespace
      AND a.attname IN ('run_id', 'limit_run_id')
      AND c.conrelid <> 'crisk.job_error'::regclass
$$, 'run ids carry no foreign key');

-- Dunning.
SELECT has_table('crisk', 'dunning_policy', 'crisk.dunning_policy exists');
SELECT col_is_pk('crisk', 'dunning_policy', ARRAY['policy', 'level'], 'one row per policy and level');
SELECT results_eq($$SELECT level, days_past_due, action FROM crisk.dunning_policy
                    WHERE policy = 'default' AND shipped ORDER BY level$$,
                  $$VALUES (1, 7, 'reminder'), (2, 21, 'second_reminder'), (3, 45, 'formal_notice'),
                           (4, 60, 'litigation')$$,
                  'the shipped default dunning policy');

-- Data protection.
SELECT has_table('crisk', 'erasure_log', 'crisk.erasure_log exists');
SELECT hasnt_column('crisk', 'erasure_log', 'customer_id', 'the erasure log names no customer');

-- Functions: signatures, results, security.
SELECT has_function('crisk', 'check_order', ARRAY['text', 'numeric']);
SELECT is(pg_catalog.pg_get_function_result('crisk.check_order(text,numeric)'::regprocedure),
          'TABLE(decision text, available_credit numeric, reasons text[])', 'check_order returns the decision table');
SELECT is(pg_catalog.pg_get_function_arguments('crisk.check_order(text,numeric)'::regprocedure),
          'customer_id text, amount numeric', 'check_order names its arguments');
SELECT volatility_is('crisk', 'check_order', ARRAY['text', 'numeric'], 'stable');
SELECT is_definer('crisk', 'check_order', ARRAY['text', 'numeric']);
-- The reserving check sits beside it; a default on reserve would make
-- every two-argument call ambiguous.
SELECT is(pg_catalog.pg_get_function_arguments('crisk.check_order(text,numeric,boolean,text)'::regprocedure),
          'customer_id text, amount numeric, reserve boolean, order_id text DEFAULT NULL::text',
          'the reserving check_order names its arguments');
SELECT is(pg_catalog.pg_get_function_result('crisk.check_order(text,numeric,boolean,text)'::regprocedure),
          'TABLE(decision text, available_credit numeric, reasons text[])', 'the reserving check_order returns the decision table');
SELECT volatility_is('crisk', 'check_order', ARRAY['text', 'numeric', 'boolean', 'text'], 'volatile');
SELECT is_definer('crisk', 'check_order', ARRAY['text', 'numeric', 'boolean', 'text']);
SELECT function_lang_is('crisk', 'check_order', ARRAY['text', 'numeric'], 'c');
SELECT has_function('crisk', 'set_credit_limit', ARRAY['text', 'numeric', 'text']);
SELECT is_definer('crisk', 'set_credit_limit', ARRAY['text', 'numeric', 'text']);
SELECT has_function('crisk', 'set_limit_locked', ARRAY['text', 'boolean', 'text']);
SELECT has_function('crisk', 'acknowledge_alert', ARRAY['bigint', 'text']);
SELECT function_returns('crisk', 'acknowledge_alert', ARRAY['bigint', 'text'], 'boolean');
SELECT has_function('crisk', 'raise_alert', ARRAY['text', 'text', 'text', 'text', 'text', 'jsonb', 'bigint']);
SELECT function_returns('crisk', 'raise_alert', ARRAY['text', 'text', 'text', 'text', 'text', 'jsonb', 'bigint'], 'bigint');
SELECT has_function('crisk', 'customer_dossier', ARRAY['text']);
SELECT function_returns('crisk', 'customer_dossier', ARRAY['text'], 'jsonb');
SELECT isnt_definer('crisk', 'customer_dossier', ARRAY['text']);
SELECT has_function('crisk', 'forget_customer', ARRAY['text']);
SELECT function_returns('crisk', 'forget_customer', ARRAY['text'], 'jsonb');
SELECT has_function('crisk', 'purge_history', ARRAY['interval']);
SELECT function_returns('crisk', 'purge_history', ARRAY['interval'], 'bigint');
-- Every SECURITY DEFINER function pins its search_path.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_catalog.pg_proc p
    WHERE p.pronamespace = 'crisk'::regnamespace AND p.prosecdef
      AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false)
$$, 'every SECURITY DEFINER function in crisk sets search_path = pg_catalog, pg_temp');

SELECT * FROM finish();
ROLLBACK;
