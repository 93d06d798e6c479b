/*-------------------------------------------------------------------------
 *
 * outcome_counts.h
 *	  The state type crisk.outcome_counts: the rows of a sample gathered as
 *	  distinct patterns of values, each with its count of bad and of good
 *	  rows.  crisk.logistic_regression (patterns of characteristics),
 *	  crisk.auc and crisk.ks (patterns of one score) share it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_OUTCOME_COUNTS_H
#define CRISK_OUTCOME_COUNTS_H

#include "fmgr.h"

/* The most values a pattern may have (elements of x). */
#define OUTCOME_COUNTS_MAX_COLUMNS 1000

/*
 * OutcomeCounts is a varlena holding `patterns` records of columns + 2
 * doubles each: the values, then the count of bad rows, then the count of
 * good rows (whole numbers, exact up to 2^53).  Records may repeat a
 * pattern until outcome_counts_compact merges them; the space after the
 * last record is room for more.
 */
typedef struct OutcomeCounts
{
	int32		vl_len_;		/* varlena header */
	int32		columns;		/* values per pattern */
	int32		patterns;		/* records in use */
	int16		compacted;		/* true when records are sorted and distinct */
	int16		skip_compaction;	/* the last compaction merged little: grow */
	double		records[FLEXIBLE_ARRAY_MEMBER];
} OutcomeCounts;

#define OUTCOME_COUNTS_STRIDE(state) ((state)->columns + 2)
#define OUTCOME_COUNTS_RECORD(state, i) \
	((state)->records + (Size) (i) * OUTCOME_COUNTS_STRIDE(state))
#define OUTCOME_COUNTS_CAPACITY(state) \
	((int32) ((VARSIZE(state) - offsetof(OutcomeCounts, records)) / \
			  (sizeof(double) * OUTCOME_COUNTS_STRIDE(state))))

extern OutcomeCounts *outcome_counts_create(int columns, int capacity);
extern OutcomeCounts *outcome_counts_add(OutcomeCounts *state, const double *values,
										 double bads, double goods);
extern void outcome_counts_compact(OutcomeCounts *state);
extern const OutcomeCounts *outcome_counts_compacted(const OutcomeCounts *state);
extern void outcome_counts_totals(const OutcomeCounts *state, double *bads,
								  double *goods);

#endif							/* CRISK_OUTCOME_COUNTS_H */
