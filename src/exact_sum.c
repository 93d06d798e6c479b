/*-------------------------------------------------------------------------
 *
 * exact_sum.c
 *	  Exact money totals for crisk's aggregates: numeric amounts decoded
 *	  into 128-bit integers of decimal units, summed into 256-bit integers.
 *
 * Why not numeric arithmetic?  Adding numerics allocates on every row,
 * and a float total would depend on the order of the rows, which differs
 * between a serial and a parallel plan.  Integers of the smallest decimal
 * unit in use are exact, order-independent and allocation-free.
 *
 * Amounts are decoded from numeric's stored form (an array of base-10000
 * digits with a weight and a display scale; see numeric.c).  That form is
 * PostgreSQL's on-disk format, which pg_upgrade relies on, so it does not
 * change between releases.  Scales are kept at multiples of 4 decimal
 * places, so that a numeric digit never straddles the decimal point.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/fmgrprotos.h"

#include "exact_sum.h"

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

/* Base-10000 digits a 256-bit magnitude can need. */
#define MAX_NBASE_DIGITS			24

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

/*
 * exact_overflow_error reports a value beyond what the exact totals hold.
 */
void
exact_overflow_error(const char *argname)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range for an exact total", argname),
			 errdetail("Totals are kept exactly, in units of the smallest decimal place in use: "
					   "with up to 4 decimal places an amount may reach about 1.7e34 and a total 5.8e72, "
					   "every 4 further decimal places divide both limits by 10000, "
					   "and at most %d decimal places are allowed.",
					   EXACT_MAX_SCALE),
			 errhint("Round the amounts, for example with round(%s, 2).", argname)));
}

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

/* ---- 256-bit magnitudes (unsigned, four 64-bit limbs) ---- */

static void
sum_negate(ExactSum *sum)
{
	uint64		carry = 1;
	int			i;

	for (i = 0; i < 4; i++)
	{
		uint64		limb = ~sum->limb[i] + carry;

		carry = (carry && limb == 0) ? 1 : 0;
		sum->limb[i] = limb;
	}
}

/* magnitude_of returns |sum| and whether sum was negative. */
static ExactSum
magnitude_of(const ExactSum *sum, bool *negative)
{
	ExactSum	magnitude = *sum;

	*negative = exact_sum_is_negative(sum);
	if (*negative)
		sum_negate(&magnitude);
	return magnitude;
}

/*
 * signed_from_magnitude gives the magnitude the sign; false when the result
 * does not fit (only -2^255 may use the top bit).
 */
static bool
signed_from_magnitude(ExactSum *magnitude, bool negative)
{
	if (magnitude->limb[3] >> 63)
	{
		if (!negative || magnitude->limb[3] != (UINT64CONST(1) << 63) ||
			(magnitude->limb[0] | magnitude->limb[1] | magnitude->limb[2]) != 0)
			return false;
	}
	if (negative)
		sum_negate(magnitude);
	return true;
}

/* magnitude_mul_small multiplies in place; false on a carry out of 256 bits. */
static bool
magnitude_mul_small(ExactSum *magnitude, uint64 factor)
{
	uint128		carry = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		carry += (uint128) magnitude->limb[i] * factor;
		magnitude->limb[i] = (uint64) carry;
		carry >>= 64;
	}
	return carry == 0;
}

/* magnitude_add_small adds in place; false on a carry out of 256 bits. */
static bool
magnitude_add_small(ExactSum *magnitude, uint64 addend)
{
	uint128		carry = addend;
	int			i;

	for (i = 0; i < 4; i++)
	{
		carry += magnitude->limb[i];
		magnitude->limb[i] = (uint64) carry;
		carry >>= 64;
	}
	return carry == 0;
}

/* magnitude_divmod_small divides in place and returns the remainder. */
static uint64
magnitude_divmod_small(ExactSum *magnitude, uint64 divisor)
{
	uint128		remainder = 0;
	int			i;

	for (i = 3; i >= 0; i--)
	{
		uint128		current = (remainder << 64) | magnitude->limb[i];

		magnitude->limb[i] = (uint64) (current / divisor);
		remainder = current % divisor;
	}
	return (uint64) remainder;
}

/* ---- signed 256-bit sums ---- */

/* exact_sum_add adds another sum; 22003 on overflow. */
void
exact_sum_add(ExactSum *sum, const ExactSum *addend, const char *argname)
{
	bool		was_negative = exact_sum_is_negative(sum);
	bool		addend_negative = exact_sum_is_negative(addend);
	uint128		carry = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		carry += (uint128) sum->limb[i] + addend->limb[i];
		sum->limb[i] = (uint64) carry;
		carry >>= 64;
	}
	if (was_negative == addend_negative &&
		exact_sum_is_negative(sum) != was_negative)
		exact_overflow_error(argname);
}

/* exact_sum_sub subtracts another sum; 22003 on overflow. */
void
exact_sum_sub(ExactSum *sum, const ExactSum *subtrahend, const char *argname)
{
	bool		was_negative = exact_sum_is_negative(sum);
	bool		subtrahend_negative = exact_sum_is_negative(subtrahend);
	uint64		borrow = 0;
	int			i;

	for (i = 0; i < 4; i++)
	{
		uint64		a = sum->limb[i];
		uint64		b = subtrahend->limb[i];
		uint64		difference = a - b - borrow;

		borrow = (a < b || (a == b && borrow)) ? 1 : 0;
		sum->limb[i] = difference;
	}
	if (was_negative != subtrahend_negative &&
		exact_sum_is_negative(sum) != was_negative)
		exact_overflow_error(argname);
}

/*
 * exact_sum_product128 returns a * b exactly: both are below 2^127 in
 * magnitude, so the product is below 2^254 and always fits.
 */
ExactSum
exact_sum_product128(int128 a, int128 b)
{
	uint128		ua = (a < 0) ? -(uint128) a : (uint128) a;
	uint128		ub = (b < 0) ? -(uint128) b : (uint128) b;
	uint64		a0 = (uint64) ua,
				a1 = (uint64) (ua >> 64),
				b0 = (uint64) ub,
				b1 = (uint64) (ub >> 64);
	uint128		p00 = (uint128) a0 * b0;
	uint128		p01 = (uint128) a0 * b1;
	uint128		p10 = (uint128) a1 * b0;
	uint128		p11 = (uint128) a1 * b1;
	uint128		middle;
	uint128		high;
	ExactSum	product;

	product.limb[0] = (uint64) p00;
	middle = (p00 >> 64) + (uint64) p01 + (uint64) p10;
	product.limb[1] = (uint64) middle;
	high = (middle >> 64) + (p01 >> 64) + (p10 >> 64) + (uint64) p11;
	product.limb[2] = (uint64) high;
	product.limb[3] = (uint64) ((high >> 64) + (p11 >> 64));
	if ((a < 0) != (b < 0))
		sum_negate(&product);
	return product;
}

/*
 * exact_sum_add_product adds a * b (amount times days, or days squared).
 * The usual case, an amount below 2^63 units, stays in 128 bits.
 */
void
exact_sum_add_product(ExactSum *sum, int128 a, int64 b, const char *argname)
{
	if (a == (int128) (int64) a)
		exact_sum_add_int128(sum, (int128) (int64) a * b, argname);
	else
	{
		ExactSum	product = exact_sum_product128(a, b);

		exact_sum_add(sum, &product, argname);
	}
}

/* exact_sum_mul_int64 multiplies in place; 22003 on overflow. */
void
exact_sum_mul_int64(ExactSum *sum, int64 factor, const char *argname)
{
	bool		negative;
	ExactSum	magnitude = magnitude_of(sum, &negative);
	uint64		factor_magnitude = (factor < 0) ? -(uint64) factor : (uint64) factor;

	if (!magnitude_mul_small(&magnitude, factor_magnitude) ||
		!signed_from_magnitude(&magnitude, negative != (factor < 0)))
		exact_overflow_error(argname);
	*sum = magnitude;
}

/* exact_sum_rescale multiplies by 10^digits; 22003 on overflow. */
void
exact_sum_rescale(ExactSum *sum, int digits, const char *argname)
{
	bool		negative;
	ExactSum	magnitude;

	if (exact_sum_is_zero(sum))
		return;
	magnitude = magnitude_of(sum, &negative);
	while (digits > 0)
	{
		int			step = Min(digits, 16);
		uint64		factor = 1;
		int			i;

		for (i = 0; i < step; i++)
			factor *= 10;
		if (!magnitude_mul_small(&magnitude, factor))
			exact_overflow_error(argname);
		digits -= step;
	}
	if (!signed_from_magnitude(&magnitude, negative))
		exact_overflow_error(argname);
	*sum = magnitude;
}

/* exact_sum_to_int128 narrows the sum when it fits. */
bool
exact_sum_to_int128(const ExactSum *sum, int128 *result)
{
	uint64		extension = ((int64) sum->limb[1] < 0) ? ~UINT64CONST(0) : 0;

	if (sum->limb[2] != extension || sum->limb[3] != extension)
		return false;
	*result = (int128) (((uint128) sum->limb[1] << 64) | sum->limb[0]);
	return true;
}

/* exact_sum_cmp returns -1, 0 or 1 as a is below, equal to or above b. */
int
exact_sum_cmp(const ExactSum *a, const ExactSum *b)
{
	bool		a_negative = exact_sum_is_negative(a);
	int			i;

	if (a_negative != exact_sum_is_negative(b))
		return a_negative ? -1 : 1;
	/* Same sign: two's complement order is the unsigned order. */
	for (i = 3; i >= 0; i--)
	{
		if (a->limb[i] != b->limb[i])
			return a->limb[i] < b->limb[i] ? -1 : 1;
	}
	return 0;
}

/*
 * exact_sum_to_long_double converts for ratios.  The result depends only on
 * the exact sum, never on the order the rows came in.
 */
long double
exact_sum_to_long_double(const ExactSum *sum)
{
	bool		negative;
	ExactSum	magnitude = magnitude_of(sum, &negative);
	const long double two64 = 18446744073709551616.0L;
	long double result;

	result = (((long double) magnitude.limb[3] * two64 +
			   (long double) magnitude.limb[2]) * two64 +
			  (long double) magnitude.limb[1]) * two64 +
		(long double) magnitude.limb[0];
	return negative ? -result : result;
}

/*
 * exact_ratio returns a / b (b not zero) as a double.  When both fit in 53
 * bits (every realistic amount-weighted sum) the division is IEEE's,
 * correctly rounded, so that e.g. 617280 / 123456 is exactly 5; beyond
 * that, long double carries the precision.
 */
double
exact_ratio(const ExactSum *a, const ExactSum *b)
{
	const int128 limit = (int128) 1 << 53;
	int128		x;
	int128		y;

	if (exact_sum_to_int128(a, &x) && exact_sum_to_int128(b, &y) &&
		x <= limit && x >= -limit && y <= limit && y >= -limit)
		return (double) (int64) x / (double) (int64) y;
	return (double) (exact_sum_to_long_double(a) / exact_sum_to_long_double(b));
}

/*
 * nbase_digits_of splits a magnitude into base-10000 digits, least
 * significant first, and returns how many there are.  Magnitudes below
 * 2^64 (every realistic total) need only 64-bit divisions by a constant.
 */
static int
nbase_digits_of(ExactSum magnitude, int16 *digits)
{
	int			n = 0;

	while (magnitude.limb[1] | magnitude.limb[2] | magnitude.limb[3])
	{
		uint64		chunk = magnitude_divmod_small(&magnitude, (uint64) TEN_16);
		int			i;

		for (i = 0; i < 4; i++)
		{
			digits[n++] = (int16) (chunk % NBASE);
			chunk /= NBASE;
		}
	}
	while (magnitude.limb[0] != 0)
	{
		digits[n++] = (int16) (magnitude.limb[0] % NBASE);
		magnitude.limb[0] /= NBASE;
	}
	return n;
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
	ExactSum	magnitude = magnitude_of(sum, &negative);
	int16		digits[MAX_NBASE_DIGITS];
	int			n = nbase_digits_of(magnitude, digits);
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
 * exact_sum_out writes the sum as a decimal with exactly `scale` decimals.
 */
void
exact_sum_out(StringInfo buf, const ExactSum *sum, int scale)
{
	bool		negative;
	ExactSum	magnitude = magnitude_of(sum, &negative);
	uint64		chunks[6];
	int			nchunks = 0;
	char		digits[128];
	int			len;
	int			i;

	/* Decimal digits in chunks of 18, least significant chunk first. */
	do
	{
		chunks[nchunks++] = magnitude_divmod_small(&magnitude,
												   UINT64CONST(1000000000000000000));
	} while (magnitude.limb[0] | magnitude.limb[1] | magnitude.limb[2] | magnitude.limb[3]);
	len = snprintf(digits, sizeof(digits), UINT64_FORMAT, chunks[nchunks - 1]);
	for (i = nchunks - 2; i >= 0; i--)
		len += snprintf(digits + len, sizeof(digits) - len,
						"%018" INT64_MODIFIER "u", chunks[i]);

	if (negative)
		appendStringInfoChar(buf, '-');
	if (len <= scale)
	{
		appendStringInfoString(buf, "0.");
		for (i = len; i < scale; i++)
			appendStringInfoChar(buf, '0');
		appendStringInfoString(buf, digits);
	}
	else
	{
		appendBinaryStringInfo(buf, digits, len - scale);
		if (scale > 0)
		{
			appendStringInfoChar(buf, '.');
			appendBinaryStringInfo(buf, digits + len - scale, scale);
		}
	}
}

/*
 * exact_sum_in reads [-]digits[.digits] with at most `scale` decimals into
 * units of 10^-scale.  Returns the end of the number, or NULL when the text
 * is not such a number; *out_of_range is set when it does not fit.
 */
const char *
exact_sum_in(const char *str, int scale, ExactSum *sum, bool *out_of_range)
{
	const char *p = str;
	bool		negative = false;
	int			decimals = 0;
	ExactSum	magnitude = {{0, 0, 0, 0}};
	bool		fits = true;

	*out_of_range = false;
	if (*p == '-')
	{
		negative = true;
		p++;
	}
	if (!isdigit((unsigned char) *p))
		return NULL;
	while (isdigit((unsigned char) *p))
	{
		fits = fits && magnitude_mul_small(&magnitude, 10) &&
			magnitude_add_small(&magnitude, *p - '0');
		p++;
	}
	if (*p == '.')
	{
		p++;
		if (!isdigit((unsigned char) *p))
			return NULL;
		while (isdigit((unsigned char) *p))
		{
			if (++decimals > scale)
				return NULL;
			fits = fits && magnitude_mul_small(&magnitude, 10) &&
				magnitude_add_small(&magnitude, *p - '0');
			p++;
		}
	}
	for (; decimals < scale; decimals++)
		fits = fits && magnitude_mul_small(&magnitude, 10);
	if (!fits || !signed_from_magnitude(&magnitude, negative))
	{
		*out_of_range = true;
		return NULL;
	}
	*sum = magnitude;
	return p;
}
