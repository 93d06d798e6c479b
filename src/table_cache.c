/*-------------------------------------------------------------------------
 *
 * table_cache.c
 *	  Invalidation of per-session caches of crisk tables, the trigger
 *	  function crisk.table_changed() that drives it, and the scan through
 *	  which a cache reloads its copy.
 *
 * Three things keep a copy current (see table_cache.h for the usage):
 * relcache invalidations mark it stale, a reload reads the table with a
 * snapshot taken after the invalidations it answers, and a reload that an
 * error interrupts leaves the copy stale rather than half-built.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "miscadmin.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "single_node.h"
#include "table_cache.h"

PG_FUNCTION_INFO_V1(crisk_table_changed);

static CachedTable *watched_tables = NULL;
static bool callbacks_registered = false;

/*
 * table_cache_relcache_callback marks stale every watched table whose
 * relcache entry was invalidated, or that of the relation its rows were
 * read from (a Citus reference table's placement on this node, whose
 * crisk.table_changed() trigger fires where the rows change); InvalidOid
 * means "all relations".  The relids are forgotten too, since DROP
 * EXTENSION and CREATE EXTENSION give the table a new OID, and Citus may
 * move a placement.
 */
static void
table_cache_relcache_callback(Datum arg pg_attribute_unused(), Oid relid)
{
	CachedTable *table;

	for (table = watched_tables; table != NULL; table = table->next)
	{
		if (relid == InvalidOid || relid == table->relid ||
			relid == table->read_relid)
		{
			table->valid = false;
			table->relid = InvalidOid;
			table->read_relid = InvalidOid;
		}
	}
}

/*
 * table_cache_forget_reloads_after marks stale every table whose reload
 * began in subtransaction subid or a later one (subtransaction ids only grow
 * within a transaction): that reload may have stopped half-way.
 * InvalidSubTransactionId (0) means every pending reload.  A reload that
 * did complete is merely done again, which is harmless.
 */
static void
table_cache_forget_reloads_after(SubTransactionId subid)
{
	CachedTable *table;

	for (table = watched_tables; table != NULL; table = table->next)
	{
		if (table->reload_subid != InvalidSubTransactionId &&
			table->reload_subid >= subid)
		{
			table->valid = false;
			table->reload_subid = InvalidSubTransactionId;
		}
	}
}

/*
 * table_cache_xact_callback settles pending reloads at the end of a
 * transaction: on commit they completed, on abort they may not have.
 */
static void
table_cache_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	CachedTable *table;

	switch (event)
	{
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			table_cache_forget_reloads_after(InvalidSubTransactionId);
			break;
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			for (table = watched_tables; table != NULL; table = table->next)
				table->reload_subid = InvalidSubTransactionId;
			break;
		default:
			break;
	}
}

/*
 * table_cache_subxact_callback: a savepoint rolled back (or a PL/pgSQL
 * exception block that caught an error) may have interrupted a reload.
 */
static void
table_cache_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
							 SubTransactionId parentSubid pg_attribute_unused(),
							 void *arg pg_attribute_unused())
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		table_cache_forget_reloads_after(mySubid);
}

/*
 * table_cache_watch adds a table to the watched list on first use, and
 * registers the callbacks the first time any table is watched.
 */
static inline void
table_cache_watch(CachedTable *table)
{
	if (likely(table->watched))
		return;
	if (!callbacks_registered)
	{
		CacheRegisterRelcacheCallback(table_cache_relcache_callback, (Datum) 0);
		RegisterXactCallback(table_cache_xact_callback, NULL);
		RegisterSubXactCallback(table_cache_subxact_callback, NULL);
		callbacks_registered = true;
	}
	table->next = watched_tables;
	watched_tables = table;
	table->reload_subid = InvalidSubTransactionId;
	table->watched = true;
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
 * table_cache_context returns *context emptied, creating it the first time
 * under CacheMemoryContext: where a cache keeps its copy of a table, for
 * the life of the session, each reload replacing the last.  name (a
 * string constant) identifies the context in memory-context dumps.
 */
MemoryContext
table_cache_context(MemoryContext *context, const char *name)
{
	if (*context == NULL)
	{
		*context = AllocSetContextCreate(CacheMemoryContext, "crisk table cache",
										 ALLOCSET_SMALL_SIZES);
		MemoryContextSetIdentifier(*context, name);
	}
	else
		MemoryContextReset(*context);
	return *context;
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
	if (likely(table->valid && OidIsValid(table->relid)))
		return true;
	(void) table_cache_relid(table);
	table->valid = true;
	table->reload_subid = GetCurrentSubTransactionId();
	return false;
}

/*
 * table_cache_begin_scan opens the table and starts a scan of all its rows
 * with a fresh MVCC snapshot.
 *
 * The order matters: locking the table processes pending invalidations, and
 * a transaction's commit is visible to new snapshots before its
 * invalidations are sent, so a snapshot taken after the lock sees every
 * change this session has been told about.  Any later invalidation marks
 * the copy stale again.  A system-table scan without a snapshot takes
 * exactly such a snapshot (a catalog snapshot, renewed on every scan of a
 * table without a syscache), and unlike GetLatestSnapshot it may be taken
 * in parallel mode, so the functions that read the cache can stay
 * PARALLEL SAFE.  The session's own changes of earlier commands are
 * visible, as they are to its queries.
 *
 * When crisk's store is distributed (crisk.distribute_store()), the small
 * tables are Citus reference tables: the scan reads this node's placement
 * of the table (single_node.c), on the coordinator as on the workers, where
 * crisk's triggers on the shards read the caches too.
 */
TableCacheScan *
table_cache_begin_scan(CachedTable *table)
{
	TableCacheScan *scan;

	/*
	 * A Citus reference table's rows are not in its shell but in the
	 * placement this node holds; a distributed table has none here.
	 */
	table->read_relid = crisk_local_placement(table_cache_relid(table));
	scan = palloc(sizeof(TableCacheScan));
	scan->rel = table_open(table->read_relid, AccessShareLock);
	scan->tupdesc = RelationGetDescr(scan->rel);
	scan->scan = systable_beginscan(scan->rel, InvalidOid, false, NULL, 0, NULL);
	return scan;
}

/*
 * table_cache_scan_next returns the next row, or NULL at the end.  The
 * tuple is valid until the next call.
 */
HeapTuple
table_cache_scan_next(TableCacheScan *scan)
{
	CHECK_FOR_INTERRUPTS();
	return systable_getnext(scan->scan);
}

/*
 * table_cache_end_scan ends the scan and releases the table (the lock is
 * kept until the end of the transaction, as for any read).
 */
void
table_cache_end_scan(TableCacheScan *scan)
{
	systable_endscan(scan->scan);
	table_close(scan->rel, AccessShareLock);
	pfree(scan);
}

/*
 * table_cache_attnum finds a column by name and checks its type, so that a
 * loader does not depend on the order of the table's columns.
 */
AttrNumber
table_cache_attnum(TableCacheScan *scan, const char *column, Oid typid)
{
	int			i;

	for (i = 0; i < scan->tupdesc->natts; i++)
	{
		Form_pg_attribute attr = TupleDescAttr(scan->tupdesc, i);

		if (attr->attisdropped || strcmp(NameStr(attr->attname), column) != 0)
			continue;
		if (attr->atttypid != typid)
			elog(ERROR, "column %s of table crisk.%s has type %u, expected %u",
				 column, RelationGetRelationName(scan->rel),
				 attr->atttypid, typid);
		return attr->attnum;
	}
	elog(ERROR, "table crisk.%s has no column %s",
		 RelationGetRelationName(scan->rel), column);
	return InvalidAttrNumber;	/* keep the compiler quiet */
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
