-- Payment terms against the French caps (Code de commerce L441-10):
--   * agreed payment terms may not exceed 60 days from the invoice date,
--     or 45 days end of month where the contract says so.  crisk reads
--     "45 days end of month" as: issue date + 45 days, then to the end of
--     that month (the reading the DGCCRF accepts alongside end of month +
--     45 days; it is the shorter of the two for most dates, so an invoice
--     crisk lets through passes either).  An account says its contract
--     agrees such terms with crisk.account.end_of_month_terms;
--   * the late-payment penalties agreed may not be below three times the
--     legal interest rate (taux de l'intérêt légal, "autres cas", set each
--     half-year by decree): crisk.account.late_interest_rate holds the
--     agreed rate, NULL when the contract names none (the statutory ECB
--     rate + 10 points then applies, which is always above the floor).
--
-- crisk.legal_interest_rate holds the legal interest rate by half-year,
-- shipped from 2016 on; users add each new half-year's rate as a row
-- (kept by pg_dump).  The rate in force on a day is that of the latest row
-- dated on or before it.
--
-- crisk.terms_compliance lists, one row per problem:
--   terms_over_60_days            an invoice due more than 60 days after
--                                 its date (account without end-of-month
--                                 terms, or no account)
--   terms_over_45_days_end_of_month  an invoice of an end-of-month account
--                                 due after the end of the month of issue
--                                 date + 45 days
--   account_terms_over_cap        an account whose payment_terms_days
--                                 exceed 60 (45 with end-of-month terms)
--   late_interest_below_floor     an account whose agreed late-interest
--                                 rate is below 3 x the legal interest
--                                 rate in force today
-- Credit notes are left out.  It reads the whole ledger: run it as a
-- periodic check, not on every refresh of a dashboard.

CREATE TABLE crisk.legal_interest_rate (
    valid_from  pg_catalog.date NOT NULL,
    rate        pg_catalog.numeric NOT NULL,
    shipped     pg_catalog.bool NOT NULL DEFAULT false,
    CONSTRAINT legal_interest_rate_pkey PRIMARY KEY (valid_from),
    CONSTRAINT legal_interest_rate_valid_from_finite CHECK (pg_catalog.isfinite(valid_from)),
    CONSTRAINT legal_interest_rate_rate_valid CHECK (rate >= 0 AND rate < 1)
);
COMMENT ON TABLE crisk.legal_interest_rate IS
    'French legal interest rate (taux de l''intérêt légal, for creditors other than consumers) by half-year, as a fraction, from the date it came into force: the floor of agreed late-payment penalties is three times it (L441-10). Shipped from 2016 (shipped = true, read-only); add each new half-year''s rate as a row, kept by pg_dump.';
COMMENT ON COLUMN crisk.legal_interest_rate.rate IS 'Annual rate as a fraction (0.0262 for 2.62 %).';
INSERT INTO crisk.legal_interest_rate (valid_from, rate, shipped) VALUES
    ('2016-01-01', 0.0101, true), ('2016-07-01', 0.0093, true),
    ('2017-01-01', 0.0090, true), ('2017-07-01', 0.0090, true),
    ('2018-01-01', 0.0089, true), ('2018-07-01', 0.0088, true),
    ('2019-01-01', 0.0086, true), ('2019-07-01', 0.0087, true),
    ('2020-01-01', 0.0087, true), ('2020-07-01', 0.0084, true),
    ('2021-01-01', 0.0079, true), ('2021-07-01', 0.0076, true),
    ('2022-01-01', 0.0076, true), ('2022-07-01', 0.0077, true),
    ('2023-01-01', 0.0206, true), ('2023-07-01', 0.0422, true),
    ('2024-01-01', 0.0507, true), ('2024-07-01', 0.0492, true),
    ('2025-01-01', 0.0371, true), ('2025-07-01', 0.0276, true),
    ('2026-01-01', 0.0262, true);
REVOKE ALL ON crisk.legal_interest_rate FROM PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('crisk.legal_interest_rate', 'WHERE NOT shipped');
CREATE TRIGGER legal_interest_rate_shipped
    BEFORE INSERT OR UPDATE OR DELETE ON crisk.legal_interest_rate
    FOR EACH ROW EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Add the rate of each new half-year as a row of your own.');
CREATE TRIGGER legal_interest_rate_shipped_truncate
    BEFORE TRUNCATE ON crisk.legal_interest_rate
    FOR EACH STATEMENT EXECUTE FUNCTION crisk.protect_shipped_rows(
        'Delete your own rows with DELETE ... WHERE NOT shipped.');

CREATE VIEW crisk.terms_compliance WITH (security_invoker = true) AS
    SELECT l.customer_id,
           a.name,
           l.invoice_id,
           l.issue_date,
           l.due_date,
           l.due_date OPERATOR(pg_catalog.-) l.issue_date AS terms_days,
           cap.latest_due_date,
           COALESCE(a.end_of_month_terms, false) AS end_of_month_terms,
           a.late_interest_rate,
           NULL::pg_catalog.numeric AS legal_floor_rate,
           CASE WHEN COALESCE(a.end_of_month_terms, false) THEN 'terms_over_45_days_end_of_month'
                ELSE 'terms_over_60_days' END AS problem
    FROM crisk.ledger l
    LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) l.customer_id
    CROSS JOIN LATERAL (
        SELECT CASE WHEN COALESCE(a.end_of_month_terms, false)
                    THEN (pg_catalog.date_trunc('month', (l.issue_date OPERATOR(pg_catalog.+) 45)::pg_catalog.timestamp)
                          OPERATOR(pg_catalog.+) '1 month -1 day'::pg_catalog.interval)::pg_catalog.date
                    ELSE l.issue_date OPERATOR(pg_catalog.+) 60 END AS latest_due_date) cap
    WHERE l.amount OPERATOR(pg_catalog.>) 0
      AND l.due_date OPERATOR(pg_catalog.>) cap.latest_due_date
    UNION ALL
    SELECT a.customer_id, a.name, NULL, NULL, NULL,
           a.payment_terms_days,
           NULL,
           a.end_of_month_terms,
           a.late_interest_rate,
           NULL,
           'account_terms_over_cap'
    FROM crisk.account a
    WHERE a.payment_terms_days OPERATOR(pg_catalog.>) CASE WHEN a.end_of_month_terms THEN 45 ELSE 60 END
    UNION ALL
    SELECT a.customer_id, a.name, NULL, NULL, NULL,
           a.payment_terms_days,
           NULL,
           a.end_of_month_terms,
           a.late_interest_rate,
           3 OPERATOR(pg_catalog.*) r.rate,
           'late_interest_below_floor'
    FROM crisk.account a
    CROSS JOIN LATERAL (
        SELECT x.rate FROM crisk.legal_interest_rate x
        WHERE x.valid_from OPERATOR(pg_catalog.<=) CURRENT_DATE
        ORDER BY x.valid_from DESC LIMIT 1) r
    WHERE a.late_interest_rate OPERATOR(pg_catalog.<) (3 OPERATOR(pg_catalog.*) r.rate);
COMMENT ON VIEW crisk.terms_compliance IS
    'Breaches of the French rules on payment terms (L441-10), one row per problem: invoices due later than 60 days after their date (terms_over_60_days) or, for accounts agreeing 45 days end of month (crisk.account.end_of_month_terms), later than the end of the month of issue date + 45 days (terms_over_45_days_end_of_month); accounts whose payment_terms_days exceed the cap (account_terms_over_cap); accounts whose agreed late-interest rate is below 3 x the legal interest rate in force today (late_interest_below_floor). Credit notes are left out.';
COMMENT ON COLUMN crisk.terms_compliance.customer_id IS 'Customer code, as in the ledger or crisk.account.';
COMMENT ON COLUMN crisk.terms_compliance.name IS 'Customer name from crisk.account; NULL without an account.';
COMMENT ON COLUMN crisk.terms_compliance.issue_date IS 'Invoice date; NULL for an account row.';
COMMENT ON COLUMN crisk.terms_compliance.due_date IS 'Due date of the invoice; NULL for an account row.';
COMMENT ON COLUMN crisk.terms_compliance.end_of_month_terms IS 'Whether the account agrees 45 days end of month (crisk.account.end_of_month_terms); false without an account.';
COMMENT ON COLUMN crisk.terms_compliance.invoice_id IS 'Invoice concerned; NULL for a problem of the account''s terms.';
COMMENT ON COLUMN crisk.terms_compliance.terms_days IS 'Days from invoice date to due date (the account''s payment_terms_days for an account row).';
COMMENT ON COLUMN crisk.terms_compliance.latest_due_date IS 'Latest due date the law allows for the invoice: issue date + 60 days, or the end of the month of issue date + 45 days with end-of-month terms.';
COMMENT ON COLUMN crisk.terms_compliance.late_interest_rate IS 'Late-interest rate agreed with the customer (crisk.account.late_interest_rate).';
COMMENT ON COLUMN crisk.terms_compliance.legal_floor_rate IS 'For late_interest_below_floor: 3 x the legal interest rate in force today (crisk.legal_interest_rate).';
COMMENT ON COLUMN crisk.terms_compliance.problem IS 'terms_over_60_days, terms_over_45_days_end_of_month, account_terms_over_cap or late_interest_below_floor.';
REVOKE ALL ON crisk.terms_compliance FROM PUBLIC;
