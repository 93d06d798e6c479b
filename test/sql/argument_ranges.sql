-- Extreme dates and intervals: the portfolio functions look back from
-- as_of by intervals computed as timestamps (up to two years), which
-- PostgreSQL keeps from 4714-11-24 BC to 294276-12-31.  An as_of outside
-- 4712-11-24 BC .. 294276-12-31, or a retention period reaching before the
-- first timestamp, raises 22023 naming the argument, before anything is
-- read; the edges themselves work.  Each failing statement is followed by
-- its SQLSTATE.

SELECT crisk.rescore(NULL, '5874897-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.rescore(NULL, '294277-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.rescore(ARRAY['R1'], '4712-11-23 BC');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.rescore_queued('5874897-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.watchlist_at('5874897-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.watchlist_at('4713-01-01 BC');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk._rescore_items(ARRAY['R1'], '5874897-12-31');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk._rescore_worklist('294277-01-01');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.purge_history('1000000 years');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk._rescore_purge('178000000 years');
\echo :LAST_ERROR_SQLSTATE

-- The edges: a pass as of the last and the first date scores the customer
-- (R1's invoice is issued after the first: nothing is billed then).  All of
-- it runs in a transaction rolled back at the end, so that the account's
-- limit change, the scores, history and alerts do not reach the tests that
-- follow.
BEGIN;
INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('R1', 1000);
INSERT INTO crisk.invoice VALUES ('R1-1', 'R1', 100.00, '2024-01-01', '2024-01-31', NULL);
SELECT crisk.rescore(ARRAY['R1'], '294276-12-31') AS scored_last_day;
SELECT as_of, billed, open_amount FROM crisk.score WHERE customer_id = 'R1';
SELECT crisk.rescore(NULL, '4712-11-24 BC') AS scored_first_day;
SELECT as_of, billed, open_amount FROM crisk.score WHERE customer_id = 'R1';
SELECT count(*) AS listed_last_day FROM crisk.watchlist_at('294276-12-31');
SELECT count(*) AS listed_first_day FROM crisk.watchlist_at('4712-11-24 BC');
SELECT count(*) AS items_first_day FROM crisk._rescore_items(ARRAY['R1'], '4712-11-24 BC');
SELECT crisk.purge_history('6000 years') AS purged_nothing;
ROLLBACK;
