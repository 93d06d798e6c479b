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
 * and crisk.check_order (it reads crisk's tables through their indexes,
 * without the executor).  crisk_require_single_node() raises 0A000 in them
 * as soon as a crisk table, the ledger source or a relation a ledger view
 * reads is listed in Citus's pg_dist_partition.
 *
 * On a store spread by crisk.distribute_store() (crisk_store_distributed)
 * the order check reads the customer's shard instead, and the session
 * caches of crisk's small tables, which are then reference tables, read
 * this node's placement of them (crisk_local_placement).
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
#include "access/skey.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/rel.h"

#include "citus_inline.h"
#include "single_node.h"
#include "table_cache.h"

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
 * citus_catalog_attnum finds a column of one of Citus's catalogs by name,
 * so that nothing here depends on the order of their columns.
 */
static AttrNumber
citus_catalog_attnum(Relation rel, const char *column)
{
	int			attnum = SPI_fnumber(RelationGetDescr(rel), column);

	if (attnum <= 0)
		elog(ERROR, "crisk: %s has no column \"%s\"",
			 RelationGetRelationName(rel), column);
	return (AttrNumber) attnum;
}

/*
 * citus_catalog_first opens the Citus catalog pg_catalog.<relname> and
 * returns a copy of its first row where column equals value (compared with
 * procedure eqproc; any row when column is NULL), or NULL.  A heap scan with the catalog snapshot, as
 * the session caches read their tables: no SPI, so it may run in a
 * parallel worker.  *rel is left open (AccessShareLock) for the caller's
 * attribute lookups; close it with table_close.
 */
static HeapTuple
citus_catalog_first(const char *relname, Relation *rel, const char *column,
					RegProcedure eqproc, Datum value)
{
	Oid			relid = get_relname_relid(relname, PG_CATALOG_NAMESPACE);
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;
	HeapTuple	result = NULL;

	if (!OidIsValid(relid))
		elog(ERROR, "crisk: Citus catalog pg_catalog.%s not found", relname);
	*rel = table_open(relid, AccessShareLock);
	if (column != NULL)
		ScanKeyInit(&key, citus_catalog_attnum(*rel, column), BTEqualStrategyNumber,
					eqproc, value);
	scan = systable_beginscan(*rel, InvalidOid, false, NULL, column != NULL ? 1 : 0, &key);
	tuple = systable_getnext(scan);
	if (tuple != NULL)
		result = heap_copytuple(tuple);
	systable_endscan(scan);
	return result;
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
 * crisk_local_placement returns the relation through which this node
 * reads the rows of crisk's table relid: the table itself when it is not a
 * Citus table, and, when it is a reference table, the shard placement this
 * node holds (Citus keeps a reference table's rows in a shard named
 * <table>_<shardid> on every node of its metadata, the coordinator
 * included once it is listed there).  A distributed table, or a reference
 * table without a placement here, raises 0A000: reading the shell would
 * give a silently different answer.  No SPI: Citus's catalogs are read
 * with system-table scans, so that a session cache may reload in a
 * parallel worker.
 */
Oid
crisk_local_placement(Oid relid)
{
	Relation	rel;
	HeapTuple	tuple;
	bool		isnull;
	char		method;
	int32		groupid;
	int64		shardid;
	char	   *shard_name;
	Oid			shard_relid;

	if (!OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		return relid;
	tuple = citus_catalog_first("pg_dist_partition", &rel, "logicalrelid",
								F_OIDEQ, ObjectIdGetDatum(relid));
	if (tuple == NULL)
	{
		table_close(rel, AccessShareLock);
		return relid;
	}
	method = DatumGetChar(heap_getattr(tuple, citus_catalog_attnum(rel, "partmethod"),
									   RelationGetDescr(rel), &isnull));
	table_close(rel, AccessShareLock);
	if (method != 'n')
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("reading %s is not supported on a distributed store",
						quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												   get_rel_name(relid))),
				 errdetail("It is a distributed Citus table; crisk keeps a copy of it only as a reference table."),
				 errhint("Let crisk.distribute_store() distribute crisk's store; doc/citus.md lists what runs on a Citus cluster.")));

	/* This node's group, and the reference table's one shard. */
	tuple = citus_catalog_first("pg_dist_local_group", &rel, NULL, InvalidOid, (Datum) 0);
	if (tuple == NULL)
		elog(ERROR, "crisk: pg_dist_local_group is empty");
	groupid = DatumGetInt32(heap_getattr(tuple, citus_catalog_attnum(rel, "groupid"),
										 RelationGetDescr(rel), &isnull));
	table_close(rel, AccessShareLock);
	tuple = citus_catalog_first("pg_dist_shard", &rel, "logicalrelid",
								F_OIDEQ, ObjectIdGetDatum(relid));
	if (tuple == NULL)
		elog(ERROR, "crisk: reference table %s has no shard", get_rel_name(relid));
	shardid = DatumGetInt64(heap_getattr(tuple, citus_catalog_attnum(rel, "shardid"),
										 RelationGetDescr(rel), &isnull));
	table_close(rel, AccessShareLock);

	/* A placement of that shard on this node? */
	shard_relid = InvalidOid;
	{
		Relation	placement = table_open(get_relname_relid("pg_dist_placement", PG_CATALOG_NAMESPACE),
										   AccessShareLock);
		ScanKeyData keys[2];
		SysScanDesc scan;

		ScanKeyInit(&keys[0], citus_catalog_attnum(placement, "shardid"),
					BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(shardid));
		ScanKeyInit(&keys[1], citus_catalog_attnum(placement, "groupid"),
					BTEqualStrategyNumber, F_INT4EQ, Int32GetDatum(groupid));
		scan = systable_beginscan(placement, InvalidOid, false, NULL, 2, keys);
		if (systable_getnext(scan) != NULL)
		{
			shard_name = psprintf("%s_" INT64_FORMAT, get_rel_name(relid), shardid);
			shard_relid = get_relname_relid(shard_name, get_rel_namespace(relid));
		}
		systable_endscan(scan);
		table_close(placement, AccessShareLock);
	}
	if (!OidIsValid(shard_relid))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("reading %s is not supported on this node",
						quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												   get_rel_name(relid))),
				 errdetail("It is a Citus reference table without a placement on this node (group %d).",
						   groupid),
				 errhint("Add this node to Citus's metadata (citus_set_coordinator_host() on the coordinator) and run SELECT replicate_reference_tables().")));
	return shard_relid;
}

/*
 * crisk_is_citus_table says whether relid is listed in Citus's
 * pg_dist_partition (a distributed, reference or Citus-local table, or its
 * shell on a node with Citus's metadata); a shard is not.  Always false
 * without Citus.
 */
bool
crisk_is_citus_table(Oid relid)
{
	Relation	rel;
	HeapTuple	tuple;

	if (!OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		return false;
	tuple = citus_catalog_first("pg_dist_partition", &rel, "logicalrelid",
								F_OIDEQ, ObjectIdGetDatum(relid));
	table_close(rel, AccessShareLock);
	return tuple != NULL;
}

/* crisk.account, whose relcache entry Citus invalidates when it distributes it */
static CachedTable account_table = CACHED_TABLE("account");
static bool store_distributed = false;

/*
 * crisk_store_distributed says whether crisk.distribute_store() spread
 * crisk's store over a Citus cluster, that is whether crisk.account is a
 * distributed table.  Kept for the session until crisk.account's relcache
 * entry is invalidated (distributing a table invalidates it), so that the
 * order check's fast path costs nothing more on one node.
 */
bool
crisk_store_distributed(void)
{
	if (!table_cache_is_valid(&account_table))
	{
		Oid			relid = table_cache_relid(&account_table);
		Relation	rel;
		HeapTuple	tuple;

		store_distributed = false;
		if (OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
		{
			tuple = citus_catalog_first("pg_dist_partition", &rel, "logicalrelid",
										F_OIDEQ, ObjectIdGetDatum(relid));
			table_close(rel, AccessShareLock);
			store_distributed = (tuple != NULL);
		}
	}
	return store_distributed;
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
