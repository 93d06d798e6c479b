/*-------------------------------------------------------------------------
 *
 * aging.h
 *	  Days past due and aging buckets.
 *
 * Buckets are defined by ascending upper bounds b1 < ... < bn, all > 0:
 * bucket 0 is "current" (not yet due), bucket i (1..n) holds invoices
 * b(i-1)+1 .. bi days past due, and bucket n+1 everything beyond bn.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_AGING_H
#define CRISK_AGING_H

#include "fmgr.h"

/* Limit on bounds, so that an aging state has a small fixed size. */
#define AGING_MAX_BOUNDS 64

typedef struct AgingBounds
{
	int			nbounds;		/* n; there are n + 2 buckets with current */
	int32		upper[AGING_MAX_BOUNDS];
} AgingBounds;

/* Number of buckets, including current. */
#define AgingBucketCount(b) ((b)->nbounds + 2)

extern const AgingBounds aging_default_bounds;

extern void aging_bounds_parse(Datum array, const char *argname,
							   AgingBounds *bounds);
extern const AgingBounds *aging_bounds_cached(FunctionCallInfo fcinfo,
											  int argno,
											  const char *argname);
extern int	aging_bucket_of(int32 days_past_due, const AgingBounds *bounds);
extern char *aging_bucket_label(int bucket, const AgingBounds *bounds);

#endif							/* CRISK_AGING_H */
