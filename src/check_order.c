/*-------------------------------------------------------------------------
 *
 * check_order.c
 *	  crisk.check_order(customer_id, amount): the order credit check.
 *
 * An ERP calls this inside its order transaction, so it must cost about as
 * much as a primary-key lookup: the facts are read without the executor
 * where possible (customer_facts.c), the dunning policies and the
 * legal-event vocabulary come from session caches (order_policies.c), and
 * the rules and the wording of the reasons are plain C, run only for the
 * rules that fire.  Nothing takes row locks: an order check never waits for
 * rescoring or another order, and they never wait for it.
 *
 * The decision rules (README, "Order credit check"), most severe first:
 *   block   the account is on stop (crisk.account.blocked);
 *           risk class E;
 *           the oldest overdue invoice reached a dunning level whose
 *           order_decision is 'block' (default policy: formal notice, 45 days);
 *           a legal event whose kind blocks orders, within its window;
 *   review  no account; no credit limit; the order exceeds the available
 *           credit (limit - open receivables, 0 when they exceed the
 *           limit); risk class D; a dunning level
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

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/numeric.h"
#include "utils/tuplestore.h"

#include "check_order.h"
#include "customer_facts.h"
#include "order_policies.h"
#include "safe_search_path.h"
#include "single_node.h"

PG_FUNCTION_INFO_V1(crisk_check_order);

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
	CustomerFacts		facts;
	Datum		available = (Datum) 0;
	Reasons		reasons = {NIL, NIL};
	const char *decision;
	List	   *all_reasons;
	Datum		values[3];
	bool		nulls[3] = {false, false, false};
	int			nestlevel;

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

	/* Its reads below see only this node's rows. */
	crisk_require_single_node("crisk.check_order");
	InitMaterializedSRF(fcinfo, 0);

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "crisk.check_order: SPI_connect failed");
	nestlevel = crisk_pin_search_path();
	order_policies_refresh();
	gather_customer_facts(PG_GETARG_DATUM(0), today, &facts);

	/* The rules; block and review reasons are listed in this order. */
	if (facts.blocked)
		add_reason(&reasons, EFFECT_BLOCK, pstrdup("account is on stop"));
	if (!facts.has_account)
		add_reason(&reasons, EFFECT_REVIEW, pstrdup("customer has no credit account"));
	else if (!facts.has_limit)
		add_reason(&reasons, EFFECT_REVIEW, pstrdup("no credit limit is set"));
	else
	{
		Datum		zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));

		/*
		 * A breach leaves 0 available, not less; a credit balance (the
		 * customer's own money) adds to the limit.
		 */
		available = DirectFunctionCall2(numeric_sub, facts.credit_limit, facts.exposure);
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, available, zero)) < 0)
			available = zero;
		if (DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(amount),
											  available)) > 0)
			add_reason(&reasons, EFFECT_REVIEW,
					   psprintf("order of %s exceeds available credit of %s (credit limit %s, open receivables %s)",
								numeric_text(NumericGetDatum(amount)), numeric_text(available),
								numeric_text(facts.credit_limit), numeric_text(facts.exposure)));
	}
	if (facts.scored && facts.risk_class != NULL &&
		(strcmp(facts.risk_class, "E") == 0 || strcmp(facts.risk_class, "D") == 0))
		add_reason(&reasons, facts.risk_class[0] == 'E' ? EFFECT_BLOCK : EFFECT_REVIEW,
				   psprintf("risk class %s (score %d, scored as of %s)", facts.risk_class,
							facts.score, date_text(DateADTGetDatum(facts.scored_as_of))));
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
	crisk_unpin_search_path(nestlevel);
	SPI_finish();
	return (Datum) 0;
}
