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
#include "utils/timestamp.h"

/* A legal event of the customer. */
typedef struct CustomerEvent
{
	char	   *kind;
	DateADT		occurred_on;
	int64		event_id;
} CustomerEvent;

/* A credit reservation of the customer (crisk.credit_reservation). */
typedef struct CustomerReservation
{
	char	   *order_id;		/* NULL: released by expiry only */
	Datum		amount;			/* numeric */
	TimestampTz expires_at;
} CustomerReservation;

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
	Datum		open_orders;	/* numeric: orders in the orders source not yet
								 * in the ledger */
	Datum		reserved;		/* numeric: live credit reservations */
	int64		overdue_items;	/* open invoices due before today */
	Datum		overdue_amount; /* numeric */
	int32		oldest_days_past_due;	/* < 0: nothing overdue */
	int			nevents;
	int			events_allocated;
	CustomerEvent *events;		/* by date, then by id */
	int			nreservations;
	int			reservations_allocated;
	CustomerReservation *reservations;	/* live or not */
} CustomerFacts;

extern void gather_customer_facts(Datum customer_id, DateADT today,
								  const char *order_id, bool distributed,
								  CustomerFacts *facts);
extern int64 count_reservations(Datum customer_id);

#endif							/* CRISK_CUSTOMER_FACTS_H */
