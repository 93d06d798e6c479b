/*-------------------------------------------------------------------------
 *
 * payment_profile.h
 *	  The state of crisk.payment_profile and the steps of its transition and
 *	  final functions, shared with the ledger figures of a rescoring pass
 *	  (rescore_ledger.c), so that both compute a profile the same way.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_PAYMENT_PROFILE_H
#define CRISK_PAYMENT_PROFILE_H

#include "access/htup.h"
#include "access/tupdesc.h"
#include "fmgr.h"
#include "utils/date.h"

#include "exact_numeric.h"

/*
 * The DSO period of the profile, in days; the portfolio's KPIs read it as
 * crisk._dso_period_days() (time_windows.c).
 */
#define PROFILE_DSO_DAYS 90

/* Fields of the composite type crisk.payment_profile. */
#define PROFILE_FIELDS 11

/* The exact totals of a profile, all in units of 10^-scale. */
typedef enum ProfileSum
{
	SUM_BILLED,					/* issued by as_of */
	SUM_OPEN,					/* open at as_of */
	SUM_OVERDUE,				/* open and past due */
	SUM_ISSUED_90,				/* issued in the 90 days up to as_of */
	SUM_PAID,					/* positive, paid by as_of: the DBT weights */
	SUM_DBT,					/* paid amount * days beyond terms */
	SUM_DBT_SQUARED,			/* paid amount * (days beyond terms)^2 */
	SUM_LATE,					/* positive, paid late or open past due */
	SUM_DUE_OR_PAID,			/* positive, paid or open past due */
	NUM_SUMS
} ProfileSum;

/* The state, a varlena: the SQL type crisk.payment_profile_state. */
typedef struct ProfileState
{
	int32		vl_len_;		/* varlena header */
	int16		scale;			/* decimal places of the sums (multiple of 4) */
	int16		dscale;			/* the most decimals any amount had */
	DateADT		as_of;
	DateADT		last_payment;	/* when has_payment */
	int32		max_days_late;	/* when has_basis */
	bool		has_payment;
	bool		has_basis;		/* an invoice was paid or fell due */
	int64		invoices;
	int64		open_invoices;
	ExactSum	sums[NUM_SUMS];
} ProfileState;

/* One invoice, as a transition function reads it. */
typedef struct ProfileRow
{
	ExactAmount amount;
	DateADT		issue_date;
	DateADT		due_date;
	DateADT		paid_date;		/* when has_paid_date */
	DateADT		as_of;
	bool		has_paid_date;
} ProfileRow;

extern bool profile_read_row(FunctionCallInfo fcinfo, ProfileRow *row);
extern void profile_add(ProfileState *state, const ProfileRow *row);
extern HeapTuple profile_form(const ProfileState *state, TupleDesc tupdesc);

#endif							/* CRISK_PAYMENT_PROFILE_H */
