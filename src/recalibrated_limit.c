/*-------------------------------------------------------------------------
 *
 * recalibrated_limit.c
 *	  The per-session cache of crisk.limit_policy and
 *	  crisk.recalibrated_limit.
 *
 * The recalibration itself is credit_core.c's recalibrate_limit(); this
 * file loads the policies and checks the SQL arguments.
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

#include "credit_core.h"
#include "table_cache.h"

PG_FUNCTION_INFO_V1(crisk_recalibrated_limit);

#define ARG_CURRENT_LIMIT	0
#define ARG_SCORE			1
#define ARG_MONTHLY_SALES	2
#define ARG_INSURED_COVER	3
#define ARG_POLICY			4
#define ARG_TERMS			5
#define ARG_REVIEW_BASE		6
#define ARG_CLASS_CAP		7

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
 * policy_days copies one day-count column of a policy row: not NULL, not
 * negative, as the table's constraints normally guarantee.
 */
static int32
policy_days(LimitPolicy *policy, const char *class_name, HeapTuple tuple,
			TupleDesc desc, AttrNumber attnum, const char *column)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);
	int32		days;

	if (isnull)
	{
		add_problem(policy, psprintf("the row for risk class %s has no %s",
									 class_name, column));
		return 0;
	}
	days = DatumGetInt32(value);
	if (days < 0)
		add_problem(policy, psprintf("the row for risk class %s has %s %d; it must be 0 or more",
									 class_name, column, days));
	return days;
}

/*
 * optional_attnum finds a column by name, or returns InvalidAttrNumber: a
 * library newer than the extension's SQL objects (before ALTER EXTENSION
 * UPDATE) reads the 0.1.0 table.
 */
static AttrNumber
optional_attnum(TableCacheScan *scan, const char *column, Oid typid)
{
	int			i;

	for (i = 0; i < scan->tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(scan->tupdesc, i);

		if (!attr->attisdropped && strcmp(NameStr(attr->attname), column) == 0)
			return table_cache_attnum(scan, column, typid);
	}
	return InvalidAttrNumber;
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
				att_factor,
				att_tolerance,
				att_terms,
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
	/*
	 * Before ALTER EXTENSION UPDATE the table still has 0.1.0's columns:
	 * months_of_sales then serves as class_factor with 30-day terms and no
	 * tolerance, which is what the update converts it to.
	 */
	att_factor = optional_attnum(scan, "class_factor", NUMERICOID);
	if (att_factor == InvalidAttrNumber)
		att_factor = table_cache_attnum(scan, "months_of_sales", NUMERICOID);
	att_tolerance = optional_attnum(scan, "tolerance_days", INT4OID);
	att_terms = optional_attnum(scan, "default_terms_days", INT4OID);
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
		row->class_factor = policy_amount(policy, class_name, tuple, scan->tupdesc,
										  att_factor, "class_factor", false);
		row->tolerance_days = att_tolerance == InvalidAttrNumber ? 0 :
			policy_days(policy, class_name, tuple, scan->tupdesc,
						att_tolerance, "tolerance_days");
		row->default_terms_days = att_terms == InvalidAttrNumber ? 30 :
			policy_days(policy, class_name, tuple, scan->tupdesc,
						att_terms, "default_terms_days");
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
 * limit_policy_lookup returns the usable policy of that name from the
 * current copy, reading the table again when it changed: an unknown name
 * raises 42704, a policy with problems 42P17.  The pointer stays valid
 * until the next lookup that reloads.
 */
const LimitPolicy *
limit_policy_lookup(const char *name, int len)
{
	const LimitPolicy *policy;

	if (!table_cache_is_valid(&limit_policy_table))
		limit_policy_reload();
	for (policy = limit_policies; policy != NULL; policy = policy->next)
	{
		if (policy->namelen == len && memcmp(policy->name, name, len) == 0)
			break;
	}
	if (policy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("limit policy \"%s\" does not exist", pnstrdup(name, len)),
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
	return policy;
}

/*
 * policy_arg returns the usable policy named by the policy argument: NULL
 * is refused (22004), otherwise as limit_policy_lookup.  As for scoring
 * models, the first call of a statement processes pending invalidations
 * and later calls reuse the pointer kept in fn_extra.
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

	policy = limit_policy_lookup(data, len);
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
	if (PG_ARGISNULL(argno))
		return NULL;
	return limit_amount_checked(PG_GETARG_NUMERIC(argno), argname);
}

/*
 * class_cap_arg reads the class_cap argument: NULL, or a class A to E
 * (22023 otherwise); returns its index, or -1.
 */
static int
class_cap_arg(FunctionCallInfo fcinfo)
{
	if (PG_NARGS() <= ARG_CLASS_CAP || PG_ARGISNULL(ARG_CLASS_CAP))
		return -1;
	return risk_class_cap_checked(text_to_cstring(PG_GETARG_TEXT_PP(ARG_CLASS_CAP)));
}

/*
 * crisk_recalibrated_limit implements crisk.recalibrated_limit(current_limit,
 * score, monthly_sales, insured_cover, policy, payment_terms_days,
 * review_base_limit, class_cap) (see the file header).  A NULL score or
 * monthly_sales gives NULL (nothing to recalibrate from); every given
 * argument is checked first, so a bad value is reported even then.
 */
Datum
crisk_recalibrated_limit(PG_FUNCTION_ARGS)
{
	const LimitPolicy *policy = policy_arg(fcinfo);
	LimitInputs in;
	int			class = -1;
	int			cap;
	Numeric		limit;

	memset(&in, 0, sizeof(in));
	in.current_limit = amount_arg(fcinfo, ARG_CURRENT_LIMIT, "current_limit");
	in.monthly_sales = amount_arg(fcinfo, ARG_MONTHLY_SALES, "monthly_sales");
	in.insured_cover = amount_arg(fcinfo, ARG_INSURED_COVER, "insured_cover");
	in.review_base = PG_NARGS() > ARG_REVIEW_BASE ?
		amount_arg(fcinfo, ARG_REVIEW_BASE, "review_base_limit") : NULL;
	if (PG_NARGS() > ARG_TERMS && !PG_ARGISNULL(ARG_TERMS))
	{
		in.has_terms = true;
		in.terms_days = limit_terms_checked(PG_GETARG_INT32(ARG_TERMS));
	}
	cap = class_cap_arg(fcinfo);

	if (!PG_ARGISNULL(ARG_SCORE))
		class = risk_class_index(PG_GETARG_INT32(ARG_SCORE), "score");
	if (class < 0)
		PG_RETURN_NULL();
	if (!recalibrate_limit(policy, Max(class, cap), &in, &limit))
		PG_RETURN_NULL();
	PG_RETURN_NUMERIC(limit);
}
