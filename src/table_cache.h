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
 *	  static CachedTable scorecards = {.relname = "scorecard"};
 *	  if (!table_cache_is_valid(&scorecards)) { ...reload...; }
 *
 * table_cache_is_valid marks the copy valid before returning false, so an
 * invalidation that arrives while the caller reloads makes the next call
 * reload again rather than being lost.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_TABLE_CACHE_H
#define CRISK_TABLE_CACHE_H

typedef struct CachedTable
{
	const char *relname;		/* table name in schema crisk */
	Oid			relid;			/* resolved lazily; InvalidOid until then */
	bool		valid;			/* cached copy matches the table */
	struct CachedTable *next;	/* list of watched tables */
} CachedTable;

extern bool table_cache_is_valid(CachedTable *table);
extern Oid	table_cache_relid(CachedTable *table);

#endif							/* CRISK_TABLE_CACHE_H */
