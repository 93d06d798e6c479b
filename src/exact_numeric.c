/*-------------------------------------------------------------------------
 *
 * exact_numeric.c
 *	  Numeric amounts to and from crisk's exact totals: decoding a numeric
 *	  into an integer of decimal units without allocating, building the
 *	  numeric result of a total, and exact rounded division.
 *
 * Amounts are read straight from numeric's stored form (an array of
 * base-10000 digits with a weight and a display scale; see PostgreSQL's
 * numeric.c).  That form is PostgreSQL's on-disk format, which pg_upgrade
 * relies on, so it does not change between releases.  Scales are kept at
 * multiples of 4 decimal places, so that a numeric digit never straddles
 * the decimal point, and results are built in the canonical form numeric.c
 * itself produces.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"

#include "exact_numeric.h"

/* numeric's stored header (numeric.c). */
#define NUM_FLAG_MASK				0xC000
#define NUM_NEG						0x4000
#define NUM_SHORT					0x8000
#define NUM_SPECIAL					0xC000
#define NUM_NAN						0xC000
#define NUM_PINF					0xD000
#define NUM_SPECIAL_MASK			0xF000
#define NUM_SHORT_SIGN_MASK			0x2000
#define NUM_SHORT_DSCALE_MASK		0x1F80
#define NUM_SHORT_DSCALE_SHIFT		7
#define NUM_SHORT_DSCALE_MAX		(NUM_SHORT_DSCALE_MASK >> NUM_SHORT_DSCALE_SHIFT)
#define NUM_SHORT_WEIGHT_SIGN_MASK	0x0040
#define NUM_SHORT_WEIGHT_MASK		0x003F
#define NUM_SHORT_WEIGHT_MAX		NUM_SHORT_WEIGHT_MASK
#define NUM_SHORT_WEIGHT_MIN		(-(NUM_SHORT_WEIGHT_MASK + 1))
#define NUM_DSCALE_MASK				0x3FFF
#define NBASE						10000
#define DEC_DIGITS					4

#define TEN_16 INT64CONST(10000000000000000)

/* 10000^k for k = 0..9; 10000^9 = 10^36 still fits in an int128. */
static const int128 pow_nbase[10] = {
	1, 10000, 100000000, INT64CONST(1000000000000), TEN_16,
	(int128) TEN_16 * 10000,
	(int128) TEN_16 * 100000000,
	(int128) TEN_16 * INT64CONST(1000000000000),
	(int128) TEN_16 * TEN_16,
	(int128) TEN_16 * TEN_16 * 10000
};

PG_FUNCTION_INFO_V1(crisk_require_exact_amount);

/* 10^EXACT_LEDGER_MAX_DIGITS, made on first use, for the session. */
static Numeric ledger_limit = NULL;

/* not_finite_error rejects NaN and the infinities. */
static pg_attribute_noreturn() void
not_finite_error(const char *argname, uint16 header)
{
	const char *what;

	if ((header & NUM_SPECIAL_MASK) == NUM_NAN)
		what = "NaN";
	else if ((header & NUM_SPECIAL_MASK) == NUM_PINF)
		what = "Infinity";
	else
		what = "-Infinity";
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be a finite number", argname),
			 errdetail("%s is %s.", argname, what),
			 errhint("Leave out the rows whose %s is NaN or infinite.", argname)));
}

/* read_digit fetches stored digit i; the datum may be unaligned. */
static inline int
read_digit(const char *digits, int i)
{
	int16		digit;

	memcpy(&digit, digits + i * sizeof(int16), sizeof(int16));
	return digit;
}

/*
 * exact_amount_from_numeric decodes a numeric argument without copying or
 * allocating (only a compressed or out-of-line value, which a number hardly
 * ever is, is detoasted).  NaN and infinities raise 22023; an amount too
 * large or too finely divided for an int128 of units raises 22003.
 */
void
exact_amount_from_numeric(Datum value, const char *argname, ExactAmount *amount)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(value);
	const char *data;
	const char *digits;
	Size		len;
	uint16		header;
	bool		negative;
	int			weight;
	int			ndigits;
	int			lowest;
	int128		units;
	int			i;

	if (VARATT_IS_EXTERNAL(raw) || VARATT_IS_COMPRESSED(raw))
		raw = pg_detoast_datum(raw);
	data = VARDATA_ANY(raw);
	len = VARSIZE_ANY_EXHDR(raw);
	memcpy(&header, data, sizeof(uint16));

	if ((header & NUM_FLAG_MASK) == NUM_SPECIAL)
		not_finite_error(argname, header);
	if (header & NUM_SHORT)
	{
		negative = (header & NUM_SHORT_SIGN_MASK) != 0;
		amount->dscale = (header & NUM_SHORT_DSCALE_MASK) >> NUM_SHORT_DSCALE_SHIFT;
		weight = header & NUM_SHORT_WEIGHT_MASK;
		if (header & NUM_SHORT_WEIGHT_SIGN_MASK)
			weight += NUM_SHORT_WEIGHT_MIN;
		digits = data + sizeof(uint16);
		ndigits = (len - sizeof(uint16)) / sizeof(int16);
	}
	else
	{
		int16		long_weight;

		negative = (header & NUM_FLAG_MASK) == NUM_NEG;
		amount->dscale = header & NUM_DSCALE_MASK;
		memcpy(&long_weight, data + sizeof(uint16), sizeof(int16));
		weight = long_weight;
		digits = data + 2 * sizeof(uint16);
		ndigits = (len - 2 * sizeof(uint16)) / sizeof(int16);
	}

	if (ndigits == 0)
	{
		amount->units = 0;
		amount->scale = 0;
		return;
	}

	/* The digits as one integer; up to four fit in an int64, the usual case. */
	if (ndigits <= 4)
	{
		int64		small = 0;

		for (i = 0; i < ndigits; i++)
			small = small * NBASE + read_digit(digits, i);
		units = small;
	}
	else
	{
		units = 0;
		for (i = 0; i < ndigits; i++)
		{
			if (__builtin_mul_overflow(units, (int128) NBASE, &units) ||
				__builtin_add_overflow(units, (int128) read_digit(digits, i), &units))
				exact_overflow_error(argname);
		}
	}

	/* The last digit counts units of NBASE^lowest. */
	lowest = weight - (ndigits - 1);
	if (lowest >= 0)
	{
		if (lowest >= (int) lengthof(pow_nbase) ||
			__builtin_mul_overflow(units, pow_nbase[lowest], &units))
			exact_overflow_error(argname);
		amount->scale = 0;
	}
	else
	{
		if (-lowest * DEC_DIGITS > EXACT_MAX_SCALE)
			exact_overflow_error(argname);
		amount->scale = -lowest * DEC_DIGITS;
	}
	amount->units = negative ? -units : units;
}

/*
 * exact_amount_rescale expresses the amount in units of 10^-scale; scale is
 * a multiple of 4, at least the amount's own.
 */
void
exact_amount_rescale(ExactAmount *amount, int scale, const char *argname)
{
	int			steps = (scale - amount->scale) / DEC_DIGITS;

	Assert(scale >= amount->scale && scale <= EXACT_MAX_SCALE);
	if (__builtin_mul_overflow(amount->units, pow_nbase[steps], &amount->units))
		exact_overflow_error(argname);
	amount->scale = scale;
}

/*
 * exact_align brings an amount and the sums of a state to a common scale:
 * the finer of the two, so that nothing is ever rounded.  It also widens
 * the state's display scale to the amount's.  Returns by how many decimal
 * places the sums were rescaled (0 when the amount was), for states that
 * keep sums of another unit (squares) to rescale alongside.
 */
int
exact_align(int16 *state_scale, int16 *state_dscale, ExactSum *sums,
			int nsums, ExactAmount *amount, const char *argname)
{
	int			raised = 0;
	int			i;

	if (amount->scale > *state_scale)
	{
		raised = amount->scale - *state_scale;
		for (i = 0; i < nsums; i++)
			exact_sum_rescale(&sums[i], raised, argname);
		*state_scale = amount->scale;
	}
	else if (amount->scale < *state_scale)
		exact_amount_rescale(amount, *state_scale, argname);
	if (amount->dscale > *state_dscale)
		*state_dscale = amount->dscale;
	return raised;
}

/*
 * exact_sum_to_numeric builds the numeric sum * 10^-scale (scale a multiple
 * of 4) shown with dscale decimals, in the canonical stored form that
 * numeric.c's make_result produces: no leading or trailing zero digits, the
 * short header whenever it can hold the weight and display scale.
 */
Numeric
exact_sum_to_numeric(const ExactSum *sum, int scale, int dscale)
{
	bool		negative;
	int16		digits[EXACT_SUM_MAX_NBASE_DIGITS];
	int			n = exact_sum_nbase_digits(sum, digits, &negative);
	int			first = 0;
	int			weight;
	int			ndigits;
	Size		len;
	Numeric		result;
	char	   *data;
	int			i;

	Assert(scale % DEC_DIGITS == 0);
	while (n > 0 && digits[n - 1] == 0)
		n--;
	while (first < n && digits[first] == 0)
		first++;
	ndigits = n - first;
	if (ndigits == 0)
	{
		weight = 0;
		negative = false;
	}
	else
	{
		int			lowest_weight = first - scale / DEC_DIGITS;

		weight = n - 1 - scale / DEC_DIGITS;
		/* Never hide a digit: show at least the decimals that are there. */
		if (lowest_weight < 0)
		{
			int			needed = -lowest_weight * DEC_DIGITS;
			int			last = digits[first];

			while (last % 10 == 0)
			{
				needed--;
				last /= 10;
			}
			dscale = Max(dscale, needed);
		}
	}
	dscale = Min(dscale, NUM_DSCALE_MASK);

	if (dscale <= NUM_SHORT_DSCALE_MAX && weight <= NUM_SHORT_WEIGHT_MAX &&
		weight >= NUM_SHORT_WEIGHT_MIN)
	{
		uint16		header = NUM_SHORT | (dscale << NUM_SHORT_DSCALE_SHIFT) |
			(weight < 0 ? NUM_SHORT_WEIGHT_SIGN_MASK : 0) |
			(weight & NUM_SHORT_WEIGHT_MASK);

		if (negative)
			header |= NUM_SHORT_SIGN_MASK;
		len = VARHDRSZ + sizeof(uint16) + ndigits * sizeof(int16);
		result = (Numeric) palloc(len);
		data = VARDATA(result);
		memcpy(data, &header, sizeof(uint16));
		data += sizeof(uint16);
	}
	else
	{
		uint16		sign_dscale = (negative ? NUM_NEG : 0) | dscale;
		int16		long_weight = (int16) weight;

		len = VARHDRSZ + 2 * sizeof(uint16) + ndigits * sizeof(int16);
		result = (Numeric) palloc(len);
		data = VARDATA(result);
		memcpy(data, &sign_dscale, sizeof(uint16));
		memcpy(data + sizeof(uint16), &long_weight, sizeof(int16));
		data += 2 * sizeof(uint16);
	}
	SET_VARSIZE(result, len);
	for (i = n - 1; i >= first; i--)
	{
		memcpy(data, &digits[i], sizeof(int16));
		data += sizeof(int16);
	}
	return result;
}

/* sign_of_numeric returns -1, 0 or 1. */
static int
sign_of_numeric(Numeric value)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(value),
											 NumericGetDatum(int64_to_numeric(0))));
}

/*
 * exact_div_round returns numerator / denominator rounded half away from
 * zero to `decimals` (0..4) decimal places, exactly: the truncated quotient
 * and its remainder decide the rounding, so there is no double rounding.
 * Both sums must have the same scale; the denominator must not be zero.
 */
Numeric
exact_div_round(const ExactSum *numerator, const ExactSum *denominator,
				int decimals)
{
	static const int64 pow10[DEC_DIGITS + 1] = {1, 10, 100, 1000, 10000};
	int128		n;
	int128		d;

	Assert(decimals >= 0 && decimals <= DEC_DIGITS);
	if (exact_sum_to_int128(numerator, &n) &&
		exact_sum_to_int128(denominator, &d) && d != 0 &&
		!__builtin_mul_overflow(n, (int128) pow10[decimals], &n) &&
		!(d == -1 && (uint128) n == ((uint128) 1 << 127)))
	{
		int128		quotient = n / d;
		int128		remainder = n % d;
		ExactSum	result;

		if (remainder != 0)
		{
			uint128		abs_remainder = (remainder < 0) ? -(uint128) remainder : (uint128) remainder;
			uint128		abs_divisor = (d < 0) ? -(uint128) d : (uint128) d;

			if (abs_remainder >= abs_divisor - abs_remainder)
				quotient += ((n < 0) != (d < 0)) ? -1 : 1;
		}
		/* units of 10^-decimals to units of 10^-4 */
		result = exact_sum_from_int128(quotient);
		exact_sum_rescale(&result, DEC_DIGITS - decimals, "ratio");
		return exact_sum_to_numeric(&result, DEC_DIGITS, decimals);
	}
	else
	{
		/* Totals beyond 2^127: the same computation in numeric. */
		Numeric		num = exact_sum_to_numeric(numerator, 0, 0);
		Numeric		den = exact_sum_to_numeric(denominator, 0, 0);
		Numeric		quotient;
		Numeric		remainder;
		Numeric		twice;

		if (sign_of_numeric(den) == 0)
			elog(ERROR, "exact_div_round: division by zero");
		num = numeric_mul_opt_error(num, int64_to_numeric(pow10[decimals]), NULL);
		quotient = DatumGetNumeric(DirectFunctionCall2(numeric_div_trunc,
													   NumericGetDatum(num),
													   NumericGetDatum(den)));
		remainder = numeric_sub_opt_error(num, numeric_mul_opt_error(quotient, den, NULL),
										  NULL);
		twice = numeric_mul_opt_error(remainder, int64_to_numeric(2), NULL);
		if (sign_of_numeric(remainder) != 0 &&
			DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											  DirectFunctionCall1(numeric_abs, NumericGetDatum(twice)),
											  DirectFunctionCall1(numeric_abs, NumericGetDatum(den)))) >= 0)
			quotient = numeric_add_opt_error(quotient,
											 int64_to_numeric(sign_of_numeric(num) == sign_of_numeric(den) ? 1 : -1),
											 NULL);
		return numeric_mul_opt_error(quotient,
									 int64_div_fast_to_numeric(1, decimals), NULL);
	}
}


/*
 * crisk_require_exact_amount implements crisk.require_exact_amount(amount):
 * true when every exact total can hold the amount together with any other
 * such amount (see EXACT_LEDGER_MAX_DECIMALS), else an error saying why.
 * crisk.invoice checks its amounts with it; an ERP can add the same CHECK
 * to the table it points crisk at.
 */
Datum
crisk_require_exact_amount(PG_FUNCTION_ARGS)
{
	Numeric		amount = PG_GETARG_NUMERIC(0);
	int32		decimals;
	Datum		magnitude;

	StaticAssertStmt(EXACT_LEDGER_MAX_DIGITS + EXACT_LEDGER_MAX_DECIMALS <= 38 &&
					 EXACT_LEDGER_MAX_DECIMALS % 4 == 0,
					 "ledger amounts must fit an int128 of units: 10^38 < 2^127");

	if (numeric_is_nan(amount) || numeric_is_inf(amount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount must be a finite number"),
				 errdetail("amount is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(amount))))));
	decimals = DatumGetInt32(DirectFunctionCall1(numeric_min_scale,
												 NumericGetDatum(amount)));
	if (decimals > EXACT_LEDGER_MAX_DECIMALS)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("amount has too many decimal places for crisk's exact totals"),
				 errdetail("amount has %d decimal places; crisk keeps totals exactly and accepts at most %d.",
						   decimals, EXACT_LEDGER_MAX_DECIMALS),
				 errhint("Round the amount, for example with round(amount, 2).")));
	if (ledger_limit == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		ledger_limit = DatumGetNumericCopy(DirectFunctionCall3(numeric_in,
															   CStringGetDatum("1e" CppAsString2(EXACT_LEDGER_MAX_DIGITS)),
															   ObjectIdGetDatum(InvalidOid),
															   Int32GetDatum(-1)));
		MemoryContextSwitchTo(old);
	}
	magnitude = DirectFunctionCall1(numeric_abs, NumericGetDatum(amount));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, magnitude,
										  NumericGetDatum(ledger_limit))) >= 0)
	{
		char	   *whole = DatumGetCString(DirectFunctionCall1(numeric_out,
																DirectFunctionCall2(numeric_trunc, magnitude,
																					Int32GetDatum(0))));

		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("amount is too large for crisk's exact totals"),
				 errdetail("amount has %d digits before the decimal point; crisk keeps totals exactly and accepts amounts below 10^%d in absolute value.",
						   (int) strlen(whole), EXACT_LEDGER_MAX_DIGITS),
				 errhint("Check the amount: it is beyond any invoice.")));
	}
	PG_RETURN_BOOL(true);
}
