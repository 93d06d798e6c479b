-- crisk's aggregates in parallel plans: the plan has a Partial Aggregate
-- under a Gather, workers do run, and every aggregate gives exactly the
-- same result as in a serial plan.  Also: the aging of a million random
-- amounts equals sum(amount) per bucket to the cent, serial and parallel.

-- A million invoices for 500 customers: amounts with cents, 2 % credit
-- notes, issue dates over about 2.5 years, terms of 30, 45 or 60 days,
-- about 80 % paid.  The last thousand rows have 6 decimals, so that the
-- partial states of different workers have different scales to combine.
CREATE TABLE parallel_invoices (customer_id int, amount numeric, issue_date date,
                                due_date date, paid_date date);
SELECT setseed(0.25) IS NOT NULL AS seeded;
INSERT INTO parallel_invoices
SELECT g % 500,
       CASE WHEN g > 999000 THEN round((r.amount / 7)::numeric, 6)
            WHEN g % 50 = 0 THEN -r.amount
            ELSE r.amount END,
       r.issue_date, r.issue_date + r.terms,
       CASE WHEN r.paid < 0.8 THEN r.issue_date + r.delay END
FROM generate_series(1, 1000000) AS g,
     LATERAL (SELECT round((random() * 10000)::numeric, 2) AS amount,
                     DATE '2022-01-01' + (random() * 900)::int AS issue_date,
                     (ARRAY[30, 45, 60])[1 + g % 3] AS terms,
                     random() AS paid,
                     (random() * 100)::int - 10 AS delay) AS r;
ANALYZE parallel_invoices;

-- The serial results, kept in psql variables.
SET max_parallel_workers_per_gather = 0;
SELECT crisk.aging(amount, due_date, '2024-06-30')::text AS aging,
       crisk.aging(amount, due_date, '2024-06-30', '{15,45,120,365}')::text AS aging_bounds,
       crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0.005,0.02,0.1,0.4,1}')::text AS loss,
       crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0,0.01,0.1,0.5,1}', '{30,60,90}')::text AS loss_bounds,
       crisk.dso(amount, issue_date, paid_date, '2024-06-30', 90)::text AS dso,
       crisk.dso_countback(amount, issue_date, paid_date, '2024-06-30')::text AS countback,
       crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-06-30')::text AS profile,
       crisk.concentration(amount)::text AS concentration
FROM parallel_invoices \gset serial_
SELECT md5(string_agg(c::text || ' ' || a || ' ' || d || ' ' || b || ' ' || p || ' ' || l, ';' ORDER BY c)) AS by_customer
FROM (SELECT customer_id AS c,
             crisk.aging(amount, due_date, '2024-06-30')::text AS a,
             crisk.dso(amount, issue_date, paid_date, '2024-06-30', 90)::text AS d,
             coalesce(crisk.dso_countback(amount, issue_date, paid_date, '2024-06-30')::text, 'null') AS b,
             crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-06-30')::text AS p,
             crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0.005,0.02,0.1,0.4,1}')::text AS l
      FROM parallel_invoices GROUP BY customer_id) AS s \gset serial_
SELECT crisk.concentration(balance)::text AS concentration_of_balances
FROM (SELECT sum(amount) AS balance FROM parallel_invoices GROUP BY customer_id) AS b \gset serial_

-- Now force parallel plans.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

EXPLAIN (COSTS OFF)
SELECT crisk.aging(amount, due_date, '2024-06-30'),
       crisk.aging(amount, due_date, '2024-06-30', '{15,45,120,365}'),
       crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0.005,0.02,0.1,0.4,1}'),
       crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0,0.01,0.1,0.5,1}', '{30,60,90}'),
       crisk.dso(amount, issue_date, paid_date, '2024-06-30', 90),
       crisk.dso_countback(amount, issue_date, paid_date, '2024-06-30'),
       crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-06-30'),
       crisk.concentration(amount)
FROM parallel_invoices;

-- The grouped plans have a partial aggregation step too (hashed or
-- sorted, as the planner likes), and workers are launched.
CREATE FUNCTION plan_of(query text, with_analyze boolean DEFAULT false) RETURNS SETOF text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format('EXPLAIN (COSTS OFF, ANALYZE %s, TIMING OFF, SUMMARY OFF) %s',
                                with_analyze::text, query);
END $$;
SELECT count(*) FILTER (WHERE line ~ 'Partial (Hash|Group)Aggregate') > 0 AS partial_grouped,
       count(*) FILTER (WHERE line ~ 'Finalize (Hash|Group)Aggregate') > 0 AS finalize_grouped
FROM plan_of($$SELECT customer_id, crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-06-30')
              FROM parallel_invoices GROUP BY customer_id$$) AS line;
SELECT count(*) > 0 AS workers_launched
FROM plan_of($$SELECT crisk.aging(amount, due_date, '2024-06-30') FROM parallel_invoices$$, true) AS line
WHERE line ~ 'Workers Launched: [1-9]';

-- Parallel results are identical to the serial ones, to the last digit.
SELECT crisk.aging(amount, due_date, '2024-06-30')::text = :'serial_aging' AS aging,
       crisk.aging(amount, due_date, '2024-06-30', '{15,45,120,365}')::text = :'serial_aging_bounds' AS aging_bounds,
       crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0.005,0.02,0.1,0.4,1}')::text = :'serial_loss' AS loss,
       crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0,0.01,0.1,0.5,1}', '{30,60,90}')::text = :'serial_loss_bounds' AS loss_bounds,
       crisk.dso(amount, issue_date, paid_date, '2024-06-30', 90)::text = :'serial_dso' AS dso,
       crisk.dso_countback(amount, issue_date, paid_date, '2024-06-30')::text = :'serial_countback' AS countback,
       crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-06-30')::text = :'serial_profile' AS profile,
       crisk.concentration(amount)::text = :'serial_concentration' AS concentration
FROM parallel_invoices;
SELECT md5(string_agg(c::text || ' ' || a || ' ' || d || ' ' || b || ' ' || p || ' ' || l, ';' ORDER BY c))
       = :'serial_by_customer' AS by_customer
FROM (SELECT customer_id AS c,
             crisk.aging(amount, due_date, '2024-06-30')::text AS a,
             crisk.dso(amount, issue_date, paid_date, '2024-06-30', 90)::text AS d,
             coalesce(crisk.dso_countback(amount, issue_date, paid_date, '2024-06-30')::text, 'null') AS b,
             crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-06-30')::text AS p,
             crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0.005,0.02,0.1,0.4,1}')::text AS l
      FROM parallel_invoices GROUP BY customer_id) AS s;
SELECT crisk.concentration(balance)::text = :'serial_concentration_of_balances' AS concentration_of_balances
FROM (SELECT sum(amount) AS balance FROM parallel_invoices GROUP BY customer_id) AS b;

-- The aging of a million random amounts equals sum(amount) per bucket to
-- the cent (numeric equality, element by element), in the parallel plan
-- and then in the serial one; the total of the buckets is the sum of all.
SELECT crisk.aging(amount, due_date, '2024-06-30') =
       ARRAY[sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 0),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 1),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 2),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 3),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 4)]
       AS parallel_equals_sum
FROM parallel_invoices;
SET max_parallel_workers_per_gather = 0;
SELECT crisk.aging(amount, due_date, '2024-06-30') =
       ARRAY[sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 0),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 1),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 2),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 3),
             sum(amount) FILTER (WHERE crisk.aging_bucket_index(due_date, '2024-06-30') = 4)]
       AS serial_equals_sum,
       (SELECT sum(x) FROM unnest(crisk.aging(amount, due_date, '2024-06-30')) AS x) = sum(amount)
       AS buckets_add_up
FROM parallel_invoices;

-- The other aggregates against plain SQL over the same million rows:
-- expected credit loss = sum(amount * rate of its bucket); DSO = the
-- standard formula rounded to 2 decimals; the profile's counts and amounts;
-- the concentration of customers' balances.
SELECT crisk.expected_credit_loss(amount, due_date, '2024-06-30', '{0.005,0.02,0.1,0.4,1}') =
       sum(amount * ('{0.005,0.02,0.1,0.4,1}'::numeric[])[crisk.aging_bucket_index(due_date, '2024-06-30') + 1])
       AS loss_equals_sql,
       crisk.dso(amount, issue_date, paid_date, '2024-06-30', 90) =
       round(sum(amount) FILTER (WHERE issue_date <= '2024-06-30'
                                   AND (paid_date IS NULL OR paid_date > '2024-06-30')) * 90
             / sum(amount) FILTER (WHERE issue_date > DATE '2024-06-30' - 90
                                     AND issue_date <= '2024-06-30'), 2)
       AS dso_equals_sql
FROM parallel_invoices;
SELECT (p).invoices = count(*) FILTER (WHERE issue_date <= '2024-06-30') AS invoices,
       (p).open_amount = sum(amount) FILTER (WHERE issue_date <= '2024-06-30'
                                               AND (paid_date IS NULL OR paid_date > '2024-06-30')) AS open_amount,
       (p).overdue_amount = sum(amount) FILTER (WHERE issue_date <= '2024-06-30' AND due_date < '2024-06-30'
                                                  AND amount > 0 AND (paid_date IS NULL OR paid_date > '2024-06-30')) AS overdue_amount,
       (p).last_payment = max(paid_date) FILTER (WHERE paid_date <= '2024-06-30' AND amount > 0
                                                   AND issue_date <= '2024-06-30') AS last_payment
FROM parallel_invoices,
     (SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, '2024-06-30') AS p
      FROM parallel_invoices) AS profile
GROUP BY p;
SELECT round(crisk.concentration(balance)::numeric, 9) =
       round(10000 * sum(balance * balance) FILTER (WHERE balance > 0)
             / sum(balance) FILTER (WHERE balance > 0) ^ 2, 9) AS concentration_equals_sql
FROM (SELECT sum(amount) AS balance FROM parallel_invoices GROUP BY customer_id) AS b;

RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP FUNCTION plan_of(text, boolean);
DROP TABLE parallel_invoices;
