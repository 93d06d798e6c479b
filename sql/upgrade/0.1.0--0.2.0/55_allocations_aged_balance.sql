-- The aged balance from the allocations (sql/install/61_aged_balance.sql):
-- what is left of each invoice is aged, unapplied credit notes leave the
-- buckets for the column unapplied_credits, last, after the disputed column
-- of 50_collections.sql (hence this file's place).  The view is now the
-- function at today.

-- Items paid after a date, for the as-of readers (crisk.open_items_at):
-- none for today, a month of payments for last month-end's close, where
-- the whole ledger would be read without it.
CREATE INDEX invoice_paid_idx ON crisk.invoice (paid_date) WHERE paid_date IS NOT NULL;

-- The function's result type changes: dropped and created again, with the
-- default rights a fresh install gives it; the view then reads it.
DROP FUNCTION crisk.aged_balance_at(pg_catalog.date);
CREATE FUNCTION crisk.aged_balance_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text,
                   current_amount pg_catalog.numeric, days_1_30 pg_catalog.numeric,
                   days_31_60 pg_catalog.numeric, days_61_90 pg_catalog.numeric,
                   days_over_90 pg_catalog.numeric, total_open pg_catalog.numeric,
                   open_items pg_catalog.int8,
                   oldest_due_date pg_catalog.date, max_days_past_due pg_catalog.int4,
                   disputed pg_catalog.numeric, unapplied_credits pg_catalog.numeric)
    LANGUAGE sql STABLE
    AS $$
SELECT o.customer_id,
       COALESCE(o.buckets[1], 0),
       COALESCE(o.buckets[2], 0),
       COALESCE(o.buckets[3], 0),
       COALESCE(o.buckets[4], 0),
       COALESCE(o.buckets[5], 0),
       CASE WHEN o.unapplied_credits IS NULL THEN COALESCE(o.buckets[6], 0)
            ELSE COALESCE(o.buckets[6], 0) OPERATOR(pg_catalog.+) o.unapplied_credits END,
       o.open_items,
       o.oldest_due_date,
       $1 OPERATOR(pg_catalog.-) o.oldest_due_date,
       COALESCE(d.disputed, 0),
       COALESCE(o.unapplied_credits, 0)
FROM (SELECT i.customer_id,
             crisk.aging_with_total(i.open_amount, i.due_date, $1)
                 FILTER (WHERE i.amount OPERATOR(pg_catalog.>=) 0) AS buckets,
             pg_catalog.sum(i.open_amount) FILTER (WHERE i.amount OPERATOR(pg_catalog.<) 0) AS unapplied_credits,
             pg_catalog.count(*) AS open_items,
             pg_catalog.min(i.due_date) FILTER (WHERE i.amount OPERATOR(pg_catalog.>) 0) AS oldest_due_date
      FROM crisk.open_items_at($1) i
      GROUP BY i.customer_id) o
-- The disputes open on as_of on items open then, summed once per customer.
-- A dispute is on its customer's invoice (crisk.dispute copies the
-- customer from the ledger): joined on both, one customer's disputes and
-- invoices are read together, on one Citus shard.
LEFT JOIN (SELECT x.customer_id, pg_catalog.sum(x.amount) AS disputed
           FROM crisk.dispute x
           JOIN crisk.ledger l ON l.invoice_id OPERATOR(pg_catalog.=) x.invoice_id
                              AND l.customer_id OPERATOR(pg_catalog.=) x.customer_id
           WHERE x.opened_on OPERATOR(pg_catalog.<=) $1
             AND (x.resolved_on IS NULL OR x.resolved_on OPERATOR(pg_catalog.>) $1)
             AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) $1)
           GROUP BY x.customer_id) d ON d.customer_id OPERATOR(pg_catalog.=) o.customer_id
WHERE crisk._as_of_required($1, 'crisk.aged_balance') IS NOT NULL
$$;
COMMENT ON FUNCTION crisk.aged_balance_at(pg_catalog.date) IS
    'Aged balance as of a date (month-end closes): the columns of crisk.aged_balance over the items open at as_of (crisk.open_items_at: issued by as_of, not paid by then, what is left after the allocations applied by then), aged at as_of, with the disputes open then. NULL as_of raises 22004. Inlined into the caller''s query: a filter on customer_id reaches the ledger''s indexes.';

CREATE OR REPLACE VIEW crisk.aged_balance WITH (security_invoker = true) AS
    SELECT b.customer_id, b.current_amount, b.days_1_30, b.days_31_60, b.days_61_90,
           b.days_over_90, b.total_open, b.open_items, b.oldest_due_date, b.max_days_past_due,
           b.disputed, b.unapplied_credits
    FROM crisk.aged_balance_at(CURRENT_DATE) AS b;
COMMENT ON VIEW crisk.aged_balance IS
    'Aged balance as of today: one row per customer with unpaid items in the ledger, with what is left of each invoice after its allocations per aging bucket (current, 1-30, 31-60, 61-90, over 90 days past due), the credit notes not yet applied (unapplied_credits, never aged), the total and the oldest due date; overdue is total_open - current_amount - unapplied_credits. Join crisk.account and crisk.score on customer_id for names, limits and classes. For another date: crisk.aged_balance_at(as_of).';
COMMENT ON COLUMN crisk.aged_balance.customer_id IS 'Customer code, as in the ledger.';
COMMENT ON COLUMN crisk.aged_balance.current_amount IS 'Open amount not yet due (due today or later).';
COMMENT ON COLUMN crisk.aged_balance.days_1_30 IS 'Open amount 1 to 30 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_31_60 IS 'Open amount 31 to 60 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_61_90 IS 'Open amount 61 to 90 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_over_90 IS 'Open amount more than 90 days past due.';
COMMENT ON COLUMN crisk.aged_balance.total_open IS 'Everything open: the five buckets plus unapplied_credits (the customer''s net exposure).';
COMMENT ON COLUMN crisk.aged_balance.open_items IS 'Number of open invoices and credit notes.';
COMMENT ON COLUMN crisk.aged_balance.oldest_due_date IS 'Earliest due date of an open invoice (credit notes left out); NULL when only credit notes are open.';
COMMENT ON COLUMN crisk.aged_balance.max_days_past_due IS 'Days past due of the oldest open invoice (today minus oldest_due_date); zero or negative when nothing is overdue.';
COMMENT ON COLUMN crisk.aged_balance.disputed IS 'Part of the open amount under an open dispute (crisk.dispute: amounts disputed on unpaid invoices); it stays in the buckets too. 0 when none.';
COMMENT ON COLUMN crisk.aged_balance.unapplied_credits IS 'Credit notes not yet applied to an invoice, what is left of them (zero or negative): never in a bucket, never overdue.';

