/*-------------------------------------------------------------------------
 *
 * launcher.h
 *	  The crisk launcher, which starts one rescoring worker per database
 *	  where crisk is installed.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_LAUNCHER_H
#define CRISK_LAUNCHER_H

#include "fmgr.h"

extern void crisk_register_launcher(void);
extern PGDLLEXPORT void crisk_launcher_main(Datum main_arg);

#endif							/* CRISK_LAUNCHER_H */
