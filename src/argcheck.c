/*-------------------------------------------------------------------------
 *
 * argcheck.c
 *	  Argument checks shared by crisk's SQL-callable functions.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/timestamp.h"

#include "argcheck.h"

PG_FUNCTION_INFO_V1(crisk_as_of_checked);

/*
 * The as-of dates crisk's portfolio functions accept.  They look back from
 * as_of by intervals (two years at most: the financial statements in force)
 * computed as timestamps, which PostgreSQL keeps from 4714-11-24 BC to
 * 294276-12-31; so as_of runs from two years after the first to the last.
 */
#define AS_OF_MIN_YEAR		(-4711) /* 4712 BC, astronomical numbering */
#define AS_OF_MIN_MONTH		11
#define AS_OF_MIN_DAY		24
#define AS_OF_MAX_JULIAN	(TIMESTAMP_END_JULIAN - 1)	/* 294276-12-31 */

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

/*
 * crisk_require_as_of_in_range rejects an as-of date outside the range the
 * portfolio functions (rescoring, watch-list) can look back from: infinity
 * and the dates within two years of either end of PostgreSQL's timestamps.
 */
void
crisk_require_as_of_in_range(DateADT value, const char *argname)
{
	int64		julian = (int64) value + POSTGRES_EPOCH_JDATE;

	crisk_require_finite_date(value, argname);
	if (julian < date2j(AS_OF_MIN_YEAR, AS_OF_MIN_MONTH, AS_OF_MIN_DAY) ||
		julian > AS_OF_MAX_JULIAN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is out of range", argname),
				 errdetail("%s is %s; it must lie between 4712-11-24 BC and 294276-12-31, since crisk looks back up to two years from it in timestamps.",
						   argname,
						   DatumGetCString(DirectFunctionCall1(date_out,
															   DateADTGetDatum(value))))));
}

/*
 * crisk_time_before returns from - span, or raises 22023 naming the
 * argument when the result lies before the first timestamp PostgreSQL
 * has (or after the last, for a negative span).  The subtraction is pure
 * arithmetic, so its error can be caught without a subtransaction; it is
 * replaced at once by ours.
 */
TimestampTz
crisk_time_before(TimestampTz from, Interval *span, const char *argname)
{
	volatile TimestampTz result = 0;
	volatile bool out_of_range = false;
	MemoryContext context = CurrentMemoryContext;

	PG_TRY();
	{
		result = DatumGetTimestampTz(DirectFunctionCall2(timestamptz_mi_interval,
														 TimestampTzGetDatum(from),
														 IntervalPGetDatum(span)));
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(context);
		FlushErrorState();
		out_of_range = true;
	}
	PG_END_TRY();
	if (out_of_range)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is out of range", argname),
				 errdetail("%s is %s; counted back from now it reaches before 4714-11-24 BC, the first timestamp PostgreSQL has.",
						   argname,
						   DatumGetCString(DirectFunctionCall1(interval_out,
															   IntervalPGetDatum(span))))));
	return result;
}

/*
 * crisk_as_of_checked implements crisk._as_of_checked(as_of date): as_of
 * itself, or the error of crisk_require_as_of_in_range.  SQL functions wrap
 * as_of in it where they subtract an interval from it, so that an extreme
 * date raises 22023 naming as_of rather than a bare 22008.
 */
Datum
crisk_as_of_checked(PG_FUNCTION_ARGS)
{
	DateADT		as_of = PG_GETARG_DATEADT(0);

	crisk_require_as_of_in_range(as_of, "as_of");
	PG_RETURN_DATEADT(as_of);
}

/*
 * crisk_require_before_write_row_trigger
 *		Refuses any call of a trigger function other than as a BEFORE INSERT
 *		OR UPDATE row trigger, the only way in which it may read and replace
 *		the new row.
 */
void
crisk_require_before_write_row_trigger(FunctionCallInfo fcinfo,
									   const char *function_name)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be called as a trigger", function_name)));
	if (!TRIGGER_FIRED_BEFORE(trigdata->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) ||
		!(TRIGGER_FIRED_BY_INSERT(trigdata->tg_event) ||
		  TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event)))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("%s must be a BEFORE INSERT OR UPDATE row trigger",
						function_name)));
}
