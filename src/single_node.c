/*-------------------------------------------------------------------------
 *
 * single_node.c
 *	  The guard that keeps crisk's readers from giving a silently different
 *	  answer when crisk's store, or the ledger it reads, is a Citus table.
 *
 * Several readers cannot see rows that Citus keeps on its worker nodes:
 * the views and functions that read crisk.ledger through the inlined
 * crisk.ledger_rows() (Citus's planner never sees the table the inlined
 * body names, so the plain planner scans the coordinator's empty shell),
 * crisk.check_order (it reads crisk's tables through their indexes, without
 * the executor) and the session caches of crisk's small tables (read the
 * same way).  crisk_require_single_node() raises 0A000 in them as soon as
 * a crisk table, the ledger source or a relation a ledger view reads is
 * listed in Citus's pg_dist_partition.
 *
 * Cost on a server without Citus: one syscache lookup of the relation
 * pg_catalog.pg_dist_partition by name, which Citus creates with its
 * extension.  Only where that catalog exists is it read, with a query of
 * the system catalogs alone (prepared once per session), so no privilege
 * on crisk's tables is needed.  That query names every relation, function,
 * type and operator with its schema, so it needs no pinned search_path,
 * which it could not set anyway where it may run: in a parallel worker
 * reloading a session cache.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"

#include "citus_inline.h"
#include "single_node.h"

PG_FUNCTION_INFO_V1(crisk_require_single_node_sql);
PG_FUNCTION_INFO_V1(crisk_require_readable_ledger);

/*
 * The first Citus table among crisk's own tables and the relations the
 * ledger reads ($1, the source set by crisk.set_ledger, and, when it is a
 * view, every relation its rules read, recursively).
 */
static const char *const distributed_sql =
"WITH RECURSIVE ledger_relation(relid) AS ("
"  SELECT $1 WHERE $1 IS NOT NULL"
"  UNION"
"  SELECT d.refobjid"
"  FROM ledger_relation l"
"  JOIN pg_catalog.pg_rewrite r ON r.ev_class OPERATOR(pg_catalog.=) l.relid"
"  JOIN pg_catalog.pg_depend d"
"    ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass"
"   AND d.objid OPERATOR(pg_catalog.=) r.oid"
"   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass"
"   AND d.refobjid OPERATOR(pg_catalog.<>) l.relid"
") "
"SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) "
"FROM pg_catalog.pg_dist_partition p "
"JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) p.logicalrelid "
"JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace "
"WHERE n.nspname OPERATOR(pg_catalog.=) 'crisk' "
"   OR c.oid OPERATOR(pg_catalog.=) ANY (SELECT l.relid FROM ledger_relation l) "
"ORDER BY 1 LIMIT 1";

/* distributed_sql, prepared once per session (the plan cache replans it) */
static SPIPlanPtr distributed_plan = NULL;

/* Whether crisk.account ($1) is a Citus table. */
static const char *const account_distributed_sql =
"SELECT 1 FROM pg_catalog.pg_dist_partition p "
"WHERE p.logicalrelid OPERATOR(pg_catalog.=) $1";

/* account_distributed_sql, prepared once per session */
static SPIPlanPtr account_distributed_plan = NULL;

/*
 * ledger_source_relid returns the relation crisk.set_ledger() named, or
 * InvalidOid when crisk reads its own crisk.invoice (or the named relation
 * is gone).  The column is a regclass; a name (text) is read too, as
 * crisk 0.1.0 kept it.  It reads crisk.ledger_source directly, as the session caches
 * do, so that the caller needs no privilege on it.
 */
static Oid
ledger_source_relid(void)
{
	Oid			relid = get_relname_relid("ledger_source", get_namespace_oid("crisk", false));
	Oid			result = InvalidOid;
	Relation	rel;
	SysScanDesc scan;
	HeapTuple	tuple;

	if (!OidIsValid(relid))
		return InvalidOid;
	rel = table_open(relid, AccessShareLock);
	scan = systable_beginscan(rel, InvalidOid, false, NULL, 0, NULL);
	tuple = systable_getnext(scan);
	if (tuple != NULL)
	{
		int			attnum = SPI_fnumber(RelationGetDescr(rel), "source");
		bool		isnull;
		Datum		source;

		if (attnum <= 0)
			elog(ERROR, "crisk.ledger_source has no column \"source\"");
		source = heap_getattr(tuple, attnum, RelationGetDescr(rel), &isnull);
		if (isnull)
			result = InvalidOid;
		else if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid == TEXTOID)
		{
			/* a schema-qualified name, as crisk 0.1.0 kept it */
			List	   *names = stringToQualifiedNameList(TextDatumGetCString(source));

			result = RangeVarGetRelid(makeRangeVarFromNameList(names), NoLock, true);
		}
		else
		{
			/* a regclass */
			result = DatumGetObjectId(source);
			if (get_rel_name(result) == NULL)
				result = InvalidOid;
		}
	}
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return result;
}

/*
 * crisk_distributed_relation returns the name of the first Citus table
 * among the relations crisk reads, or NULL when there is none (always NULL
 * when Citus is not installed).
 */
char *
crisk_distributed_relation(void)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	char		nulls[1] = {' '};
	Oid			source;
	char	   *result = NULL;
	int			rc;

	if (!OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		return NULL;

	source = ledger_source_relid();
	args[0] = ObjectIdGetDatum(source);
	if (!OidIsValid(source))
		nulls[0] = 'n';

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "crisk: SPI_connect failed");
	if (distributed_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(distributed_sql, 1, argtypes);

		if (plan == NULL)
			elog(ERROR, "crisk: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "crisk: SPI_keepplan failed");
		distributed_plan = plan;
	}
	rc = SPI_execute_plan(distributed_plan, args, nulls, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk: reading pg_dist_partition failed (%d)", rc);
	if (SPI_processed > 0)
	{
		char	   *name = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);

		result = SPI_palloc(strlen(name) + 1);
		strcpy(result, name);
	}
	SPI_finish();
	return result;
}

/*
 * crisk_require_single_node raises 0A000 naming what (a function or view)
 * when crisk's store or ledger is distributed by Citus.
 */
void
crisk_require_single_node(const char *what)
{
	char	   *relation = crisk_distributed_relation();

	if (relation != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s is not supported on a distributed store", what),
				 errdetail("%s is a Citus table; %s would not read the rows Citus keeps on the worker nodes.",
						   relation, what),
				 errhint("Keep crisk's store and its ledger on one node; doc/citus.md lists what runs on a Citus cluster.")));
}

/*
 * crisk_require_single_node_sql is crisk._require_single_node(what): true,
 * or 0A000 when the store is distributed.  A constant condition in a query,
 * so it runs once per execution.
 */
Datum
crisk_require_single_node_sql(PG_FUNCTION_ARGS)
{
	char	   *what = text_to_cstring(PG_GETARG_TEXT_PP(0));

	crisk_require_single_node(what);
	PG_RETURN_BOOL(true);
}

/*
 * store_distributed_with_own_ledger tells whether crisk.distribute_store()
 * spread the store (crisk.account is a Citus table) and crisk reads its own
 * crisk.invoice (no source set by crisk.set_ledger()).
 */
static bool
store_distributed_with_own_ledger(void)
{
	Oid			argtypes[1] = {OIDOID};
	Datum		args[1];
	Oid			account = get_relname_relid("account", get_namespace_oid("crisk", false));
	bool		result;
	int			rc;

	if (!OidIsValid(account) || OidIsValid(ledger_source_relid()))
		return false;
	args[0] = ObjectIdGetDatum(account);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "crisk: SPI_connect failed");
	if (account_distributed_plan == NULL)
	{
		SPIPlanPtr	plan = SPI_prepare(account_distributed_sql, 1, argtypes);

		if (plan == NULL)
			elog(ERROR, "crisk: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "crisk: SPI_keepplan failed");
		account_distributed_plan = plan;
	}
	rc = SPI_execute_plan(account_distributed_plan, args, NULL, true, 1);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk: reading pg_dist_partition failed (%d)", rc);
	result = SPI_processed > 0;
	SPI_finish();
	return result;
}

/*
 * crisk_check_readable_ledger returns where the readers of crisk.ledger
 * give the single-node answer and raises 0A000 otherwise.  They do on one node and on a
 * coordinator whose store and ledger are local; on a store spread by
 * crisk.distribute_store() only when crisk's planner hook inlines them
 * before Citus plans the query (citus_inline.c: crisk preloaded after
 * citus).  A ledger or crisk table made a Citus table by hand stays
 * refused.
 */
void
crisk_check_readable_ledger(void)
{
	char	   *relation = crisk_distributed_relation();

	if (relation == NULL)
		return;
	if (!store_distributed_with_own_ledger())
		crisk_require_single_node("reading crisk.ledger");
	else if (!crisk_citus_inline_active())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("reading crisk.ledger is not supported on a distributed store without crisk in shared_preload_libraries"),
				 errdetail("%s is a Citus table; Citus sees the tables crisk's readers read only when crisk is loaded at server start, after citus.",
						   relation),
				 errhint("Set shared_preload_libraries = 'citus,crisk' on every node and restart them.")));
}

/*
 * crisk_require_readable_ledger is crisk._require_readable_ledger(), the
 * guard in the view crisk.ledger: true, or 0A000 from
 * crisk_check_readable_ledger.  Where crisk's planner hook runs on a
 * database with Citus, the hook runs the check while planning and takes
 * the call out of the query (citus_inline.c).
 */
Datum
crisk_require_readable_ledger(PG_FUNCTION_ARGS)
{
	crisk_check_readable_ledger();
	PG_RETURN_BOOL(true);
}
