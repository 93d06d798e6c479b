/*-------------------------------------------------------------------------
 *
 * store_guard.c
 *	  crisk.protect_shipped_rows(): the trigger that keeps users from
 *	  changing the rows crisk ships in its tables.
 *
 * Shipped rows (the legal-event and alert vocabularies, the default dunning
 * policy) are inserted by the install script, so CREATE EXTENSION re-creates
 * them and pg_dump does not save them.  A user's change to one would vanish
 * silently at the next dump and restore; refusing the change up front, with
 * a hint saying what to do instead, is the honest alternative.  Rows users
 * add themselves (shipped = false) are theirs and are dumped.
 *
 * The trigger's optional argument is the hint shown to the user.  The
 * error is SQLSTATE 23001 (restrict_violation), as for the shipped
 * scorecard and limit policy (shipped_rows.c, which guards rows by a key
 * value rather than by a flag or a whole table).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/rel.h"

#include "store_guard.h"

PG_FUNCTION_INFO_V1(crisk_protect_shipped_rows);

/*
 * crisk_script_running says whether crisk's own install or upgrade script is
 * running, the only time shipped rows may change.
 */
bool
crisk_script_running(void)
{
	return creating_extension &&
		CurrentExtensionObject == get_extension_oid("crisk", true);
}

/*
 * row_is_shipped reads the boolean column "shipped" of a row.
 */
static bool
row_is_shipped(HeapTuple tuple, TupleDesc desc, int attnum)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);

	return !isnull && DatumGetBool(value);
}

/*
 * refuse raises the error for a change to shipped rows.
 */
static void
refuse(TriggerData *trigdata, bool whole_table)
{
	Relation	rel = trigdata->tg_relation;
	const char *hint = trigdata->tg_trigger->tgnargs > 0 ?
		trigdata->tg_trigger->tgargs[0] : NULL;

	ereport(ERROR,
			(errcode(ERRCODE_RESTRICT_VIOLATION),
			 whole_table ?
			 errmsg("crisk.%s holds reference data shipped with crisk",
					RelationGetRelationName(rel)) :
			 errmsg("rows of crisk.%s shipped with crisk cannot be changed",
					RelationGetRelationName(rel)),
			 errdetail("CREATE EXTENSION creates these rows and pg_dump does not save them, so a change would be lost by a dump and restore."),
			 hint ? errhint("%s", hint) : 0));
}

/*
 * crisk_protect_shipped_rows is a BEFORE INSERT OR UPDATE OR DELETE row
 * trigger and a BEFORE TRUNCATE statement trigger.  On a table with a
 * boolean column "shipped", rows marked shipped may not be inserted,
 * changed or deleted; on a table without it, no row may.  TRUNCATE is
 * refused either way, since it would remove shipped rows.
 */
Datum
crisk_protect_shipped_rows(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	int			shipped_attnum;
	HeapTuple	result;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.protect_shipped_rows() must be called as a trigger")));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.protect_shipped_rows() must be a BEFORE trigger")));

	desc = RelationGetDescr(trigdata->tg_relation);
	shipped_attnum = SPI_fnumber(desc, "shipped");

	if (TRIGGER_FIRED_FOR_STATEMENT(trigdata->tg_event))
	{
		if (!crisk_script_running())
			refuse(trigdata, shipped_attnum <= 0);
		return PointerGetDatum(NULL);
	}

	result = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	if (crisk_script_running())
		return PointerGetDatum(result);
	if (shipped_attnum <= 0)
		refuse(trigdata, true);

	/* The old row must not be shipped, nor may the new one claim to be. */
	if (!TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) &&
		row_is_shipped(trigdata->tg_trigtuple, desc, shipped_attnum))
		refuse(trigdata, false);
	if (!TRIGGER_FIRED_BY_DELETE(trigdata->tg_event) &&
		row_is_shipped(result, desc, shipped_attnum))
		refuse(trigdata, false);
	return PointerGetDatum(result);
}
