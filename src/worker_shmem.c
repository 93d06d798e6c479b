/*-------------------------------------------------------------------------
 *
 * worker_shmem.c
 *	  Allocation of crisk's shared memory and the requests sessions send to
 *	  the launcher.
 *
 * The spinlock is held only to copy a few fields; latches are set after it
 * is released, so a request never waits on the launcher.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/timestamp.h"

#include "guc.h"
#include "worker_shmem.h"

CriskShared *crisk_shared = NULL;

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

/*
 * crisk_shmem_size: one slot per possible background worker, since crisk
 * never runs more workers than the server has slots for.
 */
static Size
crisk_shmem_size(void)
{
	return add_size(offsetof(CriskShared, slots),
					mul_size(sizeof(WorkerSlot), max_worker_processes));
}

static void
crisk_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(crisk_shmem_size());
}

/*
 * crisk_shmem_startup creates the shared state, at server start and again
 * after a crash restart (when every slot starts out free).
 */
static void
crisk_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	crisk_shared = ShmemInitStruct("crisk", crisk_shmem_size(), &found);
	if (!found)
	{
		memset(crisk_shared, 0, crisk_shmem_size());
		pg_atomic_init_u64(&crisk_shared->last_order_check, 0);
		SpinLockInit(&crisk_shared->mutex);
		crisk_shared->next_generation = 1;
		crisk_shared->nslots = max_worker_processes;
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * crisk_shmem_init_hooks is called by _PG_init while shared_preload_libraries
 * is processed.
 */
void
crisk_shmem_init_hooks(void)
{
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = crisk_shmem_request;
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = crisk_shmem_startup;
}

/*
 * crisk_launcher_request queues a request for the launcher and wakes it.
 * It returns false when there is no shared state or no launcher.  A full
 * queue turns into "re-check every database", which loses nothing.
 * It never raises an error: commit callbacks call it.
 */
bool
crisk_launcher_request(LauncherRequestKind kind, Oid dboid)
{
	Latch	   *latch;

	if (crisk_shared == NULL)
		return false;
	SpinLockAcquire(&crisk_shared->mutex);
	latch = crisk_shared->launcher_latch;
	if (crisk_shared->nrequests < CRISK_MAX_REQUESTS)
	{
		LauncherRequest *req = &crisk_shared->requests[crisk_shared->nrequests++];

		req->kind = kind;
		req->dboid = dboid;
		req->requester = MyProcPid;
	}
	else
		crisk_shared->requests_overflowed = true;
	SpinLockRelease(&crisk_shared->mutex);
	if (latch == NULL)
		return false;
	SetLatch(latch);
	return true;
}

/*
 * crisk_database_has_worker says whether a crisk worker is registered or
 * running for the database.
 */
bool
crisk_database_has_worker(Oid dboid)
{
	bool		found = false;
	int			i;

	if (crisk_shared == NULL)
		return false;
	SpinLockAcquire(&crisk_shared->mutex);
	for (i = 0; i < crisk_shared->nslots; i++)
	{
		if (crisk_shared->slots[i].in_use && crisk_shared->slots[i].dboid == dboid)
		{
			found = true;
			break;
		}
	}
	SpinLockRelease(&crisk_shared->mutex);
	return found;
}

/*
 * crisk_wake_database_worker asks the database's running worker for a pass
 * now rather than at its next interval.  Commit callbacks call it: it never
 * raises an error.
 */
void
crisk_wake_database_worker(Oid dboid)
{
	Latch	   *latch = NULL;
	int			i;

	if (crisk_shared == NULL)
		return;
	SpinLockAcquire(&crisk_shared->mutex);
	for (i = 0; i < crisk_shared->nslots; i++)
	{
		WorkerSlot *slot = &crisk_shared->slots[i];

		if (slot->in_use && slot->dboid == dboid && slot->latch != NULL)
		{
			slot->pass_requested = true;
			latch = slot->latch;
		}
	}
	SpinLockRelease(&crisk_shared->mutex);
	if (latch != NULL)
		SetLatch(latch);
}

/*
 * crisk_wake_idle_database_worker tells the database's worker that a
 * transaction queued customers, when the worker listens for that (its last
 * pass found nothing to do).  The queue rows are visible to others by the
 * time it runs (commit callback), and the worker starts listening before
 * its pass reads the queue: a change is either read by that pass or wakes
 * the worker.  Only the first change of an idle spell sets the latch.
 * Commit callbacks call it: it never raises an error.
 */
void
crisk_wake_idle_database_worker(Oid dboid)
{
	Latch	   *latch = NULL;
	int			i;

	if (crisk_shared == NULL)
		return;
	SpinLockAcquire(&crisk_shared->mutex);
	for (i = 0; i < crisk_shared->nslots; i++)
	{
		WorkerSlot *slot = &crisk_shared->slots[i];

		if (slot->in_use && slot->dboid == dboid && slot->wake_on_change &&
			slot->latch != NULL)
		{
			slot->wake_on_change = false;
			slot->queue_changed = true;
			latch = slot->latch;
		}
	}
	SpinLockRelease(&crisk_shared->mutex);
	if (latch != NULL)
		SetLatch(latch);
}

/*
 * crisk_note_order_check stamps the time of an order check, for workers
 * that yield to them (crisk.worker_yield_to_order_checks).  The stamp is
 * written at most once a millisecond, so that sessions checking orders at
 * full speed do not all write the same cache line.
 */
void
crisk_note_order_check(void)
{
	TimestampTz now;

	if (crisk_shared == NULL || crisk_worker_yield_to_order_checks <= 0)
		return;
	now = GetCurrentTimestamp();
	if (now - (TimestampTz) pg_atomic_read_u64(&crisk_shared->last_order_check) >= 1000)
		pg_atomic_write_u64(&crisk_shared->last_order_check, (uint64) now);
}

/*
 * crisk_last_order_check returns the time of the latest order check
 * stamped, or 0 when there was none (or no shared state).
 */
TimestampTz
crisk_last_order_check(void)
{
	if (crisk_shared == NULL)
		return 0;
	return (TimestampTz) pg_atomic_read_u64(&crisk_shared->last_order_check);
}
