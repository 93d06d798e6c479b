/*-------------------------------------------------------------------------
 *
 * data_protection.c
 *	  Append-only history, retention and erasure: the trigger
 *	  crisk.append_only(), crisk.purge_history() and crisk.forget_customer().
 *
 * Scores, limit changes and erasures are audit records: nobody may edit
 * them, not even their owner by mistake, yet the law requires that they go
 * once no longer needed (retention) and that a customer's data can be
 * erased.  The two functions here are the only way rows leave those tables:
 * while they run they open a gate that the append-only trigger checks.  The
 * gate is a variable of this backend, closed again however the function
 * ends, so no SQL statement can open it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "argcheck.h"
#include "data_protection.h"
#include "guc.h"
#include "ledger_trust.h"
#include "safe_search_path.h"
#include "single_node.h"

PG_FUNCTION_INFO_V1(crisk_append_only);
PG_FUNCTION_INFO_V1(crisk_purge_history);
PG_FUNCTION_INFO_V1(crisk_forget_customer);

/* Greater than zero while purge_history or forget_customer runs. */
static int	erasure_depth = 0;

/*
 * crisk_append_only is a BEFORE UPDATE OR DELETE row trigger and a BEFORE
 * TRUNCATE statement trigger.  Updates and truncation are always refused;
 * deletions only when purge_history or forget_customer makes them.
 */
Datum
crisk_append_only(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	const char *relname;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.append_only() must be called as a trigger")));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.append_only() must be a BEFORE trigger")));

	relname = RelationGetRelationName(trigdata->tg_relation);
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) &&
		TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) &&
		(erasure_depth > 0 || crisk_erasure_in_progress))
		return PointerGetDatum(trigdata->tg_trigtuple);

	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("crisk.%s is append-only", relname),
				 errdetail("Its rows are records of what happened and are never updated.")));
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("crisk.%s is append-only", relname),
			 errdetail("Rows leave it only through crisk.purge_history() (retention) and crisk.forget_customer() (erasure)."),
			 errhint("Call one of those functions.")));
	PG_RETURN_NULL();			/* not reached */
}

/*
 * run_delete runs one DELETE through SPI with the given arguments and
 * returns the number of rows it removed.
 */
static uint64
run_delete(const char *sql, int nargs, Oid *argtypes, Datum *args)
{
	int			rc = SPI_execute_with_args(sql, nargs, argtypes, args, NULL,
										   false, 0);

	if (rc != SPI_OK_DELETE)
		elog(ERROR, "crisk: SPI_execute_with_args failed (%d) on: %s", rc, sql);
	return SPI_processed;
}

/*
 * crisk_purge_history implements crisk.purge_history(older_than interval):
 * it removes scores from crisk.score_history, limit changes from
 * crisk.limit_change (except each customer's latest by changed_at, which
 * explains the limit in force) and acknowledged alerts, all older than older_than, and
 * returns how many rows went.  The current score (crisk.score), open
 * alerts and the erasure log are kept.
 */
Datum
crisk_purge_history(PG_FUNCTION_ARGS)
{
	Interval   *older_than;
	Interval	zero;
	Datum		cutoff;
	Oid			argtypes[1] = {TIMESTAMPTZOID};
	volatile uint64 removed = 0;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("older_than must not be null"),
				 errhint("Give the retention period, for example interval '3 years'.")));
	older_than = PG_GETARG_INTERVAL_P(0);
	memset(&zero, 0, sizeof(zero));
	if (!DatumGetBool(DirectFunctionCall2(interval_gt,
										  IntervalPGetDatum(older_than),
										  IntervalPGetDatum(&zero))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("older_than must be a positive interval"),
				 errdetail("older_than is %s.",
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   IntervalPGetDatum(older_than))))));
	cutoff = TimestampTzGetDatum(crisk_time_before(GetCurrentTransactionStartTimestamp(),
												   older_than, "older_than"));

	erasure_depth++;
	PG_TRY();
	{
		int			nestlevel;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "crisk: SPI_connect failed");
		nestlevel = crisk_pin_search_path();
		removed += run_delete("DELETE FROM crisk.score_history h"
							  " WHERE h.scored_at OPERATOR(pg_catalog.<) $1",
							  1, argtypes, &cutoff);
		removed += run_delete("DELETE FROM crisk.limit_change c"
							  " WHERE c.changed_at OPERATOR(pg_catalog.<) $1"
							  " AND EXISTS (SELECT FROM crisk.limit_change n"
							  " WHERE n.customer_id OPERATOR(pg_catalog.=) c.customer_id"
							  " AND (n.changed_at OPERATOR(pg_catalog.>) c.changed_at"
							  " OR (n.changed_at OPERATOR(pg_catalog.=) c.changed_at"
							  " AND n.change_id OPERATOR(pg_catalog.>) c.change_id)))",
							  1, argtypes, &cutoff);
		removed += run_delete("DELETE FROM crisk.alert a"
							  " WHERE a.acknowledged_at OPERATOR(pg_catalog.<) $1",
							  1, argtypes, &cutoff);
		crisk_unpin_search_path(nestlevel);
		SPI_finish();
	}
	PG_FINALLY();
	{
		erasure_depth--;
	}
	PG_END_TRY();

	PG_RETURN_INT64((int64) removed);
}

/* The crisk tables that hold a customer_id column, crisk.account last. */
static const char *const customer_tables_sql =
"SELECT pg_catalog.format('%I.%I', n.nspname, c.relname)"
" FROM pg_catalog.pg_class c"
" JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
" JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid"
" WHERE n.nspname OPERATOR(pg_catalog.=) 'crisk'"
" AND c.relkind OPERATOR(pg_catalog.=) ANY ('{r,p}'::pg_catalog.\"char\"[])"
" AND NOT c.relispartition"
" AND a.attname OPERATOR(pg_catalog.=) 'customer_id'"
" AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
" ORDER BY c.relname OPERATOR(pg_catalog.=) 'account', c.relname";

/* Sweeps over the tables; see crisk_forget_customer. */
#define FORGET_MAX_SWEEPS 3

/*
 * set_erasure_on_workers sets crisk.erasure_in_progress for the rest of the
 * transaction, on this node and on the workers that the transaction
 * reaches (on a store spread by crisk.distribute_store() the customer's
 * rows are deleted on a worker, whose append-only guards cannot see
 * erasure_depth).  Citus passes a SET LOCAL on to the workers when
 * citus.propagate_set_commands is 'local' and the SET runs in a
 * multi-statement transaction, as which it takes a DO block.  Called
 * within SPI.  Turned off again with on = false before the function
 * returns: the rest of the caller's transaction is not an erasure (on an
 * error the transaction or savepoint rolls the settings back).
 */
static void
set_erasure_on_workers(bool on)
{
	static char propagate[16] = "none";
	char	   *sql;
	int			rc;

	if (on)
	{
		const char *current = GetConfigOption("citus.propagate_set_commands", true, false);

		/* Its values are none and local: kept to be put back afterwards. */
		strlcpy(propagate, current != NULL && strcmp(current, "local") == 0 ? "local" : "none",
				sizeof(propagate));
		sql = "DO $set$ BEGIN"
			" SET LOCAL citus.propagate_set_commands = 'local';"
			" SET LOCAL crisk.erasure_in_progress = on;"
			" END $set$";
	}
	else
		sql = psprintf("DO $set$ BEGIN"
					   " SET LOCAL crisk.erasure_in_progress = off;"
					   " SET LOCAL citus.propagate_set_commands = '%s';"
					   " END $set$", propagate);
	rc = SPI_execute(sql, false, 0);
	if (rc != SPI_OK_UTILITY)
		elog(ERROR, "crisk: setting crisk.erasure_in_progress failed (%d)", rc);
}

/*
 * crisk_forget_customer implements crisk.forget_customer(customer_id):
 * it deletes the customer's rows from every crisk table that has a
 * customer_id column (found in the catalog, so tables added later are
 * covered too), logs the erasure in crisk.erasure_log with the number of
 * rows per table and nothing that identifies the customer, and returns
 * those counts as jsonb.
 *
 * Deleting a customer's rows may fire other triggers that write about the
 * customer again (change tracking marking it dirty, for instance), so the
 * tables are swept until a sweep finds nothing, at most FORGET_MAX_SWEEPS
 * times.  An ERP table or view serving as the ledger is not crisk's to
 * change: its invoices are counted, reported with a warning and logged as
 * kept.
 */
Datum
crisk_forget_customer(PG_FUNCTION_ARGS)
{
	Datum		customer_id;
	Oid			text_type[1] = {TEXTOID};
	MemoryContext caller_context = CurrentMemoryContext;
	volatile Datum result = (Datum) 0;
	bool		distributed;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("customer_id must not be null")));
	customer_id = PG_GETARG_DATUM(0);
	distributed = crisk_store_distributed();
	if (!distributed)
		crisk_require_single_node("crisk.forget_customer");

	erasure_depth++;
	PG_TRY();
	{
		uint64		ntables;
		char	  **tables;
		int64	   *counts;
		Datum	   *names;
		Datum	   *count_datums;
		uint64		i;
		int			sweep;
		bool		isnull;
		char	   *source;
		int64		kept = 0;
		Datum		log_args[4];
		Oid			log_types[4] = {TEXTOID, INT8ARRAYOID, TEXTOID, INT8OID};
		char		log_nulls[4] = {' ', ' ', ' ', ' '};
		int			rc;
		int			nestlevel;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "crisk: SPI_connect failed");
		nestlevel = crisk_pin_search_path();
		if (distributed)
			set_erasure_on_workers(true);

		rc = SPI_execute(customer_tables_sql, true, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "crisk: listing the customer tables failed (%d)", rc);
		ntables = SPI_processed;
		tables = palloc(sizeof(char *) * ntables);
		counts = palloc0(sizeof(int64) * ntables);
		for (i = 0; i < ntables; i++)
			tables[i] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);

		for (sweep = 0; sweep < FORGET_MAX_SWEEPS; sweep++)
		{
			uint64		swept = 0;

			for (i = 0; i < ntables; i++)
			{
				char	   *sql = psprintf("DELETE FROM %s t WHERE t.customer_id"
										   " OPERATOR(pg_catalog.=) $1",
										   tables[i]);
				uint64		n = run_delete(sql, 1, text_type, &customer_id);

				counts[i] += (int64) n;
				swept += n;
				CHECK_FOR_INTERRUPTS();
			}
			if (swept == 0)
				break;
		}

		/* Invoices the ERP keeps in its own ledger source stay there. */
		rc = SPI_execute("SELECT s.source FROM crisk.ledger_source s", true, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "crisk: reading crisk.ledger_source failed (%d)", rc);
		source = SPI_processed > 0 ?
			SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : NULL;
		if (source != NULL)
		{
			ledger_source_check_owner(ledger_source_relid(SPI_getbinval(SPI_tuptable->vals[0],
																		SPI_tuptable->tupdesc,
																		1, &isnull),
														  SPI_gettypeid(SPI_tuptable->tupdesc, 1)));
			rc = SPI_execute_with_args("SELECT pg_catalog.count(*) FROM crisk.ledger l"
									   " WHERE l.customer_id OPERATOR(pg_catalog.=) $1",
									   1, text_type, &customer_id, NULL, true, 0);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "crisk: counting the ledger source's invoices failed (%d)", rc);
			kept = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1, &isnull));
			if (kept > 0)
				ereport(WARNING,
						(errmsg("%lld invoices of this customer remain in the ledger source %s",
								(long long) kept, source),
						 errdetail("crisk reads that table or view but does not own it."),
						 errhint("Erase them in the ERP.")));
		}
		else
			source = "crisk.invoice";

		/* Log the counts per table, and nothing that names the customer. */
		names = palloc(sizeof(Datum) * ntables);
		count_datums = palloc(sizeof(Datum) * ntables);
		for (i = 0; i < ntables; i++)
		{
			names[i] = CStringGetTextDatum(tables[i]);
			count_datums[i] = Int64GetDatum(counts[i]);
		}
		log_args[0] = PointerGetDatum(construct_array(names, (int) ntables, TEXTOID,
													  -1, false, TYPALIGN_INT));
		log_args[1] = PointerGetDatum(construct_array(count_datums, (int) ntables, INT8OID,
													  8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		log_args[2] = CStringGetTextDatum(source);
		log_args[3] = Int64GetDatum(kept);
		log_types[0] = TEXTARRAYOID;
		rc = SPI_execute_with_args("INSERT INTO crisk.erasure_log (rows_removed, ledger_source, ledger_rows_kept)"
								   " SELECT pg_catalog.jsonb_object_agg(t.name, t.n), $3, $4"
								   " FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2)) AS t(name, n)"
								   " RETURNING rows_removed",
								   4, log_types, log_args, log_nulls, false, 0);
		if (rc != SPI_OK_INSERT_RETURNING || SPI_processed != 1)
			elog(ERROR, "crisk: writing crisk.erasure_log failed (%d)", rc);
		/* Copy the result out of SPI's memory before SPI_finish frees it. */
		{
			Datum		logged = SPI_getbinval(SPI_tuptable->vals[0],
											   SPI_tuptable->tupdesc, 1, &isnull);
			MemoryContext spi_context = MemoryContextSwitchTo(caller_context);

			result = PointerGetDatum(PG_DETOAST_DATUM_COPY(logged));
			MemoryContextSwitchTo(spi_context);
		}
		if (distributed)
			set_erasure_on_workers(false);
		crisk_unpin_search_path(nestlevel);
		SPI_finish();
	}
	PG_FINALLY();
	{
		erasure_depth--;
	}
	PG_END_TRY();

	PG_RETURN_DATUM(result);
}
