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
#include "utils/expandeddatum.h"

/* The most values a pattern may have (elements of x). */
#define OUTCOME_COUNTS_MAX_COLUMNS 1000

/*
 * OutcomeCounts is a varlena holding `patterns` records of columns + 2
 * doubles each: the values, then the count of bad rows, then the count of
 * good rows (whole numbers, exact up to 2^53).  Records may repeat a
 * pattern (after a combine function appended another state's) until
 * outcome_counts_compact merges them; the space after the last record is
 * room for more.
 */
typedef struct OutcomeCounts
{
	int32		vl_len_;		/* varlena header */
	int32		columns;		/* values per pattern */
	int32		patterns;		/* records in use */
	int16		compacted;		/* true when records are sorted and distinct */
	int16		reserved;		/* 0 */
	double		records[FLEXIBLE_ARRAY_MEMBER];
} OutcomeCounts;

#define OUTCOME_COUNTS_STRIDE(state) ((state)->columns + 2)
#define OUTCOME_COUNTS_RECORD(state, i) \
	((state)->records + (Size) (i) * OUTCOME_COUNTS_STRIDE(state))
#define OUTCOME_COUNTS_CAPACITY(state) \
	((int32) ((VARSIZE(state) - offsetof(OutcomeCounts, records)) / \
			  (sizeof(double) * OUTCOME_COUNTS_STRIDE(state))))

/*
 * ExpandedOutcomeCounts is the state while an aggregate gathers rows: an
 * expanded object in a memory context of its own, child of the aggregate
 * context, holding the flat state with room to spare.  The transition and
 * combine functions update it in place and return the same read-write
 * pointer, so the executor never copies it; it is flattened only when it
 * leaves the aggregate (a parallel worker's partial state, a final
 * function that detoasts it, the text output).
 */
typedef struct ExpandedOutcomeCounts
{
	ExpandedObjectHeader hdr;
	OutcomeCounts *state;		/* palloc'd in hdr.eoh_context; distinct patterns */
	struct OutcomeCountsSlot *slots;	/* hash table of the records */
	uint32		slot_mask;		/* slots - 1 (a power of 2, minus 1) */
	double	   *pending;		/* rows not entered yet, as records */
	int			pending_rows;
	bool		canonical;		/* records in canonical order (reorder_canonical) */
	bool		slots_stale;	/* records moved since the slots were filled */
} ExpandedOutcomeCounts;

extern OutcomeCounts *outcome_counts_create(int columns, int capacity);
extern ExpandedOutcomeCounts *outcome_counts_open(FunctionCallInfo fcinfo, int argno,
												  int columns);
extern void outcome_counts_append(ExpandedOutcomeCounts *expanded, const double *values,
								  double bads, double goods);
extern Datum outcome_counts_close(FunctionCallInfo fcinfo, ExpandedOutcomeCounts *expanded);
extern const OutcomeCounts *outcome_counts_read(Datum datum);
extern void outcome_counts_compact(OutcomeCounts *state);
extern const OutcomeCounts *outcome_counts_compacted(const OutcomeCounts *state);
extern OutcomeCounts *outcome_counts_canonical(const OutcomeCounts *state);
extern const OutcomeCounts *outcome_counts_canonical_read(Datum datum);
extern void outcome_counts_totals(const OutcomeCounts *state, double *bads,
								  double *goods);

#endif							/* CRISK_OUTCOME_COUNTS_H */
