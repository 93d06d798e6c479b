/*-------------------------------------------------------------------------
 *
 * data_protection.h
 *	  Append-only history, retention and erasure (crisk.append_only,
 *	  crisk.purge_history, crisk.forget_customer); see data_protection.c.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_DATA_PROTECTION_H
#define CRISK_DATA_PROTECTION_H

#include "fmgr.h"

extern Datum crisk_append_only(PG_FUNCTION_ARGS);
extern Datum crisk_purge_history(PG_FUNCTION_ARGS);
extern Datum crisk_forget_customer(PG_FUNCTION_ARGS);

#endif							/* CRISK_DATA_PROTECTION_H */
