/*-------------------------------------------------------------------------
 *
 * crisk.c
 *	  Module entry point: the library's magic block and _PG_init.
 *
 * Every SQL function works without shared_preload_libraries.  _PG_init
 * defines the crisk.* parameters and reserves the "crisk." prefix, so that
 * a misspelt setting such as crisk.batchsize is an error rather than a
 * silently ignored placeholder.  Loaded at server start, it also sets up
 * what the background rescoring needs: shared memory, the launcher, and
 * the hooks that tell the launcher about CREATE/DROP EXTENSION and
 * DROP DATABASE; after Citus, the planner hook that lets Citus see the
 * tables crisk's readers read (citus_inline.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "citus_inline.h"
#include "ddl_hooks.h"
#include "guc.h"
#include "launcher.h"
#include "worker_shmem.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * _PG_init is called when the library is loaded, either at server start
 * (shared_preload_libraries) or by the first call of a crisk function.
 */
void
_PG_init(void)
{
	crisk_define_gucs();
	MarkGUCPrefixReserved("crisk");

	if (!process_shared_preload_libraries_in_progress)
		return;
	crisk_shmem_init_hooks();
	crisk_install_ddl_hooks();
	crisk_register_launcher();
	crisk_install_citus_inline_hook();
}
