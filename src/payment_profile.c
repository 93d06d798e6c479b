/*-------------------------------------------------------------------------
 *
 * payment_profile.c
 *	  The aggregate crisk.payment_profile(amount, issue_date, due_date,
 *	  paid_date, as_of): a customer's payment behaviour as of a date, in the
 *	  composite type crisk.payment_profile, and its state type
 *	  crisk.payment_profile_state.
 *
 * Only invoices issued by as_of count; one paid after as_of is open at
 * as_of.  The fields:
 *	  invoices, open_invoices    rows issued by as_of, and those open
 *	  billed, open_amount,       their amounts, net of credit notes;
 *	  overdue_amount             overdue = open debit items (amount > 0) past due at as_of
 *	  avg_days_beyond_terms      mean of paid_date - due_date over invoices
 *	                             paid by as_of, weighted by amount
 *	  days_beyond_terms_stddev   the weighted population standard deviation
 *	  late_share                 (amount paid late + amount open past due) /
 *	                             (amount paid + amount open past due)
 *	  max_days_late              over invoices paid late and open past due;
 *	                             0 when none is late
 *	  dso                        standard DSO over 90 days, as crisk.dso
 *	  last_payment               latest paid_date on or before as_of
 * The behaviour fields (the last six but dso) look at invoices with a
 * positive amount only: a credit note's "payment" says nothing about how
 * the customer pays.  They are NULL when no such invoice was paid, or has
 * fallen due, by as_of.
 *
 * Every total in the state is exact (exact_sum.h), including the amount-
 * weighted sums of days and squared days behind the mean and standard
 * deviation, so the ratios, computed once in the final function, are the
 * same in serial and parallel plans.
 *
 * Rows with a NULL amount, issue_date, due_date or as_of are left out; a
 * NULL paid_date means unpaid.  No rows give NULL.  as_of must be the same
 * on every row of a group (22023 otherwise).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "common/int.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "agg_state.h"
#include "argcheck.h"
#include "dso_aggregate.h"
#include "payment_profile.h"

PG_FUNCTION_INFO_V1(crisk_payment_profile_state_in);
PG_FUNCTION_INFO_V1(crisk_payment_profile_state_out);
PG_FUNCTION_INFO_V1(crisk_payment_profile_transition);
PG_FUNCTION_INFO_V1(crisk_payment_profile_combine);
PG_FUNCTION_INFO_V1(crisk_payment_profile_final);

/* Field names of the sums in the text form, in ProfileSum order. */
static const char *const sum_names[NUM_SUMS] = {
	"billed", "open_amount", "overdue_amount", "issued_90_days", "paid_amount",
	"days_beyond_terms_sum", "days_beyond_terms_squares", "late_amount",
	"due_or_paid_amount"
};

/* crisk_payment_profile_state_out writes every field, sums with `scale` decimals. */
Datum
crisk_payment_profile_state_out(PG_FUNCTION_ARGS)
{
	ProfileState *state = (ProfileState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	state_write_key(&buf, "as_of");
	state_write_date(&buf, state->as_of);
	state_write_scales(&buf, state->scale, state->dscale);
	state_write_key(&buf, "invoices");
	appendStringInfo(&buf, INT64_FORMAT, state->invoices);
	state_write_key(&buf, "open_invoices");
	appendStringInfo(&buf, INT64_FORMAT, state->open_invoices);
	for (i = 0; i < NUM_SUMS; i++)
	{
		state_write_key(&buf, sum_names[i]);
		exact_sum_out(&buf, &state->sums[i], state->scale);
	}
	state_write_key(&buf, "max_days_late");
	if (state->has_basis)
		appendStringInfo(&buf, "%d", state->max_days_late);
	else
		appendStringInfoString(&buf, "none");
	state_write_key(&buf, "last_payment");
	if (state->has_payment)
		state_write_date(&buf, state->last_payment);
	else
		appendStringInfoString(&buf, "none");
	PG_RETURN_CSTRING(buf.data);
}

/*
 * sum_as_numeric gives an exact sum as the integer count of its units.
 */
static Numeric
sum_as_numeric(const ExactSum *sum)
{
	return exact_sum_to_numeric(sum, 0, 0);
}

/*
 * profile_check_possible rejects a state that no set of invoices gives
 * (profile_add and the combine function keep every rule below).  Sums are
 * compared in units of the state's scale; the products in numeric, since
 * they may exceed 256 bits.
 *	 - no invoice: every sum is zero;
 *	 - no open invoice: nothing is open or overdue;
 *	 - paid (positive amounts paid by as_of) is part of due_or_paid;
 *	 - the days beyond terms are whole days weighted by the paid amounts:
 *	   |sum| <= squares (d^2 >= |d| for an integer d), both zero when
 *	   nothing was paid, and sum^2 <= paid * squares (a variance is not
 *	   negative);
 *	 - a last payment exists exactly when something was paid, on or before
 *	   as_of; max_days_late exists exactly when something fell due or was
 *	   paid, and is positive exactly when late_amount is.
 */
static void
profile_check_possible(StateReader *reader, const ProfileState *state)
{
	const ExactSum *sums = state->sums;
	ExactSum	dbt_magnitude = sums[SUM_DBT];
	int			i;

	if (state->invoices == 0)
	{
		for (i = 0; i < NUM_SUMS; i++)
			if (!exact_sum_is_zero(&sums[i]))
				state_reader_error(reader,
								   psprintf("Field %s must be 0 when invoices is 0.", sum_names[i]));
	}
	if (state->open_invoices == 0 &&
		(!exact_sum_is_zero(&sums[SUM_OPEN]) || !exact_sum_is_zero(&sums[SUM_OVERDUE])))
		state_reader_error(reader,
						   "Fields open_amount and overdue_amount must be 0 when open_invoices is 0.");
	if (exact_sum_cmp(&sums[SUM_PAID], &sums[SUM_DUE_OR_PAID]) > 0)
		state_reader_error(reader,
						   "Field paid_amount must not exceed due_or_paid_amount, which includes it.");
	if (exact_sum_is_negative(&dbt_magnitude))
	{
		ExactSum	zero = {{0, 0, 0, 0}};

		exact_sum_sub(&zero, &dbt_magnitude, "days_beyond_terms_sum");
		dbt_magnitude = zero;
	}
	if (exact_sum_cmp(&dbt_magnitude, &sums[SUM_DBT_SQUARED]) > 0 ||
		(exact_sum_is_zero(&sums[SUM_PAID]) && !exact_sum_is_zero(&sums[SUM_DBT_SQUARED])))
		state_reader_error(reader,
						   "Fields days_beyond_terms_sum and days_beyond_terms_squares must be 0 when paid_amount is, "
						   "and the sum must not exceed the squares in absolute value (days are whole).");
	if (!exact_sum_is_zero(&sums[SUM_PAID]))
	{
		Numeric		dbt = sum_as_numeric(&sums[SUM_DBT]);
		Numeric		dbt_squared = numeric_mul_opt_error(dbt, dbt, NULL);
		Numeric		bound = numeric_mul_opt_error(sum_as_numeric(&sums[SUM_PAID]),
												  sum_as_numeric(&sums[SUM_DBT_SQUARED]), NULL);

		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(dbt_squared),
											  NumericGetDatum(bound))) > 0)
			state_reader_error(reader,
							   "Fields paid_amount, days_beyond_terms_sum and days_beyond_terms_squares "
							   "give a negative variance of days beyond terms.");
	}
	if (state->has_payment != (exact_sum_sign(&sums[SUM_PAID]) > 0) ||
		(state->has_payment && state->last_payment > state->as_of))
		state_reader_error(reader,
						   "Field last_payment must be a date on or before as_of when paid_amount is positive, else none.");
	if (state->has_basis != (exact_sum_sign(&sums[SUM_DUE_OR_PAID]) > 0) ||
		(state->has_basis && (state->max_days_late > 0) != (exact_sum_sign(&sums[SUM_LATE]) > 0)))
		state_reader_error(reader,
						   "Field max_days_late must be none exactly when due_or_paid_amount is 0, "
						   "and positive exactly when late_amount is.");
}

/*
 * crisk_payment_profile_state_in reads the text form back, checking each
 * field and what must hold between them (weights and squares are not
 * negative, late amounts are part of the amounts due or paid).
 */
Datum
crisk_payment_profile_state_in(PG_FUNCTION_ARGS)
{
	StateReader reader;
	int			scale;
	int			dscale;
	ProfileState *state = palloc0(sizeof(ProfileState));
	int			i;

	SET_VARSIZE(state, sizeof(ProfileState));
	state_reader_init(&reader, "crisk.payment_profile_state", PG_GETARG_CSTRING(0));
	state_read_key(&reader, "as_of");
	state->as_of = state_read_date(&reader, "as_of");
	state_read_scales(&reader, &scale, &dscale);
	state->scale = (int16) scale;
	state->dscale = (int16) dscale;
	state_read_key(&reader, "invoices");
	state->invoices = state_read_int(&reader, "invoices", 0, PG_INT64_MAX);
	state_read_key(&reader, "open_invoices");
	state->open_invoices = state_read_int(&reader, "open_invoices", 0, state->invoices);
	for (i = 0; i < NUM_SUMS; i++)
	{
		state_read_key(&reader, sum_names[i]);
		state_read_sum(&reader, sum_names[i], state->scale, &state->sums[i]);
	}
	state_read_key(&reader, "max_days_late");
	state->has_basis = !state_read_word(&reader, "none");
	if (state->has_basis)
		state->max_days_late = (int32) state_read_int(&reader, "max_days_late", 0, PG_INT32_MAX);
	state_read_key(&reader, "last_payment");
	state->has_payment = !state_read_word(&reader, "none");
	if (state->has_payment)
		state->last_payment = state_read_date(&reader, "last_payment");
	state_read_end(&reader);

	if (exact_sum_is_negative(&state->sums[SUM_PAID]) ||
		exact_sum_is_negative(&state->sums[SUM_DBT_SQUARED]) ||
		exact_sum_is_negative(&state->sums[SUM_LATE]) ||
		exact_sum_cmp(&state->sums[SUM_LATE], &state->sums[SUM_DUE_OR_PAID]) > 0)
		state_reader_error(&reader,
						   "Fields paid_amount, days_beyond_terms_squares and late_amount must not be negative, "
						   "and late_amount must not exceed due_or_paid_amount.");
	profile_check_possible(&reader, state);
	PG_RETURN_POINTER(state);
}

/*
 * profile_read_row reads the invoice of a transition call whose arguments 1
 * to 5 are (amount, issue_date, due_date, paid_date, as_of); false when the
 * row is left out (a NULL amount, issue_date, due_date or as_of).
 */
bool
profile_read_row(FunctionCallInfo fcinfo, ProfileRow *row)
{
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(5))
		return false;
	row->issue_date = PG_GETARG_DATEADT(2);
	row->due_date = PG_GETARG_DATEADT(3);
	row->as_of = PG_GETARG_DATEADT(5);
	if (unlikely(DATE_NOT_FINITE(row->issue_date)))
		crisk_require_finite_date(row->issue_date, "issue_date");
	if (unlikely(DATE_NOT_FINITE(row->due_date)))
		crisk_require_finite_date(row->due_date, "due_date");
	if (unlikely(DATE_NOT_FINITE(row->as_of)))
		crisk_require_finite_date(row->as_of, "as_of");
	row->has_paid_date = !PG_ARGISNULL(4);
	row->paid_date = 0;
	if (row->has_paid_date)
	{
		row->paid_date = PG_GETARG_DATEADT(4);
		if (unlikely(DATE_NOT_FINITE(row->paid_date)))
			crisk_require_finite_date(row->paid_date, "paid_date");
	}
	exact_amount_from_numeric(PG_GETARG_DATUM(1), "amount", &row->amount);
	return true;
}

/*
 * profile_add adds one invoice to a profile whose as_of is the row's; an
 * invoice issued after as_of is left out.
 */
void
profile_add(ProfileState *state, const ProfileRow *row)
{
	ExactAmount amount = row->amount;
	DateADT		as_of = row->as_of;
	DateADT		due_date = row->due_date;
	DateADT		paid_date = row->paid_date;
	bool		paid;
	int32		days_past_due;

	if (row->issue_date > as_of)
		return;

	if (amount.scale != state->scale || amount.dscale > state->dscale)
		exact_align(&state->scale, &state->dscale, state->sums, NUM_SUMS,
					&amount, "amount");
	paid = row->has_paid_date && paid_date <= as_of;
	/* Finite dates are less than 2^31 days apart. */
	days_past_due = (int32) as_of - (int32) due_date;

	state->invoices++;
	exact_sum_add_int128(&state->sums[SUM_BILLED], amount.units, "amount");
	if (!paid)
	{
		state->open_invoices++;
		exact_sum_add_int128(&state->sums[SUM_OPEN], amount.units, "amount");
		/* A credit note is never overdue: only debit items count. */
		if (days_past_due > 0 && amount.units > 0)
			exact_sum_add_int128(&state->sums[SUM_OVERDUE], amount.units, "amount");
	}
	if ((int64) row->issue_date > (int64) as_of - PROFILE_DSO_DAYS)
		exact_sum_add_int128(&state->sums[SUM_ISSUED_90], amount.units, "amount");

	if (amount.units <= 0)
		return;
	if (paid)
	{
		int32		beyond_terms = (int32) paid_date - (int32) due_date;

		exact_sum_add_int128(&state->sums[SUM_PAID], amount.units, "amount");
		exact_sum_add_product(&state->sums[SUM_DBT], amount.units, beyond_terms,
							  "amount");
		exact_sum_add_product(&state->sums[SUM_DBT_SQUARED], amount.units,
							  (int64) beyond_terms * beyond_terms, "amount");
		exact_sum_add_int128(&state->sums[SUM_DUE_OR_PAID], amount.units, "amount");
		if (beyond_terms > 0)
			exact_sum_add_int128(&state->sums[SUM_LATE], amount.units, "amount");
		if (!state->has_basis || beyond_terms > state->max_days_late)
			state->max_days_late = Max(beyond_terms, 0);
		state->has_basis = true;
		if (!state->has_payment || paid_date > state->last_payment)
			state->last_payment = paid_date;
		state->has_payment = true;
	}
	else if (days_past_due > 0)
	{
		exact_sum_add_int128(&state->sums[SUM_DUE_OR_PAID], amount.units, "amount");
		exact_sum_add_int128(&state->sums[SUM_LATE], amount.units, "amount");
		if (!state->has_basis || days_past_due > state->max_days_late)
			state->max_days_late = days_past_due;
		state->has_basis = true;
	}
}

/*
 * crisk_payment_profile_transition is the transition function of
 * crisk.payment_profile(amount, issue_date, due_date, paid_date, as_of).
 * It updates the state in place; only a group's first row allocates.
 */
Datum
crisk_payment_profile_transition(PG_FUNCTION_ARGS)
{
	ProfileState *state;
	ProfileRow	row;

	if (!profile_read_row(fcinfo, &row))
		AGG_RETURN_STATE_UNCHANGED();
	if (PG_ARGISNULL(0))
	{
		state = palloc0(sizeof(ProfileState));
		SET_VARSIZE(state, sizeof(ProfileState));
		state->as_of = row.as_of;
	}
	else
	{
		state = (ProfileState *) agg_state_for_update(fcinfo, 0);
		if (unlikely(state->as_of != row.as_of))
			agg_state_as_of_mismatch(row.as_of, state->as_of);
	}
	profile_add(state, &row);
	PG_RETURN_POINTER(state);
}

/* crisk_payment_profile_combine is the combine function of crisk.payment_profile. */
Datum
crisk_payment_profile_combine(PG_FUNCTION_ARGS)
{
	ProfileState *state;
	ProfileState *other;
	ExactAmount scale_of_other;
	int			i;

	AGG_COMBINE_NULL_STATES(fcinfo);

	state = (ProfileState *) agg_state_for_update(fcinfo, 0);
	other = (ProfileState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	if (state->as_of != other->as_of)
		agg_state_as_of_mismatch(other->as_of, state->as_of);

	/* A zero amount at the other's scale brings this state to it. */
	scale_of_other.units = 0;
	scale_of_other.scale = other->scale;
	scale_of_other.dscale = other->dscale;
	exact_align(&state->scale, &state->dscale, state->sums, NUM_SUMS,
				&scale_of_other, "amount");
	for (i = 0; i < NUM_SUMS; i++)
	{
		ExactSum	addend = other->sums[i];

		exact_sum_rescale(&addend, state->scale - other->scale, "amount");
		exact_sum_add(&state->sums[i], &addend, "amount");
	}
	if (pg_add_s64_overflow(state->invoices, other->invoices, &state->invoices) ||
		pg_add_s64_overflow(state->open_invoices, other->open_invoices,
							&state->open_invoices))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("invoice count out of range")));
	if (other->has_basis &&
		(!state->has_basis || other->max_days_late > state->max_days_late))
		state->max_days_late = other->max_days_late;
	state->has_basis |= other->has_basis;
	if (other->has_payment &&
		(!state->has_payment || other->last_payment > state->last_payment))
		state->last_payment = other->last_payment;
	state->has_payment |= other->has_payment;
	PG_RETURN_POINTER(state);
}

/*
 * weighted_stddev returns the population standard deviation of days beyond
 * terms weighted by amount, sqrt((W * S2 - S1^2) / W^2), from the weight W,
 * the weighted sum S1 and the weighted sum of squares S2.  The numerator is
 * computed exactly, so identical days give exactly 0.
 */
static double
weighted_stddev(const ExactSum *weight, const ExactSum *sum, const ExactSum *squares)
{
	int128		w;
	int128		s1;
	int128		s2;

	if (exact_sum_to_int128(weight, &w) && exact_sum_to_int128(sum, &s1) &&
		exact_sum_to_int128(squares, &s2))
	{
		ExactSum	numerator = exact_sum_product128(w, s2);
		ExactSum	square = exact_sum_product128(s1, s1);
		ExactSum	denominator = exact_sum_product128(w, w);

		exact_sum_sub(&numerator, &square, "amount");
		if (exact_sum_is_negative(&numerator))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("inconsistent crisk.payment_profile_state"),
					 errdetail("Its weighted sums of days beyond terms give a negative variance.")));
		return sqrt(exact_ratio(&numerator, &denominator));
	}
	else
	{
		/* Totals beyond 2^127 units: long double keeps 64 bits. */
		long double lw = exact_sum_to_long_double(weight);
		long double mean = exact_sum_to_long_double(sum) / lw;
		long double variance = exact_sum_to_long_double(squares) / lw - mean * mean;

		return (double) sqrtl(Max(variance, 0.0L));
	}
}

/*
 * profile_form builds the crisk.payment_profile row of a state, with the
 * type's (blessed) descriptor.
 */
HeapTuple
profile_form(const ProfileState *state, TupleDesc tupdesc)
{
	const ExactSum *sums = state->sums;
	Datum		values[PROFILE_FIELDS];
	bool		nulls[PROFILE_FIELDS];
	Numeric		dso;

	if (tupdesc->natts != PROFILE_FIELDS)
		elog(ERROR, "crisk.payment_profile: the type has %d fields, expected %d",
			 tupdesc->natts, PROFILE_FIELDS);
	memset(nulls, 0, sizeof(nulls));
	values[0] = Int64GetDatum(state->invoices);
	values[1] = Int64GetDatum(state->open_invoices);
	values[2] = NumericGetDatum(exact_sum_to_numeric(&sums[SUM_BILLED], state->scale, state->dscale));
	values[3] = NumericGetDatum(exact_sum_to_numeric(&sums[SUM_OPEN], state->scale, state->dscale));
	values[4] = NumericGetDatum(exact_sum_to_numeric(&sums[SUM_OVERDUE], state->scale, state->dscale));
	if (exact_sum_sign(&sums[SUM_PAID]) > 0)
	{
		values[5] = Float8GetDatum(exact_ratio(&sums[SUM_DBT], &sums[SUM_PAID]));
		values[6] = Float8GetDatum(weighted_stddev(&sums[SUM_PAID], &sums[SUM_DBT],
												   &sums[SUM_DBT_SQUARED]));
	}
	else
		nulls[5] = nulls[6] = true;
	if (exact_sum_sign(&sums[SUM_DUE_OR_PAID]) > 0)
		values[7] = Float8GetDatum(exact_ratio(&sums[SUM_LATE], &sums[SUM_DUE_OR_PAID]));
	else
		nulls[7] = true;
	values[8] = Int32GetDatum(state->max_days_late);
	nulls[8] = !state->has_basis;
	dso = dso_days_of_sales(&sums[SUM_OPEN], &sums[SUM_ISSUED_90], PROFILE_DSO_DAYS);
	values[9] = NumericGetDatum(dso);
	nulls[9] = (dso == NULL);
	values[10] = DateADTGetDatum(state->last_payment);
	nulls[10] = !state->has_payment;

	return heap_form_tuple(tupdesc, values, nulls);
}

/*
 * crisk_payment_profile_final builds the crisk.payment_profile row; it only
 * reads the state.
 */
Datum
crisk_payment_profile_final(PG_FUNCTION_ARGS)
{
	ProfileState *state = (ProfileState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	TupleDesc	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;

	if (tupdesc == NULL)
	{
		MemoryContext old;

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "crisk.payment_profile: return type must be a row type");
		old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		tupdesc = BlessTupleDesc(CreateTupleDescCopy(tupdesc));
		MemoryContextSwitchTo(old);
		fcinfo->flinfo->fn_extra = tupdesc;
	}
	PG_RETURN_DATUM(HeapTupleGetDatum(profile_form(state, tupdesc)));
}
