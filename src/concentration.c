/*-------------------------------------------------------------------------
 *
 * concentration.c
 *	  The aggregate crisk.concentration(exposure): the Herfindahl-Hirschman
 *	  index of a portfolio's exposures, and its state type
 *	  crisk.concentration_state.
 *
 *	  HHI = sum over rows of (100 * exposure / total exposure)^2
 *	      = 10000 * sum(exposure^2) / sum(exposure)^2
 *
 * from near 0 (many small customers) to 10 000 (a single one).  Pass one
 * row per customer (e.g. each customer's open balance).  Rows whose
 * exposure is zero or negative (a credit balance is no exposure) and NULL
 * rows are ignored; with no positive exposure the index is NULL.
 *
 * The state keeps the sum and the sum of squares exactly (squares in units
 * of 10^-(2 * scale)), so the index, computed once in the final function,
 * is the same whatever the order of the rows.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"

#include "agg_state.h"

PG_FUNCTION_INFO_V1(crisk_concentration_state_in);
PG_FUNCTION_INFO_V1(crisk_concentration_state_out);
PG_FUNCTION_INFO_V1(crisk_concentration_transition);
PG_FUNCTION_INFO_V1(crisk_concentration_combine);
PG_FUNCTION_INFO_V1(crisk_concentration_final);

typedef struct ConcentrationState
{
	int32		vl_len_;		/* varlena header */
	int16		scale;			/* decimal places of sum (multiple of 4) */
	int16		dscale;			/* the most decimals any exposure had */
	ExactSum	sum;			/* of positive exposures */
	ExactSum	squares;		/* of their squares, at 2 * scale */
} ConcentrationState;

/*
 * raise_scale brings the state to a finer scale: the sum by 10^digits, the
 * squares by 10^(2 * digits).
 */
static void
raise_scale(ConcentrationState *state, int scale)
{
	int			digits = scale - state->scale;

	exact_sum_rescale(&state->sum, digits, "exposure");
	exact_sum_rescale(&state->squares, 2 * digits, "exposure");
	state->scale = scale;
}

/*
 * squares_possible tells whether a sum of squares can come from positive
 * exposures with that sum, all counted in units of the state's scale: each
 * exposure x is a whole number of units, at least 1, so x <= x^2, and the
 * squares of a sum's parts add up to at most the square of the sum.  Hence
 * sum <= squares <= sum^2, which also keeps the index within 0..10 000.
 * The square of the sum is compared in numeric, since it may exceed 256
 * bits.
 */
static bool
squares_possible(const ExactSum *sum, const ExactSum *squares)
{
	Numeric		sum_value;
	Numeric		sum_squared;

	if (exact_sum_cmp(squares, sum) < 0)
		return false;
	sum_value = exact_sum_to_numeric(sum, 0, 0);
	sum_squared = numeric_mul_opt_error(sum_value, sum_value, NULL);
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp,
											 NumericGetDatum(exact_sum_to_numeric(squares, 0, 0)),
											 NumericGetDatum(sum_squared))) <= 0;
}

/* crisk_concentration_state_out writes e.g. "scale=4 dscale=2 sum=... squares=...". */
Datum
crisk_concentration_state_out(PG_FUNCTION_ARGS)
{
	ConcentrationState *state = (ConcentrationState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	StringInfoData buf;

	initStringInfo(&buf);
	state_write_scales(&buf, state->scale, state->dscale);
	state_write_key(&buf, "sum");
	exact_sum_out(&buf, &state->sum, state->scale);
	state_write_key(&buf, "squares");
	exact_sum_out(&buf, &state->squares, 2 * state->scale);
	PG_RETURN_CSTRING(buf.data);
}

/* crisk_concentration_state_in reads the text form back, checking it. */
Datum
crisk_concentration_state_in(PG_FUNCTION_ARGS)
{
	StateReader reader;
	int			scale;
	int			dscale;
	ConcentrationState *state = palloc0(sizeof(ConcentrationState));

	SET_VARSIZE(state, sizeof(ConcentrationState));
	state_reader_init(&reader, "crisk.concentration_state", PG_GETARG_CSTRING(0));
	state_read_scales(&reader, &scale, &dscale);
	state->scale = (int16) scale;
	state->dscale = (int16) dscale;
	state_read_key(&reader, "sum");
	state_read_sum(&reader, "sum", state->scale, &state->sum);
	state_read_key(&reader, "squares");
	state_read_sum(&reader, "squares", 2 * state->scale, &state->squares);
	state_read_end(&reader);
	if (exact_sum_is_negative(&state->sum) || exact_sum_is_negative(&state->squares) ||
		exact_sum_is_zero(&state->sum) != exact_sum_is_zero(&state->squares))
		state_reader_error(&reader,
						   "Fields sum and squares must not be negative, and are zero together.");
	if (!squares_possible(&state->sum, &state->squares))
		state_reader_error(&reader,
						   "Field squares must lie between sum and the square of sum (in units of the last decimal place): "
						   "positive exposures of at least one unit each cannot give other squares.");
	PG_RETURN_POINTER(state);
}

/* crisk_concentration_transition is the transition function of crisk.concentration. */
Datum
crisk_concentration_transition(PG_FUNCTION_ARGS)
{
	ConcentrationState *state;
	ExactAmount exposure;
	ExactSum	square;

	if (PG_ARGISNULL(1))
		AGG_RETURN_STATE_UNCHANGED();
	exact_amount_from_numeric(PG_GETARG_DATUM(1), "exposure", &exposure);
	if (PG_ARGISNULL(0))
	{
		state = palloc0(sizeof(ConcentrationState));
		SET_VARSIZE(state, sizeof(ConcentrationState));
	}
	else
		state = (ConcentrationState *) agg_state_for_update(fcinfo, 0);
	if (exposure.units <= 0)
		PG_RETURN_POINTER(state);

	if (exposure.scale > state->scale)
		raise_scale(state, exposure.scale);
	else if (exposure.scale < state->scale)
		exact_amount_rescale(&exposure, state->scale, "exposure");
	state->dscale = Max(state->dscale, exposure.dscale);
	exact_sum_add_int128(&state->sum, exposure.units, "exposure");
	square = exact_sum_product128(exposure.units, exposure.units);
	exact_sum_add(&state->squares, &square, "exposure");
	PG_RETURN_POINTER(state);
}

/* crisk_concentration_combine is the combine function of crisk.concentration. */
Datum
crisk_concentration_combine(PG_FUNCTION_ARGS)
{
	ConcentrationState *state;
	ConcentrationState *other;
	ExactSum	addend;

	AGG_COMBINE_NULL_STATES(fcinfo);

	state = (ConcentrationState *) agg_state_for_update(fcinfo, 0);
	other = (ConcentrationState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(1));
	if (other->scale > state->scale)
		raise_scale(state, other->scale);
	addend = other->sum;
	exact_sum_rescale(&addend, state->scale - other->scale, "exposure");
	exact_sum_add(&state->sum, &addend, "exposure");
	addend = other->squares;
	exact_sum_rescale(&addend, 2 * (state->scale - other->scale), "exposure");
	exact_sum_add(&state->squares, &addend, "exposure");
	state->dscale = Max(state->dscale, other->dscale);
	PG_RETURN_POINTER(state);
}

/*
 * crisk_concentration_final computes the index in long double from the
 * exact sums (64 bits of precision, so a single customer gives exactly
 * 10000); it only reads the state.
 */
Datum
crisk_concentration_final(PG_FUNCTION_ARGS)
{
	ConcentrationState *state = (ConcentrationState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	long double sum;
	long double squares;

	if (exact_sum_sign(&state->sum) <= 0)
		PG_RETURN_NULL();
	sum = exact_sum_to_long_double(&state->sum);
	squares = exact_sum_to_long_double(&state->squares);
	PG_RETURN_FLOAT8((double) (10000.0L * squares / (sum * sum)));
}
