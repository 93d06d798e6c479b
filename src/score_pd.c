/*-------------------------------------------------------------------------
 *
 * score_pd.c
 *	  crisk.score_pd(score integer, pd_intercept double precision,
 *	  pd_slope double precision): the 12-month probability of default of a
 *	  score under a fitted model's calibration (crisk.model_fit),
 *
 *		  PD = 1 / (1 + exp(-(pd_intercept + pd_slope * score)))
 *
 * Rescoring writes it into crisk.score.pd, crisk.model_performance
 * averages it per risk class, and the expected credit loss by PD
 * multiplies it by the loss given default and the exposure.  Written in C
 * so that rescoring pays no SQL function call per customer.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/float.h"

PG_FUNCTION_INFO_V1(crisk_score_pd);

/*
 * logistic returns 1 / (1 + exp(-z)) without overflow, for any finite z:
 * through exp(-|z|), which stays within 0 and 1.
 */
static double
logistic(double z)
{
	double		e = exp(-fabs(z));

	return z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
}

/*
 * crisk_score_pd maps a score (0 to 100) to a probability of default with
 * a model's calibration.  A score outside 0 to 100, or a calibration that
 * is not a finite number, raises 22023.
 */
Datum
crisk_score_pd(PG_FUNCTION_ARGS)
{
	int32		score = PG_GETARG_INT32(0);
	double		intercept = PG_GETARG_FLOAT8(1);
	double		slope = PG_GETARG_FLOAT8(2);

	if (score < 0 || score > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("score must be between 0 and 100"),
				 errdetail("The score given is %d.", score)));
	if (!isfinite(intercept) || !isfinite(slope))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pd_intercept and pd_slope must be finite numbers"),
				 errdetail("pd_intercept is %s and pd_slope is %s.",
						   float8out_internal(intercept), float8out_internal(slope)),
				 errhint("Take them from crisk.model_fit.")));
	PG_RETURN_FLOAT8(logistic(intercept + slope * score));
}
