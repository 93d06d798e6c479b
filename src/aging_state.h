/*-------------------------------------------------------------------------
 *
 * aging_state.h
 *	  The transition state of crisk.aging and crisk.expected_credit_loss:
 *	  exact open amounts per aging bucket, the bucket bounds, and for
 *	  expected credit loss the loss rate of each bucket.
 *
 * One C layout serves two SQL types, crisk.aging_state and
 * crisk.expected_credit_loss_state (with rates); a varlena sized to the
 * number of buckets:
 *
 *	  AgingState header
 *	  int32    upper[nbounds]            bucket bounds, as in AgingBounds
 *	  (padding to 8 bytes)
 *	  ExactSum sums[nbounds + 2]         current, then each overdue bucket
 *	  int128   rates[nrates]             loss rates in units of 10^-rate_scale
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_AGING_STATE_H
#define CRISK_AGING_STATE_H

#include "fmgr.h"

#include "aging.h"
#include "exact_numeric.h"

typedef struct AgingState
{
	int32		vl_len_;		/* varlena header */
	int16		scale;			/* decimal places of the sums (multiple of 4) */
	int16		dscale;			/* decimals to show: the most of any amount */
	int16		nbounds;
	int16		nrates;			/* 0 for crisk.aging, else nbounds + 2 */
	int16		rate_scale;		/* decimal places of the rates (multiple of 4) */
	int16		rate_dscale;	/* the most decimals any rate was given with */
} AgingState;

/* Loss rates of a provision matrix, one per bucket, each in [0, 1]. */
typedef struct LossRates
{
	int			nrates;
	int			scale;
	int			dscale;
	int128		rate[AGING_MAX_BOUNDS + 2];
} LossRates;

/* aging_state_upper points at the bucket bounds. */
static inline int32 *
aging_state_upper(AgingState *state)
{
	return (int32 *) ((char *) state + sizeof(AgingState));
}

/* aging_state_sums points at the bucket totals, current first. */
static inline ExactSum *
aging_state_sums(AgingState *state)
{
	return (ExactSum *) ((char *) state +
						 MAXALIGN(sizeof(AgingState) + state->nbounds * sizeof(int32)));
}

/* aging_state_rates points at the loss rates (expected credit loss only). */
static inline int128 *
aging_state_rates(AgingState *state)
{
	return (int128 *) (aging_state_sums(state) + AgingBucketCount(state));
}

extern AgingState *aging_state_new(const AgingBounds *bounds,
								   const LossRates *rates);
extern AgingState *aging_state_accept(FunctionCallInfo fcinfo,
									  const AgingBounds *bounds,
									  const LossRates *rates);
extern void aging_state_add(AgingState *state, const AgingBounds *bounds,
							FunctionCallInfo fcinfo);
extern Datum aging_state_combine(FunctionCallInfo fcinfo);
extern AgingState *aging_state_parse(const char *str, const char *typname,
									 bool with_rates);
extern char *aging_state_format(AgingState *state);

#endif							/* CRISK_AGING_STATE_H */
