/*-------------------------------------------------------------------------
 *
 * ddl_hooks.h
 *	  Hooks that tell the launcher about DDL affecting rescoring workers
 *	  (CREATE/DROP EXTENSION, DROP DATABASE and other commands that need a
 *	  database to themselves).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_DDL_HOOKS_H
#define CRISK_DDL_HOOKS_H

extern void crisk_install_ddl_hooks(void);

#endif							/* CRISK_DDL_HOOKS_H */
