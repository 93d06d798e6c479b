/*-------------------------------------------------------------------------
 *
 * rescore_ledger.c
 *	  The internal aggregate crisk._rescore_ledger(amount, issue_date,
 *	  due_date, paid_date, as_of): everything a rescoring pass reads from a
 *	  customer's ledger, in one transition per invoice.
 *
 * A pass needs, besides the payment profile, the first issue date, the
 * sales of the last twelve months and two due dates of open invoices.  As
 * five aggregates (four of them with FILTER clauses that subtract an
 * interval from as_of on every row), these cost a pass over ten million
 * invoices more than the profile itself; here they are a few comparisons.
 *
 * The figures, over invoices issued by as_of:
 *	  profile             crisk.payment_profile of the same rows
 *	  first_issue_date    the earliest issue date
 *	  sales_12_months     sum of amounts issued after as_of - 1 year
 *	                      (NULL when none)
 *	  oldest_open_due     the earliest due date of an invoice open at as_of
 *	  newest_due_over_90  the latest due date of an invoice open at as_of
 *	                      and due before as_of - 90 days
 * Both due dates concern debit items only (amount > 0): a credit note is
 * not overdue, and raises no overdue or payment-pattern alert.
 * A NULL amount leaves an invoice out of the profile and the sales only;
 * a NULL issue date or as_of leaves it out altogether.
 *
 * The state is `internal` and has no combine function: the pass runs the
 * aggregate in one process.  It is parallel safe all the same (any single
 * process may run it whole), and so labelled.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/typcache.h"

#include "agg_state.h"
#include "argcheck.h"
#include "credit_core.h"
#include "payment_profile.h"

PG_FUNCTION_INFO_V1(crisk_rescore_ledger_transition);
PG_FUNCTION_INFO_V1(crisk_rescore_ledger_final);

/* Fields of crisk.rescore_ledger. */
#define LEDGER_FIELDS 5

typedef struct LedgerState
{
	DateADT		as_of;
	DateADT		sales_after;	/* issued after this date: last 12 months */
	bool		has_profile;	/* a row was not left out of the profile */
	ProfileState profile;
	DateADT		first_issue_date;	/* DATEVAL_NOEND: nothing issued by as_of */
	bool		has_sales;
	int16		sales_scale;
	int16		sales_dscale;
	ExactSum	sales;
	bool		has_open_due;
	DateADT		oldest_open_due;
	bool		has_due_over_90;
	DateADT		newest_due_over_90;
} LedgerState;

/* The result descriptors, kept for the life of the call site. */
typedef struct LedgerDescs
{
	TupleDesc	ledger;
	TupleDesc	profile;
} LedgerDescs;

/*
 * ledger_state_create starts the state of a group in the aggregate's
 * context.
 */
static LedgerState *
ledger_state_create(FunctionCallInfo fcinfo, DateADT as_of)
{
	MemoryContext aggcontext;
	LedgerState *state;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		elog(ERROR, "crisk._rescore_ledger called in non-aggregate context");
	crisk_require_finite_date(as_of, "as_of");
	state = MemoryContextAllocZero(aggcontext, sizeof(LedgerState));
	SET_VARSIZE(&state->profile, sizeof(ProfileState));
	state->as_of = as_of;
	state->profile.as_of = as_of;
	state->sales_after = sales_window_start(as_of);
	state->first_issue_date = DATEVAL_NOEND;
	return state;
}

/*
 * add_sale adds an amount to the sales of the last twelve months.
 */
static void
add_sale(LedgerState *state, ExactAmount amount)
{
	if (amount.scale != state->sales_scale || amount.dscale > state->sales_dscale)
		exact_align(&state->sales_scale, &state->sales_dscale,
					&state->sales, 1, &amount, "amount");
	exact_sum_add_int128(&state->sales, amount.units, "amount");
	state->has_sales = true;
}

/*
 * crisk_rescore_ledger_transition is the transition function of
 * crisk._rescore_ledger(amount, issue_date, due_date, paid_date, as_of).
 */
Datum
crisk_rescore_ledger_transition(PG_FUNCTION_ARGS)
{
	LedgerState *state = PG_ARGISNULL(0) ? NULL : (LedgerState *) PG_GETARG_POINTER(0);
	DateADT		as_of;
	DateADT		issue_date;
	ProfileRow	row;
	bool		debit = false;

	if (PG_ARGISNULL(2) || PG_ARGISNULL(5))
		AGG_RETURN_STATE_UNCHANGED();
	issue_date = PG_GETARG_DATEADT(2);
	as_of = PG_GETARG_DATEADT(5);
	if (state == NULL)
		state = ledger_state_create(fcinfo, as_of);
	else if (unlikely(state->as_of != as_of))
		agg_state_as_of_mismatch(as_of, state->as_of);
	if (issue_date > as_of)
		PG_RETURN_POINTER(state);

	if (profile_read_row(fcinfo, &row))
	{
		profile_add(&state->profile, &row);
		state->has_profile = true;
		debit = row.amount.units > 0;
		if (issue_date > state->sales_after)
			add_sale(state, row.amount);
	}
	else if (!PG_ARGISNULL(1) && issue_date > state->sales_after)
	{
		/* due_date is NULL: no profile, but the sales count the amount */
		ExactAmount amount;

		exact_amount_from_numeric(PG_GETARG_DATUM(1), "amount", &amount);
		add_sale(state, amount);
	}

	if (issue_date < state->first_issue_date)
		state->first_issue_date = issue_date;
	if (debit && !PG_ARGISNULL(3) && (PG_ARGISNULL(4) || PG_GETARG_DATEADT(4) > as_of))
	{
		DateADT		due_date = PG_GETARG_DATEADT(3);

		if (!state->has_open_due || due_date < state->oldest_open_due)
			state->oldest_open_due = due_date;
		state->has_open_due = true;
		if ((int64) due_date < (int64) as_of - OVERDUE_ALERT_DAYS &&
			(!state->has_due_over_90 || due_date > state->newest_due_over_90))
		{
			state->newest_due_over_90 = due_date;
			state->has_due_over_90 = true;
		}
	}
	PG_RETURN_POINTER(state);
}

/*
 * ledger_descs returns the blessed descriptors of crisk.rescore_ledger and
 * of its profile field, looked up on the first call.
 */
static LedgerDescs *
ledger_descs(FunctionCallInfo fcinfo)
{
	LedgerDescs *descs = (LedgerDescs *) fcinfo->flinfo->fn_extra;
	TupleDesc	tupdesc;
	MemoryContext old;

	if (descs != NULL)
		return descs;
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "crisk._rescore_ledger: return type must be a row type");
	if (tupdesc->natts != LEDGER_FIELDS)
		elog(ERROR, "crisk._rescore_ledger: the type has %d fields, expected %d",
			 tupdesc->natts, LEDGER_FIELDS);
	old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	descs = palloc(sizeof(LedgerDescs));
	descs->ledger = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
	descs->profile = BlessTupleDesc(lookup_rowtype_tupdesc_copy(TupleDescAttr(tupdesc, 0)->atttypid,
																-1));
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = descs;
	return descs;
}

/*
 * crisk_rescore_ledger_final builds the crisk.rescore_ledger row; NULL for
 * a group with no invoice issued by as_of.
 */
Datum
crisk_rescore_ledger_final(PG_FUNCTION_ARGS)
{
	LedgerState *state = PG_ARGISNULL(0) ? NULL : (LedgerState *) PG_GETARG_POINTER(0);
	LedgerDescs *descs;
	Datum		values[LEDGER_FIELDS];
	bool		nulls[LEDGER_FIELDS];

	if (state == NULL || state->first_issue_date == DATEVAL_NOEND)
		PG_RETURN_NULL();
	descs = ledger_descs(fcinfo);
	memset(nulls, 0, sizeof(nulls));
	if (state->has_profile)
		values[0] = HeapTupleGetDatum(profile_form(&state->profile, descs->profile));
	else
		nulls[0] = true;
	values[1] = DateADTGetDatum(state->first_issue_date);
	if (state->has_sales)
		values[2] = NumericGetDatum(exact_sum_to_numeric(&state->sales, state->sales_scale,
														 state->sales_dscale));
	else
		nulls[2] = true;
	values[3] = DateADTGetDatum(state->oldest_open_due);
	nulls[3] = !state->has_open_due;
	values[4] = DateADTGetDatum(state->newest_due_over_90);
	nulls[4] = !state->has_due_over_90;
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(descs->ledger, values, nulls)));
}
