/*-------------------------------------------------------------------------
 *
 * scorecard.c
 *	  The per-session cache of crisk.scorecard, model validation, and
 *	  crisk.validate_model.
 *
 * The whole table is read at once, into one memory context, the first time
 * a session needs a model and again after every change to the table (see
 * table_cache.h).  Each model is validated as it is loaded and keeps its
 * problems: a model with errors is refused when a scoring function uses it
 * (SQLSTATE 42P17, invalid_object_definition: the rows defining the model
 * are at fault, not the caller's argument), and crisk.validate_model lists
 * every problem.  Other models stay usable.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/inval.h"
#include "utils/memutils.h"

#include "scorecard.h"
#include "table_cache.h"

PG_FUNCTION_INFO_V1(crisk_validate_model);

const char *const score_characteristic_names[SCORE_NUM_CHARACTERISTICS] = {
	"avg_days_beyond_terms",
	"late_share",
	"max_days_late",
	"utilization",
	"altman_z",
	"adverse_events",
	"event_severity",
	"relationship_months",
	"broken_promises_12m",
};

/*
 * Which way is better for each characteristic: -1 when a higher value is
 * worse (more days late, more events), +1 when it is better (a higher
 * Altman Z, a longer relationship).  Used only to warn about bins whose
 * points run the other way.
 */
static const int score_better_direction[SCORE_NUM_CHARACTERISTICS] = {
	-1, -1, -1, -1, +1, -1, -1, +1, -1
};

/* A characteristic's rows while the table is read. */
typedef struct BinRows
{
	int			nbins;
	int			capacity;
	ScoreBin   *bins;
	bool	   *bad;			/* bin is empty or has a NaN or infinite
								 * bound: reported, then left out */
	int			nmissing;
	int32		missing_points;
	bool		has_row;
} BinRows;

/* A model while the table is read. */
typedef struct ModelRows
{
	ScoreModel *model;
	BinRows		rows[SCORE_NUM_CHARACTERISTICS];
	List	   *unknown_names;	/* unknown characteristic names seen */
	int			problem_capacity;
} ModelRows;

static CachedTable scorecard_table = CACHED_TABLE("scorecard");
static MemoryContext scorecard_context = NULL;
static ScoreModel *scorecard_models = NULL;
static uint64 scorecard_generation = 0;

/*
 * format_bound prints a bound the way the rows hold it: NULL when unbounded.
 */
static char *
format_bound(double value)
{
	if (isinf(value))
		return "NULL";
	return float8out_internal(value);
}

/* format_bin prints a bin as [lower, upper). */
static char *
format_bin(const ScoreBin *bin)
{
	return psprintf("[%s, %s)", format_bound(bin->lower),
					format_bound(bin->upper));
}

/*
 * add_problem records a problem of a model; characteristic NULL means the
 * model as a whole.
 */
static void
add_problem(ModelRows *mr, const char *characteristic, bool is_error,
			const char *fmt,...)
	pg_attribute_printf(4, 5);

static void
add_problem(ModelRows *mr, const char *characteristic, bool is_error,
			const char *fmt,...)
{
	ScoreModel *model = mr->model;
	ScoreProblem *problem;
	StringInfoData buf;
	va_list		args;
	int			needed;

	initStringInfo(&buf);
	for (;;)
	{
		va_start(args, fmt);
		needed = appendStringInfoVA(&buf, fmt, args);
		va_end(args);
		if (needed == 0)
			break;
		enlargeStringInfo(&buf, needed);
	}
	if (model->nproblems == mr->problem_capacity)
	{
		mr->problem_capacity = Max(4, mr->problem_capacity * 2);
		if (model->problems == NULL)
			model->problems = palloc(mr->problem_capacity * sizeof(ScoreProblem));
		else
			model->problems = repalloc(model->problems,
									   mr->problem_capacity * sizeof(ScoreProblem));
	}
	problem = &model->problems[model->nproblems++];
	problem->characteristic = characteristic ? pstrdup(characteristic) : NULL;
	problem->is_error = is_error;
	problem->text = buf.data;
	if (is_error)
		model->nerrors++;
}

/* characteristic_index maps a name to its characteristic, or -1. */
static int
characteristic_index(const char *name)
{
	int			i;

	for (i = 0; i < SCORE_NUM_CHARACTERISTICS; i++)
	{
		if (strcmp(name, score_characteristic_names[i]) == 0)
			return i;
	}
	return -1;
}

/* model_rows_for finds or creates the entry of a model being read. */
static ModelRows *
model_rows_for(List **models, const char *name)
{
	ListCell   *lc;
	ModelRows  *mr;

	foreach(lc, *models)
	{
		mr = (ModelRows *) lfirst(lc);
		if (strcmp(mr->model->name, name) == 0)
			return mr;
	}
	mr = palloc0(sizeof(ModelRows));
	mr->model = palloc0(sizeof(ScoreModel));
	mr->model->name = pstrdup(name);
	mr->model->namelen = strlen(name);
	*models = lappend(*models, mr);
	return mr;
}

/*
 * add_row files one row of crisk.scorecard under its model and
 * characteristic.  Rows with values the table's constraints normally forbid
 * (NULL points, NaN bounds) are recorded as problems rather than trusted.
 */
static void
add_row(List **models, const char *model_name, const char *characteristic,
		bool lower_null, double lower, bool upper_null, double upper,
		bool points_null, int32 points)
{
	ModelRows  *mr = model_rows_for(models, model_name);
	int			c = characteristic_index(characteristic);
	BinRows    *br;
	ScoreBin   *bin;
	ListCell   *lc;

	if (c < 0)
	{
		foreach(lc, mr->unknown_names)
		{
			if (strcmp((const char *) lfirst(lc), characteristic) == 0)
				return;
		}
		mr->unknown_names = lappend(mr->unknown_names, pstrdup(characteristic));
		add_problem(mr, characteristic, true,
					"is not a characteristic crisk knows; the known ones are avg_days_beyond_terms, late_share, max_days_late, utilization, altman_z, adverse_events, event_severity, relationship_months and broken_promises_12m");
		return;
	}
	br = &mr->rows[c];
	br->has_row = true;
	if (points_null)
	{
		add_problem(mr, characteristic, true, "has a bin without points");
		return;
	}
	if (points < 0)
		add_problem(mr, characteristic, true,
					"has a bin worth %d points; points must not be negative",
					points);
	if (lower_null && upper_null)
	{
		br->nmissing++;
		br->missing_points = points;
		return;
	}
	if (br->nbins == br->capacity)
	{
		br->capacity = Max(8, br->capacity * 2);
		if (br->bins == NULL)
		{
			br->bins = palloc(br->capacity * sizeof(ScoreBin));
			br->bad = palloc(br->capacity * sizeof(bool));
		}
		else
		{
			br->bins = repalloc(br->bins, br->capacity * sizeof(ScoreBin));
			br->bad = repalloc(br->bad, br->capacity * sizeof(bool));
		}
	}
	bin = &br->bins[br->nbins];
	bin->lower = lower_null ? -get_float8_infinity() : lower;
	bin->upper = upper_null ? get_float8_infinity() : upper;
	bin->points = points;
	br->bad[br->nbins] = true;
	if ((!lower_null && !isfinite(lower)) || (!upper_null && !isfinite(upper)))
		add_problem(mr, characteristic, true,
					"has a bin with a bound that is not a finite number");
	else if (bin->lower >= bin->upper)
		add_problem(mr, characteristic, true,
					"has an empty bin %s: lower_bound must be below upper_bound",
					format_bin(bin));
	else
		br->bad[br->nbins] = false;
	br->nbins++;
}

/* bin_cmp orders bins by lower bound, then by upper bound. */
static int
bin_cmp(const void *a, const void *b)
{
	const ScoreBin *x = (const ScoreBin *) a;
	const ScoreBin *y = (const ScoreBin *) b;

	if (x->lower != y->lower)
		return x->lower < y->lower ? -1 : 1;
	if (x->upper != y->upper)
		return x->upper < y->upper ? -1 : 1;
	return 0;
}

/*
 * finish_characteristic checks that the bins of one characteristic cover
 * every value exactly once and that there is one missing-value bin, then
 * stores the sorted bins in the model.  It warns when a worse value earns
 * more points than a better one: allowed in a user's model, but a credit
 * manager will want to know.
 */
static void
finish_characteristic(ModelRows *mr, int c)
{
	BinRows    *br = &mr->rows[c];
	ScoreBins  *out = &mr->model->chars[c];
	const char *name = score_characteristic_names[c];
	int			errors_before = mr->model->nerrors;
	int			n = 0;
	int			i;

	if (!br->has_row)
		return;
	out->used = true;

	if (br->nmissing == 0)
		add_problem(mr, name, true,
					"has no missing-value bin (a row with lower_bound and upper_bound both NULL), so an unknown value could not be scored");
	else if (br->nmissing > 1)
		add_problem(mr, name, true,
					"has %d missing-value bins; it needs exactly one",
					br->nmissing);

	/* Drop unusable bins (already reported), then sort. */
	for (i = 0; i < br->nbins; i++)
	{
		if (!br->bad[i])
			br->bins[n++] = br->bins[i];
	}
	if (n == 0)
	{
		add_problem(mr, name, true,
					"has no bins for known values, only a missing-value bin");
		out->nbins = 0;
		out->bins = NULL;
	}
	else
	{
		qsort(br->bins, n, sizeof(ScoreBin), bin_cmp);
		if (!isinf(br->bins[0].lower))
			add_problem(mr, name, true,
						"has no bin for values below %s: the lowest bin's lower_bound must be NULL",
						format_bound(br->bins[0].lower));
		if (!isinf(br->bins[n - 1].upper))
			add_problem(mr, name, true,
						"has no bin for values from %s up: the highest bin's upper_bound must be NULL",
						format_bound(br->bins[n - 1].upper));
		for (i = 1; i < n; i++)
		{
			const ScoreBin *prev = &br->bins[i - 1];
			const ScoreBin *next = &br->bins[i];

			if (prev->upper > next->lower)
				add_problem(mr, name, true,
							"has overlapping bins %s and %s",
							format_bin(prev), format_bin(next));
			else if (prev->upper < next->lower)
				add_problem(mr, name, true,
							"has a gap: no bin covers values from %s up to %s",
							format_bound(prev->upper), format_bound(next->lower));
		}
		out->nbins = n;
		out->bins = br->bins;
		out->bounds = palloc(n * sizeof(double));
		out->points = palloc(n * sizeof(int32));
		for (i = 0; i < n; i++)
		{
			out->bounds[i] = br->bins[i].upper;	/* the last is not used */
			out->points[i] = br->bins[i].points;
		}
	}

	out->missing_points = br->missing_points;
	out->max_points = br->nmissing > 0 ? br->missing_points : 0;
	for (i = 0; i < n; i++)
		out->max_points = Max(out->max_points, br->bins[i].points);

	/* Monotonicity only means something for well-formed bins. */
	if (mr->model->nerrors != errors_before)
		return;
	for (i = 1; i < n; i++)
	{
		const ScoreBin *lo = &br->bins[i - 1];
		const ScoreBin *hi = &br->bins[i];
		const ScoreBin *better = score_better_direction[c] > 0 ? hi : lo;
		const ScoreBin *worse = score_better_direction[c] > 0 ? lo : hi;

		if (worse->points > better->points)
			add_problem(mr, name, false,
						"earns more points in %s (%d) than in the better bin %s (%d)",
						format_bin(worse), worse->points,
						format_bin(better), better->points);
	}
}

/*
 * finish_model validates a model once all its rows are read.
 */
static void
finish_model(ModelRows *mr)
{
	int			total = 0;
	bool		any = false;
	int			c;

	for (c = 0; c < SCORE_NUM_CHARACTERISTICS; c++)
	{
		finish_characteristic(mr, c);
		if (mr->model->chars[c].used)
		{
			any = true;
			total += mr->model->chars[c].max_points;
		}
	}
	if (!any)
		add_problem(mr, NULL, true, "uses no characteristic crisk knows");
	else if (total > 100)
		add_problem(mr, NULL, true,
					"its best bins add up to %d points, more than 100", total);
}

/*
 * scorecard_reload reads every row of crisk.scorecard into a fresh copy.
 * The generation changes first, so that no caller keeps a pointer into the
 * copy being replaced.
 */
static void
scorecard_reload(void)
{
	TableCacheScan *scan;
	HeapTuple	tuple;
	AttrNumber	att_model,
				att_char,
				att_lower,
				att_upper,
				att_points;
	List	   *models = NIL;
	ListCell   *lc;
	MemoryContext oldcxt;

	scorecard_generation++;
	scorecard_models = NULL;
	table_cache_context(&scorecard_context, "crisk scorecard cache");

	scan = table_cache_begin_scan(&scorecard_table);
	att_model = table_cache_attnum(scan, "model", TEXTOID);
	att_char = table_cache_attnum(scan, "characteristic", TEXTOID);
	att_lower = table_cache_attnum(scan, "lower_bound", FLOAT8OID);
	att_upper = table_cache_attnum(scan, "upper_bound", FLOAT8OID);
	att_points = table_cache_attnum(scan, "points", INT4OID);

	oldcxt = MemoryContextSwitchTo(scorecard_context);
	while ((tuple = table_cache_scan_next(scan)) != NULL)
	{
		bool		model_null,
					char_null,
					lower_null,
					upper_null,
					points_null;
		Datum		model = heap_getattr(tuple, att_model, scan->tupdesc, &model_null);
		Datum		characteristic = heap_getattr(tuple, att_char, scan->tupdesc, &char_null);
		Datum		lower = heap_getattr(tuple, att_lower, scan->tupdesc, &lower_null);
		Datum		upper = heap_getattr(tuple, att_upper, scan->tupdesc, &upper_null);
		Datum		points = heap_getattr(tuple, att_points, scan->tupdesc, &points_null);

		char	   *model_name;
		char	   *char_name;

		/* NOT NULL constraints forbid these; a row without a name is no model's. */
		if (model_null || char_null)
			continue;
		model_name = TextDatumGetCString(model);
		char_name = TextDatumGetCString(characteristic);
		add_row(&models, model_name, char_name,
				lower_null, lower_null ? 0 : DatumGetFloat8(lower),
				upper_null, upper_null ? 0 : DatumGetFloat8(upper),
				points_null, points_null ? 0 : DatumGetInt32(points));
		pfree(model_name);
		pfree(char_name);
	}

	foreach(lc, models)
	{
		ModelRows  *mr = (ModelRows *) lfirst(lc);

		finish_model(mr);
		mr->model->next = scorecard_models;
		scorecard_models = mr->model;
	}
	MemoryContextSwitchTo(oldcxt);
	table_cache_end_scan(scan);
}

/*
 * scorecard_find returns the model of that name from the current copy, or
 * NULL if there is no such model.  The caller has made the copy current.
 */
static const ScoreModel *
scorecard_find(const char *name, int namelen)
{
	const ScoreModel *model;

	for (model = scorecard_models; model != NULL; model = model->next)
	{
		if (model->namelen == namelen && memcmp(model->name, name, namelen) == 0)
			return model;
	}
	return NULL;
}

/*
 * raise_invalid_model reports the first error of a model that a scoring
 * function was asked to use.
 */
static void
raise_invalid_model(const ScoreModel *model)
{
	int			i;

	for (i = 0; i < model->nproblems; i++)
	{
		const ScoreProblem *problem = &model->problems[i];

		if (!problem->is_error)
			continue;
		if (problem->characteristic != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
					 errmsg("scorecard model \"%s\" is invalid: characteristic %s %s",
							model->name, problem->characteristic, problem->text),
					 errdetail_plural("The model has %d error.",
									  "The model has %d errors.",
									  model->nerrors, model->nerrors),
					 errhint("SELECT * FROM crisk.validate_model('%s') lists every problem.",
							 model->name)));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("scorecard model \"%s\" is invalid: %s",
						model->name, problem->text),
				 errdetail_plural("The model has %d error.",
								  "The model has %d errors.",
								  model->nerrors, model->nerrors),
				 errhint("SELECT * FROM crisk.validate_model('%s') lists every problem.",
						 model->name)));
	}
}

/*
 * scorecard_lookup returns the model of that name from the current copy,
 * reading the table again when it changed: an unknown name raises 42704,
 * and with require_valid a model with errors raises 42P17.  The pointer
 * stays valid until the next lookup that reloads.
 */
const ScoreModel *
scorecard_lookup(const char *name, int len, bool require_valid)
{
	const ScoreModel *model;

	if (!table_cache_is_valid(&scorecard_table))
		scorecard_reload();
	model = scorecard_find(name, len);
	if (model == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("scorecard model \"%s\" does not exist", pnstrdup(name, len)),
				 errhint("The models are the distinct values of crisk.scorecard.model; the shipped one is 'default'.")));
	if (require_valid && model->nerrors > 0)
		raise_invalid_model(model);
	return model;
}

/*
 * scorecard_model_arg returns the model named by argument argno.  NULL is
 * refused (22004), an unknown name raises 42704, and with require_valid a
 * model with errors raises 42P17.
 *
 * ref lives in the caller's fn_extra.  It is zeroed when fn_extra is
 * created, which happens at the first call of each statement: that call
 * also processes pending invalidations, so a change another session
 * committed is seen by the next statement even inside a transaction block.
 * Later calls of the statement find the model through ref while the cache
 * generation is unchanged: one comparison of the name instead of a lookup,
 * and not even that when the name is a constant of the statement.
 */
const ScoreModel *
scorecard_model_arg(FunctionCallInfo fcinfo, int argno, ScoreModelRef *ref,
					bool require_valid)
{
	text	   *name;
	const char *data;
	int			len;
	const ScoreModel *model;

	if (ref->generation == 0)
	{
		AcceptInvalidationMessages();
		ref->arg_stable = get_fn_expr_arg_stable(fcinfo->flinfo, argno);
	}

	/*
	 * A false answer obliges us to reload (it marks the copy valid), so ask
	 * once per call and reload at once; the generation then tells whether
	 * ref still points into the current copy.
	 */
	if (!table_cache_is_valid(&scorecard_table))
		scorecard_reload();

	/* The usual case: the same model as the previous call. */
	if (likely(ref->model != NULL && ref->generation == scorecard_generation))
	{
		if (ref->arg_stable)
			return ref->model;
		if (!PG_ARGISNULL(argno))
		{
			name = PG_GETARG_TEXT_PP(argno);
			if (ref->model->namelen == (int) VARSIZE_ANY_EXHDR(name) &&
				memcmp(ref->model->name, VARDATA_ANY(name), ref->model->namelen) == 0)
				return ref->model;
		}
	}

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("model must not be null"),
				 errhint("Pass the name of a scorecard model, for example 'default'.")));
	name = PG_GETARG_TEXT_PP(argno);
	data = VARDATA_ANY(name);
	len = VARSIZE_ANY_EXHDR(name);

	model = scorecard_lookup(data, len, require_valid);
	ref->generation = scorecard_generation;
	ref->model = require_valid ? model : NULL;
	return model;
}

/*
 * crisk_validate_model implements crisk.validate_model(model): one row per
 * problem (characteristic, severity, problem), none for a sound model.
 * Errors make the model unusable; warnings (points that rise as the value
 * gets worse) do not.
 */
Datum
crisk_validate_model(PG_FUNCTION_ARGS)
{
	ScoreModelRef ref = {0};
	const ScoreModel *model = scorecard_model_arg(fcinfo, 0, &ref, false);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	int			i;

	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < model->nproblems; i++)
	{
		const ScoreProblem *problem = &model->problems[i];
		Datum		values[3];
		bool		nulls[3] = {false, false, false};

		if (problem->characteristic != NULL)
			values[0] = CStringGetTextDatum(problem->characteristic);
		else
			nulls[0] = true;
		values[1] = CStringGetTextDatum(problem->is_error ? "error" : "warning");
		values[2] = CStringGetTextDatum(problem->text);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}
