/*-------------------------------------------------------------------------
 *
 * dso_aggregate.c
 *	  The aggregate crisk.dso(amount, issue_date, paid_date, as_of,
 *	  period_days): days sales outstanding by the standard method, computed
 *	  from the invoices themselves, and its state type crisk.dso_state.
 *
 *	  DSO = receivables open at as_of / amount issued in
 *			(as_of - period_days, as_of] * period_days
 *
 * An invoice is open at as_of when it was issued by as_of and is unpaid
 * (paid_date NULL) or paid after as_of.  Invoices issued after as_of are
 * ignored.  Both totals are exact and net of credit notes (negative
 * amounts).  The result is rounded half away from zero to 2 decimals, as
 * the scalar crisk.dso(receivables, credit_sales, period_days) rounds it.
 * It is NULL when the period's net credit sales are zero or negative (no
 * sales to measure against) and negative for a credit balance.
 *
 * Rows with a NULL amount, issue_date, as_of or period_days are left out;
 * no rows give NULL.  as_of and period_days must be the same on every row
 * of a group (22023 otherwise); period_days must be positive.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/date.h"

#include "agg_state.h"
#include "argcheck.h"
#include "dso_aggregate.h"

PG_FUNCTION_INFO_V1(crisk_dso_state_in);
PG_FUNCTION_INFO_V1(crisk_dso_state_out);
PG_FUNCTION_INFO_V1(crisk_dso_transition);
PG_FUNCTION_INFO_V1(crisk_dso_combine);
PG_FUNCTION_INFO_V1(crisk_dso_final);

typedef struct DsoState
{
	int32		vl_len_;		/* varlena header */
	int16		scale;			/* decimal places of the sums (multiple of 4) */
	int16		dscale;			/* the most decimals any amount had */
	DateADT		as_of;
	int32		period_days;
	ExactSum	receivables;	/* open at as_of */
	ExactSum	issued;			/* issued in (as_of - period_days, as_of] */
} DsoState;

/*
 * dso_days_of_sales computes receivables / credit_sales * period_days
 * rounded half away from zero to 2 decimals; NULL (returns NULL pointer)
 * when credit_sales is not positive.  Shared with crisk.payment_profile.
 */
Numeric
dso_days_of_sales(const ExactSum *receivables, const ExactSum *credit_sales,
				  int32 period_days)
{
	ExactSum	numerator = *receivables;

	if (exact_sum_sign(credit_sales) <= 0)
		return NULL;
	exact_sum_mul_int64(&numerator, period_days, "amount");
	return exact_div_round(&numerator, credit_sales, DSO_DECIMALS);
}

/* check_period_days rejects a period that is not a positive day count. */
static void
check_period_days(int32 period_days)
{
	if (period_days <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("period_days must be positive"),
				 errdetail("period_days is %d.", period_days)));
}

/* crisk_dso_state_out writes e.g. "as_of=2024-03-31 period_days=90 ...". */
Datum
crisk_dso_state_out(PG_FUNCTION_ARGS)
{
	DsoState   *state = (DsoState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	state_write_key(&buf, "as_of");
	state_write_date(&buf, state->as_of);
	state_write_key(&buf, "period_days");
	appendStringInfo(&buf, "%d", state->period_days);
	state_write_scales(&buf, state->scale, state->dscale);
	state_write_key(&buf, "receivables");
	exact_sum_out(&buf, &state->receivables, state->scale);
	state_write_key(&buf, "issued");
	exact_sum_out(&buf, &state->issued, state->scale);
	PG_RETURN_CSTRING(buf.data);
}

/* crisk_dso_state_in reads the text form back, checking every field. */
Datum
crisk_dso_state_in(PG_FUNCTION_ARGS)
{
	StateReader reader;
	int			scale;
	int			dscale;
	DsoState   *state = palloc0(sizeof(DsoState));

	SET_VARSIZE(state, sizeof(DsoState));
	state_reader_init(&reader, "crisk.dso_state", PG_GETARG_CSTRING(0));
	state_read_key(&reader, "as_of");
	state->as_of = state_read_date(&reader, "as_of");
	state_read_key(&reader, "period_days");
	state->period_days = (int32) state_read_int(&reader, "period_days", 1, PG_INT32_MAX);
	state_read_scales(&reader, &scale, &dscale);
	state->scale = (int16) scale;
	state->dscale = (int16) dscale;
	state_read_key(&reader, "receivables");
	state_read_sum(&reader, "receivables", state->scale, &state->receivables);
	state_read_key(&reader, "issued");
	state_read_sum(&reader, "issued", state->scale, &state->issued);
	state_read_end(&reader);
	PG_RETURN_POINTER(state);
}

/*
 * crisk_dso_transition is the transition function of crisk.dso(amount,
 * issue_date, paid_date, as_of, period_days).  It updates the state in
 * place; only a group's first row allocates.
 */
Datum
crisk_dso_transition(PG_FUNCTION_ARGS)
{
	DsoState   *state;
	ExactAmount amount;
	DateADT		issue_date;
	DateADT		as_of;
	int32		period_days;
	bool		open;
	bool		in_period;
	ExactSum	sums[2];

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(4) || PG_ARGISNULL(5))
		AGG_RETURN_STATE_UNCHANGED();
	issue_date = PG_GETARG_DATEADT(2);
	as_of = PG_GETARG_DATEADT(4);
	period_days = PG_GETARG_INT32(5);
	crisk_require_finite_date(issue_date, "issue_date");
	crisk_require_finite_date(as_of, "as_of");
	if (!PG_ARGISNULL(3))
		crisk_require_finite_date(PG_GETARG_DATEADT(3), "paid_date");
	check_period_days(period_days);
	exact_amount_from_numeric(PG_GETARG_DATUM(1), "amount", &amount);

	if (PG_ARGISNULL(0))
	{
		state = palloc0(sizeof(DsoState));
		SET_VARSIZE(state, sizeof(DsoState));
		state->as_of = as_of;
		state->period_days = period_days;
	}
	else
	{
		state = (DsoState *) agg_state_for_update(fcinfo, 0);
		if (state->as_of != as_of)
			agg_state_as_of_mismatch(as_of, state->as_of);
		if (state->period_days != period_days)
			agg_state_mismatch("period_days",
							   psprintf("A row has period_days %d, earlier rows had %d.",
										period_days, state->period_days));
	}

	if (issue_date > as_of)
		PG_RETURN_POINTER(state);
	open = PG_ARGISNULL(3) || PG_GETARG_DATEADT(3) > as_of;
	in_period = (int64) issue_date > (int64) as_of - period_days;
	if (!open && !in_period)
		PG_RETURN_POINTER(state);

	sums[0] = state->receivables;
	sums[1] = state->issued;
	exact_align(&state->scale, &state->dscale, sums, 2, &amount, "amount");
	if (open)
		exact_sum_add_int128(&sums[0], amount.units, "amount");
	if (in_period)
		exact_sum_add_int128(&sums[1], amount.units, "amount");
	state->receivables = sums[0];
	state->issued = sums[1];
	PG_RETURN_POINTER(state);
}

/* crisk_dso_combine is the combine function of crisk.dso. */
Datum
crisk_dso_combine(PG_FUNCTION_ARGS)
{
	DsoState   *state;
	DsoState   *other;
	ExactSum	addend;

	AGG_COMBINE_NULL_STATES(fcinfo);

	state = (DsoState *) agg_state_for_update(fcinfo, 0);
	other = (DsoState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	if (state->as_of != other->as_of)
		agg_state_as_of_mismatch(other->as_of, state->as_of);
	if (state->period_days != other->period_days)
		agg_state_mismatch("period_days",
						   "Partial results for different periods cannot be combined.");
	if (other->scale > state->scale)
	{
		exact_sum_rescale(&state->receivables, other->scale - state->scale, "amount");
		exact_sum_rescale(&state->issued, other->scale - state->scale, "amount");
		state->scale = other->scale;
	}
	addend = other->receivables;
	exact_sum_rescale(&addend, state->scale - other->scale, "amount");
	exact_sum_add(&state->receivables, &addend, "amount");
	addend = other->issued;
	exact_sum_rescale(&addend, state->scale - other->scale, "amount");
	exact_sum_add(&state->issued, &addend, "amount");
	state->dscale = Max(state->dscale, other->dscale);
	PG_RETURN_POINTER(state);
}

/* crisk_dso_final computes the DSO; it only reads the state. */
Datum
crisk_dso_final(PG_FUNCTION_ARGS)
{
	DsoState   *state = (DsoState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	Numeric		result = dso_days_of_sales(&state->receivables, &state->issued,
										   state->period_days);

	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(result);
}
