/*-------------------------------------------------------------------------
 *
 * check_order.c
 *	  crisk.check_order(customer_id, amount): the order credit check.
 *
 * An ERP calls this inside its order transaction, so it must cost about as
 * much as a primary-key lookup.  Measured, starting executors cost more
 * than the lookups themselves, so:
 *   - crisk's own tables (account, score, event, and the built-in ledger
 *     crisk.invoice) are read directly through their indexes on
 *     customer_id, with the query's snapshot, as index scans in a plan
 *     would, the ledger as an index-only scan;
 *   - a ledger that is an ERP's table or view is read through crisk.ledger,
 *     by one statement prepared once per session with a generic plan
 *     (SPI_prepare_cursor + SPI_keepplan).  When crisk.set_ledger() points
 *     the ledger elsewhere it rewrites crisk.ledger_rows(), which the kept
 *     plan has inlined, and the plan cache replans the statement;
 *   - the dunning policies, the legal-event vocabulary and whether the
 *     ledger is built in are cached per session and dropped when those
 *     tables change (table_cache.h);
 *   - the rules and the wording of the reasons are plain C, run only for
 *     the rules that fire.
 * Nothing here takes row locks: an order check never waits for rescoring
 * or another order, and they never wait for it.
 *
 * The decision rules (README, "Order credit check"), most severe first:
 *   block   the account is on stop (crisk.account.blocked);
 *           risk class E;
 *           the oldest overdue invoice reached a dunning level whose
 *           order_decision is 'block' (default policy: formal notice, 45 days);
 *           a legal event whose kind blocks orders, within its window;
 *   review  no account; no credit limit; the order exceeds the available
 *           credit (limit - open receivables); risk class D; a dunning level
 *           whose order_decision is 'review' (default: second reminder, 21
 *           days); an account naming a dunning policy that does not exist;
 *           a legal event whose kind asks for review, within its window;
 *   approve otherwise.
 * Every rule that fires adds a reason, block reasons first; an approval
 * says how much credit remains.  Open receivables are the customer's ledger
 * items unpaid today (paid_date NULL or later than today), credit notes
 * included; overdue items are open invoices (amount > 0) due before today.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/itup.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/date.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "check_order.h"
#include "table_cache.h"

PG_FUNCTION_INFO_V1(crisk_check_order);

/*
 * The customer's items open today (paid_date NULL or later), $1 the
 * customer, $2 today.  The ledger may be an ERP's view, so it is read
 * through SQL; a plain index-only scan, with no aggregate to start up:
 * summing a handful of rows in C costs nothing.
 */
static const char *const open_items_sql =
"SELECT l.amount, l.due_date FROM crisk.ledger l"
" WHERE l.customer_id OPERATOR(pg_catalog.=) $1"
"   AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) $2)";

/* Prepared on first use in the session, kept for the session. */
static SPIPlanPtr open_items_plan = NULL;

/*
 * crisk's own tables, read directly through their indexes on customer_id:
 * an index probe costs less than starting an executor for it.  Their OIDs
 * are looked up by name and forgotten when the relcache says so.
 */
static CachedTable account_table = {"account", InvalidOid, false, NULL};
static CachedTable account_index = {"account_pkey", InvalidOid, false, NULL};
static CachedTable score_table = {"score", InvalidOid, false, NULL};
static CachedTable score_index = {"score_pkey", InvalidOid, false, NULL};
static CachedTable event_table = {"event", InvalidOid, false, NULL};
static CachedTable event_index = {"event_customer_idx", InvalidOid, false, NULL};

/*
 * When the ledger is crisk's own table (crisk.ledger_source is empty), its
 * open items are read the same way, by an index-only scan of
 * invoice_customer_idx; an ERP source is read through crisk.ledger.
 */
static CachedTable invoice_table = {"invoice", InvalidOid, false, NULL};
static CachedTable invoice_index = {"invoice_customer_idx", InvalidOid, false, NULL};
static CachedTable ledger_source_table = {"ledger_source", InvalidOid, false, NULL};
static bool ledger_checked = false;
static bool ledger_builtin = false;

/* What a dunning level or an event kind does to orders. */
typedef enum OrderEffect
{
	EFFECT_NONE,
	EFFECT_REVIEW,
	EFFECT_BLOCK
} OrderEffect;

typedef struct DunningLevel
{
	int32		days_past_due;
	int32		level;
	char	   *action;
	OrderEffect effect;
} DunningLevel;

typedef struct DunningPolicy
{
	char	   *name;
	int			nlevels;
	DunningLevel *levels;		/* by ascending days_past_due */
} DunningPolicy;

typedef struct EventKind
{
	char	   *kind;
	char	   *description;
	OrderEffect effect;
	int32		window_days;	/* < 0: for ever */
} EventKind;

/* Session caches of crisk.dunning_policy and crisk.event_kind. */
static CachedTable dunning_table = {"dunning_policy", InvalidOid, false, NULL};
static CachedTable event_kind_table = {"event_kind", InvalidOid, false, NULL};
static MemoryContext dunning_context = NULL;
static MemoryContext event_kind_context = NULL;
static bool dunning_loaded = false;
static bool event_kinds_loaded = false;
static DunningPolicy *policies = NULL;
static int	npolicies = 0;
static EventKind *event_kinds = NULL;
static int	nevent_kinds = 0;

/*
 * effect_of reads an order_decision column: 'review', 'block' or NULL.
 */
static OrderEffect
effect_of(HeapTuple tuple, TupleDesc desc, int column)
{
	char	   *value = SPI_getvalue(tuple, desc, column);

	if (value == NULL)
		return EFFECT_NONE;
	if (strcmp(value, "block") == 0)
		return EFFECT_BLOCK;
	return EFFECT_REVIEW;
}

/*
 * cache_context returns an emptied memory context for a cache, created
 * under CacheMemoryContext so that it lives as long as the session.
 */
static MemoryContext
cache_context(MemoryContext *context)
{
	if (*context == NULL)
		*context = AllocSetContextCreate(CacheMemoryContext, "crisk check_order cache",
										 ALLOCSET_SMALL_SIZES);
	else
		MemoryContextReset(*context);
	return *context;
}

/*
 * load_dunning_policies reads crisk.dunning_policy into the session cache.
 * Called with SPI connected.
 */
static void
load_dunning_policies(void)
{
	MemoryContext context;
	MemoryContext old;
	uint64		i;
	int			rc;

	dunning_loaded = false;
	rc = SPI_execute("SELECT p.policy, p.level, p.days_past_due, p.action, p.order_decision"
					 "  FROM crisk.dunning_policy p ORDER BY p.policy, p.days_past_due",
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk.check_order: reading crisk.dunning_policy failed (%d)", rc);

	context = cache_context(&dunning_context);
	old = MemoryContextSwitchTo(context);
	policies = palloc0(sizeof(DunningPolicy) * (SPI_processed + 1));
	npolicies = 0;
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *name = SPI_getvalue(tuple, desc, 1);
		DunningPolicy *policy;
		DunningLevel *level;
		bool		isnull;

		if (npolicies == 0 || strcmp(policies[npolicies - 1].name, name) != 0)
		{
			policy = &policies[npolicies++];
			policy->name = pstrdup(name);
			policy->levels = palloc0(sizeof(DunningLevel) * SPI_processed);
		}
		policy = &policies[npolicies - 1];
		level = &policy->levels[policy->nlevels++];
		level->level = DatumGetInt32(SPI_getbinval(tuple, desc, 2, &isnull));
		level->days_past_due = DatumGetInt32(SPI_getbinval(tuple, desc, 3, &isnull));
		level->action = pstrdup(SPI_getvalue(tuple, desc, 4));
		level->effect = effect_of(tuple, desc, 5);
	}
	MemoryContextSwitchTo(old);
	dunning_loaded = true;
}

/*
 * load_event_kinds reads the kinds of crisk.event_kind that affect orders.
 * Called with SPI connected.
 */
static void
load_event_kinds(void)
{
	MemoryContext context;
	MemoryContext old;
	uint64		i;
	int			rc;

	event_kinds_loaded = false;
	rc = SPI_execute("SELECT k.kind, k.description, k.order_decision, k.order_window_days"
					 "  FROM crisk.event_kind k WHERE k.order_decision IS NOT NULL",
					 true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk.check_order: reading crisk.event_kind failed (%d)", rc);

	context = cache_context(&event_kind_context);
	old = MemoryContextSwitchTo(context);
	event_kinds = palloc0(sizeof(EventKind) * (SPI_processed + 1));
	nevent_kinds = (int) SPI_processed;
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		bool		isnull;
		Datum		window = SPI_getbinval(tuple, desc, 4, &isnull);

		event_kinds[i].kind = pstrdup(SPI_getvalue(tuple, desc, 1));
		event_kinds[i].description = pstrdup(SPI_getvalue(tuple, desc, 2));
		event_kinds[i].effect = effect_of(tuple, desc, 3);
		event_kinds[i].window_days = isnull ? -1 : DatumGetInt32(window);
	}
	MemoryContextSwitchTo(old);
	event_kinds_loaded = true;
}

/*
 * find_policy returns the cached dunning policy of that name, or NULL.
 */
static const DunningPolicy *
find_policy(const char *name)
{
	int			i;

	for (i = 0; i < npolicies; i++)
	{
		if (strcmp(policies[i].name, name) == 0)
			return &policies[i];
	}
	return NULL;
}

/*
 * find_event_kind returns the cached kind if it affects orders, or NULL.
 */
static const EventKind *
find_event_kind(const char *kind)
{
	int			i;

	for (i = 0; i < nevent_kinds; i++)
	{
		if (strcmp(event_kinds[i].kind, kind) == 0)
			return &event_kinds[i];
	}
	return NULL;
}

/* The reasons found so far, by severity. */
typedef struct Reasons
{
	List	   *block;
	List	   *review;
} Reasons;

static void
add_reason(Reasons *reasons, OrderEffect effect, char *reason)
{
	if (effect == EFFECT_BLOCK)
		reasons->block = lappend(reasons->block, reason);
	else if (effect == EFFECT_REVIEW)
		reasons->review = lappend(reasons->review, reason);
}

static char *
numeric_text(Datum value)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, value));
}

static char *
date_text(Datum value)
{
	return DatumGetCString(DirectFunctionCall1(date_out, value));
}

/*
 * check_amount rejects what cannot be an order amount.
 */
static void
check_amount(Numeric amount)
{
	if (numeric_is_nan(amount) || numeric_is_inf(amount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount must be a finite number"),
				 errdetail("amount is %s.", numeric_text(NumericGetDatum(amount)))));
	if (DatumGetBool(DirectFunctionCall2(numeric_lt, NumericGetDatum(amount),
										 DirectFunctionCall1(int4_numeric,
															 Int32GetDatum(0)))))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("amount must not be negative"),
				 errdetail("amount is %s.", numeric_text(NumericGetDatum(amount))),
				 errhint("An order adds to the exposure; a credit note is not an order.")));
}

/* A legal event of the customer. */
typedef struct Event
{
	char	   *kind;
	DateADT		occurred_on;
	int64		event_id;
} Event;

/* What the statements tell about the customer. */
typedef struct Facts
{
	bool		has_account;
	bool		has_limit;
	Datum		credit_limit;	/* numeric */
	bool		blocked;
	char	   *dunning_policy; /* NULL without an account */
	char	   *score;			/* as text; NULL when never scored */
	char	   *risk_class;
	char	   *scored_as_of;
	Datum		exposure;		/* numeric: open items, credit notes included */
	int64		overdue_items;	/* open invoices due before today */
	Datum		overdue_amount; /* numeric */
	int32		oldest_days_past_due;	/* < 0: nothing overdue */
	int			nevents;
	int			events_allocated;
	Event	   *events;			/* by date, then by id */
} Facts;

/*
 * keep_plan prepares a statement once per session with a generic plan:
 * every call runs the same index lookups whatever the customer, and
 * planning costs more than running, so the plan cache must not try custom
 * plans first.
 */
static SPIPlanPtr
keep_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	prepared = SPI_prepare_cursor(sql, nargs, argtypes,
												  CURSOR_OPT_GENERIC_PLAN);

		if (prepared == NULL)
			elog(ERROR, "crisk.check_order: SPI_prepare_cursor failed: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(prepared) != 0)
			elog(ERROR, "crisk.check_order: SPI_keepplan failed");
		*plan = prepared;
	}
	return *plan;
}

static int
compare_events(const void *a, const void *b)
{
	const Event *x = (const Event *) a;
	const Event *y = (const Event *) b;

	if (x->occurred_on != y->occurred_on)
		return x->occurred_on < y->occurred_on ? -1 : 1;
	if (x->event_id != y->event_id)
		return x->event_id < y->event_id ? -1 : 1;
	return 0;
}

/* Called for each row found by scan_by_customer. */
typedef void (*RowCallback) (TupleTableSlot *slot, TupleDesc desc, Facts *facts);

/*
 * scan_by_customer reads the rows of a crisk table whose index on
 * customer_id matches, with the query's snapshot, as an index scan in a
 * plan would; the locks are kept to the end of the transaction, as the
 * executor's are.
 */
static void
scan_by_customer(CachedTable *table, CachedTable *index, Datum customer_id,
				 RowCallback callback, Facts *facts)
{
	Relation	rel = table_open(table_cache_relid(table), AccessShareLock);
	Relation	idx = index_open(table_cache_relid(index), AccessShareLock);
	TupleTableSlot *slot = table_slot_create(rel, NULL);
	IndexScanDesc scan;
	ScanKeyData key;

	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   idx->rd_indcollation[0], F_TEXTEQ, customer_id);
	scan = index_beginscan(rel, idx, GetActiveSnapshot(), 1, 0);
	index_rescan(scan, &key, 1, NULL, 0);
	while (index_getnext_slot(scan, ForwardScanDirection, slot))
		callback(slot, RelationGetDescr(rel), facts);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
}

/*
 * column_value copies a column of the row in the slot, by name, out of the
 * buffer the slot points into.
 */
static Datum
column_value(TupleTableSlot *slot, TupleDesc desc, const char *name, bool *isnull)
{
	int			attnum = SPI_fnumber(desc, name);
	Form_pg_attribute att;
	Datum		value;

	if (attnum <= 0)
		elog(ERROR, "crisk.check_order: column \"%s\" not found", name);
	att = TupleDescAttr(desc, attnum - 1);
	value = slot_getattr(slot, attnum, isnull);
	return *isnull ? (Datum) 0 : datumCopy(value, att->attbyval, att->attlen);
}

static void
account_row(TupleTableSlot *slot, TupleDesc desc, Facts *facts)
{
	bool		isnull;
	Datum		policy;

	facts->has_account = true;
	facts->credit_limit = column_value(slot, desc, "credit_limit", &isnull);
	facts->has_limit = !isnull;
	facts->blocked = DatumGetBool(column_value(slot, desc, "blocked", &isnull)) && !isnull;
	policy = column_value(slot, desc, "dunning_policy", &isnull);
	facts->dunning_policy = isnull ? NULL : TextDatumGetCString(policy);
}

static void
score_row(TupleTableSlot *slot, TupleDesc desc, Facts *facts)
{
	bool		isnull;
	Datum		value;

	value = column_value(slot, desc, "score", &isnull);
	facts->score = isnull ? NULL : psprintf("%d", DatumGetInt32(value));
	value = column_value(slot, desc, "risk_class", &isnull);
	facts->risk_class = isnull ? NULL : TextDatumGetCString(value);
	value = column_value(slot, desc, "as_of", &isnull);
	facts->scored_as_of = isnull ? NULL : date_text(value);
}

static void
event_row(TupleTableSlot *slot, TupleDesc desc, Facts *facts)
{
	bool		isnull;
	Event	   *event;

	if (facts->nevents == facts->events_allocated)
	{
		facts->events_allocated = Max(8, facts->events_allocated * 2);
		facts->events = facts->events == NULL ?
			palloc(sizeof(Event) * facts->events_allocated) :
			repalloc(facts->events, sizeof(Event) * facts->events_allocated);
	}
	event = &facts->events[facts->nevents++];
	event->kind = TextDatumGetCString(column_value(slot, desc, "kind", &isnull));
	event->occurred_on = DatumGetDateADT(column_value(slot, desc, "occurred_on", &isnull));
	event->event_id = DatumGetInt64(column_value(slot, desc, "event_id", &isnull));
}

/*
 * builtin_ledger says whether crisk reads its own crisk.invoice, from a
 * session cache of crisk.ledger_source dropped when that table changes.
 * Called with SPI connected.
 */
static bool
builtin_ledger(void)
{
	if (!table_cache_is_valid(&ledger_source_table) || !ledger_checked)
	{
		int			rc;
		bool		isnull;

		ledger_checked = false;
		rc = SPI_execute("SELECT NOT EXISTS (SELECT FROM crisk.ledger_source)", true, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "crisk.check_order: reading crisk.ledger_source failed (%d)", rc);
		ledger_builtin = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0],
													SPI_tuptable->tupdesc, 1, &isnull));
		ledger_checked = true;
	}
	return ledger_builtin;
}

/*
 * add_open_item counts one ledger item open today into the facts.
 */
static void
add_open_item(Facts *facts, Datum amount, bool amount_null, Datum due, bool due_null,
			  DateADT today, Datum zero)
{
	if (amount_null)
		return;					/* an ERP source may hold unknown amounts */
	facts->exposure = DirectFunctionCall2(numeric_add, facts->exposure, amount);
	if (due_null || DatumGetDateADT(due) >= today ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, amount, zero)) <= 0)
		return;
	facts->overdue_items++;
	facts->overdue_amount = DirectFunctionCall2(numeric_add, facts->overdue_amount, amount);
	facts->oldest_days_past_due = Max(facts->oldest_days_past_due,
									  (int32) (today - DatumGetDateADT(due)));
}

/*
 * index_column returns the position of a column in an index, or raises an
 * error if the index lacks it (someone changed crisk's index).
 */
static int
index_column(Relation index, const char *name)
{
	int			attnum = SPI_fnumber(RelationGetDescr(index), name);

	if (attnum <= 0)
		elog(ERROR, "crisk.check_order: index %s has no column \"%s\"",
			 RelationGetRelationName(index), name);
	return attnum;
}

/*
 * scan_builtin_ledger reads the customer's open items from
 * crisk.invoice_customer_idx, as an index-only scan in a plan would: the
 * index holds every column needed, and the heap is visited only for pages
 * not known to be all-visible.  The index tuple, not the heap tuple, gives
 * the values: columns of an index never change along a HOT chain.
 */
static void
scan_builtin_ledger(Datum customer_id, DateADT today, Datum zero, Facts *facts)
{
	Relation	heap = table_open(table_cache_relid(&invoice_table), AccessShareLock);
	Relation	index = index_open(table_cache_relid(&invoice_index), AccessShareLock);
	Snapshot	snapshot = GetActiveSnapshot();
	TupleTableSlot *heap_slot = table_slot_create(heap, NULL);
	Buffer		vm_buffer = InvalidBuffer;
	int			paid_col = index_column(index, "paid_date");
	int			amount_col = index_column(index, "amount");
	int			due_col = index_column(index, "due_date");
	IndexScanDesc scan;
	ScanKeyData key;
	ItemPointer tid;

	ScanKeyEntryInitialize(&key, 0, 1, BTEqualStrategyNumber, InvalidOid,
						   index->rd_indcollation[0], F_TEXTEQ, customer_id);
	scan = index_beginscan(heap, index, snapshot, 1, 0);
	scan->xs_want_itup = true;
	index_rescan(scan, &key, 1, NULL, 0);
	while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
	{
		bool		from_heap = false;
		Datum		paid;
		Datum		amount;
		Datum		due;
		bool		paid_null;
		bool		amount_null;
		bool		due_null;

		CHECK_FOR_INTERRUPTS();
		if (!VM_ALL_VISIBLE(heap, ItemPointerGetBlockNumber(tid), &vm_buffer))
		{
			if (!index_fetch_heap(scan, heap_slot))
				continue;		/* no version visible to this snapshot */
			ExecClearTuple(heap_slot);
			from_heap = true;
		}
		if (scan->xs_itup == NULL)
			elog(ERROR, "crisk.check_order: the index returned no tuple");
		paid = index_getattr(scan->xs_itup, paid_col, scan->xs_itupdesc, &paid_null);
		if (!paid_null && DatumGetDateADT(paid) <= today)
			continue;			/* settled */
		amount = index_getattr(scan->xs_itup, amount_col, scan->xs_itupdesc, &amount_null);
		due = index_getattr(scan->xs_itup, due_col, scan->xs_itupdesc, &due_null);
		add_open_item(facts, amount, amount_null, due, due_null, today, zero);
		/* Without a heap visit, take the predicate lock it would have taken. */
		if (!from_heap)
			PredicateLockPage(heap, ItemPointerGetBlockNumber(tid), snapshot);
	}
	if (vm_buffer != InvalidBuffer)
		ReleaseBuffer(vm_buffer);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(heap_slot);
	index_close(index, NoLock);
	table_close(heap, NoLock);
}

/*
 * gather_facts reads what is known about the customer.  Called with SPI
 * connected; everything lives in SPI's memory until SPI_finish.
 */
static void
gather_facts(Datum customer_id, DateADT today, Facts *facts)
{
	Oid			argtypes[2] = {TEXTOID, DATEOID};
	Datum		args[2];
	Datum		zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	TupleDesc	desc;
	uint64		i;
	int			rc;

	memset(facts, 0, sizeof(Facts));
	scan_by_customer(&account_table, &account_index, customer_id, account_row, facts);
	scan_by_customer(&score_table, &score_index, customer_id, score_row, facts);
	scan_by_customer(&event_table, &event_index, customer_id, event_row, facts);
	qsort(facts->events, facts->nevents, sizeof(Event), compare_events);

	/* Open items: exposure, and what of it is overdue. */
	facts->exposure = zero;
	facts->overdue_amount = zero;
	facts->oldest_days_past_due = -1;
	if (builtin_ledger())
	{
		scan_builtin_ledger(customer_id, today, zero, facts);
		return;
	}
	args[0] = customer_id;
	args[1] = DateADTGetDatum(today);
	rc = SPI_execute_plan(keep_plan(&open_items_plan, open_items_sql, 2, argtypes),
						  args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk.check_order: reading the ledger failed (%d)", rc);
	desc = SPI_tuptable->tupdesc;
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		bool		amount_null;
		bool		due_null;
		Datum		amount = SPI_getbinval(tuple, desc, 1, &amount_null);
		Datum		due = SPI_getbinval(tuple, desc, 2, &due_null);

		add_open_item(facts, amount, amount_null, due, due_null, today, zero);
	}
}

/*
 * dunning_rule applies the dunning level the customer's oldest overdue
 * invoice has reached.
 */
static void
dunning_rule(Reasons *reasons, const Facts *facts)
{
	/* A customer without an account is chased under the default policy. */
	const char *policy_name = facts->dunning_policy ? facts->dunning_policy : "default";
	const DunningPolicy *policy = find_policy(policy_name);
	const DunningLevel *reached = NULL;
	int			i;

	if (policy == NULL)
	{
		add_reason(reasons, EFFECT_REVIEW,
				   psprintf("dunning policy %s does not exist", policy_name));
		return;
	}
	for (i = 0; i < policy->nlevels; i++)
	{
		if (policy->levels[i].days_past_due <= facts->oldest_days_past_due)
			reached = &policy->levels[i];
	}
	if (reached == NULL || reached->effect == EFFECT_NONE)
		return;
	add_reason(reasons, reached->effect,
			   psprintf("%lld overdue %s totalling %s, the oldest %d days past due: dunning level %d (%s)",
						(long long) facts->overdue_items,
						facts->overdue_items == 1 ? "invoice" : "invoices",
						numeric_text(facts->overdue_amount), facts->oldest_days_past_due,
						reached->level, reached->action));
}

/*
 * event_rules applies the customer's legal events whose kind affects
 * orders and that are recent enough: within order_window_days, that is
 * fewer than that many days before today.
 */
static void
event_rules(Reasons *reasons, const Facts *facts, DateADT today)
{
	int			i;

	for (i = 0; i < facts->nevents; i++)
	{
		const Event *event = &facts->events[i];
		const EventKind *kind = find_event_kind(event->kind);

		if (kind == NULL)
			continue;
		if (kind->window_days >= 0 &&
			(int64) event->occurred_on <= (int64) today - kind->window_days)
			continue;
		add_reason(reasons, kind->effect,
				   psprintf("%s on %s", kind->description,
							date_text(DateADTGetDatum(event->occurred_on))));
	}
}

/*
 * text_array turns a list of C strings into a text[].
 */
static Datum
text_array(List *strings)
{
	Datum	   *items = palloc(sizeof(Datum) * Max(list_length(strings), 1));
	ListCell   *cell;
	int			n = 0;

	foreach(cell, strings)
		items[n++] = CStringGetTextDatum((char *) lfirst(cell));
	return PointerGetDatum(construct_array(items, n, TEXTOID, -1, false,
										   TYPALIGN_INT));
}

/*
 * crisk_check_order implements crisk.check_order(customer_id, amount):
 * one row (decision, available_credit, reasons).  A NULL customer or amount
 * is an error rather than an empty answer, which an ERP could mistake for
 * no objection.
 */
Datum
crisk_check_order(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Numeric		amount;
	DateADT		today = GetSQLCurrentDate();
	Facts		facts;
	Datum		available = (Datum) 0;
	Reasons		reasons = {NIL, NIL};
	const char *decision;
	List	   *all_reasons;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("customer_id must not be null")));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("amount must not be null")));
	amount = PG_GETARG_NUMERIC(1);
	check_amount(amount);

	InitMaterializedSRF(fcinfo, 0);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "crisk.check_order: SPI_connect failed");
	if (!table_cache_is_valid(&dunning_table) || !dunning_loaded)
		load_dunning_policies();
	if (!table_cache_is_valid(&event_kind_table) || !event_kinds_loaded)
		load_event_kinds();
	gather_facts(PG_GETARG_DATUM(0), today, &facts);

	/* The rules; block and review reasons are listed in this order. */
	if (facts.blocked)
		add_reason(&reasons, EFFECT_BLOCK, pstrdup("account is on stop"));
	if (!facts.has_account)
		add_reason(&reasons, EFFECT_REVIEW, pstrdup("customer has no credit account"));
	else if (!facts.has_limit)
		add_reason(&reasons, EFFECT_REVIEW, pstrdup("no credit limit is set"));
	else
	{
		available = DirectFunctionCall2(numeric_sub, facts.credit_limit, facts.exposure);
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(amount),
											  available)) > 0)
			add_reason(&reasons, EFFECT_REVIEW,
					   psprintf("order of %s exceeds available credit of %s (credit limit %s, open receivables %s)",
								numeric_text(NumericGetDatum(amount)), numeric_text(available),
								numeric_text(facts.credit_limit), numeric_text(facts.exposure)));
	}
	if (facts.risk_class != NULL &&
		(strcmp(facts.risk_class, "E") == 0 || strcmp(facts.risk_class, "D") == 0))
		add_reason(&reasons, facts.risk_class[0] == 'E' ? EFFECT_BLOCK : EFFECT_REVIEW,
				   psprintf("risk class %s (score %s, scored as of %s)", facts.risk_class,
							facts.score, facts.scored_as_of));
	dunning_rule(&reasons, &facts);
	event_rules(&reasons, &facts, today);

	if (reasons.block != NIL)
		decision = "block";
	else if (reasons.review != NIL)
		decision = "review";
	else
		decision = "approve";
	all_reasons = list_concat(reasons.block, reasons.review);
	if (all_reasons == NIL)
		all_reasons = list_make1(psprintf("order of %s is within available credit of %s",
										  numeric_text(NumericGetDatum(amount)),
										  numeric_text(available)));

	values[0] = CStringGetTextDatum(decision);
	values[1] = available;
	nulls[1] = !facts.has_account || !facts.has_limit;
	values[2] = text_array(all_reasons);
	/* The tuplestore copies the values out of SPI's memory. */
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	SPI_finish();
	return (Datum) 0;
}
