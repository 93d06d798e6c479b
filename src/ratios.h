/*-------------------------------------------------------------------------
 *
 * ratios.h
 *	  Receivables ratios (DSO, best possible DSO, collection effectiveness)
 *	  and the exact rounded division they share with late-payment interest.
 *
 * Ratios of money are computed in numeric and rounded once, half away from
 * zero, at a fixed number of decimals, so the same inputs always give the
 * same figure to the last digit, whatever their magnitude.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_RATIOS_H
#define CRISK_RATIOS_H

#include "utils/numeric.h"

/* Decimals of crisk.dso, crisk.best_possible_dso (days) and
 * crisk.collection_effectiveness (percent). */
#define RATIO_SCALE 2

extern int	crisk_numeric_sign(Numeric value);
extern Numeric crisk_numeric_div_round(Numeric dividend, Numeric divisor,
									   int scale);

#endif							/* CRISK_RATIOS_H */
