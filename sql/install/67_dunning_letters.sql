-- Dunning letters: today's dunning actions grouped into one letter per
-- customer and level, as a collector sends them, with the amounts the law
-- lets the creditor claim (L441-10: late-payment interest at the
-- statutory rate; D441-5: 40 EUR recovery indemnity per invoice) and the
-- letter's subject and body rendered from crisk.dunning_template in the
-- customer's language (crisk.account.language, 'fr' without an account).
--
-- The rows come from crisk.dunning_worklist_at(as_of), so a letter holds
-- exactly the invoices the worklist proposes at that level: not disputed,
-- not under a promise to pay, level by level with the policy's gaps.  An
-- invoice whose policy has no levels (worklist level NULL) gets no letter.
-- The template is the customer's dunning policy's for the level and
-- language, else that of policy "default"; subject and body are NULL when
-- neither exists (add a template in that language).  Once sent, record
-- each invoice's action with crisk.record_dunning_action(invoice_id,
-- level), which takes the letter off the list.
--
-- crisk.dunning_letters is crisk.dunning_letters_at(current_date).

CREATE FUNCTION crisk.dunning_letters_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, name pg_catalog.text, level pg_catalog.int4,
                   action pg_catalog.text, dunning_policy pg_catalog.text, language pg_catalog.text,
                   invoice_ids pg_catalog.text[], invoices pg_catalog.int4,
                   amount_due pg_catalog.numeric, interest pg_catalog.numeric,
                   indemnity pg_catalog.numeric, total_due pg_catalog.numeric,
                   subject pg_catalog.text, body pg_catalog.text, letter_date pg_catalog.date)
    LANGUAGE sql STABLE
    AS $$
    WITH items AS (
        SELECT w.*, COALESCE(a.language, 'fr') AS lang
        FROM crisk.dunning_worklist_at($1) AS w
        LEFT JOIN crisk.account AS a ON a.customer_id OPERATOR(pg_catalog.=) w.customer_id
        WHERE w.dunning_level IS NOT NULL
    ), letters AS (
        SELECT i.customer_id, pg_catalog.max(i.name) AS name, i.dunning_level AS level,
               pg_catalog.max(i.action) AS action, i.dunning_policy, i.lang,
               pg_catalog.array_agg(i.invoice_id ORDER BY i.due_date, i.invoice_id) AS invoice_ids,
               pg_catalog.count(*)::pg_catalog.int4 AS invoices,
               pg_catalog.sum(i.amount) AS amount_due,
               pg_catalog.sum(i.late_payment_interest) AS interest,
               pg_catalog.sum(i.recovery_indemnity) AS indemnity,
               pg_catalog.sum(i.total_due) AS total_due,
               pg_catalog.string_agg(
                   CASE WHEN i.lang OPERATOR(pg_catalog.=) 'fr'
                        THEN pg_catalog.format('- facture %s du %s, échue le %s : %s € ; pénalités %s € ; indemnité %s €',
                                               i.invoice_id, crisk.letter_date(i.issue_date, i.lang),
                                               crisk.letter_date(i.due_date, i.lang),
                                               crisk.letter_amount(i.amount, i.lang),
                                               crisk.letter_amount(i.late_payment_interest, i.lang),
                                               crisk.letter_amount(i.recovery_indemnity, i.lang))
                        ELSE pg_catalog.format('- invoice %s of %s, due %s: EUR %s; penalties EUR %s; indemnity EUR %s',
                                               i.invoice_id, crisk.letter_date(i.issue_date, i.lang),
                                               crisk.letter_date(i.due_date, i.lang),
                                               crisk.letter_amount(i.amount, i.lang),
                                               crisk.letter_amount(i.late_payment_interest, i.lang),
                                               crisk.letter_amount(i.recovery_indemnity, i.lang)) END,
                   E'\n' ORDER BY i.due_date, i.invoice_id) AS invoice_list
        FROM items AS i
        GROUP BY i.customer_id, i.dunning_policy, i.dunning_level, i.lang
    )
    SELECT l.customer_id, l.name, l.level, l.action, l.dunning_policy, l.lang,
           l.invoice_ids, l.invoices, l.amount_due, l.interest, l.indemnity, l.total_due,
           crisk.render_template(t.subject, v.placeholders),
           crisk.render_template(t.body, v.placeholders),
           $1
    FROM letters AS l
    -- The statutory rate of the half-year: the ECB rate in force on
    -- 1 January or 1 July, plus 10 points.
    LEFT JOIN (
        SELECT r.rate OPERATOR(pg_catalog.+) 0.10 AS statutory
        FROM crisk.reference_rate AS r
        WHERE r.valid_from OPERATOR(pg_catalog.<=)
              pg_catalog.make_date(pg_catalog.date_part('year', $1)::pg_catalog.int4,
                                   CASE WHEN pg_catalog.date_part('month', $1) OPERATOR(pg_catalog.<=) 6
                                        THEN 1 ELSE 7 END, 1)
        ORDER BY r.valid_from DESC
        LIMIT 1) AS rate ON true
    CROSS JOIN LATERAL (
        SELECT pg_catalog.jsonb_build_object(
                   'customer_name', COALESCE(l.name, l.customer_id),
                   'customer_id', l.customer_id,
                   'letter_date', crisk.letter_date($1, l.lang),
                   'invoice_count', l.invoices,
                   'invoice_list', l.invoice_list,
                   'amount_due', crisk.letter_amount(l.amount_due, l.lang),
                   'interest', crisk.letter_amount(l.interest, l.lang),
                   'indemnity', crisk.letter_amount(l.indemnity, l.lang),
                   'total_due', crisk.letter_amount(l.total_due, l.lang),
                   'interest_rate', CASE WHEN l.lang OPERATOR(pg_catalog.=) 'fr'
                                         THEN pg_catalog.translate(pg_catalog.to_char(rate.statutory OPERATOR(pg_catalog.*) 100, 'FM990.00'), '.', ',') OPERATOR(pg_catalog.||) ' %'
                                         ELSE pg_catalog.to_char(rate.statutory OPERATOR(pg_catalog.*) 100, 'FM990.00') OPERATOR(pg_catalog.||) '%' END
               ) AS placeholders) AS v
    LEFT JOIN LATERAL (
        SELECT d.subject, d.body
        FROM crisk.dunning_template AS d
        WHERE d.level OPERATOR(pg_catalog.=) l.level
          AND d.language OPERATOR(pg_catalog.=) l.lang
          AND d.policy OPERATOR(pg_catalog.=) ANY (ARRAY[l.dunning_policy, 'default'])
        ORDER BY d.policy OPERATOR(pg_catalog.=) l.dunning_policy DESC
        LIMIT 1) AS t ON true
    WHERE crisk._as_of_required($1, 'crisk.dunning_letters') IS NOT NULL
$$;
COMMENT ON FUNCTION crisk.dunning_letters_at(pg_catalog.date) IS
    'The dunning letters of a day: crisk.dunning_worklist_at(as_of) grouped by customer and level, with the invoices, their amounts, the late-payment interest and 40 EUR indemnities due (L441-10, D441-5), and subject and body rendered from crisk.dunning_template in the customer''s language. NULL as_of raises 22004. Inlined into the caller''s query: a filter on customer_id reaches the indexes.';

CREATE VIEW crisk.dunning_letters WITH (security_invoker = true) AS
    SELECT l.customer_id, l.name, l.level, l.action, l.dunning_policy, l.language,
           l.invoice_ids, l.invoices, l.amount_due, l.interest, l.indemnity, l.total_due,
           l.subject, l.body, l.letter_date
    FROM crisk.dunning_letters_at(CURRENT_DATE) AS l;
COMMENT ON VIEW crisk.dunning_letters IS
    'Today''s dunning letters, one per customer and level of the dunning worklist: the invoices to chase, their amounts, late-payment interest and recovery indemnities due, and the letter''s subject and body from crisk.dunning_template in the customer''s language. Record what was sent with crisk.record_dunning_action(). For another date: crisk.dunning_letters_at(as_of).';
COMMENT ON COLUMN crisk.dunning_letters.customer_id IS 'Customer code, as in the ledger.';
COMMENT ON COLUMN crisk.dunning_letters.name IS 'Customer name from crisk.account; NULL without an account.';
COMMENT ON COLUMN crisk.dunning_letters.dunning_policy IS 'Dunning policy applied: crisk.account.dunning_policy, or default without an account.';
COMMENT ON COLUMN crisk.dunning_letters.level IS 'Level of the dunning policy the letter is sent at.';
COMMENT ON COLUMN crisk.dunning_letters.action IS 'The level''s action (reminder, second_reminder, formal_notice, litigation for the default policy).';
COMMENT ON COLUMN crisk.dunning_letters.language IS 'Language of the letter: crisk.account.language, fr without an account.';
COMMENT ON COLUMN crisk.dunning_letters.invoice_ids IS 'Invoices the letter chases, oldest due date first.';
COMMENT ON COLUMN crisk.dunning_letters.invoices IS 'Number of invoices.';
COMMENT ON COLUMN crisk.dunning_letters.amount_due IS 'The invoices'' amounts, summed.';
COMMENT ON COLUMN crisk.dunning_letters.interest IS 'Late-payment interest due so far at the statutory rate (ECB + 10 points), summed per invoice rounded to the cent (L441-10).';
COMMENT ON COLUMN crisk.dunning_letters.indemnity IS 'Recovery indemnities due: 40 EUR per invoice (D441-5).';
COMMENT ON COLUMN crisk.dunning_letters.total_due IS 'amount_due + interest + indemnity.';
COMMENT ON COLUMN crisk.dunning_letters.subject IS 'Subject of the letter, rendered from crisk.dunning_template; NULL without a template for the level and language.';
COMMENT ON COLUMN crisk.dunning_letters.body IS 'Text of the letter, rendered from crisk.dunning_template; NULL without a template for the level and language.';
COMMENT ON COLUMN crisk.dunning_letters.letter_date IS 'Date of the letter (today).';
REVOKE ALL ON crisk.dunning_letters FROM PUBLIC;
