-- Customer accounts, legal events and financial statements: what credit
-- managers know about a customer besides the ledger.

CREATE TABLE crisk.account (
    customer_id         pg_catalog.text NOT NULL,
    name                pg_catalog.text,
    segment             pg_catalog.text,
    credit_limit        pg_catalog.numeric,
    limit_locked        pg_catalog.bool NOT NULL DEFAULT false,
    insured_cover       pg_catalog.numeric,
    payment_terms_days  pg_catalog.int4,
    policy              pg_catalog.text NOT NULL DEFAULT 'default',
    model               pg_catalog.text NOT NULL DEFAULT 'default',
    -- Beyond the specification:
    blocked             pg_catalog.bool NOT NULL DEFAULT false,
    customer_since      pg_catalog.date,
    dunning_policy      pg_catalog.text NOT NULL DEFAULT 'default',
    limit_reason        pg_catalog.text,
    limit_run_id        pg_catalog.int8,
    limit_changed_at    pg_catalog.timestamptz,
    limit_changed_by    pg_catalog.text,
    language            pg_catalog.text NOT NULL DEFAULT 'fr',
    end_of_month_terms  pg_catalog.bool NOT NULL DEFAULT false,
    late_interest_rate  pg_catalog.numeric,
    CONSTRAINT account_pkey PRIMARY KEY (customer_id),
    CONSTRAINT account_customer_id_not_empty CHECK (customer_id <> ''),
    -- NaN sorts above 'Infinity', so these also reject NaN.
    CONSTRAINT account_credit_limit_valid
        CHECK (credit_limit >= 0 AND credit_limit < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT account_insured_cover_valid
        CHECK (insured_cover >= 0 AND insured_cover < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT account_payment_terms_valid CHECK (payment_terms_days >= 0),
    CONSTRAINT account_customer_since_finite CHECK (pg_catalog.isfinite(customer_since)),
    CONSTRAINT account_language_valid CHECK (language ~ '^[a-z]{2}$'),
    CONSTRAINT account_late_interest_rate_valid CHECK (late_interest_rate >= 0 AND late_interest_rate < 1)
);
COMMENT ON TABLE crisk.account IS
    'One row per customer crisk manages: credit limit (NULL: none set), limit lock (never changed by recalibration), insured cover, payment terms, limit policy, scorecard model, order stop, dunning policy, and who last changed the limit and why.';
COMMENT ON COLUMN crisk.account.credit_limit IS 'Credit limit in force; NULL when none is set (crisk.check_order then asks for review).';
COMMENT ON COLUMN crisk.account.limit_locked IS 'True: recalibration never changes this limit; people still may (crisk.set_credit_limit).';
COMMENT ON COLUMN crisk.account.insured_cover IS 'Amount a credit insurer covers for this customer; caps the recalibrated limit.';
COMMENT ON COLUMN crisk.account.policy IS 'Limit policy (crisk.limit_policy) used by recalibration.';
COMMENT ON COLUMN crisk.account.model IS 'Scorecard model (crisk.scorecard) used by scoring.';
COMMENT ON COLUMN crisk.account.blocked IS 'Order stop set by a credit manager: crisk.check_order blocks every order.';
COMMENT ON COLUMN crisk.account.customer_since IS 'Start of the relationship, for relationship_months when the ledger holds only recent invoices; NULL: the first invoice.';
COMMENT ON COLUMN crisk.account.dunning_policy IS 'Dunning policy (crisk.dunning_policy) applied to this customer''s overdue invoices.';
COMMENT ON COLUMN crisk.account.limit_reason IS 'Why the limit or its lock last changed, as given with that change (NULL: not given). Maintained by crisk: give it in the same UPDATE as the change.';
COMMENT ON COLUMN crisk.account.limit_run_id IS 'Rescoring run (crisk.job_run) that last changed the limit; NULL when a person did. Maintained by crisk: a run gives it in the same UPDATE as the change.';
COMMENT ON COLUMN crisk.account.limit_changed_at IS 'When the limit or its lock last changed (maintained by crisk).';
COMMENT ON COLUMN crisk.account.limit_changed_by IS 'Login (session user) that last changed the limit or its lock (maintained by crisk).';
COMMENT ON COLUMN crisk.account.language IS 'Language of the customer''s dunning letters (ISO 639-1 code: fr, en, ...); crisk ships templates in fr and en (crisk.dunning_template).';
COMMENT ON COLUMN crisk.account.end_of_month_terms IS 'True when the contract agrees payment terms of "45 days end of month": the legal cap on an invoice''s due date is then the end of the month of issue date + 45 days, instead of issue date + 60 days (Code de commerce L441-10; crisk.terms_compliance).';
COMMENT ON COLUMN crisk.account.late_interest_rate IS 'Annual rate of late-payment penalties agreed in the contract, as a fraction (0.12 for 12 %); NULL when none is agreed (the statutory ECB rate + 10 points applies). crisk.terms_compliance flags a rate below the legal floor, three times the legal interest rate.';
REVOKE ALL ON crisk.account FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.account', '');

-- The legal events of SPEC section 2 ("other" for anything else).
-- adverse: listed by the watch-list and alerted as critical;
-- order_decision/order_window_days: what crisk.check_order does while such
-- an event is recent (window NULL: for ever); severity (0 to 3): what the
-- scorecard characteristic event_severity reads, the highest severity of
-- the customer's events in force; class_cap: the best risk class a
-- customer with such an event in force can have; in_force_days: how long
-- an event counts for scoring and limits (NULL: for ever).
--
-- Users tune the shipped kinds (every column but kind and shipped) and add
-- their own (shipped = false); only deleting or renaming a shipped kind is
-- refused (crisk.event_kind_guard).  pg_dump saves every row: restoring a
-- shipped kind's row applies its parameters to the kind CREATE EXTENSION
-- re-created.
CREATE TABLE crisk.event_kind (
    kind               pg_catalog.text NOT NULL,
    description        pg_catalog.text NOT NULL,
    adverse            pg_catalog.bool NOT NULL,
    order_decision     pg_catalog.text,
    order_window_days  pg_catalog.int4,
    severity           pg_catalog.int4 NOT NULL DEFAULT 0,
    class_cap          pg_catalog.text,
    in_force_days      pg_catalog.int4 DEFAULT 365,
    shipped            pg_catalog.bool NOT NULL DEFAULT false,
    CONSTRAINT event_kind_pkey PRIMARY KEY (kind),
    CONSTRAINT event_kind_order_decision_valid CHECK (order_decision IN ('review', 'block')),
    CONSTRAINT event_kind_order_window_valid
        CHECK (order_window_days IS NULL OR (order_window_days > 0 AND order_decision IS NOT NULL)),
    CONSTRAINT event_kind_severity_range CHECK (severity BETWEEN 0 AND 3),
    CONSTRAINT event_kind_class_cap_valid CHECK (class_cap IN ('A', 'B', 'C', 'D', 'E')),
    CONSTRAINT event_kind_in_force_days_valid CHECK (in_force_days > 0)
);
COMMENT ON TABLE crisk.event_kind IS
    'Kinds of legal and financial events crisk.event records: whether each is adverse, what it does to order checks and for how many days, its severity and class cap for scoring and limits, and how long it stays in force. Shipped kinds may be tuned, not deleted or renamed; users add their own.';
COMMENT ON COLUMN crisk.event_kind.severity IS
    'Severity 0 (none) to 3 (insolvency): the scorecard characteristic event_severity is the highest severity of a customer''s events in force.';
COMMENT ON COLUMN crisk.event_kind.class_cap IS
    'Best risk class a customer with such an event in force can have (E: no credit under the default policy); NULL: no cap.';
COMMENT ON COLUMN crisk.event_kind.in_force_days IS
    'Days an event of this kind stays in force for scoring and limits after it occurred; NULL: for ever.';
COMMENT ON COLUMN crisk.event_kind.shipped IS
    'True for the kinds shipped with crisk: they may be tuned, not deleted or renamed.';
INSERT INTO crisk.event_kind (kind, description, adverse, order_decision, order_window_days,
                              severity, class_cap, in_force_days, shipped) VALUES
    ('safeguard', 'safeguard proceedings opened (procédure de sauvegarde)', true, 'review', 365, 2, 'D', 730, true),
    ('receivership', 'receivership opened (redressement judiciaire)', true, 'block', 365, 3, 'E', NULL, true),
    ('liquidation', 'judicial liquidation (liquidation judiciaire)', true, 'block', NULL, 3, 'E', NULL, true),
    ('capital_loss', 'equity below half the share capital (capitaux propres inférieurs à la moitié du capital social)', true, 'review', 365, 2, NULL, 730, true),
    ('dissolution', 'dissolution of the company', true, 'block', NULL, 3, 'E', NULL, true),
    ('strike_off', 'struck off the trade register (radiation)', true, 'block', NULL, 3, 'E', NULL, true),
    ('lien', 'lien registered by the tax or social-security authorities (inscription de privilège)', true, 'review', 365, 2, NULL, 365, true),
    ('pledge', 'pledge registered on the business or its assets (nantissement)', true, NULL, NULL, 1, NULL, 365, true),
    ('director_change', 'change of directors', false, NULL, NULL, 0, NULL, 365, true),
    ('office_transfer', 'transfer of the registered office', false, NULL, NULL, 0, NULL, 365, true),
    ('business_sale', 'sale of the business (cession de fonds de commerce)', true, 'review', 365, 1, NULL, 365, true),
    ('lease_management', 'business put under lease-management (location-gérance)', false, 'review', 365, 1, NULL, 365, true),
    ('other', 'other event (see detail)', false, NULL, NULL, 0, NULL, 365, true);
REVOKE ALL ON crisk.event_kind FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.event_kind', '');
-- crisk.check_order caches the kinds that affect orders.
CREATE TRIGGER event_kind_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON crisk.event_kind
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.table_changed();
ALTER TABLE crisk.event_kind ENABLE ALWAYS TRIGGER event_kind_changed;
CREATE FUNCTION crisk.event_kind_guard()
    RETURNS trigger
    AS 'MODULE_PATHNAME', 'crisk_event_kind_guard'
    LANGUAGE C;
COMMENT ON FUNCTION crisk.event_kind_guard() IS
    'Trigger function on crisk.event_kind: shipped kinds may be tuned but not deleted or renamed; inserting a shipped kind''s row again (a restore) applies its parameters to the kind.';
REVOKE ALL ON FUNCTION crisk.event_kind_guard() FROM PUBLIC;
CREATE TRIGGER event_kind_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.event_kind
    FOR EACH ROW EXECUTE FUNCTION crisk.event_kind_guard();
CREATE TRIGGER event_kind_shipped_truncate
    BEFORE TRUNCATE ON crisk.event_kind
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.event_kind_guard();

CREATE TABLE crisk.event (
    event_id     pg_catalog.int8 GENERATED ALWAYS AS IDENTITY,
    customer_id  pg_catalog.text NOT NULL,
    kind         pg_catalog.text NOT NULL,
    occurred_on  pg_catalog.date NOT NULL,
    detail       pg_catalog.text,
    recorded_at  pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT event_pkey PRIMARY KEY (event_id),
    CONSTRAINT event_customer_fkey FOREIGN KEY (customer_id)
        REFERENCES crisk.account (customer_id) ON UPDATE CASCADE,
    CONSTRAINT event_kind_fkey FOREIGN KEY (kind) REFERENCES crisk.event_kind (kind),
    CONSTRAINT event_occurred_on_finite CHECK (pg_catalog.isfinite(occurred_on))
);
COMMENT ON TABLE crisk.event IS
    'Legal and financial events concerning a customer (insolvency proceedings, capital loss, dissolution, liens, director changes, ...; kinds in crisk.event_kind), with the date they occurred (as published) and free detail such as the court or the publication reference.';
-- check_order and scoring read one customer's recent events.
CREATE INDEX event_customer_idx ON crisk.event (customer_id, occurred_on);
REVOKE ALL ON crisk.event FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.event', '');
SELECT pg_catalog.pg_extension_config_dump('crisk.event_event_id_seq', '');

-- Balance-sheet and income-statement items feeding crisk.altman_z, one row
-- per fiscal year; NULL where the item is unknown.
CREATE TABLE crisk.financials (
    customer_id          pg_catalog.text NOT NULL,
    fiscal_year_end      pg_catalog.date NOT NULL,
    working_capital      pg_catalog.numeric,
    retained_earnings    pg_catalog.numeric,
    ebit                 pg_catalog.numeric,
    equity               pg_catalog.numeric,
    market_value_equity  pg_catalog.numeric,
    total_liabilities    pg_catalog.numeric,
    total_assets         pg_catalog.numeric,
    sales                pg_catalog.numeric,
    source               pg_catalog.text,
    recorded_at          pg_catalog.timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CONSTRAINT financials_pkey PRIMARY KEY (customer_id, fiscal_year_end),
    CONSTRAINT financials_customer_fkey FOREIGN KEY (customer_id)
        REFERENCES crisk.account (customer_id) ON UPDATE CASCADE,
    CONSTRAINT financials_fiscal_year_end_finite CHECK (pg_catalog.isfinite(fiscal_year_end)),
    -- Items that may be negative must still be finite numbers.
    CONSTRAINT financials_working_capital_finite
        CHECK (working_capital > '-Infinity'::pg_catalog.numeric AND working_capital < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_retained_earnings_finite
        CHECK (retained_earnings > '-Infinity'::pg_catalog.numeric AND retained_earnings < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_ebit_finite
        CHECK (ebit > '-Infinity'::pg_catalog.numeric AND ebit < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_equity_finite
        CHECK (equity > '-Infinity'::pg_catalog.numeric AND equity < 'Infinity'::pg_catalog.numeric),
    -- Altman's ratios divide by total assets and total liabilities.
    CONSTRAINT financials_market_value_equity_valid
        CHECK (market_value_equity >= 0 AND market_value_equity < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_total_liabilities_valid
        CHECK (total_liabilities >= 0 AND total_liabilities < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_total_assets_valid
        CHECK (total_assets > 0 AND total_assets < 'Infinity'::pg_catalog.numeric),
    CONSTRAINT financials_sales_valid
        CHECK (sales >= 0 AND sales < 'Infinity'::pg_catalog.numeric)
);
COMMENT ON TABLE crisk.financials IS
    'A customer''s financial statements, one row per fiscal year: working capital, retained earnings, EBIT, book equity, market value of equity (listed companies), total liabilities, total assets, sales; the items of the Altman Z-scores.';
COMMENT ON COLUMN crisk.financials.equity IS 'Book value of equity (Z'' and Z'''' use it).';
COMMENT ON COLUMN crisk.financials.market_value_equity IS 'Market value of equity, for listed companies (the original Z uses it); NULL otherwise.';
REVOKE ALL ON crisk.financials FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.financials', '');
