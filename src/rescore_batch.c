/*-------------------------------------------------------------------------
 *
 * rescore_batch.c
 *	  One batch of a rescoring pass: compute the scores, write them, and
 *	  isolate the customers whose data makes either step fail.
 *
 * Compute: the credit core scores each customer of the batch, called in C
 * (rescore_compute.h).  For a full pass it starts from the figures of the
 * pass's single read of the ledger; otherwise one read-only statement
 * reads the ledger for the batch's customers (crisk._rescore_items,
 * through the per-customer index).  It runs in a subtransaction.  When it
 * fails with an error about the data (SQLSTATE class 22 or 23, a PL/pgSQL
 * RAISE, or 42704 for an unknown model or policy), the batch is split in
 * halves and each half retried, down to the single customer, who is
 * recorded in crisk.job_error and skipped.  One bad customer among n costs
 * about 2 log2(n) extra statements.  A read-only subtransaction gets no
 * transaction ID, so it takes no entry of the 64-entry subtransaction
 * cache, however many batches a manual crisk.rescore() runs in one
 * transaction.  Any other error (cancellation, timeout, missing table)
 * stops the batch: it is no customer's fault.
 *
 * Write: one statement writes scores, history, limits and alerts
 * (rescore_write.c; per customer on a distributed store,
 * rescore_write_distributed.c).  The worker runs it in a subtransaction
 * and splits it the same way on a data error.  crisk.rescore() writes
 * without one, so that a long manual pass does not fill the
 * subtransaction cache; a write error ends the call.
 *
 * Dirty markers: each batch takes a snapshot before it reads anything (a
 * full pass uses the snapshot of its ledger read).  A marker that snapshot
 * sees was made by a transaction whose changes the scores include, so it
 * may go; markers made later stay for the next pass.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timeout.h"
#include "utils/syscache.h"
#include "utils/inval.h"

#include "guc.h"
#include "rescore_compute.h"
#include "rescore_internal.h"
#include "single_node.h"

static KeptStatement snapshot_statement = {
	.sql = "SELECT pg_catalog.pg_current_snapshot()",
	.nargs = 0
};
static KeptStatement read_items_statement = {
	.sql = "SELECT i FROM crisk._rescore_items($1, $2) AS i",
	.nargs = 2
};
static KeptStatement forget_statement = {
	.sql = "DELETE FROM crisk.rescore_queue"
	" WHERE customer_id OPERATOR(pg_catalog.=) ANY ($1)"
	" AND pg_catalog.pg_visible_in_snapshot(queued_by, $2)",
	.nargs = 2
};
static KeptStatement error_statement = {
	.sql = "INSERT INTO crisk.job_error (run_id, customer_id, sqlstate, message, detail)"
	" VALUES ($1, $2, $3, $4, $5)",
	.nargs = 5
};

/*
 * rescore_execute runs a kept plan; in the worker it arms
 * crisk.statement_timeout around it (SPI does not, unlike a client
 * session's statements).
 */
int
rescore_execute(RescorePass *pass, SPIPlanPtr plan, Datum *values,
				const char *nulls, long count)
{
	int			rc;
	bool		armed = pass->in_worker && crisk_statement_timeout > 0;

	if (armed)
		enable_timeout_after(STATEMENT_TIMEOUT, crisk_statement_timeout);
	rc = SPI_execute_plan(plan, values, nulls, false, count);
	if (armed)
		disable_timeout(STATEMENT_TIMEOUT, false);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	return rc;
}

/*
 * rescore_disarm_statement_timeout stops the worker's statement timer
 * after an error cut a statement short.
 */
void
rescore_disarm_statement_timeout(RescorePass *pass)
{
	if (pass->in_worker)
		disable_timeout(STATEMENT_TIMEOUT, false);
}

/*
 * rescore_kept_plan returns the statement's plan, preparing it when its argument
 * types differ from last time (crisk's types get new OIDs when the
 * extension is dropped and created again).
 */
SPIPlanPtr
rescore_kept_plan(KeptStatement *stmt, const Oid *argtypes)
{
	SPIPlanPtr	plan;
	bool		custom = crisk_store_distributed();

	if (stmt->plan != NULL && stmt->custom == custom &&
		(stmt->nargs == 0 ||
		 memcmp(stmt->argtypes, argtypes, sizeof(Oid) * stmt->nargs) == 0))
		return stmt->plan;
	if (stmt->plan != NULL)
	{
		SPI_freeplan(stmt->plan);
		stmt->plan = NULL;
	}
	/*
	 * Generic plans: a custom plan for a batch's list of customer ids, an
	 * array constant of up to crisk.batch_size elements, takes longer to
	 * make than the generic one takes to run.  On a store spread by
	 * crisk.distribute_store() custom ones: Citus plans a statement on its
	 * tables with the values of its parameters, to route it to the
	 * customers' shards.
	 */
	plan = SPI_prepare_cursor(stmt->sql, stmt->nargs, (Oid *) argtypes,
							  custom ? CURSOR_OPT_CUSTOM_PLAN : CURSOR_OPT_GENERIC_PLAN);
	if (plan == NULL)
		elog(ERROR, "could not prepare \"%s\": %s", stmt->sql,
			 SPI_result_code_string(SPI_result));
	if (SPI_keepplan(plan) != 0)
		elog(ERROR, "could not keep the plan of \"%s\"", stmt->sql);
	if (stmt->nargs > 0)
		memcpy(stmt->argtypes, argtypes, sizeof(Oid) * stmt->nargs);
	stmt->custom = custom;
	stmt->plan = plan;
	return plan;
}

/*
 * rescore_is_data_error says whether an error is about one customer's data,
 * so that splitting the batch can find and skip that customer.
 */
bool
rescore_is_data_error(int sqlerrcode)
{
	switch (ERRCODE_TO_CATEGORY(sqlerrcode))
	{
		case ERRCODE_DATA_EXCEPTION:
		case ERRCODE_INTEGRITY_CONSTRAINT_VIOLATION:
		case ERRCODE_PLPGSQL_ERROR:
			return true;
		default:
			return sqlerrcode == ERRCODE_UNDEFINED_OBJECT;
	}
}

/*
 * text_array builds a text[] of customer ids.
 */
static ArrayType *
text_array(char **ids, int n)
{
	Datum	   *values = palloc(sizeof(Datum) * Max(n, 1));
	int			i;

	for (i = 0; i < n; i++)
		values[i] = CStringGetTextDatum(ids[i]);
	return construct_array(values, n, TEXTOID, -1, false, TYPALIGN_INT);
}

/*
 * rescore_record_error writes one failure to crisk.job_error: a customer
 * (customer_id given) or a whole batch (NULL).
 */
void
rescore_record_error(RescorePass *pass, const char *customer_id,
					 ErrorData *edata, const char *what)
{
	static const Oid argtypes[5] = {INT8OID, TEXTOID, TEXTOID, TEXTOID, TEXTOID};
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	char	   *message;

	message = what ? psprintf("%s: %s", what, edata->message) : pstrdup(edata->message);
	values[0] = Int64GetDatum(pass->run_id);
	if (customer_id != NULL)
		values[1] = CStringGetTextDatum(customer_id);
	else
		nulls[1] = 'n';
	values[2] = CStringGetTextDatum(unpack_sql_state(edata->sqlerrcode));
	values[3] = CStringGetTextDatum(message);
	if (edata->detail != NULL)
		values[4] = CStringGetTextDatum(edata->detail);
	else
		nulls[4] = 'n';
	(void) rescore_execute(pass, rescore_kept_plan(&error_statement, argtypes), values, nulls, 0);

	if (pass->first_error == NULL)
		pass->first_error = MemoryContextStrdup(pass->context,
												customer_id ?
												psprintf("customer %s: %s", customer_id, message) :
												message);
}

/*
 * forget_markers removes the dirty markers of the given customers that the
 * snapshot sees.
 */
static void
forget_markers(RescorePass *pass, char **ids, int n, Datum snapshot)
{
	static const Oid argtypes[2] = {TEXTARRAYOID, PG_SNAPSHOTOID};
	Datum		values[2];

	if (n == 0)
		return;
	values[0] = PointerGetDatum(text_array(ids, n));
	values[1] = snapshot;
	(void) rescore_execute(pass, rescore_kept_plan(&forget_statement, argtypes), values, NULL, 0);
}

/*
 * On a distributed store the dirty markers are rows of the customers'
 * shards, written by transactions of the worker nodes: their queued_by
 * means nothing to a snapshot of the coordinator.  There the pass reads the
 * markers before it reads the ledger, and then forgets exactly those rows
 * (customer and transaction, a marker key); a marker made later has
 * another transaction and stays for the next pass.
 */
#define MARKER_KEY "(customer_id OPERATOR(pg_catalog.||) '/'" \
	" OPERATOR(pg_catalog.||) queued_by::pg_catalog.text)"

/*
 * execute_with_args runs a one-off statement planned for its arguments'
 * values (as Citus wants them), with the worker's statement timeout armed
 * as rescore_execute arms it.
 */
static int
execute_with_args(RescorePass *pass, const char *sql, int nargs, Oid *argtypes,
				  Datum *values, bool read_only, long count)
{
	int			rc;
	bool		armed = pass->in_worker && crisk_statement_timeout > 0;

	if (armed)
		enable_timeout_after(STATEMENT_TIMEOUT, crisk_statement_timeout);
	rc = SPI_execute_with_args(sql, nargs, argtypes, values, NULL, read_only, count);
	if (armed)
		disable_timeout(STATEMENT_TIMEOUT, false);
	return rc;
}

/*
 * rescore_read_markers returns the keys of the dirty markers of the
 * customers ids (a text[]; every marker when (Datum) 0), as a text[]
 * allocated in context.
 */
Datum
rescore_read_markers(RescorePass *pass, Datum ids, MemoryContext context)
{
	Oid			argtypes[1] = {TEXTARRAYOID};
	Datum		values[1] = {ids};
	bool		isnull;
	Datum		keys;
	MemoryContext old;
	int			rc;

	rc = execute_with_args(pass, ids != (Datum) 0 ?
							   "SELECT COALESCE(pg_catalog.array_agg(" MARKER_KEY "), '{}')"
							   " FROM crisk.rescore_queue"
							   " WHERE customer_id OPERATOR(pg_catalog.=) ANY ($1)" :
							   "SELECT COALESCE(pg_catalog.array_agg(" MARKER_KEY "), '{}')"
							   " FROM crisk.rescore_queue",
							   ids != (Datum) 0 ? 1 : 0, argtypes, values, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not read crisk.rescore_queue: %s", SPI_result_code_string(rc));
	keys = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	old = MemoryContextSwitchTo(context);
	keys = datumCopy(keys, false, -1);
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
	return keys;
}

/*
 * rescore_forget_seen_markers removes the markers whose keys are in
 * markers (from rescore_read_markers), of the customers ids only unless
 * ids is (Datum) 0.
 */
void
rescore_forget_seen_markers(RescorePass *pass, Datum ids, Datum markers)
{
	Oid			argtypes[2] = {TEXTARRAYOID, TEXTARRAYOID};
	Datum		values[2] = {markers, ids};
	int			rc;

	if (ArrayGetNItems(ARR_NDIM(DatumGetArrayTypeP(markers)),
					   ARR_DIMS(DatumGetArrayTypeP(markers))) == 0)
		return;
	rc = execute_with_args(pass, ids != (Datum) 0 ?
							   "DELETE FROM crisk.rescore_queue"
							   " WHERE " MARKER_KEY " OPERATOR(pg_catalog.=) ANY ($1)"
							   " AND customer_id OPERATOR(pg_catalog.=) ANY ($2)" :
							   "DELETE FROM crisk.rescore_queue"
							   " WHERE " MARKER_KEY " OPERATOR(pg_catalog.=) ANY ($1)",
							   ids != (Datum) 0 ? 2 : 1, argtypes, values, false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "could not forget the dirty markers: %s", SPI_result_code_string(rc));
}

/*
 * take_snapshot returns the current snapshot as a pg_snapshot value,
 * allocated in the batch context.
 */
static Datum
take_snapshot(RescorePass *pass)
{
	bool		isnull;
	Datum		value;
	MemoryContext old;

	(void) rescore_execute(pass, rescore_kept_plan(&snapshot_statement, NULL), NULL, NULL, 1);
	value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	old = MemoryContextSwitchTo(pass->batch_context);
	value = datumCopy(value, false, -1);
	MemoryContextSwitchTo(old);
	SPI_freetuptable(SPI_tuptable);
	return value;
}

/*
 * note_failure records a customer that could not be scored; the pass goes
 * on with the others.
 */
static void
note_failure(RescorePass *pass, const char *customer_id, ErrorData *edata,
			 const char *what)
{
	rescore_record_error(pass, customer_id, edata, what);
	pass->errors++;
	/* The worker's log names the customer; a caller of rescore() has job_error. */
	if (pass->in_worker)
		ereport(LOG,
				(errmsg("crisk %s pass (run %lld): customer %s could not be scored: %s%s%s",
						rescore_kind_name(pass->kind), (long long) pass->run_id,
						customer_id, what ? what : "", what ? ": " : "",
						edata->message),
				 errdetail("SQLSTATE %s; the pass scores the other customers, see crisk.job_error.",
						   unpack_sql_state(edata->sqlerrcode))));
}

/*
 * read_batch_items returns the crisk.rescore_item of each customer of a
 * batch given by customer id: one statement reads the ledger for all of
 * them (crisk._rescore_items).  The items are copied into the current
 * memory context; *n is set to their number.
 */
static Datum *
read_batch_items(RescorePass *pass, WorkItem *items, int *n)
{
	Oid			argtypes[2] = {TEXTARRAYOID, DATEOID};
	Datum		args[2];
	char	  **ids = palloc(sizeof(char *) * Max(*n, 1));
	Datum	   *values;
	uint64		i;
	int			count = 0;

	for (i = 0; i < (uint64) *n; i++)
		ids[i] = items[i].customer_id;
	args[0] = PointerGetDatum(text_array(ids, *n));
	args[1] = DateADTGetDatum(pass->as_of);
	(void) rescore_execute(pass, rescore_kept_plan(&read_items_statement, argtypes), args, NULL, 0);
	values = palloc(sizeof(Datum) * Max(SPI_processed, 1));
	if (SPI_processed > 0)
		pass->item_record_type = SPI_gettypeid(SPI_tuptable->tupdesc, 1);
	for (i = 0; i < SPI_processed; i++)
	{
		bool		isnull;
		Datum		value = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);

		if (!isnull)
			values[count++] = datumCopy(value, false, -1);
	}
	SPI_freetuptable(SPI_tuptable);
	*n = count;
	return values;
}

/*
 * compute_state returns the pass's scoring step for items of item_type,
 * preparing it at the first batch.
 */
static ComputeState *
compute_state(RescorePass *pass, Oid item_type)
{
	if (pass->compute == NULL || pass->compute_item_type != item_type)
	{
		Oid			namespace = get_namespace_oid("crisk", false);
		Oid			result_type = GetSysCacheOid2(TYPENAMENSP, Anum_pg_type_oid,
												  CStringGetDatum("rescore_result"),
												  ObjectIdGetDatum(namespace));

		if (!OidIsValid(result_type))
			elog(ERROR, "type crisk.rescore_result does not exist");
		pass->compute = rescore_compute_begin(item_type, result_type, pass->context);
		pass->compute_item_type = item_type;
		pass->result_type = result_type;
	}
	return pass->compute;
}

/*
 * compute_scores scores items[0..n) through the credit core and returns
 * the array of their results (crisk.rescore_result[]) in the batch
 * context, or NULL when there is nothing to write.  A full pass's items
 * carry the figures of its one read of the ledger; otherwise one
 * statement reads them for the batch's customers.
 */
static ArrayType *
compute_scores(RescorePass *pass, WorkItem *items, int n)
{
	Datum	   *values;
	Oid			item_type;
	ComputeState *state;
	MemoryContext customer_context;
	Datum	   *results;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int			count = 0;
	int			i;

	if (pass->item_type == TEXTOID)
	{
		values = read_batch_items(pass, items, &n);
		item_type = pass->item_record_type;
	}
	else
	{
		values = palloc(sizeof(Datum) * n);
		for (i = 0; i < n; i++)
			values[i] = items[i].value;
		item_type = pass->item_type;
	}
	if (n == 0)
		return NULL;

	state = compute_state(pass, item_type);
	customer_context = rescore_compute_customer_context(state);
	results = MemoryContextAlloc(pass->batch_context, sizeof(Datum) * n);
	/* a change of model or policy committed since is seen by this batch */
	AcceptInvalidationMessages();
	for (i = 0; i < n; i++)
	{
		MemoryContext old = MemoryContextSwitchTo(customer_context);
		Datum		one = rescore_compute_item(state, values[i], pass->as_of);

		MemoryContextSwitchTo(pass->batch_context);
		results[count++] = datumCopy(one, false, -1);
		MemoryContextSwitchTo(old);
		MemoryContextReset(customer_context);
		CHECK_FOR_INTERRUPTS();
	}
	get_typlenbyvalalign(pass->result_type, &typlen, &typbyval, &typalign);
	{
		MemoryContext old = MemoryContextSwitchTo(pass->batch_context);
		ArrayType  *array = construct_array(results, count, pass->result_type,
											typlen, typbyval, typalign);

		MemoryContextSwitchTo(old);
		return array;
	}
}

/*
 * compute_isolated computes items[0..n) in a subtransaction, splitting on
 * data errors; each successful part's results are appended to *parts.
 */
static void
compute_isolated(RescorePass *pass, WorkItem *items, int n,
				 List **parts)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		ArrayType  *result = compute_scores(pass, items, n);

		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		if (result != NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(pass->batch_context);

			*parts = lappend(*parts, result);
			MemoryContextSwitchTo(old);
		}
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(pass->batch_context);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		rescore_disarm_statement_timeout(pass);
	}
	PG_END_TRY();

	if (edata == NULL)
		return;
	if (!rescore_is_data_error(edata->sqlerrcode))
		ReThrowError(edata);
	if (n == 1)
		note_failure(pass, items[0].customer_id, edata, NULL);
	else
	{
		compute_isolated(pass, items, n / 2, parts);
		compute_isolated(pass, items + n / 2, n - n / 2, parts);
	}
}

/*
 * write_isolated writes results[0..n) in a subtransaction, splitting on
 * data errors (worker only).
 */
static void
write_isolated(RescorePass *pass, Datum *results, int n, Oid result_type)
{
	MemoryContext oldcontext = CurrentMemoryContext;
	ResourceOwner oldowner = CurrentResourceOwner;
	ErrorData  *volatile edata = NULL;
	int64		saved[4] = {pass->scored, pass->skipped, pass->alerts, pass->limit_changes};

	BeginInternalSubTransaction(NULL);
	MemoryContextSwitchTo(oldcontext);
	PG_TRY();
	{
		rescore_write(pass, results, n, result_type);
		ReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(pass->batch_context);
		edata = CopyErrorData();
		FlushErrorState();
		RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(oldcontext);
		CurrentResourceOwner = oldowner;
		rescore_disarm_statement_timeout(pass);
	}
	PG_END_TRY();

	if (edata == NULL)
		return;
	pass->scored = saved[0];
	pass->skipped = saved[1];
	pass->alerts = saved[2];
	pass->limit_changes = saved[3];
	if (!rescore_is_data_error(edata->sqlerrcode))
		ReThrowError(edata);
	if (n == 1)
		note_failure(pass, rescore_result_customer_id(results[0]), edata,
					 "writing the score failed");
	else
	{
		write_isolated(pass, results, n / 2, result_type);
		write_isolated(pass, results + n / 2, n - n / 2, result_type);
	}
}

/*
 * rescore_batch scores items[0..n).  The queue rows of every customer of
 * the batch that the batch's snapshot sees go first: the customers scored
 * are done; those that failed are recorded (rescoring them every minute
 * would only repeat the error until their data changes); those that have
 * no account are not crisk's to score; and those whose rows another
 * session held are queued again by the write, after this delete.
 */
void
rescore_batch(RescorePass *pass, WorkItem *items, int nitems)
{
	List	   *parts = NIL;
	ListCell   *lc;
	Datum		snapshot;
	char	  **ids = palloc(sizeof(char *) * nitems);
	int			i;

	for (i = 0; i < nitems; i++)
		ids[i] = items[i].customer_id;
	if (crisk_store_distributed())
	{
		Datum		id_array = PointerGetDatum(text_array(ids, nitems));
		Datum		markers = pass->full_scope && pass->seen_markers != (Datum) 0 ?
			pass->seen_markers :
			rescore_read_markers(pass, id_array, pass->batch_context);

		compute_isolated(pass, items, nitems, &parts);
		rescore_forget_seen_markers(pass, id_array, markers);
	}
	else
	{
		snapshot = pass->full_scope ? pass->snapshot : take_snapshot(pass);
		compute_isolated(pass, items, nitems, &parts);
		forget_markers(pass, ids, nitems, snapshot);
	}

	foreach(lc, parts)
	{
		ArrayType  *part = (ArrayType *) lfirst(lc);
		Oid			result_type = ARR_ELEMTYPE(part);
		int16		typlen;
		bool		typbyval;
		char		typalign;
		Datum	   *results;
		int			n;

		get_typlenbyvalalign(result_type, &typlen, &typbyval, &typalign);
		deconstruct_array(part, result_type, typlen, typbyval, typalign,
						  &results, NULL, &n);
		if (n == 0)
			continue;
		if (pass->in_worker)
			write_isolated(pass, results, n, result_type);
		else
			rescore_write(pass, results, n, result_type);
	}
	pass->batches++;
}
