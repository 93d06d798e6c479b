/*-------------------------------------------------------------------------
 *
 * rescore_write_distributed.c
 *	  The write step of a rescoring pass on a store spread by
 *	  crisk.distribute_store(): per customer, statements that Citus sends
 *	  whole to the customer's shard.
 *
 * rescore_write.c chooses between the batch's one statement (one node)
 * and rescore_write_customer, called for each customer of the batch.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "utils/datetime.h"
#include "utils/json.h"

#include "rescore_internal.h"
#include "rescore_write_sql.h"

/*
 * On a store spread by crisk.distribute_store() the write runs once per
 * customer, and each statement must go whole to the customer's shard:
 * Citus sends a statement to one shard (its router planner) only when
 * every distributed table in it is narrowed to the same customer, and only
 * when its data-modifying CTEs are UPDATE or DELETE.  An INSERT in a CTE
 * makes it plan every CTE apart, as intermediate results shipped between
 * the nodes (a dozen round trips per customer).  So there the statement
 * of rescore_write.c loses its INSERTs, and returns what they would insert:
 *
 *	rescore_distributed_write_format  locks, limits, the score's UPDATE
 *				and the alert rules, in one statement routed to the shard; it returns
 *				the counts, the limit and PD written, and one row per alert
 *				to raise (a single row with no alert when none)
 *
 * and the pass runs, for that customer and only when there is something
 * to insert, the statements below, each routed to the shard too: the
 * score of a customer scored for the first time, the history row (from
 * what the score's UPDATE or INSERT returned, as in the single
 * statement), each alert, the requeue of a held customer.  Its $7 is
 * the pass's now(), which Citus would otherwise evaluate on the worker.
 */
const char rescore_distributed_write_format[] =
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
	" (SELECT w.credit_limit_after FROM written AS w) AS limit_after,"
	" (SELECT w.pd FROM written AS w) AS pd) AS c"
	" LEFT JOIN (SELECT u.* FROM updated AS u WHERE u.decided) AS h ON true"
	" LEFT JOIN (raised AS x JOIN crisk.alert_kind AS k ON k.kind OPERATOR(pg_catalog.=) x.kind)"
	" ON true";

/* The columns of rescore_distributed_write_format's result. */
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
 * rescore_write_customer writes one customer's result on a distributed store: the
 * write statement planned for that customer (args, as rescore_write set
 * them), then the inserts it asks for, each a statement that Citus routes
 * to the customer's shard.
 */
void
rescore_write_customer(RescorePass *pass, SPIPlanPtr plan, Datum *args, const char *nulls,
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
