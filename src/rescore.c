/*-------------------------------------------------------------------------
 *
 * rescore.c
 *	  A rescoring pass: its lock, its record in crisk.job_run, the list of
 *	  customers it scores, and its transactions.  Used by the worker
 *	  (rescore_worker_pass) and by SQL (crisk.rescore()).
 *
 * Lock: a pass holds the advisory lock (1668442483, 1) of its database
 * (shown in pg_locks as classid 1668442483, objid 1, objsubid 2), taken
 * without waiting.  The worker takes it for the session, across its batch
 * transactions; crisk.rescore() for its transaction.  The worker skips its
 * turn when the lock is taken; crisk.rescore() raises 55P03.  Holding the
 * lock, a pass knows that any run still marked 'running' belongs to a
 * process that died, and marks it failed.
 *
 * Customers: a full pass (or crisk.rescore() without a list) reads the
 * whole ledger once, grouped by customer (crisk._rescore_worklist), and
 * keeps the figures in a tuplestore that spills to disk and survives the
 * worker's commits; its batches then cost no further ledger read.  An
 * incremental pass lists the customers marked dirty; crisk.rescore(list)
 * the given ones; their batches read the ledger for their customers only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/interrupt.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/plancache.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/wait_event.h"

#include "argcheck.h"
#include "guc.h"
#include "rescore_internal.h"
#include "safe_search_path.h"
#include "single_node.h"

#define PASS_LOCK_CLASSID		1668442483	/* "cris" in ASCII */
#define PASS_LOCK_OBJID			1
#define MAX_FAILED_BATCHES_IN_A_ROW 3
#define FETCH_SIZE				10000
/* customers per fetch of a worker's read, between which it may yield */
#define YIELDING_FETCH_SIZE		1000

PG_FUNCTION_INFO_V1(crisk_rescore);
PG_FUNCTION_INFO_V1(crisk_rescore_queued);

static void
pass_lock_tag(LOCKTAG *tag)
{
	SET_LOCKTAG_ADVISORY(*tag, MyDatabaseId, PASS_LOCK_CLASSID, PASS_LOCK_OBJID, 2);
}

/*
 * pass_lock_acquire takes the pass lock without waiting.
 */
static bool
pass_lock_acquire(bool session)
{
	LOCKTAG		tag;

	pass_lock_tag(&tag);
	return LockAcquire(&tag, ExclusiveLock, session, true) != LOCKACQUIRE_NOT_AVAIL;
}

static void
pass_lock_release_session(void)
{
	LOCKTAG		tag;

	pass_lock_tag(&tag);
	LockRelease(&tag, ExclusiveLock, true);
}

/*
 * run_sql executes a one-off statement with arguments.
 */
static void
run_sql(RescorePass *pass, const char *sql, int nargs, Oid *argtypes,
		Datum *values, const char *nulls)
{
	SPIPlanPtr	plan = SPI_prepare(sql, nargs, argtypes);

	if (plan == NULL)
		elog(ERROR, "could not prepare \"%s\": %s", sql, SPI_result_code_string(SPI_result));
	(void) rescore_execute(pass, plan, values, nulls, 0);
	SPI_freeplan(plan);
}

static RescorePass *
pass_create(RescoreKind kind, bool in_worker, DateADT as_of, MemoryContext parent)
{
	MemoryContext context = AllocSetContextCreate(parent, "crisk rescoring pass",
												  ALLOCSET_DEFAULT_SIZES);
	RescorePass *pass = MemoryContextAllocZero(context, sizeof(RescorePass));

	pass->kind = kind;
	pass->in_worker = in_worker;
	pass->as_of = as_of;
	pass->context = context;
	pass->batch_context = AllocSetContextCreate(context, "crisk rescoring batch",
												ALLOCSET_DEFAULT_SIZES);
	return pass;
}

/*
 * mark_interrupted_runs fails the runs left 'running' by a process that
 * died mid-pass (crash, termination, shutdown).  Only the holder of the
 * pass lock may call it: no live pass can exist then.
 */
static void
mark_interrupted_runs(RescorePass *pass)
{
	run_sql(pass,
			"UPDATE crisk.job_run SET status = 'failed',"
			" finished_at = pg_catalog.clock_timestamp(),"
			" message = 'interrupted: the process running this pass ended before it finished"
			" (server crash, termination or shutdown)'"
			" WHERE status OPERATOR(pg_catalog.=) 'running'",
			0, NULL, NULL, NULL);
}

/*
 * start_run records the pass in crisk.job_run.
 */
static void
start_run(RescorePass *pass)
{
	Oid			argtypes[3] = {TEXTOID, DATEOID, INT8OID};
	Datum		values[3];
	SPIPlanPtr	plan;
	bool		isnull;

	values[0] = CStringGetTextDatum(rescore_kind_name(pass->kind));
	values[1] = DateADTGetDatum(pass->as_of);
	values[2] = Int64GetDatum(pass->total);
	plan = SPI_prepare("INSERT INTO crisk.job_run (kind, as_of, customers_total)"
					   " VALUES ($1, $2, $3) RETURNING run_id", 3, argtypes);
	if (plan == NULL)
		elog(ERROR, "could not prepare the job_run insert");
	(void) rescore_execute(pass, plan, values, NULL, 1);
	pass->run_id = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1, &isnull));
	SPI_freeplan(plan);
}

/*
 * pass_message summarises what went wrong for crisk.job_run.message, or
 * returns NULL when nothing did.
 */
static char *
pass_message(RescorePass *pass)
{
	StringInfoData buf;

	initStringInfo(&buf);
	if (pass->errors > 0)
		appendStringInfo(&buf, "%lld %s could not be scored (see crisk.job_error); first error: %s",
						 (long long) pass->errors,
						 pass->errors == 1 ? "customer" : "customers",
						 pass->first_error ? pass->first_error : "unknown");
	if (pass->skipped > 0)
		appendStringInfo(&buf, "%s%lld %s skipped: other sessions held %s; queued again for the next pass",
						 buf.len > 0 ? "; " : "", (long long) pass->skipped,
						 pass->skipped == 1 ? "customer" : "customers",
						 pass->skipped == 1 ? "its account row" : "their account rows");
	if (pass->yielded >= 100000)
		appendStringInfo(&buf, "%swaited %.1f s in all for order checks to pause (crisk.worker_yield_to_order_checks)",
						 buf.len > 0 ? "; " : "", (double) pass->yielded / 1000000.0);
	return buf.len > 0 ? buf.data : NULL;
}

/*
 * update_run writes the pass's counters; with a status it also ends it.
 */
static void
update_run(RescorePass *pass, const char *status, const char *message)
{
	Oid			argtypes[10] = {INT8OID, TEXTOID, INT8OID, INT8OID, INT8OID,
	INT8OID, INT8OID, INT4OID, TEXTOID, INT8OID};
	Datum		values[10];
	char		nulls[10] = {' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' ', ' '};

	values[0] = Int64GetDatum(pass->run_id);
	if (status)
		values[1] = CStringGetTextDatum(status);
	else
		nulls[1] = 'n';
	values[2] = Int64GetDatum(pass->scored);
	values[3] = Int64GetDatum(pass->skipped);
	values[4] = Int64GetDatum(pass->errors);
	values[5] = Int64GetDatum(pass->alerts);
	values[6] = Int64GetDatum(pass->limit_changes);
	values[7] = Int32GetDatum(pass->batches);
	if (message)
		values[8] = CStringGetTextDatum(message);
	else
		nulls[8] = 'n';
	values[9] = Int64GetDatum(pass->total);
	run_sql(pass,
			"UPDATE crisk.job_run SET status = COALESCE($2, status),"
			" finished_at = CASE WHEN $2 IS NULL THEN NULL ELSE pg_catalog.clock_timestamp() END,"
			" customers_scored = $3, customers_skipped = $4, errors = $5,"
			" alerts_raised = $6, limit_changes = $7, batches = $8, message = $9,"
			" customers_total = $10"
			" WHERE run_id OPERATOR(pg_catalog.=) $1",
			10, argtypes, values, nulls);
}

/*
 * yield_to_order_checks runs the worker's hook that waits for order checks
 * to pause (in_read: between two fetches of the pass's read) and says
 * whether it waited.
 */
static bool
yield_to_order_checks(RescorePass *pass, bool in_read)
{
	int64		before = pass->yielded;

	pass->hooks->yield_to_order_checks(&pass->yielded, in_read);
	return pass->yielded != before;
}

/* report_reading shows in pg_stat_activity that the pass reads again */
static void
report_reading(RescorePass *pass)
{
	pgstat_report_activity(STATE_RUNNING,
						   psprintf("crisk %s pass: reading the customers to score",
									rescore_kind_name(pass->kind)));
}

/*
 * yield_within_read lets a worker's read of its customers wait for order
 * checks to pause between two fetches: the read of a full pass is one
 * statement of a second or more per hundred thousand customers, which the
 * waits before the read and before each batch cannot interrupt.  The
 * statement timeout does not count the wait (what was left of it is armed
 * again after); the read's snapshot and locks are held meanwhile, as
 * between any two fetches of a cursor.
 */
static void
yield_within_read(RescorePass *pass, bool armed)
{
	long		left_ms = 0;

	if (armed)
	{
		long		secs;
		int			usecs;

		TimestampDifference(GetCurrentTimestamp(),
							get_timeout_finish_time(STATEMENT_TIMEOUT), &secs, &usecs);
		left_ms = Max(secs * 1000 + usecs / 1000, 1);
		disable_timeout(STATEMENT_TIMEOUT, false);
	}
	if (yield_to_order_checks(pass, true))
		report_reading(pass);
	if (armed)
		enable_timeout_after(STATEMENT_TIMEOUT, (int) left_ms);
}

/*
 * load_items runs the query that lists the pass's customers and keeps its
 * first column in the pass's tuplestore.  For a full scope the query's
 * second column is the snapshot it read the ledger with.  A worker's pass
 * fetches the rows a thousand at a time and may yield to order checks in
 * between (yield_within_read).
 */
static void
load_items(RescorePass *pass, const char *sql, int nargs, Oid *argtypes,
		   Datum *values)
{
	Portal		portal;
	bool		armed = pass->in_worker && crisk_statement_timeout > 0;
	long		fetch_size = pass->hooks != NULL ? YIELDING_FETCH_SIZE : FETCH_SIZE;
	bool		first = true;
	MemoryContext old;
	ResourceOwner saved_owner;

	if (armed)
		enable_timeout_after(STATEMENT_TIMEOUT, crisk_statement_timeout);
	portal = SPI_cursor_open_with_args(NULL, sql, nargs, argtypes, values, NULL,
									   true, 0);
	for (;;)
	{
		uint64		i;
		TupleDesc	desc;

		if (!first && pass->hooks != NULL)
			yield_within_read(pass, armed);
		first = false;
		SPI_cursor_fetch(portal, true, fetch_size);
		if (SPI_processed == 0)
			break;
		desc = SPI_tuptable->tupdesc;
		old = MemoryContextSwitchTo(pass->context);
		/* A spilled list's temporary file must outlive a subtransaction. */
		saved_owner = CurrentResourceOwner;
		if (pass->items_owner != NULL)
			CurrentResourceOwner = pass->items_owner;
		if (pass->items == NULL)
		{
			TupleDesc	item_desc = CreateTemplateTupleDesc(1);

			pass->item_type = SPI_gettypeid(desc, 1);
			get_typlenbyvalalign(pass->item_type, &pass->item_typlen,
								 &pass->item_typbyval, &pass->item_typalign);
			TupleDescInitEntry(item_desc, 1, "item", pass->item_type, -1, 0);
			pass->items = tuplestore_begin_heap(false, pass->in_worker, work_mem);
			pass->item_slot = MakeSingleTupleTableSlot(item_desc, &TTSOpsMinimalTuple);
		}
		if (pass->full_scope && pass->snapshot == (Datum) 0)
		{
			bool		isnull;
			Datum		snap = SPI_getbinval(SPI_tuptable->vals[0], desc, 2, &isnull);

			pass->snapshot = datumCopy(snap, false, -1);
		}
		for (i = 0; i < SPI_processed; i++)
		{
			bool		isnull;
			Datum		value = SPI_getbinval(SPI_tuptable->vals[i], desc, 1, &isnull);

			if (isnull)
				continue;
			tuplestore_putvalues(pass->items, pass->item_slot->tts_tupleDescriptor,
								 &value, &isnull);
			pass->total++;
		}
		CurrentResourceOwner = saved_owner;
		MemoryContextSwitchTo(old);
		SPI_freetuptable(SPI_tuptable);
		CHECK_FOR_INTERRUPTS();
	}
	SPI_cursor_close(portal);
	if (armed)
		disable_timeout(STATEMENT_TIMEOUT, false);
}

/*
 * turn_off_planner_setting sets a boolean planner setting (enable_*) off in
 * the current GUC nesting level, which the caller ends with AtEOXact_GUC.
 */
static void
turn_off_planner_setting(const char *name)
{
	(void) set_config_option(name, "off", PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

/*
 * ledger_reads_in_customer_order says whether an index alone gives the
 * ledger's rows in customer order (crisk.invoice's index on customer_id
 * covers every column a pass reads; an ERP source may have one too): the
 * plan the planner makes for such a read when it may not sort is then an
 * index-only scan.
 */
static bool
ledger_reads_in_customer_order(void)
{
	int			nestlevel = NewGUCNestLevel();
	SPIPlanPtr	plan;
	CachedPlan *cplan;
	PlannedStmt *stmt;
	Plan	   *top;
	bool		ordered;

	turn_off_planner_setting("enable_sort");
	plan = SPI_prepare("SELECT l.customer_id, l.amount, l.issue_date, l.due_date, l.paid_date"
					   " FROM crisk.ledger AS l ORDER BY l.customer_id", 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the ledger's read in customer order: %s",
			 SPI_result_code_string(SPI_result));
	cplan = SPI_plan_get_cached_plan(plan);
	if (cplan == NULL || list_length(cplan->stmt_list) != 1)
		elog(ERROR, "could not plan the ledger's read in customer order");
	stmt = linitial_node(PlannedStmt, cplan->stmt_list);
	top = stmt->planTree;
	/* crisk.ledger checks its source once, in a Result above the scan */
	while (top != NULL && IsA(top, Result) && outerPlan(top) != NULL)
		top = outerPlan(top);
	ordered = top != NULL && IsA(top, IndexOnlyScan);
	ReleaseCachedPlan(cplan, NULL);
	SPI_freeplan(plan);
	AtEOXact_GUC(true, nestlevel);
	return ordered;
}

/*
 * current_snapshot returns pg_current_snapshot(), copied into the pass's
 * context.
 */
static Datum
current_snapshot(RescorePass *pass)
{
	bool		isnull;
	Datum		snapshot;
	MemoryContext old;

	if (SPI_execute("SELECT pg_catalog.pg_current_snapshot()", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the current snapshot");
	old = MemoryContextSwitchTo(pass->context);
	snapshot = datumCopy(SPI_getbinval(SPI_tuptable->vals[0],
									   SPI_tuptable->tupdesc, 1, &isnull),
						 false, -1);
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
	return snapshot;
}

/*
 * read_full_scope lists every customer with the figures of one grouped
 * read of the ledger, and the snapshot of that read.
 *
 * When an index gives the ledger in customer order, the read groups the
 * rows as they come (GroupAggregate) instead of hashing them: on ten
 * million invoices that costs less than the plain grouped sum the planner
 * would hash, and the groups come out in the order of the accounts and
 * scores they join.  The planner does not choose it by itself (its costs
 * assume index pages are read from disk), hence enable_hashagg = off for
 * the planning of this one query.
 */
static void
read_full_scope(RescorePass *pass)
{
	Oid			argtypes[1] = {DATEOID};
	Datum		values[1] = {DateADTGetDatum(pass->as_of)};
	int			nestlevel = NewGUCNestLevel();

	pass->full_scope = true;
	if (ledger_reads_in_customer_order())
	{
		ereport(DEBUG1,
				(errmsg_internal("crisk full pass groups the ledger in customer order")));
		turn_off_planner_setting("enable_hashagg");
	}
	load_items(pass,
			   "SELECT w, (SELECT pg_catalog.pg_current_snapshot())"
			   " FROM crisk._rescore_worklist($1) AS w",
			   1, argtypes, values);
	AtEOXact_GUC(true, nestlevel);
	if (pass->snapshot == (Datum) 0)
		pass->snapshot = current_snapshot(pass);
}

/*
 * forget_items drops the list of customers a failed read left half-built.
 * The caller is still inside the subtransaction that read it, whose
 * resource owner holds the list's temporary file.
 */
static void
forget_items(RescorePass *pass)
{
	if (pass->items != NULL)
		tuplestore_end(pass->items);
	if (pass->item_slot != NULL)
		ExecDropSingleTupleTableSlot(pass->item_slot);
	pass->items = NULL;
	pass->item_slot = NULL;
	pass->total = 0;
	pass->snapshot = (Datum) 0;
}

/*
 * load_full_scope lists every customer for a full pass.  The one grouped
 * read of the ledger (read_full_scope) runs in a subtransaction: when one
 * customer's data makes it fail (an amount in an ERP's ledger that crisk's
 * exact totals cannot hold, say), nothing says which customer it was.  The
 * pass then lists the customers with an account and reads the ledger batch
 * by batch, where a failing batch is split until the customer at fault is
 * found, recorded in crisk.job_error and skipped; the others are scored.
 * The subtransaction is read-only, so it takes no transaction ID; the
 * list's temporary file, should it spill, belongs to the transaction
 * around it (load_items), so that it survives the subtransaction's end.  Errors
 * that are no customer's fault (cancellation, a missing privilege) stop
 * the pass as before.
 */
static void
load_full_scope(RescorePass *pass)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	/* on a distributed store, the markers this read will settle */
	if (crisk_store_distributed())
		pass->seen_markers = rescore_read_markers(pass, (Datum) 0, pass->context);
	pass->items_owner = oldowner;
	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		read_full_scope(pass);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(pass->context);
		edata = CopyErrorData();
		FlushErrorState();
		forget_items(pass);
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		rescore_disarm_statement_timeout(pass);
	}
	PG_END_TRY();
	pass->items_owner = NULL;

	if (edata == NULL)
		return;
	if (!rescore_is_data_error(edata->sqlerrcode))
		ReThrowError(edata);
	ereport(pass->in_worker ? LOG : DEBUG1,
			(errmsg("crisk %s pass: the ledger could not be read for every customer at once: %s",
					rescore_kind_name(pass->kind), edata->message),
			 errdetail("The pass reads it batch by batch instead, to find the customers at fault and score the others.")));
	pass->full_scope = true;
	pass->snapshot = current_snapshot(pass);
	load_items(pass,
			   "SELECT a.customer_id FROM crisk.account AS a ORDER BY a.customer_id",
			   0, NULL, NULL);
}

/*
 * load_queue_scope lists the queued customers; when the queue asks for
 * everyone (crisk.request_rescore() without a list, TRUNCATE of a tracked
 * table) the pass becomes a full one.
 */
static void
load_queue_scope(RescorePass *pass)
{
	bool		isnull;

	if (SPI_execute("SELECT EXISTS (SELECT 1 FROM crisk.rescore_queue"
					" WHERE customer_id IS NULL)", true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read crisk.rescore_queue");
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
								   SPI_tuptable->tupdesc, 1, &isnull)))
	{
		pass->kind = RESCORE_FULL;
		load_full_scope(pass);
	}
	else
		load_items(pass,
				   "SELECT DISTINCT customer_id FROM crisk.rescore_queue"
				   " WHERE customer_id IS NOT NULL ORDER BY 1",
				   0, NULL, NULL);
}

/*
 * next_batch reads up to max customers from the pass's list into the
 * batch context.  It needs a transaction (a composite item's customer id
 * is read through the type cache).
 */
static int
next_batch(RescorePass *pass, WorkItem *items, int max)
{
	int			n = 0;

	if (pass->items == NULL)
		return 0;
	while (n < max &&
		   tuplestore_gettupleslot(pass->items, true, false, pass->item_slot))
	{
		bool		isnull;
		Datum		value = slot_getattr(pass->item_slot, 1, &isnull);

		items[n].value = datumCopy(value, pass->item_typbyval, pass->item_typlen);
		if (pass->item_type == TEXTOID)
			items[n].customer_id = TextDatumGetCString(items[n].value);
		else
		{
			Datum		id = GetAttributeByNum(DatumGetHeapTupleHeader(items[n].value),
											   1, &isnull);

			items[n].customer_id = isnull ? pstrdup("(unknown)") : TextDatumGetCString(id);
		}
		n++;
	}

	/*
	 * A tuple read back from a tuplestore that spilled to disk is allocated
	 * in the current (batch) context and owned by the slot: drop it now, or
	 * the slot would free it after the caller has reset that context.
	 */
	ExecClearTuple(pass->item_slot);
	return n;
}

/*
 * forget_all_seen_markers ends a full scope: every dirty marker its ledger
 * read saw is settled, including those of customers who no longer exist.
 */
static void
forget_all_seen_markers(RescorePass *pass)
{
	Oid			argtypes[1] = {PG_SNAPSHOTOID};
	Datum		values[1] = {pass->snapshot};

	if (pass->seen_markers != (Datum) 0)
	{
		rescore_forget_seen_markers(pass, (Datum) 0, pass->seen_markers);
		return;
	}
	run_sql(pass,
			"DELETE FROM crisk.rescore_queue"
			" WHERE pg_catalog.pg_visible_in_snapshot(queued_by, $1)",
			1, argtypes, values, NULL);
}

/*
 * report_progress shows the pass in pg_stat_activity.
 */
static void
report_progress(RescorePass *pass)
{
	char		activity[256];

	snprintf(activity, sizeof(activity),
			 "crisk %s pass (run %lld): %lld of %lld customers scored, %lld errors",
			 rescore_kind_name(pass->kind), (long long) pass->run_id,
			 (long long) pass->scored, (long long) pass->total,
			 (long long) pass->errors);
	pgstat_report_activity(STATE_RUNNING, activity);
}

/*
 * begin_transaction / end_transaction bracket one worker transaction with
 * an SPI connection, the pinned search_path (which the transaction's end
 * takes back) and an active snapshot.
 */
static void
begin_transaction(void)
{
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	(void) crisk_pin_search_path();
	PushActiveSnapshot(GetTransactionSnapshot());
}

static void
end_transaction(void)
{
	SPI_finish();
	PopActiveSnapshot();
	CommitTransactionCommand();
}

/*
 * copy_error takes the current error out of the error state into the
 * pass's context, logs it, and aborts the transaction.
 */
static ErrorData *
abort_with_error(RescorePass *pass)
{
	ErrorData  *edata;

	MemoryContextSwitchTo(pass->context);
	EmitErrorReport();
	edata = CopyErrorData();
	FlushErrorState();
	AbortCurrentTransaction();
	rescore_disarm_statement_timeout(pass);
	MemoryContextSwitchTo(pass->context);
	return edata;
}

/*
 * worker_batch_failed records a batch that failed for a reason other than
 * a customer's data (each customer of it counts as an error), in a new
 * transaction.
 */
static void
worker_batch_failed(RescorePass *pass, WorkItem *items, int n, ErrorData *edata)
{
	char	   *what = psprintf("batch of %d customers from %s to %s failed",
								n, items[0].customer_id, items[n - 1].customer_id);

	begin_transaction();
	pass->errors += n;
	rescore_record_error(pass, NULL, edata, what);
	update_run(pass, NULL, NULL);
	end_transaction();
}

/*
 * worker_batches scores the pass's customers, one transaction per batch.
 * A batch that fails for a reason other than a customer's data is
 * recorded and the pass goes on; after MAX_FAILED_BATCHES_IN_A_ROW such
 * failures, or on a cancellation, the pass stops with the error.
 */
static void
worker_batches(RescorePass *pass)
{
	volatile int failed_in_a_row = 0;

	for (;;)
	{
		int			batch_size;
		WorkItem   *items;
		volatile int n = 0;
		int64		saved[6];
		ErrorData  *volatile edata = NULL;

		CHECK_FOR_INTERRUPTS();
		pass->hooks->reload_if_pending();
		if (yield_to_order_checks(pass, false))
			report_progress(pass);
		batch_size = crisk_batch_size;
		MemoryContextReset(pass->batch_context);
		MemoryContextSwitchTo(pass->batch_context);
		items = palloc(sizeof(WorkItem) * batch_size);
		saved[0] = pass->scored;
		saved[1] = pass->skipped;
		saved[2] = pass->errors;
		saved[3] = pass->alerts;
		saved[4] = pass->limit_changes;
		saved[5] = pass->batches;

		PG_TRY();
		{
			begin_transaction();
			n = next_batch(pass, items, batch_size);
			if (n > 0)
			{
				rescore_batch(pass, items, n);
				update_run(pass, NULL, NULL);
				report_progress(pass);
			}
			end_transaction();
		}
		PG_CATCH();
		{
			edata = abort_with_error(pass);
		}
		PG_END_TRY();

		if (edata != NULL)
		{
			pass->scored = saved[0];
			pass->skipped = saved[1];
			pass->errors = saved[2];
			pass->alerts = saved[3];
			pass->limit_changes = saved[4];
			pass->batches = saved[5];
			if (n == 0 ||
				ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_OPERATOR_INTERVENTION ||
				++failed_in_a_row >= MAX_FAILED_BATCHES_IN_A_ROW)
				ReThrowError(edata);
			worker_batch_failed(pass, items, n, edata);
			continue;
		}
		failed_in_a_row = 0;
		if (n == 0)
			break;
		pass->hooks->pause_between_batches();
	}
}

/*
 * worker_pass_failed ends a pass that an error stopped, and records it in
 * crisk.job_run even when it stopped before it had a row there (while
 * listing its customers, say): every failed pass leaves a row saying why.
 */
static void
worker_pass_failed(RescorePass *pass, ErrorData *edata)
{
	char	   *so_far = pass_message(pass);
	char	   *message = so_far ? psprintf("%s (before that: %s)", edata->message, so_far) :
		edata->message;

	PG_TRY();
	{
		begin_transaction();
		if (pass->run_id == 0)
			start_run(pass);
		update_run(pass, "failed", message);
		end_transaction();
	}
	PG_CATCH();
	{
		/* e.g. crisk was dropped meanwhile: the log has the error */
		(void) abort_with_error(pass);
	}
	PG_END_TRY();
}

/*
 * rescore_worker_pass runs one pass for the worker, outside any
 * transaction, with the worker's hooks between batches.  kind is
 * RESCORE_FULL or RESCORE_INCREMENTAL; an
 * incremental pass becomes a full one when someone asked for everyone
 * (crisk.request_rescore() without a list, or TRUNCATE of a tracked table).
 */
PassResult
rescore_worker_pass(RescoreKind kind, const RescoreWorkerHooks *hooks)
{
	MemoryContext caller = CurrentMemoryContext;
	RescorePass *pass;
	volatile bool locked = false;
	volatile PassResult result = PASS_COMPLETED;
	ErrorData  *volatile edata = NULL;

	pass = pass_create(kind, true, InvalidOid, caller);
	pass->hooks = hooks;
	PG_TRY();
	{
		/* before its read too, which is one long statement */
		if (yield_to_order_checks(pass, false))
			report_reading(pass);
		begin_transaction();
		pass->as_of = GetSQLCurrentDate();
		if (!pass_lock_acquire(true))
			result = PASS_LOCKED;
		else
		{
			locked = true;
			mark_interrupted_runs(pass);
			/*
			 * A ledger crisk's readers cannot read on a Citus cluster
			 * fails the pass as a whole, as crisk.rescore() does, rather
			 * than every batch.
			 */
			crisk_check_readable_ledger();
			if (pass->kind == RESCORE_INCREMENTAL)
				load_queue_scope(pass);
			else
				load_full_scope(pass);
			if (pass->kind == RESCORE_INCREMENTAL && pass->total == 0)
				result = PASS_NOTHING_TO_DO;
			else
				start_run(pass);
		}
		end_transaction();

		if (result == PASS_COMPLETED)
		{
			worker_batches(pass);
			begin_transaction();
			report_progress(pass);
			if (pass->full_scope)
				forget_all_seen_markers(pass);
			update_run(pass, "succeeded", pass_message(pass));
			end_transaction();
			ereport(pass->errors > 0 || pass->kind == RESCORE_FULL ? LOG : DEBUG1,
					(errmsg("crisk %s pass (run %lld) scored %lld of %lld customers: %lld errors, %lld alerts, %lld limit changes",
							rescore_kind_name(pass->kind), (long long) pass->run_id,
							(long long) pass->scored, (long long) pass->total,
							(long long) pass->errors, (long long) pass->alerts,
							(long long) pass->limit_changes),
					 pass->errors > 0 ? errdetail("%s", pass_message(pass)) : 0));
		}
	}
	PG_CATCH();
	{
		edata = abort_with_error(pass);
	}
	PG_END_TRY();

	if (edata != NULL)
	{
		worker_pass_failed(pass, edata);
		result = PASS_FAILED;
	}
	if (locked)
		pass_lock_release_session();
	if (pass->items != NULL)
		tuplestore_end(pass->items);
	MemoryContextSwitchTo(caller);
	MemoryContextDelete(pass->context);
	pgstat_report_activity(STATE_IDLE, NULL);
	return result;
}

/*
 * raise_pass_running explains why crisk.rescore() cannot run now.
 */
static void
raise_pass_running(void)
{
	int			holder = 0;
	bool		isnull;
	Oid			argtypes[3] = {OIDOID, OIDOID, OIDOID};
	Datum		values[3];

	/* parameters of the columns' own types: no cast, no choice of operator */
	values[0] = ObjectIdGetDatum(PASS_LOCK_CLASSID);
	values[1] = ObjectIdGetDatum(PASS_LOCK_OBJID);
	values[2] = ObjectIdGetDatum(MyDatabaseId);
	if (SPI_execute_with_args("SELECT l.pid FROM pg_catalog.pg_locks l"
							  " WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory'::pg_catalog.text"
							  " AND l.classid OPERATOR(pg_catalog.=) $1"
							  " AND l.objid OPERATOR(pg_catalog.=) $2"
							  " AND l.objsubid OPERATOR(pg_catalog.=) '2'::pg_catalog.int2"
							  " AND l.granted AND l.database OPERATOR(pg_catalog.=) $3 LIMIT 1",
							  3, argtypes, values, NULL, true, 1) == SPI_OK_SELECT &&
		SPI_processed == 1)
		holder = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull));
	ereport(ERROR,
			(errcode(ERRCODE_LOCK_NOT_AVAILABLE),
			 errmsg("another rescoring pass is running in this database"),
			 holder != 0 ?
			 errdetail("Process %d holds the rescoring lock (see pg_stat_activity and crisk.job_run).", holder) :
			 errdetail("Another process holds the rescoring lock."),
			 errhint("Call crisk.rescore again when that pass has finished.")));
}

/*
 * manual_pass runs a pass in the caller's transaction: every customer
 * (ids NULL, queue false), the given ones, or the queued ones (queue true).
 * It returns the number of customers scored.
 */
static int64
manual_pass(ArrayType *ids, bool queue, DateADT as_of)
{
	MemoryContext caller = CurrentMemoryContext;
	RescorePass *pass;
	WorkItem   *items;
	int			n;
	int64		scored;
	int			nestlevel;

	crisk_require_as_of_in_range(as_of, "as_of");
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	nestlevel = crisk_pin_search_path();
	pass = pass_create(queue ? RESCORE_INCREMENTAL : RESCORE_MANUAL, false, as_of, caller);
	if (!pass_lock_acquire(false))
		raise_pass_running();
	mark_interrupted_runs(pass);
	if (queue)
		load_queue_scope(pass);
	else if (ids == NULL)
		load_full_scope(pass);
	else
	{
		Oid			argtypes[1] = {TEXTARRAYOID};
		Datum		values[1] = {PointerGetDatum(ids)};

		load_items(pass, "SELECT DISTINCT u FROM pg_catalog.unnest($1) AS u ORDER BY 1",
				   1, argtypes, values);
	}

	if (pass->total > 0 || pass->kind != RESCORE_INCREMENTAL)
	{
		start_run(pass);
		for (;;)
		{
			CHECK_FOR_INTERRUPTS();
			MemoryContextReset(pass->batch_context);
			MemoryContextSwitchTo(pass->batch_context);
			items = palloc(sizeof(WorkItem) * crisk_batch_size);
			n = next_batch(pass, items, crisk_batch_size);
			if (n == 0)
				break;
			rescore_batch(pass, items, n);
		}
		MemoryContextSwitchTo(pass->context);
		if (pass->full_scope)
			forget_all_seen_markers(pass);
		update_run(pass, "succeeded", pass_message(pass));
	}
	scored = pass->scored;

	crisk_unpin_search_path(nestlevel);
	SPI_finish();
	MemoryContextSwitchTo(caller);
	if (pass->items != NULL)
		tuplestore_end(pass->items);
	MemoryContextDelete(pass->context);
	return scored;
}

/*
 * require_as_of rejects a NULL as_of argument.
 */
static DateADT
require_as_of(FunctionCallInfo fcinfo, int argno)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("as_of must not be NULL"),
				 errdetail("Scores are computed as of a date.")));
	return PG_GETARG_DATEADT(argno);
}

/*
 * crisk_rescore is crisk.rescore(customer_ids text[], as_of date): one
 * pass, every batch in the caller's transaction, returning the number of
 * customers scored.
 */
Datum
crisk_rescore(PG_FUNCTION_ARGS)
{
	ArrayType  *ids = PG_ARGISNULL(0) ? NULL : PG_GETARG_ARRAYTYPE_P(0);
	DateADT		as_of = require_as_of(fcinfo, 1);

	crisk_check_readable_ledger();
	if (ids != NULL)
	{
		if (ARR_NDIM(ids) > 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("customer_ids must be a one-dimensional array")));
		if (array_contains_nulls(ids))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("customer_ids must not contain NULL"),
					 errhint("Pass NULL instead of the list to rescore every customer.")));
		if (ArrayGetNItems(ARR_NDIM(ids), ARR_DIMS(ids)) == 0)
			PG_RETURN_INT64(0);
	}
	PG_RETURN_INT64(manual_pass(ids, false, as_of));
}

/*
 * crisk_rescore_queued is crisk.rescore_queued(as_of date): the worker's
 * incremental pass, run by hand or from pg_cron, in the caller's
 * transaction.
 */
Datum
crisk_rescore_queued(PG_FUNCTION_ARGS)
{
	DateADT		as_of = require_as_of(fcinfo, 0);

	crisk_check_readable_ledger();
	PG_RETURN_INT64(manual_pass(NULL, true, as_of));
}
