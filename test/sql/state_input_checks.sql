-- The text input of every aggregate state type refuses states that no set
-- of rows can produce (22P02, with a detail naming the fields), so that a
-- state typed in or shipped between nodes cannot make a final function
-- return a figure out of its range.  One block per state type: states at
-- the edge of what rows can give are accepted, states beyond it refused.
-- Each failing statement is followed by its SQLSTATE.

-- crisk.concentration_state: positive exposures of whole units (here
-- scale 0: units of 1) give sum <= squares <= sum^2.
--   sum 5, squares 25: a single exposure of 5, index 10 000;
--   sum 5, squares 5: five exposures of 1, index 10 000 * 5 / 25 = 2 000;
--   squares 26 > 5^2 would give an index of 10 400; squares 4 < 5 cannot
--   come from whole units (the final would give 1 600, below 10 000 / 5).
SELECT crisk.concentration_final('scale=0 dscale=0 sum=5 squares=25') AS single_exposure,
       crisk.concentration_final('scale=0 dscale=0 sum=5 squares=5') AS five_of_one;
SELECT 'scale=0 dscale=0 sum=5 squares=26'::crisk.concentration_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 sum=5 squares=4'::crisk.concentration_state;
\echo :LAST_ERROR_SQLSTATE
-- The example of the review: squares far above the square of the sum.
SELECT crisk.concentration_final('scale=0 dscale=0 sum=1 squares=100000');
\echo :LAST_ERROR_SQLSTATE
-- At scale 4 the units are 0.0001: 0.5 is 5 000 units, whose square is
-- 25 000 000 units of 10^-8, i.e. 0.25.
SELECT crisk.concentration_final('scale=4 dscale=1 sum=0.5000 squares=0.25000000') AS half_alone;
SELECT 'scale=4 dscale=1 sum=0.5000 squares=0.25000001'::crisk.concentration_state;
\echo :LAST_ERROR_SQLSTATE

-- crisk.payment_profile_state.  A possible state first: two invoices of
-- 100, one paid 10 days late, one paid 2 days early (days beyond terms 10
-- and -2: sum 100 * 8 = 800, squares 100 * 104 = 10 400; late 100 of due or
-- paid 200), last payment 2024-03-10, max_days_late 10.
SELECT crisk.payment_profile_final('as_of=2024-03-31 scale=0 dscale=0 invoices=2 open_invoices=0 billed=200 open_amount=0 overdue_amount=0 issued_90_days=200 paid_amount=200 days_beyond_terms_sum=800 days_beyond_terms_squares=10400 late_amount=100 due_or_paid_amount=200 max_days_late=10 last_payment=2024-03-10');
-- No invoice, yet an amount billed.
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=0 open_invoices=0 billed=5 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=0 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=0 due_or_paid_amount=0 max_days_late=none last_payment=none'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
-- No open invoice, yet an open amount.
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=5 open_amount=5 overdue_amount=0 issued_90_days=0 paid_amount=0 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=0 due_or_paid_amount=0 max_days_late=none last_payment=none'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
-- Paid more than what fell due or was paid.
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=5 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=5 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=0 due_or_paid_amount=4 max_days_late=0 last_payment=2024-03-01'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
-- Days beyond terms with nothing paid; a sum above the squares (whole
-- days); a negative variance (200 paid, 20 days on average, squares only
-- 200 * 300: the mean's square, 400, exceeds the mean square, 300).
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=1 billed=5 open_amount=5 overdue_amount=0 issued_90_days=0 paid_amount=0 days_beyond_terms_sum=3 days_beyond_terms_squares=9 late_amount=0 due_or_paid_amount=0 max_days_late=none last_payment=none'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=5 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=5 days_beyond_terms_sum=-10 days_beyond_terms_squares=9 late_amount=0 due_or_paid_amount=5 max_days_late=0 last_payment=2024-03-01'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=2 open_invoices=0 billed=200 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=200 days_beyond_terms_sum=4000 days_beyond_terms_squares=60000 late_amount=200 due_or_paid_amount=200 max_days_late=30 last_payment=2024-03-01'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
-- A payment after as_of, or none recorded although something was paid.
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=5 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=5 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=0 due_or_paid_amount=5 max_days_late=0 last_payment=2024-04-01'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=5 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=5 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=0 due_or_paid_amount=5 max_days_late=0 last_payment=none'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
-- Late amounts without a late day, and a late day without late amounts.
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=1 billed=5 open_amount=5 overdue_amount=5 issued_90_days=0 paid_amount=0 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=5 due_or_paid_amount=5 max_days_late=0 last_payment=none'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 invoices=1 open_invoices=0 billed=5 open_amount=0 overdue_amount=0 issued_90_days=0 paid_amount=5 days_beyond_terms_sum=0 days_beyond_terms_squares=0 late_amount=0 due_or_paid_amount=5 max_days_late=3 last_payment=2024-03-01'::crisk.payment_profile_state;
\echo :LAST_ERROR_SQLSTATE

-- crisk.aging_state: bounds are positive and strictly ascending, with one
-- total per bucket, current included (any total can arise: credit notes
-- are negative).
SELECT crisk.aging_final('scale=0 dscale=0 bounds=30,60 buckets=-5,0,7,1') AS possible;
SELECT 'scale=0 dscale=0 bounds=30,30 buckets=0,0,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'scale=0 dscale=0 bounds=30,60 buckets=0,0,0'::crisk.aging_state;
\echo :LAST_ERROR_SQLSTATE

-- crisk.expected_credit_loss_state: loss rates are fractions, one per
-- bucket.
SELECT crisk.expected_credit_loss_final('scale=0 dscale=0 bounds=30 buckets=100,200,0 rate_scale=4 rate_dscale=2 rates=0.01,1,1') AS possible;
SELECT 'scale=0 dscale=0 bounds=30 buckets=100,200,0 rate_scale=4 rate_dscale=2 rates=0.01,-0.5,1'::crisk.expected_credit_loss_state;
\echo :LAST_ERROR_SQLSTATE

-- crisk.dso_state: a positive period and a finite as_of (receivables and
-- sales take any sign).
SELECT crisk.dso_final('as_of=2024-03-31 period_days=90 scale=0 dscale=0 receivables=50 issued=100') AS possible;
SELECT 'as_of=2024-03-31 period_days=-90 scale=0 dscale=0 receivables=50 issued=100'::crisk.dso_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=-infinity period_days=90 scale=0 dscale=0 receivables=50 issued=100'::crisk.dso_state;
\echo :LAST_ERROR_SQLSTATE

-- crisk.dso_countback_state: months counted back from as_of's, each once,
-- in order, none before the first month PostgreSQL has (4714 BC).
SELECT crisk.dso_countback_final('as_of=2024-03-31 scale=0 dscale=0 receivables=150 months=0:100,1:100') AS possible;
SELECT 'as_of=2024-03-31 scale=0 dscale=0 receivables=150 months=1:100,0:100'::crisk.dso_countback_state;
\echo :LAST_ERROR_SQLSTATE
SELECT 'as_of=2024-03-31 scale=0 dscale=0 receivables=150 months=100000:100'::crisk.dso_countback_state;
\echo :LAST_ERROR_SQLSTATE
