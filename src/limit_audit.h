/*-------------------------------------------------------------------------
 *
 * limit_audit.h
 *	  The trigger that stamps credit-limit changes on crisk.account
 *	  (crisk.stamp_limit_change); see limit_audit.c.
 *
 * It exports nothing to other C files: the SQL side (53_limits.sql) is its
 * only user.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_LIMIT_AUDIT_H
#define CRISK_LIMIT_AUDIT_H

#include "fmgr.h"

extern Datum crisk_stamp_limit_change(PG_FUNCTION_ARGS);

#endif							/* CRISK_LIMIT_AUDIT_H */
