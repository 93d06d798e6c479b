-- The dunning worklist: the open invoices that need a dunning action
-- today, one row each, with the level of the customer's dunning policy
-- proposed, the action it calls for, and the late-payment interest and
-- recovery indemnity due so far (French B2B law, at the statutory rate:
-- crisk.late_payment_interest and crisk.recovery_indemnity with the as-of
-- date as the payment date).
--
-- Dunning is sequential per invoice.  The level proposed is the next one
-- of the policy after the highest level recorded for the invoice in
-- crisk.dunning_action (the first level when none is); it is proposed once
-- the invoice has reached that level's days_past_due and, when an earlier
-- level was recorded, once the level's min_gap_days have passed since the
-- latest action.  So a reminder sent yesterday is not followed by the
-- second reminder today, and an invoice that was never chased starts at
-- the first level however late it is.  A level recorded ahead of its turn
-- (crisk.record_dunning_action allows it) moves the invoice on from there.
--
-- An invoice is listed when it is open, is an amount owed (credit notes
-- are not dunned), is not disputed (an open crisk.dispute) and is not
-- covered by a promise to pay within its grace (crisk.promise, from
-- promised_on to due_on + crisk.promise_grace_days), and a level is
-- proposed.  The policy is the account's dunning_policy, "default" for a
-- customer without an account.  An account may name a policy that has no
-- levels (accounts are not checked against the policies, see
-- 56_dunning.sql); its overdue invoices are listed every day with the
-- level and action NULL, so that the mistake shows rather than the
-- invoices going unchased.
--
-- crisk.dunning_worklist_at(as_of) takes the invoices open at as_of, the
-- actions recorded by then, and the disputes and promises as they stood
-- that day: what the list was, or will be, on that day.  An invoice paid in
-- parts is dunned for what is left of it (crisk.ledger_parts), and its
-- interest runs on each part until that part was paid.
-- crisk.dunning_worklist is crisk.dunning_worklist_at(CURRENT_DATE), with
-- no second copy of the query: the function is an inlinable SQL function
-- (no SET clause, every name qualified), so that a filter on customer_id
-- on the view reaches the ledger's index (test/sql/as_of.sql).
--
-- The actions, disputes and promises are matched with an invoice on its
-- customer as well as its invoice number: on a store spread by
-- crisk.distribute_store() Citus then reads each customer's rows on the
-- customer's shard (test/citus/050_readers.pl).  The disputes and promises
-- are read as joins; the actions are looked up invoice by invoice on one
-- node, and grouped and joined on a distributed store, whose planner
-- refuses the lookup (crisk._dunning_items_at and its twin).  An action or
-- dispute whose customer_id was set by hand to another customer than its
-- invoice's no longer counts.

-- The invoices the worklist looks at (open at as_of, due before then),
-- each from the parts its allocations settled: what is left of it, and the
-- interest run on each part until it was paid (or until as_of for what is
-- still open).  An inlinable SQL function, as the worklist is.
CREATE FUNCTION crisk._dunning_open_invoices_at(as_of pg_catalog.date)
    RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                   issue_date pg_catalog.date, due_date pg_catalog.date,
                   amount pg_catalog.numeric, open_amount pg_catalog.numeric,
                   interest pg_catalog.numeric)
    LANGUAGE sql STABLE
    AS $$
SELECT p.invoice_id, p.customer_id, p.issue_date, p.due_date,
       pg_catalog.sum(p.amount),
       pg_catalog.sum(p.amount) FILTER (WHERE p.paid_date IS NULL
                                          OR p.paid_date OPERATOR(pg_catalog.>) $1),
       pg_catalog.sum(crisk.late_payment_interest(p.amount, p.due_date, LEAST(p.paid_date, $1)))
FROM crisk.ledger_parts() p
WHERE p.issue_date OPERATOR(pg_catalog.<=) $1
  AND (p.item_paid_date IS NULL OR p.item_paid_date OPERATOR(pg_catalog.>) $1)
  AND p.due_date OPERATOR(pg_catalog.<) $1
GROUP BY p.invoice_id, p.customer_id, p.issue_date, p.due_date
$$;
COMMENT ON FUNCTION crisk._dunning_open_invoices_at(pg_catalog.date) IS
    'The invoices and credit notes open at as_of and due before then, one row each, from crisk.ledger_parts: amount, what is left of it (open_amount) and the late-payment interest run on each part until it was paid or until as_of. Read by crisk.dunning_worklist_at.';

-- Those invoices with the highest dunning level recorded for each by as_of
-- and the date of its latest action, looked up invoice by invoice on the
-- index of the customer's actions: years of past reminders are not read
-- on every refresh (bench/rescore_history.sh).
CREATE FUNCTION crisk._dunning_items_at(as_of pg_catalog.date)
    RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                   issue_date pg_catalog.date, due_date pg_catalog.date,
                   amount pg_catalog.numeric, open_amount pg_catalog.numeric,
                   interest pg_catalog.numeric, last_level pg_catalog.int4,
                   last_acted_on pg_catalog.date)
    LANGUAGE sql STABLE
    AS $$
SELECT l.invoice_id, l.customer_id, l.issue_date, l.due_date, l.amount, l.open_amount,
       l.interest, done.last_level, done.last_acted_on
FROM crisk._dunning_open_invoices_at($1) l
LEFT JOIN LATERAL (
    SELECT pg_catalog.max(x.level) AS last_level, pg_catalog.max(x.acted_on) AS last_acted_on
    FROM crisk.dunning_action x
    WHERE x.customer_id OPERATOR(pg_catalog.=) l.customer_id
      AND x.invoice_id OPERATOR(pg_catalog.=) l.invoice_id
      AND x.acted_on OPERATOR(pg_catalog.<=) $1) done ON true
$$;
COMMENT ON FUNCTION crisk._dunning_items_at(pg_catalog.date) IS
    'crisk._dunning_open_invoices_at with, for each invoice, the highest level recorded in crisk.dunning_action by as_of (last_level) and the date of the latest action (last_acted_on), NULL when none. Read by crisk.dunning_worklist_at.';

-- crisk._dunning_items_at in the form Citus can plan (it refuses a lateral
-- outer join with a grouped subquery): the actions grouped per invoice and
-- joined on the customer and the invoice, so that each customer's rows
-- are read on the customer's shard.  crisk's planner hook inlines it in
-- place of crisk._dunning_items_at on a store spread by
-- crisk.distribute_store() (src/citus_inline.c); test/sql/dunning.sql
-- checks that both give the same rows.
CREATE FUNCTION crisk._dunning_items_at_distributed(as_of pg_catalog.date)
    RETURNS TABLE (invoice_id pg_catalog.text, customer_id pg_catalog.text,
                   issue_date pg_catalog.date, due_date pg_catalog.date,
                   amount pg_catalog.numeric, open_amount pg_catalog.numeric,
                   interest pg_catalog.numeric, last_level pg_catalog.int4,
                   last_acted_on pg_catalog.date)
    LANGUAGE sql STABLE
    AS $$
SELECT l.invoice_id, l.customer_id, l.issue_date, l.due_date, l.amount, l.open_amount,
       l.interest, done.last_level, done.last_acted_on
FROM crisk._dunning_open_invoices_at($1) l
LEFT JOIN (SELECT x.customer_id, x.invoice_id,
                  pg_catalog.max(x.level) AS last_level, pg_catalog.max(x.acted_on) AS last_acted_on
           FROM crisk.dunning_action x
           WHERE x.acted_on OPERATOR(pg_catalog.<=) $1
           GROUP BY x.customer_id, x.invoice_id) done
       ON done.customer_id OPERATOR(pg_catalog.=) l.customer_id
      AND done.invoice_id OPERATOR(pg_catalog.=) l.invoice_id
$$;
COMMENT ON FUNCTION crisk._dunning_items_at_distributed(pg_catalog.date) IS
    'crisk._dunning_items_at as a store spread by crisk.distribute_store() reads it (the actions grouped per invoice and joined, which Citus can plan), inlined in its place by crisk''s planner hook on such a store.';

CREATE FUNCTION crisk.dunning_worklist_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, name pg_catalog.text, invoice_id pg_catalog.text,
                   amount pg_catalog.numeric, issue_date pg_catalog.date, due_date pg_catalog.date,
                   days_past_due pg_catalog.int4, dunning_policy pg_catalog.text,
                   dunning_level pg_catalog.int4, action pg_catalog.text,
                   action_description pg_catalog.text, order_decision pg_catalog.text,
                   last_level_done pg_catalog.int4, last_acted_on pg_catalog.date,
                   late_payment_interest pg_catalog.numeric, recovery_indemnity pg_catalog.numeric,
                   total_due pg_catalog.numeric)
    LANGUAGE sql STABLE
    AS $$
SELECT l.customer_id,
       a.name,
       l.invoice_id,
       l.open_amount,
       l.issue_date,
       l.due_date,
       $1 OPERATOR(pg_catalog.-) l.due_date,
       pol.policy,
       step.level,
       step.action,
       step.description,
       step.order_decision,
       l.last_level,
       l.last_acted_on,
       l.interest,
       crisk.recovery_indemnity(l.due_date, $1),
       l.open_amount OPERATOR(pg_catalog.+) l.interest
           OPERATOR(pg_catalog.+) crisk.recovery_indemnity(l.due_date, $1)
-- The invoices open at as_of and due before then, with what was last done.
FROM crisk._dunning_items_at($1) l
LEFT JOIN crisk.account a ON a.customer_id OPERATOR(pg_catalog.=) l.customer_id
CROSS JOIN LATERAL (SELECT COALESCE(a.dunning_policy, 'default'::pg_catalog.text) AS policy) pol
LEFT JOIN LATERAL (
    SELECT d.level, d.action, d.description, d.order_decision, d.days_past_due, d.min_gap_days
    FROM crisk.dunning_policy d
    WHERE d.policy OPERATOR(pg_catalog.=) pol.policy
      AND d.level OPERATOR(pg_catalog.>) COALESCE(l.last_level, 0)
    ORDER BY d.level
    LIMIT 1) step ON true
-- The invoices under an open dispute, and those under a promise to pay
-- within its grace, that day: left out below.
LEFT JOIN (SELECT x.customer_id, x.invoice_id
           FROM crisk.dispute x
           WHERE x.opened_on OPERATOR(pg_catalog.<=) $1
             AND (x.resolved_on IS NULL OR x.resolved_on OPERATOR(pg_catalog.>) $1)
           GROUP BY x.customer_id, x.invoice_id) disputed
       ON disputed.customer_id OPERATOR(pg_catalog.=) l.customer_id
      AND disputed.invoice_id OPERATOR(pg_catalog.=) l.invoice_id
LEFT JOIN crisk.promise promised
       ON promised.customer_id OPERATOR(pg_catalog.=) l.customer_id
      AND promised.invoice_ids OPERATOR(pg_catalog.@>) ARRAY[l.invoice_id]
      AND promised.promised_on OPERATOR(pg_catalog.<=) $1
      AND crisk.promise_grace_until(promised.due_on) OPERATOR(pg_catalog.>=) $1
      -- The same on due_on, so that the customer's index skips the
      -- promises of past years.
      AND promised.due_on OPERATOR(pg_catalog.>=) crisk._promise_due_for_grace($1)
WHERE crisk._as_of_required($1, 'crisk.dunning_worklist') IS NOT NULL
  AND l.amount OPERATOR(pg_catalog.>) 0
  AND l.open_amount OPERATOR(pg_catalog.>) 0
  AND ((($1 OPERATOR(pg_catalog.-) l.due_date) OPERATOR(pg_catalog.>=) step.days_past_due
        AND (l.last_acted_on IS NULL
             OR ($1 OPERATOR(pg_catalog.-) l.last_acted_on) OPERATOR(pg_catalog.>=) step.min_gap_days))
       OR (step.level IS NULL
           AND NOT EXISTS (SELECT FROM crisk.dunning_policy d
                           WHERE d.policy OPERATOR(pg_catalog.=) pol.policy)))
  AND disputed.invoice_id IS NULL
  AND promised.customer_id IS NULL
$$;
COMMENT ON FUNCTION crisk.dunning_worklist_at(pg_catalog.date) IS
    'The dunning worklist as of a date: the columns of crisk.dunning_worklist over the invoices open at as_of, the actions recorded by then and the disputes and promises of that day, with interest and indemnity due at as_of. NULL as_of raises 22004.';

CREATE VIEW crisk.dunning_worklist WITH (security_invoker = true) AS
    SELECT w.customer_id, w.name, w.invoice_id, w.amount, w.issue_date, w.due_date,
           w.days_past_due, w.dunning_policy, w.dunning_level, w.action, w.action_description,
           w.order_decision, w.last_level_done, w.last_acted_on, w.late_payment_interest,
           w.recovery_indemnity, w.total_due
    FROM crisk.dunning_worklist_at(CURRENT_DATE) AS w;
COMMENT ON VIEW crisk.dunning_worklist IS
    'Open invoices that need a dunning action today, one row each: the next level of the customer''s dunning policy (levels are sequential, with a minimum gap between them) and its action, what was last done (crisk.dunning_action), and the late-payment interest (statutory French rate) and 40 EUR recovery indemnity due so far. Listed until the level is recorded with crisk.record_dunning_action(). Invoices under an open dispute (crisk.dispute) or a promise to pay within its grace (crisk.promise) are left out. For another date: crisk.dunning_worklist_at(as_of).';
COMMENT ON COLUMN crisk.dunning_worklist.customer_id IS 'Customer code, as in the ledger.';
COMMENT ON COLUMN crisk.dunning_worklist.invoice_id IS 'Invoice to chase; record what was done with crisk.record_dunning_action(invoice_id, dunning_level).';
COMMENT ON COLUMN crisk.dunning_worklist.issue_date IS 'Invoice date.';
COMMENT ON COLUMN crisk.dunning_worklist.due_date IS 'Due date agreed.';
COMMENT ON COLUMN crisk.dunning_worklist.amount IS 'What is left open of the invoice: its amount less the allocations applied to it (all of it without allocations).';
COMMENT ON COLUMN crisk.dunning_worklist.days_past_due IS 'Days since the due date (today minus due_date).';
COMMENT ON COLUMN crisk.dunning_worklist.name IS 'Customer name from crisk.account; NULL without an account.';
COMMENT ON COLUMN crisk.dunning_worklist.dunning_policy IS 'Dunning policy applied: crisk.account.dunning_policy, or default without an account.';
COMMENT ON COLUMN crisk.dunning_worklist.dunning_level IS 'Level of the policy proposed today: the next one after the highest recorded, once its days_past_due are reached and its min_gap_days have passed since the latest action; NULL when the policy has no levels (fix the account).';
COMMENT ON COLUMN crisk.dunning_worklist.action IS 'The action of that level (reminder, second_reminder, formal_notice, litigation for the default policy).';
COMMENT ON COLUMN crisk.dunning_worklist.action_description IS 'What the action involves, from the policy.';
COMMENT ON COLUMN crisk.dunning_worklist.order_decision IS 'What crisk.check_order does for a customer at this level: review, block, or NULL (nothing).';
COMMENT ON COLUMN crisk.dunning_worklist.last_level_done IS 'Highest level already recorded for the invoice in crisk.dunning_action; NULL when none.';
COMMENT ON COLUMN crisk.dunning_worklist.last_acted_on IS 'Date of the latest action recorded for the invoice; NULL when none.';
COMMENT ON COLUMN crisk.dunning_worklist.late_payment_interest IS 'Late-payment interest due so far at the French statutory rate (ECB rate + 10 points, by half-year), part by part: each part paid late from the due date to its payment, what is still open to the as-of date; each part to the cent (crisk.late_payment_interest).';
COMMENT ON COLUMN crisk.dunning_worklist.recovery_indemnity IS 'Fixed recovery indemnity due (40.00 for an invoice past due; crisk.recovery_indemnity).';
COMMENT ON COLUMN crisk.dunning_worklist.total_due IS 'What the customer owes on this invoice today: amount + late_payment_interest + recovery_indemnity.';
REVOKE ALL ON crisk.dunning_worklist FROM PUBLIC;

