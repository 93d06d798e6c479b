-- The transition state types of crisk's aggregates: their text form (what
-- Citus ships between nodes), exact round trips, rejection of malformed
-- text (22P02), and the support functions called directly.  Each failing
-- statement is followed by its SQLSTATE.

-- Aggregates without final functions expose the states.
CREATE AGGREGATE aging_state_of(numeric, date, date) (
    SFUNC = crisk.aging_transition, STYPE = crisk.aging_state, COMBINEFUNC = crisk.aging_combine);
CREATE AGGREGATE aging_state_of(numeric, date, date, int[]) (
    SFUNC = crisk.aging_transition, STYPE = crisk.aging_state, COMBINEFUNC = crisk.aging_combine);
CREATE AGGREGATE loss_state_of(numeric, date, date, numeric[]) (
    SFUNC = crisk.expected_credit_loss_transition, STYPE = crisk.expected_credit_loss_state);
CREATE AGGREGATE dso_state_of(numeric, date, date, date, int) (
    SFUNC = crisk.dso_transition, STYPE = crisk.dso_state);
CREATE AGGREGATE countback_state_of(numeric, date, date, date) (
    SFUNC = crisk.dso_countback_transition, STYPE = crisk.dso_countback_state);
CREATE AGGREGATE profile_state_of(numeric, date, date, date, date) (
    SFUNC = crisk.payment_profile_transition, STYPE = crisk.payment_profile_state);
CREATE AGGREGATE concentration_state_of(numeric) (
    SFUNC = crisk.concentration_transition, STYPE = crisk.concentration_state);

CREATE TABLE state_invoices (amount numeric, issue_date date, due_date date, paid_date date);
INSERT INTO state_invoices VALUES
    (100.50,  '2024-03-01', '2024-03-31', NULL),          -- current at 2024-03-31
    (-20.125, '2024-01-15', '2024-02-14', NULL),          -- 46 days: 31-60
    (300,     '2024-02-01', '2024-03-02', '2024-03-10'),  -- paid 8 days late
    (0.000001,'2023-10-01', '2023-10-31', NULL);          -- 152 days: 91+

-- The text forms, by hand.  Amounts are kept in units of 10^-8 (the 6
-- decimals of 0.000001 rounded up to whole numeric digits of 4) and shown
-- with 8 decimals; dscale is the most decimals given, 6.
--   aging (of every row given): current 100.50; 1-30 300 (29 days);
--          31-60 -20.125; 61-90 0; 91+ 0.000001.
SELECT aging_state_of(amount, due_date, '2024-03-31') FROM state_invoices;
--   with loss rates, which are kept in units of 10^-4 (0.02 and 0.5 need
--   2 decimals, rounded up to 4) and shown with rate_dscale 2:
SELECT loss_state_of(amount, due_date, '2024-03-31', '{0,0.02,0.5,1,1}') FROM state_invoices;
--   DSO over 90 days to 2024-03-31: open 100.50 - 20.125 + 0.000001 =
--   80.375001; issued in the period 100.50 - 20.125 + 300 = 380.375.
SELECT dso_state_of(amount, issue_date, paid_date, '2024-03-31', 90) FROM state_invoices;
--   countback: receivables 80.375001; months before March 2024: March
--   (0) 100.50, February (1) 300, January (2) -20.125, October 2023 (5)
--   0.000001.
SELECT countback_state_of(amount, issue_date, paid_date, '2024-03-31') FROM state_invoices;
--   profile: 4 invoices, 3 open; billed 380.375001; open 80.375001;
--   overdue 0.000001 (the -20.125 credit note is never overdue); issued
--   in 90 days 380.375;
--   paid 300, days beyond terms 8: sum 2400, squares 19200; late amount
--   300 + 0.000001 (open past due, positive) = 300.000001; due or paid
--   the same; max days late 152 (0.000001 is 152 days past due); last
--   payment 2024-03-10.
SELECT profile_state_of(amount, issue_date, due_date, paid_date, '2024-03-31') FROM state_invoices;
--   concentration: positive exposures 100.50, 300, 0.000001 (the credit
--   note is ignored): sum 400.500001; squares in units of 10^-16:
--   10100.25 + 90000 + 0.000000000001 = 100100.250000000001.
SELECT concentration_state_of(amount) FROM state_invoices;

-- Round trips: output(input(output(x))) = output(x), and the final
-- function gives the same result on the state read back.
SELECT s::text::crisk.aging_state::text = s::text AS text_round_trip,
       crisk.aging_final(s::text::crisk.aging_state) = crisk.aging_final(s) AS same_result
FROM (SELECT aging_state_of(amount, due_date, '2024-03-31', '{10,20,30,40,50,60,70,80,90,100}') AS s
      FROM state_invoices) AS t;
SELECT s::text::crisk.expected_credit_loss_state::text = s::text AS text_round_trip,
       crisk.expected_credit_loss_final(s::text::crisk.expected_credit_loss_state) =
       crisk.expected_credit_loss_final(s) AS same_result
FROM (SELECT loss_state_of(amount, due_date, '2024-03-31', '{0.0001,0.02,0.5,1,1}') AS s
      FROM state_invoices) AS t;
SELECT s::text::crisk.dso_state::text = s::text AS text_round_trip,
       crisk.dso_final(s::text::crisk.dso_state) = crisk.dso_final(s) AS same_result
FROM (SELECT dso_state_of(amount, issue_date, paid_date, '2024-03-31', 90) AS s FROM state_invoices) AS t;
SELECT s::text::crisk.dso_countback_state::text = s::text AS text_round_trip,
       crisk.dso_countback_final(s::text::crisk.dso_countback_state) =
       crisk.dso_countback_final(s) AS same_result
FROM (SELECT countback_state_of(amount, issue_date, paid_date, '2024-03-31') AS s FROM state_invoices) AS t;
SELECT s::text::crisk.payment_profile_state::text = s::text AS text_round_trip,
       crisk.payment_profile_final(s::text::crisk.payment_profile_state)::text =
       crisk.payment_profile_final(s)::text AS same_result
FROM (SELECT profile_state_of(amount, issue_date, due_date, paid_date, '2024-03-31') AS s
      FROM state_invoices) AS t;
SELECT s::text::crisk.concentration_state::text = s::text AS text_round_trip,
       crisk.concentration_final(s::text::crisk.concentration_state) =
       crisk.concentration_final(s) AS same_result
FROM (SELECT concentration_state_of(amount) AS s FROM state_invoices) AS t;

-- Dates are written YYYY-MM-DD whatever DateStyle says, with astronomical
-- years before 1 AD (44 BC is year -43), and read back the same.
SET datestyle = 'SQL, DMY';
SELECT crisk.dso_transition(NULL, 1, '0044-03-01 BC', NULL, '0044-03-15 BC', 30) AS bc;
SELECT crisk.dso_transition(NULL, 1, '5874897-12-01', NULL, '5874897-12-31', 30) AS last_date;
SELECT 'as_of=-0043-03-15 period_days=30 scale=0 dscale=0 receivables=1 issued=1'::crisk.dso_state AS bc_read;
RESET datestyle;
-- The extremes of the 256-bit totals round-trip: 2^255 - 1 and -2^255.
SELECT 'scale=0 dscale=0 bounds=30 buckets=57896044618658097711785492504343953926634992332820282019728792003956564819967,0,-57896044618658097711785492504343953926634992332820282019728792003956564819968'::crisk.aging_state;
-- A state without profile behaviour reads back its "none" markers.
SELECT crisk.payment_profile_transition(NULL, 5, '2024-03-01', '2024-04-30', NULL, '2024-03-31');
SELECT crisk.payment_profile_transition(NULL, 5, '2024-03-01', '2024-04-30', NULL, '2024-03-31')::text::crisk.payment_profile_state;

-- Malformed text: 22P02, with a detail naming the field.
SELECT ''::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=4'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=3 dscale=0 bounds=30 buckets=0,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=40 dscale=0 bounds=30 buckets=0,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=60,30 buckets=0,0,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=0 buckets=0,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30 buckets=1,2'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30 buckets=1,2,3,4'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=4 dscale=0 bounds=30 buckets=1.00001,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=4 dscale=0 bounds=30 buckets=1.,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30 buckets=abc,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30 buckets=0,0,0 extra'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30 buckets=57896044618658097711785492504343953926634992332820282019728792003956564819968,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30 buckets=0,0,0'::crisk.expected_credit_loss_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30 buckets=0,0,0 rate_scale=4 rate_dscale=2 rates=0,0.5,1.0001'::crisk.expected_credit_loss_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30 buckets=0,0,0 rate_scale=4 rate_dscale=2 rates=0,0.5'::crisk.expected_credit_loss_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-02-30 period_days=30 scale=0 dscale=0 receivables=0 issued=0'::crisk.dso_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2023-02-29 period_days=30 scale=0 dscale=0 receivables=0 issued=0'::crisk.dso_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=infinity period_days=30 scale=0 dscale=0 receivables=0 issued=0'::crisk.dso_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 period_days=0 scale=0 dscale=0 receivables=0 issued=0'::crisk.dso_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 receivables=0 months=0:1,0:2'::crisk.dso_countback_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 receivables=0 months=-1:5'::crisk.dso_countback_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 receivables=0 months=3'::crisk.dso_countback_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=2 billed=0 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=0 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=0 due_or_paid_amount=0 max_days_late=none last_payment=none'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=0 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=0 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=5 due_or_paid_amount=4 max_days_late=none last_payment=none'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=0 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=0 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=0 due_or_paid_amount=0 max_days_late=-1 last_payment=none'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 sum=-1 squares=1'::crisk.concentration_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 sum=0 squares=1'::crisk.concentration_state;
\echo :LAST_ERROR_SQLSTATE

-- Called as plain functions, transition and combine functions leave their
-- arguments alone (they update in place only inside an aggregate).
SELECT crisk.aging_transition(s, 5, '2024-03-01', '2024-03-31') AS after, s AS unchanged
FROM (SELECT 'scale=0 dscale=0 bounds=30,60,90 buckets=1,0,0,0,0'::crisk.aging_state AS s) AS t;
SELECT crisk.aging_combine(s, s) AS doubled, s AS unchanged
FROM (SELECT 'scale=0 dscale=0 bounds=30,60,90 buckets=1,2,3,4,5'::crisk.aging_state AS s) AS t;
-- A NULL side gives the other: combine(NULL, s) = s, combine(s, NULL) = s;
-- both NULL gives NULL.
SELECT crisk.aging_combine(NULL, s) AS left_null, crisk.aging_combine(s, NULL) AS right_null,
       crisk.aging_combine(NULL, NULL) IS NULL AS both_null
FROM (SELECT 'scale=0 dscale=0 bounds=30 buckets=1,2,3'::crisk.aging_state AS s) AS t;
-- Combining states of different scales: 1, 2, 3 (scale 0) and 0.0001
-- (scale 4, 3 decimals shown): 1.0001, 2.0000, 3.0000 at scale 4.
SELECT crisk.aging_combine('scale=0 dscale=0 bounds=30 buckets=1,2,3',
                           'scale=4 dscale=3 bounds=30 buckets=0.0001,0,0');
SELECT crisk.concentration_combine('scale=0 dscale=0 sum=3 squares=5',
                                   'scale=4 dscale=4 sum=0.0001 squares=0.00000001');
-- Partial states that disagree cannot be combined: 22023.
SELECT crisk.aging_combine('scale=0 dscale=0 bounds=30 buckets=1,2,3',
                           'scale=0 dscale=0 bounds=60 buckets=1,2,3');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.dso_combine('as_of=2024-03-31 period_days=30 scale=0 dscale=0 receivables=0 issued=0',
                         'as_of=2024-04-30 period_days=30 scale=0 dscale=0 receivables=0 issued=0');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.expected_credit_loss_combine(
    'scale=0 dscale=0 bounds=30 buckets=0,0,0 rate_scale=4 rate_dscale=2 rates=0,0.5,1',
    'scale=0 dscale=0 bounds=30 buckets=0,0,0 rate_scale=4 rate_dscale=2 rates=0,0.25,1');
\echo :LAST_ERROR_SQLSTATE
-- Totals beyond 2^255 - 1: 22003, never a wrapped-around figure.
SELECT crisk.aging_combine('scale=0 dscale=0 bounds=30 buckets=57896044618658097711785492504343953926634992332820282019728792003956564819967,0,0',
                           'scale=0 dscale=0 bounds=30 buckets=1,0,0');
\echo :LAST_ERROR_SQLSTATE
-- ... or when bringing a state to a finer scale: 10^73 in units of 10^-4
-- is 10^77, beyond 2^255 (about 5.8 * 10^76).
SELECT crisk.aging_combine('scale=0 dscale=0 bounds=30 buckets=10000000000000000000000000000000000000000000000000000000000000000000000000,0,0',
                           'scale=4 dscale=4 bounds=30 buckets=0.0001,0,0');
\echo :LAST_ERROR_SQLSTATE
-- Final functions of states typed in by hand: a countback month list with
-- a gap, a profile with weighted sums that cannot come from real rows
-- (refused when read: test/sql/state_input_checks.sql has the rules).
SELECT crisk.dso_countback_final('as_of=2024-03-31 scale=0 dscale=0 receivables=150 months=0:100,2:100');
SELECT crisk.payment_profile_final('as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=1 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=1 days_beyond_terms_sum=10 days_beyond_terms_squares=1 late_amount=0 due_or_paid_amount=0 max_days_late=none last_payment=none');
\echo :LAST_ERROR_SQLSTATE

DROP TABLE state_invoices;
DROP AGGREGATE aging_state_of(numeric, date, date);
DROP AGGREGATE aging_state_of(numeric, date, date, int[]);
DROP AGGREGATE loss_state_of(numeric, date, date, numeric[]);
DROP AGGREGATE dso_state_of(numeric, date, date, date, int);
DROP AGGREGATE countback_state_of(numeric, date, date, date);
DROP AGGREGATE profile_state_of(numeric, date, date, date, date);
DROP AGGREGATE concentration_state_of(numeric);
