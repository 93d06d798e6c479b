/*-------------------------------------------------------------------------
 *
 * dso_aggregate.h
 *	  DSO by the standard method over exact totals, shared by crisk.dso
 *	  (the aggregate over invoices) and crisk.payment_profile.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_DSO_AGGREGATE_H
#define CRISK_DSO_AGGREGATE_H

#include "exact_numeric.h"

/* Decimals of a DSO in days, as the scalar crisk.dso rounds it. */
#define DSO_DECIMALS 2

extern Numeric dso_days_of_sales(const ExactSum *receivables,
								 const ExactSum *credit_sales,
								 int32 period_days);

#endif							/* CRISK_DSO_AGGREGATE_H */
