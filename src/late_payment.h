/*-------------------------------------------------------------------------
 *
 * late_payment.h
 *	  Late-payment penalties of French B2B law (Code de commerce L441-10,
 *	  D441-5): interest on a late invoice and the fixed recovery indemnity.
 *
 * The statutory rate of a late day is the ECB main refinancing rate in
 * force on the first day of its half-year (1 January or 1 July) plus
 * 10 points, read from crisk.reference_rate through a per-session cache.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_LATE_PAYMENT_H
#define CRISK_LATE_PAYMENT_H

#include "utils/date.h"
#include "utils/numeric.h"

/* Points added to the ECB rate, in hundredths (10 points = 0.10). */
#define LATE_PAYMENT_STATUTORY_POINTS 10
/* Days in the year the interest is divided by, leap years included. */
#define LATE_PAYMENT_DAYS_IN_YEAR 365
/* Fixed recovery indemnity per invoice paid late, in euros (D441-5). */
#define RECOVERY_INDEMNITY_EUROS 40

extern Numeric late_payment_interest(Numeric amount, DateADT due_date,
									 DateADT paid_date, Numeric annual_rate);
extern Numeric recovery_indemnity(DateADT due_date, DateADT paid_date);

#endif							/* CRISK_LATE_PAYMENT_H */
