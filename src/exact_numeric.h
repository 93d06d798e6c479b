/*-------------------------------------------------------------------------
 *
 * exact_numeric.h
 *	  Numeric amounts to and from crisk's exact totals (exact_sum.h).
 *
 * An amount is read straight from numeric's stored base-10000 digits, with
 * no allocation, into an integer count of units of 10^-scale (the scale is
 * a multiple of 4, numeric's digit size).  Adding such counts in any order
 * gives the same total to the last digit, which is what makes serial and
 * parallel plans agree.
 *
 * Limits: an amount must fit in a signed 128-bit count of units at the
 * scale in use (up to about 1.7 * 10^34 with 4 decimal places; every further
 * 4 decimal places divide this by 10^4), and may have at most
 * EXACT_MAX_SCALE decimal places; totals must stay below 2^255 units (about
 * 5.8 * 10^72 with 4 decimal places).  Beyond these, an error with SQLSTATE
 * 22003 is raised; nothing is ever rounded.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_EXACT_NUMERIC_H
#define CRISK_EXACT_NUMERIC_H

#include "fmgr.h"
#include "utils/numeric.h"

#include "exact_sum.h"

/*
 * What crisk.require_exact_amount accepts in a ledger it owns: at most
 * EXACT_LEDGER_MAX_DECIMALS decimal places and an absolute value below
 * 10^EXACT_LEDGER_MAX_DIGITS.  Amounts in a total are counted in units of
 * the finest decimal place any of them has (a multiple of 4: here at most
 * 10^-8), and each must fit in a signed 128-bit count of units: 10^30 *
 * 10^8 = 10^38 < 2^127 (about 1.7 * 10^38).  So any mix of such amounts
 * can be totalled, whichever rows meet in an aggregate.
 */
#define EXACT_LEDGER_MAX_DECIMALS 8
#define EXACT_LEDGER_MAX_DIGITS 30

/* Largest display scale a numeric can carry (numeric.c's dscale mask). */
#define EXACT_MAX_DSCALE 0x3FFF

/* An amount: units * 10^-scale, shown with dscale decimals. */
typedef struct ExactAmount
{
	int128		units;
	int			scale;			/* a multiple of 4, 0..EXACT_MAX_SCALE */
	int			dscale;			/* the numeric's display scale */
} ExactAmount;

extern void exact_amount_from_numeric(Datum value, const char *argname,
									  ExactAmount *amount);
extern void exact_amount_rescale(ExactAmount *amount, int scale,
								 const char *argname);
extern int	exact_align(int16 *state_scale, int16 *state_dscale,
						ExactSum *sums, int nsums, ExactAmount *amount,
						const char *argname);
extern Numeric exact_sum_to_numeric(const ExactSum *sum, int scale, int dscale);
extern Numeric exact_div_round(const ExactSum *numerator,
							   const ExactSum *denominator, int decimals);

#endif							/* CRISK_EXACT_NUMERIC_H */
