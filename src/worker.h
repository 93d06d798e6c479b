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

#endif							/* CRISK_WORKER_H */
