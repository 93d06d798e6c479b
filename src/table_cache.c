/*-------------------------------------------------------------------------
 *
 * table_cache.c
 *	  Invalidation of per-session caches of crisk tables, and the trigger
 *	  function crisk.table_changed() that drives it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

#include "table_cache.h"

PG_FUNCTION_INFO_V1(crisk_table_changed);

static CachedTable *watched_tables = NULL;
static bool callback_registered = false;

/*
 * table_cache_relcache_callback marks stale every watched table whose
 * relcache entry was invalidated; InvalidOid means "all relations".  The
 * relid is forgotten too, since DROP EXTENSION and CREATE EXTENSION give
 * the table a new OID.
 */
static void
table_cache_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	CachedTable *table;

	for (table = watched_tables; table != NULL; table = table->next)
	{
		if (relid == InvalidOid || relid == table->relid)
		{
			table->valid = false;
			table->relid = InvalidOid;
		}
	}
}

/*
 * table_cache_watch adds a table to the watched list on first use.
 */
static void
table_cache_watch(CachedTable *table)
{
	CachedTable *t;

	if (!callback_registered)
	{
		CacheRegisterRelcacheCallback(table_cache_relcache_callback, (Datum) 0);
		callback_registered = true;
	}
	for (t = watched_tables; t != NULL; t = t->next)
	{
		if (t == table)
			return;
	}
	table->next = watched_tables;
	watched_tables = table;
}

/*
 * table_cache_relid returns the OID of crisk.<relname>, raising an error if
 * the extension's table is missing.
 */
Oid
table_cache_relid(CachedTable *table)
{
	table_cache_watch(table);
	if (!OidIsValid(table->relid))
	{
		Oid			nspid = get_namespace_oid("crisk", false);
		Oid			relid = get_relname_relid(table->relname, nspid);

		if (!OidIsValid(relid))
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_TABLE),
					 errmsg("table crisk.%s does not exist", table->relname),
					 errhint("Is the crisk extension installed in this database?")));
		table->relid = relid;
	}
	return table->relid;
}

/*
 * table_cache_is_valid says whether the caller's copy of the table is still
 * current.  When it is not, it is marked valid at once and false is
 * returned: the caller must reload now, and an invalidation arriving during
 * the reload marks it stale again.
 */
bool
table_cache_is_valid(CachedTable *table)
{
	table_cache_watch(table);
	if (table->valid && OidIsValid(table->relid))
		return true;
	(void) table_cache_relid(table);
	table->valid = true;
	return false;
}

/*
 * crisk_table_changed is the statement trigger on cached tables: it asks
 * every session to drop its copy of the table.
 */
Datum
crisk_table_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.table_changed() must be called as a trigger")));
	CacheInvalidateRelcache(trigdata->tg_relation);
	PG_RETURN_POINTER(NULL);
}
