/*-------------------------------------------------------------------------
 *
 * credit_score.c
 *	  crisk.credit_score, crisk.explain_score and crisk.risk_class.
 *
 * Both scoring functions take the same arguments: a payment profile (the
 * composite crisk.payment_profile), the Altman Z, the number of adverse
 * legal events, the utilization of the credit limit, the length of the
 * relationship in months, the model name, the highest severity of the
 * legal events in force and the promises to pay broken in the last twelve
 * months.  Every characteristic the
 * model uses earns the points of the bin its value falls in; an unknown
 * value (a NULL argument or profile field, or a NULL profile: no payment
 * history) earns the points of the missing-value bin.  The score is the
 * sum, and explain_score lists each characteristic's share of it, so every
 * score comes with its reasons.
 *
 * Scoring runs once per customer over whole portfolios, so the per-call
 * path does no catalog lookup: the model and the profile's row type are
 * found at the first call of a statement and kept in fn_extra.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/typcache.h"

#include "credit_score.h"
#include "scorecard.h"

PG_FUNCTION_INFO_V1(crisk_credit_score);
PG_FUNCTION_INFO_V1(crisk_explain_score);
PG_FUNCTION_INFO_V1(crisk_risk_class);

/* Argument positions shared by credit_score and explain_score. */
#define ARG_PROFILE				0
#define ARG_ALTMAN_Z			1
#define ARG_ADVERSE_EVENTS		2
#define ARG_UTILIZATION			3
#define ARG_RELATIONSHIP_MONTHS	4
#define ARG_MODEL				5
#define ARG_EVENT_SEVERITY		6	/* added in 0.2.0, after model */
#define ARG_BROKEN_PROMISES_12M	7	/* added in 0.2.0, last */

static const char *const risk_class_names[RISK_CLASS_COUNT] = {"A", "B", "C", "D", "E"};

/* The value of each characteristic for one call; missing when unknown. */
typedef struct ScoreInputs
{
	bool		missing[SCORE_NUM_CHARACTERISTICS];
	double		value[SCORE_NUM_CHARACTERISTICS];
} ScoreInputs;

/* What a call site keeps in fn_extra for the rest of the statement. */
typedef struct ScoreCallCache
{
	ScoreModelRef model_ref;
	Oid			profile_typid;	/* row type the profile layout was read for */
	TupleDesc	profile_desc;
	int			att_avg_days_beyond_terms;	/* 0-based positions */
	int			att_late_share;
	int			att_max_days_late;
	Datum	   *values;			/* deformed profile */
	bool	   *nulls;
} ScoreCallCache;

/*
 * risk_class_index maps a score to its class: 0 for A (80-100) to 4 for E
 * (0-19).  A score outside 0..100 raises 22023 naming the argument.
 */
int
risk_class_index(int32 score, const char *argname)
{
	if (score < 0 || score > 100)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be between 0 and 100", argname),
				 errdetail("The %s is %d.", argname, score)));
	if (score >= 80)
		return 0;
	if (score >= 60)
		return 1;
	if (score >= 40)
		return 2;
	if (score >= 20)
		return 3;
	return 4;
}

/* risk_class_name returns "A" .. "E". */
const char *
risk_class_name(int index)
{
	Assert(index >= 0 && index < RISK_CLASS_COUNT);
	return risk_class_names[index];
}

/* risk_class_from_name maps "A" .. "E" to 0 .. 4, anything else to -1. */
int
risk_class_from_name(const char *name)
{
	int			i;

	for (i = 0; i < RISK_CLASS_COUNT; i++)
	{
		if (strcmp(name, risk_class_names[i]) == 0)
			return i;
	}
	return -1;
}

/*
 * profile_field finds a field of the payment profile's row type by name
 * and checks its type.
 */
static int
profile_field(TupleDesc desc, const char *name, Oid typid)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(desc, i);

		if (!attr->attisdropped && strcmp(NameStr(attr->attname), name) == 0)
		{
			if (attr->atttypid != typid)
				elog(ERROR, "field %s of crisk.payment_profile has type %u, expected %u",
					 name, attr->atttypid, typid);
			return i;
		}
	}
	elog(ERROR, "crisk.payment_profile has no field %s", name);
	return -1;					/* keep the compiler quiet */
}

/*
 * score_call_cache returns the call site's cache, creating it at the first
 * call of the statement.
 */
static ScoreCallCache *
score_call_cache(FunctionCallInfo fcinfo)
{
	ScoreCallCache *cache = (ScoreCallCache *) fcinfo->flinfo->fn_extra;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(ScoreCallCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	return cache;
}

/*
 * read_profile_layout finds the fields of the profile's row type that the
 * scorecard uses; done once per statement.
 */
static void
read_profile_layout(FunctionCallInfo fcinfo, ScoreCallCache *cache,
					Oid typid, int32 typmod)
{
	MemoryContext mcxt = fcinfo->flinfo->fn_mcxt;
	MemoryContext oldcxt = MemoryContextSwitchTo(mcxt);
	TupleDesc	desc = lookup_rowtype_tupdesc_copy(typid, typmod);

	MemoryContextSwitchTo(oldcxt);

	if (cache->profile_desc != NULL)
	{
		/* Only reached if the argument's row type changes mid-statement. */
		FreeTupleDesc(cache->profile_desc);
		pfree(cache->values);
		pfree(cache->nulls);
	}
	cache->att_avg_days_beyond_terms = profile_field(desc, "avg_days_beyond_terms", FLOAT8OID);
	cache->att_late_share = profile_field(desc, "late_share", FLOAT8OID);
	cache->att_max_days_late = profile_field(desc, "max_days_late", INT4OID);
	cache->values = MemoryContextAlloc(mcxt, desc->natts * sizeof(Datum));
	cache->nulls = MemoryContextAlloc(mcxt, desc->natts * sizeof(bool));
	cache->profile_desc = desc;
	cache->profile_typid = typid;
}

/* require_finite rejects NaN and infinities in a double argument. */
static inline double
require_finite(double value, const char *argname)
{
	if (unlikely(!isfinite(value)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite number", argname),
				 errhint("Pass NULL when the value is unknown.")));
	return value;
}

/* require_not_negative rejects a negative count and returns it as a double. */
static inline double
require_not_negative(int32 value, const char *argname)
{
	if (unlikely(value < 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname),
				 errdetail("The value is %d.", value)));
	return (double) value;
}

/*
 * read_profile fills in the three characteristics the payment profile
 * carries.  A NULL profile or field is an unknown value.  max_days_late is
 * the maximum over invoices paid late or open past due: when the profile
 * says nothing fell due late (late_share = 0), a NULL there means "never
 * late", 0 days, rather than "unknown".
 */
static void
read_profile(FunctionCallInfo fcinfo, ScoreCallCache *cache, ScoreInputs *in)
{
	HeapTupleHeader th;
	HeapTupleData tuple;
	Oid			typid;
	double		late_share = 0;

	if (PG_ARGISNULL(ARG_PROFILE))
	{
		in->missing[SCORE_AVG_DAYS_BEYOND_TERMS] = true;
		in->missing[SCORE_LATE_SHARE] = true;
		in->missing[SCORE_MAX_DAYS_LATE] = true;
		return;
	}
	th = PG_GETARG_HEAPTUPLEHEADER(ARG_PROFILE);
	typid = HeapTupleHeaderGetTypeId(th);
	if (unlikely(cache->profile_desc == NULL || typid != cache->profile_typid))
		read_profile_layout(fcinfo, cache, typid, HeapTupleHeaderGetTypMod(th));

	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, cache->profile_desc, cache->values, cache->nulls);

	if (cache->nulls[cache->att_avg_days_beyond_terms])
		in->missing[SCORE_AVG_DAYS_BEYOND_TERMS] = true;
	else
		in->value[SCORE_AVG_DAYS_BEYOND_TERMS] =
			require_finite(DatumGetFloat8(cache->values[cache->att_avg_days_beyond_terms]),
						   "profile.avg_days_beyond_terms");

	if (cache->nulls[cache->att_late_share])
		in->missing[SCORE_LATE_SHARE] = true;
	else
	{
		late_share = DatumGetFloat8(cache->values[cache->att_late_share]);
		/* Written so that NaN fails too. */
		if (unlikely(!(late_share >= 0.0 && late_share <= 1.0)))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("profile.late_share must be between 0 and 1"),
					 errdetail("The value is %s.", float8out_internal(late_share))));
		in->value[SCORE_LATE_SHARE] = late_share;
	}

	if (!cache->nulls[cache->att_max_days_late])
		in->value[SCORE_MAX_DAYS_LATE] =
			require_not_negative(DatumGetInt32(cache->values[cache->att_max_days_late]),
								 "profile.max_days_late");
	else if (!in->missing[SCORE_LATE_SHARE] && late_share == 0.0)
		in->value[SCORE_MAX_DAYS_LATE] = 0;
	else
		in->missing[SCORE_MAX_DAYS_LATE] = true;
}

/*
 * read_inputs reads every characteristic's value from the arguments,
 * rejecting values that cannot be right (22023) whether or not the model
 * uses them.
 */
static void
read_inputs(FunctionCallInfo fcinfo, ScoreCallCache *cache, ScoreInputs *in)
{
	memset(in, 0, sizeof(ScoreInputs));
	read_profile(fcinfo, cache, in);

	if (PG_ARGISNULL(ARG_ALTMAN_Z))
		in->missing[SCORE_ALTMAN_Z] = true;
	else
		in->value[SCORE_ALTMAN_Z] =
			require_finite(PG_GETARG_FLOAT8(ARG_ALTMAN_Z), "altman_z");

	if (PG_ARGISNULL(ARG_ADVERSE_EVENTS))
		in->missing[SCORE_ADVERSE_EVENTS] = true;
	else
		in->value[SCORE_ADVERSE_EVENTS] =
			require_not_negative(PG_GETARG_INT32(ARG_ADVERSE_EVENTS), "adverse_events");

	if (PG_NARGS() <= ARG_EVENT_SEVERITY || PG_ARGISNULL(ARG_EVENT_SEVERITY))
		in->missing[SCORE_EVENT_SEVERITY] = true;
	else
	{
		int32		severity = PG_GETARG_INT32(ARG_EVENT_SEVERITY);

		if (severity < 0 || severity > 3)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("event_severity must be between 0 and 3"),
					 errdetail("event_severity is %d.", severity)));
		in->value[SCORE_EVENT_SEVERITY] = severity;
	}

	if (PG_NARGS() <= ARG_BROKEN_PROMISES_12M || PG_ARGISNULL(ARG_BROKEN_PROMISES_12M))
		in->missing[SCORE_BROKEN_PROMISES_12M] = true;
	else
		in->value[SCORE_BROKEN_PROMISES_12M] =
			require_not_negative(PG_GETARG_INT32(ARG_BROKEN_PROMISES_12M),
								 "broken_promises_12m");

	if (PG_ARGISNULL(ARG_UTILIZATION))
		in->missing[SCORE_UTILIZATION] = true;
	else
		in->value[SCORE_UTILIZATION] =
			require_finite(PG_GETARG_FLOAT8(ARG_UTILIZATION), "utilization");

	if (PG_ARGISNULL(ARG_RELATIONSHIP_MONTHS))
		in->missing[SCORE_RELATIONSHIP_MONTHS] = true;
	else
		in->value[SCORE_RELATIONSHIP_MONTHS] =
			require_not_negative(PG_GETARG_INT32(ARG_RELATIONSHIP_MONTHS),
								 "relationship_months");
}

/*
 * crisk_credit_score implements crisk.credit_score: the sum of the points
 * the model's characteristics earn, 0 (worst) to 100 (best).
 */
Datum
crisk_credit_score(PG_FUNCTION_ARGS)
{
	ScoreCallCache *cache = score_call_cache(fcinfo);
	const ScoreModel *model = scorecard_model_arg(fcinfo, ARG_MODEL,
												  &cache->model_ref, true);
	ScoreInputs in;
	int32		score = 0;
	int			c;

	read_inputs(fcinfo, cache, &in);
	for (c = 0; c < SCORE_NUM_CHARACTERISTICS; c++)
	{
		if (model->chars[c].used)
			score += scorecard_points(&model->chars[c], in.missing[c], in.value[c]);
	}
	PG_RETURN_INT32(score);
}

/*
 * crisk_explain_score implements crisk.explain_score: one row per
 * characteristic of the model, in a fixed order, with the value used (NULL
 * when unknown), the points earned and the most the characteristic can
 * earn.  The points add up to crisk.credit_score's result.
 */
Datum
crisk_explain_score(PG_FUNCTION_ARGS)
{
	ScoreCallCache *cache = score_call_cache(fcinfo);
	const ScoreModel *model = scorecard_model_arg(fcinfo, ARG_MODEL,
												  &cache->model_ref, true);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	ScoreInputs in;
	int			c;

	read_inputs(fcinfo, cache, &in);
	InitMaterializedSRF(fcinfo, 0);
	for (c = 0; c < SCORE_NUM_CHARACTERISTICS; c++)
	{
		const ScoreBins *bins = &model->chars[c];
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if (!bins->used)
			continue;
		values[0] = CStringGetTextDatum(score_characteristic_names[c]);
		if (in.missing[c])
			nulls[1] = true;
		else
			values[1] = Float8GetDatum(in.value[c]);
		values[2] = Int32GetDatum(scorecard_points(bins, in.missing[c], in.value[c]));
		values[3] = Int32GetDatum(bins->max_points);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_NULL();
}

/*
 * crisk_risk_class implements crisk.risk_class(score): 'A' (80-100) to
 * 'E' (0-19).
 */
Datum
crisk_risk_class(PG_FUNCTION_ARGS)
{
	int			index = risk_class_index(PG_GETARG_INT32(0), "score");

	PG_RETURN_TEXT_P(cstring_to_text(risk_class_names[index]));
}
