/*-------------------------------------------------------------------------
 *
 * guc.c
 *	  Definitions, bounds and checks of crisk's configuration parameters.
 *
 * Parameters that only the background worker reads can be changed with a
 * reload (PGC_SIGHUP): the launcher and the workers re-read the file when
 * they get SIGHUP.  crisk.batch_size can also be set per session, since it
 * shapes the batches of a manual crisk.rescore() call too.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <limits.h>

#include "nodes/pg_list.h"
#include "utils/guc.h"
#include "utils/varlena.h"

#include "guc.h"

bool		crisk_enabled = true;
char	   *crisk_databases = NULL;
char	   *crisk_role = NULL;
int			crisk_rescore_interval = 60;
char	   *crisk_full_rescore_time = NULL;
int			crisk_batch_size = 1000;
int			crisk_batch_pause = 0;
int			crisk_worker_nice = 0;
int			crisk_worker_yield_to_order_checks = 50;
int			crisk_worker_yield_limit = 15 * 60 * 1000;
int			crisk_history_retention = 730 * 24 * 60;
int			crisk_max_workers = 3;
int			crisk_lock_timeout = 1000;
int			crisk_statement_timeout = 60 * 60 * 1000;
int			crisk_alert_score_drop = 15;
int			crisk_reservation_ttl = 7 * 24 * 60;
int			crisk_promise_grace_days = 3;
double		crisk_model_drift_psi = 0.25;
double		crisk_default_lgd = 0.45;
bool		crisk_erasure_in_progress = false;

/* minute of the day of the daily full pass, -1 when there is none */
static int	full_rescore_minute = 2 * 60;

/*
 * check_databases accepts a comma-separated list of database names; names
 * are taken as written (no case folding), double quotes protect commas.
 */
static bool
check_databases(char **newval, void **extra pg_attribute_unused(),
				GucSource source pg_attribute_unused())
{
	char	   *copy = pstrdup(*newval);
	List	   *names = NIL;
	bool		ok = SplitGUCList(copy, ',', &names);

	if (!ok)
		GUC_check_errdetail("List syntax is invalid.");
	list_free(names);
	pfree(copy);
	return ok;
}

/*
 * parse_time_of_day reads "HH:MM" (24-hour clock) into a minute of the
 * day; it returns -1 for anything else.
 */
static int
parse_time_of_day(const char *value)
{
	int			hours,
				minutes,
				consumed = 0;

	if (sscanf(value, "%2d:%2d%n", &hours, &minutes, &consumed) != 2 ||
		value[consumed] != '\0' || strlen(value) != 5 ||
		hours < 0 || hours > 23 || minutes < 0 || minutes > 59)
		return -1;
	return hours * 60 + minutes;
}

/*
 * check_full_rescore_time accepts "HH:MM", or an empty string for "no
 * scheduled full pass".  The parsed minute travels to the assign hook in
 * *extra, as the GUC machinery requires.
 */
static bool
check_full_rescore_time(char **newval, void **extra,
						GucSource source pg_attribute_unused())
{
	int			minute = -1;
	int		   *parsed;

	if ((*newval)[0] != '\0')
	{
		minute = parse_time_of_day(*newval);
		if (minute < 0)
		{
			GUC_check_errdetail("The time of day must be written HH:MM on a 24-hour clock, e.g. 02:30, or be empty.");
			return false;
		}
	}
	parsed = (int *) malloc(sizeof(int));
	if (parsed == NULL)
		return false;
	*parsed = minute;
	*extra = parsed;
	return true;
}

static void
assign_full_rescore_time(const char *newval pg_attribute_unused(), void *extra)
{
	full_rescore_minute = *((int *) extra);
}

/*
 * crisk_full_rescore_minute returns the minute of the day (0-1439, local
 * time) of the daily full pass, or -1 when daily full passes are off.
 */
int
crisk_full_rescore_minute(void)
{
	return full_rescore_minute;
}

/*
 * crisk_database_is_selected says whether crisk.databases lets the
 * rescoring worker run in the named database (an empty list means all).
 */
bool
crisk_database_is_selected(const char *dbname)
{
	char	   *copy;
	List	   *names = NIL;
	ListCell   *lc;
	bool		found = false;

	if (crisk_databases == NULL || crisk_databases[0] == '\0')
		return true;
	copy = pstrdup(crisk_databases);
	if (!SplitGUCList(copy, ',', &names))
		elog(ERROR, "crisk.databases could not be parsed after it was accepted");
	foreach(lc, names)
	{
		if (strcmp((const char *) lfirst(lc), dbname) == 0)
		{
			found = true;
			break;
		}
	}
	list_free(names);
	pfree(copy);
	return found;
}

/*
 * crisk_define_gucs declares every crisk.* parameter.
 */
void
crisk_define_gucs(void)
{
	/*
	 * Set by crisk.forget_customer() for its own transaction on a
	 * distributed store, where Citus passes it on to the workers: their
	 * append-only guards then let the erasure's deletions through.
	 * Superuser-only, hidden, never in a configuration file.
	 */
	DefineCustomBoolVariable("crisk.erasure_in_progress",
							 "Lets crisk.forget_customer() delete rows of crisk's append-only tables on the worker nodes.",
							 "Set by crisk.forget_customer() on a distributed store; not meant to be set by hand.",
							 &crisk_erasure_in_progress, false,
							 PGC_SUSET,
							 GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE | GUC_DISALLOW_IN_FILE,
							 NULL, NULL, NULL);

	DefineCustomBoolVariable("crisk.enabled",
							 "Runs the background rescoring workers.",
							 "When off, the launcher stops every crisk worker and starts none; crisk.rescore() still works.",
							 &crisk_enabled, true,
							 PGC_SIGHUP, 0, NULL, NULL, NULL);

	DefineCustomStringVariable("crisk.databases",
							   "Databases where the rescoring worker may run (comma-separated; empty means every database with crisk installed).",
							   NULL,
							   &crisk_databases, "",
							   PGC_SIGHUP, GUC_LIST_INPUT,
							   check_databases, NULL, NULL);

	DefineCustomStringVariable("crisk.role",
							   "Role the rescoring workers run as (empty means the bootstrap superuser).",
							   "A role with LOGIN and the privileges listed in the README; the worker warns when it runs as a superuser.",
							   &crisk_role, "",
							   PGC_SIGHUP, 0, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.rescore_interval",
							"Time between incremental rescoring passes.",
							"An incremental pass rescores only the customers whose data changed.",
							&crisk_rescore_interval, 60, 1, 24 * 60 * 60,
							PGC_SIGHUP, GUC_UNIT_S, NULL, NULL, NULL);

	DefineCustomStringVariable("crisk.full_rescore_time",
							   "Time of day (HH:MM, server time zone) of the daily full rescoring pass; empty disables it.",
							   "Aging moves every day even when no data changes, so every customer is rescored once a day.",
							   &crisk_full_rescore_time, "02:00",
							   PGC_SIGHUP, 0,
							   check_full_rescore_time, assign_full_rescore_time, NULL);

	DefineCustomIntVariable("crisk.batch_size",
							"Largest number of customers scored in one batch.",
							"The worker commits each batch in its own transaction.",
							&crisk_batch_size, 1000, 1, 100000,
							PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.batch_pause",
							"Pause of the rescoring worker between two batches.",
							"Spreads the load of a large pass over time; 0 means no pause.",
							&crisk_batch_pause, 0, 0, 10 * 60 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.worker_nice",
							"Niceness the rescoring workers add to the server's, to leave the CPU to sessions first.",
							"0 runs them at the server's priority; 19 at the lowest.  Manual crisk.rescore() calls keep their session's.",
							&crisk_worker_nice, 0, 0, 19,
							PGC_SIGHUP, 0, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.worker_yield_to_order_checks",
							"Quiet time after an order check that a rescoring worker waits for before a pass's read, between its fetches and before each batch.",
							"While crisk.check_order is called on the server, the workers' passes wait, up to crisk.worker_yield_limit per pass; 0 means they do not wait.",
							&crisk_worker_yield_to_order_checks, 50, 0, 60 * 60 * 1000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.worker_yield_limit",
							"Longest time a rescoring pass waits for order checks to pause, in all.",
							"Past it, the pass runs its remaining batches without waiting; 0 means no limit.",
							&crisk_worker_yield_limit, 15 * 60 * 1000, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.history_retention",
							"How long score history and pass records are kept; 0 keeps them forever.",
							"The worker purges older rows of crisk.score_history, crisk.job_run and crisk.job_error once a day.",
							&crisk_history_retention, 730 * 24 * 60, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MIN, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.max_workers",
							"Largest number of crisk rescoring workers running at once.",
							"With more databases than this, the databases take turns: each worker runs one pass and exits.",
							&crisk_max_workers, 3, 1, 1024,
							PGC_SIGHUP, 0, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.lock_timeout",
							"Longest wait of the rescoring worker for a lock.",
							"The worker never waits long on a lock another session holds; 0 means wait forever.",
							&crisk_lock_timeout, 1000, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.alert_score_drop",
							"Fall of a customer's score, in points, that raises a score_drop alert.",
							"Compared with the customer's previous score, at each rescoring.",
							&crisk_alert_score_drop, 15, 1, 100,
							PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomRealVariable("crisk.model_drift_psi",
							 "Population stability index above which a fitted model raises a model_drift alert.",
							 "crisk.check_model_drift compares the spread over risk classes of the customers scored under each fitted model with its development sample's.",
							 &crisk_model_drift_psi, 0.25, 0.0, 100.0,
							 PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomRealVariable("crisk.default_lgd",
							 "Loss given default, as a fraction, of customers whose segment has no row in crisk.lgd.",
							 "Used by the expected credit loss by probability of default (crisk.expected_credit_loss_by_pd).",
							 &crisk_default_lgd, 0.45, 0.0, 1.0,
							 PGC_SUSET, 0, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.reservation_ttl",
							"How long credit reserved by crisk.check_order(..., reserve => true) stays reserved.",
							"A reservation ends earlier when its order shows up in the orders source or the ledger.",
							&crisk_reservation_ttl, 7 * 24 * 60, 1, INT_MAX,
							PGC_USERSET, GUC_UNIT_MIN, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.statement_timeout",
							"Longest run of one statement of the rescoring worker; 0 means no limit.",
							"The full pass reads the ledger in one statement: raise this for very large ledgers.",
							&crisk_statement_timeout, 60 * 60 * 1000, 0, INT_MAX,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);

	DefineCustomIntVariable("crisk.promise_grace_days",
							"Days after a promise to pay falls due before it counts as broken.",
							"Dunning of the items a promise covers pauses until then; a promise not kept by then raises a broken_promise alert.",
							&crisk_promise_grace_days, 3, 0, 365,
							PGC_SUSET, 0, NULL, NULL, NULL);
}
