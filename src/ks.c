/*-------------------------------------------------------------------------
 *
 * ks.c
 *	  The final function of the aggregate crisk.ks(score, bad): the
 *	  Kolmogorov-Smirnov statistic of a score, the largest gap between the
 *	  share of bad customers and the share of good customers scoring at or
 *	  below a cut-off, over every cut-off:
 *
 *		  KS = max over s of | bads(score <= s) / bads - goods(score <= s) / goods |
 *
 *	  a fraction from 0 (the score does not separate) to 1 (a cut-off
 *	  refuses every bad customer and accepts every good one).  It is the
 *	  two-sample statistic of R's ks.test(scores of bads, scores of goods).
 *	  Cut-offs fall between distinct scores, so tied rows stay together.
 *
 * The state is crisk.outcome_counts with one value per pattern (the
 * score), as for crisk.auc; counts are summed exactly in 64-bit integers.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "outcome_counts.h"

PG_FUNCTION_INFO_V1(crisk_ks_final);

/*
 * crisk_ks_final returns the KS statistic of the gathered scores; NULL
 * without a bad or without a good row.  It only reads the state.
 */
Datum
crisk_ks_final(PG_FUNCTION_ARGS)
{
	const OutcomeCounts *state;
	uint64		bads = 0;
	uint64		goods = 0;
	uint64		bads_at_or_below = 0;
	uint64		goods_at_or_below = 0;
	long double ks = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = outcome_counts_compacted(outcome_counts_read(PG_GETARG_DATUM(0)));
	for (int i = 0; i < state->patterns; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(state, i);

		bads += (uint64) record[1];
		goods += (uint64) record[2];
	}
	if (bads == 0 || goods == 0)
		PG_RETURN_NULL();
	for (int i = 0; i < state->patterns; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(state, i);
		long double gap;

		bads_at_or_below += (uint64) record[1];
		goods_at_or_below += (uint64) record[2];
		gap = fabsl((long double) bads_at_or_below / bads -
					(long double) goods_at_or_below / goods);
		if (gap > ks)
			ks = gap;
	}
	PG_RETURN_FLOAT8((double) ks);
}
