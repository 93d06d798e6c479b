/*-------------------------------------------------------------------------
 *
 * credit_limit.c
 *	  The per-session cache of crisk.limit_policy and
 *	  crisk.recalibrated_limit.
 *
 * recalibrated_limit follows four steps (all in numeric, exact):
 *	 1. target = monthly_sales x months_of_sales of the score's class;
 *	 2. with insured_cover given, target = least(target, insured_cover);
 *	 3. a new customer (NULL or zero current_limit) starts at
 *		least(target, initial_limit); otherwise a decrease applies at once
 *		and an increase is capped at current_limit x (1 + max_increase);
 *	 4. the result is rounded down to a multiple of rounding, never below 0.
 *
 * Policies are read as a whole, like scorecards (see table_cache.h); a
 * policy that lacks a class or holds a value the table's constraints
 * should have refused is reported when used (42P17).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/memutils.h"

#include "credit_limit.h"
#include "table_cache.h"

PG_FUNCTION_INFO_V1(crisk_recalibrated_limit);

#define ARG_CURRENT_LIMIT	0
#define ARG_SCORE			1
#define ARG_MONTHLY_SALES	2
#define ARG_INSURED_COVER	3
#define ARG_POLICY			4

/* What a call site keeps in fn_extra: its policy, while the copy lasts. */
typedef struct LimitCallCache
{
	uint64		generation;
	const LimitPolicy *policy;
} LimitCallCache;

static CachedTable limit_policy_table = CACHED_TABLE("limit_policy");
static MemoryContext limit_policy_context = NULL;
static LimitPolicy *limit_policies = NULL;
static uint64 limit_policy_generation = 0;

/*
 * num_sign returns -1, 0 or 1 as a number is below, equal to or above
 * zero (numeric's own sign() returns a numeric).
 */
static int
num_sign(Numeric num)
{
	static Numeric zero = NULL;

	if (zero == NULL)
	{
		MemoryContext oldcxt = MemoryContextSwitchTo(TopMemoryContext);

		zero = int64_to_numeric(0);
		MemoryContextSwitchTo(oldcxt);
	}
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(num),
											 NumericGetDatum(zero)));
}

/* policy_for finds or creates a policy while the table is read. */
static LimitPolicy *
policy_for(const char *name)
{
	LimitPolicy *policy;

	for (policy = limit_policies; policy != NULL; policy = policy->next)
	{
		if (strcmp(policy->name, name) == 0)
			return policy;
	}
	policy = palloc0(sizeof(LimitPolicy));
	policy->name = pstrdup(name);
	policy->namelen = strlen(policy->name);
	policy->next = limit_policies;
	limit_policies = policy;
	return policy;
}

/* add_problem keeps the first problem of a policy and counts the rest. */
static void
add_problem(LimitPolicy *policy, char *text)
{
	if (policy->first_problem == NULL)
		policy->first_problem = text;
	policy->nproblems++;
}

/*
 * policy_amount copies one numeric column of a policy row, checking what
 * the table's constraints normally guarantee: not NULL, finite, not
 * negative, and for rounding above zero.
 */
static Numeric
policy_amount(LimitPolicy *policy, const char *class_name, HeapTuple tuple,
			  TupleDesc desc, AttrNumber attnum, const char *column,
			  bool positive)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);
	Numeric		num;

	if (isnull)
	{
		add_problem(policy, psprintf("the row for risk class %s has no %s",
									 class_name, column));
		return NULL;
	}
	num = DatumGetNumericCopy(value);
	if (numeric_is_nan(num) || numeric_is_inf(num) ||
		num_sign(num) < (positive ? 1 : 0))
		add_problem(policy, psprintf("the row for risk class %s has %s %s; it must be a finite amount %s",
									 class_name, column,
									 DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num))),
									 positive ? "above 0" : "of at least 0"));
	return num;
}

/*
 * limit_policy_reload reads every row of crisk.limit_policy into a fresh
 * copy and checks that each policy has a usable row for every class.
 */
static void
limit_policy_reload(void)
{
	TableCacheScan *scan;
	HeapTuple	tuple;
	AttrNumber	att_policy,
				att_class,
				att_months,
				att_increase,
				att_initial,
				att_rounding;
	LimitPolicy *policy;
	MemoryContext oldcxt;

	limit_policy_generation++;
	limit_policies = NULL;
	table_cache_context(&limit_policy_context, "crisk limit policy cache");

	scan = table_cache_begin_scan(&limit_policy_table);
	att_policy = table_cache_attnum(scan, "policy", TEXTOID);
	att_class = table_cache_attnum(scan, "risk_class", TEXTOID);
	att_months = table_cache_attnum(scan, "months_of_sales", NUMERICOID);
	att_increase = table_cache_attnum(scan, "max_increase", NUMERICOID);
	att_initial = table_cache_attnum(scan, "initial_limit", NUMERICOID);
	att_rounding = table_cache_attnum(scan, "rounding", NUMERICOID);

	oldcxt = MemoryContextSwitchTo(limit_policy_context);
	while ((tuple = table_cache_scan_next(scan)) != NULL)
	{
		bool		policy_null,
					class_null;
		Datum		name = heap_getattr(tuple, att_policy, scan->tupdesc, &policy_null);
		Datum		class_datum = heap_getattr(tuple, att_class, scan->tupdesc, &class_null);
		char	   *class_name;
		int			class;
		LimitPolicyRow *row;

		/* The primary key forbids NULLs here. */
		if (policy_null || class_null)
			continue;
		policy = policy_for(TextDatumGetCString(name));
		class_name = TextDatumGetCString(class_datum);
		class = risk_class_from_name(class_name);
		if (class < 0)
		{
			add_problem(policy, psprintf("it has a row for risk class \"%s\"; the classes are A, B, C, D and E",
										 class_name));
			continue;
		}
		row = &policy->rows[class];
		row->present = true;
		row->months_of_sales = policy_amount(policy, class_name, tuple, scan->tupdesc,
											 att_months, "months_of_sales", false);
		row->max_increase = policy_amount(policy, class_name, tuple, scan->tupdesc,
										  att_increase, "max_increase", false);
		row->initial_limit = policy_amount(policy, class_name, tuple, scan->tupdesc,
										   att_initial, "initial_limit", false);
		row->rounding = policy_amount(policy, class_name, tuple, scan->tupdesc,
									  att_rounding, "rounding", true);
	}

	for (policy = limit_policies; policy != NULL; policy = policy->next)
	{
		int			class;

		for (class = 0; class < RISK_CLASS_COUNT; class++)
		{
			if (!policy->rows[class].present)
				add_problem(policy, psprintf("it has no row for risk class %s",
											 risk_class_name(class)));
		}
	}
	MemoryContextSwitchTo(oldcxt);
	table_cache_end_scan(scan);
}

/*
 * policy_arg returns the usable policy named by the policy argument: NULL
 * is refused (22004), an unknown name raises 42704, a policy with problems
 * 42P17.  As for scoring models, the first call of a statement processes
 * pending invalidations and later calls reuse the pointer kept in fn_extra.
 */
static const LimitPolicy *
policy_arg(FunctionCallInfo fcinfo)
{
	LimitCallCache *cache = (LimitCallCache *) fcinfo->flinfo->fn_extra;
	text	   *name;
	const char *data;
	int			len;
	const LimitPolicy *policy;

	if (PG_ARGISNULL(ARG_POLICY))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("policy must not be null"),
				 errhint("Pass the name of a limit policy, for example 'default'.")));
	name = PG_GETARG_TEXT_PP(ARG_POLICY);
	data = VARDATA_ANY(name);
	len = VARSIZE_ANY_EXHDR(name);

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(LimitCallCache));
		fcinfo->flinfo->fn_extra = cache;
		AcceptInvalidationMessages();
	}

	/*
	 * A false answer obliges us to reload (it marks the copy valid), so ask
	 * once per call and reload at once; the generation then tells whether
	 * the kept pointer is still into the current copy.
	 */
	if (!table_cache_is_valid(&limit_policy_table))
		limit_policy_reload();
	if (likely(cache->policy != NULL &&
			   cache->generation == limit_policy_generation &&
			   cache->policy->namelen == len &&
			   memcmp(cache->policy->name, data, len) == 0))
		return cache->policy;

	for (policy = limit_policies; policy != NULL; policy = policy->next)
	{
		if (policy->namelen == len && memcmp(policy->name, data, len) == 0)
			break;
	}
	if (policy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("limit policy \"%s\" does not exist", text_to_cstring(name)),
				 errhint("The policies are the distinct values of crisk.limit_policy.policy; the shipped one is 'default'.")));
	if (policy->first_problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
				 errmsg("limit policy \"%s\" is invalid: %s",
						policy->name, policy->first_problem),
				 errdetail_plural("The policy has %d problem.",
								  "The policy has %d problems.",
								  policy->nproblems, policy->nproblems),
				 errhint("A policy needs one row for each risk class A to E.")));
	cache->generation = limit_policy_generation;
	cache->policy = policy;
	return policy;
}

/*
 * amount_arg returns a money argument, or NULL for SQL NULL, refusing NaN,
 * infinities and negative amounts (22023).
 */
static Numeric
amount_arg(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	Numeric		num;

	if (PG_ARGISNULL(argno))
		return NULL;
	num = PG_GETARG_NUMERIC(argno);
	if (numeric_is_nan(num) || numeric_is_inf(num))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a finite amount", argname)));
	if (num_sign(num) < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be negative", argname),
				 errdetail("The %s is %s.", argname,
						   DatumGetCString(DirectFunctionCall1(numeric_out,
															   NumericGetDatum(num))))));
	return num;
}

/* num_cmp compares two numerics: -1, 0 or 1. */
static inline int
num_cmp(Numeric a, Numeric b)
{
	return DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(a),
											 NumericGetDatum(b)));
}

/* num_least returns the smaller of two numerics. */
static inline Numeric
num_least(Numeric a, Numeric b)
{
	return num_cmp(a, b) <= 0 ? a : b;
}

/* num_mul multiplies two numerics exactly. */
static inline Numeric
num_mul(Numeric a, Numeric b)
{
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul, NumericGetDatum(a),
											   NumericGetDatum(b)));
}


/*
 * crisk_recalibrated_limit implements crisk.recalibrated_limit(current_limit,
 * score, monthly_sales, insured_cover, policy).  A NULL score or
 * monthly_sales gives NULL (nothing to recalibrate from); every given
 * argument is checked first, so a bad value is reported even then.
 */
Datum
crisk_recalibrated_limit(PG_FUNCTION_ARGS)
{
	const LimitPolicy *policy = policy_arg(fcinfo);
	Numeric		current_limit = amount_arg(fcinfo, ARG_CURRENT_LIMIT, "current_limit");
	Numeric		monthly_sales = amount_arg(fcinfo, ARG_MONTHLY_SALES, "monthly_sales");
	Numeric		insured_cover = amount_arg(fcinfo, ARG_INSURED_COVER, "insured_cover");
	int			class = -1;
	const LimitPolicyRow *row;
	Numeric		target;
	Numeric		limit;

	if (!PG_ARGISNULL(ARG_SCORE))
		class = risk_class_index(PG_GETARG_INT32(ARG_SCORE), "score");
	if (class < 0 || monthly_sales == NULL)
		PG_RETURN_NULL();
	row = &policy->rows[class];

	/* 1. What the class's months of sales call for. */
	target = num_mul(monthly_sales, row->months_of_sales);

	/* 2. Never more than the insurer covers. */
	if (insured_cover != NULL)
		target = num_least(target, insured_cover);

	/* 3. New customers start low; decreases apply at once; increases are capped. */
	if (current_limit == NULL || num_sign(current_limit) == 0)
		limit = num_least(target, row->initial_limit);
	else if (num_cmp(target, current_limit) < 0)
		limit = target;
	else
	{
		Numeric		one = int64_to_numeric(1);
		Numeric		factor = DatumGetNumeric(DirectFunctionCall2(numeric_add,
																 NumericGetDatum(one),
																 NumericGetDatum(row->max_increase)));

		limit = num_least(target, num_mul(current_limit, factor));
	}

	/*
	 * 4. Round down to a multiple of rounding.  Every amount is at least 0
	 * here, so truncating the quotient rounds down; the floor at 0 guards
	 * the promise anyway.
	 */
	limit = num_mul(DatumGetNumeric(DirectFunctionCall2(numeric_div_trunc,
														NumericGetDatum(limit),
														NumericGetDatum(row->rounding))),
					row->rounding);
	if (num_sign(limit) < 0)
		limit = int64_to_numeric(0);
	PG_RETURN_NUMERIC(limit);
}
