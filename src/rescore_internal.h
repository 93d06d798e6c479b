/*-------------------------------------------------------------------------
 *
 * rescore_internal.h
 *	  State of one rescoring pass, shared by rescore.c (the pass: lock,
 *	  crisk.job_run, list of customers, transactions), rescore_batch.c
 *	  (one batch: compute the scores, write them, isolate failures) and
 *	  rescore_write.c (the statement that writes a batch).  rescore.c
 *	  calls rescore_batch.c, which calls rescore_write.c, never the other
 *	  way round.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_RESCORE_INTERNAL_H
#define CRISK_RESCORE_INTERNAL_H

#include "executor/spi.h"
#include "executor/tuptable.h"
#include "utils/date.h"
#include "utils/resowner.h"
#include "utils/tuplestore.h"

#include "rescore.h"

typedef struct RescorePass
{
	RescoreKind kind;
	bool		in_worker;		/* one transaction per batch */
	bool		full_scope;		/* every customer, from one read of the ledger */
	DateADT		as_of;
	int64		run_id;
	MemoryContext context;		/* lives as long as the pass */
	MemoryContext batch_context;	/* reset for every batch */

	/* the customers to score, in order */
	Tuplestorestate *items;
	TupleTableSlot *item_slot;
	ResourceOwner items_owner;	/* owns the list's temporary file when the
								 * list is read in a subtransaction */
	Oid			item_type;		/* text (customer ids) or crisk.rescore_item */
	int16		item_typlen;
	bool		item_typbyval;
	char		item_typalign;

	/* the scoring step (rescore_compute.h), prepared at the first batch */
	struct ComputeState *compute;
	Oid			compute_item_type;
	Oid			item_record_type;	/* crisk.rescore_item, as read by id */
	Oid			result_type;	/* crisk.rescore_result */

	/* full scope: the snapshot the ledger was read with (pg_snapshot) */
	Datum		snapshot;
	/*
	 * full scope on a distributed store: the dirty markers read before
	 * the ledger (text[] of rescore_marker_key), (Datum) 0 until read
	 */
	Datum		seen_markers;

	/* what crisk.job_run reports */
	int64		total;
	int64		scored;
	int64		skipped;		/* rows locked by other sessions: queued again */
	int64		errors;
	int64		alerts;
	int64		limit_changes;
	int32		batches;
	int64		yielded;		/* microseconds waited for order checks */
	/* the worker's hooks (NULL for crisk.rescore()), for the read's pauses */
	const RescoreWorkerHooks *hooks;
	char	   *first_error;
} RescorePass;

/* one customer of a batch */
typedef struct WorkItem
{
	Datum		value;			/* customer id (text) or crisk.rescore_item */
	char	   *customer_id;
} WorkItem;

/*
 * A statement prepared once per session and kept across transactions, with
 * up to KEPT_STATEMENT_MAX_ARGS parameters (a score history row has 32).
 */
#define KEPT_STATEMENT_MAX_ARGS 32
typedef struct KeptStatement
{
	const char *sql;
	int			nargs;
	Oid			argtypes[KEPT_STATEMENT_MAX_ARGS];	/* the types it was prepared for */
	bool		custom;			/* prepared for custom plans */
	SPIPlanPtr	plan;
} KeptStatement;

extern void rescore_batch(RescorePass *pass, WorkItem *items, int nitems);
extern void rescore_write(RescorePass *pass, Datum *results, int n, Oid result_type);
extern const char rescore_distributed_write_format[];
extern void rescore_write_customer(RescorePass *pass, SPIPlanPtr plan, Datum *args,
								   const char *nulls, Datum result, Oid result_type);
extern char *rescore_result_customer_id(Datum result);
extern SPIPlanPtr rescore_kept_plan(KeptStatement *stmt, const Oid *argtypes);
extern bool rescore_is_data_error(int sqlerrcode);
extern void rescore_record_error(RescorePass *pass, const char *customer_id,
								 ErrorData *edata, const char *what);
extern int	rescore_execute(RescorePass *pass, SPIPlanPtr plan, Datum *values,
							const char *nulls, long count);
extern void rescore_disarm_statement_timeout(RescorePass *pass);
extern Datum rescore_read_markers(RescorePass *pass, Datum ids, MemoryContext context);
extern void rescore_forget_seen_markers(RescorePass *pass, Datum ids, Datum markers);

#endif							/* CRISK_RESCORE_INTERNAL_H */
