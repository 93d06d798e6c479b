/*-------------------------------------------------------------------------
 *
 * store_guard.h
 *	  Protection of the rows crisk ships in its tables
 *	  (crisk.protect_shipped_rows); see store_guard.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_STORE_GUARD_H
#define CRISK_STORE_GUARD_H

#include "fmgr.h"

extern bool crisk_script_running(void);
extern Datum crisk_protect_shipped_rows(PG_FUNCTION_ARGS);

#endif							/* CRISK_STORE_GUARD_H */
