-- The aged balance's speed (bench/aged_balance.sh): crisk.open_items_at
-- reads the unpaid items again as two index ranges joined by UNION ALL
-- (its body is in 45_allocations.sql), and a store spread by
-- crisk.distribute_store() reads them through this twin, which Citus can
-- plan (src/citus_inline.c inlines it in crisk.open_items_at's place).

-- crisk._open_items_at_distributed: crisk.open_items_at in the form Citus
-- can plan (see above); same signature, result and volatility, and
-- executable by PUBLIC as it is (the caller needs the tables), so that it
-- is inlined for the same callers.
CREATE FUNCTION crisk._open_items_at_distributed(as_of pg_catalog.date)
    RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                   amount pg_catalog.numeric, issue_date pg_catalog.date,
                   due_date pg_catalog.date, open_amount pg_catalog.numeric)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT i.invoice_id, i.customer_id, i.amount, i.issue_date, i.due_date, i.open_amount
FROM (SELECT l.invoice_id, l.customer_id, l.amount, l.issue_date, l.due_date,
             CASE WHEN r.applied IS NULL AND c.consumed IS NULL THEN l.amount
                  ELSE l.amount OPERATOR(pg_catalog.-) COALESCE(r.applied, 0)
                       OPERATOR(pg_catalog.+) COALESCE(c.consumed, 0) END AS open_amount
      -- Unpaid, or paid after as_of: two ranges read in one scan.
      FROM (SELECT u.invoice_id, u.customer_id, u.amount, u.issue_date, u.due_date
            FROM crisk.ledger u
            WHERE (u.paid_date IS NULL OR u.paid_date OPERATOR(pg_catalog.>) $1)
              AND u.issue_date OPERATOR(pg_catalog.<=) $1) l
      LEFT JOIN crisk._allocations_applied_at($1) r ON r.invoice_id OPERATOR(pg_catalog.=) l.invoice_id
      LEFT JOIN crisk._allocations_consumed_at($1) c
             ON c.source_id OPERATOR(pg_catalog.=) l.invoice_id AND l.amount OPERATOR(pg_catalog.<) 0) i
-- Something is left, with the sign of the item (an over-applied invoice is
-- settled, not a credit); an ERP row without an amount stays open, as in
-- the ledger.
WHERE CASE WHEN i.amount OPERATOR(pg_catalog.>) 0 THEN i.open_amount OPERATOR(pg_catalog.>) 0
           WHEN i.amount OPERATOR(pg_catalog.<) 0 THEN i.open_amount OPERATOR(pg_catalog.<) 0
           WHEN i.amount OPERATOR(pg_catalog.=) 0 THEN i.open_amount OPERATOR(pg_catalog.=) 0
           ELSE true END
$$;
COMMENT ON FUNCTION crisk._open_items_at_distributed(pg_catalog.date) IS
    'crisk.open_items_at as a store spread by crisk.distribute_store() reads it (the unpaid items and those paid after as_of in one scan, which Citus can plan), inlined in its place by crisk''s planner hook on such a store: ledger items open on as_of (issued by then, not paid by then, something left of them), with open_amount = amount less the allocations applied to the item on or before as_of (plus, for a credit note, those it was the source of). An item with paid_date on or before as_of is settled; without allocations open_amount = amount.';
