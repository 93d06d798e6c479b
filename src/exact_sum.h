/*-------------------------------------------------------------------------
 *
 * exact_sum.h
 *	  256-bit two's complement integers for crisk's exact totals.
 *
 * A total is a count of units of 10^-scale (exact_numeric.h turns numeric
 * amounts into such counts).  256 bits hold about 5.8 * 10^72 units, so a
 * total overflows only for absurd amounts or hand-made states; then every
 * operation raises 22003 rather than wrap around.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_EXACT_SUM_H
#define CRISK_EXACT_SUM_H

#include "lib/stringinfo.h"

/* Most decimal places of a total (and of an amount); a multiple of 4. */
#define EXACT_MAX_SCALE 36

/* Base-10000 digits a 256-bit magnitude can need (2^255 < 10^77). */
#define EXACT_SUM_MAX_NBASE_DIGITS 24

/* A 256-bit two's complement integer; limb[0] is the least significant. */
typedef struct ExactSum
{
	uint64		limb[4];
} ExactSum;

extern pg_attribute_noreturn() void exact_overflow_error(const char *argname);

extern void exact_sum_add(ExactSum *sum, const ExactSum *addend,
						  const char *argname);
extern void exact_sum_sub(ExactSum *sum, const ExactSum *subtrahend,
						  const char *argname);
extern void exact_sum_add_product(ExactSum *sum, int128 a, int64 b,
								  const char *argname);
extern void exact_sum_rescale(ExactSum *sum, int digits, const char *argname);
extern void exact_sum_mul_int64(ExactSum *sum, int64 factor,
								const char *argname);
extern ExactSum exact_sum_product128(int128 a, int128 b);
extern bool exact_sum_to_int128(const ExactSum *sum, int128 *result);
extern int	exact_sum_cmp(const ExactSum *a, const ExactSum *b);
extern long double exact_sum_to_long_double(const ExactSum *sum);
extern double exact_ratio(const ExactSum *a, const ExactSum *b);
extern int	exact_sum_nbase_digits(const ExactSum *sum, int16 *digits,
								   bool *negative);
extern void exact_sum_out(StringInfo buf, const ExactSum *sum, int scale);
extern const char *exact_sum_in(const char *str, int scale, ExactSum *sum,
								bool *out_of_range);

/* exact_sum_is_negative tells whether the sum is below zero. */
static inline bool
exact_sum_is_negative(const ExactSum *sum)
{
	return (int64) sum->limb[3] < 0;
}

/* exact_sum_is_zero tells whether the sum is zero. */
static inline bool
exact_sum_is_zero(const ExactSum *sum)
{
	return (sum->limb[0] | sum->limb[1] | sum->limb[2] | sum->limb[3]) == 0;
}

/* exact_sum_sign returns -1, 0 or 1. */
static inline int
exact_sum_sign(const ExactSum *sum)
{
	if (exact_sum_is_negative(sum))
		return -1;
	return exact_sum_is_zero(sum) ? 0 : 1;
}

/*
 * exact_sum_add_int128 adds a 128-bit value: the per-row operation of every
 * aggregate, so it is inline, branch-light and allocation-free.  A signed
 * overflow of the top limb (only reachable through states typed in by
 * hand, or some 2^128 rows) raises 22003.
 */
static inline void
exact_sum_add_int128(ExactSum *sum, int128 value, const char *argname)
{
	uint64		extension = (value < 0) ? ~UINT64CONST(0) : 0;
	bool		was_negative = exact_sum_is_negative(sum);
	uint128		carry;

	carry = (uint128) sum->limb[0] + (uint64) value;
	sum->limb[0] = (uint64) carry;
	carry = (uint128) sum->limb[1] + (uint64) ((uint128) value >> 64) +
		(uint64) (carry >> 64);
	sum->limb[1] = (uint64) carry;
	carry = (uint128) sum->limb[2] + extension + (uint64) (carry >> 64);
	sum->limb[2] = (uint64) carry;
	sum->limb[3] = sum->limb[3] + extension + (uint64) (carry >> 64);

	if (unlikely(was_negative == (value < 0) &&
				 exact_sum_is_negative(sum) != was_negative))
		exact_overflow_error(argname);
}

/* exact_sum_from_int128 widens a 128-bit value. */
static inline ExactSum
exact_sum_from_int128(int128 value)
{
	ExactSum	sum = {{0, 0, 0, 0}};

	exact_sum_add_int128(&sum, value, "value");
	return sum;
}

#endif							/* CRISK_EXACT_SUM_H */
