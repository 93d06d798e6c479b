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
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "limit_audit.h"
#include "rescore_internal.h"
#include "rescore_queue.h"
#include "rescore_write_sql.h"
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
 * (rescore_distributed_write_format, rescore_write_distributed.c), runs
 * once per customer, planned for that customer, so that Citus sends it
 * whole to the customer's shard.
 *
 * Two parts depend on what the role running the pass may read: the
 * calibration of fitted models (crisk.model_fit) and the disputes and
 * promises (crisk.dispute, crisk.promise).  A worker role given its
 * privileges before an upgrade brought those tables keeps scoring,
 * without them and with a warning: the statement is prepared in the
 * variant that reads only what the role may read.
 */
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
 * node, and on a distributed store (rescore_distributed_write_format).
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
										psprintf(distributed ? rescore_distributed_write_format :
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
 * rescore_write runs the write statement on results[0..n): once for the
 * batch on one node; on a distributed store once per customer, planned
 * for that customer, since Citus locks rows and reads a customer's
 * ledger, events and alerts only in a statement that goes to one shard
 * (rescore_write_customer, in rescore_write_distributed.c).
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
				rescore_write_customer(pass, plan, args, nulls, results[i], result_type);
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
