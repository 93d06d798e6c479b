-- The aged balance from the allocations (sql/install/61_aged_balance.sql):
-- what is left of each invoice is aged, unapplied credit notes leave the
-- buckets for the column unapplied_credits, last, after the disputed column
-- of 50_collections.sql (hence this file's place).

CREATE OR REPLACE VIEW crisk.aged_balance WITH (security_invoker = true) AS
    SELECT o.customer_id,
           COALESCE(o.buckets[1], 0) AS current_amount,
           COALESCE(o.buckets[2], 0) AS days_1_30,
           COALESCE(o.buckets[3], 0) AS days_31_60,
           COALESCE(o.buckets[4], 0) AS days_61_90,
           COALESCE(o.buckets[5], 0) AS days_over_90,
           CASE WHEN o.unapplied_credits IS NULL THEN COALESCE(o.buckets[6], 0)
                ELSE COALESCE(o.buckets[6], 0) OPERATOR(pg_catalog.+) o.unapplied_credits END AS total_open,
           o.open_items,
           o.oldest_due_date,
           CURRENT_DATE OPERATOR(pg_catalog.-) o.oldest_due_date AS max_days_past_due,
           COALESCE((SELECT pg_catalog.sum(x.amount)
                     FROM crisk.dispute x
                     JOIN crisk.ledger d ON d.invoice_id OPERATOR(pg_catalog.=) x.invoice_id
                     WHERE x.customer_id OPERATOR(pg_catalog.=) o.customer_id
                       AND x.resolved_on IS NULL
                       AND x.opened_on OPERATOR(pg_catalog.<=) CURRENT_DATE
                       AND d.paid_date IS NULL), 0) AS disputed,
           COALESCE(o.unapplied_credits, 0) AS unapplied_credits
    FROM (SELECT i.customer_id,
                 crisk.aging_with_total(i.open_amount, i.due_date, CURRENT_DATE)
                     FILTER (WHERE i.amount OPERATOR(pg_catalog.>=) 0) AS buckets,
                 pg_catalog.sum(i.open_amount) FILTER (WHERE i.amount OPERATOR(pg_catalog.<) 0) AS unapplied_credits,
                 pg_catalog.count(*) AS open_items,
                 pg_catalog.min(i.due_date) FILTER (WHERE i.amount OPERATOR(pg_catalog.>) 0) AS oldest_due_date
          FROM (SELECT l.customer_id, l.amount, l.due_date,
                       CASE WHEN NOT (SELECT EXISTS (SELECT FROM crisk.allocations a0)) THEN l.amount
                            ELSE l.amount
                                 OPERATOR(pg_catalog.-) COALESCE((SELECT pg_catalog.sum(a.amount) FROM crisk.allocations a
                                                                  WHERE a.invoice_id OPERATOR(pg_catalog.=) l.invoice_id
                                                                    AND a.applied_on OPERATOR(pg_catalog.<=) CURRENT_DATE), 0)
                                 OPERATOR(pg_catalog.+) CASE WHEN l.amount OPERATOR(pg_catalog.<) 0
                                                             THEN COALESCE((SELECT pg_catalog.sum(a.amount) FROM crisk.allocations a
                                                                            WHERE a.source_id OPERATOR(pg_catalog.=) l.invoice_id
                                                                              AND a.applied_on OPERATOR(pg_catalog.<=) CURRENT_DATE), 0)
                                                             ELSE 0 END
                       END AS open_amount
                FROM crisk.ledger l
                WHERE l.paid_date IS NULL) i
          WHERE NOT (SELECT EXISTS (SELECT FROM crisk.allocations a0))
             OR CASE WHEN i.amount OPERATOR(pg_catalog.>) 0 THEN i.open_amount OPERATOR(pg_catalog.>) 0
                     WHEN i.amount OPERATOR(pg_catalog.<) 0 THEN i.open_amount OPERATOR(pg_catalog.<) 0
                     WHEN i.amount OPERATOR(pg_catalog.=) 0 THEN i.open_amount OPERATOR(pg_catalog.=) 0
                     ELSE true END
          GROUP BY i.customer_id) o;
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

-- The function's result type changes: dropped and created again, with the
-- default rights a fresh install gives it.
DROP FUNCTION crisk.aged_balance_at(pg_catalog.date);
CREATE FUNCTION crisk.aged_balance_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text,
                   current_amount pg_catalog.numeric, days_1_30 pg_catalog.numeric,
                   days_31_60 pg_catalog.numeric, days_61_90 pg_catalog.numeric,
                   days_over_90 pg_catalog.numeric, total_open pg_catalog.numeric,
                   open_items pg_catalog.int8,
                   oldest_due_date pg_catalog.date, max_days_past_due pg_catalog.int4,
                   disputed pg_catalog.numeric, unapplied_credits pg_catalog.numeric)
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
#variable_conflict use_column
BEGIN
    IF aged_balance_at.as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = '22004', HINT = 'Give a date; crisk.aged_balance is the aged balance as of today.';
    END IF;
    IF NOT pg_catalog.isfinite(aged_balance_at.as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite date'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('as_of is %s.', aged_balance_at.as_of);
    END IF;
    RETURN QUERY
    SELECT o.customer_id,
           COALESCE(o.buckets[1], 0),
           COALESCE(o.buckets[2], 0),
           COALESCE(o.buckets[3], 0),
           COALESCE(o.buckets[4], 0),
           COALESCE(o.buckets[5], 0),
           COALESCE(o.buckets[6], 0) OPERATOR(pg_catalog.+) COALESCE(o.unapplied_credits, 0),
           o.open_items,
           o.oldest_due_date,
           aged_balance_at.as_of OPERATOR(pg_catalog.-) o.oldest_due_date,
           COALESCE((SELECT pg_catalog.sum(x.amount)
                     FROM crisk.dispute x
                     JOIN crisk.ledger d ON d.invoice_id OPERATOR(pg_catalog.=) x.invoice_id
                     WHERE x.customer_id OPERATOR(pg_catalog.=) o.customer_id
                       AND x.opened_on OPERATOR(pg_catalog.<=) aged_balance_at.as_of
                       AND (x.resolved_on IS NULL OR x.resolved_on OPERATOR(pg_catalog.>) aged_balance_at.as_of)
                       AND (d.paid_date IS NULL OR d.paid_date OPERATOR(pg_catalog.>) aged_balance_at.as_of)), 0),
           COALESCE(o.unapplied_credits, 0)
    FROM (SELECT i.customer_id,
                 crisk.aging_with_total(i.open_amount, i.due_date, aged_balance_at.as_of)
                     FILTER (WHERE i.amount OPERATOR(pg_catalog.>=) 0) AS buckets,
                 pg_catalog.sum(i.open_amount) FILTER (WHERE i.amount OPERATOR(pg_catalog.<) 0) AS unapplied_credits,
                 pg_catalog.count(*) AS open_items,
                 pg_catalog.min(i.due_date) FILTER (WHERE i.amount OPERATOR(pg_catalog.>) 0) AS oldest_due_date
          FROM crisk.open_items_at(aged_balance_at.as_of) i
          GROUP BY i.customer_id) o;
END
$$;
COMMENT ON FUNCTION crisk.aged_balance_at(pg_catalog.date) IS
    'Aged balance as of a date (month-end closes): the columns of crisk.aged_balance over the items open at as_of (crisk.open_items_at: issued by as_of, not paid by then, what is left after the allocations applied by then), aged at as_of. NULL as_of raises 22004.';
