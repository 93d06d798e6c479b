/*-------------------------------------------------------------------------
 *
 * track_risk_class.c
 *	  The trigger that keeps the previous score and class of a customer on
 *	  crisk.score: crisk.track_risk_class().
 *
 * A full rescoring pass updates every row of crisk.score, so this trigger
 * runs once per customer and pass; written in C, it costs a fraction of a
 * microsecond where a PL/pgSQL trigger cost several (a row variable of
 * thirty columns built and taken apart, and the function's search_path
 * set and reset, on every row).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "argcheck.h"

PG_FUNCTION_INFO_V1(crisk_track_risk_class);

/* The score columns the trigger reads or writes, in this order. */
enum
{
	COL_SCORE,
	COL_RISK_CLASS,
	COL_SCORED_AT,
	COL_PREVIOUS_SCORE,
	COL_PREVIOUS_RISK_CLASS,
	COL_RISK_CLASS_SINCE,
	NUM_COLS
};

static const char *const column_names[NUM_COLS] = {
	"score", "risk_class", "scored_at", "previous_score",
	"previous_risk_class", "risk_class_since"
};

/*
 * classes_differ is risk_class IS DISTINCT FROM risk_class, with the
 * column's collation.
 */
static bool
classes_differ(Datum a, bool a_null, Datum b, bool b_null, Oid collation)
{
	if (a_null || b_null)
		return a_null != b_null;
	return !DatumGetBool(DirectFunctionCall2Coll(texteq, collation, a, b));
}

/*
 * crisk_track_risk_class is the BEFORE INSERT OR UPDATE row trigger on
 * crisk.score.
 *
 * On INSERT, risk_class_since defaults to scored_at; a restored row keeps
 * what it carries.  On UPDATE, previous_score is the replaced row's score;
 * when the class changes, previous_risk_class is the replaced class and
 * risk_class_since the new scored_at, otherwise both carry over from the
 * replaced row, whatever the UPDATE assigned.
 */
Datum
crisk_track_risk_class(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	newtuple;
	int			attnums[NUM_COLS];
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	int			repl_cols[3];
	Datum		repl_values[3];
	bool		repl_nulls[3];
	int			nrepl = 0;
	int			i;

	crisk_require_before_write_row_trigger(fcinfo, "crisk.track_risk_class()");

	desc = RelationGetDescr(trigdata->tg_relation);
	for (i = 0; i < NUM_COLS; i++)
	{
		attnums[i] = SPI_fnumber(desc, column_names[i]);
		if (attnums[i] <= 0)
			elog(ERROR, "crisk.track_risk_class: column \"%s\" not found",
				 column_names[i]);
	}

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		bool		since_null;

		newtuple = trigdata->tg_trigtuple;
		(void) heap_getattr(newtuple, attnums[COL_RISK_CLASS_SINCE], desc, &since_null);
		if (!since_null)
			return PointerGetDatum(newtuple);	/* a restored row */
		repl_cols[nrepl] = attnums[COL_RISK_CLASS_SINCE];
		repl_values[nrepl] = heap_getattr(newtuple, attnums[COL_SCORED_AT], desc,
										  &repl_nulls[nrepl]);
		nrepl++;
	}
	else
	{
		HeapTuple	oldtuple = trigdata->tg_trigtuple;
		Datum		old_values[NUM_COLS];
		bool		old_nulls[NUM_COLS];

		newtuple = trigdata->tg_newtuple;
		for (i = 0; i < NUM_COLS; i++)
		{
			values[i] = heap_getattr(newtuple, attnums[i], desc, &nulls[i]);
			old_values[i] = heap_getattr(oldtuple, attnums[i], desc, &old_nulls[i]);
		}
		repl_cols[nrepl] = attnums[COL_PREVIOUS_SCORE];
		repl_values[nrepl] = old_values[COL_SCORE];
		repl_nulls[nrepl] = old_nulls[COL_SCORE];
		nrepl++;
		if (classes_differ(values[COL_RISK_CLASS], nulls[COL_RISK_CLASS],
						   old_values[COL_RISK_CLASS], old_nulls[COL_RISK_CLASS],
						   TupleDescAttr(desc, attnums[COL_RISK_CLASS] - 1)->attcollation))
		{
			repl_cols[nrepl] = attnums[COL_PREVIOUS_RISK_CLASS];
			repl_values[nrepl] = old_values[COL_RISK_CLASS];
			repl_nulls[nrepl] = old_nulls[COL_RISK_CLASS];
			nrepl++;
			repl_cols[nrepl] = attnums[COL_RISK_CLASS_SINCE];
			repl_values[nrepl] = values[COL_SCORED_AT];
			repl_nulls[nrepl] = nulls[COL_SCORED_AT];
			nrepl++;
		}
		else
		{
			repl_cols[nrepl] = attnums[COL_PREVIOUS_RISK_CLASS];
			repl_values[nrepl] = old_values[COL_PREVIOUS_RISK_CLASS];
			repl_nulls[nrepl] = old_nulls[COL_PREVIOUS_RISK_CLASS];
			nrepl++;
			repl_cols[nrepl] = attnums[COL_RISK_CLASS_SINCE];
			repl_values[nrepl] = old_values[COL_RISK_CLASS_SINCE];
			repl_nulls[nrepl] = old_nulls[COL_RISK_CLASS_SINCE];
			nrepl++;
		}
	}
	return PointerGetDatum(heap_modify_tuple_by_cols(newtuple, desc, nrepl, repl_cols,
													 repl_values, repl_nulls));
}
