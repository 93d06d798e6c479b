/*-------------------------------------------------------------------------
 *
 * promise.c
 *	  Settings of the collections workflow read from SQL.
 *
 * crisk.promise_grace_until(due_on) gives the last day a promise to pay
 * falling due on due_on may still be kept: due_on plus the setting
 * crisk.promise_grace_days.  The views and the rescoring pass call it
 * rather than current_setting(): calling a C function of crisk loads the
 * library, and with it the setting, in a session that has used nothing
 * else of crisk yet.
 *
 * crisk._promise_due_for_grace(grace_until) is its inverse: the due date
 * whose grace ends on grace_until.  "due_on >= _promise_due_for_grace(d)"
 * says "promise_grace_until(due_on) >= d" as a condition on due_on, which
 * the index on (customer_id, due_on) can use.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/date.h"

#include "guc.h"

PG_FUNCTION_INFO_V1(crisk_promise_grace_until);
PG_FUNCTION_INFO_V1(crisk_promise_due_for_grace);

/*
 * shift_by_grace_days returns date moved by crisk.promise_grace_days,
 * forward (later true) or back: infinite dates stay as they are, and a
 * result outside the dates PostgreSQL represents is an error naming the
 * argument.
 */
static DateADT
shift_by_grace_days(DateADT date, bool later, const char *argument)
{
	int64		shifted;

	if (DATE_NOT_FINITE(date))
		return date;
	shifted = (int64) date + (later ? crisk_promise_grace_days : -crisk_promise_grace_days);
	if (IS_VALID_DATE(shifted))
		return (DateADT) shifted;
	if (later)
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("%s is out of range", argument),
				 errdetail("%s plus crisk.promise_grace_days (%d) is past the last date supported.",
						   argument, crisk_promise_grace_days)));
	ereport(ERROR,
			(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
			 errmsg("%s is out of range", argument),
			 errdetail("%s less crisk.promise_grace_days (%d) is before the first date supported.",
					   argument, crisk_promise_grace_days)));
	pg_unreachable();
}

/*
 * crisk_promise_grace_until implements crisk.promise_grace_until(due_on
 * date): due_on + crisk.promise_grace_days.
 */
Datum
crisk_promise_grace_until(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(shift_by_grace_days(PG_GETARG_DATEADT(0), true, "due_on"));
}

/*
 * crisk_promise_due_for_grace implements crisk._promise_due_for_grace(
 * grace_until date): grace_until less crisk.promise_grace_days.
 */
Datum
crisk_promise_due_for_grace(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(shift_by_grace_days(PG_GETARG_DATEADT(0), false, "grace_until"));
}
