/*-------------------------------------------------------------------------
 *
 * agg_state.h
 *	  What every crisk aggregate state type shares: memory handling of
 *	  transition and combine functions, and the text form of states.
 *
 * States are real SQL types (varlena, plain storage, double alignment), not
 * `internal`, so that PostgreSQL can hand them between parallel workers and
 * Citus can ship them between nodes as text.  Their text form is a list of
 * key=value fields in a fixed order, e.g.
 *
 *	  scale=4 dscale=2 bounds=30,60,90 buckets=10.0000,0.0000,...
 *
 * Amounts are written with exactly `scale` decimals and read back exactly,
 * so input(output(x)) = x.  Malformed text raises 22P02 and names the
 * field at fault.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_AGG_STATE_H
#define CRISK_AGG_STATE_H

#include "fmgr.h"
#include "nodes/nodes.h"
#include "lib/stringinfo.h"
#include "utils/date.h"

#include "exact_numeric.h"

extern struct varlena *agg_state_private_copy(FunctionCallInfo fcinfo, int argno);
extern struct varlena *agg_state_copy_to_aggcontext(FunctionCallInfo fcinfo,
													 int argno);
extern pg_attribute_noreturn() void agg_state_mismatch(const char *argname,
													   const char *detail);
extern pg_attribute_noreturn() void agg_state_as_of_mismatch(DateADT row_as_of,
															 DateADT group_as_of);

/*
 * agg_state_for_update returns state argument argno in a form the caller may
 * update in place: the argument itself when running as an aggregate (the
 * test AggCheckCallContext makes, inline since it runs on every row), else
 * a private copy.
 */
static inline struct varlena *
agg_state_for_update(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));

	if (likely(VARATT_IS_4B_U(raw) && fcinfo->context != NULL &&
			   (IsA(fcinfo->context, AggState) ||
				IsA(fcinfo->context, WindowAggState))))
		return raw;
	return agg_state_private_copy(fcinfo, argno);
}

/*
 * AGG_RETURN_STATE_UNCHANGED ends a transition function on a row it skips
 * (a NULL that means "unknown"): the state, or NULL before the first row.
 */
#define AGG_RETURN_STATE_UNCHANGED() \
	do { \
		if (PG_ARGISNULL(0)) \
			PG_RETURN_NULL(); \
		PG_RETURN_DATUM(PG_GETARG_DATUM(0)); \
	} while (0)

/*
 * AGG_COMBINE_NULL_STATES starts every combine function: a NULL state (a
 * partial aggregate that saw no rows) leaves the other one as it is; when
 * only the first is NULL, the second is copied into the aggregate context,
 * where the combined state must live.
 */
#define AGG_COMBINE_NULL_STATES(fcinfo) \
	do { \
		if (PG_ARGISNULL(1)) \
			AGG_RETURN_STATE_UNCHANGED(); \
		if (PG_ARGISNULL(0)) \
			PG_RETURN_POINTER(agg_state_copy_to_aggcontext(fcinfo, 1)); \
	} while (0)

/* Writing a state's text form. */
extern void state_write_key(StringInfo buf, const char *key);
extern void state_write_date(StringInfo buf, DateADT date);
extern void state_write_scales(StringInfo buf, int scale, int dscale);

/* Reading it back. */
typedef struct StateReader
{
	const char *typname;		/* the state type, for messages */
	const char *input;			/* the whole text */
	const char *pos;			/* next character to read */
} StateReader;

extern void state_reader_init(StateReader *reader, const char *typname,
							  const char *input);
extern pg_attribute_noreturn() void state_reader_error(StateReader *reader,
													   const char *detail);
extern void state_read_key(StateReader *reader, const char *key);
extern int64 state_read_int(StateReader *reader, const char *what,
							int64 min, int64 max);
extern int	state_read_scale(StateReader *reader, const char *key);
extern void state_read_scales(StateReader *reader, int *scale, int *dscale);
extern void state_read_sum(StateReader *reader, const char *what, int scale,
						   ExactSum *sum);
extern DateADT state_read_date(StateReader *reader, const char *what);
extern bool state_read_word(StateReader *reader, const char *word);
extern bool state_read_char(StateReader *reader, char c);
extern void state_read_end(StateReader *reader);

#endif							/* CRISK_AGG_STATE_H */
