/*-------------------------------------------------------------------------
 *
 * altman.c
 *	  The SQL wrappers of Altman Z-scores: crisk.altman_z and
 *	  crisk.altman_zone (the arithmetic is in credit_core.c).
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

#include "credit_core.h"

PG_FUNCTION_INFO_V1(crisk_altman_z);
PG_FUNCTION_INFO_V1(crisk_altman_zone);

/*
 * crisk_altman_z implements crisk.altman_z(working_capital,
 * retained_earnings, ebit, equity, total_liabilities, total_assets, sales,
 * variant).  total_assets must be positive; total_liabilities must not be
 * negative, and 0 gives NULL (X4 = equity / liabilities is undefined).
 */
Datum
crisk_altman_z(PG_FUNCTION_ARGS)
{
	Numeric		items[ALTMAN_NITEMS];
	AltmanVariant variant;
	double		z;
	int			i;

	if (PG_ARGISNULL(7))
		PG_RETURN_NULL();
	/* Parsed first, so that a misspelt variant fails even on NULL data. */
	variant = altman_variant_parse(text_to_cstring(PG_GETARG_TEXT_PP(7)),
								   "variant");
	for (i = 0; i < ALTMAN_NITEMS; i++)
		items[i] = PG_ARGISNULL(i) ? NULL : PG_GETARG_NUMERIC(i);
	if (!altman_z_of(items, variant, &z))
		PG_RETURN_NULL();
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
