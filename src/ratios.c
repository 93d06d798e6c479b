/*-------------------------------------------------------------------------
 *
 * ratios.c
 *	  Receivables ratios from figures the caller already has:
 *	  crisk.dso, crisk.best_possible_dso and crisk.collection_effectiveness.
 *
 * Every ratio is computed exactly in numeric and rounded once, half away
 * from zero, to RATIO_SCALE decimals: DSO and best possible DSO in days,
 * the collection effectiveness index in percent.  Dividing first and
 * rounding the quotient again would round twice (a quotient that numeric
 * division rounds up to ...x.xx5 at its working precision would then round
 * up again), so crisk_numeric_div_round divides exactly instead.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"

#include "argcheck.h"
#include "ratios.h"

PG_FUNCTION_INFO_V1(crisk_dso);
PG_FUNCTION_INFO_V1(crisk_best_possible_dso);
PG_FUNCTION_INFO_V1(crisk_collection_effectiveness);

/* Largest scale crisk_numeric_div_round accepts: 10^18 fits in an int64. */
#define DIV_ROUND_MAX_SCALE 18

/*
 * crisk_numeric_sign returns -1, 0 or 1; the argument must not be NaN.
 */
int
crisk_numeric_sign(Numeric value)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(value),
											 NumericGetDatum(int64_to_numeric(0))));
}

/*
 * crisk_numeric_div_round returns dividend / divisor rounded half away
 * from zero to `scale` decimals, exactly: the quotient of dividend * 10^scale
 * by divisor is truncated to an integer, and the exact remainder decides
 * whether to round away from zero.  The divisor must not be zero.
 */
Numeric
crisk_numeric_div_round(Numeric dividend, Numeric divisor, int scale)
{
	static Numeric unit[DIV_ROUND_MAX_SCALE + 1];	/* 10^-scale */
	Numeric		shifted;
	Numeric		quotient;
	Numeric		remainder;
	int64		pow10 = 1;
	int			i;

	if (scale < 0 || scale > DIV_ROUND_MAX_SCALE)
		elog(ERROR, "crisk_numeric_div_round: scale %d out of range", scale);
	if (crisk_numeric_sign(divisor) == 0)
		elog(ERROR, "crisk_numeric_div_round: division by zero");

	for (i = 0; i < scale; i++)
		pow10 *= 10;
	shifted = numeric_mul_opt_error(dividend, int64_to_numeric(pow10), NULL);
	quotient = DatumGetNumeric(DirectFunctionCall2(numeric_div_trunc,
												   NumericGetDatum(shifted),
												   NumericGetDatum(divisor)));
	/* Exact: the product and difference of numerics are never rounded. */
	remainder = numeric_sub_opt_error(shifted,
									  numeric_mul_opt_error(quotient, divisor,
															NULL),
									  NULL);
	if (crisk_numeric_sign(remainder) != 0)
	{
		Numeric		twice = numeric_mul_opt_error(remainder,
												  int64_to_numeric(2), NULL);
		Numeric		abs_twice = DatumGetNumeric(DirectFunctionCall1(numeric_abs,
																	NumericGetDatum(twice)));
		Numeric		abs_divisor = DatumGetNumeric(DirectFunctionCall1(numeric_abs,
																	  NumericGetDatum(divisor)));

		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											  NumericGetDatum(abs_twice),
											  NumericGetDatum(abs_divisor))) >= 0)
		{
			/* The quotient's sign is the product of the operands' signs. */
			int64		away = (crisk_numeric_sign(shifted) ==
								crisk_numeric_sign(divisor)) ? 1 : -1;

			quotient = numeric_add_opt_error(quotient, int64_to_numeric(away),
											 NULL);
		}
	}

	if (unit[scale] == NULL)
	{
		char		text[8];
		Numeric		parsed;
		Numeric		lasting;

		snprintf(text, sizeof(text), "1e-%d", scale);
		parsed = DatumGetNumeric(DirectFunctionCall3(numeric_in,
													 CStringGetDatum(text),
													 ObjectIdGetDatum(InvalidOid),
													 Int32GetDatum(-1)));
		lasting = MemoryContextAlloc(TopMemoryContext, VARSIZE(parsed));
		memcpy(lasting, parsed, VARSIZE(parsed));
		unit[scale] = lasting;
	}
	/* An integer times 10^-scale has exactly `scale` decimals. */
	return numeric_mul_opt_error(quotient, unit[scale], NULL);
}

/*
 * require_credit_sales checks the credit sales of a period: money, not
 * negative (a period's credit sales net of credit notes below zero is a
 * data error, not a DSO).
 */
static void
require_credit_sales(Numeric credit_sales)
{
	crisk_require_finite_numeric(credit_sales, "credit_sales");
	if (crisk_numeric_sign(credit_sales) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("credit_sales must not be negative"),
				 errdetail("credit_sales is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(credit_sales)))),
				 errhint("Pass the credit sales of the period, net of credit notes.")));
}

/*
 * require_positive_count checks a number of days or months.
 */
static void
require_positive_count(int32 value, const char *argname)
{
	if (value <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be positive", argname),
				 errdetail("%s is %d.", argname, value)));
}

/*
 * days_of_sales computes receivables / credit_sales * period_days, the
 * common form of DSO and best possible DSO; NULL when credit_sales is 0.
 */
static Datum
days_of_sales(FunctionCallInfo fcinfo, const char *receivables_name)
{
	Numeric		receivables = PG_GETARG_NUMERIC(0);
	Numeric		credit_sales = PG_GETARG_NUMERIC(1);
	int32		period_days = PG_GETARG_INT32(2);

	crisk_require_finite_numeric(receivables, receivables_name);
	require_credit_sales(credit_sales);
	require_positive_count(period_days, "period_days");

	/* Nothing was sold on credit: the ratio has no meaning. */
	if (crisk_numeric_sign(credit_sales) == 0)
		PG_RETURN_NULL();

	PG_RETURN_NUMERIC(crisk_numeric_div_round(numeric_mul_opt_error(receivables,
																	int64_to_numeric(period_days),
																	NULL),
											  credit_sales, RATIO_SCALE));
}

/*
 * crisk_dso implements crisk.dso(receivables, credit_sales, period_days):
 * days sales outstanding by the standard method, in days.  A credit
 * balance (negative receivables) gives a negative DSO.
 */
Datum
crisk_dso(PG_FUNCTION_ARGS)
{
	return days_of_sales(fcinfo, "receivables");
}

/*
 * crisk_best_possible_dso implements crisk.best_possible_dso(
 * current_receivables, credit_sales, period_days): the DSO the customer
 * would have if every invoice were paid on its due date.
 */
Datum
crisk_best_possible_dso(PG_FUNCTION_ARGS)
{
	return days_of_sales(fcinfo, "current_receivables");
}

/*
 * crisk_collection_effectiveness implements crisk.collection_effectiveness(
 * beginning_receivables, credit_sales, ending_receivables,
 * ending_current_receivables, months), in percent:
 *
 *	 (B + S/N - E) / (B + S/N - EC) * 100
 *
 * computed as (N*B + S - N*E) * 100 / (N*B + S - N*EC) so that S/N is never
 * rounded; NULL when the denominator is 0 (nothing was collectable).
 */
Datum
crisk_collection_effectiveness(PG_FUNCTION_ARGS)
{
	Numeric		beginning = PG_GETARG_NUMERIC(0);
	Numeric		credit_sales = PG_GETARG_NUMERIC(1);
	Numeric		ending = PG_GETARG_NUMERIC(2);
	Numeric		ending_current = PG_GETARG_NUMERIC(3);
	int32		months = PG_GETARG_INT32(4);
	Numeric		n;
	Numeric		collectable;
	Numeric		collected;
	Numeric		denominator;

	crisk_require_finite_numeric(beginning, "beginning_receivables");
	require_credit_sales(credit_sales);
	crisk_require_finite_numeric(ending, "ending_receivables");
	crisk_require_finite_numeric(ending_current, "ending_current_receivables");
	require_positive_count(months, "months");

	n = int64_to_numeric(months);
	/* N*B + S: what could have been collected, times N. */
	collectable = numeric_add_opt_error(numeric_mul_opt_error(n, beginning, NULL),
										credit_sales, NULL);
	collected = numeric_sub_opt_error(collectable,
									  numeric_mul_opt_error(n, ending, NULL),
									  NULL);
	denominator = numeric_sub_opt_error(collectable,
										numeric_mul_opt_error(n, ending_current,
															  NULL),
										NULL);
	if (crisk_numeric_sign(denominator) == 0)
		PG_RETURN_NULL();

	PG_RETURN_NUMERIC(crisk_numeric_div_round(numeric_mul_opt_error(collected,
																	int64_to_numeric(100),
																	NULL),
											  denominator, RATIO_SCALE));
}
