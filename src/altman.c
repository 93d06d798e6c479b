/*-------------------------------------------------------------------------
 *
 * altman.c
 *	  Altman Z-scores: crisk.altman_z and crisk.altman_zone.
 *
 * The balance-sheet items arrive as numeric (they are money); each ratio is
 * divided in numeric, where no magnitude overflows, and only the ratio is
 * converted to double precision, the score's type.
 *
 * altman_z is not STRICT: z_double_prime leaves out sales, so a company
 * without a sales figure still gets that score.  Otherwise it behaves as a
 * strict function would: any NULL it needs (or a NULL variant) gives NULL.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"

#include "altman.h"
#include "argcheck.h"
#include "ratios.h"

PG_FUNCTION_INFO_V1(crisk_altman_z);
PG_FUNCTION_INFO_V1(crisk_altman_zone);

/* A published model: its weights for X1..X5 and its zone thresholds. */
typedef struct AltmanModel
{
	const char *name;			/* as given in the variant argument */
	double		weight[5];
	double		safe_above;		/* z > this: safe */
	double		distress_below; /* z < this: distress; in between: grey */
} AltmanModel;

static const AltmanModel altman_models[] = {
	[ALTMAN_Z] = {"z", {1.2, 1.4, 3.3, 0.6, 1.0}, 2.99, 1.81},
	[ALTMAN_Z_PRIME] = {"z_prime", {0.717, 0.847, 3.107, 0.420, 0.998}, 2.9, 1.23},
	[ALTMAN_Z_DOUBLE_PRIME] = {"z_double_prime", {6.56, 3.26, 6.72, 1.05, 0.0}, 2.6, 1.1},
};

#define ALTMAN_VARIANTS lengthof(altman_models)

/*
 * altman_variant_parse maps a variant name to its model, raising 22023
 * with the list of valid names for anything else.
 */
AltmanVariant
altman_variant_parse(const char *name, const char *argname)
{
	int			i;

	for (i = 0; i < (int) ALTMAN_VARIANTS; i++)
	{
		if (strcmp(name, altman_models[i].name) == 0)
			return (AltmanVariant) i;
	}
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be one of 'z', 'z_prime', 'z_double_prime'",
					argname),
			 errdetail("%s is '%s'.", argname, name),
			 errhint("Use 'z' for public manufacturers, 'z_prime' for private firms and 'z_double_prime' for non-manufacturers.")));
	pg_unreachable();
}

/*
 * altman_score weighs the ratios with the variant's coefficients.
 */
double
altman_score(AltmanVariant variant, const AltmanRatios *x)
{
	const double *w = altman_models[variant].weight;

	return w[0] * x->working_capital + w[1] * x->retained_earnings +
		w[2] * x->ebit + w[3] * x->equity + w[4] * x->sales;
}

/*
 * altman_zone_of classifies a score: strictly above the safe threshold is
 * "safe", strictly below the distress threshold is "distress", and a score
 * equal to either threshold is "grey", as the model's published zones say.
 */
const char *
altman_zone_of(AltmanVariant variant, double z)
{
	const AltmanModel *model = &altman_models[variant];

	if (z > model->safe_above)
		return "safe";
	if (z < model->distress_below)
		return "distress";
	return "grey";
}

/*
 * ratio_over divides a balance-sheet item by a positive total in numeric
 * and returns the ratio as a double; a ratio beyond double precision's
 * range (absurd figures such as 10^400 over 10^-400) is an error naming
 * both arguments.  One too small to represent is 0, harmlessly.
 */
static double
ratio_over(Numeric item, const char *item_name,
		   Numeric total, const char *total_name)
{
	Numeric		ratio = numeric_div_opt_error(item, total, NULL);
	double		value;

	value = DatumGetFloat8(DirectFunctionCall1(numeric_float8_no_overflow,
											   NumericGetDatum(ratio)));
	if (isinf(value))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s / %s is out of range for an Altman Z-score",
						item_name, total_name),
				 errdetail("The ratio exceeds the range of double precision.")));
	return value;
}

/*
 * crisk_altman_z implements crisk.altman_z(working_capital,
 * retained_earnings, ebit, equity, total_liabilities, total_assets, sales,
 * variant).  total_assets must be positive; total_liabilities must not be
 * negative, and 0 gives NULL (X4 = equity / liabilities is undefined).
 */
Datum
crisk_altman_z(PG_FUNCTION_ARGS)
{
	static const char *const argnames[] = {
		"working_capital", "retained_earnings", "ebit", "equity",
		"total_liabilities", "total_assets", "sales"
	};
	Numeric		item[7];
	AltmanVariant variant;
	AltmanRatios x;
	bool		uses_sales;
	double		z;
	int			i;

	if (PG_ARGISNULL(7))
		PG_RETURN_NULL();
	/* Parsed first, so that a misspelt variant fails even on NULL data. */
	variant = altman_variant_parse(text_to_cstring(PG_GETARG_TEXT_PP(7)),
								   "variant");
	uses_sales = (variant != ALTMAN_Z_DOUBLE_PRIME);

	for (i = 0; i < 7; i++)
	{
		if (PG_ARGISNULL(i))
		{
			if (i == 6 && !uses_sales)
			{
				item[i] = NULL;
				continue;
			}
			PG_RETURN_NULL();
		}
		item[i] = PG_GETARG_NUMERIC(i);
		crisk_require_finite_numeric(item[i], argnames[i]);
	}

	if (crisk_numeric_sign(item[5]) <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total_assets must be positive"),
				 errdetail("total_assets is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(item[5]))))));
	if (crisk_numeric_sign(item[4]) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("total_liabilities must not be negative"),
				 errdetail("total_liabilities is %s.",
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(item[4]))))));
	/* A company without liabilities has no equity-to-liabilities ratio. */
	if (crisk_numeric_sign(item[4]) == 0)
		PG_RETURN_NULL();

	x.working_capital = ratio_over(item[0], argnames[0], item[5], argnames[5]);
	x.retained_earnings = ratio_over(item[1], argnames[1], item[5], argnames[5]);
	x.ebit = ratio_over(item[2], argnames[2], item[5], argnames[5]);
	x.equity = ratio_over(item[3], argnames[3], item[4], argnames[4]);
	x.sales = uses_sales ?
		ratio_over(item[6], argnames[6], item[5], argnames[5]) : 0.0;

	z = altman_score(variant, &x);
	if (isinf(z))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("the Altman Z-score is out of range"),
				 errdetail("The balance-sheet items are too large relative to total_assets or total_liabilities.")));
	PG_RETURN_FLOAT8(z);
}

/*
 * crisk_altman_zone implements crisk.altman_zone(z, variant): 'safe',
 * 'grey' or 'distress' with the thresholds published for the variant.
 */
Datum
crisk_altman_zone(PG_FUNCTION_ARGS)
{
	float8		z = PG_GETARG_FLOAT8(0);
	AltmanVariant variant = altman_variant_parse(text_to_cstring(PG_GETARG_TEXT_PP(1)),
												 "variant");

	if (isnan(z))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("z must be a number"),
				 errdetail("z is NaN.")));
	PG_RETURN_TEXT_P(cstring_to_text(altman_zone_of(variant, z)));
}
