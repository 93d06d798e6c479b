/*-------------------------------------------------------------------------
 *
 * launcher.c
 *	  The crisk launcher: one process per server that starts a rescoring
 *	  worker in every database where crisk is installed.
 *
 * The launcher connects to no database (it reads only the shared catalogs
 * pg_database and pg_authid).  It cannot see pg_extension of a database, so
 * it finds crisk by starting a worker there: the worker exits at once and
 * quietly, saying "not installed", where crisk is absent.  Such databases
 * are probed again when:
 *	- a session creates or drops an extension there (ddl_hooks.c asks at
 *	  commit), which covers CREATE EXTENSION crisk without a server restart;
 *	- they first appear in pg_database (a new database may be a copy of one
 *	  that has crisk), which the launcher reads every ten seconds;
 *	- an hour has passed, as a safety net for anything else.
 *
 * Workers are registered dynamically, never restarted by the postmaster;
 * the launcher restarts them itself according to why they exited: at once
 * after a settings change, after a growing delay (1 s to 1 min) after an
 * error or a termination, never while the database is excluded, paused or
 * without crisk.  The launcher itself is registered with a restart
 * interval, so it comes back after a crash-restart cycle.
 *
 * Slots: at most crisk.max_workers workers run at once (the server's
 * max_worker_processes is shared with parallel query and other
 * extensions).  When more databases have crisk than that, each worker runs
 * one pass and exits, and the databases take turns, the one waiting
 * longest first; a database's next turn comes crisk.rescore_interval after
 * its last one ended, the interval in force now (a reload applies at once).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <signal.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "launcher.h"
#include "worker_shmem.h"

#define LAUNCHER_RESTART_SECONDS	10
#define SCAN_INTERVAL_MS			10000	/* pg_database and crisk.role */
#define REPROBE_INTERVAL_MS			(60 * 60 * 1000)
#define RESTART_DELAY_MIN_MS		1000
#define RESTART_DELAY_MAX_MS		60000
#define STABLE_RUN_MS				60000	/* a run this long resets the delay */
#define NO_SLOT_RETRY_MS			10000
#define WAIT_FOR_SLOT_MS			1000
#define ORPHAN_TIMEOUT_MS			60000
#define PAUSE_TIMEOUT_MS			(60 * 60 * 1000)

typedef enum DatabaseState
{
	DATABASE_UNKNOWN,			/* not probed yet, or asked to re-check */
	DATABASE_HAS_CRISK,
	DATABASE_WITHOUT_CRISK
} DatabaseState;

typedef struct DatabaseEntry
{
	Oid			dboid;			/* hash key */
	char		name[NAMEDATALEN];
	bool		present;		/* found by the last scan of pg_database */
	bool		connectable;	/* allows connections and is no template */
	DatabaseState state;
	int			slotno;			/* worker slot, -1 when no worker */
	BackgroundWorkerHandle *handle;
	bool		terminating;	/* termination already asked for */
	bool		recheck;		/* a re-check arrived while a worker ran */
	TimestampTz started_at;
	TimestampTz next_start;
	TimestampTz turn_ended_at;	/* its last turn ended (0: next_start is
								 * not an interval after a turn) */
	int			restart_delay_ms;
	pid_t		paused_by;		/* session running a command that pauses it */
	TimestampTz paused_at;
} DatabaseEntry;

static HTAB *databases = NULL;
static MemoryContext launcher_context = NULL;
static uint32 my_generation = 0;
static Oid	worker_role = InvalidOid;	/* InvalidOid: crisk.role unusable */
static char last_role_problem[2 * NAMEDATALEN + 64] = "";
static bool warned_no_slot = false;
static TimestampTz *orphan_since = NULL;	/* per slot, from an earlier launcher */

/*
 * launcher_detach forgets the launcher's latch when it exits, so that
 * sessions stop setting it.
 */
static void
launcher_detach(int code pg_attribute_unused(), Datum arg pg_attribute_unused())
{
	SpinLockAcquire(&crisk_shared->mutex);
	if (crisk_shared->launcher_pid == MyProcPid)
	{
		crisk_shared->launcher_pid = 0;
		crisk_shared->launcher_latch = NULL;
	}
	SpinLockRelease(&crisk_shared->mutex);
}

/*
 * launcher_attach publishes the launcher's latch.  Workers started by an
 * earlier launcher (which exited without a crash) cannot be watched through
 * handles: they are asked to exit when idle, and their slots are freed once
 * they have.
 */
static void
launcher_attach(void)
{
	int			i;
	TimestampTz now = GetCurrentTimestamp();
	Latch	  **latches;

	orphan_since = MemoryContextAllocZero(launcher_context,
										  sizeof(TimestampTz) * crisk_shared->nslots);
	latches = palloc0(sizeof(Latch *) * crisk_shared->nslots);
	SpinLockAcquire(&crisk_shared->mutex);
	crisk_shared->launcher_pid = MyProcPid;
	crisk_shared->launcher_latch = MyLatch;
	my_generation = ++crisk_shared->launcher_generation;
	for (i = 0; i < crisk_shared->nslots; i++)
	{
		WorkerSlot *slot = &crisk_shared->slots[i];

		if (slot->in_use)
		{
			slot->stop_requested = true;
			orphan_since[i] = now;
			latches[i] = slot->latch;
		}
	}
	SpinLockRelease(&crisk_shared->mutex);
	for (i = 0; i < crisk_shared->nslots; i++)
		if (latches[i] != NULL)
			SetLatch(latches[i]);
	pfree(latches);
}

/*
 * free_slot returns a slot to the pool and reports why its worker exited.
 */
static WorkerExit
free_slot(int slotno)
{
	WorkerSlot *slot = &crisk_shared->slots[slotno];
	WorkerExit	reason;

	SpinLockAcquire(&crisk_shared->mutex);
	reason = slot->exited ? slot->exit_reason : WORKER_EXIT_UNEXPECTED;
	slot->in_use = false;
	slot->pid = 0;
	slot->latch = NULL;
	SpinLockRelease(&crisk_shared->mutex);
	return reason;
}

/*
 * reap_orphans frees the slots of an earlier launcher's workers once they
 * have exited (or never started).
 */
static void
reap_orphans(TimestampTz now)
{
	int			i;

	for (i = 0; i < crisk_shared->nslots; i++)
	{
		WorkerSlot *slot = &crisk_shared->slots[i];
		bool		done;

		if (orphan_since[i] == 0)
			continue;
		SpinLockAcquire(&crisk_shared->mutex);
		done = !slot->in_use || slot->exited ||
			(slot->pid == 0 &&
			 TimestampDifferenceExceeds(orphan_since[i], now, ORPHAN_TIMEOUT_MS));
		if (done)
			slot->in_use = false;
		SpinLockRelease(&crisk_shared->mutex);
		if (done)
			orphan_since[i] = 0;
	}
}

/*
 * lookup_worker_role resolves crisk.role (a shared catalog, readable
 * without a database) and logs a problem once, until it changes.
 */
static void
lookup_worker_role(void)
{
	char		problem[sizeof(last_role_problem)] = "";
	HeapTuple	tuple;

	worker_role = InvalidOid;
	if (crisk_role == NULL || crisk_role[0] == '\0')
		worker_role = BOOTSTRAP_SUPERUSERID;
	else
	{
		tuple = SearchSysCache1(AUTHNAME, CStringGetDatum(crisk_role));
		if (!HeapTupleIsValid(tuple))
			snprintf(problem, sizeof(problem), "does not exist");
		else
		{
			Form_pg_authid role = (Form_pg_authid) GETSTRUCT(tuple);

			if (!role->rolcanlogin)
				snprintf(problem, sizeof(problem), "is not permitted to log in");
			else
				worker_role = role->oid;
			ReleaseSysCache(tuple);
		}
	}

	if (problem[0] != '\0')
	{
		char		key[sizeof(last_role_problem)];

		snprintf(key, sizeof(key), "%s %s", crisk_role, problem);
		if (strcmp(key, last_role_problem) != 0)
		{
			ereport(WARNING,
					(errmsg("crisk.role \"%s\" %s: no crisk rescoring worker can start",
							crisk_role, problem),
					 errdetail("The crisk launcher checks the role again every %d seconds and starts the workers once it is usable.",
							   SCAN_INTERVAL_MS / 1000),
					 errhint("Create the role with CREATE ROLE %s LOGIN and run SELECT crisk.grant_worker_privileges('%s') in each crisk database, or set crisk.role to another role and reload.",
							 crisk_role, crisk_role)));
			strlcpy(last_role_problem, key, sizeof(last_role_problem));
		}
	}
	else if (last_role_problem[0] != '\0')
	{
		ereport(LOG,
				(errmsg("crisk.role \"%s\" is usable now: starting the crisk rescoring workers",
						crisk_role)));
		last_role_problem[0] = '\0';
	}
}

/*
 * scan_databases refreshes the list of databases from pg_database and
 * resolves crisk.role, in one short read-only transaction.
 */
static void
scan_databases(TimestampTz now)
{
	HASH_SEQ_STATUS seq;
	DatabaseEntry *entry;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tuple;

	hash_seq_init(&seq, databases);
	while ((entry = hash_seq_search(&seq)) != NULL)
		entry->present = false;

	StartTransactionCommand();
	(void) GetTransactionSnapshot();
	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tuple = heap_getnext(scan, ForwardScanDirection)) != NULL)
	{
		Form_pg_database db = (Form_pg_database) GETSTRUCT(tuple);
		bool		found;

		entry = hash_search(databases, &db->oid, HASH_ENTER, &found);
		if (!found)
		{
			entry->state = DATABASE_UNKNOWN;
			entry->slotno = -1;
			entry->handle = NULL;
			entry->terminating = false;
			entry->recheck = false;
			entry->started_at = 0;
			entry->next_start = now;
			entry->turn_ended_at = 0;
			entry->restart_delay_ms = RESTART_DELAY_MIN_MS;
			entry->paused_by = 0;
		}
		strlcpy(entry->name, NameStr(db->datname), NAMEDATALEN);
		entry->present = true;
		entry->connectable = db->datallowconn && !db->datistemplate &&
			!database_is_invalid_form(db);
	}
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	lookup_worker_role();
	CommitTransactionCommand();

	/* forget dropped databases once their worker is gone */
	hash_seq_init(&seq, databases);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (!entry->present && entry->slotno < 0)
			(void) hash_search(databases, &entry->dboid, HASH_REMOVE, NULL);
	}
}

/*
 * database_wanted says whether a worker may run in the database now.
 */
static bool
database_wanted(DatabaseEntry *entry)
{
	/*
	 * A pause ends when the pausing session says so, dies mid-command, or
	 * after an hour (by then the command holds its lock on the database,
	 * which keeps a new worker from connecting until it ends).
	 */
	if (entry->paused_by != 0 &&
		((kill(entry->paused_by, 0) != 0 && errno == ESRCH) ||
		 TimestampDifferenceExceeds(entry->paused_at, GetCurrentTimestamp(), PAUSE_TIMEOUT_MS)))
		entry->paused_by = 0;
	return crisk_enabled && OidIsValid(worker_role) &&
		entry->present && entry->connectable && entry->paused_by == 0 &&
		crisk_database_is_selected(entry->name);
}

/*
 * recheck_database acts on "crisk may have been created or dropped here":
 * a running worker is woken to check, otherwise the database is probed.
 */
static void
recheck_database(DatabaseEntry *entry, TimestampTz now)
{
	if (entry->slotno >= 0)
	{
		WorkerSlot *slot = &crisk_shared->slots[entry->slotno];
		Latch	   *latch;

		entry->recheck = true;
		SpinLockAcquire(&crisk_shared->mutex);
		latch = slot->latch;
		SpinLockRelease(&crisk_shared->mutex);
		if (latch != NULL)
			SetLatch(latch);
	}
	else
	{
		entry->state = DATABASE_UNKNOWN;
		entry->next_start = now;
		entry->turn_ended_at = 0;
		entry->restart_delay_ms = RESTART_DELAY_MIN_MS;
	}
}

/*
 * take_requests empties the request queue; it returns true when the list
 * of databases must be read again.
 */
static bool
take_requests(TimestampTz now)
{
	LauncherRequest requests[CRISK_MAX_REQUESTS];
	int			nrequests,
				i;
	bool		overflowed;
	bool		rescan = false;
	DatabaseEntry *entry;

	SpinLockAcquire(&crisk_shared->mutex);
	nrequests = crisk_shared->nrequests;
	memcpy(requests, crisk_shared->requests, sizeof(LauncherRequest) * nrequests);
	overflowed = crisk_shared->requests_overflowed;
	crisk_shared->nrequests = 0;
	crisk_shared->requests_overflowed = false;
	SpinLockRelease(&crisk_shared->mutex);

	if (overflowed)
	{
		HASH_SEQ_STATUS seq;

		hash_seq_init(&seq, databases);
		while ((entry = hash_seq_search(&seq)) != NULL)
			recheck_database(entry, now);
		rescan = true;
	}

	for (i = 0; i < nrequests; i++)
	{
		entry = hash_search(databases, &requests[i].dboid, HASH_FIND, NULL);
		if (entry == NULL)
		{
			/* a database created since the last scan */
			rescan = true;
			continue;
		}
		switch (requests[i].kind)
		{
			case LAUNCHER_CHECK_DATABASE:
				recheck_database(entry, now);
				break;
			case LAUNCHER_PAUSE_DATABASE:
				entry->paused_by = requests[i].requester;
				entry->paused_at = now;
				break;
			case LAUNCHER_RESUME_DATABASE:
				entry->paused_by = 0;
				entry->next_start = now;
				entry->turn_ended_at = 0;
				break;
		}
	}
	return rescan;
}

/*
 * reap_workers notices workers that exited and decides when each database
 * gets its next one.
 */
static void
reap_workers(TimestampTz now)
{
	HASH_SEQ_STATUS seq;
	DatabaseEntry *entry;

	hash_seq_init(&seq, databases);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		pid_t		pid;
		WorkerExit	reason;

		if (entry->slotno < 0 ||
			GetBackgroundWorkerPid(entry->handle, &pid) != BGWH_STOPPED)
			continue;

		reason = free_slot(entry->slotno);
		if (reason == WORKER_EXIT_UNEXPECTED && entry->terminating)
			reason = WORKER_EXIT_NOT_WANTED;	/* the launcher stopped it */
		entry->slotno = -1;
		pfree(entry->handle);
		entry->handle = NULL;
		entry->terminating = false;
		entry->turn_ended_at = 0;

		switch (reason)
		{
			case WORKER_EXIT_NO_EXTENSION:
				entry->state = DATABASE_WITHOUT_CRISK;
				entry->next_start = entry->recheck ? now :
					TimestampTzPlusMilliseconds(now, REPROBE_INTERVAL_MS);
				entry->restart_delay_ms = RESTART_DELAY_MIN_MS;
				break;
			case WORKER_EXIT_DONE:
				entry->state = DATABASE_HAS_CRISK;
				entry->turn_ended_at = now;
				entry->next_start = TimestampTzPlusMilliseconds(now,
																crisk_rescore_interval * 1000L);
				entry->restart_delay_ms = RESTART_DELAY_MIN_MS;
				break;
			case WORKER_EXIT_NOT_WANTED:
			case WORKER_EXIT_RESTART:
				/* started again as soon as the database is wanted */
				entry->state = DATABASE_HAS_CRISK;
				entry->next_start = now;
				entry->restart_delay_ms = RESTART_DELAY_MIN_MS;
				break;
			case WORKER_EXIT_UNEXPECTED:
				if (TimestampDifferenceExceeds(entry->started_at, now, STABLE_RUN_MS))
					entry->restart_delay_ms = RESTART_DELAY_MIN_MS;
				entry->next_start = TimestampTzPlusMilliseconds(now, entry->restart_delay_ms);
				entry->restart_delay_ms = Min(entry->restart_delay_ms * 2,
											  RESTART_DELAY_MAX_MS);
				break;
		}
		entry->recheck = false;
	}
}

/*
 * reschedule_turns applies a new crisk.rescore_interval to the databases
 * waiting for their next turn: each comes an interval (the new one) after
 * its last turn ended, not after the interval that was in force then.
 */
static void
reschedule_turns(void)
{
	HASH_SEQ_STATUS seq;
	DatabaseEntry *entry;

	hash_seq_init(&seq, databases);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (entry->slotno < 0 && entry->turn_ended_at != 0)
			entry->next_start = TimestampTzPlusMilliseconds(entry->turn_ended_at,
															crisk_rescore_interval * 1000L);
	}
}

/*
 * stop_unwanted_workers terminates workers of databases that are
 * excluded, paused, disabled, gone, or that run as a role other than the
 * one crisk.role names now.
 */
static void
stop_unwanted_workers(void)
{
	HASH_SEQ_STATUS seq;
	DatabaseEntry *entry;

	hash_seq_init(&seq, databases);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (entry->slotno < 0 || entry->terminating)
			continue;
		if (!database_wanted(entry) ||
			crisk_shared->slots[entry->slotno].roleoid != worker_role)
		{
			TerminateBackgroundWorker(entry->handle);
			entry->terminating = true;
		}
	}
}

/*
 * start_worker registers a worker for the database in a free slot.
 */
static bool
start_worker(DatabaseEntry *entry, bool one_shot, TimestampTz now)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	MemoryContext old;
	uint32		generation = 0;
	bool		registered;
	int			slotno = -1;
	int			i;

	SpinLockAcquire(&crisk_shared->mutex);
	for (i = 0; i < crisk_shared->nslots; i++)
	{
		if (!crisk_shared->slots[i].in_use)
		{
			WorkerSlot *slot = &crisk_shared->slots[i];

			slotno = i;
			memset(slot, 0, sizeof(WorkerSlot));
			slot->in_use = true;
			slot->generation = generation = crisk_shared->next_generation++;
			slot->dboid = entry->dboid;
			slot->roleoid = worker_role;
			slot->one_shot = one_shot;
			slot->exit_reason = WORKER_EXIT_UNEXPECTED;
			slot->launcher_generation = my_generation;
			break;
		}
	}
	SpinLockRelease(&crisk_shared->mutex);
	if (slotno < 0)
		return false;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = BGW_NEVER_RESTART;	/* the launcher restarts it */
	strlcpy(worker.bgw_library_name, "crisk", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "crisk_worker_main", BGW_MAXLEN);
	snprintf(worker.bgw_name, BGW_MAXLEN, "crisk worker for database %s", entry->name);
	strlcpy(worker.bgw_type, "crisk worker", BGW_MAXLEN);
	worker.bgw_main_arg = Int32GetDatum(slotno);
	memcpy(worker.bgw_extra, &generation, sizeof(generation));
	worker.bgw_notify_pid = MyProcPid;

	old = MemoryContextSwitchTo(launcher_context);
	registered = RegisterDynamicBackgroundWorker(&worker, &handle);
	MemoryContextSwitchTo(old);
	if (!registered)
	{
		(void) free_slot(slotno);
		if (!warned_no_slot)
			ereport(WARNING,
					(errmsg("could not start a crisk worker for database \"%s\": no free background worker slot",
							entry->name),
					 errdetail("The crisk launcher tries again every %d seconds.",
							   NO_SLOT_RETRY_MS / 1000),
					 errhint("Raise max_worker_processes (now %d), or lower crisk.max_workers.",
							 max_worker_processes)));
		warned_no_slot = true;
		entry->next_start = TimestampTzPlusMilliseconds(now, NO_SLOT_RETRY_MS);
		return false;
	}
	warned_no_slot = false;
	entry->slotno = slotno;
	entry->handle = handle;
	entry->terminating = false;
	entry->recheck = false;
	entry->started_at = now;
	return true;
}

/*
 * start_due_workers starts workers for the databases whose turn has come,
 * longest-waiting first, within crisk.max_workers.
 */
static void
start_due_workers(TimestampTz now)
{
	HASH_SEQ_STATUS seq;
	DatabaseEntry *entry;
	int			running = 0;
	int			demand = 0;
	int			i;
	bool		one_shot;

	for (i = 0; i < crisk_shared->nslots; i++)
		if (crisk_shared->slots[i].in_use)
			running++;

	/*
	 * Demand: databases with crisk, and those waiting to be probed.  When
	 * it exceeds crisk.max_workers, workers take turns, so that a probe or
	 * a database never waits for good behind workers that run for good.
	 */
	hash_seq_init(&seq, databases);
	while ((entry = hash_seq_search(&seq)) != NULL)
		if (database_wanted(entry) &&
			(entry->state != DATABASE_WITHOUT_CRISK ||
			 (entry->slotno < 0 && entry->next_start <= now)))
			demand++;
	one_shot = demand > crisk_max_workers;

	while (running < crisk_max_workers)
	{
		DatabaseEntry *next = NULL;

		hash_seq_init(&seq, databases);
		while ((entry = hash_seq_search(&seq)) != NULL)
		{
			if (entry->slotno >= 0 || entry->next_start > now || !database_wanted(entry))
				continue;
			if (next == NULL || entry->next_start < next->next_start)
				next = entry;
		}
		if (next == NULL || !start_worker(next, one_shot, now))
			return;
		running++;
	}

	/*
	 * Every slot is taken and a database waits: when databases take turns,
	 * ask the workers that run for good to exit after their current pass.
	 */
	if (!one_shot)
		return;
	hash_seq_init(&seq, databases);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (entry->slotno < 0 && entry->next_start <= now && database_wanted(entry))
		{
			hash_seq_term(&seq);
			for (i = 0; i < crisk_shared->nslots; i++)
			{
				WorkerSlot *slot = &crisk_shared->slots[i];
				Latch	   *latch = NULL;

				SpinLockAcquire(&crisk_shared->mutex);
				if (slot->in_use && !slot->one_shot && !slot->stop_requested)
				{
					slot->stop_requested = true;
					latch = slot->latch;
				}
				SpinLockRelease(&crisk_shared->mutex);
				if (latch != NULL)
					SetLatch(latch);
			}
			return;
		}
	}
}

/*
 * next_wakeup is how long the launcher may sleep: until the next scan or
 * the next database whose turn comes, whichever is first.
 */
static long
next_wakeup(TimestampTz now, TimestampTz next_scan)
{
	HASH_SEQ_STATUS seq;
	DatabaseEntry *entry;
	TimestampTz wake = next_scan;

	hash_seq_init(&seq, databases);
	while ((entry = hash_seq_search(&seq)) != NULL)
	{
		if (entry->slotno < 0 && entry->next_start < wake && database_wanted(entry))
			wake = entry->next_start;
	}
	/*
	 * A database waiting for a free slot needs no polling: a worker that
	 * exits sets the launcher's latch, and so does the postmaster's notice
	 * (bgw_notify_pid).  A second is a safety net.
	 */
	if (wake <= now)
		return WAIT_FOR_SLOT_MS;
	return Max(10, (long) ((wake - now) / 1000));
}

/*
 * crisk_launcher_main is the launcher's entry point.
 */
void
crisk_launcher_main(Datum main_arg pg_attribute_unused())
{
	HASHCTL		ctl;
	MemoryContext loop_context;
	TimestampTz next_scan = 0;
	bool		rescan = true;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("crisk launcher");

	launcher_context = AllocSetContextCreate(TopMemoryContext, "crisk launcher",
											 ALLOCSET_DEFAULT_SIZES);
	loop_context = AllocSetContextCreate(launcher_context, "crisk launcher loop",
										 ALLOCSET_DEFAULT_SIZES);
	memset(&ctl, 0, sizeof(ctl));
	ctl.keysize = sizeof(Oid);
	ctl.entrysize = sizeof(DatabaseEntry);
	ctl.hcxt = launcher_context;
	databases = hash_create("crisk launcher databases", 64, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);

	launcher_attach();
	on_shmem_exit(launcher_detach, (Datum) 0);
	ereport(LOG, (errmsg("crisk launcher started")));

	for (;;)
	{
		TimestampTz now;
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(loop_context);
		old = MemoryContextSwitchTo(loop_context);

		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			reschedule_turns();
			rescan = true;
		}
		now = GetCurrentTimestamp();
		if (take_requests(now))
			rescan = true;
		if (rescan || now >= next_scan)
		{
			scan_databases(now);
			next_scan = TimestampTzPlusMilliseconds(now, SCAN_INTERVAL_MS);
			rescan = false;
		}
		reap_orphans(now);
		reap_workers(now);
		stop_unwanted_workers();
		start_due_workers(now);

		MemoryContextSwitchTo(old);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 next_wakeup(GetCurrentTimestamp(), next_scan),
						 PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * crisk_register_launcher registers the launcher at server start.  It is
 * restarted LAUNCHER_RESTART_SECONDS after it exits abnormally, including
 * after a crash-restart cycle.
 */
void
crisk_register_launcher(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = LAUNCHER_RESTART_SECONDS;
	strlcpy(worker.bgw_library_name, "crisk", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "crisk_launcher_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "crisk launcher", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "crisk launcher", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}
