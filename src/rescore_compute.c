/*-------------------------------------------------------------------------
 *
 * rescore_compute.c
 *	  crisk._rescore_compute(items crisk.rescore_item[], as_of date):
 *	  the scoring step of a rescoring pass, for a batch of customers.
 *
 * For each customer it derives the characteristics the payment profile
 * does not carry, then calls crisk.altman_z, crisk.explain_score and
 * crisk.recalibrated_limit through the function manager, exactly as SQL
 * would call them:
 *
 *	 altman_z			  Z' (private firms, book equity) of the latest statements
 *	 utilization		  open receivables / the limit in force before the
 *						  pass (rescore_item.utilization_limit: a date's pass
 *						  run again measures against the same limit); NULL
 *						  without a limit; with a zero limit, 0 when nothing
 *						  is open and 1 000 000 (beyond every bin) when
 *						  something is
 *	 relationship_months  whole months from account.customer_since, or else
 *						  the first invoice, to as_of
 *	 monthly_sales		  average daily credit sales x 365 / 12, where daily
 *						  sales = invoices issued in the sales window (the
 *						  last 12 months: after as_of - 1 year, 365 days or
 *						  366 across a 29 February) / the days of the window
 *						  the relationship covers (from the first invoice);
 *						  NULL (limit left as it is) when nothing was issued;
 *						  a negative figure (credit notes) counts as 0 for
 *						  the limit.  This is the one definition of the daily
 *						  sales the limit target rests on.
 *	 risk class			  crisk.risk_class of the score, worsened to the
 *						  class_cap of the customer's events in force
 *	 score, reasons		  crisk.explain_score's rows: their points add up to
 *						  crisk.credit_score's result, and they are kept as a
 *						  JSON array of {characteristic, value, points, max_points}
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
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"
#include "utils/typcache.h"

#include "credit_score.h"

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

/* What one call keeps across its customers. */
typedef struct ComputeState
{
	TupleDesc	item_desc;
	int			item_att[ITEM_NFIELDS]; /* 0-based attribute numbers */
	Datum	   *item_values;
	bool	   *item_nulls;
	int			profile_open_amount;	/* attribute of crisk.payment_profile */
	TupleDesc	profile_desc;
	TupleDesc	result_desc;
	Oid			result_type;
	FmgrInfo	altman_z;
	FmgrInfo	explain_score;
	FmgrInfo	recalibrated_limit;
	int			explain_nargs;	/* 6 or 8 (0.1.0's SQL objects, or 0.2.0's) */
	int			limit_nargs;	/* 5 or 8 */
	ExprContext *econtext;
	MemoryContext customer_context;
} ComputeState;

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
 * crisk_function finds crisk.<name>(argtypes) for calls through fmgr; with
 * fewer_nargs > 0, the signature of that many arguments (the same types,
 * 0.1.0's) when the full one does not exist yet.  Returns the number of
 * arguments of the function found.
 */
static int
crisk_function(FmgrInfo *finfo, const char *name, int nargs, const Oid *argtypes,
			   int fewer_nargs, MemoryContext context)
{
	List	   *qualified = list_make2(makeString(pstrdup("crisk")),
									   makeString(pstrdup(name)));
	Oid			oid = LookupFuncName(qualified, nargs, argtypes, fewer_nargs > 0);

	if (!OidIsValid(oid))
	{
		oid = LookupFuncName(qualified, fewer_nargs, argtypes, false);
		nargs = fewer_nargs;
	}
	fmgr_info_cxt(oid, finfo, context);
	return nargs;
}

static ComputeState *
compute_state(FunctionCallInfo fcinfo, Oid item_type)
{
	ComputeState *state = (ComputeState *) fcinfo->flinfo->fn_extra;
	MemoryContext context = fcinfo->flinfo->fn_mcxt;
	MemoryContext old;
	Oid			profile_type;
	Oid			result_array_type;
	int			i;

	if (state != NULL && state->item_desc->tdtypeid == item_type)
		return state;

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

	result_array_type = get_fn_expr_rettype(fcinfo->flinfo);
	if (!OidIsValid(result_array_type))
		result_array_type = get_func_rettype(fcinfo->flinfo->fn_oid);
	state->result_type = get_element_type(result_array_type);
	state->result_desc = lookup_rowtype_tupdesc_copy(state->result_type, -1);
	if (state->result_desc->natts != RESULT_NFIELDS)
		elog(ERROR, "crisk.rescore_result has %d fields, expected %d",
			 state->result_desc->natts, RESULT_NFIELDS);

	{
		Oid			altman_args[8] = {NUMERICOID, NUMERICOID, NUMERICOID, NUMERICOID,
		NUMERICOID, NUMERICOID, NUMERICOID, TEXTOID};
		Oid			explain_args[8] = {profile_type, FLOAT8OID, INT4OID, FLOAT8OID,
		INT4OID, TEXTOID, INT4OID, INT4OID};
		Oid			limit_args[8] = {NUMERICOID, INT4OID, NUMERICOID, NUMERICOID, TEXTOID,
		INT4OID, NUMERICOID, TEXTOID};

		crisk_function(&state->altman_z, "altman_z", 8, altman_args, 0, context);
		state->explain_nargs = crisk_function(&state->explain_score, "explain_score", 8,
											  explain_args, 6, context);
		state->limit_nargs = crisk_function(&state->recalibrated_limit, "recalibrated_limit", 8,
											limit_args, 5, context);
	}
	state->econtext = CreateStandaloneExprContext();
	state->customer_context = AllocSetContextCreate(context, "crisk rescore customer",
													ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = state;
	return state;
}

#define ITEM_ISNULL(s, f)	((s)->item_att[f] < 0 || (s)->item_nulls[(s)->item_att[f]])
#define ITEM_VALUE(s, f)	((s)->item_att[f] < 0 ? (Datum) 0 : (s)->item_values[(s)->item_att[f]])

/*
 * call_altman_z computes Z' of the customer's latest statements, or NULL.
 */
static bool
call_altman_z(ComputeState *state, double *z)
{
	LOCAL_FCINFO(fc, 8);
	static const int fields[7] = {ITEM_WORKING_CAPITAL, ITEM_RETAINED_EARNINGS, ITEM_EBIT,
	ITEM_EQUITY, ITEM_TOTAL_LIABILITIES, ITEM_TOTAL_ASSETS, ITEM_SALES};
	Datum		result;
	int			i;

	InitFunctionCallInfoData(*fc, &state->altman_z, 8, InvalidOid, NULL, NULL);
	for (i = 0; i < 7; i++)
	{
		fc->args[i].isnull = ITEM_ISNULL(state, fields[i]);
		fc->args[i].value = fc->args[i].isnull ? (Datum) 0 : ITEM_VALUE(state, fields[i]);
	}
	fc->args[7].value = CStringGetTextDatum("z_prime");
	fc->args[7].isnull = false;
	if (state->altman_z.fn_strict)
	{
		for (i = 0; i < 8; i++)
			if (fc->args[i].isnull)
				return false;
	}
	result = FunctionCallInvoke(fc);
	if (fc->isnull)
		return false;
	*z = DatumGetFloat8(result);
	return true;
}

/*
 * utilization: open receivables / credit limit (see the file header).
 */
static bool
compute_utilization(ComputeState *state, Datum profile, double *utilization)
{
	Numeric		limit;
	Numeric		open = NULL;
	bool		isnull = true;
	int			limit_sign;

	if (ITEM_ISNULL(state, ITEM_UTILIZATION_LIMIT))
		return false;
	limit = DatumGetNumeric(ITEM_VALUE(state, ITEM_UTILIZATION_LIMIT));
	if (profile != (Datum) 0)
	{
		Datum		d = GetAttributeByNum(DatumGetHeapTupleHeader(profile),
										  state->profile_open_amount + 1, &isnull);

		if (!isnull)
			open = DatumGetNumeric(d);
	}
	if (open == NULL)
		open = int64_to_numeric(0);
	limit_sign = DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(limit),
												   NumericGetDatum(int64_to_numeric(0))));
	if (limit_sign > 0)
		*utilization = DatumGetFloat8(DirectFunctionCall1(numeric_float8,
														  DirectFunctionCall2(numeric_div,
																			  NumericGetDatum(open),
																			  NumericGetDatum(limit))));
	else if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(open),
											   NumericGetDatum(int64_to_numeric(0)))) > 0)
		*utilization = 1000000.0;
	else
		*utilization = 0.0;
	return true;
}

/*
 * relationship_months: whole months from the start date to as_of, 0 if the
 * start lies after as_of.
 */
static bool
compute_relationship_months(ComputeState *state, DateADT as_of, int32 *months)
{
	DateADT		start;
	int			y1,
				m1,
				d1,
				y2,
				m2,
				d2;

	if (!ITEM_ISNULL(state, ITEM_CUSTOMER_SINCE))
		start = DatumGetDateADT(ITEM_VALUE(state, ITEM_CUSTOMER_SINCE));
	else if (!ITEM_ISNULL(state, ITEM_FIRST_ISSUE_DATE))
		start = DatumGetDateADT(ITEM_VALUE(state, ITEM_FIRST_ISSUE_DATE));
	else
		return false;
	if (DATE_NOT_FINITE(start) || start >= as_of)
	{
		*months = 0;
		return true;
	}
	j2date(start + POSTGRES_EPOCH_JDATE, &y1, &m1, &d1);
	j2date(as_of + POSTGRES_EPOCH_JDATE, &y2, &m2, &d2);
	*months = (y2 - y1) * 12 + (m2 - m1) - (d2 < d1 ? 1 : 0);
	return true;
}

/*
 * monthly_sales: see the file header.
 */
static bool
compute_monthly_sales(ComputeState *state, DateADT as_of, Numeric *sales)
{
	DateADT		first;
	DateADT		window_start;
	int64		days;
	int			year,
				month,
				day;

	if (ITEM_ISNULL(state, ITEM_SALES_12_MONTHS) || ITEM_ISNULL(state, ITEM_FIRST_ISSUE_DATE))
		return false;
	first = DatumGetDateADT(ITEM_VALUE(state, ITEM_FIRST_ISSUE_DATE));
	/* the window is (as_of - 1 year, as_of], as crisk._rescore_ledger sums it */
	j2date(as_of + POSTGRES_EPOCH_JDATE, &year, &month, &day);
	year--;
	if (month == 2 && day == 29 && !isleap(year))
		day = 28;
	window_start = date2j(year, month, day) - POSTGRES_EPOCH_JDATE;
	days = first > window_start ? (int64) as_of - first + 1 : (int64) as_of - window_start;
	days = Max(1, days);
	/* sales / days x 365 / 12, divided last */
	*sales = DatumGetNumeric(DirectFunctionCall2(numeric_div,
												 DirectFunctionCall2(numeric_mul,
																	 ITEM_VALUE(state, ITEM_SALES_12_MONTHS),
																	 NumericGetDatum(int64_to_numeric(365))),
												 NumericGetDatum(int64_to_numeric(12 * days))));
	return true;
}

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
 * call_explain_score runs crisk.explain_score, adds up the points and
 * builds the reasons.  A float becomes a JSON number through its shortest
 * exact text, as to_jsonb writes it.
 */
static int32
call_explain_score(ComputeState *state, Datum profile, bool altman_known, double altman_z,
				   bool utilization_known, double utilization,
				   bool months_known, int32 months, Jsonb **reasons)
{
	LOCAL_FCINFO(fc, 8);
	ReturnSetInfo rsinfo;
	TupleTableSlot *slot;
	JsonbParseState *jstate = NULL;
	JsonbValue *array;
	int32		score = 0;

	memset(&rsinfo, 0, sizeof(rsinfo));
	rsinfo.type = T_ReturnSetInfo;
	rsinfo.econtext = state->econtext;
	rsinfo.allowedModes = SFRM_Materialize;
	rsinfo.returnMode = SFRM_Materialize;
	state->econtext->ecxt_per_query_memory = state->customer_context;

	InitFunctionCallInfoData(*fc, &state->explain_score, state->explain_nargs, InvalidOid,
							 NULL, (Node *) &rsinfo);
	fc->args[0].value = profile;
	fc->args[0].isnull = (profile == (Datum) 0);
	fc->args[1].value = Float8GetDatum(altman_z);
	fc->args[1].isnull = !altman_known;
	fc->args[2].value = ITEM_VALUE(state, ITEM_ADVERSE_EVENTS);
	fc->args[2].isnull = ITEM_ISNULL(state, ITEM_ADVERSE_EVENTS);
	fc->args[3].value = Float8GetDatum(utilization);
	fc->args[3].isnull = !utilization_known;
	fc->args[4].value = Int32GetDatum(months);
	fc->args[4].isnull = !months_known;
	fc->args[5].value = ITEM_VALUE(state, ITEM_MODEL);
	fc->args[5].isnull = ITEM_ISNULL(state, ITEM_MODEL);
	fc->args[6].value = ITEM_VALUE(state, ITEM_EVENT_SEVERITY);
	fc->args[6].isnull = ITEM_ISNULL(state, ITEM_EVENT_SEVERITY);
	fc->args[7].value = ITEM_VALUE(state, ITEM_BROKEN_PROMISES_12M);
	fc->args[7].isnull = ITEM_ISNULL(state, ITEM_BROKEN_PROMISES_12M);
	(void) FunctionCallInvoke(fc);
	if (rsinfo.returnMode != SFRM_Materialize || rsinfo.setResult == NULL)
		elog(ERROR, "crisk.explain_score did not return its rows in a tuplestore");

	slot = MakeSingleTupleTableSlot(rsinfo.setDesc, &TTSOpsMinimalTuple);
	(void) pushJsonbValue(&jstate, WJB_BEGIN_ARRAY, NULL);
	while (tuplestore_gettupleslot(rsinfo.setResult, true, false, slot))
	{
		bool		isnull;
		Datum		characteristic = slot_getattr(slot, 1, &isnull);
		Datum		value = slot_getattr(slot, 2, &isnull);
		bool		value_null = isnull;
		int32		points = DatumGetInt32(slot_getattr(slot, 3, &isnull));
		int32		max_points = DatumGetInt32(slot_getattr(slot, 4, &isnull));
		JsonbValue	v;

		score += points;
		(void) pushJsonbValue(&jstate, WJB_BEGIN_OBJECT, NULL);
		push_key(&jstate, "characteristic");
		v.type = jbvString;
		v.val.string.val = TextDatumGetCString(characteristic);
		v.val.string.len = strlen(v.val.string.val);
		(void) pushJsonbValue(&jstate, WJB_VALUE, &v);
		push_key(&jstate, "value");
		if (value_null)
		{
			v.type = jbvNull;
			(void) pushJsonbValue(&jstate, WJB_VALUE, &v);
		}
		else
			push_numeric(&jstate,
						 DatumGetNumeric(DirectFunctionCall3(numeric_in,
															 CStringGetDatum(float8out_internal(DatumGetFloat8(value))),
															 ObjectIdGetDatum(InvalidOid),
															 Int32GetDatum(-1))));
		push_key(&jstate, "points");
		push_numeric(&jstate, int64_to_numeric(points));
		push_key(&jstate, "max_points");
		push_numeric(&jstate, int64_to_numeric(max_points));
		(void) pushJsonbValue(&jstate, WJB_END_OBJECT, NULL);
	}
	array = pushJsonbValue(&jstate, WJB_END_ARRAY, NULL);
	ExecDropSingleTupleTableSlot(slot);
	tuplestore_end(rsinfo.setResult);
	*reasons = JsonbValueToJsonb(array);
	return score;
}

/*
 * call_recalibrated_limit runs crisk.recalibrated_limit, or returns false
 * for a NULL result.
 */
static bool
call_recalibrated_limit(ComputeState *state, int32 score, bool sales_known, Numeric sales,
						Numeric *limit)
{
	LOCAL_FCINFO(fc, 8);
	Datum		result;

	if (sales_known &&
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(sales),
										  NumericGetDatum(int64_to_numeric(0)))) < 0)
		sales = int64_to_numeric(0);
	InitFunctionCallInfoData(*fc, &state->recalibrated_limit, state->limit_nargs, InvalidOid,
							 NULL, NULL);
	fc->args[0].value = ITEM_VALUE(state, ITEM_CREDIT_LIMIT);
	fc->args[0].isnull = ITEM_ISNULL(state, ITEM_CREDIT_LIMIT);
	fc->args[1].value = Int32GetDatum(score);
	fc->args[1].isnull = false;
	fc->args[2].value = sales_known ? NumericGetDatum(sales) : (Datum) 0;
	fc->args[2].isnull = !sales_known;
	fc->args[3].value = ITEM_VALUE(state, ITEM_INSURED_COVER);
	fc->args[3].isnull = ITEM_ISNULL(state, ITEM_INSURED_COVER);
	fc->args[4].value = ITEM_VALUE(state, ITEM_POLICY);
	fc->args[4].isnull = ITEM_ISNULL(state, ITEM_POLICY);
	fc->args[5].value = ITEM_VALUE(state, ITEM_PAYMENT_TERMS_DAYS);
	fc->args[5].isnull = ITEM_ISNULL(state, ITEM_PAYMENT_TERMS_DAYS);
	fc->args[6].value = ITEM_VALUE(state, ITEM_REVIEW_BASE_LIMIT);
	fc->args[6].isnull = ITEM_ISNULL(state, ITEM_REVIEW_BASE_LIMIT);
	fc->args[7].value = ITEM_VALUE(state, ITEM_CLASS_CAP);
	fc->args[7].isnull = ITEM_ISNULL(state, ITEM_CLASS_CAP);
	result = FunctionCallInvoke(fc);
	if (fc->isnull)
		return false;
	*limit = DatumGetNumeric(result);
	return true;
}

/*
 * compute_one scores one customer and returns its crisk.rescore_result,
 * allocated in the current memory context.
 */
static Datum
compute_one(ComputeState *state, Datum item, DateADT as_of)
{
	HeapTupleHeader th = DatumGetHeapTupleHeader(item);
	HeapTupleData tuple;
	Datum		values[RESULT_NFIELDS];
	bool		nulls[RESULT_NFIELDS];
	Datum		profile;
	double		altman_z = 0,
				utilization = 0;
	int32		months = 0;
	Numeric		sales = NULL,
				limit = NULL;
	bool		altman_known,
				utilization_known,
				months_known,
				sales_known;
	Jsonb	   *reasons;
	int32		score;

	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, state->item_desc, state->item_values, state->item_nulls);

	profile = ITEM_ISNULL(state, ITEM_PROFILE) ? (Datum) 0 : ITEM_VALUE(state, ITEM_PROFILE);
	altman_known = call_altman_z(state, &altman_z);
	utilization_known = compute_utilization(state, profile, &utilization);
	months_known = compute_relationship_months(state, as_of, &months);
	sales_known = compute_monthly_sales(state, as_of, &sales);
	score = call_explain_score(state, profile, altman_known, altman_z,
							   utilization_known, utilization, months_known, months, &reasons);

	memset(nulls, false, sizeof(nulls));
	values[RESULT_CUSTOMER_ID] = ITEM_VALUE(state, ITEM_CUSTOMER_ID);
	nulls[RESULT_CUSTOMER_ID] = ITEM_ISNULL(state, ITEM_CUSTOMER_ID);
	values[RESULT_ITEM] = item;
	values[RESULT_SCORE] = Int32GetDatum(score);
	{
		int			class = risk_class_index(score, "score");

		if (!ITEM_ISNULL(state, ITEM_CLASS_CAP))
		{
			int			cap = risk_class_from_name(TextDatumGetCString(ITEM_VALUE(state, ITEM_CLASS_CAP)));

			class = Max(class, cap);
		}
		values[RESULT_RISK_CLASS] = CStringGetTextDatum(risk_class_name(class));
	}
	values[RESULT_REASONS] = JsonbPGetDatum(reasons);
	values[RESULT_ALTMAN_Z] = Float8GetDatum(altman_z);
	nulls[RESULT_ALTMAN_Z] = !altman_known;
	values[RESULT_UTILIZATION] = Float8GetDatum(utilization);
	nulls[RESULT_UTILIZATION] = !utilization_known;
	values[RESULT_RELATIONSHIP_MONTHS] = Int32GetDatum(months);
	nulls[RESULT_RELATIONSHIP_MONTHS] = !months_known;
	values[RESULT_MONTHLY_SALES] = sales_known ? NumericGetDatum(sales) : (Datum) 0;
	nulls[RESULT_MONTHLY_SALES] = !sales_known;
	nulls[RESULT_RECOMMENDED_LIMIT] = !call_recalibrated_limit(state, score, sales_known,
															   sales, &limit);
	values[RESULT_RECOMMENDED_LIMIT] = nulls[RESULT_RECOMMENDED_LIMIT] ? (Datum) 0 :
		NumericGetDatum(limit);

	return HeapTupleGetDatum(heap_form_tuple(state->result_desc, values, nulls));
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
	ComputeState *state;
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
	state = compute_state(fcinfo, item_type);
	deconstruct_array(items, item_type, -1, false, TYPALIGN_DOUBLE, &elems, &elem_nulls, &n);

	for (i = 0; i < n; i++)
	{
		MemoryContext old;
		Datum		one;

		if (elem_nulls[i])
			continue;
		old = MemoryContextSwitchTo(state->customer_context);
		one = compute_one(state, elems[i], as_of);
		MemoryContextSwitchTo(old);
		result = accumArrayResult(result, one, false, state->result_type, call_context);
		MemoryContextReset(state->customer_context);
	}
	if (result == NULL)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(makeArrayResult(result, call_context));
}
