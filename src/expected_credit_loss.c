/*-------------------------------------------------------------------------
 *
 * expected_credit_loss.c
 *	  The aggregate crisk.expected_credit_loss(amount, due_date, as_of,
 *	  loss_rates [, bounds]): the IFRS 9 simplified approach, a provision
 *	  matrix applying one loss rate to each aging bucket's receivables.
 *
 * The state is the aging state (aging_state.h) plus the loss rates, which
 * every row of a group must share (22023 otherwise, as for the bounds).
 * The final function multiplies each bucket's exact total by its rate and
 * adds the products exactly: the result is not rounded, so the provisions
 * of customers add up to the provision of the portfolio to the last digit.
 * Its decimals are those of the amounts plus those of the rates, as for
 * sum(amount * rate) in SQL.
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

PG_FUNCTION_INFO_V1(crisk_expected_credit_loss_state_in);
PG_FUNCTION_INFO_V1(crisk_expected_credit_loss_state_out);
PG_FUNCTION_INFO_V1(crisk_expected_credit_loss_transition);
PG_FUNCTION_INFO_V1(crisk_expected_credit_loss_transition_bounds);
PG_FUNCTION_INFO_V1(crisk_expected_credit_loss_combine);
PG_FUNCTION_INFO_V1(crisk_expected_credit_loss_final);

/* Room for the bytes of a bounds array of AGING_MAX_BOUNDS elements. */
#define BOUNDS_RAW_SIZE (AGING_MAX_BOUNDS * sizeof(int32) + 64)

/*
 * What a transition function keeps in fn_extra: the bounds and loss rates
 * parsed from the last arrays seen, keyed by the arrays' bytes, so that a
 * constant (or a rate table joined in) is parsed once, not once per row.
 */
typedef struct LossArgCache
{
	bool		bounds_valid;
	Size		bounds_len;
	char		bounds_raw[BOUNDS_RAW_SIZE];
	AgingBounds bounds;
	bool		rates_valid;
	int			rates_nbuckets; /* the bucket count the rates were checked for */
	Size		rates_len;
	Size		rates_capacity;
	char	   *rates_raw;
	LossRates	rates;
} LossArgCache;

/*
 * same_bytes tells whether an array argument has exactly the cached bytes.
 * Compressed or out-of-line arrays never match: they are parsed each time.
 */
static bool
same_bytes(Datum datum, const char *cached, Size cached_len)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(datum);

	if (VARATT_IS_EXTENDED(raw) && !VARATT_IS_SHORT(raw))
		return false;
	return VARSIZE_ANY_EXHDR(raw) == cached_len &&
		memcmp(VARDATA_ANY(raw), cached, cached_len) == 0;
}

/* plain_bytes gives an inline array's bytes, or false when it is not. */
static bool
plain_bytes(Datum datum, const char **bytes, Size *len)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(datum);

	if (VARATT_IS_EXTENDED(raw) && !VARATT_IS_SHORT(raw))
		return false;
	*bytes = VARDATA_ANY(raw);
	*len = VARSIZE_ANY_EXHDR(raw);
	return true;
}

/*
 * loss_rates_parse checks loss_rates against the number of buckets: a
 * one-dimensional array of that many fractions between 0 and 1, no NULLs,
 * and brings them to a common scale.
 */
static void
loss_rates_parse(Datum array, const AgingBounds *bounds, LossRates *rates)
{
	ArrayType  *arr = DatumGetArrayTypeP(array);
	int			nbuckets = AgingBucketCount(bounds);
	Datum	   *elements;
	bool	   *nulls;
	int			n;
	ExactAmount parsed[AGING_MAX_BOUNDS + 2];
	int			i;

	if (ARR_ELEMTYPE(arr) != NUMERICOID)
		elog(ERROR, "loss_rates: expected a numeric[] array");
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("loss_rates must be a one-dimensional array")));
	deconstruct_array(arr, NUMERICOID, -1, false, TYPALIGN_INT,
					  &elements, &nulls, &n);
	if (n != nbuckets)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("loss_rates must have one rate per aging bucket"),
				 errdetail("loss_rates has %d elements; the bounds make %d buckets, current included.",
						   n, nbuckets),
				 errhint("Give one loss rate (a fraction, 0.02 for 2%%) for current and for each overdue bucket.")));

	rates->nrates = n;
	rates->scale = 0;
	rates->dscale = 0;
	for (i = 0; i < n; i++)
	{
		int128		one = 1;
		int			j;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("loss_rates must not contain nulls"),
					 errdetail("Element %d is NULL.", i + 1)));
		if (numeric_is_nan(DatumGetNumeric(elements[i])) ||
			numeric_is_inf(DatumGetNumeric(elements[i])))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("loss_rates must be fractions between 0 and 1"),
					 errdetail("Element %d is %s.", i + 1,
							   DatumGetCString(DirectFunctionCall1(numeric_out,
																   elements[i]))),
					 errhint("Write 2%% as 0.02.")));
		exact_amount_from_numeric(elements[i], "loss_rates", &parsed[i]);
		for (j = 0; j < parsed[i].scale; j++)
			one *= 10;
		if (parsed[i].units < 0 || parsed[i].units > one)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("loss_rates must be fractions between 0 and 1"),
					 errdetail("Element %d is %s.", i + 1,
							   DatumGetCString(DirectFunctionCall1(numeric_out,
																   elements[i]))),
					 errhint("Write 2%% as 0.02.")));
		rates->scale = Max(rates->scale, parsed[i].scale);
		rates->dscale = Max(rates->dscale, parsed[i].dscale);
	}
	for (i = 0; i < n; i++)
	{
		exact_amount_rescale(&parsed[i], rates->scale, "loss_rates");
		rates->rate[i] = parsed[i].units;
	}
}

/* arg_cache returns this call site's LossArgCache, made on first use. */
static LossArgCache *
arg_cache(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
														  sizeof(LossArgCache));
	return (LossArgCache *) fcinfo->flinfo->fn_extra;
}

/* cached_bounds parses the bounds argument unless its bytes are unchanged. */
static const AgingBounds *
cached_bounds(FunctionCallInfo fcinfo, LossArgCache *cache, int argno)
{
	Datum		datum = PG_GETARG_DATUM(argno);
	const char *bytes;
	Size		len;

	if (cache->bounds_valid && same_bytes(datum, cache->bounds_raw, cache->bounds_len))
		return &cache->bounds;
	cache->bounds_valid = false;
	/* Rates were checked against the old bucket count. */
	cache->rates_valid = false;
	aging_bounds_parse(datum, "bounds", &cache->bounds);
	if (plain_bytes(datum, &bytes, &len) && len <= BOUNDS_RAW_SIZE)
	{
		memcpy(cache->bounds_raw, bytes, len);
		cache->bounds_len = len;
		cache->bounds_valid = true;
	}
	return &cache->bounds;
}

/* cached_rates parses the loss_rates argument unless nothing changed. */
static const LossRates *
cached_rates(FunctionCallInfo fcinfo, LossArgCache *cache, int argno,
			 const AgingBounds *bounds)
{
	Datum		datum = PG_GETARG_DATUM(argno);
	const char *bytes;
	Size		len;

	if (cache->rates_valid && cache->rates_nbuckets == AgingBucketCount(bounds) &&
		same_bytes(datum, cache->rates_raw, cache->rates_len))
		return &cache->rates;
	cache->rates_valid = false;
	loss_rates_parse(datum, bounds, &cache->rates);
	if (plain_bytes(datum, &bytes, &len))
	{
		if (len > cache->rates_capacity)
		{
			if (cache->rates_raw)
				pfree(cache->rates_raw);
			cache->rates_raw = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, len);
			cache->rates_capacity = len;
		}
		memcpy(cache->rates_raw, bytes, len);
		cache->rates_len = len;
		cache->rates_nbuckets = AgingBucketCount(bounds);
		cache->rates_valid = true;
	}
	return &cache->rates;
}

/*
 * loss_transition adds one row: amount, due_date, as_of, loss_rates in
 * arguments 1 to 4 and, with_bounds, bounds in argument 5.  Rows with a
 * NULL in any of them are left out.
 */
static Datum
loss_transition(FunctionCallInfo fcinfo, bool with_bounds)
{
	int			nargs = with_bounds ? 6 : 5;
	LossArgCache *cache;
	const AgingBounds *bounds;
	const LossRates *rates;
	AgingState *state;
	int			i;

	for (i = 1; i < nargs; i++)
	{
		if (PG_ARGISNULL(i))
		{
			if (PG_ARGISNULL(0))
				PG_RETURN_NULL();
			PG_RETURN_DATUM(PG_GETARG_DATUM(0));
		}
	}
	cache = arg_cache(fcinfo);
	bounds = with_bounds ? cached_bounds(fcinfo, cache, 5) : &aging_default_bounds;
	rates = cached_rates(fcinfo, cache, 4, bounds);
	state = aging_state_accept(fcinfo, bounds, rates);
	aging_state_add(state, bounds, fcinfo);
	PG_RETURN_POINTER(state);
}

/* crisk_expected_credit_loss_state_in is the input function of crisk.expected_credit_loss_state. */
Datum
crisk_expected_credit_loss_state_in(PG_FUNCTION_ARGS)
{
	PG_RETURN_POINTER(aging_state_parse(PG_GETARG_CSTRING(0),
										"crisk.expected_credit_loss_state", true));
}

/* crisk_expected_credit_loss_state_out is the output function of crisk.expected_credit_loss_state. */
Datum
crisk_expected_credit_loss_state_out(PG_FUNCTION_ARGS)
{
	PG_RETURN_CSTRING(aging_state_format((AgingState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0))));
}

/*
 * crisk_expected_credit_loss_transition is the transition function of
 * crisk.expected_credit_loss(amount, due_date, as_of, loss_rates).
 */
Datum
crisk_expected_credit_loss_transition(PG_FUNCTION_ARGS)
{
	return loss_transition(fcinfo, false);
}

/*
 * crisk_expected_credit_loss_transition_bounds is the transition function
 * of crisk.expected_credit_loss(amount, due_date, as_of, loss_rates, bounds).
 */
Datum
crisk_expected_credit_loss_transition_bounds(PG_FUNCTION_ARGS)
{
	return loss_transition(fcinfo, true);
}

/* crisk_expected_credit_loss_combine is the combine function of crisk.expected_credit_loss. */
Datum
crisk_expected_credit_loss_combine(PG_FUNCTION_ARGS)
{
	return aging_state_combine(fcinfo);
}

/*
 * crisk_expected_credit_loss_final returns the sum over buckets of the
 * bucket's total times its loss rate, exactly.  Totals below 2^120 units
 * (all real ones) are multiplied in 256-bit integers; larger ones in
 * numeric, with the same result.
 */
Datum
crisk_expected_credit_loss_final(PG_FUNCTION_ARGS)
{
	AgingState *state = (AgingState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	ExactSum   *sums = aging_state_sums(state);
	int128	   *rates = aging_state_rates(state);
	const int128 limit = (int128) 1 << 120;
	int			nbuckets = AgingBucketCount(state);
	ExactSum	total = {{0, 0, 0, 0}};
	Numeric		result;
	int			i;

	for (i = 0; i < nbuckets; i++)
	{
		int128		bucket;
		ExactSum	product;

		if (!exact_sum_to_int128(&sums[i], &bucket) || bucket >= limit ||
			bucket <= -limit)
			break;
		product = exact_sum_product128(bucket, rates[i]);
		exact_sum_add(&total, &product, "amount");
	}
	if (i == nbuckets)
		PG_RETURN_NUMERIC(exact_sum_to_numeric(&total,
											   state->scale + state->rate_scale,
											   state->dscale + state->rate_dscale));

	result = int64_to_numeric(0);
	for (i = 0; i < nbuckets; i++)
	{
		ExactSum	rate = exact_sum_from_int128(rates[i]);

		result = numeric_add_opt_error(result,
									   numeric_mul_opt_error(exact_sum_to_numeric(&sums[i], state->scale,
																				  state->dscale),
															 exact_sum_to_numeric(&rate, state->rate_scale,
																				  state->rate_dscale),
															 NULL),
									   NULL);
	}
	PG_RETURN_NUMERIC(result);
}
