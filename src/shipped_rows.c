/*-------------------------------------------------------------------------
 *
 * shipped_rows.c
 *	  The trigger function crisk.shipped_rows_guard(), which keeps the rows
 *	  crisk ships (model "default" in crisk.scorecard, policy "default" in
 *	  crisk.limit_policy) as the extension installed them.
 *
 * Why: users' rows in these tables must survive pg_dump and restore, so
 * the tables are registered with pg_extension_config_dump and a filter that
 * leaves out the shipped rows (CREATE EXTENSION inserts those again when
 * the dump is restored; dumping them too would make the restore fail on
 * duplicate keys).  A change to a shipped row would therefore be lost
 * silently at the next restore, so it is refused; users copy the shipped
 * rows under a name of their own instead.  The extension's own scripts
 * (CREATE EXTENSION, ALTER EXTENSION UPDATE) may still revise them.
 *
 * crisk_script_running (store_guard.c) tells the extension's own scripts
 * apart.  Trigger arguments: the key column ('model' or 'policy') and the shipped
 * key value ('default').
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "store_guard.h"

PG_FUNCTION_INFO_V1(crisk_shipped_rows_guard);

/* is_shipped_row says whether the row's key column holds the shipped key. */
static bool
is_shipped_row(HeapTuple tuple, TupleDesc desc, int attnum, const char *shipped)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);
	text	   *key;

	if (isnull)
		return false;
	key = DatumGetTextPP(value);
	return VARSIZE_ANY_EXHDR(key) == strlen(shipped) &&
		memcmp(VARDATA_ANY(key), shipped, strlen(shipped)) == 0;
}

/*
 * crisk_shipped_rows_guard refuses INSERT, UPDATE and DELETE of rows whose
 * key is the shipped one (before or after the change), and TRUNCATE of the
 * table, which would remove the shipped rows too.
 */
Datum
crisk_shipped_rows_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	const char *column;
	const char *shipped;
	const char *relname;
	TupleDesc	desc;
	int			attnum;
	HeapTuple	result;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.shipped_rows_guard() must be called as a trigger")));
	event = trigdata->tg_event;
	if (trigdata->tg_trigger->tgnargs != 2 || !TRIGGER_FIRED_BEFORE(event))
		elog(ERROR, "crisk.shipped_rows_guard() must run BEFORE, with a column name and a key");
	column = trigdata->tg_trigger->tgargs[0];
	shipped = trigdata->tg_trigger->tgargs[1];
	relname = RelationGetRelationName(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_TRUNCATE(event))
	{
		if (!crisk_script_running())
			ereport(ERROR,
					(errcode(ERRCODE_RESTRICT_VIOLATION),
					 errmsg("crisk.%s cannot be truncated", relname),
					 errdetail("It holds %s \"%s\", which is shipped with crisk.",
							   column, shipped),
					 errhint("DELETE FROM crisk.%s WHERE %s <> '%s' removes every other row.",
							 relname, column, shipped)));
		return PointerGetDatum(NULL);
	}
	if (!TRIGGER_FIRED_FOR_ROW(event))
		elog(ERROR, "crisk.shipped_rows_guard() must run FOR EACH ROW or BEFORE TRUNCATE");

	desc = RelationGetDescr(trigdata->tg_relation);
	attnum = SPI_fnumber(desc, column);
	if (attnum <= 0)
		elog(ERROR, "table crisk.%s has no column %s", relname, column);

	if (TRIGGER_FIRED_BY_UPDATE(event))
		result = trigdata->tg_newtuple;
	else
		result = trigdata->tg_trigtuple;

	if (crisk_script_running())
		return PointerGetDatum(result);
	if (is_shipped_row(trigdata->tg_trigtuple, desc, attnum, shipped) ||
		(TRIGGER_FIRED_BY_UPDATE(event) &&
		 is_shipped_row(trigdata->tg_newtuple, desc, attnum, shipped)))
		ereport(ERROR,
				(errcode(ERRCODE_RESTRICT_VIOLATION),
				 errmsg("%s \"%s\" is shipped with crisk and cannot be changed",
						column, shipped),
				 errdetail("Its rows in crisk.%s belong to the extension: pg_dump leaves them out and an update of crisk may revise them, so a change would not last.",
						   relname),
				 errhint("Copy its rows under a %s name of your own, change the copy, and use that name.",
						 column)));
	return PointerGetDatum(result);
}
