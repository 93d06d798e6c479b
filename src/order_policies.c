/*-------------------------------------------------------------------------
 *
 * order_policies.c
 *	  Session caches of the small tables that say what overdue invoices and
 *	  legal events do to orders: crisk.dunning_policy and crisk.event_kind.
 *
 * crisk.check_order consults them on every call; reading them through SQL
 * each time would cost more than the rest of the check.  They carry the
 * statement trigger crisk.table_changed(), so every session drops its copy
 * when they change (table_cache.h) and the next call sees the change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "order_policies.h"
#include "table_cache.h"

/* Session caches of crisk.dunning_policy and crisk.event_kind. */
static CachedTable dunning_table = CACHED_TABLE("dunning_policy");
static CachedTable event_kind_table = CACHED_TABLE("event_kind");
static MemoryContext dunning_context = NULL;
static MemoryContext event_kind_context = NULL;
static DunningPolicy *policies = NULL;
static int	npolicies = 0;
static EventKind *event_kinds = NULL;
static int	nevent_kinds = 0;

/*
 * text_column returns a text column of a row as a C string in the current
 * memory context, or NULL.
 */
static char *
text_column(HeapTuple tuple, TupleDesc desc, AttrNumber attnum)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, attnum, desc, &isnull);

	return isnull ? NULL : TextDatumGetCString(value);
}

/*
 * effect_of reads an order_decision column: 'review', 'block' or NULL.
 */
static OrderEffect
effect_of(HeapTuple tuple, TupleDesc desc, AttrNumber attnum)
{
	char	   *value = text_column(tuple, desc, attnum);

	if (value == NULL)
		return EFFECT_NONE;
	if (strcmp(value, "block") == 0)
		return EFFECT_BLOCK;
	return EFFECT_REVIEW;
}

/* A dunning level with its policy's name, as read. */
typedef struct PolicyLevel
{
	char	   *policy;
	DunningLevel level;
} PolicyLevel;

/*
 * compare_policy_levels orders levels by policy, then by days past due.
 */
static int
compare_policy_levels(const void *a, const void *b)
{
	const PolicyLevel *x = (const PolicyLevel *) a;
	const PolicyLevel *y = (const PolicyLevel *) b;
	int			c = strcmp(x->policy, y->policy);

	if (c != 0)
		return c;
	return (x->level.days_past_due > y->level.days_past_due) -
		(x->level.days_past_due < y->level.days_past_due);
}

/*
 * load_dunning_policies reads crisk.dunning_policy into the session cache,
 * each policy's levels by ascending days past due.
 */
static void
load_dunning_policies(void)
{
	MemoryContext old = MemoryContextSwitchTo(table_cache_context(&dunning_context, "crisk dunning policies"));
	TableCacheScan *scan = table_cache_begin_scan(&dunning_table);
	AttrNumber	policy_col = table_cache_attnum(scan, "policy", TEXTOID);
	AttrNumber	level_col = table_cache_attnum(scan, "level", INT4OID);
	AttrNumber	days_col = table_cache_attnum(scan, "days_past_due", INT4OID);
	AttrNumber	action_col = table_cache_attnum(scan, "action", TEXTOID);
	AttrNumber	decision_col = table_cache_attnum(scan, "order_decision", TEXTOID);
	PolicyLevel *rows = NULL;
	int			nrows = 0;
	int			allocated = 0;
	HeapTuple	tuple;
	int			i;

	policies = NULL;
	npolicies = 0;
	while ((tuple = table_cache_scan_next(scan)) != NULL)
	{
		PolicyLevel *row;
		bool		isnull;

		if (nrows == allocated)
		{
			allocated = Max(16, allocated * 2);
			rows = rows ? repalloc(rows, sizeof(PolicyLevel) * allocated) :
				palloc(sizeof(PolicyLevel) * allocated);
		}
		row = &rows[nrows++];
		row->policy = text_column(tuple, scan->tupdesc, policy_col);
		row->level.level = DatumGetInt32(heap_getattr(tuple, level_col, scan->tupdesc, &isnull));
		row->level.days_past_due = DatumGetInt32(heap_getattr(tuple, days_col, scan->tupdesc, &isnull));
		row->level.action = text_column(tuple, scan->tupdesc, action_col);
		row->level.effect = effect_of(tuple, scan->tupdesc, decision_col);
	}
	table_cache_end_scan(scan);

	if (nrows > 0)
		qsort(rows, nrows, sizeof(PolicyLevel), compare_policy_levels);
	policies = palloc0(sizeof(DunningPolicy) * (nrows + 1));
	for (i = 0; i < nrows; i++)
	{
		DunningPolicy *policy;

		if (npolicies == 0 || strcmp(policies[npolicies - 1].name, rows[i].policy) != 0)
		{
			policy = &policies[npolicies++];
			policy->name = rows[i].policy;
			policy->levels = palloc(sizeof(DunningLevel) * nrows);
		}
		policy = &policies[npolicies - 1];
		policy->levels[policy->nlevels++] = rows[i].level;
	}
	MemoryContextSwitchTo(old);
}

/*
 * load_event_kinds reads the kinds of crisk.event_kind that affect orders.
 */
static void
load_event_kinds(void)
{
	MemoryContext old = MemoryContextSwitchTo(table_cache_context(&event_kind_context, "crisk event kinds"));
	TableCacheScan *scan = table_cache_begin_scan(&event_kind_table);
	AttrNumber	kind_col = table_cache_attnum(scan, "kind", TEXTOID);
	AttrNumber	description_col = table_cache_attnum(scan, "description", TEXTOID);
	AttrNumber	decision_col = table_cache_attnum(scan, "order_decision", TEXTOID);
	AttrNumber	window_col = table_cache_attnum(scan, "order_window_days", INT4OID);
	int			allocated = 16;
	HeapTuple	tuple;

	event_kinds = palloc(sizeof(EventKind) * allocated);
	nevent_kinds = 0;
	while ((tuple = table_cache_scan_next(scan)) != NULL)
	{
		OrderEffect effect = effect_of(tuple, scan->tupdesc, decision_col);
		EventKind  *kind;
		bool		isnull;
		Datum		window;

		if (effect == EFFECT_NONE)
			continue;
		if (nevent_kinds == allocated)
		{
			allocated *= 2;
			event_kinds = repalloc(event_kinds, sizeof(EventKind) * allocated);
		}
		kind = &event_kinds[nevent_kinds++];
		kind->kind = text_column(tuple, scan->tupdesc, kind_col);
		kind->description = text_column(tuple, scan->tupdesc, description_col);
		kind->effect = effect;
		window = heap_getattr(tuple, window_col, scan->tupdesc, &isnull);
		kind->window_days = isnull ? -1 : DatumGetInt32(window);
	}
	table_cache_end_scan(scan);
	MemoryContextSwitchTo(old);
}

/*
 * find_dunning_policy returns the cached dunning policy of that name, or NULL.
 */
const DunningPolicy *
find_dunning_policy(const char *name)
{
	int			i;

	for (i = 0; i < npolicies; i++)
	{
		if (strcmp(policies[i].name, name) == 0)
			return &policies[i];
	}
	return NULL;
}

/*
 * find_event_kind returns the cached kind if it affects orders, or NULL.
 */
const EventKind *
find_event_kind(const char *kind)
{
	int			i;

	for (i = 0; i < nevent_kinds; i++)
	{
		if (strcmp(event_kinds[i].kind, kind) == 0)
			return &event_kinds[i];
	}
	return NULL;
}

/*
 * order_policies_refresh reloads the caches that are stale.  A reload that
 * fails leaves the cache marked stale (table_cache.h), so a half-built copy
 * is never used.
 */
void
order_policies_refresh(void)
{
	if (!table_cache_is_valid(&dunning_table))
		load_dunning_policies();
	if (!table_cache_is_valid(&event_kind_table))
		load_event_kinds();
}
