/*-------------------------------------------------------------------------
 *
 * exact_sum.c
 *	  256-bit two's complement integers for crisk's exact totals: checked
 *	  arithmetic, ratios, and an exact decimal text form.
 *
 * Why not numeric arithmetic?  Adding numerics allocates on every row,
 * and a float total would depend on the order of the rows, which differs
 * between a serial and a parallel plan.  Integers of the smallest decimal
 * unit in use are exact, order-independent and allocation-free; 256 bits
 * leave room for any realistic total and for sums of amounts times days
 * squared.  Every operation that could overflow checks and raises 22003.
 * exact_numeric.c converts numeric amounts to and from these integers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "exact_sum.h"

/* numeric's digit base, for exact_sum_nbase_digits. */
#define NBASE						10000

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

/* ---- 256-bit magnitudes (unsigned, four 64-bit limbs) ---- */

/* sum_negate negates in place (two's complement). */
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
 * exact_sum_nbase_digits splits |sum| into base-10000 digits, least
 * significant first, sets *negative, and returns how many digits there are
 * (none for zero; at most EXACT_SUM_MAX_NBASE_DIGITS).  Magnitudes below
 * 2^64 (every realistic total) need only 64-bit divisions by a constant.
 */
int
exact_sum_nbase_digits(const ExactSum *sum, int16 *digits, bool *negative)
{
	ExactSum	magnitude = magnitude_of(sum, negative);
	int			n = 0;

	while (magnitude.limb[1] | magnitude.limb[2] | magnitude.limb[3])
	{
		uint64		chunk = magnitude_divmod_small(&magnitude,
												   UINT64CONST(10000000000000000));
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
