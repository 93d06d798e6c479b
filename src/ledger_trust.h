/*-------------------------------------------------------------------------
 *
 * ledger_trust.h
 *	  The check crisk's own readers of an ERP ledger source make before
 *	  reading it with their rights.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_LEDGER_TRUST_H
#define CRISK_LEDGER_TRUST_H

extern Oid	ledger_source_relid(Datum source, Oid typid);
extern void ledger_source_check_owner(Oid source);
extern void order_source_check_owner(Oid source);
extern void allocation_source_check_owner(Oid source);

#endif							/* CRISK_LEDGER_TRUST_H */
