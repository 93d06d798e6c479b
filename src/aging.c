/*-------------------------------------------------------------------------
 *
 * aging.c
 *	  Days past due and aging buckets: crisk.days_past_due,
 *	  crisk.aging_bucket and crisk.aging_bucket_index.
 *
 * Bucket bounds arrive as an integer[] on every call; they are parsed once
 * and cached in fn_extra, keyed by the array's bytes, so a query that ages
 * millions of rows against a constant array parses it once.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"

#include "aging.h"
#include "argcheck.h"

PG_FUNCTION_INFO_V1(crisk_days_past_due);
PG_FUNCTION_INFO_V1(crisk_aging_bucket);
PG_FUNCTION_INFO_V1(crisk_aging_bucket_index);

/* The conventional buckets: current, 1-30, 31-60, 61-90, 91+. */
const AgingBounds aging_default_bounds = {3, {30, 60, 90}};

/* What aging_bounds_cached keeps in fn_extra. */
typedef struct AgingBoundsCache
{
	Size		raw_len;		/* bytes of the array after its header */
	char		raw[AGING_MAX_BOUNDS * sizeof(int32) + 64];
	AgingBounds bounds;
} AgingBoundsCache;

/*
 * aging_bounds_parse checks that the array is a one-dimensional, non-empty,
 * NULL-free, strictly ascending list of positive integers and copies it.
 */
void
aging_bounds_parse(Datum array, const char *argname, AgingBounds *bounds)
{
	ArrayType  *arr = DatumGetArrayTypeP(array);
	int			nitems;
	int32	   *items;
	int			i;

	if (ARR_ELEMTYPE(arr) != INT4OID)
		elog(ERROR, "%s: expected an integer[] array", argname);
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must be a one-dimensional array", argname)));
	nitems = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (nitems == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not be empty", argname),
				 errhint("Give the upper bound of each overdue bucket in days, for example '{30,60,90}'.")));
	if (nitems > AGING_MAX_BOUNDS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must have at most %d elements", argname,
						AGING_MAX_BOUNDS)));
	if (ARR_HASNULL(arr))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s must not contain nulls", argname)));

	items = (int32 *) ARR_DATA_PTR(arr);
	for (i = 0; i < nitems; i++)
	{
		if (items[i] <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must contain only positive day counts", argname),
					 errdetail("Element %d is %d.", i + 1, items[i])));
		if (i > 0 && items[i] <= items[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must be in strictly ascending order", argname),
					 errdetail("Element %d (%d) does not exceed element %d (%d).",
							   i + 1, items[i], i, items[i - 1])));
		bounds->upper[i] = items[i];
	}
	bounds->nbounds = nitems;
}

/*
 * aging_bounds_cached returns the parsed bounds of argument argno, reusing
 * the copy in fn_extra when the array's bytes are unchanged since the last
 * call.  Raw bytes are compared before detoasting, so the usual case (a
 * constant array) costs one memcmp and no allocation.
 */
const AgingBounds *
aging_bounds_cached(FunctionCallInfo fcinfo, int argno, const char *argname)
{
	AgingBoundsCache *cache = (AgingBoundsCache *) fcinfo->flinfo->fn_extra;
	Datum		datum = PG_GETARG_DATUM(argno);
	struct varlena *raw = (struct varlena *) DatumGetPointer(datum);
	bool		plain = !VARATT_IS_EXTENDED(raw) || VARATT_IS_SHORT(raw);
	Size		raw_len = plain ? VARSIZE_ANY_EXHDR(raw) : 0;

	if (cache != NULL && plain && cache->raw_len == raw_len &&
		memcmp(cache->raw, VARDATA_ANY(raw), raw_len) == 0)
		return &cache->bounds;

	if (cache == NULL)
	{
		cache = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt,
									   sizeof(AgingBoundsCache));
		fcinfo->flinfo->fn_extra = cache;
	}
	/* Invalidate first: parsing may raise an error half-way. */
	cache->raw_len = (Size) -1;
	aging_bounds_parse(datum, argname, &cache->bounds);
	if (plain && raw_len <= sizeof(cache->raw))
	{
		memcpy(cache->raw, VARDATA_ANY(raw), raw_len);
		cache->raw_len = raw_len;
	}
	return &cache->bounds;
}

/*
 * aging_bucket_of maps days past due to a bucket number: 0 for current
 * (not past due), i for the i-th overdue bucket, nbounds + 1 beyond the
 * last bound.  Bounds are few, so a linear scan beats a binary search.
 */
int
aging_bucket_of(int32 days_past_due, const AgingBounds *bounds)
{
	int			i;

	if (days_past_due <= 0)
		return 0;
	for (i = 0; i < bounds->nbounds; i++)
	{
		if (days_past_due <= bounds->upper[i])
			return i + 1;
	}
	return bounds->nbounds + 1;
}

/*
 * aging_bucket_label names a bucket the way credit managers write it:
 * "current", "1-30", "31-60", ..., "91+".
 */
char *
aging_bucket_label(int bucket, const AgingBounds *bounds)
{
	int32		first;

	Assert(bucket >= 0 && bucket <= bounds->nbounds + 1);
	if (bucket == 0)
		return pstrdup("current");
	first = (bucket == 1) ? 1 : bounds->upper[bucket - 2] + 1;
	if (bucket == bounds->nbounds + 1)
		return psprintf("%d+", first);
	return psprintf("%d-%d", first, bounds->upper[bucket - 1]);
}

/*
 * crisk_days_past_due implements crisk.days_past_due(due_date, as_of):
 * as_of - due_date, negative while the invoice is not yet due.
 */
Datum
crisk_days_past_due(PG_FUNCTION_ARGS)
{
	DateADT		due_date = PG_GETARG_DATEADT(0);
	DateADT		as_of = PG_GETARG_DATEADT(1);

	PG_RETURN_INT32(crisk_days_between(due_date, "due_date", as_of, "as_of"));
}

/* Shared by aging_bucket and aging_bucket_index. */
static int
bucket_from_args(FunctionCallInfo fcinfo, const AgingBounds **bounds)
{
	DateADT		due_date = PG_GETARG_DATEADT(0);
	DateADT		as_of = PG_GETARG_DATEADT(1);

	*bounds = aging_bounds_cached(fcinfo, 2, "bounds");
	return aging_bucket_of(crisk_days_between(due_date, "due_date",
											  as_of, "as_of"),
						   *bounds);
}

/*
 * crisk_aging_bucket implements crisk.aging_bucket(due_date, as_of, bounds):
 * the label of the bucket the invoice falls in at as_of.
 */
Datum
crisk_aging_bucket(PG_FUNCTION_ARGS)
{
	const AgingBounds *bounds;
	int			bucket = bucket_from_args(fcinfo, &bounds);

	PG_RETURN_TEXT_P(cstring_to_text(aging_bucket_label(bucket, bounds)));
}

/*
 * crisk_aging_bucket_index implements crisk.aging_bucket_index: 0 for
 * current, 1..n+1 for the overdue buckets, for sorting in BI tools.
 */
Datum
crisk_aging_bucket_index(PG_FUNCTION_ARGS)
{
	const AgingBounds *bounds;

	PG_RETURN_INT32(bucket_from_args(fcinfo, &bounds));
}
