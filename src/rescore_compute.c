/*-------------------------------------------------------------------------
 *
 * rescore_compute.c
 *	  crisk._rescore_compute(items crisk.rescore_item[], as_of date):
 *	  the scoring step of a rescoring pass, for a batch of customers.
 *
 * For each customer it reads the fields of crisk.rescore_item into a
 * CreditCustomer, loads the customer's scorecard model and limit policy,
 * and calls the credit core's score_customer() (credit_core.c) directly:
 * no SQL function is called, by name or otherwise.  The reasons are kept
 * as a JSON array of {characteristic, value, points, max_points}, the rows
 * crisk.explain_score gives for the same inputs.
 *
 * The rescoring pass calls rescore_compute_item() for each customer of a
 * batch; crisk._rescore_compute(items, as_of) is the same step for SQL.
 *
 * Written in C because the same work done in SQL cost about 50
 * microseconds per customer, most of it building the reasons' JSON, which
 * for a full pass is more than reading the customer's invoices.  It reads
 * no table and writes nothing: an error here concerns one customer's data
 * (an unknown model or policy, a value out of range), and the pass isolates
 * that customer by splitting the batch.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "funcapi.h"
#include "nodes/makefuncs.h"
#include "parser/parse_func.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/float.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "credit_core.h"
#include "rescore_compute.h"

PG_FUNCTION_INFO_V1(crisk_rescore_compute);

/* Fields of crisk.rescore_item the step reads, by name. */
enum
{
	ITEM_CUSTOMER_ID,
	ITEM_PROFILE,
	ITEM_FIRST_ISSUE_DATE,
	ITEM_SALES_12_MONTHS,
	ITEM_CREDIT_LIMIT,
	ITEM_INSURED_COVER,
	ITEM_POLICY,
	ITEM_MODEL,
	ITEM_CUSTOMER_SINCE,
	ITEM_WORKING_CAPITAL,
	ITEM_RETAINED_EARNINGS,
	ITEM_EBIT,
	ITEM_EQUITY,
	ITEM_TOTAL_LIABILITIES,
	ITEM_TOTAL_ASSETS,
	ITEM_SALES,
	ITEM_ADVERSE_EVENTS,
	/* added in 0.2.0: absent from 0.1.0's type (see compute_state) */
	ITEM_PAYMENT_TERMS_DAYS,
	ITEM_FIRST_OPTIONAL = ITEM_PAYMENT_TERMS_DAYS,
	ITEM_EVENT_SEVERITY,
	ITEM_CLASS_CAP,
	ITEM_REVIEW_BASE_LIMIT,
	ITEM_UTILIZATION_LIMIT,
	ITEM_BROKEN_PROMISES_12M,
	ITEM_NFIELDS
};

static const char *const item_field_names[ITEM_NFIELDS] = {
	"customer_id", "profile", "first_issue_date", "sales_12_months",
	"credit_limit", "insured_cover", "policy", "model", "customer_since",
	"working_capital", "retained_earnings", "ebit", "equity",
	"total_liabilities", "total_assets", "sales", "adverse_events",
	"payment_terms_days", "event_severity", "class_cap", "review_base_limit",
	"utilization_limit", "broken_promises_12m"
};

/* crisk.rescore_result, in its order. */
enum
{
	RESULT_CUSTOMER_ID,
	RESULT_ITEM,
	RESULT_SCORE,
	RESULT_RISK_CLASS,
	RESULT_REASONS,
	RESULT_ALTMAN_Z,
	RESULT_UTILIZATION,
	RESULT_RELATIONSHIP_MONTHS,
	RESULT_MONTHLY_SALES,
	RESULT_RECOMMENDED_LIMIT,
	RESULT_NFIELDS
};

/* What a pass or a call keeps across its customers (rescore_compute.h). */
struct ComputeState
{
	TupleDesc	item_desc;
	int			item_att[ITEM_NFIELDS]; /* 0-based attribute numbers */
	Datum	   *item_values;
	bool	   *item_nulls;
	int			profile_open_amount;	/* attribute of crisk.payment_profile */
	TupleDesc	profile_desc;
	TupleDesc	result_desc;
	Oid			result_type;
	int			profile_avg_days_beyond_terms;
	int			profile_late_share;
	int			profile_max_days_late;
	Datum	   *profile_values;
	bool	   *profile_nulls;
	MemoryContext customer_context;
};

/*
 * attribute_number finds a column of a composite type by name.
 */
static int
attribute_number(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i;
	}
	elog(ERROR, "type %s has no field \"%s\"", format_type_be(desc->tdtypeid), name);
	return -1;					/* keep the compiler quiet */
}

/*
 * optional_attribute_number finds a column of a composite type by name, or
 * returns -1: the fields rescoring gained in 0.2.0 are missing while the
 * extension's SQL objects are still 0.1.0's (before ALTER EXTENSION
 * UPDATE), and the pass then works as 0.1.0 did.
 */
static int
optional_attribute_number(TupleDesc desc, const char *name)
{
	int			i;

	for (i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);

		if (!att->attisdropped && strcmp(NameStr(att->attname), name) == 0)
			return i;
	}
	return -1;
}

/*
 * rescore_compute_begin prepares the step for items of item_type and
 * results of result_type (crisk.rescore_result), in context.
 */
ComputeState *
rescore_compute_begin(Oid item_type, Oid result_type, MemoryContext context)
{
	MemoryContext old;
	ComputeState *state;
	Oid			profile_type;
	int			i;

	old = MemoryContextSwitchTo(context);
	state = palloc0(sizeof(ComputeState));
	state->item_desc = lookup_rowtype_tupdesc_copy(item_type, -1);
	for (i = 0; i < ITEM_NFIELDS; i++)
		state->item_att[i] = i < ITEM_FIRST_OPTIONAL ?
			attribute_number(state->item_desc, item_field_names[i]) :
			optional_attribute_number(state->item_desc, item_field_names[i]);
	/* 0.1.0's item: utilization against the limit the pass reads */
	if (state->item_att[ITEM_UTILIZATION_LIMIT] < 0)
		state->item_att[ITEM_UTILIZATION_LIMIT] = state->item_att[ITEM_CREDIT_LIMIT];
	state->item_values = palloc(sizeof(Datum) * state->item_desc->natts);
	state->item_nulls = palloc(sizeof(bool) * state->item_desc->natts);

	profile_type = TupleDescAttr(state->item_desc, state->item_att[ITEM_PROFILE])->atttypid;
	state->profile_desc = lookup_rowtype_tupdesc_copy(profile_type, -1);
	state->profile_open_amount = attribute_number(state->profile_desc, "open_amount");
	state->profile_avg_days_beyond_terms = attribute_number(state->profile_desc,
															"avg_days_beyond_terms");
	state->profile_late_share = attribute_number(state->profile_desc, "late_share");
	state->profile_max_days_late = attribute_number(state->profile_desc, "max_days_late");
	state->profile_values = palloc(sizeof(Datum) * state->profile_desc->natts);
	state->profile_nulls = palloc(sizeof(bool) * state->profile_desc->natts);

	state->result_type = result_type;
	state->result_desc = lookup_rowtype_tupdesc_copy(result_type, -1);
	if (state->result_desc->natts != RESULT_NFIELDS)
		elog(ERROR, "crisk.rescore_result has %d fields, expected %d",
			 state->result_desc->natts, RESULT_NFIELDS);
	state->customer_context = AllocSetContextCreate(context, "crisk rescore customer",
													ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(old);
	return state;
}

#define ITEM_ISNULL(s, f)	((s)->item_att[f] < 0 || (s)->item_nulls[(s)->item_att[f]])
#define ITEM_VALUE(s, f)	((s)->item_att[f] < 0 ? (Datum) 0 : (s)->item_values[(s)->item_att[f]])

static void
push_key(JsonbParseState **jstate, const char *key)
{
	JsonbValue	v;

	v.type = jbvString;
	v.val.string.val = (char *) key;
	v.val.string.len = strlen(key);
	(void) pushJsonbValue(jstate, WJB_KEY, &v);
}

static void
push_numeric(JsonbParseState **jstate, Numeric n)
{
	JsonbValue	v;

	v.type = jbvNumeric;
	v.val.numeric = n;
	(void) pushJsonbValue(jstate, WJB_VALUE, &v);
}

/*
 * reasons_json builds the reasons of a score: a float becomes a JSON
 * number through its shortest exact text, as to_jsonb writes it.
 */
static Jsonb *
reasons_json(const CreditResult *result)
{
	JsonbParseState *jstate = NULL;
	JsonbValue *array;
	int			i;

	(void) pushJsonbValue(&jstate, WJB_BEGIN_ARRAY, NULL);
	for (i = 0; i < result->nreasons; i++)
	{
		const ScoreReason *reason = &result->reasons[i];
		JsonbValue	v;

		(void) pushJsonbValue(&jstate, WJB_BEGIN_OBJECT, NULL);
		push_key(&jstate, "characteristic");
		v.type = jbvString;
		v.val.string.val = (char *) score_characteristic_names[reason->characteristic];
		v.val.string.len = strlen(v.val.string.val);
		(void) pushJsonbValue(&jstate, WJB_VALUE, &v);
		push_key(&jstate, "value");
		if (reason->missing)
		{
			v.type = jbvNull;
			(void) pushJsonbValue(&jstate, WJB_VALUE, &v);
		}
		else
			push_numeric(&jstate,
						 DatumGetNumeric(DirectFunctionCall3(numeric_in,
															 CStringGetDatum(float8out_internal(reason->value)),
															 ObjectIdGetDatum(InvalidOid),
															 Int32GetDatum(-1))));
		push_key(&jstate, "points");
		push_numeric(&jstate, int64_to_numeric(reason->points));
		push_key(&jstate, "max_points");
		push_numeric(&jstate, int64_to_numeric(reason->max_points));
		(void) pushJsonbValue(&jstate, WJB_END_OBJECT, NULL);
	}
	array = pushJsonbValue(&jstate, WJB_END_ARRAY, NULL);
	return JsonbValueToJsonb(array);
}

/* item_numeric returns a numeric field of the item, or NULL. */
static inline Numeric
item_numeric(ComputeState *state, int field)
{
	return ITEM_ISNULL(state, field) ? NULL : DatumGetNumeric(ITEM_VALUE(state, field));
}

/*
 * read_customer fills in a CreditCustomer from the deformed item.
 */
static void
read_customer(ComputeState *state, CreditCustomer *customer)
{
	static const int statement_fields[ALTMAN_NITEMS] = {
		ITEM_WORKING_CAPITAL, ITEM_RETAINED_EARNINGS, ITEM_EBIT, ITEM_EQUITY,
		ITEM_TOTAL_LIABILITIES, ITEM_TOTAL_ASSETS, ITEM_SALES
	};
	int			i;

	memset(customer, 0, sizeof(CreditCustomer));
	if (!ITEM_ISNULL(state, ITEM_PROFILE))
	{
		HeapTupleHeader th = DatumGetHeapTupleHeader(ITEM_VALUE(state, ITEM_PROFILE));
		HeapTupleData tuple;
		ProfileFigures *p = &customer->profile;
		Datum	   *values = state->profile_values;
		bool	   *nulls = state->profile_nulls;

		tuple.t_len = HeapTupleHeaderGetDatumLength(th);
		ItemPointerSetInvalid(&tuple.t_self);
		tuple.t_tableOid = InvalidOid;
		tuple.t_data = th;
		heap_deform_tuple(&tuple, state->profile_desc, values, nulls);
		p->known = true;
		p->avg_days_beyond_terms_null = nulls[state->profile_avg_days_beyond_terms];
		if (!p->avg_days_beyond_terms_null)
			p->avg_days_beyond_terms = DatumGetFloat8(values[state->profile_avg_days_beyond_terms]);
		p->late_share_null = nulls[state->profile_late_share];
		if (!p->late_share_null)
			p->late_share = DatumGetFloat8(values[state->profile_late_share]);
		p->max_days_late_null = nulls[state->profile_max_days_late];
		if (!p->max_days_late_null)
			p->max_days_late = DatumGetInt32(values[state->profile_max_days_late]);
		if (!nulls[state->profile_open_amount])
			customer->open_amount = DatumGetNumeric(values[state->profile_open_amount]);
	}
	for (i = 0; i < ALTMAN_NITEMS; i++)
		customer->statements[i] = item_numeric(state, statement_fields[i]);
	customer->adverse_events_null = ITEM_ISNULL(state, ITEM_ADVERSE_EVENTS);
	if (!customer->adverse_events_null)
		customer->adverse_events = DatumGetInt32(ITEM_VALUE(state, ITEM_ADVERSE_EVENTS));
	customer->event_severity_null = ITEM_ISNULL(state, ITEM_EVENT_SEVERITY);
	if (!customer->event_severity_null)
		customer->event_severity = DatumGetInt32(ITEM_VALUE(state, ITEM_EVENT_SEVERITY));
	customer->broken_promises_12m_null = ITEM_ISNULL(state, ITEM_BROKEN_PROMISES_12M);
	if (!customer->broken_promises_12m_null)
		customer->broken_promises_12m = DatumGetInt32(ITEM_VALUE(state, ITEM_BROKEN_PROMISES_12M));
	if (!ITEM_ISNULL(state, ITEM_CLASS_CAP))
		customer->class_cap = TextDatumGetCString(ITEM_VALUE(state, ITEM_CLASS_CAP));
	customer->credit_limit = item_numeric(state, ITEM_CREDIT_LIMIT);
	customer->utilization_limit = item_numeric(state, ITEM_UTILIZATION_LIMIT);
	customer->insured_cover = item_numeric(state, ITEM_INSURED_COVER);
	customer->review_base_limit = item_numeric(state, ITEM_REVIEW_BASE_LIMIT);
	customer->payment_terms_null = ITEM_ISNULL(state, ITEM_PAYMENT_TERMS_DAYS);
	if (!customer->payment_terms_null)
		customer->payment_terms_days = DatumGetInt32(ITEM_VALUE(state, ITEM_PAYMENT_TERMS_DAYS));
	customer->customer_since_null = ITEM_ISNULL(state, ITEM_CUSTOMER_SINCE);
	if (!customer->customer_since_null)
		customer->customer_since = DatumGetDateADT(ITEM_VALUE(state, ITEM_CUSTOMER_SINCE));
	customer->first_issue_null = ITEM_ISNULL(state, ITEM_FIRST_ISSUE_DATE);
	if (!customer->first_issue_null)
		customer->first_issue_date = DatumGetDateADT(ITEM_VALUE(state, ITEM_FIRST_ISSUE_DATE));
	customer->sales_12_months = item_numeric(state, ITEM_SALES_12_MONTHS);
}

/*
 * item_name returns the model or policy name of the item: NULL is refused
 * (22004), as crisk.explain_score and crisk.recalibrated_limit refuse it.
 */
static text *
item_name(ComputeState *state, int field, const char *what, const char *example)
{
	if (ITEM_ISNULL(state, field))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not be null", what),
				 errhint("Pass the name of a %s, for example '%s'.",
						 field == ITEM_MODEL ? "scorecard model" : "limit policy", example)));
	return DatumGetTextPP(ITEM_VALUE(state, field));
}

/*
 * rescore_compute_item scores one customer and returns its
 * crisk.rescore_result, allocated in the current memory context.
 */
Datum
rescore_compute_item(ComputeState *state, Datum item, DateADT as_of)
{
	HeapTupleHeader th = DatumGetHeapTupleHeader(item);
	HeapTupleData tuple;
	Datum		values[RESULT_NFIELDS];
	bool		nulls[RESULT_NFIELDS];
	CreditCustomer customer;
	CreditResult result;
	const ScoreModel *model;
	const LimitPolicy *policy;
	text	   *name;

	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, state->item_desc, state->item_values, state->item_nulls);

	read_customer(state, &customer);
	name = item_name(state, ITEM_MODEL, "model", "default");
	model = scorecard_lookup(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name), true);
	name = item_name(state, ITEM_POLICY, "policy", "default");
	policy = limit_policy_lookup(VARDATA_ANY(name), VARSIZE_ANY_EXHDR(name));
	score_customer(&customer, model, policy, as_of, &result);

	memset(nulls, false, sizeof(nulls));
	values[RESULT_CUSTOMER_ID] = ITEM_VALUE(state, ITEM_CUSTOMER_ID);
	nulls[RESULT_CUSTOMER_ID] = ITEM_ISNULL(state, ITEM_CUSTOMER_ID);
	values[RESULT_ITEM] = item;
	values[RESULT_SCORE] = Int32GetDatum(result.score);
	values[RESULT_RISK_CLASS] = CStringGetTextDatum(risk_class_name(result.risk_class));
	values[RESULT_REASONS] = JsonbPGetDatum(reasons_json(&result));
	values[RESULT_ALTMAN_Z] = Float8GetDatum(result.altman_z);
	nulls[RESULT_ALTMAN_Z] = !result.altman_known;
	values[RESULT_UTILIZATION] = Float8GetDatum(result.utilization);
	nulls[RESULT_UTILIZATION] = !result.utilization_known;
	values[RESULT_RELATIONSHIP_MONTHS] = Int32GetDatum(result.relationship_months);
	nulls[RESULT_RELATIONSHIP_MONTHS] = !result.months_known;
	values[RESULT_MONTHLY_SALES] = result.monthly_sales_known ?
		NumericGetDatum(result.monthly_sales) : (Datum) 0;
	nulls[RESULT_MONTHLY_SALES] = !result.monthly_sales_known;
	values[RESULT_RECOMMENDED_LIMIT] = result.limit_known ?
		NumericGetDatum(result.recommended_limit) : (Datum) 0;
	nulls[RESULT_RECOMMENDED_LIMIT] = !result.limit_known;

	return HeapTupleGetDatum(heap_form_tuple(state->result_desc, values, nulls));
}

/*
 * rescore_compute_customer_context returns the context the caller may
 * score one customer in and reset after it.
 */
MemoryContext
rescore_compute_customer_context(ComputeState *state)
{
	return state->customer_context;
}

/*
 * crisk_rescore_compute is crisk._rescore_compute(items, as_of): the
 * batch's results as crisk.rescore_result[], NULL for no customer.
 */
Datum
crisk_rescore_compute(PG_FUNCTION_ARGS)
{
	ArrayType  *items;
	DateADT		as_of;
	Oid			item_type;
	ComputeState *state = (ComputeState *) fcinfo->flinfo->fn_extra;
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n,
				i;
	ArrayBuildState *result = NULL;
	MemoryContext call_context = CurrentMemoryContext;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	items = PG_GETARG_ARRAYTYPE_P(0);
	as_of = PG_GETARG_DATEADT(1);
	if (DATE_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("as_of must be a finite date")));
	item_type = ARR_ELEMTYPE(items);
	if (state == NULL || state->item_desc->tdtypeid != item_type)
	{
		Oid			result_array_type = get_fn_expr_rettype(fcinfo->flinfo);

		if (!OidIsValid(result_array_type))
			result_array_type = get_func_rettype(fcinfo->flinfo->fn_oid);
		state = rescore_compute_begin(item_type, get_element_type(result_array_type),
									  fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = state;
	}
	/* a change of model or policy committed since is seen by this call */
	AcceptInvalidationMessages();
	deconstruct_array(items, item_type, -1, false, TYPALIGN_DOUBLE, &elems, &elem_nulls, &n);

	for (i = 0; i < n; i++)
	{
		MemoryContext old;
		Datum		one;

		if (elem_nulls[i])
			continue;
		old = MemoryContextSwitchTo(state->customer_context);
		one = rescore_compute_item(state, elems[i], as_of);
		MemoryContextSwitchTo(old);
		result = accumArrayResult(result, one, false, state->result_type, call_context);
		MemoryContextReset(state->customer_context);
	}
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(makeArrayResult(result, call_context));
}
