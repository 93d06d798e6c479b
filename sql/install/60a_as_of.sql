-- What crisk knew on a date: the score and class of each customer and the
-- credit limit in force, read from history, for the *_at(as_of) functions.
-- A result for a past date must not move when later passes run or limits
-- change (SPEC section 5.2, as-of purity).
--
--   crisk.scores_at(as_of)  the latest score of each customer scored as of
--                           a date on or before as_of: crisk.score_history
--                           (every pass appends there), and crisk.score,
--                           which holds the latest whatever fills it.  A
--                           pass run today as of a past date is a
--                           correction dated then, and counts.
--   crisk.limits_at(as_of)  each account's limit at the end of as_of: the
--                           new_limit of the last crisk.limit_change made
--                           by then, else the old_limit of the first made
--                           after (NULL: the account had no limit, or did
--                           not exist yet), else the account's limit (never
--                           changed since it was tracked).
--
-- Both are inlinable SQL functions (no SET clause, every name qualified),
-- so that a filter on customer_id reaches the tables' indexes; they read
-- with the caller's rights.

-- crisk._as_of_required: the argument check of the inlinable *_at
-- functions, which cannot raise themselves: as_of, or 22004 when it is
-- NULL, 22023 when it is infinite; today_reader names what answers for
-- today, for the hint.  Called once per query with the function's
-- argument (a one-time filter, or folded when the date is a constant).
CREATE FUNCTION crisk._as_of_required(as_of pg_catalog.date, today_reader pg_catalog.text)
    RETURNS pg_catalog.date
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF as_of IS NULL THEN
        RAISE EXCEPTION 'as_of must not be null'
            USING ERRCODE = '22004',
                  HINT = pg_catalog.format('Give a date; %s is as of today.', today_reader);
    END IF;
    IF NOT pg_catalog.isfinite(as_of) THEN
        RAISE EXCEPTION 'as_of must be a finite date'
            USING ERRCODE = '22023', DETAIL = pg_catalog.format('as_of is %s.', as_of);
    END IF;
    RETURN as_of;
END
$$;
COMMENT ON FUNCTION crisk._as_of_required(pg_catalog.date, pg_catalog.text) IS
    'Internal: returns as_of, or raises 22004 when it is NULL and 22023 when it is infinite; the argument check of the inlinable *_at functions (today_reader, the view answering for today, goes in the hint).';

CREATE FUNCTION crisk.scores_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, as_of pg_catalog.date,
                   score pg_catalog.int4, risk_class pg_catalog.text)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT DISTINCT ON (k.customer_id) k.customer_id, k.as_of, k.score, k.risk_class
FROM (SELECT s.customer_id, s.as_of, s.scored_at, s.score, s.risk_class, 1 AS rank
      FROM crisk.score s
      WHERE s.as_of OPERATOR(pg_catalog.<=) $1
      UNION ALL
      SELECT h.customer_id, h.as_of, h.scored_at, h.score, h.risk_class, 2
      FROM crisk.score_history h
      WHERE h.as_of OPERATOR(pg_catalog.<=) $1) k
ORDER BY k.customer_id, k.as_of DESC, k.scored_at DESC, k.rank
$$;
COMMENT ON FUNCTION crisk.scores_at(pg_catalog.date) IS
    'The score and risk class of each customer as known on as_of: the latest scoring as of a date on or before as_of (crisk.score_history, crisk.score). Customers first scored after as_of are absent.';

CREATE FUNCTION crisk.limits_at(as_of pg_catalog.date)
    RETURNS TABLE (customer_id pg_catalog.text, credit_limit pg_catalog.numeric)
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$
SELECT a.customer_id,
       CASE WHEN b.change_id IS NOT NULL THEN b.new_limit
            WHEN f.change_id IS NOT NULL THEN f.old_limit
            ELSE a.credit_limit END
FROM crisk.account a
LEFT JOIN LATERAL (
    SELECT c.change_id, c.new_limit FROM crisk.limit_change c
    WHERE c.customer_id OPERATOR(pg_catalog.=) a.customer_id
      AND c.changed_at::pg_catalog.date OPERATOR(pg_catalog.<=) $1
    ORDER BY c.changed_at DESC, c.change_id DESC LIMIT 1) b ON true
LEFT JOIN LATERAL (
    SELECT c.change_id, c.old_limit FROM crisk.limit_change c
    WHERE c.customer_id OPERATOR(pg_catalog.=) a.customer_id
      AND c.changed_at::pg_catalog.date OPERATOR(pg_catalog.>) $1
    ORDER BY c.changed_at, c.change_id LIMIT 1) f ON b.change_id IS NULL
$$;
COMMENT ON FUNCTION crisk.limits_at(pg_catalog.date) IS
    'The credit limit of each account in force at the end of as_of, from crisk.limit_change: the last change made by then, else what the first later change replaced, else the account''s limit. NULL: no limit then (or no account yet).';

-- crisk._profile_item_counts: a payment profile computed over
-- crisk.ledger_parts() (where an invoice paid in three parts is four rows)
-- with its invoice counts taken from the whole items (NULL: keep the
-- profile's, for a profile over the ledger's rows).  Inlinable (no SET
-- clause), so that a rescoring pass pays no function call per customer.
CREATE FUNCTION crisk._profile_item_counts(profile crisk.payment_profile,
                                           invoices pg_catalog.int8, open_invoices pg_catalog.int8)
    RETURNS crisk.payment_profile
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
SELECT CASE WHEN $1 IS NULL THEN NULL::crisk.payment_profile
            ELSE ROW(COALESCE($2, ($1).invoices), COALESCE($3, ($1).open_invoices), ($1).billed, ($1).open_amount, ($1).overdue_amount,
                     ($1).avg_days_beyond_terms, ($1).days_beyond_terms_stddev, ($1).late_share,
                     ($1).max_days_late, ($1).dso, ($1).last_payment)::crisk.payment_profile END
$$;
COMMENT ON FUNCTION crisk._profile_item_counts(crisk.payment_profile, pg_catalog.int8, pg_catalog.int8) IS
    'Internal: the payment profile with invoices and open_invoices replaced, for profiles computed over crisk.ledger_parts() (the counts come from the whole items).';
