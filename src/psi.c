/*-------------------------------------------------------------------------
 *
 * psi.c
 *	  crisk.psi(expected_share double precision[], actual_share double
 *	  precision[]): the population stability index of a distribution over
 *	  classes (risk classes, score bands, bins of a characteristic):
 *
 *		  PSI = sum over classes of (actual - expected) * ln(actual / expected)
 *
 *	  0 when nothing moved; by the usual reading below 0.10 stable, 0.10 to
 *	  0.25 worth watching, above 0.25 a shift that calls the model into
 *	  question.
 *
 * Each array holds one share per class, in the same order, each share
 * from 0 to 1, each array summing to 1 (to within 1e-6, for shares
 * rounded by whoever computed them).  A class empty in both adds nothing;
 * a class empty in one array only makes the index infinite: a population
 * moved into (or out of) a class that was empty, which no finite figure
 * describes; merge such classes with a neighbour before comparing.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

PG_FUNCTION_INFO_V1(crisk_psi);

/* How far from 1 the shares of an array may sum. */
#define SHARE_SUM_TOLERANCE 1e-6

/*
 * read_shares checks and returns the shares of argument argno, named
 * argname; *count receives their number.
 */
static double *
read_shares(FunctionCallInfo fcinfo, int argno, const char *argname, int *count)
{
	ArrayType  *array = PG_GETARG_ARRAYTYPE_P(argno);
	Datum	   *elements;
	bool	   *nulls;
	double	   *shares;
	double		sum = 0;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", argname),
				 errdetail("It has %d dimensions.", ARR_NDIM(array))));
	deconstruct_array(array, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elements, &nulls, count);
	if (*count == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", argname),
				 errdetail("The index compares shares of one or more classes.")));
	shares = palloc(*count * sizeof(double));
	for (int i = 0; i < *count; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s must not contain NULL", argname),
					 errdetail("Element %d is NULL.", i + 1),
					 errhint("Pass 0 for a class that holds nobody.")));
		shares[i] = DatumGetFloat8(elements[i]);
		if (!(shares[i] >= 0 && shares[i] <= 1))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must hold shares from 0 to 1", argname),
					 errdetail("Element %d is %s.", i + 1, float8out_internal(shares[i]))));
		sum += shares[i];
	}
	if (fabs(sum - 1) > SHARE_SUM_TOLERANCE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must sum to 1", argname),
				 errdetail("Its shares sum to %s.", float8out_internal(sum)),
				 errhint("Divide each class's count by the total count.")));
	return shares;
}

/* crisk_psi computes the population stability index. */
Datum
crisk_psi(PG_FUNCTION_ARGS)
{
	int			expected_count;
	int			actual_count;
	double	   *expected = read_shares(fcinfo, 0, "expected_share", &expected_count);
	double	   *actual = read_shares(fcinfo, 1, "actual_share", &actual_count);
	double		psi = 0;

	if (expected_count != actual_count)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("expected_share and actual_share must have one share per class each"),
				 errdetail("expected_share has %d elements and actual_share has %d.",
						   expected_count, actual_count)));
	for (int i = 0; i < expected_count; i++)
	{
		if (expected[i] == actual[i])
			continue;			/* no change, including both empty */
		if (expected[i] == 0 || actual[i] == 0)
			PG_RETURN_FLOAT8(get_float8_infinity());
		psi += (actual[i] - expected[i]) * log(actual[i] / expected[i]);
	}
	PG_RETURN_FLOAT8(psi);
}
