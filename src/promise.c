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
 * crisk_promise_due_for_grace implements crisk._promise_due_for_grace(
 * grace_until date): grace_until less crisk.promise_grace_days.  Infinite
 * dates stay as they are; a result before the first date PostgreSQL
 * represents is an error.
 */
Datum
crisk_promise_due_for_grace(PG_FUNCTION_ARGS)
{
	DateADT		grace_until = PG_GETARG_DATEADT(0);
	int64		due_on;

	if (DATE_NOT_FINITE(grace_until))
		PG_RETURN_DATEADT(grace_until);
	due_on = (int64) grace_until - crisk_promise_grace_days;
	if (!IS_VALID_DATE(due_on))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("grace_until is out of range"),
				 errdetail("grace_until less crisk.promise_grace_days (%d) is before the first date supported.",
						   crisk_promise_grace_days)));
	PG_RETURN_DATEADT((DateADT) due_on);
}
