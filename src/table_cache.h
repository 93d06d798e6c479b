/*-------------------------------------------------------------------------
 *
 * table_cache.h
 *	  Per-session caches of small crisk tables (scorecards, limit policies,
 *	  reference rates) that every session drops when the table changes.
 *
 * A cached table carries the statement trigger crisk.table_changed(), which
 * sends a relcache invalidation for it.  Invalidations reach the modifying
 * session at its next command and every other session at commit, so a
 * change is seen by the next call everywhere, and a rolled-back change is
 * forgotten.
 *
 * Usage:
 *	  static CachedTable scorecards = CACHED_TABLE("scorecard");
 *
 *	  if (!table_cache_is_valid(&scorecards))
 *	  {
 *		  TableCacheScan *scan;
 *		  HeapTuple	tuple;
 *
 *		  ...drop the old copy...
 *		  scan = table_cache_begin_scan(&scorecards);
 *		  while ((tuple = table_cache_scan_next(scan)) != NULL)
 *			  ...copy the row...
 *		  table_cache_end_scan(scan);
 *	  }
 *
 * table_cache_is_valid marks the copy valid before returning false, so an
 * invalidation that arrives while the caller reloads makes the next call
 * reload again rather than being lost.  A false answer therefore obliges
 * the caller to reload there and then: asking a second time answers true.  If the reload fails (an error, a
 * cancel, a lock timeout), the (sub)transaction's abort marks the copy stale
 * again, so a half-built copy is never used.
 *
 * Load only through table_cache_begin_scan: it reads the table with a fresh
 * snapshot taken after the table is locked, so the copy includes every
 * change whose invalidation this session has already processed.  A load
 * through SPI would use the statement's (or, under REPEATABLE READ, the
 * transaction's) snapshot, which can predate a change whose invalidation
 * arrives during the load; the session would then keep the old rows until
 * the table changed again.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_TABLE_CACHE_H
#define CRISK_TABLE_CACHE_H

#include "access/attnum.h"
#include "access/htup.h"
#include "access/tupdesc.h"
#include "utils/relcache.h"

typedef struct CachedTable
{
	const char *relname;		/* table name in schema crisk */
	Oid			relid;			/* resolved lazily; InvalidOid until then */
	Oid			read_relid;		/* where the last reload read the rows:
								 * relid, or its Citus placement here */
	bool		valid;			/* cached copy matches the table */
	struct CachedTable *next;	/* list of watched tables */
	bool		watched;		/* on the list */
	SubTransactionId reload_subid;	/* subtransaction of a reload whose
									 * outcome is not yet known, or
									 * InvalidSubTransactionId */
} CachedTable;

/*
 * A static initializer; designated, so that -Wextra accepts it as the list
 * of fields grows.
 */
#define CACHED_TABLE(name) {.relname = (name)}

/* An open scan of a cached table; see table_cache_begin_scan. */
typedef struct TableCacheScan
{
	Relation	rel;
	TupleDesc	tupdesc;
	struct SysScanDescData *scan;
} TableCacheScan;

extern MemoryContext table_cache_context(MemoryContext *context, const char *name);
extern bool table_cache_is_valid(CachedTable *table);
extern Oid	table_cache_relid(CachedTable *table);

extern TableCacheScan *table_cache_begin_scan(CachedTable *table);
extern HeapTuple table_cache_scan_next(TableCacheScan *scan);
extern void table_cache_end_scan(TableCacheScan *scan);
extern AttrNumber table_cache_attnum(TableCacheScan *scan, const char *column,
									 Oid typid);

#endif							/* CRISK_TABLE_CACHE_H */
