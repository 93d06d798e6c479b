/*-------------------------------------------------------------------------
 *
 * worker.c
 *	  The per-database rescoring worker: connects as crisk.role, then runs
 *	  an incremental pass every crisk.rescore_interval and a full pass
 *	  daily at crisk.full_rescore_time, and purges old history once a day.
 *
 * Signals: SIGHUP reloads the configuration (the new interval applies at
 * once); SIGTERM (shutdown, pg_terminate_backend, the launcher) ends the
 * worker through die() at the next CHECK_FOR_INTERRUPTS, mid-pass
 * included; every wait uses the latch with WL_EXIT_ON_PM_DEATH.  The
 * worker never exits with code 0 on SIGTERM; its intentional exits (crisk
 * absent, turn over, settings changed) tell the launcher why through the
 * worker's slot.
 *
 * Incremental passes: one when the worker starts (what was queued while
 * no worker ran), then one every crisk.rescore_interval, and one at once
 * when crisk.request_rescore() asks.  A pass that finds nothing queued
 * leaves the worker listening: the first transaction that queues a
 * customer after that pass read the queue wakes it, and it runs a pass at
 * once.  So a change on a quiet portfolio is rescored at once (a load
 * that commits just after the worker's first pass, as after CREATE
 * EXTENSION, included), and passes that do work still come at most once
 * per interval while changes keep coming.
 *
 * CPU priority: the worker adds crisk.worker_nice to the niceness it was
 * started with (the postmaster's), at start and on every reload, so that
 * on a busy server the sessions (order checks) get the CPU first; on
 * Linux it also gives its autogroup that niceness (set_group_niceness).
 * An unprivileged process may raise its niceness but not lower it again:
 * a smaller setting makes the worker exit after its pass, and the launcher
 * starts a new one at once, at the server's niceness plus the new setting.
 *
 * Full pass schedule: a full pass is due when none has succeeded since the
 * latest occurrence of crisk.full_rescore_time (server time zone), so a
 * worker that was down at that time catches up when it starts.  A failed
 * full pass is retried an hour later, not at once: a failure that repeats
 * must not turn into a full read of the ledger every minute.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <unistd.h>
#ifndef WIN32
#include <sys/resource.h>
#endif

#include "access/xact.h"
#include "commands/dbcommands.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "guc.h"
#include "rescore.h"
#include "safe_search_path.h"
#include "worker.h"
#include "worker_shmem.h"

#define FULL_RETRY_DELAY_MS		(60 * 60 * 1000)
#define MAINTENANCE_INTERVAL_MS (24 * 60 * 60 * 1000)
#define LONGEST_SLEEP_MS		(60 * 60 * 1000)

static WorkerSlot *my_slot = NULL;
static char *my_dbname = NULL;
static bool in_worker = false;

/* the niceness the worker was started with, crisk.worker_nice's base */
static int	server_niceness = 0;
/* a smaller crisk.worker_nice than the niceness in force needs a new worker */
static bool restart_for_priority = false;
/* the niceness of the worker's scheduling group (Linux autogroup) */
static int	group_niceness = 0;

/*
 * worker_detach marks the slot exited and wakes the launcher, on any exit
 * that runs exit callbacks (all but a crash, which resets shared memory).
 */
static void
worker_detach(int code pg_attribute_unused(), Datum arg pg_attribute_unused())
{
	Latch	   *launcher;

	SpinLockAcquire(&crisk_shared->mutex);
	my_slot->exited = true;
	my_slot->pid = 0;
	my_slot->latch = NULL;
	my_slot->busy = false;
	launcher = crisk_shared->launcher_latch;
	SpinLockRelease(&crisk_shared->mutex);
	if (launcher != NULL)
		SetLatch(launcher);
}

/*
 * worker_exit ends the worker on purpose, telling the launcher why.
 */
static void
worker_exit(WorkerExit reason)
{
	SpinLockAcquire(&crisk_shared->mutex);
	my_slot->exit_reason = reason;
	SpinLockRelease(&crisk_shared->mutex);
	proc_exit(0);
}

/*
 * apply_session_settings gives the worker's session its lock timeout, so
 * that its own updates never wait long behind another session.
 */
static void
apply_session_settings(void)
{
	char		value[32];

	snprintf(value, sizeof(value), "%d", crisk_lock_timeout);
	SetConfigOption("lock_timeout", value, PGC_SUSET, PGC_S_SESSION);
}

/*
 * set_group_niceness gives the worker's Linux autogroup the niceness nice.
 *
 * With kernel.sched_autogroup_enabled (the default of many distributions),
 * the kernel shares the CPU first between autogroups, one per session, and
 * only then by niceness between the processes of a group.  Every
 * PostgreSQL child process starts its own session (setsid), hence its own
 * group: there, the process's niceness weighs against nothing, and the
 * group's niceness (/proc/self/autogroup) is what weighs against the
 * sessions.  Its owner may set it from 0 to 19 without privilege, lowering
 * included, once every 100 ms.  Elsewhere (no autogroups, or a server in a
 * cgroup of its own, as under systemd, where autogroups do not apply) the
 * file is missing or its value is ignored, and the process's niceness
 * counts.
 */
static void
set_group_niceness(int nice)
{
#ifdef __linux__
	char		value[16];
	int			attempt;
	int			saved_errno = 0;

	if (nice == group_niceness)
		return;
	snprintf(value, sizeof(value), "%d", nice);
	for (attempt = 0; attempt < 5; attempt++)
	{
		int			fd = open("/proc/self/autogroup", O_WRONLY);
		ssize_t		written;

		if (fd < 0)
			return;				/* a kernel without autogroups */
		written = write(fd, value, strlen(value));
		saved_errno = errno;
		close(fd);
		if (written >= 0)
		{
			group_niceness = nice;
			return;
		}
		if (saved_errno != EAGAIN)
			break;
		/* another process changed an autogroup less than 100 ms ago */
		(void) WaitLatch(MyLatch, WL_TIMEOUT | WL_EXIT_ON_PM_DEATH, 110,
						 PG_WAIT_EXTENSION);
	}
	errno = saved_errno;
	ereport(WARNING,
			(errmsg("crisk worker could not set the niceness of its scheduling group to %d: %m",
					nice)));
#else
	(void) nice;
	(void) group_niceness;
#endif
}

/*
 * apply_worker_nice sets the worker's niceness to the server's plus
 * crisk.worker_nice (19 at most).  A lower niceness than the one in force
 * is refused to an unprivileged process: the worker then asks to be
 * started again, which the loop does once the current pass has ended.
 */
static void
apply_worker_nice(void)
{
#ifndef WIN32
	int			target = Min(server_niceness + crisk_worker_nice, 19);
	int			current;

	set_group_niceness(crisk_worker_nice);
	errno = 0;
	current = getpriority(PRIO_PROCESS, 0);
	if (errno != 0)
	{
		ereport(WARNING,
				(errmsg("crisk worker could not read its CPU priority: %m")));
		return;
	}
	if (current == target)
		return;
	if (setpriority(PRIO_PROCESS, 0, target) == 0)
	{
		ereport(DEBUG1,
				(errmsg("crisk worker niceness set to %d (crisk.worker_nice = %d)",
						target, crisk_worker_nice)));
		return;
	}
	if (target < current && (errno == EACCES || errno == EPERM))
	{
		ereport(LOG,
				(errmsg("crisk worker for database \"%s\" restarts to lower its niceness from %d to %d",
						my_dbname ? my_dbname : "?", current, target),
				 errdetail("A process may not raise its own CPU priority; a new worker starts at the server's.")));
		restart_for_priority = true;
		return;
	}
	ereport(WARNING,
			(errmsg("crisk worker could not set its niceness to %d: %m", target)));
#endif
}

/*
 * worker_reload_if_pending re-reads the configuration after SIGHUP
 * (between batches too, so that a long pass picks up new settings).
 */
static void
worker_reload_if_pending(void)
{
	if (!in_worker || !ConfigReloadPending)
		return;
	ConfigReloadPending = false;
	ProcessConfigFile(PGC_SIGHUP);
	apply_session_settings();
	apply_worker_nice();
}

/*
 * worker_pause_between_batches sleeps crisk.batch_pause, waking at
 * once for SIGTERM or a reload; other wake-ups (a request for a pass) do not
 * shorten it.
 */
static void
worker_pause_between_batches(void)
{
	TimestampTz end;

	if (!in_worker || crisk_batch_pause <= 0)
		return;
	end = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), crisk_batch_pause);
	for (;;)
	{
		long		remaining = (long) ((end - GetCurrentTimestamp()) / 1000);

		/* a reload ends the pause: the new setting may be shorter */
		if (remaining <= 0 || ConfigReloadPending)
			break;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 remaining, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
}

/*
 * someone_waits_for_my_locks says whether another process waits for a lock
 * this one holds, in a mode that conflicts with one held: a TRUNCATE or
 * ALTER TABLE of the ledger, say, waiting for the read of a pass that
 * yields to order checks.  Order checks queued behind such a lock check no
 * orders, and the pass must not wait for them to pause.
 */
static bool
someone_waits_for_my_locks(void)
{
	LockData   *data = GetLockStatusData();
	LockInstanceData **mine = palloc(data->nelements * sizeof(LockInstanceData *));
	int			nmine = 0;
	bool		found = false;
	int			i;

	/* this process's locks first (a read holds a few), then each waiter */
	for (i = 0; i < data->nelements; i++)
		if (data->locks[i].pid == MyProcPid && data->locks[i].holdMask != 0)
			mine[nmine++] = &data->locks[i];
	for (i = 0; i < data->nelements && !found; i++)
	{
		LockInstanceData *other = &data->locks[i];
		int			k;

		if (other->pid == MyProcPid || other->waitLockMode == NoLock)
			continue;
		for (k = 0; k < nmine && !found; k++)
		{
			LOCKMODE	mode;

			if (memcmp(&other->locktag, &mine[k]->locktag, sizeof(LOCKTAG)) != 0)
				continue;
			for (mode = 1; mode <= MaxLockMode && !found; mode++)
				found = (mine[k]->holdMask & LOCKBIT_ON(mode)) != 0 &&
					DoLockModesConflict(mode, other->waitLockMode);
		}
	}
	pfree(mine);
	pfree(data->locks);
	pfree(data);
	return found;
}

/* how often a wait within a read looks for processes waiting for its locks */
#define READ_WAIT_CHECK_MS 50

/*
 * worker_yield_to_order_checks waits until no crisk.check_order has run on
 * the server for crisk.worker_yield_to_order_checks, adding the time it
 * waited to *waited (microseconds, the pass's total).  Once the pass has
 * waited crisk.worker_yield_limit in all, it waits no more and says so
 * once: a server that checks orders without a pause still gets its scores.
 * A reload applies at once (yielding may have been switched off).  Within
 * a read (in_read), the pass holds its read's locks: it stops waiting as
 * soon as another process waits for one of them.
 */
static void
worker_yield_to_order_checks(int64 *waited, bool in_read)
{
	TimestampTz start = 0;
	TimestampTz now = 0;

	if (!in_worker)
		return;
	for (;;)
	{
		TimestampTz quiet_from;
		int64		wait_us;

		worker_reload_if_pending();
		if (crisk_worker_yield_to_order_checks <= 0)
			break;
		now = GetCurrentTimestamp();
		quiet_from = TimestampTzPlusMilliseconds(crisk_last_order_check(),
												 crisk_worker_yield_to_order_checks);
		if (now >= quiet_from)
			break;
		/* never longer than the quiet time, should the clock step back */
		wait_us = Min(quiet_from - now, (int64) crisk_worker_yield_to_order_checks * 1000);
		if (crisk_worker_yield_limit > 0)
		{
			int64		left = (int64) crisk_worker_yield_limit * 1000 - *waited -
				(start != 0 ? now - start : 0);

			if (left <= 0)
			{
				if (*waited < (int64) crisk_worker_yield_limit * 1000)
					ereport(LOG,
							(errmsg("crisk worker for database \"%s\" stops waiting for order checks to pause in this pass",
									my_dbname ? my_dbname : "?"),
							 errdetail("The pass has waited %d ms in all (crisk.worker_yield_limit); it runs its remaining batches now.",
									   crisk_worker_yield_limit)));
				break;
			}
			wait_us = Min(wait_us, left);
		}
		if (in_read)
		{
			if (someone_waits_for_my_locks())
			{
				ereport(DEBUG1,
						(errmsg_internal("crisk worker stops waiting for order checks: another process waits for a lock its read holds")));
				break;
			}
			wait_us = Min(wait_us, (int64) READ_WAIT_CHECK_MS * 1000);
		}
		if (start == 0)
		{
			start = now;
			pgstat_report_activity(STATE_RUNNING,
								   "crisk: waiting for order checks to pause (crisk.worker_yield_to_order_checks)");
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max((long) ((wait_us + 999) / 1000), 1L), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
	}
	if (start != 0)
		*waited += GetCurrentTimestamp() - start;
}

/* what a pass may do between batches */
static const RescoreWorkerHooks worker_hooks = {
	.reload_if_pending = worker_reload_if_pending,
	.pause_between_batches = worker_pause_between_batches,
	.yield_to_order_checks = worker_yield_to_order_checks
};

/*
 * local_time_on returns the time "minute of the day" on the local date of
 * now plus day_offset days, in the server's time zone.
 */
static TimestampTz
local_time_on(TimestampTz now, int day_offset, int minute)
{
	struct pg_tm tm;
	fsec_t		fsec;
	int			tz;
	int			julian;
	TimestampTz result;

	if (timestamp2tm(now, &tz, &tm, &fsec, NULL, session_timezone) != 0)
		elog(ERROR, "timestamp out of range");
	julian = date2j(tm.tm_year, tm.tm_mon, tm.tm_mday) + day_offset;
	j2date(julian, &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_hour = minute / 60;
	tm.tm_min = minute % 60;
	tm.tm_sec = 0;
	tz = DetermineTimeZoneOffset(&tm, session_timezone);
	if (tm2timestamp(&tm, 0, &tz, &result) != 0)
		elog(ERROR, "timestamp out of range");
	return result;
}

typedef struct Schedule
{
	bool		full_due;
	TimestampTz next_full;		/* when a full pass may next be due */
} Schedule;

/*
 * read_schedule checks that crisk is installed (false when not) and
 * decides whether a full pass is due, from crisk.job_run.
 */
static bool
read_schedule(TimestampTz now, Schedule *schedule)
{
	int			minute = crisk_full_rescore_minute();
	TimestampTz last_success = DT_NOBEGIN;
	TimestampTz last_attempt = DT_NOBEGIN;
	bool		installed;

	schedule->full_due = false;
	schedule->next_full = DT_NOEND;

	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	installed = OidIsValid(get_extension_oid("crisk", true));
	if (installed && minute >= 0)
	{
		bool		isnull;
		Datum		value;
		int			nestlevel;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		nestlevel = crisk_pin_search_path();
		PushActiveSnapshot(GetTransactionSnapshot());
		if (SPI_execute("SELECT pg_catalog.max(r.started_at)"
						" FILTER (WHERE r.status OPERATOR(pg_catalog.=) 'succeeded'),"
						" pg_catalog.max(r.started_at) FROM crisk.job_run r"
						" WHERE r.kind OPERATOR(pg_catalog.=) 'full'", true, 1) != SPI_OK_SELECT)
			elog(ERROR, "could not read crisk.job_run");
		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (!isnull)
			last_success = DatumGetTimestampTz(value);
		value = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
		if (!isnull)
			last_attempt = DatumGetTimestampTz(value);
		crisk_unpin_search_path(nestlevel);
		SPI_finish();
		PopActiveSnapshot();
	}
	CommitTransactionCommand();
	if (!installed || minute < 0)
		return installed;

	{
		TimestampTz occurrence = local_time_on(now, 0, minute);
		TimestampTz retry = TimestampTzPlusMilliseconds(last_attempt, FULL_RETRY_DELAY_MS);

		if (occurrence > now)
			occurrence = local_time_on(now, -1, minute);
		if (last_success >= occurrence)
		{
			schedule->next_full = local_time_on(now, 0, minute);
			if (schedule->next_full <= now)
				schedule->next_full = local_time_on(now, 1, minute);
		}
		else if (last_attempt >= occurrence && last_attempt != DT_NOBEGIN && retry > now)
			schedule->next_full = retry;
		else
			schedule->full_due = true;
	}
	return true;
}

/*
 * purge_history deletes history older than crisk.history_retention.
 */
static void
purge_history(void)
{
	char		sql[128];

	if (crisk_history_retention <= 0)
		return;
	pgstat_report_activity(STATE_RUNNING, "crisk: purging history older than crisk.history_retention");
	snprintf(sql, sizeof(sql),
			 "SELECT crisk._rescore_purge(pg_catalog.make_interval(mins => %d))",
			 crisk_history_retention);
	PG_TRY();
	{
		int			nestlevel;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		nestlevel = crisk_pin_search_path();
		PushActiveSnapshot(GetTransactionSnapshot());
		if (crisk_statement_timeout > 0)
			enable_timeout_after(STATEMENT_TIMEOUT, crisk_statement_timeout);
		if (SPI_execute(sql, false, 0) != SPI_OK_SELECT)
			elog(ERROR, "could not purge crisk history");
		disable_timeout(STATEMENT_TIMEOUT, false);
		crisk_unpin_search_path(nestlevel);
		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
	}
	PG_CATCH();
	{
		/* logged; tried again tomorrow */
		MemoryContextSwitchTo(TopMemoryContext);
		EmitErrorReport();
		FlushErrorState();
		AbortCurrentTransaction();
		disable_timeout(STATEMENT_TIMEOUT, false);
	}
	PG_END_TRY();
	pgstat_report_activity(STATE_IDLE, NULL);
}

/*
 * take_slot_flags reads and clears the requests in the worker's slot.
 */
static void
take_slot_flags(bool *stop, bool *pass_now)
{
	SpinLockAcquire(&crisk_shared->mutex);
	*stop = my_slot->stop_requested;
	*pass_now = my_slot->pass_requested || my_slot->queue_changed;
	my_slot->pass_requested = false;
	my_slot->queue_changed = false;
	SpinLockRelease(&crisk_shared->mutex);
}

/*
 * pass_starting marks the worker busy and listening for changes, before
 * the pass reads the queue: a transaction that queues customers and
 * commits after that either is seen by the pass or wakes the worker.
 */
static void
pass_starting(void)
{
	SpinLockAcquire(&crisk_shared->mutex);
	my_slot->busy = true;
	my_slot->wake_on_change = true;
	my_slot->queue_changed = false;
	SpinLockRelease(&crisk_shared->mutex);
}

/*
 * pass_ended keeps listening only after a pass that found nothing to do;
 * after one that did work, changes wait for the next interval.
 */
static void
pass_ended(PassResult result)
{
	SpinLockAcquire(&crisk_shared->mutex);
	my_slot->busy = false;
	if (result != PASS_NOTHING_TO_DO)
	{
		my_slot->wake_on_change = false;
		my_slot->queue_changed = false;
	}
	SpinLockRelease(&crisk_shared->mutex);
}

/*
 * worker_loop is the worker's schedule.  A cycle's memory is released at
 * the start of the next one.
 */
static void
worker_loop(bool one_shot)
{
	MemoryContext cycle_context;
	TimestampTz last_pass_end = DT_NOBEGIN;
	TimestampTz last_full_start = DT_NOBEGIN;
	TimestampTz next_maintenance = 0;

	cycle_context = AllocSetContextCreate(TopMemoryContext, "crisk worker cycle",
										  ALLOCSET_DEFAULT_SIZES);
	for (;;)
	{
		TimestampTz now;
		TimestampTz next_incremental;
		TimestampTz wake;
		Schedule	schedule;
		bool		stop;
		bool		pass_now;
		long		timeout;

		CHECK_FOR_INTERRUPTS();
		MemoryContextReset(cycle_context);
		MemoryContextSwitchTo(cycle_context);
		worker_reload_if_pending();
		if (!crisk_enabled || !crisk_database_is_selected(my_dbname))
			worker_exit(WORKER_EXIT_NOT_WANTED);
		if (restart_for_priority)
			worker_exit(WORKER_EXIT_RESTART);
		take_slot_flags(&stop, &pass_now);
		if (stop)
			worker_exit(WORKER_EXIT_DONE);

		now = GetCurrentTimestamp();
		if (!read_schedule(now, &schedule))
		{
			ereport(DEBUG1,
					(errmsg("crisk is not installed in database \"%s\": its worker exits",
							my_dbname)));
			worker_exit(WORKER_EXIT_NO_EXTENSION);
		}
		next_incremental = last_pass_end == DT_NOBEGIN ? now :
			TimestampTzPlusMilliseconds(last_pass_end, crisk_rescore_interval * 1000L);

		/*
		 * crisk.job_run normally spaces full attempts; this also covers a
		 * full pass that failed before it could record itself.
		 */
		if (schedule.full_due && last_full_start != DT_NOBEGIN &&
			!TimestampDifferenceExceeds(last_full_start, now, FULL_RETRY_DELAY_MS))
		{
			schedule.full_due = false;
			schedule.next_full = TimestampTzPlusMilliseconds(last_full_start,
															 FULL_RETRY_DELAY_MS);
		}

		if (schedule.full_due || pass_now || next_incremental <= now)
		{
			PassResult	result;

			pass_starting();
			if (schedule.full_due)
				last_full_start = now;
			result = rescore_worker_pass(schedule.full_due ? RESCORE_FULL : RESCORE_INCREMENTAL,
										 &worker_hooks);
			pass_ended(result);
			MemoryContextSwitchTo(cycle_context);
			last_pass_end = GetCurrentTimestamp();
			if (!one_shot)
				continue;
		}
		if (now >= next_maintenance || one_shot)
		{
			purge_history();
			next_maintenance = TimestampTzPlusMilliseconds(GetCurrentTimestamp(),
														   MAINTENANCE_INTERVAL_MS);
		}
		if (one_shot)
			worker_exit(WORKER_EXIT_DONE);

		wake = Min(Min(next_incremental, schedule.next_full), next_maintenance);
		now = GetCurrentTimestamp();
		timeout = wake <= now ? 0 : (long) Min((wake - now) / 1000, LONGEST_SLEEP_MS);
		pgstat_report_activity(STATE_IDLE, NULL);
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(timeout, 1), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * crisk_worker_main is the entry point of a per-database worker.  The
 * launcher passes the slot number as the argument and the slot's
 * generation in bgw_extra; a registration that outlived its slot exits.
 */
void
crisk_worker_main(Datum main_arg)
{
	int			slotno = DatumGetInt32(main_arg);
	uint32		generation;
	Oid			dboid;
	Oid			roleoid;
	bool		one_shot;
	bool		is_superuser;
	bool		installed;

	memcpy(&generation, MyBgworkerEntry->bgw_extra, sizeof(generation));
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	if (crisk_shared == NULL || slotno < 0 || slotno >= crisk_shared->nslots)
		proc_exit(1);
	SpinLockAcquire(&crisk_shared->mutex);
	my_slot = &crisk_shared->slots[slotno];
	if (!my_slot->in_use || my_slot->generation != generation ||
		my_slot->launcher_generation != crisk_shared->launcher_generation)
	{
		SpinLockRelease(&crisk_shared->mutex);
		proc_exit(0);			/* stale registration; its slot is no longer ours */
	}
	my_slot->pid = MyProcPid;
	my_slot->latch = MyLatch;
	dboid = my_slot->dboid;
	roleoid = my_slot->roleoid;
	one_shot = my_slot->one_shot;
	SpinLockRelease(&crisk_shared->mutex);
	on_shmem_exit(worker_detach, (Datum) 0);
	in_worker = true;

	/* forked from the postmaster: its niceness is the server's */
#ifndef WIN32
	errno = 0;
	server_niceness = getpriority(PRIO_PROCESS, 0);
	if (errno != 0)
		server_niceness = 0;
#endif
	apply_worker_nice();

	BackgroundWorkerInitializeConnectionByOid(dboid, roleoid, 0);
	/* the database's and the role's search_path must not reach crisk's SQL */
	crisk_pin_session_search_path();
	SetConfigOption("application_name", "crisk worker", PGC_SUSET, PGC_S_SESSION);
	apply_session_settings();

	StartTransactionCommand();
	my_dbname = MemoryContextStrdup(TopMemoryContext, get_database_name(MyDatabaseId));
	is_superuser = superuser();
	installed = OidIsValid(get_extension_oid("crisk", true));
	CommitTransactionCommand();

	/* a probe of a database without crisk ends here, without a word */
	if (!installed)
		worker_exit(WORKER_EXIT_NO_EXTENSION);
	if (is_superuser)
		ereport(WARNING,
				(errmsg("crisk worker for database \"%s\" runs as a superuser", my_dbname),
				 errdetail("Code the worker reaches, such as an ERP view set with crisk.set_ledger, runs with superuser rights."),
				 errhint("Set crisk.role to a role without superuser rights, given what it needs by crisk.grant_worker_privileges().")));
	ereport(one_shot ? DEBUG1 : LOG,
			(errmsg("crisk worker started for database \"%s\"", my_dbname)));

	worker_loop(one_shot);
}
