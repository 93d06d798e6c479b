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

#include "credit_core.h"

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

/*
 * read_profile reads the three characteristics the payment profile
 * carries (see score_inputs_profile).
 */
static void
read_profile(FunctionCallInfo fcinfo, ScoreCallCache *cache, ScoreInputs *in)
{
	HeapTupleHeader th;
	HeapTupleData tuple;
	Oid			typid;
	ProfileFigures profile;

	memset(&profile, 0, sizeof(profile));
	if (PG_ARGISNULL(ARG_PROFILE))
	{
		score_inputs_profile(in, &profile);
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

	profile.known = true;
	profile.avg_days_beyond_terms_null = cache->nulls[cache->att_avg_days_beyond_terms];
	if (!profile.avg_days_beyond_terms_null)
		profile.avg_days_beyond_terms = DatumGetFloat8(cache->values[cache->att_avg_days_beyond_terms]);
	profile.late_share_null = cache->nulls[cache->att_late_share];
	if (!profile.late_share_null)
		profile.late_share = DatumGetFloat8(cache->values[cache->att_late_share]);
	profile.max_days_late_null = cache->nulls[cache->att_max_days_late];
	if (!profile.max_days_late_null)
		profile.max_days_late = DatumGetInt32(cache->values[cache->att_max_days_late]);
	score_inputs_profile(in, &profile);
}

/*
 * read_inputs reads every characteristic's value from the arguments,
 * rejecting values that cannot be right (22023) whether or not the model
 * uses them.
 */
static void
read_inputs(FunctionCallInfo fcinfo, ScoreCallCache *cache, ScoreInputs *in)
{
	bool		no_severity = PG_NARGS() <= ARG_EVENT_SEVERITY || PG_ARGISNULL(ARG_EVENT_SEVERITY);
	bool		no_broken_promises = PG_NARGS() <= ARG_BROKEN_PROMISES_12M ||
		PG_ARGISNULL(ARG_BROKEN_PROMISES_12M);

	score_inputs_init(in);
	read_profile(fcinfo, cache, in);
	score_inputs_float(in, SCORE_ALTMAN_Z, PG_ARGISNULL(ARG_ALTMAN_Z),
					   PG_ARGISNULL(ARG_ALTMAN_Z) ? 0 : PG_GETARG_FLOAT8(ARG_ALTMAN_Z),
					   "altman_z");
	score_inputs_count(in, SCORE_ADVERSE_EVENTS, PG_ARGISNULL(ARG_ADVERSE_EVENTS),
					   PG_ARGISNULL(ARG_ADVERSE_EVENTS) ? 0 : PG_GETARG_INT32(ARG_ADVERSE_EVENTS),
					   "adverse_events");
	score_inputs_event_severity(in, no_severity,
								no_severity ? 0 : PG_GETARG_INT32(ARG_EVENT_SEVERITY));
	score_inputs_count(in, SCORE_BROKEN_PROMISES_12M, no_broken_promises,
					   no_broken_promises ? 0 : PG_GETARG_INT32(ARG_BROKEN_PROMISES_12M),
					   "broken_promises_12m");
	score_inputs_float(in, SCORE_UTILIZATION, PG_ARGISNULL(ARG_UTILIZATION),
					   PG_ARGISNULL(ARG_UTILIZATION) ? 0 : PG_GETARG_FLOAT8(ARG_UTILIZATION),
					   "utilization");
	score_inputs_count(in, SCORE_RELATIONSHIP_MONTHS, PG_ARGISNULL(ARG_RELATIONSHIP_MONTHS),
					   PG_ARGISNULL(ARG_RELATIONSHIP_MONTHS) ? 0 :
					   PG_GETARG_INT32(ARG_RELATIONSHIP_MONTHS),
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

	read_inputs(fcinfo, cache, &in);
	PG_RETURN_INT32(score_explained(model, &in, NULL, NULL));
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
	ScoreReason reasons[SCORE_NUM_CHARACTERISTICS];
	int			nreasons;
	int			i;

	read_inputs(fcinfo, cache, &in);
	(void) score_explained(model, &in, reasons, &nreasons);
	InitMaterializedSRF(fcinfo, 0);
	for (i = 0; i < nreasons; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		values[0] = CStringGetTextDatum(score_characteristic_names[reasons[i].characteristic]);
		if (reasons[i].missing)
			nulls[1] = true;
		else
			values[1] = Float8GetDatum(reasons[i].value);
		values[2] = Int32GetDatum(reasons[i].points);
		values[3] = Int32GetDatum(reasons[i].max_points);
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
