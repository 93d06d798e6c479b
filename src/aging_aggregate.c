/*-------------------------------------------------------------------------
 *
 * aging_aggregate.c
 *	  The aggregate crisk.aging(amount, due_date, as_of [, bounds]): open
 *	  amounts per aging bucket, and its state type crisk.aging_state, whose
 *	  C code crisk.expected_credit_loss shares (expected_credit_loss.c).
 *
 * Each row is aged at its own as_of and lands in the bucket of its days
 * past due; the state keeps one exact total per bucket (exact_sum.h), so
 * every element of the result equals sum(amount) over the rows of that
 * bucket, to the last digit, in serial and parallel plans alike.
 *
 * Rows with a NULL amount, due_date, as_of or bounds are left out, as sum()
 * leaves out NULLs; no rows give NULL.  Negative amounts (credit notes)
 * count in their bucket like any other amount.  All rows of a group must
 * use the same bounds (22023 otherwise); the default is {30,60,90}.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "agg_state.h"
#include "aging_state.h"
#include "argcheck.h"

PG_FUNCTION_INFO_V1(crisk_aging_state_in);
PG_FUNCTION_INFO_V1(crisk_aging_state_out);
PG_FUNCTION_INFO_V1(crisk_aging_transition);
PG_FUNCTION_INFO_V1(crisk_aging_transition_bounds);
PG_FUNCTION_INFO_V1(crisk_aging_combine);
PG_FUNCTION_INFO_V1(crisk_aging_final);

/* aging_state_size is the bytes of a state with these bounds and rates. */
static Size
aging_state_size(int nbounds, int nrates)
{
	return MAXALIGN(sizeof(AgingState) + nbounds * sizeof(int32)) +
		(nbounds + 2) * sizeof(ExactSum) + nrates * sizeof(int128);
}

/*
 * aging_state_new makes an empty state (all sums zero) in the current
 * memory context; rates is NULL for crisk.aging.
 */
AgingState *
aging_state_new(const AgingBounds *bounds, const LossRates *rates)
{
	int			nrates = rates ? rates->nrates : 0;
	Size		size = aging_state_size(bounds->nbounds, nrates);
	AgingState *state = palloc0(size);

	SET_VARSIZE(state, size);
	state->nbounds = bounds->nbounds;
	memcpy(aging_state_upper(state), bounds->upper,
		   bounds->nbounds * sizeof(int32));
	if (rates)
	{
		state->nrates = nrates;
		state->rate_scale = rates->scale;
		state->rate_dscale = rates->dscale;
		memcpy(aging_state_rates(state), rates->rate, nrates * sizeof(int128));
	}
	return state;
}

/*
 * same_bounds tells whether the state was built with these bounds.  Runs
 * on every row: a plain loop over a few ints beats a call to memcmp.
 */
static inline bool
same_bounds(AgingState *state, const AgingBounds *bounds)
{
	const int32 *upper = aging_state_upper(state);
	int			i;

	if (state->nbounds != bounds->nbounds)
		return false;
	for (i = 0; i < bounds->nbounds; i++)
	{
		if (upper[i] != bounds->upper[i])
			return false;
	}
	return true;
}

/* same_rates tells whether two states carry the same loss rates. */
static bool
same_rates(AgingState *a, AgingState *b)
{
	return a->nrates == b->nrates && a->rate_scale == b->rate_scale &&
		a->rate_dscale == b->rate_dscale &&
		memcmp(aging_state_rates(a), aging_state_rates(b),
			   a->nrates * sizeof(int128)) == 0;
}

/* bounds_text renders bounds for messages, e.g. {30,60,90}. */
static char *
bounds_text(int nbounds, const int32 *upper)
{
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	appendStringInfoChar(&buf, '{');
	for (i = 0; i < nbounds; i++)
		appendStringInfo(&buf, "%s%d", i > 0 ? "," : "", upper[i]);
	appendStringInfoChar(&buf, '}');
	return buf.data;
}

/*
 * aging_state_accept returns the state of argument 0 ready to take a row
 * aged with these bounds (and loss rates): a new state for the first row,
 * else the existing one, which must have been built with the same ones.
 */
AgingState *
aging_state_accept(FunctionCallInfo fcinfo, const AgingBounds *bounds,
				   const LossRates *rates)
{
	AgingState *state;

	if (PG_ARGISNULL(0))
		return aging_state_new(bounds, rates);

	state = (AgingState *) agg_state_for_update(fcinfo, 0);
	if (!same_bounds(state, bounds))
		agg_state_mismatch("bounds",
						   psprintf("A row has bounds %s, earlier rows had %s.",
									bounds_text(bounds->nbounds, bounds->upper),
									bounds_text(state->nbounds, aging_state_upper(state))));
	if (rates &&
		(state->nrates != rates->nrates || state->rate_scale != rates->scale ||
		 state->rate_dscale != rates->dscale ||
		 memcmp(aging_state_rates(state), rates->rate,
				rates->nrates * sizeof(int128)) != 0))
		agg_state_mismatch("loss_rates",
						   "A row has other loss rates than earlier rows.");
	return state;
}

/*
 * aging_state_add ages one row (amount, due_date, as_of in arguments 1 to
 * 3, none NULL) and adds its amount to its bucket.  No allocation.
 */
void
aging_state_add(AgingState *state, const AgingBounds *bounds,
				FunctionCallInfo fcinfo)
{
	ExactAmount amount;
	DateADT		due_date = PG_GETARG_DATEADT(2);
	DateADT		as_of = PG_GETARG_DATEADT(3);
	ExactSum   *sums = aging_state_sums(state);
	int			bucket;

	exact_amount_from_numeric(PG_GETARG_DATUM(1), "amount", &amount);
	if (unlikely(DATE_NOT_FINITE(due_date) || DATE_NOT_FINITE(as_of)))
		(void) crisk_days_between(due_date, "due_date", as_of, "as_of");
	/* Finite dates are less than 2^31 days apart. */
	bucket = aging_bucket_of((int32) as_of - (int32) due_date, bounds);
	if (amount.scale != state->scale || amount.dscale > state->dscale)
		exact_align(&state->scale, &state->dscale, sums, AgingBucketCount(state),
					&amount, "amount");
	exact_sum_add_int128(&sums[bucket], amount.units, "amount");
}

/*
 * aging_state_combine merges the state in argument 1 into the one in
 * argument 0, for crisk.aging and crisk.expected_credit_loss alike.
 */
Datum
aging_state_combine(FunctionCallInfo fcinfo)
{
	AgingState *state;
	AgingState *other;
	ExactSum   *sums;
	ExactSum   *other_sums;
	int			i;

	AGG_COMBINE_NULL_STATES(fcinfo);

	state = (AgingState *) agg_state_for_update(fcinfo, 0);
	other = (AgingState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	if (state->nbounds != other->nbounds ||
		memcmp(aging_state_upper(state), aging_state_upper(other),
			   state->nbounds * sizeof(int32)) != 0)
		agg_state_mismatch("bounds",
						   psprintf("Partial results with bounds %s and %s cannot be combined.",
									bounds_text(state->nbounds, aging_state_upper(state)),
									bounds_text(other->nbounds, aging_state_upper(other))));
	if (!same_rates(state, other))
		agg_state_mismatch("loss_rates",
						   "Partial results with different loss rates cannot be combined.");

	sums = aging_state_sums(state);
	other_sums = aging_state_sums(other);
	if (other->scale > state->scale)
	{
		for (i = 0; i < AgingBucketCount(state); i++)
			exact_sum_rescale(&sums[i], other->scale - state->scale, "amount");
		state->scale = other->scale;
	}
	for (i = 0; i < AgingBucketCount(state); i++)
	{
		ExactSum	addend = other_sums[i];

		exact_sum_rescale(&addend, state->scale - other->scale, "amount");
		exact_sum_add(&sums[i], &addend, "amount");
	}
	state->dscale = Max(state->dscale, other->dscale);
	PG_RETURN_POINTER(state);
}

/*
 * aging_state_format writes the text form, e.g.
 *	 scale=4 dscale=2 bounds=30,60,90 buckets=12.5000,0.0000,-3.0000,0.0000,0.0000
 * followed, for expected credit loss, by
 *	 rate_scale=4 rate_dscale=3 rates=0.0050,0.0200,0.1000,0.5000,1.0000
 */
char *
aging_state_format(AgingState *state)
{
	StringInfoData buf;
	ExactSum   *sums = aging_state_sums(state);
	int32	   *upper = aging_state_upper(state);
	int			i;

	initStringInfo(&buf);
	state_write_scales(&buf, state->scale, state->dscale);
	state_write_key(&buf, "bounds");
	for (i = 0; i < state->nbounds; i++)
		appendStringInfo(&buf, "%s%d", i > 0 ? "," : "", upper[i]);
	state_write_key(&buf, "buckets");
	for (i = 0; i < AgingBucketCount(state); i++)
	{
		if (i > 0)
			appendStringInfoChar(&buf, ',');
		exact_sum_out(&buf, &sums[i], state->scale);
	}
	if (state->nrates > 0)
	{
		int128	   *rates = aging_state_rates(state);

		state_write_key(&buf, "rate_scale");
		appendStringInfo(&buf, "%d", state->rate_scale);
		state_write_key(&buf, "rate_dscale");
		appendStringInfo(&buf, "%d", state->rate_dscale);
		state_write_key(&buf, "rates");
		for (i = 0; i < state->nrates; i++)
		{
			ExactSum	rate = exact_sum_from_int128(rates[i]);

			if (i > 0)
				appendStringInfoChar(&buf, ',');
			exact_sum_out(&buf, &rate, state->rate_scale);
		}
	}
	return buf.data;
}

/*
 * aging_state_parse reads the text form back, checking every field: bounds
 * ascending and positive, one total per bucket, rates between 0 and 1.
 */
AgingState *
aging_state_parse(const char *str, const char *typname, bool with_rates)
{
	StateReader reader;
	AgingBounds bounds;
	LossRates	rates;
	int			scale;
	int			dscale;
	AgingState *state;
	ExactSum   *sums;
	int			i;

	state_reader_init(&reader, typname, str);
	state_read_scales(&reader, &scale, &dscale);

	state_read_key(&reader, "bounds");
	bounds.nbounds = 0;
	do
	{
		int32		bound;

		if (bounds.nbounds == AGING_MAX_BOUNDS)
			state_reader_error(&reader,
							   psprintf("Field \"bounds\" has more than %d elements.",
										AGING_MAX_BOUNDS));
		bound = (int32) state_read_int(&reader, "bounds", 1, PG_INT32_MAX);
		if (bounds.nbounds > 0 && bound <= bounds.upper[bounds.nbounds - 1])
			state_reader_error(&reader,
							   "Field \"bounds\" must be in strictly ascending order.");
		bounds.upper[bounds.nbounds++] = bound;
	} while (state_read_char(&reader, ','));

	/* The sums are read into a state without rates, then moved if needed. */
	state = aging_state_new(&bounds, NULL);
	state->scale = scale;
	state->dscale = dscale;
	sums = aging_state_sums(state);
	state_read_key(&reader, "buckets");
	for (i = 0; i < AgingBucketCount(state); i++)
	{
		if (i > 0 && !state_read_char(&reader, ','))
			state_reader_error(&reader,
							   psprintf("Field \"buckets\" must have %d elements, one per bucket.",
										AgingBucketCount(state)));
		state_read_sum(&reader, "buckets", scale, &sums[i]);
	}
	if (*reader.pos == ',')
		state_reader_error(&reader,
						   psprintf("Field \"buckets\" must have %d elements, one per bucket.",
									AgingBucketCount(state)));

	if (with_rates)
	{
		AgingState *with;
		int128		one = 1;

		rates.nrates = AgingBucketCount(state);
		rates.scale = state_read_scale(&reader, "rate_scale");
		state_read_key(&reader, "rate_dscale");
		rates.dscale = (int) state_read_int(&reader, "rate_dscale", 0, EXACT_MAX_DSCALE);
		for (i = 0; i < rates.scale; i++)
			one *= 10;
		state_read_key(&reader, "rates");
		for (i = 0; i < rates.nrates; i++)
		{
			ExactSum	rate;

			if (i > 0 && !state_read_char(&reader, ','))
				state_reader_error(&reader,
								   psprintf("Field \"rates\" must have %d elements, one per bucket.",
											rates.nrates));
			state_read_sum(&reader, "rates", rates.scale, &rate);
			if (!exact_sum_to_int128(&rate, &rates.rate[i]) ||
				rates.rate[i] < 0 || rates.rate[i] > one)
				state_reader_error(&reader,
								   "Field \"rates\" must hold fractions between 0 and 1.");
		}
		if (*reader.pos == ',')
			state_reader_error(&reader,
							   psprintf("Field \"rates\" must have %d elements, one per bucket.",
										rates.nrates));
		with = aging_state_new(&bounds, &rates);
		with->scale = state->scale;
		with->dscale = state->dscale;
		memcpy(aging_state_sums(with), sums,
			   AgingBucketCount(state) * sizeof(ExactSum));
		state = with;
	}
	state_read_end(&reader);
	return state;
}

/* crisk_aging_state_in is the input function of crisk.aging_state. */
Datum
crisk_aging_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(aging_state_parse(PG_GETARG_CSTRING(0),
										"crisk.aging_state", false));
}

/* crisk_aging_state_out is the output function of crisk.aging_state. */
Datum
crisk_aging_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(aging_state_format((AgingState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

/*
 * crisk_aging_transition is the transition function of
 * crisk.aging(amount, due_date, as_of), with the default bounds.
 */
Datum
crisk_aging_transition(PG_FUNCTION_ARGS)
{
	AgingState *state;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		AGG_RETURN_STATE_UNCHANGED();
	state = aging_state_accept(fcinfo, &aging_default_bounds, NULL);
	aging_state_add(state, &aging_default_bounds, fcinfo);
	PG_RETURN_POINTER(state);
}

/*
 * crisk_aging_transition_bounds is the transition function of
 * crisk.aging(amount, due_date, as_of, bounds).
 */
Datum
crisk_aging_transition_bounds(PG_FUNCTION_ARGS)
{
	const AgingBounds *bounds;
	AgingState *state;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3) || PG_ARGISNULL(4))
		AGG_RETURN_STATE_UNCHANGED();
	bounds = aging_bounds_cached(fcinfo, 4, "bounds");
	state = aging_state_accept(fcinfo, bounds, NULL);
	aging_state_add(state, bounds, fcinfo);
	PG_RETURN_POINTER(state);
}

/* crisk_aging_combine is the combine function of crisk.aging. */
Datum
crisk_aging_combine(PG_FUNCTION_ARGS)
{
	return aging_state_combine(fcinfo);
}

/*
 * crisk_aging_final turns the state into numeric[]: element 1 is current,
 * then each overdue bucket, every one shown with the largest number of
 * decimals any amount had.  It only reads the state.
 */
Datum
crisk_aging_final(PG_FUNCTION_ARGS)
{
	AgingState *state = (AgingState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	ExactSum   *sums = aging_state_sums(state);
	int			nbuckets = AgingBucketCount(state);
	Datum	   *elements = palloc(nbuckets * sizeof(Datum));
	int			i;

	for (i = 0; i < nbuckets; i++)
		elements[i] = NumericGetDatum(exact_sum_to_numeric(&sums[i], state->scale,
														   state->dscale));
	PG_RETURN_ARRAYTYPE_P(construct_array(elements, nbuckets, NUMERICOID,
										  -1, false, TYPALIGN_INT));
}
