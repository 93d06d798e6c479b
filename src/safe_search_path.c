/*-------------------------------------------------------------------------
 *
 * safe_search_path.c
 *	  Pinning search_path to pg_catalog, pg_temp while crisk runs SQL.
 *
 * Whoever may set a search_path (a caller with SET, a role with ALTER ROLE
 * ... SET, a database owner with ALTER DATABASE ... SET, which the
 * background worker inherits) could otherwise make an unqualified name in
 * crisk's SQL resolve to an object of their own: a function, an aggregate
 * such as max, or an operator such as an "=" whose argument types match
 * better than the built-in one.  That object would run with the rights of
 * whoever runs crisk's SQL, the worker's role or the owner of a SECURITY
 * DEFINER function.  crisk's SQL names everything with its schema as well;
 * the pinned path is the second wall, and it also keeps the plans crisk
 * keeps for the session from being replanned whenever a caller's
 * search_path differs.
 *
 * Functions that run SQL pin the path for as long as they run, in a GUC
 * nesting level of their own, as PostgreSQL does for a function's SET
 * clause; an error undoes it with the (sub)transaction.  The worker pins
 * it for its whole session too.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "utils/guc.h"

#include "safe_search_path.h"

/*
 * crisk_pin_search_path sets search_path to pg_catalog, pg_temp in a new
 * GUC nesting level and returns that level, which the caller ends with
 * crisk_unpin_search_path (or its transaction's end does).
 */
int
crisk_pin_search_path(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", CRISK_SAFE_SEARCH_PATH,
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	return nestlevel;
}

/*
 * crisk_pin_search_path_in_function is crisk_pin_search_path for a
 * function whose SET clause pins search_path: when the path in force is
 * the pinned one, the clause's own nesting level already undoes at the
 * function's exit whatever the call changes, and it returns 0 without a
 * second level (a few percent of crisk.check_order, which runs on every
 * order line an ERP enters).  Should the clause have been removed, it pins
 * the path as crisk_pin_search_path does.
 */
int
crisk_pin_search_path_in_function(void)
{
	if (namespace_search_path != NULL &&
		strcmp(namespace_search_path, CRISK_SAFE_SEARCH_PATH) == 0)
		return 0;
	return crisk_pin_search_path();
}

/*
 * crisk_unpin_search_path gives back the search_path that was in force
 * before crisk_pin_search_path returned nestlevel (nothing for 0, from
 * crisk_pin_search_path_in_function).
 */
void
crisk_unpin_search_path(int nestlevel)
{
	if (nestlevel > 0)
		AtEOXact_GUC(true, nestlevel);
}

/*
 * crisk_pin_session_search_path sets the search_path of a worker's session,
 * once connected.  The settings of the database and the role were applied
 * at connection, with a lower priority than this one, and nothing applies
 * them again.  This is deliberately not PGC_S_OVERRIDE: that would also
 * silence the SET search_path clauses of the functions the worker calls,
 * an ERP's included, which need their own path.
 */
void
crisk_pin_session_search_path(void)
{
	SetConfigOption("search_path", CRISK_SAFE_SEARCH_PATH, PGC_SUSET, PGC_S_SESSION);
}
