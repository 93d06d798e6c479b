/*-------------------------------------------------------------------------
 *
 * customer_facts.h
 *	  What crisk.check_order reads about a customer at call time; see
 *	  customer_facts.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_CUSTOMER_FACTS_H
#define CRISK_CUSTOMER_FACTS_H

#include "utils/date.h"

/* A legal event of the customer. */
typedef struct CustomerEvent
{
	char	   *kind;
	DateADT		occurred_on;
	int64		event_id;
} CustomerEvent;

/* What crisk knows about a customer at call time. */
typedef struct CustomerFacts
{
	bool		has_account;
	bool		has_limit;
	Datum		credit_limit;	/* numeric */
	bool		blocked;
	char	   *dunning_policy; /* NULL without an account */
	bool		scored;			/* false when never scored */
	int32		score;
	char	   *risk_class;
	DateADT		scored_as_of;
	Datum		exposure;		/* numeric: open items, credit notes included */
	int64		overdue_items;	/* open invoices due before today */
	Datum		overdue_amount; /* numeric */
	int32		oldest_days_past_due;	/* < 0: nothing overdue */
	int			nevents;
	int			events_allocated;
	CustomerEvent *events;		/* by date, then by id */
} CustomerFacts;

extern void gather_customer_facts(Datum customer_id, DateADT today,
								  CustomerFacts *facts);

#endif							/* CRISK_CUSTOMER_FACTS_H */
