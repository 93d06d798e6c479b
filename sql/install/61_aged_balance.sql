-- The aged balance: per customer with open items, the open amount per
-- aging bucket, the total and the oldest due date.
-- Names, limits and classes are left to a join with crisk.account and
-- crisk.score (README): reading those two tables whole on every refresh
-- would more than double the cost of the view.
--
-- Two readers, one per question:
--   * crisk.aged_balance is the balance "as of today": the items the ledger
--     shows unpaid now (paid_date IS NULL), aged at CURRENT_DATE.  On
--     crisk.invoice it reads the partial index crisk.invoice_open_idx
--     (customer_id, due_date) INCLUDE (amount) WHERE paid_date IS NULL,
--     an index-only scan already grouped by customer, so that a BI tool can
--     refresh it often on a ledger of millions of invoices.  It is a plain
--     view, so a filter on customer_id reaches that index too.
--   * crisk.aged_balance_at(as_of) rebuilds the balance at any date (month-
--     end closes): the items issued by as_of and unpaid at as_of (paid_date
--     NULL or later than as_of), as SPEC section 3 defines "as_of".  That
--     needs every invoice of the ledger, so it reads all of it.
-- For as_of = CURRENT_DATE the two agree unless the ledger holds dates in
-- the future: an invoice issued after today counts in the view (as not yet
-- due) and not in the function, and one marked paid with a payment date
-- after today (a bill of exchange or a scheduled transfer recorded ahead)
-- counts in the function and not in the view.  The view follows what the
-- ledger says today; the tests check that they agree otherwise.
--
-- The buckets and their total come from one aggregate,
-- crisk.aging_with_total (exact totals), so the row adds up to the last
-- digit.  The view must stay within 1.5 times a plain sum(amount) per
-- customer (bench/aged_balance.sh), and what it costs beyond that is
-- mostly numeric arithmetic per customer: hence the total computed in C
-- rather than by adding the buckets in SQL, and no overdue column
-- (total_open minus current_amount, one subtraction in the reader's
-- query).  An ERP row without an
-- amount or a due date cannot be aged and counts only in open_items
-- (crisk.invoice has none).  The oldest due date and max_days_past_due look at
-- invoices only (amount > 0): a credit note's due date says nothing about
-- how late the customer is.
--
-- Open amounts come from the allocations (sql/install/51a_allocation.sql):
-- a partly paid invoice is aged for what is left of it, and a credit note
-- not yet applied is never aged: it counts in unapplied_credits (zero or
-- negative), so no bucket is ever negative, and total_open, the net
-- exposure, is the buckets plus unapplied_credits.  When the allocations
-- are empty, an uncorrelated EXISTS (run once) skips every lookup, so a
-- 0.1.0 ledger costs what it cost; else each open item is one probe of
-- crisk.allocation_invoice_idx, and of allocation_source_idx for a credit
-- note.  unapplied_credits is the last column, so that queries written
-- for 0.1.0 keep their columns.
--
-- Both read with the caller's rights (security_invoker), as crisk.ledger
-- does: what a role sees here is what it could read from the tables.  The
-- view's query and the function's differ only in which items are open and
-- the as-of date; keep them in step (sql/bi_views.sql and
-- sql/allocations.sql compare them).
--
-- disputed: the amounts of the disputes open on the customer's open
-- invoices (crisk.dispute), looked up per customer row through the partial
-- index crisk.dispute_customer_idx, so that a portfolio without disputes
-- pays one empty index probe per customer.  A disputed invoice stays in
-- its bucket: the column tells how much of the balance is contested.

-- crisk.aging_with_total: crisk.aging with the buckets' total appended
-- (src/aged_balance.c), so that the view gets the total exactly and
-- without numeric additions per customer.  Same state, transition and
-- combine functions as crisk.aging, so it runs in parallel plans alike.
CREATE FUNCTION crisk.aging_with_total_final(crisk.aging_state)
    RETURNS pg_catalog.numeric[]
    AS 'MODULE_PATHNAME', 'crisk_aging_with_total_final'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION crisk.aging_with_total_final(crisk.aging_state) IS
    'Final function of crisk.aging_with_total: the open amount per bucket, then their total, as numeric[].';
CREATE AGGREGATE crisk.aging_with_total(amount pg_catalog.numeric, due_date pg_catalog.date,
                                        as_of pg_catalog.date) (
    SFUNC = crisk.aging_transition,
    STYPE = crisk.aging_state,
    COMBINEFUNC = crisk.aging_combine,
    FINALFUNC = crisk.aging_with_total_final,
    FINALFUNC_MODIFY = READ_ONLY,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE crisk.aging_with_total(pg_catalog.numeric, pg_catalog.date, pg_catalog.date) IS
    'crisk.aging followed by the total: {current, 1-30, 31-60, 61-90, 91+, total}, exact. Pass only open items; no rows give NULL.';

CREATE VIEW crisk.aged_balance WITH (security_invoker = true) AS
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
REVOKE ALL ON crisk.aged_balance FROM PUBLIC;

-- crisk.aged_balance_at: the same columns as of any date.
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
