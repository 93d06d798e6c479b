/*-------------------------------------------------------------------------
 *
 * rescore_queue.c
 *	  The rescoring queue: the trigger that queues the customers whose data
 *	  a statement changes, and crisk.request_rescore().
 *
 * The trigger crisk.track_changes_trigger(customer_column) runs BEFORE each
 * row of an INSERT, UPDATE or DELETE (no after-trigger event is queued, so
 * a bulk load costs no memory per row) and AFTER a TRUNCATE.  It inserts a
 * row into crisk.rescore_queue: it never updates or locks one, so an ERP
 * transaction never waits for the worker or for another ERP transaction
 * because of crisk.  Within a transaction each customer is queued once: a
 * bulk insert of a million invoices for a thousand customers adds a
 * thousand rows to the queue.  A TRUNCATE queues "everyone" (a NULL
 * customer), which turns the next incremental pass into a full one.  On a
 * store spread by crisk.distribute_store() the queue is distributed by
 * customer and cannot hold that row: a TRUNCATE there queues every
 * customer of crisk.account and crisk.invoice by name instead, once, from
 * the distributed table's trigger (its shards' triggers queue nobody).
 *
 * The queue row records the inserting transaction (pg_current_xact_id()),
 * so that a pass deletes exactly the rows whose changes it has read (see
 * rescore_batch.c).  Changes made by a rescoring pass itself (the credit
 * limits it recalibrates) queue nobody: otherwise every pass would queue
 * the next.
 *
 * A transaction that queued customers wakes, at commit, a worker that
 * sits idle because its last pass found nothing queued: on a quiet
 * portfolio a change is rescored at once, and passes still come at most
 * once per crisk.rescore_interval while changes keep coming.
 *
 * The insert runs as the owner of crisk.rescore_queue, like PostgreSQL's
 * foreign-key triggers run as the owner of the referenced table: the ERP's
 * roles need no privilege on crisk's tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "rescore_queue.h"
#include "safe_search_path.h"
#include "single_node.h"
#include "worker_shmem.h"

PG_FUNCTION_INFO_V1(crisk_track_changes_trigger);
PG_FUNCTION_INFO_V1(crisk_request_rescore);

/* customer ids longer than this are queued every time (no dedupe) */
#define DEDUPE_KEY_LEN 64

/* customers queued by the current transaction, NULL when none */
static HTAB *queued_this_xact = NULL;
static bool callbacks_registered = false;
static bool wake_worker_at_commit = false;
static bool queued_in_xact = false;	/* wakes an idle worker at commit */
static bool queue_suspended = false;	/* a pass is writing: queue nobody */
static SPIPlanPtr queue_plan = NULL;

/* what the trigger caches in fn_extra for the duration of a statement */
typedef struct TriggerColumn
{
	Oid			relid;
	AttrNumber	attnum;
	bool		is_text;
	FmgrInfo	output;			/* output function when not text */
} TriggerColumn;

static void
queue_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (wake_worker_at_commit)
				crisk_wake_database_worker(MyDatabaseId);
			else if (queued_in_xact)
				crisk_wake_idle_database_worker(MyDatabaseId);
			/* FALLTHROUGH */
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			queued_this_xact = NULL;	/* its memory goes with the transaction */
			wake_worker_at_commit = false;
			queued_in_xact = false;
			queue_suspended = false;
			break;
		default:
			break;
	}
}

/*
 * queue_subxact_callback forgets what was queued when a subtransaction
 * aborts: its queue rows are gone, so the customers must be queued again.
 */
static void
queue_subxact_callback(SubXactEvent event, SubTransactionId mySubid pg_attribute_unused(),
					   SubTransactionId parentSubid pg_attribute_unused(),
					   void *arg pg_attribute_unused())
{
	if (event == SUBXACT_EVENT_ABORT_SUB)
		queued_this_xact = NULL;
}

static void
register_callbacks(void)
{
	if (callbacks_registered)
		return;
	RegisterXactCallback(queue_xact_callback, NULL);
	RegisterSubXactCallback(queue_subxact_callback, NULL);
	callbacks_registered = true;
}

/*
 * rescore_queue_suspend makes the trigger queue nobody until
 * rescore_queue_resume(), or the end of the transaction: a rescoring pass's
 * own writes (the limits it recalibrates) must not queue the next pass.
 */
void
rescore_queue_suspend(void)
{
	register_callbacks();
	queue_suspended = true;
}

/*
 * rescore_queue_resume lets the trigger queue customers again.
 */
void
rescore_queue_resume(void)
{
	queue_suspended = false;
}

/*
 * insert_queue_row adds one row to crisk.rescore_queue, as the table's
 * owner.  NULL queues everyone: the queue's "everyone" row on one node; on
 * a distributed store, whose distributed queue cannot hold that row, every
 * customer of crisk.account and crisk.invoice by name.
 */
static void
insert_queue_row(const char *customer_id)
{
	Oid			relid;
	HeapTuple	tuple;
	Oid			owner;
	Oid			save_userid;
	int			save_sec_context;
	Datum		value;
	char		null = customer_id ? ' ' : 'n';
	bool		everyone_by_name = customer_id == NULL && crisk_store_distributed();

	relid = get_relname_relid("rescore_queue", get_namespace_oid("crisk", false));
	if (!OidIsValid(relid))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table crisk.rescore_queue does not exist"),
				 errhint("Is the crisk extension installed in this database?")));
	tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(tuple))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
	ReleaseSysCache(tuple);

	value = customer_id ? CStringGetTextDatum(customer_id) : (Datum) 0;
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(owner, save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	PG_TRY();
	{
		int			nestlevel;
		int			rc;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		nestlevel = crisk_pin_search_path();
		if (everyone_by_name)
			rc = SPI_execute("INSERT INTO crisk.rescore_queue (customer_id)"
							 " SELECT a.customer_id FROM crisk.account a"
							 " UNION SELECT i.customer_id FROM crisk.invoice i",
							 false, 0);
		else
		{
			if (queue_plan == NULL)
			{
				Oid			argtypes[1] = {TEXTOID};
				SPIPlanPtr	plan = SPI_prepare("INSERT INTO crisk.rescore_queue (customer_id) VALUES ($1)",
											   1, argtypes);

				if (plan == NULL || SPI_keepplan(plan) != 0)
					elog(ERROR, "could not prepare the insert into crisk.rescore_queue");
				queue_plan = plan;
			}
			rc = SPI_execute_plan(queue_plan, &value, &null, false, 0);
		}
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "could not insert into crisk.rescore_queue");
		crisk_unpin_search_path(nestlevel);
		SPI_finish();
	}
	PG_FINALLY();
	{
		SetUserIdAndSecContext(save_userid, save_sec_context);
	}
	PG_END_TRY();
	queued_in_xact = true;
}

/*
 * queue_customer queues a customer once per transaction.
 */
static void
queue_customer(const char *customer_id)
{
	bool		found = false;
	bool		dedupe = strlen(customer_id) < DEDUPE_KEY_LEN;
	char		key[DEDUPE_KEY_LEN];

	register_callbacks();
	if (dedupe)
	{
		if (queued_this_xact == NULL)
		{
			HASHCTL		ctl;

			memset(&ctl, 0, sizeof(ctl));
			ctl.keysize = DEDUPE_KEY_LEN;
			ctl.entrysize = DEDUPE_KEY_LEN;
			ctl.hcxt = TopTransactionContext;
			queued_this_xact = hash_create("crisk customers queued", 256, &ctl,
										   HASH_ELEM | HASH_STRINGS | HASH_CONTEXT);
		}
		memset(key, 0, sizeof(key));
		strlcpy(key, customer_id, sizeof(key));
		(void) hash_search(queued_this_xact, key, HASH_FIND, &found);
		if (found)
			return;
	}
	insert_queue_row(customer_id);
	if (dedupe && queued_this_xact != NULL)
		(void) hash_search(queued_this_xact, key, HASH_ENTER, NULL);
}

/*
 * trigger_column finds the trigger's customer column, once per statement.
 */
static TriggerColumn *
trigger_column(FunctionCallInfo fcinfo, TriggerData *trigdata)
{
	TriggerColumn *column = (TriggerColumn *) fcinfo->flinfo->fn_extra;
	Relation	rel = trigdata->tg_relation;
	Trigger    *trigger = trigdata->tg_trigger;

	if (column != NULL && column->relid == RelationGetRelid(rel))
		return column;

	if (trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("trigger \"%s\" on %s must name the customer column",
						trigger->tgname, RelationGetRelationName(rel)),
				 errhint("Create it with crisk.track_changes().")));
	column = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(TriggerColumn));
	column->relid = RelationGetRelid(rel);
	column->attnum = SPI_fnumber(RelationGetDescr(rel), trigger->tgargs[0]);
	if (column->attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" named by trigger \"%s\" does not exist in %s",
						trigger->tgargs[0], trigger->tgname, RelationGetRelationName(rel)),
				 errhint("Call crisk.track_changes() again with the customer column's new name.")));
	{
		Oid			typid = TupleDescAttr(RelationGetDescr(rel), column->attnum - 1)->atttypid;
		Oid			output;
		bool		varlena;

		column->is_text = (typid == TEXTOID || typid == VARCHAROID);
		getTypeOutputInfo(typid, &output, &varlena);
		fmgr_info_cxt(output, &column->output, fcinfo->flinfo->fn_mcxt);
	}
	fcinfo->flinfo->fn_extra = column;
	return column;
}

/*
 * queue_tuple_customer queues the customer of one row version.
 */
static void
queue_tuple_customer(TriggerColumn *column, HeapTuple tuple, TupleDesc desc)
{
	bool		isnull;
	Datum		value = heap_getattr(tuple, column->attnum, desc, &isnull);

	if (isnull)
		return;
	queue_customer(column->is_text ? TextDatumGetCString(value) :
				   OutputFunctionCall(&column->output, value));
}

/*
 * recalibrated_by_pass says whether a row change is a rescoring pass's
 * recalibration of a limit on a shard of crisk.account, on a store spread
 * by crisk.distribute_store(): the pass runs on the coordinator, where
 * queue_suspended is set, and Citus sends its UPDATE to the shard.  Only a
 * pass gives limit_run_id a new value (limit_audit.c checks that where the
 * statement is planned), in an UPDATE sent by Citus (application_name
 * "citus_internal ...") to a shard named account_<shard id>.
 */
static bool
recalibrated_by_pass(TriggerData *trigdata)
{
	Relation	rel = trigdata->tg_relation;
	TupleDesc	desc = RelationGetDescr(rel);
	int			attnum;
	bool		old_null;
	bool		new_null;
	Datum		old_run;
	Datum		new_run;

	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ||
		strncmp(RelationGetRelationName(rel), "account_", strlen("account_")) != 0 ||
		strcmp(get_namespace_name(RelationGetNamespace(rel)), "crisk") != 0 ||
		application_name == NULL ||
		strncmp(application_name, "citus_internal ", strlen("citus_internal ")) != 0)
		return false;
	attnum = SPI_fnumber(desc, "limit_run_id");
	if (attnum <= 0 || TupleDescAttr(desc, attnum - 1)->atttypid != INT8OID)
		return false;
	new_run = heap_getattr(trigdata->tg_newtuple, attnum, desc, &new_null);
	old_run = heap_getattr(trigdata->tg_trigtuple, attnum, desc, &old_null);
	return !new_null && (old_null || DatumGetInt64(old_run) != DatumGetInt64(new_run));
}

/*
 * crisk_track_changes_trigger is the trigger that crisk.track_changes()
 * installs.
 */
Datum
crisk_track_changes_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TriggerColumn *column;
	TupleDesc	desc;
	HeapTuple	result;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("crisk.track_changes_trigger() must be called as a trigger")));

	/* TRUNCATE, or a statement trigger: no row says who changed */
	if (!TRIGGER_FIRED_FOR_ROW(trigdata->tg_event))
	{
		if (!queue_suspended)
		{
			register_callbacks();
			/*
			 * On a distributed store only the trigger of the Citus table
			 * itself queues; the triggers of its shards, which Citus
			 * truncates on the workers, queue nobody.
			 */
			if (!crisk_store_distributed() ||
				crisk_is_citus_table(RelationGetRelid(trigdata->tg_relation)))
				insert_queue_row(NULL);
		}
		PG_RETURN_POINTER(NULL);
	}

	desc = RelationGetDescr(trigdata->tg_relation);
	result = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	if (queue_suspended || recalibrated_by_pass(trigdata))
		PG_RETURN_POINTER(result);

	column = trigger_column(fcinfo, trigdata);
	queue_tuple_customer(column, trigdata->tg_trigtuple, desc);
	if (TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		queue_tuple_customer(column, trigdata->tg_newtuple, desc);
	PG_RETURN_POINTER(result);
}

/*
 * crisk_request_rescore is crisk.request_rescore(customer_ids text[]): it
 * queues the customers (NULL: everyone, for a full pass) and, at commit,
 * wakes the database's worker so that the pass starts at once.
 */
Datum
crisk_request_rescore(PG_FUNCTION_ARGS)
{
	register_callbacks();
	if (PG_ARGISNULL(0))
		insert_queue_row(NULL);
	else
	{
		ArrayType  *ids = PG_GETARG_ARRAYTYPE_P(0);
		Datum	   *values;
		bool	   *nulls;
		int			n,
					i;

		deconstruct_array(ids, TEXTOID, -1, false, TYPALIGN_INT, &values, &nulls, &n);
		for (i = 0; i < n; i++)
		{
			if (nulls[i])
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("customer_ids must not contain NULL"),
						 errhint("Pass NULL instead of the list to rescore every customer.")));
		}
		for (i = 0; i < n; i++)
			queue_customer(TextDatumGetCString(values[i]));
	}
	wake_worker_at_commit = true;
	PG_RETURN_VOID();
}
