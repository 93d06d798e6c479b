/*-------------------------------------------------------------------------
 *
 * argcheck.h
 *	  Argument checks shared by crisk's SQL-callable functions.
 *
 * Each check raises a specific SQLSTATE with a message that names the
 * argument, so that callers never get a crash or a silently wrong figure.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_ARGCHECK_H
#define CRISK_ARGCHECK_H

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/date.h"
#include "utils/numeric.h"

extern void crisk_require_finite_date(DateADT value, const char *argname);
extern int32 crisk_days_between(DateADT from, const char *from_name,
								DateADT to, const char *to_name);
extern void crisk_require_finite_numeric(Numeric value, const char *argname);
extern void crisk_require_as_of_in_range(DateADT value, const char *argname);
extern TimestampTz crisk_time_before(TimestampTz from, Interval *span,
									 const char *argname);
extern void crisk_require_before_write_row_trigger(FunctionCallInfo fcinfo,
												   const char *function_name);

#endif							/* CRISK_ARGCHECK_H */
