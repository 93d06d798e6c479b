/*-------------------------------------------------------------------------
 *
 * customer_facts.c
 *	  What crisk.check_order needs to know about a customer at call time:
 *	  the account, the latest score, legal events, the items open today,
 *	  open orders and live credit reservations.
 *
 * An order check must cost about as much as a primary-key lookup, and
 * measured, starting executors costs more than the lookups themselves.  So
 * crisk's own tables (account, score, event, and the built-in ledger
 * crisk.invoice) are read directly through their indexes on customer_id,
 * with the query's snapshot, as index scans in a plan would (the ledger as
 * an index-only scan); a ledger that is an ERP's table or view is read
 * through crisk.ledger by one statement prepared once per session.  When
 * crisk.set_ledger() points the ledger elsewhere it rewrites
 * crisk.ledger_rows(), which that kept plan has inlined, and the plan cache
 * replans it.  Nothing here takes row locks.
 *
 * On a store spread by crisk.distribute_store() the coordinator's tables
 * are empty shells: the same facts are read by one statement prepared
 * once per session, every branch filtered on the customer, which Citus
 * routes whole to the shard holding the customer's co-located rows (the
 * worker reads them with a snapshot of its own, taken by the statement).
 * The ledger is then crisk.invoice, which distribute_store() requires.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/itup.h"
#include "access/relscan.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/visibilitymap.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/predicate.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "access/xact.h"

#include "customer_facts.h"
#include "ledger_trust.h"
#include "table_cache.h"

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
 * The same with allocations (sql/install/51a_allocation.sql): what is left
 * of each item today, from the allocations applied by then, one index
 * probe each; an item left with nothing, or with the opposite sign
 * (over-applied), is settled.  OFFSET 0 keeps the sums from being computed
 * twice.
 */
static const char *const open_items_allocated_sql =
"SELECT i.open_amount, i.due_date FROM ("
"  SELECT l.amount, l.due_date,"
"         l.amount OPERATOR(pg_catalog.-) COALESCE((SELECT pg_catalog.sum(a.amount) FROM crisk.allocations a"
"                  WHERE a.invoice_id OPERATOR(pg_catalog.=) l.invoice_id"
"                    AND a.applied_on OPERATOR(pg_catalog.<=) $2), 0)"
"         OPERATOR(pg_catalog.+) CASE WHEN l.amount OPERATOR(pg_catalog.<) 0"
"              THEN COALESCE((SELECT pg_catalog.sum(a.amount) FROM crisk.allocations a"
"                             WHERE a.source_id OPERATOR(pg_catalog.=) l.invoice_id"
"                               AND a.applied_on OPERATOR(pg_catalog.<=) $2), 0)"
"              ELSE 0 END AS open_amount"
"  FROM crisk.ledger l"
"  WHERE l.customer_id OPERATOR(pg_catalog.=) $1"
"    AND (l.paid_date IS NULL OR l.paid_date OPERATOR(pg_catalog.>) $2)"
"  OFFSET 0) i"
" WHERE CASE WHEN i.amount OPERATOR(pg_catalog.>) 0 THEN i.open_amount OPERATOR(pg_catalog.>) 0"
"            WHEN i.amount OPERATOR(pg_catalog.<) 0 THEN i.open_amount OPERATOR(pg_catalog.<) 0"
"            WHEN i.amount OPERATOR(pg_catalog.=) 0 THEN i.open_amount OPERATOR(pg_catalog.=) 0"
"            ELSE true END";
static SPIPlanPtr open_items_allocated_plan = NULL;

/*
 * crisk's own tables, read directly through their indexes on customer_id:
 * an index probe costs less than starting an executor for it.  Their OIDs
 * are looked up by name and forgotten when the relcache says so.
 */
static CachedTable account_table = CACHED_TABLE("account");
static CachedTable account_index = CACHED_TABLE("account_pkey");
static CachedTable score_table = CACHED_TABLE("score");
static CachedTable score_index = CACHED_TABLE("score_pkey");
static CachedTable event_table = CACHED_TABLE("event");
static CachedTable event_index = CACHED_TABLE("event_customer_idx");

/*
 * When the ledger is crisk's own table (crisk.ledger_source is empty), its
 * open items are read the same way, by an index-only scan of
 * invoice_customer_idx; an ERP source is read through crisk.ledger.
 */
static CachedTable invoice_table = CACHED_TABLE("invoice");
static CachedTable invoice_index = CACHED_TABLE("invoice_customer_idx");
static CachedTable invoice_open_index = CACHED_TABLE("invoice_open_idx");
static CachedTable ledger_source_table = CACHED_TABLE("ledger_source");
static bool ledger_builtin = true;
static Oid	ledger_source_oid = InvalidOid;	/* the ERP source, when not builtin */

/*
 * The orders source (crisk.order_source), read through
 * crisk.order_source_rows(), and the reservations, read directly.  The
 * orders query lists the customer's orders with the ones the ledger already
 * holds (an invoice numbered as the order) left out; order_id is kept so
 * that reservations can be matched against the orders.
 */
static CachedTable order_source_table = CACHED_TABLE("order_source");
static Oid	order_source_oid = InvalidOid;
static CachedTable reservation_table = CACHED_TABLE("credit_reservation");
static CachedTable reservation_index = CACHED_TABLE("credit_reservation_customer_idx");

static const char *const open_orders_sql =
"SELECT o.order_id, o.amount FROM crisk.order_source_rows() o"
" WHERE o.customer_id OPERATOR(pg_catalog.=) $1"
"   AND NOT EXISTS (SELECT FROM crisk.ledger l"
"                   WHERE l.customer_id OPERATOR(pg_catalog.=) $1"
"                     AND l.invoice_id OPERATOR(pg_catalog.=) o.order_id)";
static SPIPlanPtr open_orders_plan = NULL;

static const char *const invoiced_sql =
"SELECT EXISTS (SELECT FROM crisk.ledger l"
"               WHERE l.customer_id OPERATOR(pg_catalog.=) $1"
"                 AND l.invoice_id OPERATOR(pg_catalog.=) $2)";
static SPIPlanPtr invoiced_plan = NULL;

/*
 * The same facts on a distributed store, $1 the customer, $2 today: one
 * statement whose every branch names the distribution column, so that
 * Citus sends it whole to the shard holding the customer's co-located
 * rows, one round trip.  part says which table a row comes from: 1 the
 * account, 2 the latest score, 3 a legal event, 4 an item open by
 * paid_date, 5 a credit reservation.
 */
static const char *const distributed_facts_sql =
"SELECT 1 AS part, a.credit_limit AS amount, NULL::pg_catalog.date AS day,"
"       a.dunning_policy AS name, a.blocked AS flag, NULL::pg_catalog.int8 AS id,"
"       NULL::pg_catalog.timestamptz AS at, NULL::pg_catalog.int4 AS score"
"  FROM crisk.account a WHERE a.customer_id OPERATOR(pg_catalog.=) $1"
" UNION ALL "
"SELECT 2, NULL, s.as_of, s.risk_class, NULL, NULL, NULL, s.score"
"  FROM crisk.score s WHERE s.customer_id OPERATOR(pg_catalog.=) $1"
" UNION ALL "
"SELECT 3, NULL, e.occurred_on, e.kind, NULL, e.event_id, NULL, NULL"
"  FROM crisk.event e WHERE e.customer_id OPERATOR(pg_catalog.=) $1"
" UNION ALL "
"SELECT 4, i.amount, i.due_date, i.invoice_id, NULL, NULL, NULL, NULL"
"  FROM crisk.invoice i WHERE i.customer_id OPERATOR(pg_catalog.=) $1"
"   AND (i.paid_date IS NULL OR i.paid_date OPERATOR(pg_catalog.>) $2)"
" UNION ALL "
"SELECT 5, r.amount, NULL, r.order_id, NULL, NULL, r.expires_at, NULL"
"  FROM crisk.credit_reservation r WHERE r.customer_id OPERATOR(pg_catalog.=) $1";
static SPIPlanPtr distributed_facts_plan = NULL;

/* The columns of distributed_facts_sql. */
enum
{
	FACT_PART = 1, FACT_AMOUNT, FACT_DAY, FACT_NAME, FACT_FLAG, FACT_ID, FACT_AT, FACT_SCORE
};

/*
 * With allocations (kept on the coordinator): what is left today of each
 * item the shard found open by paid_date, computed on the coordinator as
 * open_items_allocated_sql does; $1 today, $2..$4 the items' numbers,
 * amounts and due dates.
 */
static const char *const distributed_allocated_sql =
"SELECT i.open_amount, i.due_date FROM ("
"  SELECT l.amount, l.due_date,"
"         l.amount OPERATOR(pg_catalog.-) COALESCE((SELECT pg_catalog.sum(a.amount) FROM crisk.allocations a"
"                  WHERE a.invoice_id OPERATOR(pg_catalog.=) l.invoice_id"
"                    AND a.applied_on OPERATOR(pg_catalog.<=) $1), 0)"
"         OPERATOR(pg_catalog.+) CASE WHEN l.amount OPERATOR(pg_catalog.<) 0"
"              THEN COALESCE((SELECT pg_catalog.sum(a.amount) FROM crisk.allocations a"
"                             WHERE a.source_id OPERATOR(pg_catalog.=) l.invoice_id"
"                               AND a.applied_on OPERATOR(pg_catalog.<=) $1), 0)"
"              ELSE 0 END AS open_amount"
"  FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4))"
"       AS l(invoice_id, amount, due_date)"
"  OFFSET 0) i"
" WHERE CASE WHEN i.amount OPERATOR(pg_catalog.>) 0 THEN i.open_amount OPERATOR(pg_catalog.>) 0"
"            WHEN i.amount OPERATOR(pg_catalog.<) 0 THEN i.open_amount OPERATOR(pg_catalog.<) 0"
"            WHEN i.amount OPERATOR(pg_catalog.=) 0 THEN i.open_amount OPERATOR(pg_catalog.=) 0"
"            ELSE true END";
static SPIPlanPtr distributed_allocated_plan = NULL;
/* $2 an order number */
static const char *const distributed_invoiced_sql =
"SELECT i.invoice_id FROM crisk.invoice i"
" WHERE i.customer_id OPERATOR(pg_catalog.=) $1"
"   AND i.invoice_id OPERATOR(pg_catalog.=) $2 LIMIT 1";
static SPIPlanPtr distributed_invoiced_plan = NULL;
/* The orders source is the ERP's, on the coordinator: read alone. */
static const char *const distributed_orders_sql =
"SELECT o.order_id, o.amount FROM crisk.order_source_rows() o"
" WHERE o.customer_id OPERATOR(pg_catalog.=) $1";
static SPIPlanPtr distributed_orders_plan = NULL;

/* Whether the facts being gathered come from a distributed store. */
static bool reading_distributed = false;

static SPIPlanPtr keep_plan_with_options(SPIPlanPtr *plan, const char *sql, int nargs,
										  Oid *argtypes, int options);

/*
 * keep_plan prepares a statement once per session with a generic plan:
 * every call runs the same index lookups whatever the customer, and
 * planning costs more than running, so the plan cache must not try custom
 * plans first.
 */
static SPIPlanPtr
keep_plan(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes)
{
	return keep_plan_with_options(plan, sql, nargs, argtypes, CURSOR_OPT_GENERIC_PLAN);
}

/*
 * keep_plan_with_options prepares a statement once per session with the
 * given cursor options.  Citus cannot plan a generic plan of a statement
 * that is not a plain one-table lookup (distributed_facts_sql) with its
 * parameters unknown: without CURSOR_OPT_GENERIC_PLAN, the plan cache
 * plans it for each call's customer, which Citus then sends to one shard.
 */
static SPIPlanPtr
keep_plan_with_options(SPIPlanPtr *plan, const char *sql, int nargs, Oid *argtypes,
					   int options)
{
	if (*plan == NULL)
	{
		SPIPlanPtr	prepared = SPI_prepare_cursor(sql, nargs, argtypes, options);

		if (prepared == NULL)
			elog(ERROR, "crisk: SPI_prepare_cursor failed: %s",
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(prepared) != 0)
			elog(ERROR, "crisk: SPI_keepplan failed");
		*plan = prepared;
	}
	return *plan;
}

/*
 * compare_events orders events by date, then by id, for qsort.
 */
static int
compare_events(const void *a, const void *b)
{
	const CustomerEvent *x = (const CustomerEvent *) a;
	const CustomerEvent *y = (const CustomerEvent *) b;

	if (x->occurred_on != y->occurred_on)
		return x->occurred_on < y->occurred_on ? -1 : 1;
	if (x->event_id != y->event_id)
		return x->event_id < y->event_id ? -1 : 1;
	return 0;
}

/* Called for each row found by scan_by_customer. */
typedef void (*RowCallback) (TupleTableSlot *slot, TupleDesc desc,
							CustomerFacts *facts);

/*
 * scan_by_customer reads the rows of a crisk table whose index on
 * customer_id matches, with the query's snapshot, as an index scan in a
 * plan would; the locks are kept to the end of the transaction, as the
 * executor's are.
 */
static void
scan_by_customer(CachedTable *table, CachedTable *index, Datum customer_id,
				 RowCallback callback, CustomerFacts *facts)
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
		elog(ERROR, "crisk: column \"%s\" not found", name);
	att = TupleDescAttr(desc, attnum - 1);
	value = slot_getattr(slot, attnum, isnull);
	return *isnull ? (Datum) 0 : datumCopy(value, att->attbyval, att->attlen);
}

/*
 * account_row takes the account's limit, order stop and dunning policy.
 */
static void
account_row(TupleTableSlot *slot, TupleDesc desc, CustomerFacts *facts)
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

/*
 * score_row takes the latest score, risk class and as-of date.
 */
static void
score_row(TupleTableSlot *slot, TupleDesc desc, CustomerFacts *facts)
{
	bool		isnull;
	Datum		value;

	facts->scored = true;
	facts->score = DatumGetInt32(column_value(slot, desc, "score", &isnull));
	value = column_value(slot, desc, "risk_class", &isnull);
	facts->risk_class = isnull ? NULL : TextDatumGetCString(value);
	facts->scored_as_of = DatumGetDateADT(column_value(slot, desc, "as_of", &isnull));
}

/*
 * event_row adds a legal event to the customer's list.
 */
static void
event_row(TupleTableSlot *slot, TupleDesc desc, CustomerFacts *facts)
{
	bool		isnull;
	CustomerEvent *event;

	if (facts->nevents == facts->events_allocated)
	{
		facts->events_allocated = Max(8, facts->events_allocated * 2);
		facts->events = facts->events == NULL ?
			palloc(sizeof(CustomerEvent) * facts->events_allocated) :
			repalloc(facts->events, sizeof(CustomerEvent) * facts->events_allocated);
	}
	event = &facts->events[facts->nevents++];
	event->kind = TextDatumGetCString(column_value(slot, desc, "kind", &isnull));
	event->occurred_on = DatumGetDateADT(column_value(slot, desc, "occurred_on", &isnull));
	event->event_id = DatumGetInt64(column_value(slot, desc, "event_id", &isnull));
}

/*
 * builtin_ledger says whether crisk reads its own crisk.invoice, that is
 * whether crisk.ledger_source is empty, from a session cache dropped when
 * that table changes; otherwise it keeps the source's OID.
 */
static bool
builtin_ledger(void)
{
	if (!table_cache_is_valid(&ledger_source_table))
	{
		TableCacheScan *scan = table_cache_begin_scan(&ledger_source_table);
		HeapTuple	tuple = table_cache_scan_next(scan);

		ledger_builtin = (tuple == NULL);
		ledger_source_oid = InvalidOid;
		if (tuple != NULL)
		{
			int			attnum = SPI_fnumber(scan->tupdesc, "source");
			bool		isnull;
			Datum		source;

			if (attnum <= 0)
				elog(ERROR, "crisk: column \"source\" of crisk.ledger_source not found");
			source = heap_getattr(tuple, attnum, scan->tupdesc, &isnull);
			if (!isnull)
				ledger_source_oid = ledger_source_relid(source,
														SPI_gettypeid(scan->tupdesc, attnum));
		}
		table_cache_end_scan(scan);
	}
	return ledger_builtin;
}

/*
 * The allocations source (crisk.allocation_source), cached for the session
 * as the ledger source is, and crisk.allocation, probed through its index.
 */
static CachedTable allocation_source_table = CACHED_TABLE("allocation_source");
static bool allocation_source_set = false;
static Oid	allocation_source_oid = InvalidOid;
static CachedTable allocation_table = CACHED_TABLE("allocation");
static CachedTable allocation_index = CACHED_TABLE("allocation_invoice_idx");

/*
 * allocations_in_use says whether open amounts must come from allocations:
 * an ERP source is named (crisk.allocation_source has a row, whose relation
 * goes to *erp_source), or crisk.allocation holds a row visible to the
 * active snapshot.  Without either, a ledger item is open for its whole
 * amount, and the built-in ledger is read from its index alone.  The source
 * comes from the session's cache, and crisk.allocation is asked for its
 * first row in index order: a sequential scan would first ask the kernel
 * for the table's size, a system call on every order check.  False under
 * the 0.1.0 schema, which has no allocations.
 */
static bool
allocations_in_use(Oid *erp_source)
{
	Relation	rel;
	Relation	idx;
	TupleTableSlot *slot;
	IndexScanDesc scan;
	bool		found;

	*erp_source = InvalidOid;
	if (!OidIsValid(get_relname_relid("allocation", get_namespace_oid("crisk", false))))
		return false;
	if (!table_cache_is_valid(&allocation_source_table))
	{
		TableCacheScan *source_scan = table_cache_begin_scan(&allocation_source_table);
		HeapTuple	tuple = table_cache_scan_next(source_scan);

		allocation_source_set = (tuple != NULL);
		allocation_source_oid = InvalidOid;
		if (tuple != NULL)
		{
			bool		isnull;
			Datum		source = heap_getattr(tuple,
											  table_cache_attnum(source_scan, "source", REGCLASSOID),
											  source_scan->tupdesc, &isnull);

			if (!isnull)
				allocation_source_oid = DatumGetObjectId(source);
		}
		table_cache_end_scan(source_scan);
	}
	if (allocation_source_set)
	{
		*erp_source = allocation_source_oid;
		return true;
	}

	rel = table_open(table_cache_relid(&allocation_table), AccessShareLock);
	idx = index_open(table_cache_relid(&allocation_index), AccessShareLock);
	slot = table_slot_create(rel, NULL);
	scan = index_beginscan(rel, idx, GetActiveSnapshot(), 0, 0);
	index_rescan(scan, NULL, 0, NULL, 0);
	found = index_getnext_slot(scan, ForwardScanDirection, slot);
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(idx, NoLock);
	table_close(rel, NoLock);
	return found;
}

/*
 * add_open_item counts one ledger item open today into the facts.
 */
static void
add_open_item(CustomerFacts *facts, Datum amount, bool amount_null, Datum due, bool due_null,
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
		elog(ERROR, "crisk: index %s has no column \"%s\"",
			 RelationGetRelationName(index), name);
	return attnum;
}

/*
 * index_tuple_visible positions the index-only read of scan on its current
 * entry, as an index-only scan in a plan does: the heap is visited only
 * when the visibility map does not say that the entry's page is
 * all-visible, and then only to learn whether a version of the row is
 * visible to the snapshot.  Without a visit, the predicate lock the visit
 * would have taken is taken on the page.  The entry's values are then read
 * from scan->xs_itup: columns of an index never change along a HOT chain.
 * *from_heap tells whether heap_slot holds the visited row (to be
 * cleared by the caller).
 */
static bool
index_tuple_visible(IndexScanDesc scan, ItemPointer tid, TupleTableSlot *heap_slot,
					Buffer *vm_buffer, bool *from_heap)
{
	Relation	heap = scan->heapRelation;

	*from_heap = false;
	if (!VM_ALL_VISIBLE(heap, ItemPointerGetBlockNumber(tid), vm_buffer))
	{
		if (!index_fetch_heap(scan, heap_slot))
			return false;		/* no version visible to this snapshot */
		*from_heap = true;
	}
	else
		PredicateLockPage(heap, ItemPointerGetBlockNumber(tid), scan->xs_snapshot);
	if (scan->xs_itup == NULL)
		elog(ERROR, "crisk: the index returned no tuple");
	return true;
}

/*
 * The allocations of one ledger item, read from crisk.allocation through one
 * of its indexes (by the item, or by the credit note they consumed), whose
 * included amount answers without visiting the table.  The scan is begun
 * once per check and moved from item to item.
 */
typedef struct AllocationProbe
{
	Relation	heap;
	Relation	index;
	IndexScanDesc scan;
	TupleTableSlot *slot;
	Buffer		vm_buffer;
	int			amount_col;
} AllocationProbe;

static CachedTable allocation_by_source_index = CACHED_TABLE("allocation_source_idx");

/*
 * begin_allocation_probe opens crisk.allocation and one of its indexes for
 * the probes of one check, with the active snapshot.
 */
static void
begin_allocation_probe(AllocationProbe *probe, CachedTable *index)
{
	probe->heap = table_open(table_cache_relid(&allocation_table), AccessShareLock);
	probe->index = index_open(table_cache_relid(index), AccessShareLock);
	probe->slot = table_slot_create(probe->heap, NULL);
	probe->vm_buffer = InvalidBuffer;
	probe->amount_col = index_column(probe->index, "amount");
	probe->scan = index_beginscan(probe->heap, probe->index, GetActiveSnapshot(), 2, 0);
	probe->scan->xs_want_itup = true;
}

/*
 * end_allocation_probe ends the probes; the locks stay to the end of the
 * transaction, as the executor's do.
 */
static void
end_allocation_probe(AllocationProbe *probe)
{
	if (probe->vm_buffer != InvalidBuffer)
		ReleaseBuffer(probe->vm_buffer);
	index_endscan(probe->scan);
	ExecDropSingleTupleTableSlot(probe->slot);
	index_close(probe->index, NoLock);
	table_close(probe->heap, NoLock);
}

/*
 * allocated_by_today returns the sum of the amounts of the allocations
 * whose first index column is key and which were applied on or before
 * today (zero when there are none): the probe's index leads with the
 * item's or the credit note's invoice_id, then applied_on.
 */
static Datum
allocated_by_today(AllocationProbe *probe, Datum key, DateADT today, Datum zero)
{
	ScanKeyData keys[2];
	Datum		total = zero;
	ItemPointer tid;

	ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   probe->index->rd_indcollation[0], F_TEXTEQ, key);
	ScanKeyEntryInitialize(&keys[1], 0, 2, BTLessEqualStrategyNumber, InvalidOid,
						   InvalidOid, F_DATE_LE, DateADTGetDatum(today));
	index_rescan(probe->scan, keys, 2, NULL, 0);
	while ((tid = index_getnext_tid(probe->scan, ForwardScanDirection)) != NULL)
	{
		bool		from_heap;
		bool		isnull;
		Datum		amount;

		if (!index_tuple_visible(probe->scan, tid, probe->slot, &probe->vm_buffer, &from_heap))
			continue;
		amount = index_getattr(probe->scan->xs_itup, probe->amount_col,
							   probe->scan->xs_itupdesc, &isnull);
		if (!isnull)
			total = DirectFunctionCall2(numeric_add, total, amount);
		if (from_heap)
			ExecClearTuple(probe->slot);
	}
	return total;
}

/*
 * open_after_allocations returns what is left today of a ledger item of
 * the given amount (SPEC 5.2): the amount less its allocations applied by
 * today, and for a credit note plus what it was applied to others by then.
 * *open is false when nothing is left, or when allocations went past the
 * amount (an over-applied invoice is settled, not a credit), as
 * open_items_allocated_sql decides for other sources.
 */
static Datum
open_after_allocations(AllocationProbe *by_item, AllocationProbe *by_source, Datum invoice_id,
					   Datum amount, DateADT today, Datum zero, bool *open)
{
	int			sign = DatumGetInt32(DirectFunctionCall2(numeric_cmp, amount, zero));
	Datum		left = DirectFunctionCall2(numeric_sub, amount,
										   allocated_by_today(by_item, invoice_id, today, zero));
	int			left_sign;

	if (sign < 0)
		left = DirectFunctionCall2(numeric_add, left,
								   allocated_by_today(by_source, invoice_id, today, zero));
	left_sign = DatumGetInt32(DirectFunctionCall2(numeric_cmp, left, zero));
	*open = (sign > 0) ? left_sign > 0 : (sign < 0) ? left_sign < 0 : left_sign == 0;
	return left;
}

/*
 * What scan_builtin_ledger carries from one range of an index to the next.
 */
typedef struct LedgerRead
{
	Relation	heap;
	TupleTableSlot *heap_slot;
	Buffer		vm_buffer;
	int			invoice_id_col;	/* in the heap */
	bool		allocated;
	AllocationProbe by_item;
	AllocationProbe by_source;
	DateADT		today;
	Datum		zero;
	CustomerFacts *facts;
} LedgerRead;

/*
 * read_ledger_range counts the items of one index range into the facts:
 * amount and due_date from the index, and with allocations the invoice_id
 * from the index when it holds it, else from the row.
 */
static void
read_ledger_range(LedgerRead *read, Relation index, ScanKey keys, int nkeys)
{
	int			amount_col = index_column(index, "amount");
	int			due_col = index_column(index, "due_date");
	int			id_col = read->allocated ? SPI_fnumber(RelationGetDescr(index), "invoice_id") : 0;
	IndexScanDesc scan = index_beginscan(read->heap, index, GetActiveSnapshot(), nkeys, 0);
	ItemPointer tid;

	scan->xs_want_itup = true;
	index_rescan(scan, keys, nkeys, NULL, 0);
	while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
	{
		bool		from_heap;
		Datum		amount;
		Datum		due;
		bool		amount_null;
		bool		due_null;

		CHECK_FOR_INTERRUPTS();
		if (!index_tuple_visible(scan, tid, read->heap_slot, &read->vm_buffer, &from_heap))
			continue;
		amount = index_getattr(scan->xs_itup, amount_col, scan->xs_itupdesc, &amount_null);
		due = index_getattr(scan->xs_itup, due_col, scan->xs_itupdesc, &due_null);
		if (read->allocated && !amount_null)
		{
			bool		id_null;
			bool		open;
			Datum		invoice_id;

			if (id_col > 0)
				invoice_id = index_getattr(scan->xs_itup, id_col, scan->xs_itupdesc, &id_null);
			else
			{
				if (!from_heap && !index_fetch_heap(scan, read->heap_slot))
					continue;
				from_heap = true;
				invoice_id = slot_getattr(read->heap_slot, read->invoice_id_col, &id_null);
			}
			if (id_null)
				elog(ERROR, "crisk: crisk.invoice holds an item without invoice_id");
			amount = open_after_allocations(&read->by_item, &read->by_source, invoice_id, amount,
											read->today, read->zero, &open);
			if (!open)
			{
				if (from_heap)
					ExecClearTuple(read->heap_slot);
				continue;
			}
		}
		if (from_heap)
			ExecClearTuple(read->heap_slot);
		add_open_item(read->facts, amount, amount_null, due, due_null, read->today, read->zero);
	}
	index_endscan(scan);
}

/*
 * scan_builtin_ledger reads the customer's open items from crisk.invoice's
 * indexes, as an index-only scan in a plan would: the indexes hold every
 * column needed, and the heap is visited only for pages not known to be
 * all-visible.  Two ranges are read, the unpaid items (paid_date IS NULL)
 * and those paid after today, so that a customer's paid history, however
 * long, is not walked on every check: both from invoice_customer_idx
 * (customer_id, paid_date).
 *
 * With allocations in crisk.allocation (allocated), each item is what is
 * left of it today, from its allocations probed through their indexes, as
 * open_items_allocated_sql does in a plan; the unpaid items then come from
 * invoice_open_idx, the partial index of the unpaid items, which holds
 * their invoice_id (a 0.2.0 index: allocations exist only from 0.2.0 on),
 * and those paid after today, few, from a visit to their row.
 */
static void
scan_builtin_ledger(Datum customer_id, DateADT today, Datum zero, bool allocated,
					CustomerFacts *facts)
{
	Relation	customer_index = index_open(table_cache_relid(&invoice_index), AccessShareLock);
	Relation	open_index = NULL;
	int			paid_col = index_column(customer_index, "paid_date");
	ScanKeyData keys[2];
	LedgerRead	read;

	read.heap = table_open(table_cache_relid(&invoice_table), AccessShareLock);
	read.heap_slot = table_slot_create(read.heap, NULL);
	read.vm_buffer = InvalidBuffer;
	read.invoice_id_col = SPI_fnumber(RelationGetDescr(read.heap), "invoice_id");
	read.allocated = allocated;
	read.today = today;
	read.zero = zero;
	read.facts = facts;
	if (paid_col > IndexRelationGetNumberOfKeyAttributes(customer_index))
		elog(ERROR, "crisk: paid_date is not a key column of index %s",
			 RelationGetRelationName(customer_index));
	if (read.invoice_id_col <= 0)
		elog(ERROR, "crisk: column \"invoice_id\" of crisk.invoice not found");

	ScanKeyEntryInitialize(&keys[0], 0, 1, BTEqualStrategyNumber, InvalidOid,
						   customer_index->rd_indcollation[0], F_TEXTEQ, customer_id);
	if (allocated)
	{
		begin_allocation_probe(&read.by_item, &allocation_index);
		begin_allocation_probe(&read.by_source, &allocation_by_source_index);
		open_index = index_open(table_cache_relid(&invoice_open_index), AccessShareLock);
		read_ledger_range(&read, open_index, keys, 1);
	}
	else
	{
		ScanKeyEntryInitialize(&keys[1], SK_ISNULL | SK_SEARCHNULL, paid_col,
							   InvalidStrategy, InvalidOid, InvalidOid,
							   InvalidOid, (Datum) 0);
		read_ledger_range(&read, customer_index, keys, 2);
	}
	ScanKeyEntryInitialize(&keys[1], 0, paid_col, BTGreaterStrategyNumber,
						   InvalidOid, InvalidOid, F_DATE_GT, DateADTGetDatum(today));
	read_ledger_range(&read, customer_index, keys, 2);

	if (read.vm_buffer != InvalidBuffer)
		ReleaseBuffer(read.vm_buffer);
	if (allocated)
	{
		index_close(open_index, NoLock);
		end_allocation_probe(&read.by_source);
		end_allocation_probe(&read.by_item);
	}
	ExecDropSingleTupleTableSlot(read.heap_slot);
	index_close(customer_index, NoLock);
	table_close(read.heap, NoLock);
}

/*
 * reservation_row keeps a credit reservation of the customer.
 */
static void
reservation_row(TupleTableSlot *slot, TupleDesc desc, CustomerFacts *facts)
{
	bool		isnull;
	Datum		value;
	CustomerReservation *reservation;

	if (facts->nreservations == facts->reservations_allocated)
	{
		facts->reservations_allocated = Max(8, facts->reservations_allocated * 2);
		facts->reservations = facts->reservations == NULL ?
			palloc(sizeof(CustomerReservation) * facts->reservations_allocated) :
			repalloc(facts->reservations,
					 sizeof(CustomerReservation) * facts->reservations_allocated);
	}
	reservation = &facts->reservations[facts->nreservations++];
	value = column_value(slot, desc, "order_id", &isnull);
	reservation->order_id = isnull ? NULL : TextDatumGetCString(value);
	reservation->amount = column_value(slot, desc, "amount", &isnull);
	reservation->expires_at = DatumGetTimestampTz(column_value(slot, desc, "expires_at", &isnull));
}

/*
 * orders_source says which relation crisk.order_source names, InvalidOid
 * when none, from a session cache dropped when that table changes.
 */
static Oid
orders_source(void)
{
	if (!table_cache_is_valid(&order_source_table))
	{
		TableCacheScan *scan = table_cache_begin_scan(&order_source_table);
		HeapTuple	tuple = table_cache_scan_next(scan);

		order_source_oid = InvalidOid;
		if (tuple != NULL)
		{
			int			attnum = SPI_fnumber(scan->tupdesc, "source");
			bool		isnull;
			Datum		source;

			if (attnum <= 0)
				elog(ERROR, "crisk: column \"source\" of crisk.order_source not found");
			source = heap_getattr(tuple, attnum, scan->tupdesc, &isnull);
			if (!isnull)
				order_source_oid = DatumGetObjectId(source);
		}
		table_cache_end_scan(scan);
	}
	return order_source_oid;
}

/*
 * same_order says whether two order numbers are the same; NULL matches
 * nothing.
 */
static bool
same_order(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/*
 * in_ledger says whether the customer's ledger holds an invoice numbered
 * as the order.
 */
static bool
in_ledger(Datum customer_id, const char *order_id)
{
	Oid			argtypes[2] = {TEXTOID, TEXTOID};
	Datum		args[2];
	bool		isnull;
	int			rc;

	args[0] = customer_id;
	args[1] = CStringGetTextDatum(order_id);
	if (reading_distributed)
	{
		rc = SPI_execute_plan(keep_plan(&distributed_invoiced_plan, distributed_invoiced_sql,
										2, argtypes),
							  args, NULL, true, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "crisk: reading the ledger failed (%d)", rc);
		return SPI_processed > 0;
	}
	if (!ledger_builtin)
		ledger_source_check_owner(ledger_source_oid);
	rc = SPI_execute_plan(keep_plan(&invoiced_plan, invoiced_sql, 2, argtypes),
						  args, NULL, true, 1);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "crisk: reading the ledger failed (%d)", rc);
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * commitments_installed says whether crisk's schema has the orders source
 * and the reservations: not under the 0.1.0 schema, which this library
 * serves until ALTER EXTENSION crisk UPDATE has run.  A catalog cache
 * lookup.
 */
static bool
commitments_installed(void)
{
	return OidIsValid(get_relname_relid("credit_reservation",
										get_namespace_oid("crisk", false)));
}

/*
 * gather_commitments adds what the customer has committed to beyond the
 * ledger: orders in the orders source not yet invoiced (no invoice of the
 * customer carries their number), and live reservations, that is not
 * expired and whose order has not yet shown up in the orders source or the
 * ledger.  Neither counts the order being checked (order_id).  Without an
 * orders source and without reservations this costs one index probe.
 */
static void
gather_commitments(Datum customer_id, const char *order_id, Datum zero,
				   CustomerFacts *facts)
{
	Oid			source;
	List	   *orders = NIL;
	TimestampTz now = GetCurrentTransactionStartTimestamp();
	int			i;

	facts->open_orders = zero;
	facts->reserved = zero;
	if (!commitments_installed())
		return;
	source = orders_source();
	if (OidIsValid(source))
	{
		Oid			argtypes[1] = {TEXTOID};
		Datum		args[1];
		TupleDesc	desc;
		SPITupleTable *rows;
		uint64		nrows;
		uint64		j;
		int			rc;

		/* Before planning, which may run the sources' functions already. */
		order_source_check_owner(source);
		if (!ledger_builtin && !reading_distributed)
			ledger_source_check_owner(ledger_source_oid);
		args[0] = customer_id;
		/*
		 * On a distributed store the orders (on the coordinator) are read
		 * alone, and each is looked up in the customer's shard of the
		 * ledger.
		 */
		if (reading_distributed)
			rc = SPI_execute_plan(keep_plan(&distributed_orders_plan, distributed_orders_sql,
											1, argtypes),
								  args, NULL, true, 0);
		else
			rc = SPI_execute_plan(keep_plan(&open_orders_plan, open_orders_sql, 1, argtypes),
								  args, NULL, true, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "crisk: reading the orders source failed (%d)", rc);
		rows = SPI_tuptable;
		nrows = SPI_processed;
		desc = rows->tupdesc;
		for (j = 0; j < nrows; j++)
		{
			HeapTuple	tuple = rows->vals[j];
			bool		id_null;
			bool		amount_null;
			Datum		id = SPI_getbinval(tuple, desc, 1, &id_null);
			Datum		amount = SPI_getbinval(tuple, desc, 2, &amount_null);
			char	   *id_text = id_null ? NULL : TextDatumGetCString(id);

			if (reading_distributed && id_text != NULL && in_ledger(customer_id, id_text))
				continue;		/* invoiced already */
			if (id_text != NULL)
				orders = lappend(orders, id_text);
			if (amount_null || same_order(id_text, order_id))
				continue;
			facts->open_orders = DirectFunctionCall2(numeric_add, facts->open_orders, amount);
		}
	}

	/* On a distributed store they came with the other facts. */
	if (!reading_distributed)
		scan_by_customer(&reservation_table, &reservation_index, customer_id,
						 reservation_row, facts);
	for (i = 0; i < facts->nreservations; i++)
	{
		const CustomerReservation *reservation = &facts->reservations[i];
		bool		released = false;
		ListCell   *cell;

		if (reservation->expires_at <= now || same_order(reservation->order_id, order_id))
			continue;
		if (reservation->order_id != NULL)
		{
			foreach(cell, orders)
			{
				if (strcmp((char *) lfirst(cell), reservation->order_id) == 0)
					released = true;
			}
			if (!released)
				released = in_ledger(customer_id, reservation->order_id);
		}
		if (!released)
			facts->reserved = DirectFunctionCall2(numeric_add, facts->reserved,
												  reservation->amount);
	}
}

/*
 * fact_value returns a column of a row of distributed_facts_sql, copied
 * out of SPI's tuple table.
 */
static Datum
fact_value(HeapTuple row, TupleDesc desc, int column, bool *isnull)
{
	Form_pg_attribute att = TupleDescAttr(desc, column - 1);
	Datum		value = SPI_getbinval(row, desc, column, isnull);

	return *isnull ? (Datum) 0 : datumCopy(value, att->attbyval, att->attlen);
}

/*
 * build_array makes a one-dimensional array of n values of type typid.
 */
static Datum
build_array(Datum *values, bool *nulls, int n, Oid typid)
{
	int			dims[1];
	int			lbs[1] = {1};
	int16		typlen;
	bool		typbyval;
	char		typalign;

	dims[0] = n;
	get_typlenbyvalalign(typid, &typlen, &typbyval, &typalign);
	return PointerGetDatum(construct_md_array(values, nulls, 1, dims, lbs, typid,
											  typlen, typbyval, typalign));
}

/*
 * gather_distributed_facts reads the customer's facts from a distributed
 * store in one statement routed to the customer's shard; with allocations,
 * what is left of the open items is then computed on the coordinator.
 */
static void
gather_distributed_facts(Datum customer_id, DateADT today, const char *order_id,
						 Datum zero, CustomerFacts *facts)
{
	Oid			argtypes[2] = {TEXTOID, DATEOID};
	Datum		args[2];
	SPITupleTable *rows;
	TupleDesc	desc;
	uint64		n;
	uint64		i;
	int			rc;
	Oid			allocation_source;
	bool		allocated = allocations_in_use(&allocation_source);
	int			nitems = 0;
	Datum	   *item_values[3] = {NULL, NULL, NULL};
	bool	   *item_nulls[3] = {NULL, NULL, NULL};

	/* Before planning, which may run the source's functions already. */
	if (OidIsValid(allocation_source))
		allocation_source_check_owner(allocation_source);
	args[0] = customer_id;
	args[1] = DateADTGetDatum(today);
	rc = SPI_execute_plan(keep_plan_with_options(&distributed_facts_plan, distributed_facts_sql,
												 2, argtypes, 0),
						  args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk: reading the customer's rows failed (%d)", rc);
	rows = SPI_tuptable;
	desc = rows->tupdesc;
	n = SPI_processed;
	if (allocated && n > 0)
	{
		int			column;

		for (column = 0; column < 3; column++)
		{
			item_values[column] = palloc(sizeof(Datum) * n);
			item_nulls[column] = palloc(sizeof(bool) * n);
		}
	}
	for (i = 0; i < n; i++)
	{
		HeapTuple	row = rows->vals[i];
		bool		isnull;
		int32		part = DatumGetInt32(SPI_getbinval(row, desc, FACT_PART, &isnull));
		Datum		value;

		CHECK_FOR_INTERRUPTS();
		switch (part)
		{
			case 1:				/* the account */
				facts->has_account = true;
				facts->credit_limit = fact_value(row, desc, FACT_AMOUNT, &isnull);
				facts->has_limit = !isnull;
				value = fact_value(row, desc, FACT_FLAG, &isnull);
				facts->blocked = !isnull && DatumGetBool(value);
				value = fact_value(row, desc, FACT_NAME, &isnull);
				facts->dunning_policy = isnull ? NULL : TextDatumGetCString(value);
				break;
			case 2:				/* the latest score */
				facts->scored = true;
				facts->score = DatumGetInt32(fact_value(row, desc, FACT_SCORE, &isnull));
				value = fact_value(row, desc, FACT_NAME, &isnull);
				facts->risk_class = isnull ? NULL : TextDatumGetCString(value);
				facts->scored_as_of = DatumGetDateADT(fact_value(row, desc, FACT_DAY, &isnull));
				break;
			case 3:				/* a legal event */
				{
					CustomerEvent *event;

					if (facts->nevents == facts->events_allocated)
					{
						facts->events_allocated = Max(8, facts->events_allocated * 2);
						facts->events = facts->events == NULL ?
							palloc(sizeof(CustomerEvent) * facts->events_allocated) :
							repalloc(facts->events, sizeof(CustomerEvent) * facts->events_allocated);
					}
					event = &facts->events[facts->nevents++];
					event->kind = TextDatumGetCString(fact_value(row, desc, FACT_NAME, &isnull));
					event->occurred_on = DatumGetDateADT(fact_value(row, desc, FACT_DAY, &isnull));
					event->event_id = DatumGetInt64(fact_value(row, desc, FACT_ID, &isnull));
				}
				break;
			case 4:				/* an item open by paid_date */
				if (allocated)
				{
					item_values[0][nitems] = fact_value(row, desc, FACT_NAME, &item_nulls[0][nitems]);
					item_values[1][nitems] = fact_value(row, desc, FACT_AMOUNT, &item_nulls[1][nitems]);
					item_values[2][nitems] = fact_value(row, desc, FACT_DAY, &item_nulls[2][nitems]);
					nitems++;
				}
				else
				{
					bool		amount_null;
					bool		due_null;
					Datum		amount = fact_value(row, desc, FACT_AMOUNT, &amount_null);
					Datum		due = fact_value(row, desc, FACT_DAY, &due_null);

					add_open_item(facts, amount, amount_null, due, due_null, today, zero);
				}
				break;
			case 5:				/* a credit reservation */
				{
					CustomerReservation *reservation;

					if (facts->nreservations == facts->reservations_allocated)
					{
						facts->reservations_allocated = Max(8, facts->reservations_allocated * 2);
						facts->reservations = facts->reservations == NULL ?
							palloc(sizeof(CustomerReservation) * facts->reservations_allocated) :
							repalloc(facts->reservations,
									 sizeof(CustomerReservation) * facts->reservations_allocated);
					}
					reservation = &facts->reservations[facts->nreservations++];
					value = fact_value(row, desc, FACT_NAME, &isnull);
					reservation->order_id = isnull ? NULL : TextDatumGetCString(value);
					reservation->amount = fact_value(row, desc, FACT_AMOUNT, &isnull);
					reservation->expires_at = DatumGetTimestampTz(fact_value(row, desc, FACT_AT, &isnull));
				}
				break;
			default:
				elog(ERROR, "crisk: unexpected part %d of a customer's facts", part);
		}
	}
	qsort(facts->events, facts->nevents, sizeof(CustomerEvent), compare_events);

	/* The allocations stay on the coordinator, the ledger does not. */
	if (nitems > 0)
	{
		Oid			item_types[4] = {DATEOID, TEXTARRAYOID, NUMERICARRAYOID, DATEARRAYOID};
		Datum		item_args[4];
		SPITupleTable *open;
		uint64		nopen;

		item_args[0] = DateADTGetDatum(today);
		item_args[1] = build_array(item_values[0], item_nulls[0], nitems, TEXTOID);
		item_args[2] = build_array(item_values[1], item_nulls[1], nitems, NUMERICOID);
		item_args[3] = build_array(item_values[2], item_nulls[2], nitems, DATEOID);
		rc = SPI_execute_plan(keep_plan(&distributed_allocated_plan, distributed_allocated_sql,
										4, item_types),
							  item_args, NULL, true, 0);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "crisk: reading the allocations failed (%d)", rc);
		open = SPI_tuptable;
		nopen = SPI_processed;
		for (i = 0; i < nopen; i++)
		{
			bool		amount_null;
			bool		due_null;
			Datum		amount = SPI_getbinval(open->vals[i], open->tupdesc, 1, &amount_null);
			Datum		due = SPI_getbinval(open->vals[i], open->tupdesc, 2, &due_null);

			add_open_item(facts, amount, amount_null, due, due_null, today, zero);
		}
	}
	gather_commitments(customer_id, order_id, zero, facts);
}

/*
 * gather_customer_facts reads what is known about the customer; order_id,
 * when not NULL, is the order being checked, which is not counted among
 * the customer's other orders and reservations; distributed says that
 * crisk's store is spread over a Citus cluster.  Called
 * with SPI connected; everything lives in SPI's memory until SPI_finish.
 */
void
gather_customer_facts(Datum customer_id, DateADT today, const char *order_id,
					  bool distributed, CustomerFacts *facts)
{
	Oid			argtypes[2] = {TEXTOID, DATEOID};
	Datum		args[2];
	Datum		zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	TupleDesc	desc;
	uint64		i;
	int			rc;
	bool		allocated;
	Oid			allocation_source;

	memset(facts, 0, sizeof(CustomerFacts));
	facts->exposure = zero;
	facts->overdue_amount = zero;
	facts->oldest_days_past_due = -1;
	reading_distributed = distributed;
	if (distributed)
	{
		gather_distributed_facts(customer_id, today, order_id, zero, facts);
		return;
	}
	scan_by_customer(&account_table, &account_index, customer_id, account_row, facts);
	scan_by_customer(&score_table, &score_index, customer_id, score_row, facts);
	scan_by_customer(&event_table, &event_index, customer_id, event_row, facts);
	qsort(facts->events, facts->nevents, sizeof(CustomerEvent), compare_events);

	/* Open items: exposure, and what of it is overdue. */
	allocated = allocations_in_use(&allocation_source);
	if (builtin_ledger() && !OidIsValid(allocation_source))
	{
		scan_builtin_ledger(customer_id, today, zero, allocated, facts);
		gather_commitments(customer_id, order_id, zero, facts);
		return;
	}
	/* Before planning, which may run the source's functions already. */
	if (!builtin_ledger())
		ledger_source_check_owner(ledger_source_oid);
	if (OidIsValid(allocation_source))
		allocation_source_check_owner(allocation_source);
	args[0] = customer_id;
	args[1] = DateADTGetDatum(today);
	rc = SPI_execute_plan(allocated ?
						  keep_plan(&open_items_allocated_plan, open_items_allocated_sql, 2, argtypes) :
						  keep_plan(&open_items_plan, open_items_sql, 2, argtypes),
						  args, NULL, true, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "crisk: reading the ledger failed (%d)", rc);
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
	gather_commitments(customer_id, order_id, zero, facts);
}

/*
 * count_reservations counts the customer's rows in crisk.credit_reservation
 * visible to the active snapshot, live or not.
 */
int64
count_reservations(Datum customer_id)
{
	CustomerFacts facts;

	memset(&facts, 0, sizeof(CustomerFacts));
	scan_by_customer(&reservation_table, &reservation_index, customer_id,
					 reservation_row, &facts);
	return facts.nreservations;
}
