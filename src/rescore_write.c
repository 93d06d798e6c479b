/*-------------------------------------------------------------------------
 *
 * rescore_write.c
 *	  The write step of a rescoring pass: one statement writes a batch's
 *	  limits, scores, history and alerts, and queues again the customers
 *	  whose account row another session held.
 *
 * rescore_batch.c computes a batch and calls rescore_write, in a
 * subtransaction in the worker so that a data error can be isolated to
 * one customer.  The alert rules the statement applies are not here:
 * they live in crisk._alert_rules, beside crisk.alert
 * (sql/install/55_alerts.sql), which the statement inlines.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "limit_audit.h"
#include "rescore_internal.h"
#include "rescore_queue.h"
#include "single_node.h"

/*
 * The write statement: one statement per batch writes what the credit
 * core computed for it.  Its data-modifying CTEs share one snapshot, so
 * each passes what it did to the next through RETURNING:
 *
 *	input		the batch's results, each field taken out of the composites
 *				once ($1; only the customer $5 when it is not NULL).  Passing
 *				one array per field instead was measured no faster: taking
 *				the fields apart costs about 3 ms per 1 000 customers)
 *	locked		the accounts whose limit the batch recalibrates, locked
 *				FOR NO KEY UPDATE SKIP LOCKED; held: those another session
 *				holds, whose customers get nothing written now
 *	recalibrated the limits written (crisk.account's triggers stamp and log
 *				each change with this run's id and the reason)
 *	updated, inserted  crisk.score, in place for customers scored before
 *				(its trigger keeps the previous score and class), a new
 *				row otherwise
 *	history		crisk.score_history: a row when the decision changed
 *				(score, class, model, recommended limit or limit in force),
 *				and for every customer scored for the first time
 *	alerted		the alerts of the rules (crisk._alert_rules, inlined:
 *				sql/install/55_alerts.sql), once per condition
 *	requeued	the held customers, queued again for the next pass
 *
 * and the final SELECT returns the counts, and on a distributed store the
 * notifications of the alerts raised.  Locks, limits and alerts follow
 * the contract of doc/worker.md.  Every access to a table that Citus
 * spreads by customer also tests "$5 IS NULL OR customer_id = $5": on a
 * distributed store the statement, without its INSERTs
 * (distributed_write_format below), runs once per customer, planned for
 * that customer, so that Citus sends it whole to the customer's shard.
 *
 * Two parts depend on what the role running the pass may read: the
 * calibration of fitted models (crisk.model_fit) and the disputes and
 * promises (crisk.dispute, crisk.promise).  A worker role given its
 * privileges before an upgrade brought those tables keeps scoring,
 * without them and with a warning: the statement is prepared in the
 * variant that reads only what the role may read.
 */
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
#define WRITE_PROMISED_READ \
	"SELECT p.customer_id, pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(" \
	"'promise_id', p.promise_id, 'amount', p.amount, 'due_on', p.due_on," \
	" 'invoice_ids', p.invoice_ids)) AS promises" \
	" FROM crisk.promise AS p" \
	" WHERE p.customer_id OPERATOR(pg_catalog.=) ANY (ARRAY(SELECT w.customer_id FROM written AS w))" \
	" AND ($5 IS NULL OR p.customer_id OPERATOR(pg_catalog.=) $5)" \
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
	w ".limit_after, " w ".pd"

/*
 * The columns of a history row, as the score row written has them (its
 * trigger sets the previous score and class): the history is made of the
 * rows the score's UPDATE and INSERT return, since the statement's other
 * parts do not see the rows it writes.
 */
#define WRITE_HISTORY_COLUMNS_OF(s) \
	s ".customer_id, " s ".as_of, " s ".scored_at, " s ".run_id, " s ".model, " s ".score, " \
	s ".risk_class, " s ".previous_score, " s ".previous_risk_class, " s ".risk_class_since, " \
	s ".reasons, " s ".invoices, " s ".open_invoices, " s ".billed, " s ".open_amount, " \
	s ".overdue_amount, " s ".avg_days_beyond_terms, " s ".days_beyond_terms_stddev, " \
	s ".late_share, " s ".max_days_late, " s ".dso, " s ".last_payment, " s ".altman_z, " \
	s ".adverse_events, " s ".utilization, " s ".relationship_months, " s ".policy, " \
	s ".limit_locked, " s ".credit_limit_before, " s ".recommended_limit, " \
	s ".credit_limit_after, " s ".pd"

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
	" THEN i.recommended_limit ELSE i.credit_limit END AS limit_after," \
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
	" recommended_limit = w.recommended_limit, credit_limit_after = w.limit_after, pd = w.pd" \
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
	" w.limit_after, w.previous_open_amount, w.previous_credit_limit, w.oldest_open_due," \
	" w.newest_due_over_90, w.previous_as_of, w.previous_scored_at, w.previous_avg_dbt," \
	" w.previous_dbt_stddev, w.last_event_recorded_at, d.invoice_ids, p.promises) AS x"

static const char write_statement_format[] =
	WRITE_UP_TO_UPDATED("pg_catalog.now()")
	WRITE_INSERTED_AND_HISTORY
	WRITE_RAISED
	"), alerted AS ("
	" INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message, detail, run_id)"
	" SELECT x.kind, x.customer_id, x.condition_key, COALESCE(x.severity, k.default_severity),"
	" x.message, x.detail, $2"
	" FROM raised AS x"
	" JOIN crisk.alert_kind AS k ON k.kind OPERATOR(pg_catalog.=) x.kind"
	" WHERE $5 IS NULL OR x.customer_id OPERATOR(pg_catalog.=) $5"
	" ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING"
	" RETURNING alert_id, kind, severity, raised_at"
	"), requeued AS ("
	" INSERT INTO crisk.rescore_queue (customer_id)"
	" SELECT h.customer_id FROM held AS h"
	" WHERE $5 IS NULL OR h.customer_id OPERATOR(pg_catalog.=) $5"
	" RETURNING 1"
	")"
	" SELECT (SELECT pg_catalog.count(*) FROM updated) OPERATOR(pg_catalog.+)"
	" (SELECT pg_catalog.count(*) FROM inserted),"
	" (SELECT pg_catalog.count(*) FROM held),"
	" (SELECT pg_catalog.count(*) FROM alerted),"
	" (SELECT pg_catalog.count(*) FROM recalibrated),"
	" ARRAY(SELECT pg_catalog.json_build_object('alert_id', n.alert_id, 'kind', n.kind,"
	" 'severity', n.severity, 'raised_at', n.raised_at)::pg_catalog.text"
	" FROM alerted AS n WHERE $5 IS NOT NULL ORDER BY n.alert_id)";

/*
 * On a store spread by crisk.distribute_store() the write runs once per
 * customer, and each statement must go whole to the customer's shard:
 * Citus sends a statement to one shard (its router planner) only when
 * every distributed table in it is narrowed to the same customer, and only
 * when its data-modifying CTEs are UPDATE or DELETE.  An INSERT in a CTE
 * makes it plan every CTE apart, as intermediate results shipped between
 * the nodes (a dozen round trips per customer).  So there the statement
 * above loses its INSERTs, and returns what they would insert:
 *
 *	distributed_write_format  locks, limits, the score's UPDATE and the
 *				alert rules, in one statement routed to the shard; it returns
 *				the counts, the limit and PD written, and one row per alert
 *				to raise (a single row with no alert when none)
 *
 * and the pass runs, for that customer and only when there is something
 * to insert, the statements below, each routed to the shard too: the
 * score of a customer scored for the first time, the history row (read
 * back from the score row just written, as the single statement takes it
 * from RETURNING), each alert, the requeue of a held customer.  Its $7 is
 * the pass's now(), which Citus would otherwise evaluate on the worker.
 */
static const char distributed_write_format[] =
	WRITE_UP_TO_UPDATED("$7")
	WRITE_RAISED
	")"
	" SELECT c.updated, c.held, c.recalibrated, c.decided, c.first, c.limit_after, c.pd,"
	" x.kind, x.condition_key, COALESCE(x.severity, k.default_severity) AS severity,"
	" x.message, x.detail, " WRITE_HISTORY_COLUMNS_OF("h")
	" FROM (SELECT (SELECT pg_catalog.count(*) FROM updated) AS updated,"
	" (SELECT pg_catalog.count(*) FROM held) AS held,"
	" (SELECT pg_catalog.count(*) FROM recalibrated) AS recalibrated,"
	" (SELECT pg_catalog.count(*) FROM updated AS u WHERE u.decided) AS decided,"
	" (SELECT pg_catalog.count(*) FROM written AS w WHERE w.previous_score IS NULL) AS first,"
	" (SELECT w.limit_after FROM written AS w) AS limit_after,"
	" (SELECT w.pd FROM written AS w) AS pd) AS c"
	" LEFT JOIN (SELECT u.* FROM updated AS u WHERE u.decided) AS h ON true"
	" LEFT JOIN (raised AS x JOIN crisk.alert_kind AS k ON k.kind OPERATOR(pg_catalog.=) x.kind)"
	" ON true";

/* The columns of distributed_write_format's result. */
enum
{
	DIST_UPDATED = 1,
	DIST_HELD,
	DIST_RECALIBRATED,
	DIST_DECIDED,
	DIST_FIRST,
	DIST_LIMIT_AFTER,
	DIST_PD,
	DIST_KIND,
	DIST_CONDITION_KEY,
	DIST_SEVERITY,
	DIST_MESSAGE,
	DIST_DETAIL,
	DIST_HISTORY				/* the history row's columns, when decided */
};

/*
 * The score of a customer scored for the first time: $1 the customer's
 * crisk.rescore_result, $2 the run, $3 as_of, $4 the limit after the
 * pass, $5 the PD, $6 the pass's now(), $7 the customer.
 */
#define RESULT_PROFILE(f) "((($1).item).profile)." f
static KeptStatement score_insert_statement = {
	.sql = "INSERT INTO crisk.score AS s (customer_id, as_of, scored_at, run_id, model, score,"
	" risk_class, " WRITE_SCORE_FIGURES ")"
	" VALUES ($7, $3, $6, $2, (($1).item).model, ($1).score, ($1).risk_class, ($1).reasons, "
	RESULT_PROFILE("invoices") ", " RESULT_PROFILE("open_invoices") ", "
	RESULT_PROFILE("billed") ", " RESULT_PROFILE("open_amount") ", "
	RESULT_PROFILE("overdue_amount") ", " RESULT_PROFILE("avg_days_beyond_terms") ", "
	RESULT_PROFILE("days_beyond_terms_stddev") ", " RESULT_PROFILE("late_share") ", "
	RESULT_PROFILE("max_days_late") ", " RESULT_PROFILE("dso") ", "
	RESULT_PROFILE("last_payment") ","
	" ($1).altman_z, (($1).item).adverse_events, ($1).utilization, ($1).relationship_months,"
	" (($1).item).policy, (($1).item).limit_locked, (($1).item).utilization_limit,"
	" ($1).recommended_limit, $4, $5)"
	WRITE_SCORE_CONFLICT
	" RETURNING " WRITE_HISTORY_COLUMNS_OF("s"),
	.nargs = 7
};

/*
 * A history row: the columns of WRITE_HISTORY_COLUMNS_OF, as the score's
 * UPDATE or INSERT returned them.
 */
#define HISTORY_COLUMNS 32
static KeptStatement history_insert_statement = {
	.sql = "INSERT INTO crisk.score_history (customer_id, as_of, scored_at, run_id, model, score,"
	" risk_class, previous_score, previous_risk_class, risk_class_since, " WRITE_SCORE_FIGURES ")"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
	" $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32)",
	.nargs = HISTORY_COLUMNS
};

/* An alert: kind, customer, condition key, severity, message, detail, run. */
static KeptStatement alert_insert_statement = {
	.sql = "INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message, detail, run_id)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7)"
	" ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING"
	" RETURNING alert_id, kind, severity, raised_at",
	.nargs = 7
};

/* A held customer, queued again. */
static KeptStatement requeue_statement = {
	.sql = "INSERT INTO crisk.rescore_queue (customer_id) VALUES ($1)",
	.nargs = 1
};

/*
 * A crisk 0.1.0 schema, before ALTER EXTENSION crisk UPDATE, has its own
 * PL/pgSQL writer for its own types: a worker running this library on it
 * keeps passing through it until the update drops it.
 */
static KeptStatement legacy_record_statement = {
	.sql = "SELECT scored, skipped, alerts, limit_changes, NULL::pg_catalog.text[]"
	" FROM crisk._rescore_record($1, $2, $3, $4)",
	.nargs = 4
};

/*
 * legacy_schema says whether the installed crisk schema is one that still
 * has crisk._rescore_record (0.1.0).
 */
static bool
legacy_schema(void)
{
	return FuncnameGetCandidates(list_make2(makeString("crisk"), makeString("_rescore_record")),
								 -1, NIL, false, false, false, true) != NULL;
}

/*
 * The write statement in its variants, by what the role may read: on one
 * node, and on a distributed store (distributed_write_format).
 */
#define WRITE_READS_FITTED 1
#define WRITE_READS_COLLECTIONS 2
static KeptStatement write_statements[4];
static KeptStatement distributed_write_statements[4];

/*
 * rescore_result_customer_id reads the customer id (first field) of a
 * crisk.rescore_result.
 */
char *
rescore_result_customer_id(Datum result)
{
	bool		isnull;
	Datum		id = GetAttributeByNum(DatumGetHeapTupleHeader(result), 1, &isnull);

	return isnull ? pstrdup("(unknown)") : TextDatumGetCString(id);
}

/*
 * may_read says whether the role running the pass may read the crisk
 * table relname; it warns otherwise, as the statement will go without it.
 */
static bool
may_read(const char *relname, const char *what, const char *detail)
{
	Oid			namespace = get_namespace_oid("crisk", false);
	Oid			relid = get_relname_relid(relname, namespace);

	if (OidIsValid(relid) &&
		pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) == ACLCHECK_OK)
		return true;
	ereport(WARNING,
			(errmsg("role %s cannot read %s", GetUserNameFromId(GetUserId(), false), what),
			 errdetail("%s", detail),
			 errhint("Run crisk.grant_worker_privileges for this role.")));
	return false;
}

/*
 * write_statement returns the write statement in the variant for what the
 * role may read, for one node or a distributed store, preparing it on
 * first use.
 */
static KeptStatement *
write_statement(bool distributed)
{
	int			variant = 0;
	KeptStatement *stmt;

	if (may_read("model_fit", "crisk.model_fit",
				 "Customers scored under fitted models get no probability of default."))
		variant |= WRITE_READS_FITTED;
	if (may_read("dispute", "crisk.dispute or crisk.promise",
				 "Disputed invoices may raise overdue_90 alerts and broken promises raise none.") &&
		may_read("promise", "crisk.dispute or crisk.promise",
				 "Disputed invoices may raise overdue_90 alerts and broken promises raise none."))
		variant |= WRITE_READS_COLLECTIONS;
	stmt = distributed ? &distributed_write_statements[variant] : &write_statements[variant];
	if (stmt->sql == NULL)
	{
		bool		collections = (variant & WRITE_READS_COLLECTIONS) != 0;

		stmt->sql = MemoryContextStrdup(TopMemoryContext,
										psprintf(distributed ? distributed_write_format :
												 write_statement_format,
												 (variant & WRITE_READS_FITTED) ?
												 WRITE_FITTED_READ : WRITE_FITTED_NONE,
												 collections ? WRITE_DISPUTED_READ : WRITE_DISPUTED_NONE,
												 collections ? WRITE_PROMISED_READ : WRITE_PROMISED_NONE));
		stmt->nargs = distributed ? 7 : 6;
	}
	return stmt;
}

/*
 * add_counts adds the counts of one run of the write statement to the
 * pass's, and notifies the alerts it raised when it returns them (on a
 * distributed store, where crisk.alert's trigger runs on the shards and
 * stays quiet: the pass notifies them on the node its caller is on).
 */
static void
add_counts(RescorePass *pass)
{
	HeapTuple	row = SPI_tuptable->vals[0];
	TupleDesc	desc = SPI_tuptable->tupdesc;
	bool		isnull;
	Datum		notices;

	pass->scored += DatumGetInt64(SPI_getbinval(row, desc, 1, &isnull));
	pass->skipped += DatumGetInt64(SPI_getbinval(row, desc, 2, &isnull));
	pass->alerts += DatumGetInt64(SPI_getbinval(row, desc, 3, &isnull));
	pass->limit_changes += DatumGetInt64(SPI_getbinval(row, desc, 4, &isnull));
	notices = SPI_getbinval(row, desc, 5, &isnull);
	if (!isnull)
	{
		ArrayIterator it = array_create_iterator(DatumGetArrayTypeP(notices), 0, NULL);
		Datum		notice;
		bool		notice_isnull;

		while (array_iterate(it, &notice, &notice_isnull))
			if (!notice_isnull)
				Async_Notify("crisk_alert", TextDatumGetCString(notice));
		array_free_iterator(it);
	}
	SPI_freetuptable(SPI_tuptable);
}

/*
 * notify_alert sends an alert a pass raised on a distributed store, on
 * channel crisk_alert, with the payload crisk.alert's trigger sends on one
 * node (the JSON object of json_build_object: id, kind, severity, time).
 */
static void
notify_alert(int64 alert_id, const char *kind, const char *severity, Datum raised_at)
{
	StringInfoData payload;
	char		buf[MAXDATELEN + 1];

	initStringInfo(&payload);
	appendStringInfo(&payload, "{\"alert_id\" : " INT64_FORMAT ", \"kind\" : ", alert_id);
	escape_json(&payload, kind);
	appendStringInfoString(&payload, ", \"severity\" : ");
	escape_json(&payload, severity);
	appendStringInfo(&payload, ", \"raised_at\" : \"%s\"}",
					 JsonEncodeDateTime(buf, raised_at, TIMESTAMPTZOID, NULL));
	Async_Notify("crisk_alert", payload.data);
	pfree(payload.data);
}

/*
 * count_of reads a count column of the distributed write statement's row.
 */
static int64
count_of(HeapTuple row, TupleDesc desc, int column)
{
	bool		isnull;
	Datum		value = SPI_getbinval(row, desc, column, &isnull);

	return isnull ? 0 : DatumGetInt64(value);
}

/*
 * insert_history writes a score history row, whose columns are those of
 * row from column first on (HISTORY_COLUMNS of them).
 */
static void
insert_history(RescorePass *pass, HeapTuple row, TupleDesc desc, int first)
{
	Oid			types[HISTORY_COLUMNS];
	Datum		values[HISTORY_COLUMNS];
	char		nulls[HISTORY_COLUMNS];
	int			i;

	for (i = 0; i < HISTORY_COLUMNS; i++)
	{
		bool		isnull;

		types[i] = SPI_gettypeid(desc, first + i);
		values[i] = SPI_getbinval(row, desc, first + i, &isnull);
		nulls[i] = isnull ? 'n' : ' ';
	}
	(void) rescore_execute(pass, rescore_kept_plan(&history_insert_statement, types),
						   values, nulls, 0);
}

/*
 * write_customer writes one customer's result on a distributed store: the
 * write statement planned for that customer (args, as rescore_write set
 * them), then the inserts it asks for, each a statement that Citus routes
 * to the customer's shard.
 */
static void
write_customer(RescorePass *pass, SPIPlanPtr plan, Datum *args, const char *nulls,
			   Datum result, Oid result_type)
{
	SPITupleTable *written;
	TupleDesc	desc;
	HeapTuple	row;
	int64		held;
	uint64		i;

	(void) rescore_execute(pass, plan, args, nulls, 0);
	written = SPI_tuptable;
	if (written == NULL || SPI_processed == 0)
		elog(ERROR, "the write statement returned no row");
	desc = written->tupdesc;
	row = written->vals[0];
	pass->scored += count_of(row, desc, DIST_UPDATED);
	held = count_of(row, desc, DIST_HELD);
	pass->skipped += held;
	pass->limit_changes += count_of(row, desc, DIST_RECALIBRATED);
	if (count_of(row, desc, DIST_DECIDED) > 0)
		insert_history(pass, row, desc, DIST_HISTORY);

	/* a customer scored for the first time: a new row, and its history */
	if (count_of(row, desc, DIST_FIRST) > 0)
	{
		Oid			types[7] = {result_type, INT8OID, DATEOID, NUMERICOID, FLOAT8OID,
		TIMESTAMPTZOID, TEXTOID};
		Datum		values[7];
		char		insert_nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
		bool		isnull;

		values[0] = result;
		values[1] = args[1];
		values[2] = args[2];
		values[3] = SPI_getbinval(row, desc, DIST_LIMIT_AFTER, &isnull);
		if (isnull)
			insert_nulls[3] = 'n';
		values[4] = SPI_getbinval(row, desc, DIST_PD, &isnull);
		if (isnull)
			insert_nulls[4] = 'n';
		values[5] = args[6];
		values[6] = args[4];
		(void) rescore_execute(pass, rescore_kept_plan(&score_insert_statement, types),
							   values, insert_nulls, 0);
		if (SPI_processed > 0)
		{
			SPITupleTable *inserted = SPI_tuptable;

			pass->scored += SPI_processed;
			insert_history(pass, inserted->vals[0], inserted->tupdesc, 1);
			SPI_freetuptable(inserted);
		}
	}

	/* the alerts to raise, one row each */
	for (i = 0; i < written->numvals; i++)
	{
		Oid			types[7] = {TEXTOID, TEXTOID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, INT8OID};
		Datum		values[7];
		char		alert_nulls[7] = {' ', ' ', ' ', ' ', ' ', ' ', ' '};
		bool		isnull;
		int			column;
		SPITupleTable *raised;
		uint64		j;

		values[0] = SPI_getbinval(written->vals[i], desc, DIST_KIND, &isnull);
		if (isnull)
			continue;
		values[1] = args[4];
		for (column = DIST_CONDITION_KEY; column <= DIST_DETAIL; column++)
		{
			int			arg = column - DIST_CONDITION_KEY + 2;

			values[arg] = SPI_getbinval(written->vals[i], desc, column, &isnull);
			if (isnull)
				alert_nulls[arg] = 'n';
		}
		values[6] = args[1];
		(void) rescore_execute(pass, rescore_kept_plan(&alert_insert_statement, types),
							   values, alert_nulls, 0);
		raised = SPI_tuptable;
		for (j = 0; raised != NULL && j < SPI_processed; j++)
		{
			HeapTuple	alert = raised->vals[j];
			bool		id_null;
			Datum		alert_id = SPI_getbinval(alert, raised->tupdesc, 1, &id_null);
			Datum		raised_at = SPI_getbinval(alert, raised->tupdesc, 4, &isnull);

			pass->alerts++;
			if (!id_null && !isnull)
				notify_alert(DatumGetInt64(alert_id),
							 SPI_getvalue(alert, raised->tupdesc, 2),
							 SPI_getvalue(alert, raised->tupdesc, 3),
							 raised_at);
		}
		if (raised != NULL)
			SPI_freetuptable(raised);
	}

	/* a customer whose account another session held: queued again */
	if (held > 0)
	{
		Oid			types[1] = {TEXTOID};

		(void) rescore_execute(pass, rescore_kept_plan(&requeue_statement, types),
							   &args[4], NULL, 0);
	}
	SPI_freetuptable(written);
}

/*
 * rescore_write runs the write statement on results[0..n): once for the
 * batch on one node; on a distributed store once per customer, planned
 * for that customer, since Citus locks rows and reads a customer's
 * ledger, events and alerts only in a statement that goes to one shard
 * (write_customer).
 */
void
rescore_write(RescorePass *pass, Datum *results, int n, Oid result_type)
{
	Oid			argtypes[7];
	Datum		args[7];
	char		nulls[7] = {' ', ' ', ' ', ' ', 'n', ' ', ' '};
	int16		typlen;
	bool		typbyval;
	char		typalign;
	SPIPlanPtr	plan;
	bool		distributed = crisk_store_distributed();
	bool		legacy = legacy_schema();

	get_typlenbyvalalign(result_type, &typlen, &typbyval, &typalign);
	argtypes[0] = get_array_type(result_type);
	argtypes[1] = INT8OID;
	argtypes[2] = DATEOID;
	argtypes[3] = BOOLOID;
	argtypes[4] = TEXTOID;
	argtypes[5] = INT4OID;
	argtypes[6] = TIMESTAMPTZOID;
	args[1] = Int64GetDatum(pass->run_id);
	args[2] = DateADTGetDatum(pass->as_of);
	/* a pass over every customer relies on dates; others look closer */
	args[3] = BoolGetDatum(!pass->full_scope);
	args[4] = (Datum) 0;
	args[5] = Int32GetDatum(crisk_alert_score_drop);
	args[6] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	if (legacy)
		plan = rescore_kept_plan(&legacy_record_statement, argtypes);
	else
		plan = rescore_kept_plan(write_statement(distributed), argtypes);

	rescore_queue_suspend();
	limit_audit_begin_run(pass->run_id);
	PG_TRY();
	{
		if (!distributed || legacy)
		{
			args[0] = PointerGetDatum(construct_array(results, n, result_type,
													  typlen, typbyval, typalign));
			(void) rescore_execute(pass, plan, args, nulls, 1);
			add_counts(pass);
		}
		else
		{
			int			i;

			nulls[4] = ' ';
			for (i = 0; i < n; i++)
			{
				args[0] = PointerGetDatum(construct_array(&results[i], 1, result_type,
														  typlen, typbyval, typalign));
				args[4] = CStringGetTextDatum(rescore_result_customer_id(results[i]));
				write_customer(pass, plan, args, nulls, results[i], result_type);
				CHECK_FOR_INTERRUPTS();
			}
		}
	}
	PG_FINALLY();
	{
		rescore_queue_resume();
		limit_audit_end_run();
	}
	PG_END_TRY();
}
