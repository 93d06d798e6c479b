/*-------------------------------------------------------------------------
 *
 * aged_balance.c
 *	  The final function of crisk.aging_with_total(amount, due_date, as_of):
 *	  crisk.aging's buckets followed by their total, for the view
 *	  crisk.aged_balance.
 *
 * The view shows each bucket and the customer's total.  Adding the five
 * buckets in SQL costs four numeric additions per customer, a large part
 * of what the view costs beyond a plain sum(amount) per customer (see
 * bench/aged_balance.sh); here the total is the sum of the state's exact
 * bucket totals, added as 256-bit integers, so it equals the buckets' sum
 * to the last digit at a fraction of the price.  The aggregate shares
 * crisk.aging's state type, transition and combine functions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "aging_state.h"

PG_FUNCTION_INFO_V1(crisk_aging_with_total_final);

/*
 * crisk_aging_with_total_final turns the state into numeric[]: element 1 is
 * current, then each overdue bucket, then the total of all of them, every
 * one shown with the largest number of decimals any amount had.  It only
 * reads the state (a final function may run more than once on it).
 */
Datum
crisk_aging_with_total_final(PG_FUNCTION_ARGS)
{
	AgingState *state = (AgingState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	ExactSum   *sums = aging_state_sums(state);
	int			nbuckets = AgingBucketCount(state);
	Datum	   *elements = palloc((nbuckets + 1) * sizeof(Datum));
	ExactSum	total;
	int			i;

	memset(&total, 0, sizeof(total));
	for (i = 0; i < nbuckets; i++)
	{
		elements[i] = NumericGetDatum(exact_sum_to_numeric(&sums[i], state->scale,
														   state->dscale));
		exact_sum_add(&total, &sums[i], "amount");
	}
	elements[nbuckets] = NumericGetDatum(exact_sum_to_numeric(&total, state->scale,
															  state->dscale));
	PG_RETURN_ARRAYTYPE_P(construct_array(elements, nbuckets + 1, NUMERICOID,
										  -1, false, TYPALIGN_INT));
}
