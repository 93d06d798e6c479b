-- The aged balance: per customer with open items, the open amount per
-- aging bucket, the total, the overdue part and the oldest due date, with
-- the customer's name, segment, credit limit and risk class.
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
-- The buckets come from crisk.aging (exact totals), the total from sum(),
-- so total_open is the sum of the five buckets to the last digit (an ERP
-- row with no due date would count in the total and in no bucket: crisk's
-- own ledger has none).  The oldest due date and max_days_past_due look at
-- invoices only (amount > 0): a credit note's due date says nothing about
-- how late the customer is.
--
-- Both read with the caller's rights (security_invoker), as crisk.ledger
-- does: what a role sees here is what it could read from the tables.  The
-- view's query and the function's differ only in which items are open and
-- the as-of date; keep them in step (sql/bi_views.sql compares them).

CREATE VIEW crisk.aged_balance WITH (security_invoker = true) AS
    SELECT o.customer_id,
           a.name,
           a.segment,
           o.buckets[1] AS current_amount,
           o.buckets[2] AS days_1_30,
           o.buckets[3] AS days_31_60,
           o.buckets[4] AS days_61_90,
           o.buckets[5] AS days_over_90,
           o.total_open,
           o.total_open OPERATOR(pg_catalog.-) o.buckets[1] AS overdue_amount,
           o.open_items,
           o.oldest_due_date,
           CURRENT_DATE OPERATOR(pg_catalog.-) o.oldest_due_date AS max_days_past_due,
           a.credit_limit,
           s.risk_class
    FROM (SELECT l.customer_id,
                 crisk.aging(l.amount, l.due_date, CURRENT_DATE) AS buckets,
                 pg_catalog.sum(l.amount) AS total_open,
                 pg_catalog.count(*) AS open_items,
                 pg_catalog.min(l.due_date) FILTER (WHERE l.amount OPERATOR(pg_catalog.>) 0) AS oldest_due_date
          FROM crisk.ledger l
          WHERE l.paid_date IS NULL
          GROUP BY l.customer_id) o
    LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) o.customer_id
    LEFT JOIN crisk.score s ON s.customer_id OPERATOR(pg_catalog.=) o.customer_id;
COMMENT ON VIEW crisk.aged_balance IS
    'Aged balance as of today: one row per customer with unpaid items in the ledger, with the open amount per aging bucket (current, 1-30, 31-60, 61-90, over 90 days past due), the total, the overdue part, the oldest due date, and the customer''s name, segment, credit limit and risk class. Credit notes count in the bucket of their due date. For another date: crisk.aged_balance_at(as_of).';
COMMENT ON COLUMN crisk.aged_balance.customer_id IS 'Customer code, as in the ledger.';
COMMENT ON COLUMN crisk.aged_balance.name IS 'Customer name from crisk.account; NULL for a customer without an account.';
COMMENT ON COLUMN crisk.aged_balance.segment IS 'Customer segment from crisk.account; NULL without an account.';
COMMENT ON COLUMN crisk.aged_balance.current_amount IS 'Open amount not yet due (due today or later).';
COMMENT ON COLUMN crisk.aged_balance.days_1_30 IS 'Open amount 1 to 30 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_31_60 IS 'Open amount 31 to 60 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_61_90 IS 'Open amount 61 to 90 days past due.';
COMMENT ON COLUMN crisk.aged_balance.days_over_90 IS 'Open amount more than 90 days past due.';
COMMENT ON COLUMN crisk.aged_balance.total_open IS 'Everything open: the sum of the five buckets, credit notes included (the customer''s exposure).';
COMMENT ON COLUMN crisk.aged_balance.overdue_amount IS 'Open amount past due: total_open minus current_amount.';
COMMENT ON COLUMN crisk.aged_balance.open_items IS 'Number of open invoices and credit notes.';
COMMENT ON COLUMN crisk.aged_balance.oldest_due_date IS 'Earliest due date of an open invoice (credit notes left out); NULL when only credit notes are open.';
COMMENT ON COLUMN crisk.aged_balance.max_days_past_due IS 'Days past due of the oldest open invoice (today minus oldest_due_date); zero or negative when nothing is overdue.';
COMMENT ON COLUMN crisk.aged_balance.credit_limit IS 'Credit limit in force (crisk.account); NULL when none is set or without an account.';
COMMENT ON COLUMN crisk.aged_balance.risk_class IS 'Latest risk class A (best) to E (crisk.score); NULL when not scored yet.';
REVOKE ALL ON crisk.aged_balance FROM PUBLIC;

-- crisk.aged_balance_at: the same columns as of any date.  Credit limits
-- and risk classes are the current ones: crisk keeps no limit or class "as
-- of" a date (the history is in crisk.limit_change and crisk.score_history).
CREATE FUNCTION crisk.aged_balance_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, name pg_catalog.text, segment pg_catalog.text,
                   current_amount pg_catalog.numeric, days_1_30 pg_catalog.numeric,
                   days_31_60 pg_catalog.numeric, days_61_90 pg_catalog.numeric,
                   days_over_90 pg_catalog.numeric, total_open pg_catalog.numeric,
                   overdue_amount pg_catalog.numeric, open_items pg_catalog.int8,
                   oldest_due_date pg_catalog.date, max_days_past_due pg_catalog.int4,
                   credit_limit pg_catalog.numeric, risk_class pg_catalog.text)
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
           a.name,
           a.segment,
           o.buckets[1],
           o.buckets[2],
           o.buckets[3],
           o.buckets[4],
           o.buckets[5],
           o.total_open,
           o.total_open OPERATOR(pg_catalog.-) o.buckets[1],
           o.open_items,
           o.oldest_due_date,
           aged_balance_at.as_of OPERATOR(pg_catalog.-) o.oldest_due_date,
           a.credit_limit,
           s.risk_class
    FROM (SELECT l.customer_id,
                 crisk.aging(l.amount, l.due_date, aged_balance_at.as_of) AS buckets,
                 pg_catalog.sum(l.amount) AS total_open,
                 pg_catalog.count(*) AS open_items,
                 pg_catalog.min(l.due_date) FILTER (WHERE l.amount OPERATOR(pg_catalog.>) 0) AS oldest_due_date
          FROM crisk.ledger l
          WHERE l.issue_date OPERATOR(pg_catalog.<=) aged_balance_at.as_of
            AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) aged_balance_at.as_of)
          GROUP BY l.customer_id) o
    LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) o.customer_id
    LEFT JOIN crisk.score s ON s.customer_id OPERATOR(pg_catalog.=) o.customer_id;
END
$$;
COMMENT ON FUNCTION crisk.aged_balance_at(pg_catalog.date) IS
    'Aged balance as of a date (month-end closes): the columns of crisk.aged_balance over the items open at as_of (issued by as_of, unpaid or paid after it), aged at as_of. Credit limits and risk classes are the current ones. NULL as_of raises 22004.';
