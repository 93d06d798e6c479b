/*-------------------------------------------------------------------------
 *
 * rescore.h
 *	  Rescoring passes: the code path shared by the background worker and
 *	  crisk.rescore().
 *
 * A pass takes the customers to score (every customer, the customers
 * marked dirty, or a given list), scores them batch by batch, and records
 * itself in crisk.job_run.  Only one pass runs at a time in a database: a
 * pass holds an advisory lock (see README, "Operations").
 *
 * The worker runs each batch in its own transaction; crisk.rescore() runs
 * every batch in its caller's transaction.  Either way a customer whose data
 * makes scoring fail is recorded in crisk.job_error and skipped.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_RESCORE_H
#define CRISK_RESCORE_H

typedef enum RescoreKind
{
	RESCORE_FULL,				/* every customer (worker, daily) */
	RESCORE_INCREMENTAL,		/* customers marked dirty (worker) */
	RESCORE_MANUAL				/* crisk.rescore() */
} RescoreKind;

typedef enum PassResult
{
	PASS_COMPLETED,				/* ran to the end (some customers may have failed) */
	PASS_FAILED,				/* stopped by an error, recorded in crisk.job_run */
	PASS_NOTHING_TO_DO,			/* no dirty customer */
	PASS_LOCKED					/* another pass holds the lock */
} PassResult;

/*
 * What the worker lets a pass do between batches: take a new configuration
 * after SIGHUP, pause for crisk.batch_pause, and wait for order checks to
 * pause (before the pass reads its customers and between the read's
 * fetches too, where in_read is true; *waited accumulates the pass's
 * waiting, in microseconds, against crisk.worker_yield_limit).
 * Passed by the worker, so that the pass's code does not depend on the
 * worker's.
 */
typedef struct RescoreWorkerHooks
{
	void		(*reload_if_pending) (void);
	void		(*pause_between_batches) (void);
	void		(*yield_to_order_checks) (int64 *waited, bool in_read);
} RescoreWorkerHooks;

extern PassResult rescore_worker_pass(RescoreKind kind, const RescoreWorkerHooks *hooks);

/*
 * rescore_kind_name is the kind as crisk.job_run stores it.
 */
static inline const char *
rescore_kind_name(RescoreKind kind)
{
	switch (kind)
	{
		case RESCORE_FULL:
			return "full";
		case RESCORE_INCREMENTAL:
			return "incremental";
		case RESCORE_MANUAL:
			return "manual";
	}
	return "unknown";
}

#endif							/* CRISK_RESCORE_H */
