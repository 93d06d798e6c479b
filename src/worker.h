/*-------------------------------------------------------------------------
 *
 * worker.h
 *	  The per-database rescoring worker.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_WORKER_H
#define CRISK_WORKER_H

#include "fmgr.h"

extern PGDLLEXPORT void crisk_worker_main(Datum main_arg);
extern void crisk_worker_reload_if_pending(void);
extern void crisk_worker_pause_between_batches(void);

#endif							/* CRISK_WORKER_H */
