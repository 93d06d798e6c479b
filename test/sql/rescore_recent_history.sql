-- A rescoring pass reads of the history it keeps only the part it needs:
-- the promises whose grace date is in the twelve months before as_of
-- (crisk._broken_promises_12m), and the limit changes of the longest
-- review window (crisk._rescore_worklist).  Both histories grow for ever;
-- a pass that read all of them every day would slow down month by month.
BEGIN;
INSERT INTO crisk.account (customer_id, name, credit_limit, payment_terms_days) VALUES
    ('RH1', 'Recent history 1', 5000, 30),
    ('RH2', 'Recent history 2', 5000, 30);
INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date) VALUES
    ('RH1-1', 'RH1', 1000.00, '2022-01-01', '2022-02-01', NULL),
    ('RH1-2', 'RH1',  500.00, '2024-01-01', '2024-02-01', NULL),
    ('RH1-3', 'RH1',  700.00, '2024-02-01', '2024-03-01', '2024-04-02'),
    ('RH1-4', 'RH1',  300.00, '2024-05-01', '2024-06-01', NULL),
    ('RH2-1', 'RH2',  400.00, '2024-01-01', '2024-02-01', NULL);
-- As of 2024-06-30 the year is (2023-06-30, 2024-06-30]; grace dates are
-- due_on + 3 days (crisk.promise_grace_days).
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, promised_on, due_on) VALUES
    ('RH1', '{RH1-1}', 1000.00, '2022-03-01', '2022-03-15'),  -- broken 2022-03-18: before the year
    ('RH1', '{RH1-2}',  500.00, '2024-03-01', '2024-03-15'),  -- broken 2024-03-18
    ('RH1', '{RH1-3}',  700.00, '2024-03-20', '2024-04-10'),  -- kept: paid 2024-04-02
    ('RH1', '{RH1-4}',  300.00, '2024-06-20', '2024-06-28'),  -- pending: grace until 2024-07-01
    ('RH1', '{RH1-4}',  300.00, '2024-07-05', '2024-07-10'),  -- made after as_of
    ('RH2', '{RH2-1}',  400.00, '2024-02-10', '2024-02-20');  -- broken 2024-02-23

-- The due date whose grace (3 days) ends on a day, the inverse of
-- crisk.promise_grace_until: for the start of the year before 2024-06-30,
-- 2023-06-27; 2023-06-20 with 10 days of grace; infinity stays.
SELECT crisk._promise_due_for_grace(crisk._twelve_months_start('2024-06-30')) AS due_since,
       crisk._promise_due_for_grace('infinity') AS infinite,
       crisk.promise_grace_until(crisk._promise_due_for_grace('2024-06-30')) AS round_trip;
SET LOCAL crisk.promise_grace_days = 10;
SELECT crisk._promise_due_for_grace('2023-06-30') AS due_since_10_days_grace;
RESET crisk.promise_grace_days;
-- Before the first date PostgreSQL knows (4714-11-24 BC): an error.
SAVEPOINT out_of_range;
SELECT crisk._promise_due_for_grace('4714-11-25 BC');
ROLLBACK TO SAVEPOINT out_of_range;
-- And its inverse past the last one (5874897-12-31): an error too, while
-- the last dates that fit and infinity pass.
SELECT crisk.promise_grace_until('5874897-12-28') AS last_due_on,
       crisk.promise_grace_until('-infinity') AS minus_infinity;
SAVEPOINT out_of_range;
SELECT crisk.promise_grace_until('5874897-12-29');
ROLLBACK TO SAVEPOINT out_of_range;

SELECT s.customer_id, s.status, s.grace_until
FROM crisk.promise_status_at('2024-06-30') AS s ORDER BY s.customer_id, s.promised_on;

-- How often the ledger is looked up while counting: once for each promise
-- whose grace ended within the year (RH1's second and third, RH2's), not
-- for each of the five promises made by as_of.  pg_stat_xact_user_tables
-- counts this transaction's scans of crisk.invoice so far.
CREATE TEMP TABLE invoice_scans (label text, scans bigint);
CREATE FUNCTION pg_temp.invoice_scans() RETURNS bigint LANGUAGE sql AS $$
    SELECT t.seq_scan + COALESCE(t.idx_scan, 0) FROM pg_catalog.pg_stat_xact_user_tables AS t
    WHERE t.relid = 'crisk.invoice'::pg_catalog.regclass
$$;
INSERT INTO invoice_scans VALUES ('before', pg_temp.invoice_scans());
SELECT * FROM crisk._broken_promises_12m(NULL, '2024-06-30') ORDER BY customer_id;
INSERT INTO invoice_scans VALUES ('every customer', pg_temp.invoice_scans());
SELECT * FROM crisk._broken_promises_12m('{RH1}', '2024-06-30') ORDER BY customer_id;
INSERT INTO invoice_scans VALUES ('RH1', pg_temp.invoice_scans());
SELECT label, scans - lag(scans) OVER (ORDER BY scans) AS ledger_lookups
FROM invoice_scans ORDER BY scans OFFSET 1;

-- The limit changes: an audit of years, of which the last 30 days (the
-- review window of the default policy) count.  The full pass reaches
-- them through the index on changed_at.  The accounts' first limits,
-- logged when they were inserted, move back a year with the others.
ALTER TABLE crisk.limit_change DISABLE TRIGGER limit_change_append_only;
UPDATE crisk.limit_change SET changed_at = changed_at - interval '1 year'
WHERE customer_id IN ('RH1', 'RH2');
ALTER TABLE crisk.limit_change ENABLE TRIGGER limit_change_append_only;
INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit, old_locked,
                                new_locked, changed_by, reason)
SELECT 'RH' || (1 + k % 2), pg_catalog.now() - (40 + k % 700) * interval '1 day', 1000, 5000,
       false, false, 'history', 'an old change'
FROM generate_series(1, 5000) AS k;
INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit, old_locked,
                                new_locked, changed_by, reason)
VALUES ('RH1', pg_catalog.now() - interval '10 days', 2000, 5000, false, false, 'history', 'a recent change');
ANALYZE crisk.limit_change;
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (COSTS OFF) ' || query;
END
$$;
-- (An index scan or a bitmap scan, depending on the estimates.)
SELECT bool_or(p ~ 'Index Cond: \(changed_at > ') AS changed_at_index_bound,
       NOT bool_or(p ~ 'Seq Scan on limit_change') AS no_sequential_scan_of_the_audit
FROM pg_temp.plan_of('SELECT w FROM crisk._rescore_worklist(''2024-06-30'') AS w') AS p;
-- The recent change alone lowers RH1's base for a rise (to 2000; the old
-- ones would give 1000); RH2 has no change in the window: its limit.
SELECT w.customer_id, w.review_base_limit
FROM crisk._rescore_worklist('2024-06-30') AS w
WHERE w.customer_id IN ('RH1', 'RH2') ORDER BY 1;
-- The rule itself keeps to that year, whatever promises it is given:
-- here all of RH1's, the one broken in 2022 included.
SELECT r.condition_key::bigint = p.promise_id AS same_promise, p.due_on
FROM crisk._alert_rules('RH1', '2024-06-30', true, 15, 60, 60, 'C', 'C', 'default',
        4, 3, 1800.00, NULL, NULL, 5000, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
        (SELECT pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('promise_id', x.promise_id, 'amount', x.amount,
                                                                   'due_on', x.due_on, 'invoice_ids', x.invoice_ids))
         FROM crisk.promise AS x WHERE x.customer_id = 'RH1')) AS r
JOIN crisk.promise AS p ON p.promise_id = r.condition_key::bigint
WHERE r.kind = 'broken_promise';

-- The broken_promise alerts of a pass: the promises whose grace ended in
-- the year, as the count above; the promise broken in 2022 was the passes'
-- of 2022 to report, and is not read again.
SELECT crisk.rescore('{RH1,RH2}', '2024-06-30');
SELECT a.customer_id, a.detail ->> 'due_on' AS due_on, a.detail ->> 'paid_amount' AS paid_amount
FROM crisk.alert AS a WHERE a.kind = 'broken_promise' AND a.customer_id IN ('RH1', 'RH2')
ORDER BY 1, 2;

ROLLBACK;
