/*-------------------------------------------------------------------------
 *
 * time_windows.c
 *	  The credit core's time windows, read from SQL.
 *
 * crisk._twelve_months_start(as_of) is the day before the last twelve
 * months, (start, as_of]: the window of the sales a limit is sized from,
 * of the legal events that weigh on a score and of the broken promises a
 * rescoring pass counts.  crisk._overdue_alert_days() is how many days past
 * due an invoice must be to raise an overdue_90 alert.
 * crisk._dso_period_days() is the period of the standard DSO of a payment
 * profile and of the portfolio's KPIs.  They give what the credit core
 * defines (sales_window_start and OVERDUE_ALERT_DAYS in credit_core.h,
 * PROFILE_DSO_DAYS in payment_profile.h), so that the SQL that reads the
 * ledger and the C that scores it cannot drift apart.  They are IMMUTABLE:
 * in an inlined SQL function or a plan, a call on a constant folds to a
 * constant when the query is planned.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/date.h"
#include "utils/datetime.h"

#include "credit_core.h"
#include "payment_profile.h"

PG_FUNCTION_INFO_V1(crisk_twelve_months_start);
PG_FUNCTION_INFO_V1(crisk_overdue_alert_days);
PG_FUNCTION_INFO_V1(crisk_dso_period_days);

/*
 * crisk_twelve_months_start implements crisk._twelve_months_start(as_of
 * date): as_of less one year, 28 February for 29 February, as
 * as_of - interval '1 year' gives it.  Infinite dates stay as they are; a
 * start before the first date PostgreSQL represents is an error.
 */
Datum
crisk_twelve_months_start(PG_FUNCTION_ARGS)
{
	DateADT		as_of = PG_GETARG_DATEADT(0);
	int			year,
				month,
				day;

	if (DATE_NOT_FINITE(as_of))
		PG_RETURN_DATEADT(as_of);
	j2date(as_of + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	if (!IS_VALID_JULIAN(year - 1, month, day))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("as_of is out of range"),
				 errdetail("One year before as_of is before the first date supported.")));
	PG_RETURN_DATEADT(sales_window_start(as_of));
}

/*
 * crisk_overdue_alert_days implements crisk._overdue_alert_days():
 * OVERDUE_ALERT_DAYS.
 */
Datum
crisk_overdue_alert_days(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(OVERDUE_ALERT_DAYS);
}

/*
 * crisk_dso_period_days implements crisk._dso_period_days():
 * PROFILE_DSO_DAYS.
 */
Datum
crisk_dso_period_days(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(PROFILE_DSO_DAYS);
}
