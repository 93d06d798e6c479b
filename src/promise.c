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
 * crisk._promise_due_since(as_of) is the earliest due date of a promise
 * whose grace date falls in the twelve months up to as_of (the window of
 * broken_promises_12m): a condition on due_on, which the index on
 * (customer_id, due_on) can use, where one on the grace date cannot.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "credit_core.h"
#include "guc.h"

PG_FUNCTION_INFO_V1(crisk_promise_grace_until);
PG_FUNCTION_INFO_V1(crisk_promise_due_since);

/*
 * crisk_promise_grace_until implements crisk.promise_grace_until(due_on
 * date): due_on + crisk.promise_grace_days.  Infinite dates stay as they
 * are; a result beyond the last date PostgreSQL represents is an error.
 */
Datum
crisk_promise_grace_until(PG_FUNCTION_ARGS)
{
	DateADT		due_on = PG_GETARG_DATEADT(0);
	int64		until;

	if (DATE_NOT_FINITE(due_on))
		PG_RETURN_DATEADT(due_on);
	until = (int64) due_on + crisk_promise_grace_days;
	if (!IS_VALID_DATE(until))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("due_on is out of range"),
				 errdetail("due_on plus crisk.promise_grace_days (%d) is past the last date supported.",
						   crisk_promise_grace_days)));
	PG_RETURN_DATEADT((DateADT) until);
}

/*
 * crisk_promise_due_since implements crisk._promise_due_since(as_of date):
 * crisk._twelve_months_start(as_of) less crisk.promise_grace_days, so that
 * due_on >= it exactly when promise_grace_until(due_on) >= that start.
 * Infinite dates stay as they are.
 */
Datum
crisk_promise_due_since(PG_FUNCTION_ARGS)
{
	DateADT		as_of = PG_GETARG_DATEADT(0);
	int			year,
				month,
				day;
	int64		since;

	if (DATE_NOT_FINITE(as_of))
		PG_RETURN_DATEADT(as_of);
	j2date(as_of + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	since = IS_VALID_JULIAN(year - 1, month, day) ?
		(int64) sales_window_start(as_of) - crisk_promise_grace_days : PG_INT64_MIN;
	if (!IS_VALID_DATE(since))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("as_of is out of range"),
				 errdetail("One year and crisk.promise_grace_days (%d) before as_of is before the first date supported.",
						   crisk_promise_grace_days)));
	PG_RETURN_DATEADT((DateADT) since);
}
