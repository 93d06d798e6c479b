/*-------------------------------------------------------------------------
 *
 * event_kind_guard.c
 *	  The trigger function crisk.event_kind_guard(), which lets users tune
 *	  the legal-event kinds crisk ships and add their own, and refuses
 *	  only what would lose a shipped kind: deleting it, renaming it, or
 *	  truncating the table.
 *
 * pg_dump saves every row of crisk.event_kind (the tunings included);
 * CREATE EXTENSION re-creates the shipped kinds before the dump's rows are
 * restored.  A restored row marked shipped whose kind exists is therefore
 * applied to that kind (an update) instead of being inserted, which would
 * fail on the primary key.  crisk's own scripts may change anything.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "store_guard.h"

PG_FUNCTION_INFO_V1(crisk_event_kind_guard);

/* The columns a restored shipped row carries over, in the UPDATE's order. */
static const char *const tuned_columns[] = {
	"description", "adverse", "order_decision", "order_window_days",
	"severity", "class_cap", "in_force_days"
};
#define NTUNED (sizeof(tuned_columns) / sizeof(tuned_columns[0]))

/* column_bool reads a boolean column, NULL as false. */
static bool
column_bool(HeapTuple tuple, TupleDesc desc, const char *column)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, SPI_fnumber(desc, column), desc, &isnull);

	return !isnull && DatumGetBool(value);
}

/* refuse_change raises the error for a change that would lose a shipped kind. */
static void
refuse_change(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_RESTRICT_VIOLATION),
			 errmsg("%s", what),
			 errdetail("The kinds shipped with crisk may be tuned (every column but kind and shipped), not deleted or renamed."),
			 errhint("Add a kind of your own with shipped = false, or set a shipped kind's severity to 0 and its class_cap, order_decision and in_force_days as needed.")));
}

/*
 * apply_to_shipped updates the shipped kind named by a row being inserted
 * with the row's parameters; false when no shipped kind has that name.
 */
static bool
apply_to_shipped(HeapTuple tuple, TupleDesc desc)
{
	Datum		values[NTUNED + 1];
	char		nulls[NTUNED + 1];
	Oid			types[NTUNED + 1];
	int			i;
	int			ret;
	bool		isnull;
	uint64		processed;

	values[0] = heap_getattr(tuple, SPI_fnumber(desc, "kind"), desc, &isnull);
	if (isnull)
		return false;
	nulls[0] = ' ';
	types[0] = TEXTOID;
	for (i = 0; i < (int) NTUNED; i++)
	{
		int			attnum = SPI_fnumber(desc, tuned_columns[i]);

		values[i + 1] = heap_getattr(tuple, attnum, desc, &isnull);
		nulls[i + 1] = isnull ? 'n' : ' ';
		types[i + 1] = SPI_gettypeid(desc, attnum);
	}
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "crisk.event_kind_guard: SPI_connect failed");
	ret = SPI_execute_with_args("UPDATE crisk.event_kind AS k"
								"   SET description = $2, adverse = $3, order_decision = $4,"
								"       order_window_days = $5, severity = $6, class_cap = $7,"
								"       in_force_days = $8"
								" WHERE k.kind OPERATOR(pg_catalog.=) $1 AND k.shipped",
								NTUNED + 1, types, values, nulls, false, 0);
	if (ret != SPI_OK_UPDATE)
		elog(ERROR, "crisk.event_kind_guard: update failed: %s", SPI_result_code_string(ret));
	processed = SPI_processed;
	SPI_finish();
	return processed > 0;
}

/*
 * crisk_event_kind_guard is a BEFORE INSERT OR UPDATE OR DELETE row trigger
 * and a BEFORE TRUNCATE statement trigger on crisk.event_kind.
 */
Datum
crisk_event_kind_guard(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerEvent event;
	TupleDesc	desc;
	HeapTuple	old_row;
	HeapTuple	new_row;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.event_kind_guard() must be called as a trigger")));
	event = trigdata->tg_event;
	if (!TRIGGER_FIRED_BEFORE(event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.event_kind_guard() must be a BEFORE trigger")));

	if (TRIGGER_FIRED_FOR_STATEMENT(event))
	{
		if (!crisk_script_running())
			refuse_change("crisk.event_kind cannot be truncated: it holds the kinds shipped with crisk");
		return PointerGetDatum(NULL);
	}

	desc = RelationGetDescr(trigdata->tg_relation);
	old_row = trigdata->tg_trigtuple;
	new_row = TRIGGER_FIRED_BY_UPDATE(event) ? trigdata->tg_newtuple : old_row;
	if (crisk_script_running())
		return PointerGetDatum(TRIGGER_FIRED_BY_DELETE(event) ? old_row : new_row);

	if (TRIGGER_FIRED_BY_DELETE(event))
	{
		if (column_bool(old_row, desc, "shipped"))
			refuse_change("event kinds shipped with crisk cannot be deleted");
		return PointerGetDatum(old_row);
	}
	if (TRIGGER_FIRED_BY_INSERT(event))
	{
		if (!column_bool(new_row, desc, "shipped"))
			return PointerGetDatum(new_row);
		/* A shipped kind's row inserted again: a restore, or a tuning. */
		if (apply_to_shipped(new_row, desc))
			return PointerGetDatum(NULL);
		refuse_change("only crisk ships event kinds marked shipped");
	}

	/* UPDATE: a shipped kind keeps its name and its mark. */
	if (column_bool(old_row, desc, "shipped"))
	{
		bool		old_null,
					new_null;
		Datum		old_kind = heap_getattr(old_row, SPI_fnumber(desc, "kind"), desc, &old_null);
		Datum		new_kind = heap_getattr(new_row, SPI_fnumber(desc, "kind"), desc, &new_null);

		if (new_null || strcmp(TextDatumGetCString(old_kind), TextDatumGetCString(new_kind)) != 0)
			refuse_change("event kinds shipped with crisk cannot be renamed");
		if (!column_bool(new_row, desc, "shipped"))
			refuse_change("event kinds shipped with crisk stay marked shipped");
	}
	else if (column_bool(new_row, desc, "shipped"))
		refuse_change("only crisk ships event kinds marked shipped");
	return PointerGetDatum(new_row);
}
