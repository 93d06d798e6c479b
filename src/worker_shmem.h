/*-------------------------------------------------------------------------
 *
 * worker_shmem.h
 *	  Shared memory through which the launcher, the per-database rescoring
 *	  workers and ordinary sessions coordinate.
 *
 * It exists only when crisk is in shared_preload_libraries; crisk_shared is
 * NULL otherwise, and every function here then does nothing.
 *
 * Slots: the launcher fills a slot before it registers a worker and passes
 * the slot number and the slot's generation to the worker; the worker
 * records its pid and latch there, and before it exits why it exits, so
 * that the launcher knows whether and when to start it again.
 *
 * Changes: a worker whose last incremental pass found nothing queued
 * listens (wake_on_change) from before that pass read the queue; the first
 * transaction that queues a customer and commits after that sets
 * queue_changed and wakes it (see worker.c).
 *
 * Requests: sessions ask the launcher to re-check a database (crisk was
 * created or dropped there, or the database is new), or to pause a
 * database's worker while a DROP DATABASE or a copy of it runs.
 *
 * Order checks: while crisk.worker_yield_to_order_checks is set, each
 * crisk.check_order call stamps last_order_check (lock-free, at most once
 * a millisecond per session), and the workers wait for a quiet moment
 * before each batch (see worker.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef CRISK_WORKER_SHMEM_H
#define CRISK_WORKER_SHMEM_H

#include "datatype/timestamp.h"
#include "port/atomics.h"
#include "storage/latch.h"
#include "storage/spin.h"

/* Why a worker exited; the launcher's restart decision rests on it. */
typedef enum WorkerExit
{
	WORKER_EXIT_UNEXPECTED = 0, /* error, termination or crash: restart soon */
	WORKER_EXIT_NO_EXTENSION,	/* crisk is not installed in the database */
	WORKER_EXIT_DONE,			/* finished its turn, or was asked to stop */
	WORKER_EXIT_NOT_WANTED,		/* crisk.enabled off, or database excluded */
	WORKER_EXIT_RESTART			/* its settings changed: start it again now */
} WorkerExit;

typedef struct WorkerSlot
{
	bool		in_use;			/* owned by the launcher until it reaps it */
	uint32		generation;		/* tells a stale registration from this one */
	Oid			dboid;
	Oid			roleoid;
	bool		one_shot;		/* run one pass, then exit (taking turns) */
	pid_t		pid;			/* 0 until started and after exit */
	Latch	   *latch;			/* the worker's latch while it runs */
	bool		stop_requested; /* launcher asks for an exit when idle */
	bool		pass_requested; /* crisk.request_rescore(): pass now */
	bool		wake_on_change; /* idle: the next queued change wakes it */
	bool		queue_changed;	/* a change was queued while it listened */
	bool		busy;			/* a pass is running */
	bool		exited;			/* the worker has exited (exit_reason is final) */
	WorkerExit	exit_reason;
	uint32		launcher_generation;	/* launcher that registered it */
} WorkerSlot;

typedef enum LauncherRequestKind
{
	LAUNCHER_CHECK_DATABASE,	/* crisk created/dropped, or a new database */
	LAUNCHER_PAUSE_DATABASE,	/* stop the worker until resumed */
	LAUNCHER_RESUME_DATABASE
} LauncherRequestKind;

typedef struct LauncherRequest
{
	LauncherRequestKind kind;
	Oid			dboid;
	pid_t		requester;
} LauncherRequest;

#define CRISK_MAX_REQUESTS 64

typedef struct CriskShared
{
	pg_atomic_uint64 last_order_check;	/* TimestampTz of the latest one */
	slock_t		mutex;			/* protects everything below */
	pid_t		launcher_pid;
	Latch	   *launcher_latch;
	uint32		launcher_generation;	/* bumped at each launcher start */
	uint32		next_generation;
	int			nrequests;
	bool		requests_overflowed;	/* too many: re-check everything */
	LauncherRequest requests[CRISK_MAX_REQUESTS];
	int			nslots;
	WorkerSlot	slots[FLEXIBLE_ARRAY_MEMBER];
} CriskShared;

extern CriskShared *crisk_shared;

extern void crisk_shmem_init_hooks(void);
extern bool crisk_launcher_request(LauncherRequestKind kind, Oid dboid);
extern bool crisk_database_has_worker(Oid dboid);
extern void crisk_wake_database_worker(Oid dboid);
extern void crisk_wake_idle_database_worker(Oid dboid);
extern void crisk_note_order_check(void);
extern TimestampTz crisk_last_order_check(void);

#endif							/* CRISK_WORKER_SHMEM_H */
