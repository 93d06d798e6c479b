/*-------------------------------------------------------------------------
 *
 * outcome_counts.c
 *	  The state type crisk.outcome_counts, its combine function and the
 *	  transition function crisk.auc and crisk.ks share.
 *
 * Fitting a logistic regression needs the data, not sufficient statistics:
 * the weights of iteratively reweighted least squares change at every
 * iteration.  AUC and KS need the order of the scores.  So the state
 * gathers the rows, compactly: rows with the same values (the same
 * characteristics, or the same score) collapse into one pattern carrying
 * its count of bad rows and of good rows.  A scorecard's characteristics
 * take few distinct values once binned, and scores are integers from 0 to
 * 100, so the state stays small; with continuous values it holds up to one
 * pattern per row, (columns + 2) * 8 bytes each.
 *
 * Rows are appended as they come; when the state is full its patterns are
 * sorted and merged (outcome_counts_compact), and it grows (doubling) only
 * when that leaves it more than half full.  When merging gains little (raw
 * continuous values), later growths skip it, more and more of them.  Combining two states appends
 * the patterns of one to the other.  The order of the rows therefore never
 * changes a result: final functions compact a copy first.
 *
 * The text form, for Citus, writes the compacted patterns:
 *
 *	  columns=2 patterns=2 records=0,1.5:3,7;1,2:0,4
 *
 * each record being its values, then after ':' its bad and good counts.
 * Values are written in the shortest form that reads back exactly.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/memutils.h"

#include "agg_state.h"
#include "outcome_counts.h"

PG_FUNCTION_INFO_V1(crisk_outcome_counts_in);
PG_FUNCTION_INFO_V1(crisk_outcome_counts_out);
PG_FUNCTION_INFO_V1(crisk_outcome_counts_combine);
PG_FUNCTION_INFO_V1(crisk_score_outcome_transition);

/* Counts are whole numbers held in doubles: exact up to 2^53. */
#define MAX_EXACT_COUNT 9007199254740992.0

/* Patterns a new state has room for. */
#define INITIAL_CAPACITY 16

/* state_size is the size in bytes of a state with room for capacity patterns. */
static Size
state_size(int columns, Size capacity)
{
	return offsetof(OutcomeCounts, records) +
		capacity * (Size) (columns + 2) * sizeof(double);
}

/*
 * outcome_counts_create makes an empty state, in the current memory
 * context, for patterns of `columns` values.
 */
OutcomeCounts *
outcome_counts_create(int columns, int capacity)
{
	OutcomeCounts *state;
	Size		size;

	Assert(columns >= 0 && columns <= OUTCOME_COUNTS_MAX_COLUMNS);
	size = state_size(columns, Max(capacity, 1));
	state = palloc(size);
	SET_VARSIZE(state, size);
	state->columns = columns;
	state->patterns = 0;
	state->compacted = true;
	state->skip_compaction = 0;
	return state;
}

/* compare_patterns orders records by their values, lexicographically. */
static int
compare_patterns(const void *a, const void *b, void *arg)
{
	const double *x = (const double *) a;
	const double *y = (const double *) b;
	int			columns = *(const int *) arg;

	for (int i = 0; i < columns; i++)
	{
		if (x[i] < y[i])
			return -1;
		if (x[i] > y[i])
			return 1;
	}
	return 0;
}

/* compare_pattern_pointers orders pointers to records by the records' values. */
static int
compare_pattern_pointers(const void *a, const void *b, void *arg)
{
	return compare_patterns(*(const double *const *) a, *(const double *const *) b, arg);
}

/*
 * merge_sorted writes the records of state, sorted and with the counts of
 * equal patterns added up, into out (room for state->patterns records)
 * and returns how many it wrote.  It sorts pointers, not the records
 * themselves, which are (columns + 2) * 8 bytes each.
 */
static int32
merge_sorted(const OutcomeCounts *state, double *out)
{
	int			columns = state->columns;
	int			stride = OUTCOME_COUNTS_STRIDE(state);
	const double **order;
	double	   *last = NULL;
	int32		kept = 0;

	if (state->patterns == 0)
		return 0;
	order = palloc(state->patterns * sizeof(double *));
	for (int32 i = 0; i < state->patterns; i++)
		order[i] = OUTCOME_COUNTS_RECORD(state, i);
	qsort_arg(order, state->patterns, sizeof(double *), compare_pattern_pointers, &columns);
	for (int32 i = 0; i < state->patterns; i++)
	{
		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		if (last != NULL && compare_patterns(last, order[i], &columns) == 0)
		{
			last[columns] += order[i][columns];
			last[columns + 1] += order[i][columns + 1];
		}
		else
		{
			last = out + (Size) kept * stride;
			memcpy(last, order[i], stride * sizeof(double));
			kept++;
		}
	}
	pfree(order);
	return kept;
}

/*
 * outcome_counts_compact sorts the patterns of a state and merges those
 * with the same values, adding their counts.  It changes the state in
 * place but not what it means.
 */
void
outcome_counts_compact(OutcomeCounts *state)
{
	double	   *merged;

	if (state->compacted)
		return;
	merged = palloc((Size) state->patterns * OUTCOME_COUNTS_STRIDE(state) * sizeof(double) + 1);
	state->patterns = merge_sorted(state, merged);
	memcpy(state->records, merged,
		   (Size) state->patterns * OUTCOME_COUNTS_STRIDE(state) * sizeof(double));
	pfree(merged);
	state->compacted = true;
}

/*
 * outcome_counts_compacted returns the state compacted, for a final
 * function to read: the state itself when it is compacted already, else a
 * compacted copy in the current memory context (the state is not changed).
 */
const OutcomeCounts *
outcome_counts_compacted(const OutcomeCounts *state)
{
	OutcomeCounts *copy;

	if (state->compacted)
		return state;
	copy = outcome_counts_create(state->columns, state->patterns);
	copy->patterns = merge_sorted(state, copy->records);
	copy->compacted = true;
	return copy;
}

/*
 * grow returns a copy of a state with twice the room, made in the current
 * memory context (the executor copies a new transition value into the
 * aggregate context and frees the old one).
 */
static OutcomeCounts *
grow(OutcomeCounts *state)
{
	Size		capacity = (Size) OUTCOME_COUNTS_CAPACITY(state) * 2;
	Size		used = state_size(state->columns, state->patterns);
	Size		size = state_size(state->columns, capacity);
	OutcomeCounts *bigger;

	if (size > MaxAllocSize)
	{
		size = MaxAllocSize;
		if (size <= used)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("too many distinct rows to gather for one group"),
					 errdetail("The sample has more than %d distinct patterns of %d values.",
							   state->patterns, state->columns),
					 errhint("Bin the characteristics, or fit on a sample of the rows.")));
		size = state_size(state->columns,
						  (size - offsetof(OutcomeCounts, records)) /
						  ((state->columns + 2) * sizeof(double)));
	}
	bigger = palloc(size);
	memcpy(bigger, state, used);
	SET_VARSIZE(bigger, size);
	return bigger;
}

/*
 * outcome_counts_add appends a pattern with its counts and returns the
 * state, which is a new one when the old was full.  The caller has checked
 * the values (finite) and turned -0 into 0.
 */
OutcomeCounts *
outcome_counts_add(OutcomeCounts *state, const double *values, double bads,
				   double goods)
{
	double	   *record;

	if (state->patterns >= OUTCOME_COUNTS_CAPACITY(state))
	{
		/*
		 * Merge repeated patterns to make room, unless the last time merged
		 * less than a quarter of them (values that hardly repeat, where the
		 * sort would be wasted): then only grow, skipping as many merges as
		 * the state has doubled so far, so that raw continuous values are
		 * sorted about once, by the final function.
		 */
		if (state->skip_compaction > 0)
			state->skip_compaction--;
		else
		{
			int32		before = state->patterns;

			outcome_counts_compact(state);
			if (state->patterns > before - before / 4)
			{
				/* skip as many growths as the state has had so far */
				for (int32 c = OUTCOME_COUNTS_CAPACITY(state); c > 64; c >>= 1)
					state->skip_compaction++;
			}
		}
		if (state->patterns > OUTCOME_COUNTS_CAPACITY(state) / 2)
			state = grow(state);
	}
	record = OUTCOME_COUNTS_RECORD(state, state->patterns);
	memcpy(record, values, state->columns * sizeof(double));
	record[state->columns] = bads;
	record[state->columns + 1] = goods;
	state->patterns++;
	state->compacted = false;
	return state;
}

/* outcome_counts_totals adds up the bad and good rows of a state. */
void
outcome_counts_totals(const OutcomeCounts *state, double *bads, double *goods)
{
	*bads = 0;
	*goods = 0;
	for (int i = 0; i < state->patterns; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(state, i);

		*bads += record[state->columns];
		*goods += record[state->columns + 1];
	}
}

/* write_double appends a double in the shortest form that reads back exactly. */
static void
write_double(StringInfo buf, double value)
{
	char		digits[DOUBLE_SHORTEST_DECIMAL_LEN];

	double_to_shortest_decimal_buf(value, digits);
	appendStringInfoString(buf, digits);
}

/* crisk_outcome_counts_out writes the compacted patterns of a state. */
Datum
crisk_outcome_counts_out(PG_FUNCTION_ARGS)
{
	const OutcomeCounts *state =
		outcome_counts_compacted((OutcomeCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0)));
	StringInfoData buf;

	initStringInfo(&buf);
	state_write_key(&buf, "columns");
	appendStringInfo(&buf, "%d", state->columns);
	state_write_key(&buf, "patterns");
	appendStringInfo(&buf, "%d", state->patterns);
	state_write_key(&buf, "records");
	for (int i = 0; i < state->patterns; i++)
	{
		const double *record = OUTCOME_COUNTS_RECORD(state, i);

		if (i > 0)
			appendStringInfoChar(&buf, ';');
		for (int j = 0; j < state->columns; j++)
		{
			if (j > 0)
				appendStringInfoChar(&buf, ',');
			write_double(&buf, record[j]);
		}
		appendStringInfoChar(&buf, ':');
		write_double(&buf, record[state->columns]);
		appendStringInfoChar(&buf, ',');
		write_double(&buf, record[state->columns + 1]);
	}
	PG_RETURN_CSTRING(buf.data);
}

/* read_double consumes a finite double written by write_double. */
static double
read_double(StateReader *reader, const char *what)
{
	char	   *end;
	double		value;

	errno = 0;
	value = strtod(reader->pos, &end);
	if (end == reader->pos || errno == ERANGE || !isfinite(value))
		state_reader_error(reader,
						   psprintf("Field \"%s\" must hold finite numbers.", what));
	reader->pos = end;
	return value == 0 ? 0 : value;
}

/* read_count consumes a count of rows: a whole number from 0 to 2^53. */
static double
read_count(StateReader *reader)
{
	double		count = read_double(reader, "records");

	if (count < 0 || count > MAX_EXACT_COUNT || count != floor(count))
		state_reader_error(reader,
						   "Counts of bad and good rows must be whole numbers from 0 to 2^53.");
	return count;
}

/* crisk_outcome_counts_in reads the text form back, checking every field. */
Datum
crisk_outcome_counts_in(PG_FUNCTION_ARGS)
{
	StateReader reader;
	OutcomeCounts *state;
	int			columns;
	int			patterns;

	state_reader_init(&reader, "crisk.outcome_counts", PG_GETARG_CSTRING(0));
	state_read_key(&reader, "columns");
	columns = (int) state_read_int(&reader, "columns", 0, OUTCOME_COUNTS_MAX_COLUMNS);
	state_read_key(&reader, "patterns");
	patterns = (int) state_read_int(&reader, "patterns", 0,
									(MaxAllocSize - offsetof(OutcomeCounts, records)) /
									((columns + 2) * sizeof(double)));
	state_read_key(&reader, "records");
	/* A record takes at least 4 characters (":1,0"): no huge allocation for a short text. */
	if ((Size) patterns > strlen(reader.pos) / 4 + 1)
		state_reader_error(&reader,
						   psprintf("Field \"patterns\" is %d, more records than the text holds.",
									patterns));
	state = outcome_counts_create(columns, patterns);
	for (int i = 0; i < patterns; i++)
	{
		double	   *record = OUTCOME_COUNTS_RECORD(state, i);

		if (i > 0 && !state_read_char(&reader, ';'))
			state_reader_error(&reader,
							   psprintf("Field \"records\" must hold %d records separated by ';'.",
										patterns));
		for (int j = 0; j < columns; j++)
		{
			if (j > 0 && !state_read_char(&reader, ','))
				state_reader_error(&reader,
								   psprintf("Each record must have %d values separated by ','.",
											columns));
			record[j] = read_double(&reader, "records");
		}
		if (!state_read_char(&reader, ':'))
			state_reader_error(&reader,
							   "Each record's values must be followed by ':' and its counts.");
		record[columns] = read_count(&reader);
		if (!state_read_char(&reader, ','))
			state_reader_error(&reader,
							   "Each record's counts must be two numbers separated by ','.");
		record[columns + 1] = read_count(&reader);
		if (record[columns] + record[columns + 1] == 0)
			state_reader_error(&reader, "Each record must count at least one row.");
		state->patterns++;
	}
	state_read_end(&reader);
	state->compacted = false;
	outcome_counts_compact(state);
	PG_RETURN_POINTER(state);
}

/*
 * crisk_outcome_counts_combine is the combine function of the aggregates
 * over crisk.outcome_counts: the patterns of the second state are added to
 * the first.
 */
Datum
crisk_outcome_counts_combine(PG_FUNCTION_ARGS)
{
	OutcomeCounts *state;
	OutcomeCounts *other;

	AGG_COMBINE_NULL_STATES(fcinfo);
	state = (OutcomeCounts *) agg_state_for_update(fcinfo, 0);
	other = (OutcomeCounts *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	if (other->columns != state->columns)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("x must have the same number of elements on every row of a group"),
				 errdetail("The partial states to combine have %d and %d values per row.",
						   state->columns, other->columns)));
	for (int i = 0; i < other->patterns; i++)
	{
		double	   *record = OUTCOME_COUNTS_RECORD(other, i);

		CHECK_FOR_INTERRUPTS();
		state = outcome_counts_add(state, record, record[other->columns],
								   record[other->columns + 1]);
	}
	PG_RETURN_POINTER(state);
}

/*
 * crisk_score_outcome_transition is the transition function of crisk.auc
 * and crisk.ks: a row's score and whether the customer went bad.  Rows
 * with a NULL score or a NULL outcome are skipped.
 */
Datum
crisk_score_outcome_transition(PG_FUNCTION_ARGS)
{
	OutcomeCounts *state;
	double		score;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		AGG_RETURN_STATE_UNCHANGED();
	score = PG_GETARG_FLOAT8(1);
	if (!isfinite(score))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("score must be a finite number"),
				 errdetail("A row has score %s.", float8out_internal(score)),
				 errhint("Pass NULL for a customer without a score; such rows are skipped.")));
	if (score == 0)
		score = 0;				/* -0 and 0 are one score */
	if (PG_ARGISNULL(0))
		state = outcome_counts_create(1, INITIAL_CAPACITY);
	else
		state = (OutcomeCounts *) agg_state_for_update(fcinfo, 0);
	state = outcome_counts_add(state, &score, PG_GETARG_BOOL(2) ? 1 : 0,
							   PG_GETARG_BOOL(2) ? 0 : 1);
	PG_RETURN_POINTER(state);
}
