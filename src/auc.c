/*-------------------------------------------------------------------------
 *
 * auc.c
 *	  The final function of the aggregate crisk.auc(score, bad): the area
 *	  under the ROC curve of a score, for scores where higher means better
 *	  credit (less likely to go bad).
 *
 *	  AUC = P(score of a good customer > score of a bad one)
 *	        + 1/2 P(the two scores are equal)
 *
 *	  over every (good, bad) pair: 1 when every good customer scores above
 *	  every bad one, 0.5 for a score that tells nothing, below 0.5 for a
 *	  score that ranks backwards.  It equals R's pROC::auc with
 *	  direction = ">" (controls, the good customers, score higher) and
 *	  the Mann-Whitney U statistic divided by bads * goods.  Gini = 2 AUC - 1.
 *
 * The state (crisk.outcome_counts, one value per pattern) holds each
 * distinct score with its counts of bad and good rows; the final function
 * walks the scores upwards, so the pairs are counted exactly, in 128-bit
 * integers (twice the count, so that ties add whole numbers), and divided
 * once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "outcome_counts.h"

PG_FUNCTION_INFO_V1(crisk_auc_final);

/*
 * crisk_auc_final returns the AUC of the gathered scores; NULL without a
 * bad or without a good row.  It only reads the state.
 */
Datum
crisk_auc_final(PG_FUNCTION_ARGS)
{
	const OutcomeCounts *state;
	uint128		twice_pairs = 0;	/* 2 * (pairs ranked right) + ties */
	uint64		bads_below = 0;
	uint64		bads = 0;
	uint64		goods = 0;

	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	state = outcome_counts_compacted(outcome_counts_read(PG_GETARG_DATUM(0)));
	for (int i = 0; i < state->patterns; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(state, i);
		uint64		bad = (uint64) record[1];
		uint64		good = (uint64) record[2];

		twice_pairs += (uint128) good * (2 * (uint128) bads_below + bad);
		bads_below += bad;
		bads += bad;
		goods += good;
	}
	if (bads == 0 || goods == 0)
		PG_RETURN_NULL();
	PG_RETURN_FLOAT8((double) ((long double) twice_pairs /
							   (2.0L * (long double) bads * (long double) goods)));
}
