/*-------------------------------------------------------------------------
 *
 * agg_state.c
 *	  What every crisk aggregate state type shares: memory handling of
 *	  transition and combine functions, and the text form of states.
 *
 * Memory rules (see nodeAgg.c and PostgreSQL's xaggr documentation):
 *	- called as an aggregate, a transition or combine function updates the
 *	  state it is given in place; it lives in the aggregate context;
 *	- called as a plain function (SELECT crisk.aging_transition(...)), it
 *	  must not scribble on its argument, so it works on a copy;
 *	- a brand-new state returned by a transition function is copied into
 *	  the aggregate context by the executor (nodeAgg, window aggregates and
 *	  Citus all do this for a pass-by-reference state), so it is built in
 *	  the short-lived current context and nothing leaks per group;
 *	- a combine function whose first argument is NULL returns a copy of its
 *	  second argument made in the aggregate context, never the argument
 *	  itself, which belongs to the caller.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "utils/builtins.h"
#include "utils/datetime.h"

#include "agg_state.h"

/*
 * agg_state_private_copy returns state argument argno detoasted into memory
 * of its own, which the caller may update: agg_state_for_update's slow path.
 */
struct varlena *
agg_state_private_copy(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	struct varlena *state = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));

	if (state == raw)
	{
		state = palloc(VARSIZE(raw));
		memcpy(state, raw, VARSIZE(raw));
	}
	return state;
}

/*
 * agg_state_copy_to_aggcontext copies state argument argno into the
 * aggregate context (the current context outside an aggregate).  Combine
 * functions use it when their first argument is NULL.
 */
struct varlena *
agg_state_copy_to_aggcontext(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *state = PG_DETOAST_DATUM(PG_GETARG_DATUM(argno));
	MemoryContext aggcontext;
	struct varlena *copy;

	if (!AggCheckCallContext(fcinfo, &aggcontext))
		aggcontext = CurrentMemoryContext;
	copy = MemoryContextAlloc(aggcontext, VARSIZE(state));
	memcpy(copy, state, VARSIZE(state));
	return copy;
}

/*
 * agg_state_mismatch reports rows (or partial states) of one group that
 * disagree on a parameter that must be the same for the whole group.
 */
void
agg_state_mismatch(const char *argname, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s must be the same on every row of a group", argname),
			 errdetail("%s", detail),
			 errhint("Pass the same %s on every row of a group, for example a constant, or add it to GROUP BY.",
					 argname)));
}

/*
 * agg_state_as_of_mismatch reports rows (or partial states) of one group
 * with different as_of dates.
 */
void
agg_state_as_of_mismatch(DateADT row_as_of, DateADT group_as_of)
{
	agg_state_mismatch("as_of",
					   psprintf("The group has rows as of %s and rows as of %s.",
								DatumGetCString(DirectFunctionCall1(date_out,
																	DateADTGetDatum(row_as_of))),
								DatumGetCString(DirectFunctionCall1(date_out,
																	DateADTGetDatum(group_as_of)))));
}

/*
 * state_write_key starts a field: a space before every field but the first.
 */
void
state_write_key(StringInfo buf, const char *key)
{
	if (buf->len > 0)
		appendStringInfoChar(buf, ' ');
	appendStringInfoString(buf, key);
	appendStringInfoChar(buf, '=');
}

/*
 * state_write_date writes a finite date as YYYY-MM-DD whatever DateStyle
 * says, so that a state written on one node reads back on another.  Years
 * before 1 AD use astronomical numbering (0 is 1 BC, -1 is 2 BC), as
 * PostgreSQL's date arithmetic does internally.
 */
void
state_write_date(StringInfo buf, DateADT date)
{
	int			year,
				month,
				day;

	j2date(date + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	if (year < 0)
		appendStringInfo(buf, "-%04d-%02d-%02d", -year, month, day);
	else
		appendStringInfo(buf, "%04d-%02d-%02d", year, month, day);
}

/*
 * state_write_scales writes the "scale" and "dscale" fields every state
 * with exact sums starts with (see state_read_scales).
 */
void
state_write_scales(StringInfo buf, int scale, int dscale)
{
	state_write_key(buf, "scale");
	appendStringInfo(buf, "%d", scale);
	state_write_key(buf, "dscale");
	appendStringInfo(buf, "%d", dscale);
}

/* state_reader_init prepares to read a state's text form. */
void
state_reader_init(StateReader *reader, const char *typname, const char *input)
{
	reader->typname = typname;
	reader->input = input;
	reader->pos = input;
}

/* state_reader_error rejects the text, saying what is wrong with it. */
void
state_reader_error(StateReader *reader, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type %s: \"%s\"",
					reader->typname, reader->input),
			 errdetail("%s", detail)));
}

/* skip_spaces moves past white space between fields. */
static void
skip_spaces(StateReader *reader)
{
	while (*reader->pos == ' ' || *reader->pos == '\t' ||
		   *reader->pos == '\n' || *reader->pos == '\r')
		reader->pos++;
}

/* state_read_key consumes "key=" (after optional white space). */
void
state_read_key(StateReader *reader, const char *key)
{
	size_t		len = strlen(key);

	skip_spaces(reader);
	if (strncmp(reader->pos, key, len) != 0 || reader->pos[len] != '=')
		state_reader_error(reader,
						   psprintf("Expected field \"%s=\" at \"%s\".", key,
									reader->pos));
	reader->pos += len + 1;
}

/*
 * state_read_scale consumes field key holding the scale of exact sums: a
 * multiple of 4 decimals (one 10^4 limb) up to EXACT_MAX_SCALE.
 */
int
state_read_scale(StateReader *reader, const char *key)
{
	int			scale;

	state_read_key(reader, key);
	scale = (int) state_read_int(reader, key, 0, EXACT_MAX_SCALE);
	if (scale % 4 != 0)
		state_reader_error(reader,
						   psprintf("Field \"%s\" must be a multiple of 4.", key));
	return scale;
}

/*
 * state_read_scales consumes the fields state_write_scales writes: the
 * scale of the sums and the display scale of the inputs.
 */
void
state_read_scales(StateReader *reader, int *scale, int *dscale)
{
	*scale = state_read_scale(reader, "scale");
	state_read_key(reader, "dscale");
	*dscale = (int) state_read_int(reader, "dscale", 0, EXACT_MAX_DSCALE);
}

/* state_read_int consumes a decimal integer between min and max. */
int64
state_read_int(StateReader *reader, const char *what, int64 min, int64 max)
{
	const char *start = reader->pos;
	bool		negative = false;
	uint64		magnitude = 0;
	int64		value;

	if (*reader->pos == '-')
	{
		negative = true;
		reader->pos++;
	}
	if (!isdigit((unsigned char) *reader->pos))
		state_reader_error(reader,
						   psprintf("Field \"%s\" must be an integer.", what));
	while (isdigit((unsigned char) *reader->pos))
	{
		if (magnitude > (PG_UINT64_MAX - 9) / 10)
			state_reader_error(reader,
							   psprintf("Field \"%s\" is out of range.", what));
		magnitude = magnitude * 10 + (*reader->pos - '0');
		reader->pos++;
	}
	if (magnitude > (uint64) PG_INT64_MAX)
		state_reader_error(reader,
						   psprintf("Field \"%s\" is out of range.", what));
	value = negative ? -(int64) magnitude : (int64) magnitude;
	if (value < min || value > max)
		state_reader_error(reader,
						   psprintf("Field \"%s\" is %.*s; it must be between "
									INT64_FORMAT " and " INT64_FORMAT ".",
									what, (int) (reader->pos - start), start,
									min, max));
	return value;
}

/* state_read_sum consumes an amount with at most `scale` decimals. */
void
state_read_sum(StateReader *reader, const char *what, int scale, ExactSum *sum)
{
	bool		out_of_range = false;
	const char *end = exact_sum_in(reader->pos, scale, sum, &out_of_range);

	if (out_of_range)
		state_reader_error(reader,
						   psprintf("Field \"%s\" is out of range for an exact total.",
									what));
	if (end == NULL)
		state_reader_error(reader,
						   psprintf("Field \"%s\" must be a decimal number with at most %d decimal places.",
									what, scale));
	reader->pos = end;
}

/* read_digits consumes exactly `count` digits, or 1 to `count` when !exact. */
static bool
read_digits(StateReader *reader, int count, bool exact, int *value)
{
	int			n = 0;

	*value = 0;
	while (n < count && isdigit((unsigned char) *reader->pos))
	{
		*value = *value * 10 + (*reader->pos - '0');
		reader->pos++;
		n++;
	}
	return exact ? n == count : n > 0 && !isdigit((unsigned char) *reader->pos);
}

/*
 * state_read_date consumes a date written by state_write_date and checks
 * that it is a real, finite date.
 */
DateADT
state_read_date(StateReader *reader, const char *what)
{
	bool		negative = false;
	int			year,
				month,
				day;
	DateADT		date;

	if (*reader->pos == '-')
	{
		negative = true;
		reader->pos++;
	}
	if (!read_digits(reader, 7, false, &year) || *reader->pos++ != '-' ||
		!read_digits(reader, 2, true, &month) || *reader->pos++ != '-' ||
		!read_digits(reader, 2, true, &day))
		state_reader_error(reader,
						   psprintf("Field \"%s\" must be a date written YYYY-MM-DD.",
									what));
	if (negative)
		year = -year;
	if (month < 1 || month > 12 || day < 1 ||
		day > day_tab[isleap(year)][month - 1] ||
		!IS_VALID_JULIAN(year, month, day))
		state_reader_error(reader,
						   psprintf("Field \"%s\" is not a valid date.", what));
	date = date2j(year, month, day) - POSTGRES_EPOCH_JDATE;
	if (!IS_VALID_DATE(date))
		state_reader_error(reader,
						   psprintf("Field \"%s\" is not a valid date.", what));
	return date;
}

/* state_read_word consumes `word` if the text continues with it. */
bool
state_read_word(StateReader *reader, const char *word)
{
	size_t		len = strlen(word);

	if (strncmp(reader->pos, word, len) != 0)
		return false;
	reader->pos += len;
	return true;
}

/* state_read_char consumes `c` if it comes next. */
bool
state_read_char(StateReader *reader, char c)
{
	if (*reader->pos != c)
		return false;
	reader->pos++;
	return true;
}

/* state_read_end checks that nothing but white space is left. */
void
state_read_end(StateReader *reader)
{
	skip_spaces(reader);
	if (*reader->pos != '\0')
		state_reader_error(reader,
						   psprintf("Unexpected text \"%s\" after the last field.",
									reader->pos));
}
