-- Late-payment penalties: crisk.late_payment_interest, crisk.recovery_indemnity
-- and the reference-rate table crisk.reference_rate.  Each error is followed
-- by its SQLSTATE.
--
-- Interest = amount * rate * days / 365, days counted from the day after the
-- due date to the payment date, rounded once to the cent.  The statutory
-- rate of a day is the ECB rate in force on 1 January (January to June) or
-- 1 July (July to December) of its year, plus 10 points.  From the shipped
-- table (listed below):
--   2015 H1 to 2016 H1: 0.05 % + 10 = 10.05 %   (rate of 2014-09-10)
--   2016 H2 to 2022 H2: 0.00 % + 10 = 10.00 %   (rate of 2016-03-16; the
--                       rise to 0.50 % came on 2022-07-27, after 1 July)
--   2023 H1: 2.50 % -> 12.50 %      2023 H2: 4.00 % -> 14.00 %
--   2024 H1: 4.50 % -> 14.50 %      2024 H2: 4.25 % -> 14.25 %
--   2025 H1: 3.15 % -> 13.15 %      2025 H2: 2.15 % -> 12.15 %
--   2026 H1: 2.15 % -> 12.15 %      2026 H2: 2.15 % -> 12.15 % (the last
--   change shipped, 2025-06-11, stays in force until a later row)

-- The shipped rates (ECB main refinancing rate, as fractions).
SELECT valid_from, rate FROM crisk.reference_rate ORDER BY valid_from;
SELECT count(*) AS shipped_rows,
       count(*) FILTER (WHERE (r.valid_from, r.rate) IN
                        (SELECT s.valid_from, s.rate FROM crisk.reference_rate_shipped() s))
         AS matching_shipped_list
FROM crisk.reference_rate r;

-- The rate in force on each 1 January and 1 July, as the function reads it.
SELECT d::date AS half_year_start,
       (SELECT r.rate FROM crisk.reference_rate r
        WHERE r.valid_from <= d ORDER BY r.valid_from DESC LIMIT 1) AS ecb_rate
FROM generate_series('2015-01-01'::date, '2027-01-01', '6 months') AS d;

-- The worked example: 10 000.00 due 2023-05-15, paid 2023-08-10.
--   late days 2023-05-16 .. 2023-06-30: 16 + 30 = 46 days at 12.50 %
--   late days 2023-07-01 .. 2023-08-10: 31 + 10 = 41 days at 14.00 %
--   10 000 * (0.125 * 46 + 0.14 * 41) / 365 = 10 000 * (5.75 + 5.74) / 365
--   = 114 900 / 365 = 314.794...                              -> 314.79
SELECT crisk.late_payment_interest(10000.00, '2023-05-15', '2023-08-10') AS worked_example;

-- Across a year end: 5 000.00 due 2023-12-15, paid 2024-01-20.
--   2023-12-16 .. 2023-12-31: 16 days at 14.00 % (2023 H2)  = 2.24
--   2024-01-01 .. 2024-01-20: 20 days at 14.50 % (2024 H1)  = 2.90
--   5 000 * 5.14 / 365 = 25 700 / 365 = 70.410...             -> 70.41
SELECT crisk.late_payment_interest(5000.00, '2023-12-15', '2024-01-20') AS year_end;

-- Leap years still divide by 365.
--   3 650.00 due 2024-02-27, paid 2024-03-02: late on 02-28, 02-29, 03-01,
--   03-02 = 4 days at 14.50 %: 3 650 * 0.145 * 4 / 365 = 5.80 exactly.
--   10 000.00 due 2023-12-31, paid 2024-06-30: all of 2024 H1, 182 days
--   (31 + 29 + 31 + 30 + 31 + 30) at 14.50 %: 10 000 * 0.145 * 182 / 365
--   = 263 900 / 365 = 723.013...  -> 723.01 (dividing by 366 would give 721.04)
SELECT crisk.late_payment_interest(3650.00, '2024-02-27', '2024-03-02') AS over_leap_day,
       crisk.late_payment_interest(10000.00, '2023-12-31', '2024-06-30') AS leap_half_year;

-- Ten years late, twenty half-years: 100 000.00 due 2015-12-31, paid
-- 2025-12-31 (3 653 days, 2016, 2020 and 2024 being leap years).
--   2016 H1 182 days at 10.05 %                              = 18.291
--   2016 H2 .. 2022 H2 at 10.00 %: 184 + 5 * 365 (2017, 2018, 2019, 2021,
--     2022) + 366 (2020) = 2 375 days                         = 237.5
--   2023 H1 181 d at 12.50 % = 22.625   2023 H2 184 d at 14.00 % = 25.76
--   2024 H1 182 d at 14.50 % = 26.39    2024 H2 184 d at 14.25 % = 26.22
--   2025 H1 181 d at 13.15 % = 23.8015  2025 H2 184 d at 12.15 % = 22.356
--   sum of rate * days = 402.9435 (182 + 2 375 + 181 + 184 + 182 + 184
--   + 181 + 184 = 3 653 days); 100 000 * 402.9435 / 365
--   = 40 294 350 / 365 = 110 395.479...                       -> 110395.48
SELECT crisk.late_payment_interest(100000.00, '2015-12-31', '2025-12-31') AS ten_years;

-- 2015 is covered by the rate of 2014-09-10, still in force on 1 January
-- 2015: 36 500.00 due 2015-01-10, paid 2015-02-09, 30 days at 10.05 %:
-- 36 500 * 0.1005 * 30 / 365 = 100 * 0.1005 * 30 = 301.50.
-- The first half of 2026: 36 500.00 due 2026-01-31,
-- paid 2026-03-02, 30 days (28 in February) at 12.15 % = 364.50.
SELECT crisk.late_payment_interest(36500.00, '2015-01-10', '2015-02-09') AS first_known_year,
       crisk.late_payment_interest(36500.00, '2026-01-31', '2026-03-02') AS last_known_half;

-- Zero and one day late.
--   paid on the due date, or before it: 0.00
--   36 500.00 due 2024-07-10, paid 2024-07-11: one day at 14.25 %:
--   36 500 * 0.1425 / 365 = 14.25
--   1 000.00 one day late on 2024-07-01, first day of a half-year at 14.25 %:
--   1 000 * 0.1425 / 365 = 0.3904... -> 0.39
--   1 000.00 one day late on 2024-06-30, last day of the first half at
--   14.50 %: 1 000 * 0.145 / 365 = 0.3972... -> 0.40
SELECT crisk.late_payment_interest(36500.00, '2024-07-10', '2024-07-10') AS on_due_date,
       crisk.late_payment_interest(36500.00, '2024-07-10', '2024-06-01') AS paid_early,
       crisk.late_payment_interest(36500.00, '2024-07-10', '2024-07-11') AS one_day,
       crisk.late_payment_interest(1000.00, '2024-06-30', '2024-07-01') AS first_day_of_h2,
       crisk.late_payment_interest(1000.00, '2024-06-29', '2024-06-30') AS last_day_of_h1;

-- Huge amounts keep every digit.
--   999 999 999 999 999.99 due 2025-01-31, paid 2025-03-02: 30 days at
--   13.15 %: 999 999 999 999 999.99 * 3.945 / 365
--   = 3 944 999 999 999 999.96055 / 365 = 10 808 219 178 082.1916...
--                                                      -> 10808219178082.19
--   10^1000 on the same days: 10^1000 * 3.945 / 365 = 789 * 10^997 / 73
--   (3.945 / 365 = 789 / 73 000).  789 / 73 = 10.808..., so 999 digits
--   before the point.  The fraction is that of 59 * 10^997 / 73
--   (789 = 10 * 73 + 59); as 10^8 = 1 (mod 73), 10^997 = 10^5 = 63
--   (mod 73), and 59 * 63 = 3 717 = 67 (mod 73): the fraction is
--   67 / 73 = 0.9178... -> .92, 1 002 characters in all.
SELECT crisk.late_payment_interest(999999999999999.99, '2025-01-31', '2025-03-02') AS huge;
SELECT length(x::text) AS characters, left(x::text, 12) AS first_digits,
       right(x::text, 3) AS cents
FROM (SELECT crisk.late_payment_interest('1e1000', '2025-01-31', '2025-03-02') AS x) AS t;
-- Beyond numeric's range the error says so.
SELECT crisk.late_payment_interest('9e131071', '2025-01-31', '2025-03-02');
\echo :LAST_ERROR_SQLSTATE

-- Rounding to the cent is half away from zero, once: 18.25 at a flat 10 %
-- for one day is 18.25 * 0.1 / 365 = 0.005 exactly -> 0.01.
SELECT crisk.late_payment_interest(18.25, '2024-01-01', '2024-01-02', 0.10) AS half_cent;

-- A flat agreed rate applies to every day, and needs no reference rate.
--   12 000.00 at 12 % from 2024-01-31 to 2024-03-01 (30 days): 12 000 * 0.12
--   * 30 / 365 = 43 200 / 365 = 118.356... -> 118.36
--   10 000.00 at 8 % due 2030-01-01, paid 2030-03-02, far beyond the
--   table: late days 2030-01-02 .. 2030-03-02 = 30 + 28 + 2 = 60 days:
--   10 000 * 0.08 * 60 / 365 = 48 000 / 365 = 131.506...      -> 131.51
--   a 0 % agreed rate gives 0.00.
SELECT crisk.late_payment_interest(12000.00, '2024-01-31', '2024-03-01', 0.12) AS agreed_12_percent,
       crisk.late_payment_interest(10000.00, '2030-01-01', '2030-03-02', 0.08) AS beyond_the_table,
       crisk.late_payment_interest(10000.00, '2024-01-01', '2024-03-01', 0) AS zero_rate;

-- A credit note (negative amount) is owed to the customer: no penalty,
-- even over a period the table does not cover.  A zero amount neither.
SELECT crisk.late_payment_interest(-5000.00, '2023-05-15', '2023-08-10') AS credit_note,
       crisk.late_payment_interest(-5000.00, '2010-01-01', '2030-01-01') AS credit_note_uncovered,
       crisk.late_payment_interest(0, '2023-05-15', '2023-08-10') AS zero_amount;

-- NULL amount or dates are unknown -> NULL.  A NULL annual_rate asks for
-- the statutory rate, as leaving it out does.
SELECT crisk.late_payment_interest(NULL, '2023-05-15', '2023-08-10') IS NULL AS null_amount,
       crisk.late_payment_interest(1000, NULL, '2023-08-10') IS NULL AS null_due,
       crisk.late_payment_interest(1000, '2023-05-15', NULL) IS NULL AS null_paid,
       crisk.late_payment_interest(10000.00, '2023-05-15', '2023-08-10', NULL) AS null_rate_is_statutory;

-- Bad values name the argument.
SELECT crisk.late_payment_interest(1000, '2024-01-01', '2024-02-01', -0.05);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.late_payment_interest(1000, '2024-01-01', '2024-02-01', 12);
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.late_payment_interest(1000, '2024-01-01', '2024-02-01', 'NaN');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.late_payment_interest('NaN', '2024-01-01', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.late_payment_interest(1000, '-infinity', '2024-02-01');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.late_payment_interest(1000, '2024-01-01', 'infinity', 0.1);
\echo :LAST_ERROR_SQLSTATE

-- After the last shipped change the rate stays in force: 36 500.00 due
-- 2026-06-30, paid 2026-07-30, 30 days at 2.15 % + 10 = 12.15 %:
-- 100 * 0.1215 * 30 = 364.50.  Likewise a year later (2027 H2).
SELECT crisk.late_payment_interest(36500.00, '2026-06-30', '2026-07-30') AS after_last_row,
       crisk.late_payment_interest(36500.00, '2027-06-30', '2027-07-30') AS year_after;

-- A half-year before the first row names the missing date: late days from
-- 2014-06-16 need the rate on 2014-01-01, before the first row (2014-09-10).
SELECT crisk.late_payment_interest(1000, '2014-06-15', '2015-03-01');
\echo :LAST_ERROR_SQLSTATE

-- A row users add is seen by the next call.  (In a transaction, rolled back
-- at the end, so the shipped table is what the rest of this file sees.)
BEGIN;
-- The second half of 2026 at, say, 2.00 %: 36 500.00 due 2026-06-30, paid
-- 2026-07-30, 30 days at 12.00 % = 100 * 0.12 * 30 = 360.00.
INSERT INTO crisk.reference_rate VALUES ('2026-07-01', 0.0200);
SELECT crisk.late_payment_interest(36500.00, '2026-06-30', '2026-07-30') AS with_new_row;
-- A corrected row is seen too: 2.15 % -> 12.15 %, 100 * 0.1215 * 30 = 364.50.
UPDATE crisk.reference_rate SET rate = 0.0215 WHERE valid_from = '2026-07-01';
SELECT crisk.late_payment_interest(36500.00, '2026-06-30', '2026-07-30') AS with_corrected_row;
-- Deleted again: back to the 2025-06-11 rate, 364.50 as well, so change the
-- row to 2.00 % first to see the delete take effect: 360.00 then 364.50.
UPDATE crisk.reference_rate SET rate = 0.0200 WHERE valid_from = '2026-07-01';
SELECT crisk.late_payment_interest(36500.00, '2026-06-30', '2026-07-30') AS with_row_again;
DELETE FROM crisk.reference_rate WHERE valid_from = '2026-07-01';
SELECT crisk.late_payment_interest(36500.00, '2026-06-30', '2026-07-30') AS after_delete;
ROLLBACK;

-- Older history users add before the shipped rows: 0.25 % from 2013-11-13
-- makes 2014 H1 computable at 10.25 %: 36 500.00 due 2014-01-30, paid
-- 2014-03-01, 30 days: 100 * 0.1025 * 30 = 307.50.  After ROLLBACK the
-- row is gone and so is the figure.
BEGIN;
INSERT INTO crisk.reference_rate VALUES ('2013-11-13', 0.0025);
SELECT crisk.late_payment_interest(36500.00, '2014-01-30', '2014-03-01') AS with_older_history;
ROLLBACK;
SELECT crisk.late_payment_interest(36500.00, '2014-01-30', '2014-03-01');
\echo :LAST_ERROR_SQLSTATE

-- Rows are validated: a rate typed in percent, a date at infinity, a date
-- already in the table, a NULL rate.
INSERT INTO crisk.reference_rate VALUES ('2026-07-01', 2.15);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.reference_rate VALUES ('infinity', 0.02);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.reference_rate VALUES ('2025-06-11', 0.02);
\echo :LAST_ERROR_SQLSTATE
INSERT INTO crisk.reference_rate VALUES ('2026-07-01', NULL);
\echo :LAST_ERROR_SQLSTATE

-- Shipped rows cannot be changed, deleted or truncated away (pg_dump would
-- not keep the change); a no-op update is harmless.
UPDATE crisk.reference_rate SET rate = 0.03 WHERE valid_from = '2023-06-21';
\echo :LAST_ERROR_SQLSTATE
DELETE FROM crisk.reference_rate WHERE valid_from = '2016-03-16';
\echo :LAST_ERROR_SQLSTATE
TRUNCATE crisk.reference_rate;
\echo :LAST_ERROR_SQLSTATE
UPDATE crisk.reference_rate SET rate = rate WHERE valid_from = '2023-06-21';
SELECT count(*) AS rows_after_refused_changes FROM crisk.reference_rate;

-- Recovery indemnity: 40.00 when paid after the due date, else 0.00.
SELECT crisk.recovery_indemnity('2024-03-31', '2024-04-01') AS one_day_late,
       crisk.recovery_indemnity('2024-03-31', '2025-03-31') AS a_year_late,
       crisk.recovery_indemnity('2024-03-31', '2024-03-31') AS on_due_date,
       crisk.recovery_indemnity('2024-03-31', '2024-03-01') AS early,
       crisk.recovery_indemnity(NULL, '2024-03-31') IS NULL AS null_due,
       crisk.recovery_indemnity('2024-03-31', NULL) IS NULL AS null_paid;
SELECT crisk.recovery_indemnity('infinity', '2024-03-31');
\echo :LAST_ERROR_SQLSTATE

-- As a BI user writes it: penalties and indemnities due so far on late
-- invoices, as of 2024-01-31 for those still open.
--   F-1 1 200.00 due 2023-11-30, paid 2023-12-20: 20 days at 14.00 %
--       = 1 200 * 0.14 * 20 / 365 = 3 360 / 365 = 9.205... -> 9.21; + 40.00
--   F-2 2 500.00 due 2023-12-31, open: 31 days in January at 14.50 %
--       = 2 500 * 0.145 * 31 / 365 = 11 237.5 / 365 = 30.787... -> 30.79; + 40.00
--   F-3 800.00 due 2024-02-15, open: not yet due -> 0.00, 0.00
--   F-4 950.00 due 2024-01-15, paid 2024-01-15: on time -> 0.00, 0.00
SELECT invoice_id,
       crisk.late_payment_interest(amount, due_date, coalesce(paid_date, '2024-01-31')) AS penalty,
       crisk.recovery_indemnity(due_date, coalesce(paid_date, '2024-01-31')) AS indemnity
FROM (VALUES ('F-1', 1200.00, '2023-11-30'::date, '2023-12-20'::date),
             ('F-2', 2500.00, '2023-12-31', NULL),
             ('F-3', 800.00, '2024-02-15', NULL),
             ('F-4', 950.00, '2024-01-15', '2024-01-15'))
     AS i(invoice_id, amount, due_date, paid_date)
ORDER BY invoice_id;
