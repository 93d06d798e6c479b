/*-------------------------------------------------------------------------
 *
 * single_node.h
 *	  The guard of readers that give the single-node answer only when
 *	  crisk's store and ledger are not Citus tables (single_node.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_SINGLE_NODE_H
#define CRISK_SINGLE_NODE_H

#include "postgres_ext.h"

extern char *crisk_distributed_relation(void);
extern void crisk_require_single_node(const char *what);
extern Oid	crisk_local_placement(Oid relid);
extern bool crisk_store_distributed(void);
extern bool crisk_is_citus_table(Oid relid);
extern void crisk_check_readable_ledger(void);

#endif							/* CRISK_SINGLE_NODE_H */
