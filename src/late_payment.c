/*-------------------------------------------------------------------------
 *
 * late_payment.c
 *	  crisk.late_payment_interest and crisk.recovery_indemnity, and the
 *	  per-session cache of crisk.reference_rate they rely on.
 *
 * Interest is simple: amount * rate * days / 365, where the days run from
 * the day after the due date to the payment date.  With an agreed annual
 * rate every day bears that rate.  Without one, each day bears the
 * statutory rate of its half-year: the ECB rate in force on 1 January
 * (days from January to June) or on 1 July (July to December), plus 10
 * points.  The sum of rate * days over the half-years is exact (numeric),
 * and the interest is rounded once, to the cent, half away from zero.
 *
 * Reference rates.  crisk.reference_rate is the history of the ECB rate: a
 * row per date from which a rate is in force, and the rate in force on a
 * day is that of the latest row dated on or before it, however old (the
 * rate stayed at 0 % from 2016 to 2022).  Only a half-year starting before
 * the first row has no rate, and raises an error asking for one.
 *
 * Caching.  The table is read into session memory on first use and again
 * after crisk.table_changed() (a statement trigger on the table) has told
 * every session that it changed, so a call costs no query; table_cache.c
 * takes care of snapshots, parallel mode and reloads an error interrupts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/fmgrprotos.h"
#include "utils/memutils.h"

#include "argcheck.h"
#include "late_payment.h"
#include "ratios.h"
#include "table_cache.h"

PG_FUNCTION_INFO_V1(crisk_late_payment_interest);
PG_FUNCTION_INFO_V1(crisk_recovery_indemnity);

/* The session's copy of crisk.reference_rate, ordered by valid_from. */
static CachedTable reference_rate_table = CACHED_TABLE("reference_rate");
static MemoryContext rates_context = NULL;
static int	nrates = 0;
static DateADT *rate_valid_from = NULL;
static Numeric *rate_penalty = NULL;	/* ECB rate + 10 points */

/* A row of the table while it is read, for sorting by valid_from. */
typedef struct ReferenceRateRow
{
	DateADT		valid_from;
	Numeric		penalty;
} ReferenceRateRow;

static int
reference_rate_row_cmp(const void *a, const void *b)
{
	DateADT		left = ((const ReferenceRateRow *) a)->valid_from;
	DateADT		right = ((const ReferenceRateRow *) b)->valid_from;

	return (left > right) - (left < right);
}

/*
 * reference_rates_load reads crisk.reference_rate into rates_context,
 * sorted by valid_from, through the table cache's scan (see table_cache.h
 * for why it must not use SPI).  An error half-way leaves the copy stale.
 */
static void
reference_rates_load(void)
{
	TableCacheScan *scan;
	AttrNumber	att_from;
	AttrNumber	att_rate;
	HeapTuple	tuple;
	MemoryContext oldcontext;
	Numeric		points;
	ReferenceRateRow *rows;
	int			nrows = 0;
	int			capacity = 32;
	int			i;

	table_cache_context(&rates_context, "crisk reference rates");
	nrates = 0;

	oldcontext = MemoryContextSwitchTo(rates_context);
	rows = palloc(sizeof(ReferenceRateRow) * capacity);
	points = int64_div_fast_to_numeric(LATE_PAYMENT_STATUTORY_POINTS, 2);
	scan = table_cache_begin_scan(&reference_rate_table);
	att_from = table_cache_attnum(scan, "valid_from", DATEOID);
	att_rate = table_cache_attnum(scan, "rate", NUMERICOID);
	while ((tuple = table_cache_scan_next(scan)) != NULL)
	{
		bool		from_null;
		bool		rate_null;
		Datum		from = heap_getattr(tuple, att_from, scan->tupdesc, &from_null);
		Datum		rate = heap_getattr(tuple, att_rate, scan->tupdesc, &rate_null);

		/* The table's constraints forbid both. */
		if (from_null || rate_null)
			elog(ERROR, "crisk.reference_rate holds a NULL");
		if (nrows == capacity)
		{
			capacity *= 2;
			rows = repalloc(rows, sizeof(ReferenceRateRow) * capacity);
		}
		rows[nrows].valid_from = DatumGetDateADT(from);
		rows[nrows].penalty = numeric_add_opt_error(DatumGetNumeric(rate),
													points, NULL);
		nrows++;
	}
	table_cache_end_scan(scan);

	qsort(rows, nrows, sizeof(ReferenceRateRow), reference_rate_row_cmp);
	rate_valid_from = palloc(sizeof(DateADT) * Max(nrows, 1));
	rate_penalty = palloc(sizeof(Numeric) * Max(nrows, 1));
	for (i = 0; i < nrows; i++)
	{
		rate_valid_from[i] = rows[i].valid_from;
		rate_penalty[i] = rows[i].penalty;
	}
	MemoryContextSwitchTo(oldcontext);
	nrates = nrows;
}

/*
 * reference_rates_ensure makes the session's copy current.
 */
static void
reference_rates_ensure(void)
{
	if (!table_cache_is_valid(&reference_rate_table))
		reference_rates_load();
}

/*
 * iso_date formats a date as YYYY-MM-DD whatever the session's DateStyle,
 * so that a message can be pasted into an INSERT.
 */
static char *
iso_date(DateADT date)
{
	struct pg_tm tm;
	char		buf[MAXDATELEN + 1];

	j2date(date + POSTGRES_EPOCH_JDATE, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	EncodeDateOnly(&tm, USE_ISO_DATES, buf);
	return pstrdup(buf);
}

/*
 * half_year_start returns the first day of the half-year holding date.
 */
static DateADT
half_year_start(DateADT date)
{
	int			year;
	int			month;
	int			mday;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
	return date2j(year, month <= 6 ? 1 : 7, 1) - POSTGRES_EPOCH_JDATE;
}

/*
 * first_half_year_from returns the first day of the first half-year that
 * starts on or after date: date itself when it is 1 January or 1 July.
 * The result may lie one day past the last date PostgreSQL can store; it is
 * only compared with dates.
 */
static int64
first_half_year_from(DateADT date)
{
	int			year;
	int			month;
	int			mday;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &mday);
	if (mday == 1 && (month == 1 || month == 7))
		return date;
	if (month <= 6)
		return (int64) date2j(year, 7, 1) - POSTGRES_EPOCH_JDATE;
	return (int64) date2j(year + 1, 1, 1) - POSTGRES_EPOCH_JDATE;
}

/*
 * rate_row_on returns the index of the row of crisk.reference_rate whose
 * rate (ECB rate + 10 points: rate_penalty) is the statutory rate of the
 * half-year starting on half_start, for the late days from first on (last
 * is the payment date: both for the message).  The table must hold a row on or
 * before half_start.
 */
static int
rate_row_on(DateADT half_start, DateADT first, DateADT last,
			DateADT due_date)
{
	int			lo = 0;
	int			hi = nrates - 1;

	if (nrates == 0 || half_start < rate_valid_from[0])
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("due_date %s needs the ECB rate in force on %s, which crisk.reference_rate does not hold",
						iso_date(due_date), iso_date(half_start)),
				 nrates == 0 ?
				 errdetail("crisk.reference_rate is empty.") :
				 errdetail("The statutory rate of the late days %s to %s is the ECB main refinancing rate in force on %s plus 10 points; the earliest row of crisk.reference_rate is dated %s.",
						   iso_date(first),
						   iso_date((DateADT) Min((int64) last, first_half_year_from(half_start + 1) - 1)),
						   iso_date(half_start), iso_date(rate_valid_from[0])),
				 errhint("Add the ECB main refinancing rate in force on %s to crisk.reference_rate as a fraction (0.0215 for 2.15 %%), or pass annual_rate.",
						 iso_date(half_start))));
	/* The latest row dated on or before half_start; rows are few. */
	while (lo < hi)
	{
		int			mid = lo + (hi - lo + 1) / 2;

		if (rate_valid_from[mid] <= half_start)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/*
 * statutory_rate_days returns the sum over the late days first..last of
 * each day's statutory rate, i.e. sum(rate of half-year * days in it).
 *
 * A half-year bears the rate of the latest row of crisk.reference_rate
 * dated on or before its first day, so consecutive half-years share a
 * rate until the first half-year that starts on or after the next row's
 * date.  Each step below covers such a run of half-years at once (rate *
 * its days, exact), and the last run, after the table's latest row, runs
 * to the payment date: the loop takes at most one step per row of the
 * table, however many years lie between the dates.
 */
static Numeric
statutory_rate_days(DateADT first, DateADT last, DateADT due_date)
{
	Numeric		total = int64_to_numeric(0);
	int64		day = first;

	reference_rates_ensure();
	while (day <= last)
	{
		DateADT		half_start = half_year_start((DateADT) day);
		int64		run_end = last;
		Numeric		rate;
		int			row;

		CHECK_FOR_INTERRUPTS();
		row = rate_row_on(half_start, (DateADT) day, last, due_date);
		rate = rate_penalty[row];
		if (row + 1 < nrates)
			run_end = Min(run_end, first_half_year_from(rate_valid_from[row + 1]) - 1);
		total = numeric_add_opt_error(total,
									  numeric_mul_opt_error(rate,
															int64_to_numeric(run_end - day + 1),
															NULL),
									  NULL);
		day = run_end + 1;
	}
	return total;
}

/*
 * late_payment_interest computes the interest on an invoice of `amount`
 * due on due_date and paid (or still open) on paid_date, rounded to the
 * cent.  annual_rate is a fraction; NULL means the statutory French rate.
 * Paid on or before the due date gives 0, and so does a credit note (a
 * negative amount): penalties run on what the customer owes, and a credit
 * note is owed to the customer.
 */
Numeric
late_payment_interest(Numeric amount, DateADT due_date, DateADT paid_date,
					  Numeric annual_rate)
{
	int32		days_late;
	Numeric		rate_days;

	days_late = crisk_days_between(due_date, "due_date", paid_date, "paid_date");
	crisk_require_finite_numeric(amount, "amount");
	if (annual_rate != NULL)
	{
		crisk_require_finite_numeric(annual_rate, "annual_rate");
		if (crisk_numeric_sign(annual_rate) < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("annual_rate must not be negative"),
					 errdetail("annual_rate is %s.",
							   DatumGetCString(DirectFunctionCall1(numeric_out,
																   NumericGetDatum(annual_rate))))));
		/* 12 for 12 % would multiply the interest by a hundred. */
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											  NumericGetDatum(annual_rate),
											  NumericGetDatum(int64_to_numeric(1)))) > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("annual_rate must be a fraction no greater than 1"),
					 errdetail("annual_rate is %s.",
							   DatumGetCString(DirectFunctionCall1(numeric_out,
																   NumericGetDatum(annual_rate)))),
					 errhint("Give the rate as a fraction: 0.12 for 12 %%.")));
	}

	if (days_late <= 0 || crisk_numeric_sign(amount) <= 0)
		return int64_div_fast_to_numeric(0, 2);

	if (annual_rate != NULL)
		rate_days = numeric_mul_opt_error(annual_rate,
										  int64_to_numeric(days_late), NULL);
	else
		rate_days = statutory_rate_days(due_date + 1, paid_date, due_date);

	return crisk_numeric_div_round(numeric_mul_opt_error(amount, rate_days, NULL),
								   int64_to_numeric(LATE_PAYMENT_DAYS_IN_YEAR),
								   2);
}

/*
 * recovery_indemnity returns the fixed 40 euros due for an invoice paid
 * after its due date, else 0.
 */
Numeric
recovery_indemnity(DateADT due_date, DateADT paid_date)
{
	int32		days_late = crisk_days_between(due_date, "due_date",
											   paid_date, "paid_date");

	return int64_div_fast_to_numeric(days_late > 0 ?
									 RECOVERY_INDEMNITY_EUROS * 100 : 0, 2);
}

/*
 * crisk_late_payment_interest implements crisk.late_payment_interest(
 * amount, due_date, paid_date, annual_rate DEFAULT NULL).  Not STRICT,
 * since a NULL annual_rate asks for the statutory rate; a NULL amount or
 * date still gives NULL.
 */
Datum
crisk_late_payment_interest(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(late_payment_interest(PG_GETARG_NUMERIC(0),
											PG_GETARG_DATEADT(1),
											PG_GETARG_DATEADT(2),
											PG_ARGISNULL(3) ? NULL :
											PG_GETARG_NUMERIC(3)));
}

/*
 * crisk_recovery_indemnity implements crisk.recovery_indemnity(due_date,
 * paid_date): 40.00 when paid (or still open at) paid_date after the due
 * date, else 0.00.
 */
Datum
crisk_recovery_indemnity(PG_FUNCTION_ARGS)
{
	PG_RETURN_NUMERIC(recovery_indemnity(PG_GETARG_DATEADT(0),
										 PG_GETARG_DATEADT(1)));
}
