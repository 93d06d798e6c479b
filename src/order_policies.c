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

#include "executor/spi.h"
#include "utils/memutils.h"

#include "order_policies.h"
#include "table_cache.h"

/* Session caches of crisk.dunning_policy and crisk.event_kind. */
static CachedTable dunning_table = {"dunning_policy", InvalidOid, false, NULL};
static CachedTable event_kind_table = {"event_kind", InvalidOid, false, NULL};
static MemoryContext dunning_context = NULL;
static MemoryContext event_kind_context = NULL;
static bool dunning_loaded = false;
static bool event_kinds_loaded = false;
static DunningPolicy *policies = NULL;
static int	npolicies = 0;
static EventKind *event_kinds = NULL;
static int	nevent_kinds = 0;

/*
 * effect_of reads an order_decision column: 'review', 'block' or NULL.
 */
static OrderEffect
effect_of(HeapTuple tuple, TupleDesc desc, int column)
{
	char	   *value = SPI_getvalue(tuple, desc, column);

	if (value == NULL)
		return EFFECT_NONE;
	if (strcmp(value, "block") == 0)
		return EFFECT_BLOCK;
	return EFFECT_REVIEW;
}

/*
 * cache_context returns an emptied memory context for a cache, created
 * under CacheMemoryContext so that it lives as long as the session.
 */
static MemoryContext
cache_context(MemoryContext *context)
{
	if (*context == NULL)
		*context = AllocSetContextCreate(CacheMemoryContext, "crisk order policies",
										 ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(*context);
	return *context;
}

/*
 * load_dunning_policies reads crisk.dunning_policy into the session cache.
 * Called with SPI connected.
 */
static void
load_dunning_policies(void)
{
	MemoryContext context;
	MemoryContext old;
	uint64		i;
	int			rc;

	dunning_loaded = false;
	rc = SPI_execute("SELECT p.policy, p.level, p.days_past_due, p.action, p.order_decision"
					 "  FROM crisk.dunning_policy p ORDER BY p.policy, p.days_past_due",
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk: reading crisk.dunning_policy failed (%d)", rc);

	context = cache_context(&dunning_context);
	old = MemoryContextSwitchTo(context);
	policies = palloc0(sizeof(DunningPolicy) * (SPI_processed + 1));
	npolicies = 0;
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *name = SPI_getvalue(tuple, desc, 1);
		DunningPolicy *policy;
		DunningLevel *level;
		bool		isnull;

		if (npolicies == 0 || strcmp(policies[npolicies - 1].name, name) != 0)
		{
			policy = &policies[npolicies++];
			policy->name = pstrdup(name);
			policy->levels = palloc0(sizeof(DunningLevel) * SPI_processed);
		}
		policy = &policies[npolicies - 1];
		level = &policy->levels[policy->nlevels++];
		level->level = DatumGetInt32(SPI_getbinval(tuple, desc, 2, &isnull));
		level->days_past_due = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &isnull));
		level->action = pstrdup(SPI_getvalue(tuple, desc, 4));
		level->effect = effect_of(tuple, desc, 5);
	}
	MemoryContextSwitchTo(old);
	dunning_loaded = true;
}

/*
 * load_event_kinds reads the kinds of crisk.event_kind that affect orders.
 * Called with SPI connected.
 */
static void
load_event_kinds(void)
{
	MemoryContext context;
	MemoryContext old;
	uint64		i;
	int			rc;

	event_kinds_loaded = false;
	rc = SPI_execute("SELECT k.kind, k.description, k.order_decision, k.order_window_days"
					 "  FROM crisk.event_kind k WHERE k.order_decision IS NOT NULL",
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk: reading crisk.event_kind failed (%d)", rc);

	context = cache_context(&event_kind_context);
	old = MemoryContextSwitchTo(context);
	event_kinds = palloc0(sizeof(EventKind) * (SPI_processed + 1));
	nevent_kinds = (int) SPI_processed;
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		window = SPI_getbinval(tuple, desc, 4, &isnull);

		event_kinds[i].kind = pstrdup(SPI_getvalue(tuple, desc, 1));
		event_kinds[i].description = pstrdup(SPI_getvalue(tuple, desc, 2));
		event_kinds[i].effect = effect_of(tuple, desc, 3);
		event_kinds[i].window_days = isnull ? -1 : DatumGetInt32(window);
	}
	MemoryContextSwitchTo(old);
	event_kinds_loaded = true;
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
 * order_policies_refresh reloads the caches that are stale.  Called with
 * SPI connected.
 */
void
order_policies_refresh(void)
{
	if (!table_cache_is_valid(&dunning_table) || !dunning_loaded)
		load_dunning_policies();
	if (!table_cache_is_valid(&event_kind_table) || !event_kinds_loaded)
		load_event_kinds();
}
