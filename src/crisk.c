/*-------------------------------------------------------------------------
 *
 * crisk.c
 *	  Module entry point: the library's magic block and _PG_init.
 *
 * Every SQL function works without shared_preload_libraries; _PG_init only
 * reserves the "crisk." GUC prefix here, so that a misspelt setting such as
 * crisk.batchsize is an error rather than a silently ignored placeholder.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/*
 * _PG_init is called when the library is loaded, either at server start
 * (shared_preload_libraries) or by the first call of a crisk function.
 */
void
_PG_init(void)
{
	MarkGUCPrefixReserved("crisk");
}
