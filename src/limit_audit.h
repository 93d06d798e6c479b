/*-------------------------------------------------------------------------
 *
 * limit_audit.h
 *	  The trigger that stamps credit-limit changes on crisk.account
 *	  (crisk.stamp_limit_change); see limit_audit.c.
 *
 * Rescoring tells it which run's results it is writing (the only changes
 * that may carry a limit_run_id) with limit_audit_begin_run and
 * limit_audit_end_run.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_LIMIT_AUDIT_H
#define CRISK_LIMIT_AUDIT_H

#include "fmgr.h"
#include "nodes/parsenodes.h"

extern Datum crisk_stamp_limit_change(PG_FUNCTION_ARGS);
extern void limit_audit_begin_run(int64 run_id);
extern void limit_audit_end_run(void);
extern void limit_audit_check_query(Query *query, Oid relid);

#endif							/* CRISK_LIMIT_AUDIT_H */
