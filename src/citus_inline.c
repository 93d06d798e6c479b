/*-------------------------------------------------------------------------
 *
 * citus_inline.c
 *	  A planner hook that inlines crisk's SQL functions before Citus plans
 *	  the query, so that Citus sees the distributed tables they read.
 *
 * crisk's readers are views and set-returning SQL functions that
 * PostgreSQL inlines when it plans a query: crisk.ledger reads
 * crisk.ledger_rows(), crisk.aged_balance_at(date) and its siblings read
 * crisk.ledger, and so on.  Citus's planner hook decides whether a query
 * is distributed by looking at its range table before PostgreSQL's
 * planner runs, and a function in FROM hides the tables it reads.  Citus
 * then either hands the query to the plain planner, which inlines the
 * function and scans the coordinator's empty shells of the distributed
 * tables (a silently different answer), or notices the distributed table
 * afterwards and refuses the query ("parameterized queries for SQL
 * functions referencing distributed tables are not supported").
 *
 * This hook runs before Citus's (Citus insists on being first in
 * shared_preload_libraries, so crisk, loaded after it, wraps its hook).
 * When the database has Citus's catalog, it walks the whole query (every
 * subquery, sublink and CTE) and replaces each function in FROM that is
 * one of crisk's inlinable SQL functions by its body, with PostgreSQL's
 * own inline_set_returning_function(), exactly as the planner would have
 * done a moment later; the bodies are walked in turn, since they read
 * other crisk functions.  Citus then sees the tables and plans the query
 * over the shards.  The function dependencies recorded while inlining are
 * added to the plan, so that a cached plan is still invalidated when a
 * function body changes (crisk.set_ledger rewrites crisk.ledger_rows(),
 * ALTER EXTENSION UPDATE replaces the readers).
 *
 * A reader that Citus cannot plan in the form that is fastest on one node
 * has a twin that Citus can plan: crisk._<name>_distributed, with the
 * same argument and result types (crisk._open_items_at_distributed for
 * crisk.open_items_at, whose two index ranges joined by UNION ALL Citus
 * cannot join with the allocations; crisk._dunning_items_at_distributed
 * for crisk._dunning_items_at, whose lookup per invoice Citus refuses).  On a store spread by
 * crisk.distribute_store() the hook inlines the twin in the reader's
 * place; elsewhere the reader's own body runs, and the regression tests
 * check that both give the same rows.
 *
 * Without Citus loaded before crisk the hook is not installed at all, and
 * in a database without Citus's catalog it returns after one syscache
 * lookup: plans are those of the plain planner.  crisk.ledger's guard
 * (crisk._require_readable_ledger, single_node.c) lets the readers read
 * a distributed store only when this hook runs, and raises 0A000
 * otherwise (crisk not preloaded after citus).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_proc.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/pathnodes.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "optimizer/planmain.h"
#include "optimizer/planner.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

#include "citus_inline.h"
#include "limit_audit.h"
#include "single_node.h"

/* the hook crisk's wraps: Citus's distributed planner */
static planner_hook_type prev_planner_hook = NULL;

/* true once the hook is installed, above Citus's */
static bool citus_inline_installed = false;

typedef struct InlineContext
{
	PlannerInfo *root;			/* minimal: holds the PlannerGlobal */
	Oid			crisk_namespace;	/* InvalidOid until looked up */
	bool		crisk_namespace_known;
	bool		store_distributed;	/* crisk_store_distributed(), once known */
	bool		store_distributed_known;
} InlineContext;

static bool inline_walker(Node *node, InlineContext *context);

/*
 * crisk_namespace returns the OID of schema crisk (InvalidOid before
 * CREATE EXTENSION), looked up once per planning.
 */
static Oid
crisk_namespace(InlineContext *context)
{
	if (!context->crisk_namespace_known)
	{
		context->crisk_namespace = get_namespace_oid("crisk", true);
		context->crisk_namespace_known = true;
	}
	return context->crisk_namespace;
}

/*
 * is_ledger_guard tells whether node calls crisk._require_readable_ledger(),
 * the guard in the view crisk.ledger.
 */
static bool
is_ledger_guard(Node *node, InlineContext *context)
{
	FuncExpr   *call;
	char	   *name;

	if (node == NULL || !IsA(node, FuncExpr))
		return false;
	call = (FuncExpr *) node;
	if (call->args != NIL || get_func_namespace(call->funcid) != crisk_namespace(context))
		return false;
	name = get_func_name(call->funcid);
	return name != NULL && strcmp(name, "_require_readable_ledger") == 0;
}

/*
 * check_ledger_guard runs the guard of crisk.ledger while planning and
 * replaces its call in query's WHERE by true.  Left in the query, the call
 * would be a pseudoconstant qual, which Citus refuses under an outer join
 * on PostgreSQL 15; checked here, it raises the same 0A000 where the
 * ledger's readers cannot give the single-node answer.  A plan checked
 * here stays right: it reads the tables as Citus distributed them when it
 * was made, and distributing one of them again invalidates it.
 */
static void
check_ledger_guard(Query *query, InlineContext *context)
{
	Node	   *quals = query->jointree ? query->jointree->quals : NULL;

	if (is_ledger_guard(quals, context))
	{
		crisk_check_readable_ledger();
		query->jointree->quals = NULL;
	}
	else if (quals != NULL && IsA(quals, BoolExpr) &&
			 ((BoolExpr *) quals)->boolop == AND_EXPR)
	{
		BoolExpr   *and = (BoolExpr *) quals;
		ListCell   *lc;

		foreach(lc, and->args)
		{
			if (is_ledger_guard(lfirst(lc), context))
			{
				crisk_check_readable_ledger();
				lfirst(lc) = makeBoolConst(true, false);
			}
		}
	}
}

/*
 * is_crisk_function_rte tells whether rte is a single function in FROM
 * that belongs to schema crisk (without ORDINALITY, which the inliner
 * does not handle).
 */
static bool
is_crisk_function_rte(RangeTblEntry *rte, InlineContext *context)
{
	RangeTblFunction *rtfunc;

	if (rte->rtekind != RTE_FUNCTION || rte->funcordinality ||
		list_length(rte->functions) != 1)
		return false;
	rtfunc = linitial_node(RangeTblFunction, rte->functions);
	if (!IsA(rtfunc->funcexpr, FuncExpr))
		return false;
	return OidIsValid(crisk_namespace(context)) &&
		get_func_namespace(((FuncExpr *) rtfunc->funcexpr)->funcid) == crisk_namespace(context);
}

/*
 * distributed_twin returns the function that stands in for funcid, one of
 * crisk's functions, on a store spread by crisk.distribute_store():
 * crisk._<name>_distributed with the same argument types (for a function
 * whose name starts with an underscore, crisk.<name>_distributed), or
 * InvalidOid when the function has no such twin or the store is not
 * distributed.
 * The store is looked at only for a function with a twin, and only once
 * crisk.account exists (statements of CREATE EXTENSION crisk itself are
 * planned here too).
 */
static Oid
distributed_twin(Oid funcid, InlineContext *context)
{
	HeapTuple	proc_tuple;
	HeapTuple	twin_tuple;
	Form_pg_proc proc;
	char		twin_name[NAMEDATALEN];
	Oid			twin = InvalidOid;

	proc_tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(funcid));
	if (!HeapTupleIsValid(proc_tuple))
		elog(ERROR, "cache lookup failed for function %u", funcid);
	proc = (Form_pg_proc) GETSTRUCT(proc_tuple);
	if (snprintf(twin_name, sizeof(twin_name),
				 NameStr(proc->proname)[0] == '_' ? "%s_distributed" : "_%s_distributed",
				 NameStr(proc->proname)) < (int) sizeof(twin_name))
	{
		twin_tuple = SearchSysCache3(PROCNAMEARGSNSP,
									 CStringGetDatum(twin_name),
									 PointerGetDatum(&proc->proargtypes),
									 ObjectIdGetDatum(proc->pronamespace));
		if (HeapTupleIsValid(twin_tuple))
		{
			twin = ((Form_pg_proc) GETSTRUCT(twin_tuple))->oid;
			ReleaseSysCache(twin_tuple);
		}
	}
	ReleaseSysCache(proc_tuple);
	if (!OidIsValid(twin))
		return InvalidOid;

	if (!context->store_distributed_known)
	{
		context->store_distributed =
			OidIsValid(get_relname_relid("account", crisk_namespace(context))) &&
			crisk_store_distributed();
		context->store_distributed_known = true;
	}
	return context->store_distributed ? twin : InvalidOid;
}

/*
 * inline_query replaces each of crisk's functions in query's FROM by its
 * body, as the planner's preprocess_function_rtes() would, then walks
 * everything the query holds (subqueries, the inlined bodies among them,
 * sublinks, CTEs).  It also checks the guard of crisk.ledger there.
 */
static void
inline_query(Query *query, InlineContext *context)
{
	ListCell   *lc;

	check_stack_depth();
	CHECK_FOR_INTERRUPTS();

	check_ledger_guard(query, context);

	foreach(lc, query->rtable)
	{
		RangeTblEntry *rte = lfirst_node(RangeTblEntry, lc);
		FuncExpr   *funcexpr;
		Query	   *body;

		if (!is_crisk_function_rte(rte, context))
			continue;
		/* defaults and named arguments are filled in here, as the planner does */
		rte->functions = (List *) eval_const_expressions(context->root, (Node *) rte->functions);

		/*
		 * On a distributed store, the form of the reader that Citus can
		 * plan; the plan depends on the reader all the same.
		 */
		funcexpr = (FuncExpr *) linitial_node(RangeTblFunction, rte->functions)->funcexpr;
		if (IsA(funcexpr, FuncExpr))
		{
			Oid			twin = distributed_twin(funcexpr->funcid, context);

			if (OidIsValid(twin))
			{
				record_plan_function_dependency(context->root, funcexpr->funcid);
				funcexpr->funcid = twin;
			}
		}
		body = inline_set_returning_function(context->root, rte);
		if (body == NULL)
			continue;
		/*
		 * Citus deparses the subquery for the workers, naming its columns
		 * as the function's result columns: give the alias those names,
		 * since the body's own may differ (an unnamed CASE, ...).
		 */
		if (rte->alias == NULL)
			rte->alias = makeAlias(rte->eref->aliasname, NIL);
		if (rte->alias->colnames == NIL)
			rte->alias->colnames = copyObject(rte->eref->colnames);
		rte->rtekind = RTE_SUBQUERY;
		rte->subquery = body;
		rte->security_barrier = false;
		rte->functions = NIL;
		rte->funcordinality = false;
	}
	(void) query_tree_walker(query, inline_walker, context, 0);
}

/*
 * inline_walker finds every Query below a node (subqueries in FROM,
 * sublinks, CTEs) and inlines crisk's functions there.
 */
static bool
inline_walker(Node *node, InlineContext *context)
{
	if (node == NULL)
		return false;
	if (IsA(node, Query))
	{
		inline_query((Query *) node, context);
		return false;
	}
	return expression_tree_walker(node, inline_walker, context);
}

/*
 * crisk_planner is the planner hook: on a database with Citus, crisk's
 * functions are inlined before Citus's planner sees the query.
 */
static PlannedStmt *
crisk_planner(Query *parse, const char *query_string, int cursorOptions,
			  ParamListInfo boundParams)
{
	PlannerGlobal *glob = NULL;
	PlannedStmt *result;

	if (OidIsValid(get_relname_relid("pg_dist_partition", PG_CATALOG_NAMESPACE)))
	{
		InlineContext context = {0};

		glob = makeNode(PlannerGlobal);
		glob->boundParams = boundParams;
		context.root = makeNode(PlannerInfo);
		context.root->glob = glob;
		context.root->parse = parse;
		context.root->query_level = 1;
		context.root->planner_cxt = CurrentMemoryContext;
		inline_query(parse, &context);

		/*
		 * A statement on crisk.account that gives a limit_run_id is
		 * checked here, on the node where it is planned: the trigger on
		 * a shard cannot tell the rescoring pass from anyone else.
		 */
		if (parse->resultRelation > 0 && OidIsValid(crisk_namespace(&context)))
		{
			Oid			account = get_relname_relid("account", crisk_namespace(&context));

			if (OidIsValid(account))
				limit_audit_check_query(parse, account);
		}
	}

	if (prev_planner_hook)
		result = prev_planner_hook(parse, query_string, cursorOptions, boundParams);
	else
		result = standard_planner(parse, query_string, cursorOptions, boundParams);

	/*
	 * The inlined functions no longer appear in the plan: it depends on
	 * them all the same (a changed body must replan a cached plan).
	 */
	if (glob != NULL)
	{
		result->invalItems = list_concat(result->invalItems, glob->invalItems);
		if (glob->dependsOnRole)
			result->dependsOnRole = true;
	}
	return result;
}

/*
 * crisk_install_citus_inline_hook installs the hook when Citus was loaded
 * before crisk (at server start, shared_preload_libraries = 'citus,crisk';
 * Citus refuses to be loaded after another library's hooks).  Citus's
 * parameter citus.version tells that its library is loaded.
 */
void
crisk_install_citus_inline_hook(void)
{
	if (!process_shared_preload_libraries_in_progress ||
		GetConfigOption("citus.version", true, false) == NULL)
		return;
	prev_planner_hook = planner_hook;
	planner_hook = crisk_planner;
	citus_inline_installed = true;
}

/*
 * crisk_citus_inline_active tells whether every query this backend plans
 * goes through the hook before Citus's planner.
 */
bool
crisk_citus_inline_active(void)
{
	return citus_inline_installed;
}
