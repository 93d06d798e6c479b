/*-------------------------------------------------------------------------
 *
 * check_order.c
 *	  crisk.check_order(customer_id, amount [, reserve, order_id]): the
 *	  order credit check.
 *
 * An ERP calls this inside its order transaction, so it must cost about as
 * much as a primary-key lookup: the facts are read without the executor
 * where possible (customer_facts.c), the dunning policies and the
 * legal-event vocabulary come from session caches (order_policies.c), and
 * the rules and the wording of the reasons are plain C, run only for the
 * rules that fire.  On a store spread by crisk.distribute_store() the
 * facts come from the customer's shard, through statements Citus routes
 * to it (customer_facts.c).  Nothing takes row locks: an order check never waits for
 * rescoring or another order, and they never wait for it.  Only a
 * reserving check (reserve => true) writes, a row of
 * crisk.credit_reservation when it approves, and waits, for another
 * reserving check of the same customer (take_reservation_lock).
 *
 * The decision rules (README, "Order credit check"), most severe first:
 *   block   the account is on stop (crisk.account.blocked);
 *           risk class E;
 *           the oldest overdue invoice reached a dunning level whose
 *           order_decision is 'block' (default policy: formal notice, 45 days);
 *           a legal event whose kind blocks orders, within its window;
 *   review  no account; no credit limit; the order exceeds the available
 *           credit (limit - exposure: open receivables, open orders not
 *           yet invoiced, live reservations; 0 when exposure exceeds the
 *           limit); risk class D; a dunning level
 *           whose order_decision is 'review' (default: second reminder, 21
 *           days); an account naming a dunning policy that does not exist;
 *           a legal event whose kind asks for review, within its window;
 *   approve otherwise.
 * Every rule that fires adds a reason, block reasons first; an approval
 * says how much credit remains; a customer of class E has none available.  Open receivables are the customer's ledger
 * items unpaid today (paid_date NULL or later than today), credit notes
 * included; overdue items are open invoices (amount > 0) due before today.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "access/xact.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/snapmgr.h"
#include "utils/tuplestore.h"

#include "check_order.h"
#include "customer_facts.h"
#include "guc.h"
#include "order_policies.h"
#include "safe_search_path.h"
#include "single_node.h"
#include "worker_shmem.h"

PG_FUNCTION_INFO_V1(crisk_check_order);
PG_FUNCTION_INFO_V1(crisk_check_order_reserve);

/* The advisory lock class of reserving checks: "resv" in ASCII. */
#define RESERVATION_LOCK_CLASSID	1919251318

/* The reasons found so far, by severity. */
typedef struct Reasons
{
	List	   *block;
	List	   *review;
} Reasons;

/*
 * add_reason files a reason under the decision it calls for.
 */
static void
add_reason(Reasons *reasons, OrderEffect effect, char *reason)
{
	if (effect == EFFECT_BLOCK)
		reasons->block = lappend(reasons->block, reason);
	else if (effect == EFFECT_REVIEW)
		reasons->review = lappend(reasons->review, reason);
}

/*
 * numeric_text writes an amount as numeric_out does, as format('%s') would.
 */
static char *
numeric_text(Datum value)
{
	return DatumGetCString(DirectFunctionCall1(numeric_out, value));
}

/*
 * date_text writes a date in the session's DateStyle.
 */
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

/*
 * dunning_rule applies the dunning level the customer's oldest overdue
 * invoice has reached.
 */
static void
dunning_rule(Reasons *reasons, const CustomerFacts *facts)
{
	/* A customer without an account is chased under the default policy. */
	const char *policy_name = facts->dunning_policy ? facts->dunning_policy : "default";
	const DunningPolicy *policy = find_dunning_policy(policy_name);
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
event_rules(Reasons *reasons, const CustomerFacts *facts, DateADT today)
{
	int			i;

	for (i = 0; i < facts->nevents; i++)
	{
		const CustomerEvent *event = &facts->events[i];
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
 * exposure_text describes the exposure for a reason: the open receivables,
 * and the open orders and reservations when there are any.
 */
static char *
exposure_text(const CustomerFacts *facts, Datum zero)
{
	StringInfoData text;

	initStringInfo(&text);
	appendStringInfo(&text, "open receivables %s", numeric_text(facts->exposure));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, facts->open_orders, zero)) != 0)
		appendStringInfo(&text, ", open orders %s", numeric_text(facts->open_orders));
	if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, facts->reserved, zero)) != 0)
		appendStringInfo(&text, ", reserved %s", numeric_text(facts->reserved));
	return text.data;
}

/*
 * take_reservation_lock makes reserving checks for the same customer take
 * turns: a transaction-level advisory lock keyed on a hash of the customer,
 * so that checks for other customers never wait (two customers share a key
 * once in 2^32, and then merely take turns).  Under READ COMMITTED the check
 * then reads with a new snapshot, which sees what the previous holder
 * committed; it returns true when it pushed one.  Under REPEATABLE READ or
 * SERIALIZABLE the transaction's snapshot cannot see it: if a reservation
 * of the customer was committed (or removed) since that snapshot, the check
 * fails with a serialization failure, to be retried.
 */
static bool
take_reservation_lock(Datum customer_id)
{
	LOCKTAG		tag;
	int64		seen;

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, RESERVATION_LOCK_CLASSID,
						 DatumGetUInt32(DirectFunctionCall1Coll(hashtext, C_COLLATION_OID, customer_id)), 2);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
	if (!IsolationUsesXactSnapshot())
	{
		PushActiveSnapshot(GetTransactionSnapshot());
		return true;
	}
	seen = count_reservations(customer_id);
	PushActiveSnapshot(GetLatestSnapshot());
	if (count_reservations(customer_id) != seen)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not serialize access due to a concurrent credit reservation"),
				 errdetail("Another transaction reserved credit for customer %s after this transaction's snapshot was taken.",
						   TextDatumGetCString(customer_id)),
				 errhint("The transaction might succeed if retried.")));
	PopActiveSnapshot();
	return false;
}

/*
 * record_reservation records an approved amount for the customer, replacing
 * an earlier reservation for the same order.
 */
static void
record_reservation(Datum customer_id, Datum order_id, bool order_id_null, Numeric amount)
{
	Oid			argtypes[4] = {TEXTOID, TEXTOID, NUMERICOID, INT4OID};
	Datum		args[4];
	char		nulls[4] = {' ', order_id_null ? 'n' : ' ', ' ', ' '};
	int			rc;

	args[0] = customer_id;
	args[1] = order_id;
	args[2] = NumericGetDatum(amount);
	args[3] = Int32GetDatum(crisk_reservation_ttl);
	if (!order_id_null)
	{
		rc = SPI_execute_with_args("DELETE FROM crisk.credit_reservation r"
								   " WHERE r.customer_id OPERATOR(pg_catalog.=) $1"
								   "   AND r.order_id OPERATOR(pg_catalog.=) $2",
								   2, argtypes, args, nulls, false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "crisk: removing the previous reservation failed (%d)", rc);
	}
	rc = SPI_execute_with_args("INSERT INTO crisk.credit_reservation"
							   " (customer_id, order_id, amount, reserved_at, expires_at, reserved_by)"
							   " VALUES ($1, $2, $3, pg_catalog.now(),"
							   "         pg_catalog.now() OPERATOR(pg_catalog.+) pg_catalog.make_interval(mins => $4),"
							   "         SESSION_USER)",
							   4, argtypes, args, nulls, false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "crisk: recording the reservation failed (%d)", rc);
}

/*
 * check_order runs the order check for both SQL functions; reserve records
 * an approved amount, order_id (NULL when order_id_null) names the order.
 */
static Datum
check_order(FunctionCallInfo fcinfo, bool reserve, Datum order_id, bool order_id_null)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Numeric		amount;
	DateADT		today = GetSQLCurrentDate();
	CustomerFacts		facts;
	Datum		available = (Datum) 0;
	Datum		zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));
	Datum		exposure;
	Reasons		reasons = {NIL, NIL};
	const char *decision;
	List	   *all_reasons;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	bool		pushed = false;
	bool		distributed;
	int			nestlevel;

	/* workers that yield to order checks wait while they come in */
	crisk_note_order_check();
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

	/*
	 * On a store spread by crisk.distribute_store() the facts are read from
	 * the customer's shard; otherwise the reads below see only this node's
	 * rows, so no other crisk table or ledger may be a Citus table.
	 */
	distributed = crisk_store_distributed();
	if (!distributed)
		crisk_require_single_node("crisk.check_order");
	else if (reserve && IsolationUsesXactSnapshot())
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("crisk.check_order with reserve under REPEATABLE READ or SERIALIZABLE is not supported on a distributed store"),
				 errdetail("The workers read the reservations with the transaction's snapshot, which cannot see a reservation committed while this check waited for its turn."),
				 errhint("Reserve credit under READ COMMITTED.")));
	/*
	 * The result's descriptor: the one the caller expects when it gives one,
	 * rather than one rebuilt from the catalog's OUT parameters on every
	 * call (a tenth of a check's time).
	 */
	InitMaterializedSRF(fcinfo, rsinfo != NULL && IsA(rsinfo, ReturnSetInfo) &&
						rsinfo->expectedDesc != NULL ? MAT_SRF_USE_EXPECTED_DESC : 0);

	if (reserve)
		pushed = take_reservation_lock(PG_GETARG_DATUM(0));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "crisk.check_order: SPI_connect failed");
	nestlevel = crisk_pin_search_path_in_function();
	order_policies_refresh();
	gather_customer_facts(PG_GETARG_DATUM(0), today,
						  order_id_null ? NULL : TextDatumGetCString(order_id), distributed,
						  &facts);
	exposure = DirectFunctionCall2(numeric_add, facts.exposure,
								   DirectFunctionCall2(numeric_add, facts.open_orders,
													   facts.reserved));

	/* The rules; block and review reasons are listed in this order. */
	if (facts.blocked)
		add_reason(&reasons, EFFECT_BLOCK, pstrdup("account is on stop"));
	if (!facts.has_account)
		add_reason(&reasons, EFFECT_REVIEW, pstrdup("customer has no credit account"));
	else if (!facts.has_limit)
		add_reason(&reasons, EFFECT_REVIEW, pstrdup("no credit limit is set"));
	else
	{
		/*
		 * A breach leaves 0 available, not less; a credit balance (the
		 * customer's own money) adds to the limit.
		 */
		available = DirectFunctionCall2(numeric_sub, facts.credit_limit, exposure);
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, available, zero)) < 0)
			available = zero;
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(amount),
											  available)) > 0)
			add_reason(&reasons, EFFECT_REVIEW,
					   psprintf("order of %s exceeds available credit of %s (credit limit %s, %s)",
								numeric_text(NumericGetDatum(amount)), numeric_text(available),
								numeric_text(facts.credit_limit), exposure_text(&facts, zero)));
	}
	if (facts.scored && facts.risk_class != NULL &&
		(strcmp(facts.risk_class, "E") == 0 || strcmp(facts.risk_class, "D") == 0))
	{
		add_reason(&reasons, facts.risk_class[0] == 'E' ? EFFECT_BLOCK : EFFECT_REVIEW,
				   psprintf("risk class %s (score %d, scored as of %s)", facts.risk_class,
							facts.score, date_text(DateADTGetDatum(facts.scored_as_of))));

		/*
		 * Class E means no credit, whatever the limit says (a limit locked
		 * by hand included): a customer in receivership or liquidation,
		 * whose events cap its class at E, has none available.
		 */
		if (facts.risk_class[0] == 'E' && facts.has_account && facts.has_limit)
			available = zero;
	}
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
	if (reserve && reasons.block == NIL && reasons.review == NIL)
		record_reservation(PG_GETARG_DATUM(0), order_id, order_id_null, amount);

	values[0] = CStringGetTextDatum(decision);
	values[1] = available;
	nulls[1] = !facts.has_account || !facts.has_limit;
	values[2] = text_array(all_reasons);
	/* The tuplestore copies the values out of SPI's memory. */
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	crisk_unpin_search_path(nestlevel);
	SPI_finish();
	if (pushed)
		PopActiveSnapshot();
	return (Datum) 0;
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
	return check_order(fcinfo, false, (Datum) 0, true);
}

/*
 * crisk_check_order_reserve implements crisk.check_order(customer_id,
 * amount, reserve, order_id).
 */
Datum
crisk_check_order_reserve(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("reserve must not be null"),
				 errhint("Pass true to reserve the approved amount, false for a check alone.")));
	if (!PG_ARGISNULL(3) && VARSIZE_ANY_EXHDR(PG_GETARG_TEXT_PP(3)) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("order_id must not be empty"),
				 errdetail("An empty order number matches no order or invoice."),
				 errhint("Pass the ERP's order number, or NULL.")));
	return check_order(fcinfo, PG_GETARG_BOOL(2),
					   PG_ARGISNULL(3) ? (Datum) 0 : PG_GETARG_DATUM(3), PG_ARGISNULL(3));
}
