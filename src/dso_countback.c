/*-------------------------------------------------------------------------
 *
 * dso_countback.c
 *	  The aggregate crisk.dso_countback(amount, issue_date, paid_date,
 *	  as_of): days sales outstanding by the countback (exhaustion) method,
 *	  over calendar months, and its state type crisk.dso_countback_state.
 *
 * Starting from the month of as_of, each month's credit sales are taken
 * off the receivables open at as_of while the remainder exceeds them, and
 * the month's days are counted; for the last, partial month, the share
 * remainder / sales of its days is counted.  The month of as_of counts
 * from its first day to as_of (as_of 2024-03-10 gives it 10 days); earlier
 * months count all their days (February 2024 has 29).
 *
 * The state keeps the receivables and the exact credit sales of every
 * calendar month that has an invoice, as a sorted list of (months before
 * as_of's month, sales), so invoices of any date are handled exactly.  It
 * grows by doubling, so a new month rarely allocates and a known month
 * never does.
 *
 * Chosen where the method is silent (documented in the README):
 *	- a month whose credit notes outweigh its invoices has negative sales,
 *	  which the walk takes off like any other month's: the method's own
 *	  arithmetic, which keeps whole-month results whole;
 *	- zero receivables give 0; negative receivables (a credit balance) give
 *	  NULL: no days of sales are outstanding;
 *	- receivables larger than all credit sales on record (possible only
 *	  with credit notes) give NULL: the months to count them in are unknown.
 * The result is rounded half away from zero to 2 decimals, like crisk.dso.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/memutils.h"

#include "agg_state.h"
#include "argcheck.h"
#include "dso_aggregate.h"

PG_FUNCTION_INFO_V1(crisk_dso_countback_state_in);
PG_FUNCTION_INFO_V1(crisk_dso_countback_state_out);
PG_FUNCTION_INFO_V1(crisk_dso_countback_transition);
PG_FUNCTION_INFO_V1(crisk_dso_countback_combine);
PG_FUNCTION_INFO_V1(crisk_dso_countback_final);

/* The credit sales of one calendar month. */
typedef struct MonthSales
{
	int64		months_back;	/* 0 for the month of as_of, 1 for the one before */
	ExactSum	sales;
} MonthSales;

typedef struct CountbackState
{
	int32		vl_len_;		/* varlena header */
	int16		scale;			/* decimal places of the sums (multiple of 4) */
	int16		dscale;			/* the most decimals any amount had */
	DateADT		as_of;
	int32		nmonths;		/* months in use */
	int32		capacity;		/* months there is room for */
	ExactSum	receivables;	/* open at as_of */
	MonthSales	months[FLEXIBLE_ARRAY_MEMBER];	/* ascending months_back */
} CountbackState;

#define INITIAL_MONTHS 8

/* countback_new makes an empty state with room for `capacity` months. */
static CountbackState *
countback_new(DateADT as_of, int capacity)
{
	Size		size = offsetof(CountbackState, months) + capacity * sizeof(MonthSales);
	CountbackState *state = palloc0(size);

	SET_VARSIZE(state, size);
	state->as_of = as_of;
	state->capacity = capacity;
	return state;
}

/* month_number counts months from year 0: year * 12 + month - 1. */
static int64
month_number(DateADT date)
{
	int			year,
				month,
				day;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	return (int64) year * 12 + month - 1;
}

/* first_day returns the first day of a month_number, as a DateADT. */
static int64
first_day(int64 number)
{
	int64		year = (number >= 0) ? number / 12 : -((11 - number) / 12);

	return (int64) date2j((int) year, (int) (number - year * 12) + 1, 1) -
		POSTGRES_EPOCH_JDATE;
}

/*
 * What the transition function keeps in fn_extra: the month numbers of the
 * last as_of and issue_date seen, since consecutive invoices are mostly of
 * the same as_of and often of the same day.
 */
typedef struct MonthCache
{
	bool		valid;
	DateADT		as_of;
	int64		as_of_month;
	DateADT		issue_date;
	int64		issue_month;
} MonthCache;

/* months_back counts calendar months from issue_date's to as_of's. */
static int64
months_back(FunctionCallInfo fcinfo, DateADT as_of, DateADT issue_date)
{
	MonthCache *cache = (MonthCache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(MonthCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	if (!cache->valid || cache->as_of != as_of)
	{
		cache->as_of = as_of;
		cache->as_of_month = month_number(as_of);
		cache->issue_date = issue_date;
		cache->issue_month = month_number(issue_date);
		cache->valid = true;
	}
	else if (cache->issue_date != issue_date)
	{
		cache->issue_date = issue_date;
		cache->issue_month = month_number(issue_date);
	}
	return cache->as_of_month - cache->issue_month;
}

/*
 * find_month returns the index of months_back in the state, or where it
 * would be inserted (with *found false).
 */
static int
find_month(CountbackState *state, int64 months_back, bool *found)
{
	int			low = 0;
	int			high = state->nmonths;

	while (low < high)
	{
		int			middle = (low + high) / 2;

		if (state->months[middle].months_back < months_back)
			low = middle + 1;
		else
			high = middle;
	}
	*found = low < state->nmonths && state->months[low].months_back == months_back;
	return low;
}

/*
 * align_state brings all the state's sums to the amount's scale, or the
 * amount to the state's, and widens the display scale.
 */
static void
align_state(CountbackState *state, ExactAmount *amount)
{
	int			i;

	if (amount->scale > state->scale)
	{
		int			raised = amount->scale - state->scale;

		exact_sum_rescale(&state->receivables, raised, "amount");
		for (i = 0; i < state->nmonths; i++)
			exact_sum_rescale(&state->months[i].sales, raised, "amount");
		state->scale = amount->scale;
	}
	else if (amount->scale < state->scale)
		exact_amount_rescale(amount, state->scale, "amount");
	state->dscale = Max(state->dscale, amount->dscale);
}

/*
 * add_sales adds to a month's sales, inserting the month if needed.  May
 * return a new, larger state (the caller's is then stale).
 */
static CountbackState *
add_sales(CountbackState *state, int64 months_back, const ExactSum *sales)
{
	bool		found;
	int			at = find_month(state, months_back, &found);

	if (!found)
	{
		if (state->nmonths == state->capacity)
		{
			CountbackState *bigger;

			if (state->capacity >= (int32) ((MaxAllocSize - offsetof(CountbackState, months)) /
											(2 * sizeof(MonthSales))))
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("too many months of invoices for crisk.dso_countback")));
			bigger = countback_new(state->as_of, state->capacity * 2);
			memcpy(&bigger->scale, &state->scale,
				   offsetof(CountbackState, months) - offsetof(CountbackState, scale) +
				   state->nmonths * sizeof(MonthSales));
			bigger->capacity = state->capacity * 2;
			state = bigger;
		}
		memmove(&state->months[at + 1], &state->months[at],
				(state->nmonths - at) * sizeof(MonthSales));
		memset(&state->months[at], 0, sizeof(MonthSales));
		state->months[at].months_back = months_back;
		state->nmonths++;
	}
	exact_sum_add(&state->months[at].sales, sales, "amount");
	return state;
}

/*
 * crisk_dso_countback_state_out writes e.g.
 *	 as_of=2024-03-10 scale=4 dscale=2 receivables=150.0000 months=0:100.0000,1:200.0000
 * where "1:200.0000" means 200 of sales in the month before as_of's.
 */
Datum
crisk_dso_countback_state_out(PG_FUNCTION_ARGS)
{
	CountbackState *state = (CountbackState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;
	int			i;

	initStringInfo(&buf);
	state_write_key(&buf, "as_of");
	state_write_date(&buf, state->as_of);
	state_write_scales(&buf, state->scale, state->dscale);
	state_write_key(&buf, "receivables");
	exact_sum_out(&buf, &state->receivables, state->scale);
	state_write_key(&buf, "months");
	for (i = 0; i < state->nmonths; i++)
	{
		appendStringInfo(&buf, "%s" INT64_FORMAT ":", i > 0 ? "," : "",
						 state->months[i].months_back);
		exact_sum_out(&buf, &state->months[i].sales, state->scale);
	}
	PG_RETURN_CSTRING(buf.data);
}

/* crisk_dso_countback_state_in reads the text form back, checking it. */
Datum
crisk_dso_countback_state_in(PG_FUNCTION_ARGS)
{
	StateReader reader;
	int			scale;
	int			dscale;
	CountbackState *state;
	DateADT		as_of;
	int64		oldest;
	int			i;

	state_reader_init(&reader, "crisk.dso_countback_state", PG_GETARG_CSTRING(0));
	state_read_key(&reader, "as_of");
	as_of = state_read_date(&reader, "as_of");
	state = countback_new(as_of, INITIAL_MONTHS);
	state_read_scales(&reader, &scale, &dscale);
	state->scale = (int16) scale;
	state->dscale = (int16) dscale;
	state_read_key(&reader, "receivables");
	state_read_sum(&reader, "receivables", state->scale, &state->receivables);
	state_read_key(&reader, "months");
	/* No month can be older than the first month PostgreSQL has. */
	oldest = month_number(as_of) - month_number(DATETIME_MIN_JULIAN - POSTGRES_EPOCH_JDATE);
	i = 0;
	while (*reader.pos != '\0' && *reader.pos != ' ')
	{
		int64		months_back;
		ExactSum	sales;

		if (i > 0 && !state_read_char(&reader, ','))
			state_reader_error(&reader, "Field \"months\" must be a comma-separated list.");
		months_back = state_read_int(&reader, "months", 0, oldest);
		if (i > 0 && months_back <= state->months[state->nmonths - 1].months_back)
			state_reader_error(&reader,
							   "Field \"months\" must list months in ascending order, each once.");
		if (!state_read_char(&reader, ':'))
			state_reader_error(&reader, "Field \"months\" must list months_back:sales pairs.");
		state_read_sum(&reader, "months", state->scale, &sales);
		state = add_sales(state, months_back, &sales);
		i++;
	}
	state_read_end(&reader);
	PG_RETURN_POINTER(state);
}

/*
 * crisk_dso_countback_transition is the transition function of
 * crisk.dso_countback(amount, issue_date, paid_date, as_of).
 */
Datum
crisk_dso_countback_transition(PG_FUNCTION_ARGS)
{
	CountbackState *state;
	ExactAmount amount;
	DateADT		issue_date;
	DateADT		as_of;
	ExactSum	sales;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(4))
		AGG_RETURN_STATE_UNCHANGED();
	issue_date = PG_GETARG_DATEADT(2);
	as_of = PG_GETARG_DATEADT(4);
	crisk_require_finite_date(issue_date, "issue_date");
	crisk_require_finite_date(as_of, "as_of");
	if (!PG_ARGISNULL(3))
		crisk_require_finite_date(PG_GETARG_DATEADT(3), "paid_date");
	exact_amount_from_numeric(PG_GETARG_DATUM(1), "amount", &amount);

	if (PG_ARGISNULL(0))
		state = countback_new(as_of, INITIAL_MONTHS);
	else
	{
		state = (CountbackState *) agg_state_for_update(fcinfo, 0);
		if (state->as_of != as_of)
			agg_state_as_of_mismatch(as_of, state->as_of);
	}
	if (issue_date > as_of)
		PG_RETURN_POINTER(state);

	align_state(state, &amount);
	if (PG_ARGISNULL(3) || PG_GETARG_DATEADT(3) > as_of)
		exact_sum_add_int128(&state->receivables, amount.units, "amount");
	sales = exact_sum_from_int128(amount.units);
	state = add_sales(state, months_back(fcinfo, as_of, issue_date), &sales);
	PG_RETURN_POINTER(state);
}

/* crisk_dso_countback_combine is the combine function of crisk.dso_countback. */
Datum
crisk_dso_countback_combine(PG_FUNCTION_ARGS)
{
	CountbackState *state;
	CountbackState *other;
	ExactAmount scale_of_other;
	ExactSum	addend;
	int			i;

	AGG_COMBINE_NULL_STATES(fcinfo);

	state = (CountbackState *) agg_state_for_update(fcinfo, 0);
	other = (CountbackState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	if (state->as_of != other->as_of)
		agg_state_as_of_mismatch(other->as_of, state->as_of);

	/* A zero amount at the other's scale brings this state to it. */
	scale_of_other.units = 0;
	scale_of_other.scale = other->scale;
	scale_of_other.dscale = other->dscale;
	align_state(state, &scale_of_other);

	addend = other->receivables;
	exact_sum_rescale(&addend, state->scale - other->scale, "amount");
	exact_sum_add(&state->receivables, &addend, "amount");
	for (i = 0; i < other->nmonths; i++)
	{
		addend = other->months[i].sales;
		exact_sum_rescale(&addend, state->scale - other->scale, "amount");
		state = add_sales(state, other->months[i].months_back, &addend);
	}
	PG_RETURN_POINTER(state);
}

/*
 * crisk_dso_countback_final walks back month by month from as_of's month;
 * it only reads the state.
 */
Datum
crisk_dso_countback_final(PG_FUNCTION_ARGS)
{
	CountbackState *state = (CountbackState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	ExactSum	remainder = state->receivables;
	ExactSum	zero = {{0, 0, 0, 0}};
	int64		as_of_month = month_number(state->as_of);
	int64		days = 0;			/* whole days counted so far */
	int64		months_back = 0;
	int			next = 0;		/* first entry not yet walked past */
	int			year,
				month,
				day;

	if (exact_sum_is_zero(&remainder))
		PG_RETURN_NUMERIC(int64_div_fast_to_numeric(0, DSO_DECIMALS));
	if (exact_sum_is_negative(&remainder))
		PG_RETURN_NULL();

	j2date(state->as_of + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	for (;;)
	{
		ExactSum	sales = zero;
		int64		month_days;

		CHECK_FOR_INTERRUPTS();
		if (next < state->nmonths && state->months[next].months_back == months_back)
			sales = state->months[next++].sales;
		/* The month of as_of counts up to as_of; the others whole. */
		month_days = (months_back == 0) ? day :
			first_day(as_of_month - months_back + 1) - first_day(as_of_month - months_back);

		if (exact_sum_cmp(&remainder, &sales) <= 0)
		{
			/* days + remainder / sales * month_days, with 0 < remainder <= sales */
			ExactSum	numerator = sales;
			ExactSum	part = remainder;

			exact_sum_mul_int64(&numerator, days, "amount");
			exact_sum_mul_int64(&part, month_days, "amount");
			exact_sum_add(&numerator, &part, "amount");
			PG_RETURN_NUMERIC(exact_div_round(&numerator, &sales, DSO_DECIMALS));
		}
		exact_sum_sub(&remainder, &sales, "amount");
		days += month_days;
		if (next >= state->nmonths)
			PG_RETURN_NULL();	/* receivables exceed all sales on record */
		/* Months without invoices count whole, up to the next with some. */
		days += first_day(as_of_month - months_back) -
			first_day(as_of_month - state->months[next].months_back + 1);
		months_back = state->months[next].months_back;
	}
}
