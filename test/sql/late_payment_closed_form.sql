-- crisk.late_payment_interest at the statutory rate takes one step per run
-- of half-years sharing a rate (one per row of crisk.reference_rate), not
-- one per half-year.  These checks compare it with the definition itself,
-- computed half-year by half-year in SQL, and check that far dates give
-- the exact figure (timing stays out of the test: a far date only has to
-- return, and to be right to the cent).

-- The definition: every half-year h touched by the late days bears the ECB
-- rate in force on its first day plus 10 points, for the late days in it.
CREATE FUNCTION statutory_by_half_year(amount numeric, due date, paid date)
    RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT round(amount * coalesce(sum(
               ((SELECT r.rate FROM crisk.reference_rate r
                 WHERE r.valid_from <= h.start ORDER BY r.valid_from DESC LIMIT 1) + 0.10)
               * (least(paid, (h.start + interval '6 months')::date - 1)
                  - greatest(due + 1, h.start) + 1)), 0) / 365, 2)
    FROM (SELECT g::date AS start
          FROM generate_series(date_trunc('year', due + 1)::date,
                               paid, interval '6 months') AS g) AS h
    WHERE paid > due
      AND h.start <= paid
      AND (h.start + interval '6 months')::date > due + 1
$$;

-- Rows users add later (two on a half-year's first day, one within a
-- half-year), so that runs of several half-years, single half-years and
-- rates changing mid-half-year all occur.
INSERT INTO crisk.reference_rate VALUES ('2027-01-01', 0.0300), ('2027-03-15', 0.0350),
                                        ('2027-07-01', 0.0350), ('2031-07-01', 0.0100);

-- Every pair of due and paid dates on a grid from 2015-12 to 2033
-- (due dates every 47 days, late spans of 1 day to 7 years): the function
-- and the definition agree on every one, to the cent.
SELECT count(*) AS pairs,
       count(*) FILTER (WHERE crisk.late_payment_interest(1234.56, due, paid)
                              IS DISTINCT FROM statutory_by_half_year(1234.56, due, paid)) AS disagreements
FROM generate_series('2015-12-01'::date, '2030-06-30', interval '47 days') AS d(due_ts)
CROSS JOIN LATERAL (SELECT d.due_ts::date AS due) AS dd
CROSS JOIN unnest(ARRAY[1, 2, 30, 181, 184, 365, 366, 730, 1000, 2557]) AS span(days)
CROSS JOIN LATERAL (SELECT dd.due + span.days AS paid) AS pp;

-- By hand, 10 000.00 due 2026-12-31, paid 2028-01-31 (396 late days):
--   2027 H1 (181 days): ECB rate on 2027-01-01 is 3.00 % -> 13.00 %
--   2027 H2 (184 days): rate on 2027-07-01 is 3.50 %     -> 13.50 %
--   2028 H1 (31 days):  rate on 2028-01-01 is 3.50 %     -> 13.50 %
--   rate-days = 0.13 * 181 + 0.135 * 215 = 23.53 + 29.025 = 52.555
--   interest  = 10 000 * 52.555 / 365 = 1 439.8630... -> 1 439.86
SELECT crisk.late_payment_interest(10000.00, '2026-12-31', '2028-01-31') AS three_half_years;

DELETE FROM crisk.reference_rate WHERE valid_from >= '2027-01-01';

-- Far dates.  With the shipped rates the last one (2.15 % from 2025-06-11)
-- governs every half-year from 2025 H2 on, at 12.15 %.  1 000.00 due
-- 2020-01-01 and still open on 5874897-12-31 (the last date PostgreSQL
-- has): the late days up to 2025-06-30 at their half-years' rates, then
-- 2 145 022 636 days (2025-07-01 to 5874897-12-31) at 12.15 %:
--   2020-01-02 .. 2022-06-30: 911 days at 10.00 % = 91.1
--   2022 H2: 184 days at 10.00 % (0.00 % in force on 2022-07-01) = 18.4
--   2023 H1: 181 at 12.50 % = 22.625;  2023 H2: 184 at 14.00 % = 25.76
--   2024 H1: 182 at 14.50 % = 26.39;   2024 H2: 184 at 14.25 % = 26.22
--   2025 H1: 181 at 13.15 % = 23.8015
--   sum to 2025-06-30 = 234.2965
--   (definition and function: 1 000 * 234.2965 / 365 = 641.908... -> 641.91)
--   after: 0.1215 * 2 145 022 636 = 260 620 250.2740
--   interest = 1 000 * 260 620 484.5705 / 365 = 714 028 724.850... -> 714 028 724.85
SELECT '5874897-12-31'::date - '2025-07-01'::date + 1 AS days_at_last_rate;
SELECT crisk.late_payment_interest(1000.00, '2020-01-01', '5874897-12-31') AS far_date,
       crisk.late_payment_interest(1000.00, '2020-01-01', '5874897-12-31')
           = round(1000.00 * (234.2965 + 0.1215 * ('5874897-12-31'::date - '2025-07-01'::date + 1)) / 365, 2)
           AS as_worked_out,
       statutory_by_half_year(1000.00, '2020-01-01', '2025-06-30') AS definition_to_2025_06_30,
       crisk.late_payment_interest(1000.00, '2020-01-01', '2025-06-30') AS function_to_2025_06_30;
-- The dunning worklist computes this interest per invoice: far as-of
-- dates answer too.
INSERT INTO crisk.invoice VALUES ('far-1', 'far-customer', 1000.00, '2019-12-01', '2020-01-01', NULL);
SELECT invoice_id, days_past_due, late_payment_interest, recovery_indemnity
FROM crisk.dunning_worklist_at('5874897-12-31') WHERE invoice_id = 'far-1';
DELETE FROM crisk.invoice WHERE invoice_id = 'far-1';

DROP FUNCTION statutory_by_half_year(numeric, date, date);
