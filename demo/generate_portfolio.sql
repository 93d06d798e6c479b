-- demo/generate_portfolio.sql: a synthetic but realistic receivables portfolio.
--
--   psql -v customers=5000 -v seed=1 -v as_of=2026-06-30 -f demo/generate_portfolio.sql
--
-- Variables (all optional):
--   customers              number of customers (default 5000)
--   invoices_per_customer  average number of invoices per customer over the
--                          history (default 150: a B2B supplier invoices
--                          its customers a few times a month, key accounts
--                          several times a week, small shops about monthly)
--   months                 months of history before as_of (default 36)
--   seed                   the same seed gives the same portfolio (default 1)
--   as_of                  the portfolio's "today" (default current_date)
--
-- It fills crisk.account, crisk.invoice, crisk.financials, crisk.event,
-- crisk.dispute, crisk.promise and crisk.contact for customers C000001, C000002, ... (into an empty portfolio).
-- With crisk 0.2.0 it also fills crisk.allocation (partial payments,
-- credit notes applied) and an ERP order book, erp.commande, which it
-- names as the orders source (crisk.set_orders).
-- Every random draw is a hash of (seed, what is drawn), never random(), so
-- the result does not depend on the plan, on parallelism or on row order.
--
-- What it models:
--   * segments with their own size, payment terms and habits: key accounts,
--     corporates, SMEs, public sector (slow but safe), retail;
--   * payment habits: most customers pay around the due date, some are
--     steadily late, some drift later month after month, a few are in
--     distress and stop paying, a few defaulted and were cut off.  The mix
--     follows what Altares measures on French companies (2023-2024): about
--     half pay on time, the average delay is 12 to 13 days, 6 to 8 % pay
--     more than 30 days late (public bodies are slow, hospitals and state
--     services about 20 days late), and about 1.5 % of companies fail each
--     year, so some 4 to 5 % over the three years of history;
--   * seasonality (quarter ends busy, August quiet), credit notes, customers
--     who joined during the period or left it, open and overdue items at
--     as_of, credit limits and credit-insurance cover.

\set ON_ERROR_STOP on
\if :{?customers} \else \set customers 5000 \endif
\if :{?invoices_per_customer} \else \set invoices_per_customer 150 \endif
\if :{?months} \else \set months 36 \endif
\if :{?seed} \else \set seed 1 \endif
\if :{?as_of} \else \set as_of '' \endif

SET client_min_messages = warning;

-- uniform(key, salt) is a deterministic draw in [0, 1) for a thing (key) and
-- a purpose (salt); normal() and the pickers below are built on it.
CREATE FUNCTION pg_temp.uniform(key bigint, salt integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ((pg_catalog.hashint8extended(key, :seed::bigint * 1000 + salt) >> 11)
        & 9007199254740991)::double precision / 9007199254740992.0;

CREATE FUNCTION pg_temp.normal(key bigint, salt integer) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sqrt(-2.0 * ln(1.0 - pg_temp.uniform(key, salt)))
       * cos(2.0 * pi() * pg_temp.uniform(key, salt + 500));

CREATE TEMP TABLE portfolio_parameters AS
SELECT COALESCE(NULLIF(:'as_of', '')::date, current_date) AS as_of,
       :months::integer AS months,
       :invoices_per_customer::numeric AS invoices_per_customer;

-- Month weights: busy quarter ends, quiet August (mean 1.0).
CREATE TEMP TABLE season(month integer PRIMARY KEY, weight double precision);
INSERT INTO season VALUES (1, 0.90), (2, 0.95), (3, 1.12), (4, 0.98), (5, 0.97),
    (6, 1.12), (7, 0.96), (8, 0.62), (9, 1.10), (10, 1.08), (11, 1.05), (12, 1.15);

-- Segments: share of customers, relative invoice volume, median invoice,
-- payment terms, and the mix of payment habits.
CREATE TEMP TABLE segment(
    segment text PRIMARY KEY, share double precision, volume double precision,
    median_invoice numeric, terms_days integer,
    prompt double precision, late double precision, drifting double precision,
    distressed double precision);  -- the rest of the mix defaulted
INSERT INTO segment VALUES
    ('key_account',   0.05, 6.0, 18000, 60, 0.55, 0.36, 0.07, 0.01),
    ('corporate',     0.20, 2.5,  6000, 45, 0.52, 0.37, 0.08, 0.02),
    ('sme',           0.55, 0.8,  1500, 30, 0.50, 0.36, 0.09, 0.03),
    ('public_sector', 0.10, 1.0,  4000, 30, 0.25, 0.70, 0.05, 0.00),
    ('retail',        0.10, 0.3,   400, 30, 0.55, 0.32, 0.08, 0.03);

CREATE TEMP TABLE customer AS
WITH drawn AS (
    SELECT n, pg_temp.uniform(n, 1) AS u_segment, pg_temp.uniform(n, 2) AS u_habit,
           pg_temp.uniform(n, 3) AS u_start, pg_temp.uniform(n, 4) AS u_leave,
           pg_temp.normal(n, 5) AS z_size
    FROM generate_series(1, :customers) AS n
), placed AS (
    SELECT d.*, s.*,
           CASE WHEN d.u_habit < s.prompt THEN 'prompt'
                WHEN d.u_habit < s.prompt + s.late THEN 'late'
                WHEN d.u_habit < s.prompt + s.late + s.drifting THEN 'drifting'
                WHEN d.u_habit < s.prompt + s.late + s.drifting + s.distressed THEN 'distressed'
                ELSE 'defaulted' END AS habit
    FROM drawn d
    JOIN (SELECT *, sum(share) OVER (ORDER BY segment) - share AS low,
                    sum(share) OVER (ORDER BY segment) AS high
          FROM segment) s ON d.u_segment >= s.low AND d.u_segment < s.high
)
SELECT p.n,
       'C' || lpad(p.n::text, 6, '0') AS customer_id,
       p.segment, p.habit, p.terms_days, p.median_invoice,
       -- invoices per month: the segment's volume, scaled to the requested
       -- average, with a log-normal spread between customers
       pp.invoices_per_customer / pp.months * p.volume
           / (SELECT sum(share * volume) FROM segment)
           * exp(0.6 * p.z_size - 0.18) AS monthly_rate,
       -- a quarter of the customers joined during the period
       CASE WHEN p.u_start < 0.25 THEN floor(p.u_start / 0.25 * (pp.months - 3))::integer
            ELSE 0 END AS first_month,
       -- 4 % left before as_of; defaulted customers were cut off 8 to 18
       -- months ago; distressed ones stopped paying 3 to 8 months ago
       CASE WHEN p.habit = 'defaulted' THEN pp.months - 8 - floor(p.u_leave * 10)::integer
            WHEN p.u_leave < 0.04 THEN pp.months - 1 - floor(p.u_leave / 0.04 * 12)::integer
            ELSE pp.months - 1 END AS last_month,
       CASE WHEN p.habit = 'distressed' THEN pp.months - 3 - floor(p.u_leave * 5)::integer
            WHEN p.habit = 'defaulted' THEN pp.months - 10 - floor(p.u_leave * 10)::integer
            END AS stops_paying_month
FROM placed p CROSS JOIN portfolio_parameters pp;

-- Invoices: per customer and month a count around the customer's rate times
-- the season, each with a log-normal amount; 3 % are credit notes.  Month m
-- counts from the start of the history (0) to the month of as_of.
CREATE TEMP TABLE generated_invoice AS
SELECT c.customer_id, c.habit, c.terms_days, c.stops_paying_month, m.m AS month,
       c.n::bigint * 100000 + m.m * 100 + k AS key,
       c.customer_id || '-' || to_char(m.month_start, 'YYMM') || '-' || lpad(k::text, 2, '0') AS invoice_id,
       c.median_invoice, m.month_start, m.month_days
FROM customer c
CROSS JOIN portfolio_parameters pp
CROSS JOIN LATERAL (
    SELECT g AS m, ms.month_start,
           -- the month of as_of is only issued up to as_of
           least(pp.as_of, (ms.month_start + interval '1 month' - interval '1 day')::date)
               - ms.month_start + 1 AS month_days
    FROM generate_series(c.first_month, c.last_month) AS g
    CROSS JOIN LATERAL (
        SELECT (date_trunc('month', pp.as_of)
                - make_interval(months => pp.months - 1 - g))::date AS month_start
    ) ms
) m
JOIN season s ON s.month = extract(month FROM m.month_start)
CROSS JOIN LATERAL generate_series(1, least(99, floor(
    c.monthly_rate * s.weight * m.month_days / 30.4
    + pg_temp.uniform(c.n * 1000 + m.m, 10))::integer)) AS k;

INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
SELECT invoice_id, customer_id, amount, issue_date, due_date,
       CASE WHEN paid_date <= pp.as_of THEN paid_date END
FROM (
    SELECT i.*, d.issue_date, d.amount, d.issue_date + i.terms_days AS due_date,
           CASE
               -- credit notes are offset within a month, some are still open
               WHEN d.amount < 0 THEN
                   CASE WHEN pg_temp.uniform(i.key, 21) < 0.85
                        THEN d.issue_date + 5 + floor(pg_temp.uniform(i.key, 22) * 25)::integer END
               -- after a customer stops paying, nothing is paid
               WHEN i.month >= i.stops_paying_month THEN NULL
               ELSE d.issue_date + i.terms_days + d.days_late
           END AS paid_date
    FROM generated_invoice i
    CROSS JOIN LATERAL (
        SELECT i.month_start + floor(pg_temp.uniform(i.key, 20) * i.month_days)::integer AS issue_date,
               CASE WHEN pg_temp.uniform(i.key, 23) < 0.03
                    THEN -round(i.median_invoice * (0.1 + 0.4 * pg_temp.uniform(i.key, 24))::numeric, 2)
                    ELSE round(i.median_invoice * exp(0.7 * pg_temp.normal(i.key, 25))::numeric, 2)
               END AS amount,
               -- days beyond terms by habit; never more than 10 days early
               greatest(-10, round(CASE i.habit
                   WHEN 'prompt' THEN -2 + 4 * pg_temp.normal(i.key, 26)
                   WHEN 'late' THEN 4 - 12 * ln(1 - pg_temp.uniform(i.key, 27))
                   -- a day later each month over the last 18 months
                   WHEN 'drifting' THEN 2 + 1.0 * greatest(0, i.month - (SELECT months FROM portfolio_parameters) + 18)
                                        - 8 * ln(1 - pg_temp.uniform(i.key, 27))
                   WHEN 'distressed' THEN 15 - 30 * ln(1 - pg_temp.uniform(i.key, 27))
                   ELSE 25 - 40 * ln(1 - pg_temp.uniform(i.key, 27))
               END)::integer) AS days_late
    ) d
) paid
CROSS JOIN portfolio_parameters pp
WHERE paid.issue_date <= pp.as_of;

-- Accounts: a credit limit sized, when the account was last reviewed, on
-- what the customer owes when it pays on its terms plus a month and a half
-- of slack (month-end terms, monthly payment runs, the usual fortnight
-- late): average monthly sales (invoices are log-normal, so their mean is
-- 1.28 times their median) x (terms + 45) / 30, with a spread of about 15 %
-- between customers (sales moved since the review), so that a first
-- recalibration raises some limits and lowers others; rounded to the
-- thousand.  Credit-insurance cover on most accounts,
-- between 0.8 and 1.2 times the limit (0.3 times for customers whose
-- habits worsen, whose insurer cut it); a few limits locked by hand.
INSERT INTO crisk.account (customer_id, name, segment, credit_limit, limit_locked,
                           insured_cover, payment_terms_days)
SELECT c.customer_id,
       (ARRAY['Atelier', 'Transports', 'Imprimerie', 'Menuiserie', 'Laboratoires',
              'Garage', 'Comptoir', 'Distribution', 'Boulangerie', 'Constructions',
              'Editions', 'Chaudronnerie', 'Pharmacie', 'Hotel', 'Cabinet'])
           [1 + floor(pg_temp.uniform(c.n, 40) * 15)::integer]
       || ' ' ||
       (ARRAY['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit',
              'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefebvre', 'Michel',
              'Garcia', 'David', 'Bertrand', 'Roux', 'Vincent', 'Fournier'])
           [1 + floor(pg_temp.uniform(c.n, 41) * 20)::integer]
       || ' ' ||
       (ARRAY['SARL', 'SAS', 'SA', 'EURL', 'SCOP'])[1 + floor(pg_temp.uniform(c.n, 42) * 5)::integer],
       c.segment,
       limits.credit_limit,
       pg_temp.uniform(c.n, 43) < 0.03,
       CASE WHEN pg_temp.uniform(c.n, 44) < 0.65 THEN
           round(limits.credit_limit
                 * CASE WHEN c.habit IN ('distressed', 'defaulted') THEN 0.3 ELSE 1.0 END
                 * (0.8 + 0.4 * pg_temp.uniform(c.n, 45))::numeric, -3)
       END,
       c.terms_days
FROM customer c
CROSS JOIN LATERAL (
    SELECT greatest(1000, round((1.28 * c.monthly_rate * (c.terms_days + 45) / 30.0
                                 * exp(0.15 * pg_temp.normal(c.n, 46)))::numeric
                                * c.median_invoice, -3)) AS credit_limit
) limits;

-- When the relationship began: customers who joined during the period
-- began with their first invoice, the others one to fifteen years before
-- the history starts.  Defaulted customers were cut off (an order stop).
UPDATE crisk.account a
SET customer_since = CASE
        WHEN c.first_month > 0 THEN (date_trunc('month', pp.as_of)
            - make_interval(months => pp.months - 1 - c.first_month))::date
        ELSE (date_trunc('month', pp.as_of)
            - make_interval(months => pp.months - 1 + 12 + floor(pg_temp.uniform(c.n, 47) * 168)::integer))::date
    END,
    blocked = (c.habit = 'defaulted')
FROM customer c CROSS JOIN portfolio_parameters pp
WHERE a.customer_id = c.customer_id;

-- Balance sheets (two fiscal years ending 31 December) for 70 % of the
-- customers: prompt payers are sound, customers in distress are not, so
-- that Altman's Z' tells them apart as it would in real life.  Figures are
-- scaled to the customer's own size (about 40 times what it buys from us).
INSERT INTO crisk.financials (customer_id, fiscal_year_end, working_capital,
                              retained_earnings, ebit, equity, total_liabilities,
                              total_assets, sales, source)
SELECT c.customer_id, y.fiscal_year_end,
       round((ta * (r.wc + 0.08 * pg_temp.normal(k, 50)))::numeric, -2),
       round((ta * (r.re + 0.08 * pg_temp.normal(k, 51)))::numeric, -2),
       round((ta * (r.ebit + 0.03 * pg_temp.normal(k, 52)))::numeric, -2),
       round((ta * r.eq_share)::numeric, -2),
       round((ta * (1 - r.eq_share))::numeric, -2),
       round(ta::numeric, -2),
       round((ta * (r.turnover + 0.2 * pg_temp.normal(k, 53)))::numeric, -2),
       'demo generator'
FROM customer c
CROSS JOIN portfolio_parameters pp
CROSS JOIN LATERAL (
    VALUES ((make_date(extract(year FROM pp.as_of)::integer - 1, 12, 31)), 1),
           ((make_date(extract(year FROM pp.as_of)::integer - 2, 12, 31)), 2)
) AS y(fiscal_year_end, years_back)
CROSS JOIN LATERAL (
    SELECT c.n * 10 + y.years_back AS k,
           greatest(50000, 40 * 12 * c.monthly_rate * c.median_invoice
                           * exp(0.4 * pg_temp.normal(c.n, 54))
                           * (1 - 0.05 * y.years_back)) AS ta
) size
CROSS JOIN LATERAL (
    -- working capital, retained earnings and EBIT as shares of total
    -- assets, equity's share of the balance sheet, and asset turnover
    SELECT * FROM (VALUES
        ('prompt',      0.22,  0.30,  0.09, 0.45, 1.6),
        ('late',        0.12,  0.18,  0.05, 0.35, 1.4),
        ('drifting',    0.04,  0.06,  0.01, 0.22, 1.2),
        ('distressed', -0.06, -0.08, -0.04, 0.10, 1.0),
        ('defaulted',  -0.12, -0.20, -0.08, 0.04, 0.9)
    ) AS v(habit, wc, re, ebit, eq_share, turnover)
    WHERE v.habit = c.habit
) r
WHERE pg_temp.uniform(c.n, 55) < 0.70
  AND y.fiscal_year_end < pp.as_of
  AND c.last_month >= pp.months - 1 - 12 * y.years_back;

-- Legal events: insolvency proceedings for customers in distress or in
-- default, capital losses and liens for some late payers, and the ordinary
-- life of companies (new directors, moved offices) for a few others.
INSERT INTO crisk.event (customer_id, kind, occurred_on, detail)
SELECT c.customer_id, e.kind,
       pp.as_of - e.days_ago,
       'demo generator'
FROM customer c
CROSS JOIN portfolio_parameters pp
CROSS JOIN LATERAL (
    SELECT * FROM (VALUES
        ('safeguard', c.habit = 'distressed' AND pg_temp.uniform(c.n, 60) < 0.35,
         20 + floor(pg_temp.uniform(c.n, 61) * 120)::integer),
        ('receivership', c.habit = 'distressed' AND pg_temp.uniform(c.n, 60) >= 0.35
                         AND pg_temp.uniform(c.n, 60) < 0.55,
         10 + floor(pg_temp.uniform(c.n, 61) * 90)::integer),
        ('liquidation', c.habit = 'defaulted' AND pg_temp.uniform(c.n, 60) < 0.60,
         30 + floor(pg_temp.uniform(c.n, 61) * 300)::integer),
        ('receivership', c.habit = 'defaulted' AND pg_temp.uniform(c.n, 60) >= 0.60,
         60 + floor(pg_temp.uniform(c.n, 61) * 300)::integer),
        ('capital_loss', c.habit IN ('drifting', 'distressed') AND pg_temp.uniform(c.n, 62) < 0.15,
         floor(pg_temp.uniform(c.n, 63) * 400)::integer),
        ('lien', c.habit IN ('late', 'drifting', 'distressed') AND pg_temp.uniform(c.n, 64) < 0.04,
         floor(pg_temp.uniform(c.n, 65) * 300)::integer),
        ('director_change', pg_temp.uniform(c.n, 66) < 0.05,
         floor(pg_temp.uniform(c.n, 67) * 700)::integer),
        ('office_transfer', pg_temp.uniform(c.n, 68) < 0.03,
         floor(pg_temp.uniform(c.n, 69) * 700)::integer)
    ) AS v(kind, happens, days_ago)
    WHERE v.happens
) e;

-- The collections workflow.  Of the overdue invoices still open, about 3 %
-- are disputed (part of the amount, opened a few days after the due date),
-- 3 % carry a promise to pay that was broken (due ten days ago and still
-- unpaid) and 3 % one still pending (due next week); late payments of the
-- last six months were promised beforehand one time in twenty, promises
-- that were kept.  Each promise comes from a call, each dispute from an
-- e-mail, in the contact log.
-- (crisk 0.1.0 has none of this: the upgrade test generates its portfolio
-- there.)
SELECT to_regclass('crisk.dispute') IS NOT NULL AS has_collections \gset
\if :has_collections
-- One customer in ten gets its letters in English.
UPDATE crisk.account AS a SET language = 'en'
WHERE pg_temp.uniform(hashtext(a.customer_id), 73) < 0.10;

CREATE TEMP TABLE collections_draw AS
SELECT i.invoice_id, i.customer_id, i.amount, i.due_date, i.paid_date,
       pg_temp.uniform(hashtext(i.invoice_id), 70) AS u,
       pg_temp.uniform(hashtext(i.invoice_id), 71) AS v
FROM crisk.invoice i, portfolio_parameters pp
WHERE i.amount > 0
  AND ((i.paid_date IS NULL AND i.due_date < pp.as_of - 15)
       OR (i.paid_date > i.due_date + 10 AND i.paid_date > pp.as_of - 180 AND i.paid_date <= pp.as_of));

-- Dunning so far: most overdue invoices were chased level after level of
-- the default policy, each a few days after it fell due (and never sooner
-- than the level's gap after the previous one); one in six never was.
INSERT INTO crisk.dunning_action (invoice_id, customer_id, policy, level, action, acted_on, days_past_due, note,
                                  recorded_by)
SELECT x.invoice_id, x.customer_id, 'default', x.level, x.action, x.acted_on, x.acted_on - x.due_date,
       'demo generator', 'demo generator'
FROM (
    SELECT d.invoice_id, d.customer_id, d.due_date, p.level, p.action,
           d.due_date + p.days_past_due + floor(d.v * 6)::integer
               + sum(p.min_gap_days) OVER (PARTITION BY d.invoice_id ORDER BY p.level)::integer AS acted_on
    FROM collections_draw d
    JOIN crisk.dunning_policy p ON p.policy = 'default'
    WHERE d.paid_date IS NULL AND d.u >= 1.0 / 6
) x, portfolio_parameters pp
WHERE x.acted_on < pp.as_of;

INSERT INTO crisk.dispute (invoice_id, customer_id, amount, opened_on, reason)
SELECT d.invoice_id, d.customer_id, round(d.amount * (0.3 + 0.7 * d.v)::numeric, 2),
       least(pp.as_of, d.due_date + 3 + floor(d.v * 10)::integer),
       (ARRAY['goods damaged on delivery', 'price differs from the order', 'quantity short',
              'service not rendered as agreed'])[1 + floor(d.v * 4)::integer]
FROM collections_draw d, portfolio_parameters pp
WHERE d.paid_date IS NULL AND d.u < 0.03;

INSERT INTO crisk.promise (customer_id, invoice_ids, amount, promised_on, due_on, recorded_by)
SELECT d.customer_id, ARRAY[d.invoice_id], d.amount,
       CASE WHEN d.paid_date IS NOT NULL THEN d.paid_date - 10
            WHEN d.u < 0.06 THEN pp.as_of - 25 ELSE pp.as_of - 3 END,
       CASE WHEN d.paid_date IS NOT NULL THEN d.paid_date - 1
            WHEN d.u < 0.06 THEN pp.as_of - 10 ELSE pp.as_of + 7 END,
       'demo generator'
FROM collections_draw d, portfolio_parameters pp
WHERE (d.paid_date IS NULL AND d.u >= 0.03 AND d.u < 0.09)
   OR (d.paid_date IS NOT NULL AND d.u < 0.05);

INSERT INTO crisk.contact (customer_id, at, channel, by, note)
SELECT p.customer_id, p.promised_on + time '10:00', 'phone', 'demo generator',
       format('promised to pay %s for %s by %s', p.amount, array_to_string(p.invoice_ids, ', '), p.due_on)
FROM crisk.promise p
UNION ALL
SELECT d.customer_id, d.opened_on + time '09:00', 'email', 'demo generator',
       format('disputes %s: %s', d.invoice_id, d.reason)
FROM crisk.dispute d;
\endif

-- Receivables as they are (crisk 0.2.0: allocations and orders; skipped
-- on 0.1.0).  Partial payments: one open invoice in eight has received a
-- part (30 to 70 %) since it was issued, and one late payment in ten of
-- the last six months came in two parts, the first half-way between the
-- due date and the final one.  Credit notes: those the ERP offset (a
-- paid_date) are applied, on that date, to an invoice of the customer
-- issued in the two months before and still open then, for what the
-- invoice can take; what they cannot is left unapplied, as are the 15 %
-- never offset.  Open orders: the order book of an ERP, with French column
-- names, read through a view named with crisk.set_orders: about one
-- customer in five has one to three orders taken in the last ten days and
-- not yet invoiced, for a few median invoices each.
SELECT to_regclass('crisk.allocation') IS NOT NULL AND to_regclass('crisk.order_source') IS NOT NULL
       AS has_receivables \gset
\if :has_receivables
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id)
SELECT i.invoice_id, round(i.amount * (0.3 + 0.4 * pg_temp.uniform(hashtext(i.invoice_id), 80))::numeric, 2),
       i.issue_date + floor(pg_temp.uniform(hashtext(i.invoice_id), 81) * (pp.as_of - i.issue_date + 1))::integer,
       'VIR-' || i.invoice_id || '-1'
FROM crisk.invoice i, portfolio_parameters pp
WHERE i.amount > 0 AND i.paid_date IS NULL
  AND pg_temp.uniform(hashtext(i.invoice_id), 82) < 0.125
UNION ALL
SELECT i.invoice_id, round(i.amount / 2, 2),
       i.due_date + (i.paid_date - i.due_date) / 2,
       'VIR-' || i.invoice_id || '-1'
FROM crisk.invoice i, portfolio_parameters pp
WHERE i.amount > 0 AND i.paid_date > i.due_date + 1 AND i.paid_date > pp.as_of - 180
  AND pg_temp.uniform(hashtext(i.invoice_id), 83) < 0.10;

-- Each offset credit note goes to the latest eligible invoice; it is
-- applied for what that invoice still owed, and stays open for the rest.
CREATE TEMP TABLE credit_application AS
SELECT DISTINCT ON (cn.invoice_id)
       cn.invoice_id AS credit_note, cn.paid_date AS applied_on, i.invoice_id,
       least(-cn.amount, i.amount - COALESCE((SELECT sum(a.amount) FROM crisk.allocation a
                                              WHERE a.invoice_id = i.invoice_id
                                                AND a.applied_on <= cn.paid_date), 0)) AS amount
FROM crisk.invoice cn
JOIN crisk.invoice i ON i.customer_id = cn.customer_id
                    AND i.amount > 0
                    AND i.issue_date BETWEEN cn.issue_date - 60 AND cn.paid_date
                    AND (i.paid_date IS NULL OR i.paid_date > cn.paid_date)
WHERE cn.amount < 0 AND cn.paid_date IS NOT NULL
ORDER BY cn.invoice_id, i.issue_date DESC, i.invoice_id;
DELETE FROM credit_application WHERE amount <= 0;
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id)
SELECT invoice_id, amount, applied_on, credit_note FROM credit_application;
-- A credit note applied in full keeps its paid_date, the day it was
-- applied (as an ERP marks it settled); one applied in part loses it, and
-- what is left of it is an unapplied credit.
UPDATE crisk.invoice i SET paid_date = NULL
FROM credit_application c
WHERE i.invoice_id = c.credit_note AND c.amount < -i.amount;

CREATE SCHEMA erp;
CREATE TABLE erp.commande (
    num_commande   varchar(20) PRIMARY KEY,
    code_client    varchar(12) NOT NULL,
    montant_ht     numeric(12,2) NOT NULL,
    date_commande  date NOT NULL,
    statut         varchar(10) NOT NULL);
COMMENT ON TABLE erp.commande IS 'Demo: an ERP''s order book (statut saisie, confirmee, facturee or annulee).';
INSERT INTO erp.commande
SELECT 'CMD-' || c.customer_id || '-' || k, c.customer_id,
       round(c.median_invoice * (0.5 + 2.5 * pg_temp.uniform(c.n * 10 + k, 91))::numeric, 2),
       pp.as_of - floor(pg_temp.uniform(c.n * 10 + k, 92) * 10)::integer,
       (ARRAY['saisie', 'confirmee', 'confirmee', 'facturee', 'annulee'])
           [1 + floor(pg_temp.uniform(c.n * 10 + k, 93) * 5)::integer]
FROM customer c, portfolio_parameters pp,
     generate_series(1, 1 + floor(pg_temp.uniform(c.n, 94) * 3)::integer) AS k
WHERE pg_temp.uniform(c.n, 90) < 0.20 AND c.habit <> 'defaulted' AND c.last_month = pp.months - 1;
CREATE INDEX ON erp.commande (code_client) WHERE statut IN ('saisie', 'confirmee');
CREATE VIEW erp.crisk_orders AS
    SELECT num_commande AS order_id, code_client AS customer_id, montant_ht AS amount,
           date_commande AS ordered_on
    FROM erp.commande
    WHERE statut IN ('saisie', 'confirmee');
SELECT crisk.set_orders('erp.crisk_orders');
ANALYZE crisk.allocation;
ANALYZE erp.commande;
\endif

ANALYZE crisk.account;
ANALYZE crisk.invoice;
ANALYZE crisk.financials;
ANALYZE crisk.event;

SELECT count(*) AS customers,
       (SELECT count(*) FROM crisk.invoice) AS invoices,
       (SELECT count(*) FROM crisk.invoice WHERE paid_date IS NULL) AS open_invoices,
       (SELECT count(*) FROM crisk.financials) AS balance_sheets,
       (SELECT count(*) FROM crisk.event) AS events
FROM crisk.account;
\if :has_receivables
SELECT (SELECT count(*) FROM crisk.allocation WHERE source_id LIKE 'VIR-%') AS partial_payments,
       (SELECT count(*) FROM crisk.allocation WHERE source_id NOT LIKE 'VIR-%') AS credit_notes_applied,
       (SELECT count(*) FROM crisk.invoice i WHERE i.amount < 0 AND i.paid_date IS NULL
          AND NOT EXISTS (SELECT FROM crisk.allocation a WHERE a.source_id = i.invoice_id)) AS credit_notes_unapplied,
       (SELECT count(*) FROM erp.crisk_orders) AS open_orders;
\endif
\if :has_collections
SELECT (SELECT count(*) FROM crisk.dispute) AS disputes,
       (SELECT count(*) FROM crisk.promise) AS promises,
       (SELECT count(*) FROM crisk.dunning_action) AS dunning_actions;
\endif
