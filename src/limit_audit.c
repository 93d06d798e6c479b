/*-------------------------------------------------------------------------
 *
 * limit_audit.c
 *	  The trigger that stamps credit-limit changes on crisk.account:
 *	  crisk.stamp_limit_change().
 *
 * An audit row must say who changed a limit, when, why and, for
 * recalibration, which run.  People and the rescoring worker change limits
 * with plain UPDATEs (the worker set-based), so the reason and the run id
 * travel in the account row itself, in limit_reason and limit_run_id.  Only
 * a C trigger can tell whether an UPDATE assigned those columns
 * (TriggerData.tg_updatedcols), which is what keeps a stale reason from
 * being attributed to a later change that gave none.
 *
 * The AFTER triggers in sql/install/53_limits.sql write crisk.limit_change
 * from the stamped row; this trigger has no side effects, since a BEFORE
 * INSERT trigger also runs for rows that INSERT ... ON CONFLICT then turns
 * into updates.
 *
 * Only a rescoring pass may write a run id: anyone with UPDATE on
 * crisk.account could otherwise pass a change by hand off as a run's.  A
 * pass announces the run whose results it is writing with
 * limit_audit_begin_run() around the statement that writes them, and ends
 * it with limit_audit_end_run(); this backend-local state is not reachable
 * from SQL, so a limit_run_id is accepted only from that statement, and
 * only with that run's id.  Every other change with a limit_run_id is
 * refused, so that every change by hand shows as one.
 *
 * On a store spread by crisk.distribute_store() the trigger runs on the
 * shard of crisk.account, in a backend of the worker node that Citus's
 * executor opened: the pass's state is in the coordinator's backend.
 * There the check is made while the statement is planned
 * (limit_audit_check_query, called by crisk's planner hook, which sees
 * every statement on crisk.account before Citus sends it to a shard), and
 * the shard's trigger accepts the run id of an UPDATE that Citus sent
 * (a backend of Citus's own connections, on a shard).  An INSERT with a
 * run id stays refused there: no pass inserts accounts.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "access/xact.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "nodes/bitmapset.h"
#include "parser/parsetree.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/timestamp.h"

#include "argcheck.h"
#include "limit_audit.h"

PG_FUNCTION_INFO_V1(crisk_stamp_limit_change);

/* The run whose results this backend is writing, if any. */
static bool run_writing = false;
static int64 run_writing_id = 0;

/*
 * limit_audit_begin_run lets the changes that follow carry run_id as their
 * limit_run_id, until limit_audit_end_run.
 */
void
limit_audit_begin_run(int64 run_id)
{
	run_writing = true;
	run_writing_id = run_id;
}

/*
 * limit_audit_end_run ends what limit_audit_begin_run allowed; a pass calls
 * it whether writing succeeded or failed (PG_FINALLY).
 */
void
limit_audit_end_run(void)
{
	run_writing = false;
	run_writing_id = 0;
}

/*
 * customer_label names a customer in a message.  A BEFORE trigger sees the
 * row before NOT NULL is checked, so customer_id may still be NULL here.
 */
static const char *
customer_label(Datum customer_id, bool customer_id_null)
{
	return customer_id_null ? "(none)" : TextDatumGetCString(customer_id);
}

/*
 * sent_by_citus says whether the trigger runs on a shard of crisk.account
 * (Citus names it account_<shard id>) in a backend of the connections
 * Citus's executor opens between nodes: the statement was planned on the
 * node that sent it, where limit_audit_check_query checked it.
 */
static bool
sent_by_citus(Relation rel)
{
	return strcmp(RelationGetRelationName(rel), "account") != 0 &&
		application_name != NULL &&
		strncmp(application_name, "citus_internal ", strlen("citus_internal ")) == 0;
}

/*
 * check_run_id refuses a limit_run_id that does not come from the pass
 * writing that run's results in this backend.
 */
static void
check_run_id(Datum customer_id, bool customer_id_null, Datum run_id, bool run_id_null)
{
	if (run_id_null || (run_writing && DatumGetInt64(run_id) == run_writing_id))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("limit_run_id is written by rescoring passes only"),
			 errdetail("The change of customer %s's credit limit gives run " INT64_FORMAT
					   ", but no pass of that run is writing it.",
					   customer_label(customer_id, customer_id_null), DatumGetInt64(run_id)),
			 errhint("Leave limit_run_id out: a change by hand is recorded under your login, with its reason in limit_reason.")));
}

/* The account columns the trigger reads or writes, in this order. */
enum
{
	COL_CUSTOMER_ID,
	COL_CREDIT_LIMIT,
	COL_LIMIT_LOCKED,
	COL_LIMIT_REASON,
	COL_LIMIT_RUN_ID,
	COL_LIMIT_CHANGED_AT,
	COL_LIMIT_CHANGED_BY,
	NUM_COLS
};

static const char *const column_names[NUM_COLS] = {
	"customer_id", "credit_limit", "limit_locked", "limit_reason",
	"limit_run_id", "limit_changed_at", "limit_changed_by"
};

/*
 * find_columns resolves the attribute numbers by name, so that the trigger
 * does not depend on the column order of crisk.account.
 */
static void
find_columns(TupleDesc desc, int *attnums)
{
	int			i;

	for (i = 0; i < NUM_COLS; i++)
	{
		attnums[i] = SPI_fnumber(desc, column_names[i]);
		if (attnums[i] <= 0)
			elog(ERROR, "crisk.stamp_limit_change: column \"%s\" not found",
				 column_names[i]);
	}
}

/*
 * limits_differ compares two credit limits as numbers (100.0 equals 100.00);
 * NULL differs from any amount.
 */
static bool
limits_differ(Datum a, bool a_null, Datum b, bool b_null)
{
	if (a_null || b_null)
		return a_null != b_null;
	return !DatumGetBool(DirectFunctionCall2(numeric_eq, a, b));
}

/*
 * column_assigned says whether the UPDATE's SET list names the column.
 */
static bool
column_assigned(TriggerData *trigdata, int attnum)
{
	return bms_is_member(attnum - FirstLowInvalidHeapAttributeNumber,
						 trigdata->tg_updatedcols);
}

/*
 * crisk_stamp_limit_change is the BEFORE INSERT OR UPDATE row trigger on
 * crisk.account.
 *
 * On INSERT, a row with a limit or a lock is stamped with now() and the
 * session user; reason and run id are kept as given (a run id only from
 * the pass writing that run).  A superuser inserting
 * a row that already carries limit_changed_at is restoring a dump: the row
 * is kept as it is and, its stamp being older than this transaction, the
 * AFTER trigger does not log it again.
 *
 * On UPDATE that changes the limit or the lock, the row is stamped, and
 * limit_reason and limit_run_id keep the assigned values or become NULL.
 * On any other UPDATE the four limit_* columns keep their old values, so
 * that nobody rewrites who made the last change.
 */
Datum
crisk_stamp_limit_change(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	newtuple;
	int			attnums[NUM_COLS];
	Datum		values[NUM_COLS];
	bool		nulls[NUM_COLS];
	Datum		repl_values[NUM_COLS];
	bool		repl_nulls[NUM_COLS];
	int			repl_cols[NUM_COLS];
	int			nrepl = 0;
	bool		changed;
	bool		is_update;
	int			i;

	crisk_require_before_write_row_trigger(fcinfo, "crisk.stamp_limit_change()");

	is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	newtuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	desc = RelationGetDescr(trigdata->tg_relation);
	find_columns(desc, attnums);
	for (i = 0; i < NUM_COLS; i++)
		values[i] = heap_getattr(newtuple, attnums[i], desc, &nulls[i]);

	if (!is_update)
	{
		changed = !nulls[COL_CREDIT_LIMIT] ||
			(!nulls[COL_LIMIT_LOCKED] && DatumGetBool(values[COL_LIMIT_LOCKED]));
		if (!changed)
		{
			/* No limit, no lock: nothing to describe. */
			for (i = COL_LIMIT_REASON; i <= COL_LIMIT_CHANGED_BY; i++)
			{
				repl_cols[nrepl] = attnums[i];
				repl_values[nrepl] = (Datum) 0;
				repl_nulls[nrepl] = true;
				nrepl++;
			}
		}
		else if (!nulls[COL_LIMIT_CHANGED_AT] && superuser())
			return PointerGetDatum(newtuple);	/* a restore */
		else
			check_run_id(values[COL_CUSTOMER_ID], nulls[COL_CUSTOMER_ID], values[COL_LIMIT_RUN_ID],
						 nulls[COL_LIMIT_RUN_ID]);
	}
	else
	{
		HeapTuple	oldtuple = trigdata->tg_trigtuple;
		Datum		old_values[NUM_COLS];
		bool		old_nulls[NUM_COLS];
		bool		lock_changed;

		for (i = 0; i < NUM_COLS; i++)
			old_values[i] = heap_getattr(oldtuple, attnums[i], desc, &old_nulls[i]);
		lock_changed = DatumGetBool(old_values[COL_LIMIT_LOCKED]) !=
			DatumGetBool(values[COL_LIMIT_LOCKED]);
		changed = lock_changed ||
			limits_differ(old_values[COL_CREDIT_LIMIT], old_nulls[COL_CREDIT_LIMIT],
						  values[COL_CREDIT_LIMIT], nulls[COL_CREDIT_LIMIT]);
		if (!changed)
		{
			for (i = COL_LIMIT_REASON; i <= COL_LIMIT_CHANGED_BY; i++)
			{
				repl_cols[nrepl] = attnums[i];
				repl_values[nrepl] = old_values[i];
				repl_nulls[nrepl] = old_nulls[i];
				nrepl++;
			}
		}
		else
		{
			bool		by_run = column_assigned(trigdata, attnums[COL_LIMIT_RUN_ID]) &&
				!nulls[COL_LIMIT_RUN_ID];

			if (by_run && !sent_by_citus(trigdata->tg_relation))
				check_run_id(values[COL_CUSTOMER_ID], nulls[COL_CUSTOMER_ID], values[COL_LIMIT_RUN_ID], false);

			/* A locked limit is never recalibrated. */
			if (by_run && DatumGetBool(old_values[COL_LIMIT_LOCKED]))
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
						 errmsg("credit limit of customer %s is locked",
								customer_label(values[COL_CUSTOMER_ID], nulls[COL_CUSTOMER_ID])),
						 errdetail("Rescoring run " INT64_FORMAT " tried to change it.",
								   DatumGetInt64(values[COL_LIMIT_RUN_ID])),
						 errhint("Recalibration must skip accounts with limit_locked; a person can change the limit with crisk.set_credit_limit().")));
			if (!column_assigned(trigdata, attnums[COL_LIMIT_REASON]))
			{
				repl_cols[nrepl] = attnums[COL_LIMIT_REASON];
				repl_values[nrepl] = (Datum) 0;
				repl_nulls[nrepl] = true;
				nrepl++;
			}
			if (!column_assigned(trigdata, attnums[COL_LIMIT_RUN_ID]))
			{
				repl_cols[nrepl] = attnums[COL_LIMIT_RUN_ID];
				repl_values[nrepl] = (Datum) 0;
				repl_nulls[nrepl] = true;
				nrepl++;
			}
		}
	}

	if (changed)
	{
		char	   *who = GetUserNameFromId(GetSessionUserId(), false);

		repl_cols[nrepl] = attnums[COL_LIMIT_CHANGED_AT];
		repl_values[nrepl] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		repl_nulls[nrepl] = false;
		nrepl++;
		repl_cols[nrepl] = attnums[COL_LIMIT_CHANGED_BY];
		repl_values[nrepl] = CStringGetTextDatum(who);
		repl_nulls[nrepl] = false;
		nrepl++;
	}

	if (nrepl == 0)
		return PointerGetDatum(newtuple);
	return PointerGetDatum(heap_modify_tuple_by_cols(newtuple, desc, nrepl,
													 repl_cols, repl_values,
													 repl_nulls));
}

/*
 * assigns_run_id says whether a target list assigns limit_run_id
 * (attribute attnum) anything but a NULL constant.
 */
static bool
assigns_run_id(List *targetlist, AttrNumber attnum)
{
	ListCell   *lc;

	foreach(lc, targetlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);

		if (tle->resno == attnum && !tle->resjunk &&
			!(IsA(tle->expr, Const) && ((Const *) tle->expr)->constisnull))
			return true;
	}
	return false;
}

/*
 * limit_audit_check_query refuses, while it is planned, a statement that
 * writes crisk.account (relid) with a limit_run_id when no pass is
 * writing its results in this backend: on a distributed store the
 * shard's trigger cannot tell (see the header comment).
 */
void
limit_audit_check_query(Query *query, Oid relid)
{
	RangeTblEntry *rte;
	AttrNumber	attnum;
	bool		assigns = false;
	ListCell   *lc;

	if (run_writing || query->resultRelation <= 0)
		return;
	rte = rt_fetch(query->resultRelation, query->rtable);
	if (rte->relid != relid)
		return;
	attnum = get_attnum(relid, "limit_run_id");
	if (attnum == InvalidAttrNumber)
		return;
	if (query->commandType == CMD_UPDATE || query->commandType == CMD_INSERT)
		assigns = assigns_run_id(query->targetList, attnum);
	if (!assigns && query->onConflict != NULL)
		assigns = assigns_run_id(query->onConflict->onConflictSet, attnum);
	foreach(lc, query->mergeActionList)
	{
		MergeAction *action = lfirst_node(MergeAction, lc);

		if (!assigns)
			assigns = assigns_run_id(action->targetList, attnum);
	}
	if (assigns)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("limit_run_id is written by rescoring passes only"),
				 errdetail("The statement gives crisk.account a limit_run_id, but no rescoring pass is writing its results."),
				 errhint("Leave limit_run_id out: a change by hand is recorded under your login, with its reason in limit_reason.")));
}
