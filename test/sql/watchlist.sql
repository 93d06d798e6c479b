-- The watch-list: crisk.watchlist and crisk.watchlist_at(as_of), one row
-- per customer and reason.  As of 2024-06-30 unless said; the downgrade
-- window is (2024-05-31, 2024-06-30], the adverse-event window
-- (2023-06-30, 2024-06-30].  Each failing statement is followed by its
-- SQLSTATE; everything is rolled back at the end.

BEGIN;
\set ON_ERROR_ROLLBACK on

-- No rows.
SELECT count(*) AS rows FROM crisk.watchlist_at('2024-06-30');
SELECT count(*) AS rows FROM crisk.watchlist;

INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES
    ('W1', 'Uno', 1000), ('W2', 'Dos', 5000), ('W3', 'Tres', NULL), ('W4', 'Cuatro', 0), ('W5', 'Cinco', 800);
-- The limits were in force before 2024 (history kept from before crisk):
-- the watch-list of a date reads that date's limits from crisk.limit_change.
INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit, new_locked, changed_by, reason)
SELECT customer_id, '2024-01-01 09:00+00', NULL, credit_limit, false, 'import', 'set before crisk'
FROM crisk.account;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    -- W1: 1000 open + 500 paid after as_of (open at as_of) = 1500 > 1000.
    ('W1-1', 'W1', 1000.00, '2024-05-01', '2024-05-31', NULL),
    ('W1-2', 'W1',  500.00, '2024-05-10', '2024-06-09', '2024-07-10'),
    -- W2: 3000 + 2000 = 5000, exactly its limit: no breach.
    ('W2-1', 'W2', 3000.00, '2024-05-01', '2024-05-31', NULL),
    ('W2-2', 'W2', 2000.00, '2024-06-01', '2024-07-01', NULL),
    -- W3: no limit set: no breach, whatever it owes.
    ('W3-1', 'W3', 9999.00, '2024-06-01', '2024-07-01', NULL),
    -- W4: a zero limit and 10.00 open: 10.00 over.
    ('W4-1', 'W4',   10.00, '2024-06-01', '2024-07-01', NULL),
    -- W5: 900 issued, less a 200 credit note: 700 <= 800.
    ('W5-1', 'W5',  900.00, '2024-06-01', '2024-07-01', NULL),
    ('W5-2', 'W5', -200.00, '2024-06-05', '2024-06-05', NULL);
-- Current scores: W1 in E, W2 in D (listed), W3 in C and W5 in B (not).
INSERT INTO crisk.score (customer_id, as_of, scored_at, model, score, risk_class) VALUES
    ('W1', '2024-06-28', '2024-06-28 02:00+00', 'default', 10, 'E'),
    ('W2', '2024-06-30', '2024-06-30 02:00+00', 'default', 35, 'D'),
    ('W3', '2024-06-30', '2024-06-30 02:00+00', 'default', 45, 'C'),
    ('W5', '2024-06-30', '2024-06-30 02:00+00', 'default', 70, 'B');
-- History, as rescoring writes it: the row that changes the class has
-- risk_class_since = scored_at and the class it left in previous_risk_class.
INSERT INTO crisk.score_history (customer_id, as_of, scored_at, model, score, risk_class,
                                 previous_risk_class, risk_class_since, reasons) VALUES
    -- W3: first score (no previous class: not a change), then B to C on
    -- 06-01, 29 days before as_of: listed.
    ('W3', '2024-05-01', '2024-05-01 02:00+00', 'default', 65, 'B', NULL, '2024-05-01 02:00+00', '[]'),
    ('W3', '2024-06-01', '2024-06-01 02:00+00', 'default', 45, 'C', 'B', '2024-06-01 02:00+00', '[]'),
    -- W5: B to C on 05-31, 30 days before as_of (outside), then C to B
    -- (an upgrade): not listed.
    ('W5', '2024-05-31', '2024-05-31 02:00+00', 'default', 55, 'C', 'B', '2024-05-31 02:00+00', '[]'),
    ('W5', '2024-06-10', '2024-06-10 02:00+00', 'default', 70, 'B', 'C', '2024-06-10 02:00+00', '[]'),
    -- W2: B to C on 06-05, C to D on 06-20, then rescored in D on 06-25
    -- (no change: risk_class_since is 06-20's): the latest downgrade, C to
    -- D on 06-20, is listed.
    ('W2', '2024-06-05', '2024-06-05 02:00+00', 'default', 50, 'C', 'B', '2024-06-05 02:00+00', '[]'),
    ('W2', '2024-06-20', '2024-06-20 02:00+00', 'default', 38, 'D', 'C', '2024-06-20 02:00+00', '[]'),
    ('W2', '2024-06-25', '2024-06-25 02:00+00', 'default', 35, 'D', 'C', '2024-06-20 02:00+00', '[]'),
    -- W6 (no account left): A to B on as_of itself: listed, name NULL.
    ('W6', '2024-06-30', '2024-06-30 02:00+00', 'default', 75, 'B', 'A', '2024-06-30 02:00+00', '[]'),
    -- W7: a downgrade scored as of 07-01, after as_of: not listed.
    ('W7', '2024-07-01', '2024-07-01 02:00+00', 'default', 75, 'B', 'A', '2024-07-01 02:00+00', '[]');
INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES
    ('W1', 'receivership', '2024-06-01'),     -- adverse, the latest of W1's two
    ('W1', 'lien', '2023-07-01'),             -- adverse, first day of the window
    ('W1', 'director_change', '2024-06-15'),  -- not adverse
    ('W2', 'liquidation', '2023-06-30'),      -- exactly a year before: outside
    ('W5', 'safeguard', '2024-07-01'),        -- after as_of
    ('W3', 'pledge', '2024-02-29');           -- adverse, no effect on orders

-- Expected, by customer and reason:
--   W1 adverse_event    2024-06-01 receivership, 2 adverse events
--   W1 high_risk_class  2024-06-28 (its score's as_of), class E, score 10
--   W1 limit_breach     exposure 1500.00 over 1000: 500.00
--   W2 downgrade        2024-06-20 C to D (exposure 5000.00 = limit: no breach)
--   W2 high_risk_class  2024-06-30, class D
--   W3 adverse_event    2024-02-29 pledge, 1 event
--   W3 downgrade        2024-06-01 B to C
--   W4 limit_breach     10.00 over a 0 limit: 10.00; not scored
--   W6 downgrade        2024-06-30 A to B; no account, no score, nothing open
SELECT customer_id, name, reason, observed_on, risk_class, score, class_from, class_to,
       exposure, credit_limit, amount_over_limit, event_kind, adverse_events
FROM crisk.watchlist_at('2024-06-30') ORDER BY customer_id, reason;

-- A day earlier the window is (2024-05-30, 2024-06-29]: W5's downgrade of
-- 05-31 is in it and its upgrade of 06-10 does not cancel it (the list
-- shows downgrades, the current class shows where the customer stands);
-- W6's of 06-30 is not yet.  W1's lien of 2023-07-01 is still in the
-- events window, W2's liquidation of 2023-06-30 too: (2023-06-29, ...].
SELECT customer_id, reason, observed_on, class_from, class_to, event_kind, adverse_events
FROM crisk.watchlist_at('2024-06-29')
WHERE reason IN ('downgrade', 'adverse_event') ORDER BY customer_id, reason;

-- Bad as_of.
SELECT * FROM crisk.watchlist_at(NULL);
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM crisk.watchlist_at('infinity');
\echo :LAST_ERROR_SQLSTATE

-- The view agrees with the function at current_date when the ledger holds
-- no future dates.  The same customers, with dates relative to today.
DELETE FROM crisk.invoice;
DELETE FROM crisk.event;
DELETE FROM crisk.score;
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('T1', 'W1', 1500.00, current_date - 40, current_date - 10, NULL),
    ('T2', 'W2', 900.00, current_date - 40, current_date - 10, current_date - 1),
    ('T4', 'W4', 10.00, current_date - 5, current_date + 25, NULL);
INSERT INTO crisk.score (customer_id, as_of, model, score, risk_class) VALUES
    ('W1', current_date, 'default', 5, 'E'), ('W2', current_date - 1, 'default', 90, 'A');
INSERT INTO crisk.score_history (customer_id, as_of, scored_at, model, score, risk_class,
                                 previous_risk_class, risk_class_since, reasons) VALUES
    ('W3', current_date - 3, now(), 'default', 45, 'D', 'B', now(), '[]');
INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('W5', 'lien', current_date - 100);
SELECT (SELECT count(*) FROM crisk.watchlist) AS rows,
       NOT EXISTS (SELECT * FROM crisk.watchlist EXCEPT SELECT * FROM crisk.watchlist_at(current_date))
       AND NOT EXISTS (SELECT * FROM crisk.watchlist_at(current_date) EXCEPT SELECT * FROM crisk.watchlist)
       AS view_agrees;
SELECT customer_id, reason FROM crisk.watchlist ORDER BY 1, 2;

-- Exposures are summed once over the portfolio and joined: every scan of
-- the allocations runs once, however many rows the list has (summed per
-- listed row, the list re-read every allocation for each of them, and took
-- minutes at 50 000 customers; bench/aged_balance.sh).
INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id) VALUES
    ('T1', 500.00, current_date - 5, NULL);
CREATE FUNCTION pg_temp.allocation_scans(query text) RETURNS TABLE (scans bigint, most_loops numeric)
LANGUAGE plpgsql AS $$
DECLARE
    plan jsonb;
BEGIN
    EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF, FORMAT JSON) ' || query INTO plan;
    RETURN QUERY
    SELECT count(*), max((n ->> 'Actual Loops')::numeric)
    FROM jsonb_path_query(plan, 'lax $.** ? (@."Relation Name" == "allocation")') AS n;
END
$$;
SELECT (SELECT count(*) FROM crisk.watchlist) AS rows, s.scans > 0 AS allocations_read, s.most_loops
FROM pg_temp.allocation_scans('SELECT * FROM crisk.watchlist') AS s;
SELECT customer_id, reason, exposure FROM crisk.watchlist ORDER BY 1, 2;

-- Recent class changes are found through the partial index that holds
-- only them (the planner proves the view's conditions imply its predicate).
CREATE FUNCTION pg_temp.plan_mentions(query text, name text) RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    line text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || query LOOP
        IF strpos(line, name) > 0 THEN
            RETURN true;
        END IF;
    END LOOP;
    RETURN false;
END
$$;
SET enable_seqscan = off;
SELECT pg_temp.plan_mentions('SELECT * FROM crisk.watchlist', 'score_history_class_change_idx') AS view_uses_index;
RESET enable_seqscan;

ROLLBACK;
