/*-------------------------------------------------------------------------
 *
 * guc.h
 *	  crisk's configuration parameters (all named crisk.*).
 *
 * The parameters steer the background rescoring: whether it runs, where,
 * as whom, how often, in what batch size, with which timeouts, and how long
 * history is kept.  They are defined in every process that loads crisk, so
 * that a session can read them (SHOW) and set the ones that apply to it.
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_GUC_H
#define CRISK_GUC_H

extern bool crisk_enabled;
extern char *crisk_databases;
extern char *crisk_role;
extern int	crisk_rescore_interval;		/* seconds */
extern char *crisk_full_rescore_time;
extern int	crisk_batch_size;
extern int	crisk_batch_pause;			/* milliseconds */
extern int	crisk_worker_nice;			/* steps of niceness, 0-19 */
extern int	crisk_worker_yield_to_order_checks;	/* milliseconds; 0: off */
extern int	crisk_worker_yield_limit;	/* milliseconds per pass; 0: none */
extern int	crisk_history_retention;	/* minutes; 0 keeps history forever */
extern int	crisk_max_workers;
extern int	crisk_lock_timeout;			/* milliseconds */
extern int	crisk_statement_timeout;	/* milliseconds */
extern int	crisk_alert_score_drop;		/* points */
extern int	crisk_reservation_ttl;		/* minutes */
extern int	crisk_promise_grace_days;	/* days */
extern double crisk_model_drift_psi;
extern double crisk_default_lgd;	/* fraction */
extern bool crisk_erasure_in_progress;

extern void crisk_define_gucs(void);
extern bool crisk_database_is_selected(const char *dbname);
extern int	crisk_full_rescore_minute(void);

#endif							/* CRISK_GUC_H */
