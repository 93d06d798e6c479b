/*-------------------------------------------------------------------------
 *
 * argcheck.c
 *	  Argument checks shared by crisk's SQL-callable functions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "argcheck.h"

/*
 * crisk_require_finite_date rejects 'infinity' and '-infinity': a due date or
 * an as-of date at infinity has no number of days past due.
 */
void
crisk_require_finite_date(DateADT value, const char *argname)
{
	if (DATE_NOT_FINITE(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite date", argname)));
}

/*
 * crisk_days_between returns to - from in days.  Both dates must be finite.
 * Finite dates lie between Julian days 0 and 2147483493, so the difference
 * of any two always fits in an int32.
 */
int32
crisk_days_between(DateADT from, const char *from_name,
				   DateADT to, const char *to_name)
{
	crisk_require_finite_date(from, from_name);
	crisk_require_finite_date(to, to_name);
	return (int32) to - (int32) from;
}

/*
 * crisk_require_finite_numeric rejects 'NaN', 'Infinity' and '-Infinity':
 * no amount of money or balance-sheet item is one of them, and letting them
 * through would turn a ratio or an interest into NaN instead of an error.
 */
void
crisk_require_finite_numeric(Numeric value, const char *argname)
{
	if (numeric_is_nan(value) || numeric_is_inf(value))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", argname),
				 errdetail("NaN and infinity are not amounts.")));
}
