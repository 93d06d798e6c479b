/*-------------------------------------------------------------------------
 *
 * rescore_write_sql.h
 *	  The parts of the write step's statements (rescore_write.c on one
 *	  node, rescore_write_distributed.c on a distributed store), so that
 *	  both write the same columns with the same rules.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_RESCORE_WRITE_SQL_H
#define CRISK_RESCORE_WRITE_SQL_H

#define WRITE_FITTED_READ \
	"SELECT f.model, f.pd_intercept, f.pd_slope FROM crisk.model_fit AS f" \
	" WHERE f.pd_intercept IS NOT NULL AND f.pd_slope IS NOT NULL"
#define WRITE_FITTED_NONE \
	"SELECT NULL::pg_catalog.text AS model, NULL::pg_catalog.float8 AS pd_intercept," \
	" NULL::pg_catalog.float8 AS pd_slope WHERE false"
#define WRITE_DISPUTED_READ \
	"SELECT x.customer_id, pg_catalog.array_agg(x.invoice_id) AS invoice_ids" \
	" FROM crisk.dispute AS x" \
	" WHERE x.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT w.customer_id FROM written AS w))" \
	" AND ($5 IS NULL OR x.customer_id OPERATOR(pg_catalog.=) $5)" \
	" AND x.opened_on OPERATOR(pg_catalog.<=) $3" \
	" AND (x.resolved_on IS NULL OR x.resolved_on OPERATOR(pg_catalog.>) $3)" \
	" GROUP BY x.customer_id"
#define WRITE_DISPUTED_NONE \
	"SELECT NULL::pg_catalog.text AS customer_id, NULL::pg_catalog.text[] AS invoice_ids WHERE false"
/*
 * The promises the broken_promise rule (crisk._alert_rules) looks at:
 * those whose grace ended in the twelve months before as_of ($3).  Read
 * from the customer's index from the first due date of that window
 * (crisk._promise_due_for_grace), so that the promises of past years are
 * neither read nor passed to the rule.
 */
#define WRITE_PROMISED_READ \
	"SELECT p.customer_id, pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(" \
	"'promise_id', p.promise_id, 'amount', p.amount, 'due_on', p.due_on," \
	" 'invoice_ids', p.invoice_ids)) AS promises" \
	" FROM crisk.promise AS p" \
	" WHERE p.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT w.customer_id FROM written AS w))" \
	" AND ($5 IS NULL OR p.customer_id OPERATOR(pg_catalog.=) $5)" \
	" AND p.due_on OPERATOR(pg_catalog.>=) crisk._promise_due_for_grace(crisk._twelve_months_start($3))" \
	" AND crisk.promise_grace_until(p.due_on) OPERATOR(pg_catalog.<) $3" \
	" GROUP BY p.customer_id"
#define WRITE_PROMISED_NONE \
	"SELECT NULL::pg_catalog.text AS customer_id, NULL::pg_catalog.jsonb AS promises WHERE false"

/* The score columns written, in crisk.score_history's order after risk_class_since. */
#define WRITE_SCORE_FIGURES \
	"reasons, invoices, open_invoices, billed, open_amount, overdue_amount," \
	" avg_days_beyond_terms, days_beyond_terms_stddev, late_share, max_days_late," \
	" dso, last_payment, altman_z, adverse_events, utilization, relationship_months," \
	" policy, limit_locked, credit_limit_before, recommended_limit, credit_limit_after, pd"
#define WRITE_SCORE_FIGURES_OF(w) \
	w ".reasons, " w ".invoices, " w ".open_invoices, " w ".billed, " w ".open_amount, " \
	w ".overdue_amount, " w ".avg_days_beyond_terms, " w ".days_beyond_terms_stddev, " \
	w ".late_share, " w ".max_days_late, " w ".dso, " w ".last_payment, " w ".altman_z, " \
	w ".adverse_events, " w ".utilization, " w ".relationship_months, " w ".policy, " \
	w ".limit_locked, " w ".credit_limit_before, " w ".recommended_limit, " \
	w ".credit_limit_after, " w ".pd"

/*
 * The columns of a history row, as the score row written has them (its
 * trigger sets the previous score and class): the history is made of the
 * rows the score's UPDATE and INSERT return, since the statement's other
 * parts do not see the rows it writes.
 */
#define WRITE_HISTORY_COLUMNS_OF(s) \
	s ".customer_id, " s ".as_of, " s ".scored_at, " s ".run_id, " s ".model, " s ".score, " \
	s ".risk_class, " s ".previous_score, " s ".previous_risk_class, " s ".risk_class_since, " \
	WRITE_SCORE_FIGURES_OF(s)

/*
 * The statement up to the score's UPDATE: input, candidates, locked, held,
 * recalibration, recalibrated, fitted, written, updated (scored_at: the
 * time the score rows are stamped with).
 */
#define WRITE_UP_TO_UPDATED(scored_at) \
	"WITH input AS MATERIALIZED (" \
	" SELECT r.customer_id, r.score, r.risk_class, r.reasons, r.altman_z, r.utilization," \
	" r.relationship_months, r.monthly_sales, r.recommended_limit," \
	" (r.item).model, (r.item).credit_limit, (r.item).limit_locked," \
	" (r.item).policy, (r.item).adverse_events, (r.item).utilization_limit AS credit_limit_before," \
	" (r.item).payment_terms_days, (r.item).event_severity," \
	" (r.item).previous_score, (r.item).previous_risk_class, (r.item).previous_model," \
	" (r.item).previous_recommended_limit, (r.item).previous_credit_limit," \
	" (r.item).previous_open_amount, (r.item).previous_as_of, (r.item).previous_scored_at," \
	" (r.item).previous_avg_dbt, (r.item).previous_dbt_stddev, (r.item).oldest_open_due," \
	" (r.item).newest_due_over_90, (r.item).last_event_recorded_at," \
	" ((r.item).profile).invoices, ((r.item).profile).open_invoices, ((r.item).profile).billed," \
	" ((r.item).profile).open_amount, ((r.item).profile).overdue_amount," \
	" ((r.item).profile).avg_days_beyond_terms, ((r.item).profile).days_beyond_terms_stddev," \
	" ((r.item).profile).late_share, ((r.item).profile).max_days_late," \
	" ((r.item).profile).dso, ((r.item).profile).last_payment" \
	" FROM pg_catalog.unnest($1) AS r" \
	" WHERE $5 IS NULL OR r.customer_id OPERATOR(pg_catalog.=) $5" \
	"), candidates AS MATERIALIZED (" \
	" SELECT i.customer_id FROM input AS i" \
	" WHERE NOT COALESCE(i.limit_locked, false) AND i.recommended_limit IS NOT NULL" \
	" AND i.recommended_limit IS DISTINCT FROM i.credit_limit" \
	"), locked AS MATERIALIZED (" \
	" SELECT a.customer_id FROM crisk.account AS a" \
	" WHERE a.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.customer_id FROM candidates AS c))" \
	" AND ($5 IS NULL OR a.customer_id OPERATOR(pg_catalog.=) $5)" \
	" FOR NO KEY UPDATE OF a SKIP LOCKED" \
	"), held AS MATERIALIZED (" \
	" SELECT c.customer_id FROM candidates AS c" \
	" WHERE NOT c.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.customer_id FROM locked AS l))" \
	"), recalibration AS MATERIALIZED (" \
	/* the reason first: Citus updates no row from a stable function of columns */ \
	" SELECT i.customer_id, i.recommended_limit, i.credit_limit AS limit_read," \
	" pg_catalog.format(" \
	"'recalibrated by rescoring run %%s: score %%s, class %%s%%s, daily sales %%s, terms %%s days, policy %%s'," \
	" $2, i.score, i.risk_class," \
	" CASE WHEN i.risk_class OPERATOR(pg_catalog.<>) crisk.risk_class(i.score)" \
	" THEN pg_catalog.format(' (capped by a legal event in force, severity %%s)', i.event_severity)" \
	" ELSE '' END," \
	" COALESCE(pg_catalog.round((i.monthly_sales OPERATOR(pg_catalog.*) 12)" \
	" OPERATOR(pg_catalog./) 365, 2)::pg_catalog.text, 'none in the last 12 months')," \
	" COALESCE(i.payment_terms_days, p.default_terms_days), i.policy) AS reason" \
	" FROM input AS i" \
	" LEFT JOIN crisk.limit_policy AS p ON p.policy OPERATOR(pg_catalog.=) i.policy" \
	" AND p.risk_class OPERATOR(pg_catalog.=) i.risk_class" \
	" WHERE i.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT l.customer_id FROM locked AS l))" \
	"), recalibrated AS (" \
	" UPDATE crisk.account AS a" \
	" SET credit_limit = x.recommended_limit, limit_run_id = $2, limit_reason = x.reason" \
	" FROM recalibration AS x" \
	" WHERE a.customer_id OPERATOR(pg_catalog.=) x.customer_id" \
	" AND ($5 IS NULL OR a.customer_id OPERATOR(pg_catalog.=) $5)" \
	" AND NOT a.limit_locked" \
	" AND a.credit_limit IS NOT DISTINCT FROM x.limit_read" \
	" AND a.credit_limit IS DISTINCT FROM x.recommended_limit" \
	" RETURNING a.customer_id" \
	"), fitted AS MATERIALIZED (%s" \
	"), written AS MATERIALIZED (" \
	" SELECT i.customer_id, i.model, i.score, i.risk_class, i.reasons," \
	" i.invoices, i.open_invoices, i.billed, i.open_amount, i.overdue_amount," \
	" i.avg_days_beyond_terms, i.days_beyond_terms_stddev, i.late_share, i.max_days_late," \
	" i.dso, i.last_payment," \
	" i.altman_z, i.adverse_events, i.utilization, i.relationship_months, i.policy," \
	" i.limit_locked, i.credit_limit_before, i.recommended_limit," \
	" CASE WHEN i.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT c.customer_id FROM recalibrated AS c))" \
	" THEN i.recommended_limit ELSE i.credit_limit END AS credit_limit_after," \
	" crisk.score_pd(i.score, f.pd_intercept, f.pd_slope) AS pd," \
	" i.previous_score, i.previous_risk_class, i.previous_model, i.previous_recommended_limit," \
	" i.previous_credit_limit, i.previous_open_amount, i.previous_as_of, i.previous_scored_at," \
	" i.previous_avg_dbt, i.previous_dbt_stddev, i.oldest_open_due, i.newest_due_over_90," \
	" i.last_event_recorded_at" \
	" FROM input AS i" \
	" LEFT JOIN fitted AS f ON f.model OPERATOR(pg_catalog.=) i.model" \
	" WHERE NOT i.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT h.customer_id FROM held AS h))" \
	"), updated AS (" \
	" UPDATE crisk.score AS s" \
	" SET as_of = $3, scored_at = " scored_at ", run_id = $2, model = w.model," \
	" score = w.score, risk_class = w.risk_class, reasons = w.reasons," \
	" invoices = w.invoices, open_invoices = w.open_invoices, billed = w.billed," \
	" open_amount = w.open_amount, overdue_amount = w.overdue_amount," \
	" avg_days_beyond_terms = w.avg_days_beyond_terms," \
	" days_beyond_terms_stddev = w.days_beyond_terms_stddev, late_share = w.late_share," \
	" max_days_late = w.max_days_late, dso = w.dso, last_payment = w.last_payment," \
	" altman_z = w.altman_z, adverse_events = w.adverse_events, utilization = w.utilization," \
	" relationship_months = w.relationship_months, policy = w.policy," \
	" limit_locked = w.limit_locked, credit_limit_before = w.credit_limit_before," \
	" recommended_limit = w.recommended_limit, credit_limit_after = w.credit_limit_after, pd = w.pd" \
	" FROM written AS w" \
	" WHERE s.customer_id OPERATOR(pg_catalog.=) w.customer_id" \
	" AND ($5 IS NULL OR s.customer_id OPERATOR(pg_catalog.=) $5)" \
	" AND w.previous_score IS NOT NULL" \
	" RETURNING " WRITE_HISTORY_COLUMNS_OF("s") "," \
	" (s.score IS DISTINCT FROM w.previous_score" \
	" OR s.risk_class IS DISTINCT FROM w.previous_risk_class" \
	" OR s.model IS DISTINCT FROM w.previous_model" \
	" OR s.recommended_limit IS DISTINCT FROM w.previous_recommended_limit" \
	" OR s.credit_limit_after IS DISTINCT FROM w.previous_credit_limit) AS decided"

/* A concurrent pass may have written the score row meanwhile. */
#define WRITE_SCORE_CONFLICT \
	" ON CONFLICT (customer_id) DO UPDATE" \
	" SET as_of = excluded.as_of, scored_at = excluded.scored_at, run_id = excluded.run_id," \
	" model = excluded.model, score = excluded.score, risk_class = excluded.risk_class," \
	" reasons = excluded.reasons, invoices = excluded.invoices," \
	" open_invoices = excluded.open_invoices, billed = excluded.billed," \
	" open_amount = excluded.open_amount, overdue_amount = excluded.overdue_amount," \
	" avg_days_beyond_terms = excluded.avg_days_beyond_terms," \
	" days_beyond_terms_stddev = excluded.days_beyond_terms_stddev," \
	" late_share = excluded.late_share, max_days_late = excluded.max_days_late," \
	" dso = excluded.dso, last_payment = excluded.last_payment," \
	" altman_z = excluded.altman_z, adverse_events = excluded.adverse_events," \
	" utilization = excluded.utilization, relationship_months = excluded.relationship_months," \
	" policy = excluded.policy, limit_locked = excluded.limit_locked," \
	" credit_limit_before = excluded.credit_limit_before," \
	" recommended_limit = excluded.recommended_limit," \
	" credit_limit_after = excluded.credit_limit_after, pd = excluded.pd"

/* The score's INSERT and the history, as CTEs: one node only. */
#define WRITE_INSERTED_AND_HISTORY \
	"), inserted AS (" \
	/* a concurrent pass may have written the row meanwhile, hence ON CONFLICT */ \
	" INSERT INTO crisk.score AS s (customer_id, as_of, scored_at, run_id, model, score, risk_class, " \
	WRITE_SCORE_FIGURES ")" \
	" SELECT w.customer_id, $3, pg_catalog.now(), $2, w.model, w.score, w.risk_class, " \
	WRITE_SCORE_FIGURES_OF("w") \
	" FROM written AS w" \
	" WHERE w.previous_score IS NULL" \
	" AND ($5 IS NULL OR w.customer_id OPERATOR(pg_catalog.=) $5)" \
	WRITE_SCORE_CONFLICT \
	" RETURNING " WRITE_HISTORY_COLUMNS_OF("s") \
	"), history AS (" \
	" INSERT INTO crisk.score_history (customer_id, as_of, scored_at, run_id, model, score, risk_class," \
	" previous_score, previous_risk_class, risk_class_since, " WRITE_SCORE_FIGURES ")" \
	" SELECT " WRITE_HISTORY_COLUMNS_OF("u") " FROM updated AS u WHERE u.decided" \
	" UNION ALL" \
	" SELECT " WRITE_HISTORY_COLUMNS_OF("n") " FROM inserted AS n" \
	" RETURNING 1"

/* The alerts the rules raise: disputed, promised, raised. */
#define WRITE_RAISED \
	"), disputed AS MATERIALIZED (%s" \
	"), promised AS MATERIALIZED (%s" \
	"), raised AS (" \
	" SELECT w.customer_id, x.kind, x.condition_key, x.severity, x.message, x.detail" \
	" FROM written AS w" \
	" LEFT JOIN disputed AS d ON d.customer_id OPERATOR(pg_catalog.=) w.customer_id" \
	" LEFT JOIN promised AS p ON p.customer_id OPERATOR(pg_catalog.=) w.customer_id" \
	" CROSS JOIN LATERAL crisk._alert_rules(COALESCE($5, w.customer_id), $3, $4, $6," \
	" w.score, w.previous_score, w.risk_class, w.previous_risk_class, w.policy," \
	" w.invoices, w.open_invoices, w.open_amount, w.avg_days_beyond_terms," \
	" w.days_beyond_terms_stddev," \
	" w.credit_limit_after, w.previous_open_amount, w.previous_credit_limit, w.oldest_open_due," \
	" w.newest_due_over_90, w.previous_as_of, w.previous_scored_at, w.previous_avg_dbt," \
	" w.previous_dbt_stddev, w.last_event_recorded_at, d.invoice_ids, p.promises) AS x"

#endif							/* CRISK_RESCORE_WRITE_SQL_H */
