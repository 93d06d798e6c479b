/*-------------------------------------------------------------------------
 *
 * ddl_hooks.c
 *	  Tell the launcher about DDL that starts or stops rescoring workers.
 *
 * Installed only when crisk is preloaded (there is no launcher otherwise):
 *
 * - CREATE EXTENSION / DROP EXTENSION (by any path: DROP SCHEMA ... CASCADE,
 *	 CREATE EXTENSION ... CASCADE of a dependent extension): the object
 *	 access hook sees an extension created or dropped, and at commit the
 *	 launcher is asked to re-check this database.  It starts a worker where
 *	 crisk appeared; a running worker re-checks and exits quietly where
 *	 crisk is gone.  Nothing is sent for a rolled-back transaction.
 *
 * - DROP DATABASE, CREATE DATABASE ... TEMPLATE, ALTER DATABASE ... RENAME
 *	 and ... SET TABLESPACE need a database without other sessions.  Before
 *	 such a command the database's worker is paused (stopped and not
 *	 restarted) until the command ends, so that crisk never makes them
 *	 fail with "database is being accessed by other users".  A new database
 *	 is checked for crisk at commit (it may be a copy of one that has it).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/objectaccess.h"
#include "catalog/pg_extension.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "storage/latch.h"
#include "tcop/utility.h"
#include "utils/wait_event.h"

#include "ddl_hooks.h"
#include "worker_shmem.h"

/* longest wait for a paused worker to exit before the command goes ahead */
#define PAUSE_WAIT_MS 10000

static object_access_hook_type prev_object_access_hook = NULL;
static ProcessUtility_hook_type prev_process_utility_hook = NULL;

/* what to tell the launcher when the current transaction commits */
static bool check_current_database = false;
static Oid	check_new_database = InvalidOid;

/*
 * crisk_object_access notes that an extension was created or dropped in
 * this database.  Any extension will do: crisk may come or go as a
 * dependency of another one, and a spare re-check costs little.
 */
static void
crisk_object_access(ObjectAccessType access, Oid classId, Oid objectId,
					int subId, void *arg)
{
	if (prev_object_access_hook)
		prev_object_access_hook(access, classId, objectId, subId, arg);
	if (classId == ExtensionRelationId &&
		(access == OAT_POST_CREATE || access == OAT_DROP))
		check_current_database = true;
}

/*
 * crisk_xact_callback sends the noted requests once the transaction has
 * committed, when its changes are visible to the launcher's workers.
 */
static void
crisk_xact_callback(XactEvent event, void *arg pg_attribute_unused())
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
			if (check_current_database)
				(void) crisk_launcher_request(LAUNCHER_CHECK_DATABASE, MyDatabaseId);
			if (OidIsValid(check_new_database))
				(void) crisk_launcher_request(LAUNCHER_CHECK_DATABASE, check_new_database);
			check_current_database = false;
			check_new_database = InvalidOid;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			check_current_database = false;
			check_new_database = InvalidOid;
			break;
		default:
			break;
	}
}

/*
 * option_value returns the string value of a DefElem option, or NULL.
 */
static const char *
option_value(List *options, const char *name)
{
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *def = lfirst_node(DefElem, lc);

		if (strcmp(def->defname, name) == 0 && def->arg != NULL)
			return defGetString(def);
	}
	return NULL;
}

/*
 * database_needing_exclusive_use names the database that the utility
 * statement needs to itself (no other sessions), or returns NULL.
 * *new_database is set to the name of a database the statement creates.
 */
static const char *
database_needing_exclusive_use(Node *stmt, const char **new_database)
{
	*new_database = NULL;
	switch (nodeTag(stmt))
	{
		case T_DropdbStmt:
			return ((DropdbStmt *) stmt)->dbname;
		case T_CreatedbStmt:
			*new_database = ((CreatedbStmt *) stmt)->dbname;
			return option_value(((CreatedbStmt *) stmt)->options, "template");
		case T_RenameStmt:
			if (((RenameStmt *) stmt)->renameType == OBJECT_DATABASE)
				return ((RenameStmt *) stmt)->subname;
			return NULL;
		case T_AlterDatabaseStmt:
			if (option_value(((AlterDatabaseStmt *) stmt)->options, "tablespace") != NULL)
				return ((AlterDatabaseStmt *) stmt)->dbname;
			return NULL;
		default:
			return NULL;
	}
}

/*
 * pause_database_worker asks the launcher to stop the database's worker and
 * waits (a bounded time) until it is gone.  It returns whether a pause was
 * requested, so that the caller resumes it afterwards.
 */
static bool
pause_database_worker(Oid dboid)
{
	int			waited = 0;

	if (!crisk_database_has_worker(dboid))
		return false;
	if (!crisk_launcher_request(LAUNCHER_PAUSE_DATABASE, dboid))
		return false;
	while (crisk_database_has_worker(dboid) && waited < PAUSE_WAIT_MS)
	{
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 10, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		waited += 10;
	}
	return true;
}

/*
 * crisk_process_utility pauses the worker of a database that a command
 * needs to itself, runs the command, and resumes the worker whatever the
 * outcome.
 */
static void
crisk_process_utility(PlannedStmt *pstmt, const char *queryString,
					  bool readOnlyTree, ProcessUtilityContext context,
					  ParamListInfo params, QueryEnvironment *queryEnv,
					  DestReceiver *dest, QueryCompletion *qc)
{
	const char *created;
	const char *volatile new_database;
	const char *target;
	volatile Oid paused = InvalidOid;

	target = database_needing_exclusive_use(pstmt->utilityStmt, &created);
	new_database = created;
	if (target != NULL)
	{
		Oid			dboid = get_database_oid(target, true);

		if (OidIsValid(dboid) && pause_database_worker(dboid))
			paused = dboid;
	}

	PG_TRY();
	{
		if (prev_process_utility_hook)
			prev_process_utility_hook(pstmt, queryString, readOnlyTree, context,
									  params, queryEnv, dest, qc);
		else
			standard_ProcessUtility(pstmt, queryString, readOnlyTree, context,
									params, queryEnv, dest, qc);
	}
	PG_FINALLY();
	{
		if (OidIsValid(paused))
			(void) crisk_launcher_request(LAUNCHER_RESUME_DATABASE, paused);
	}
	PG_END_TRY();

	if (new_database != NULL)
		check_new_database = get_database_oid(new_database, true);
}

/*
 * crisk_install_ddl_hooks is called by _PG_init while shared_preload_libraries
 * is processed.
 */
void
crisk_install_ddl_hooks(void)
{
	prev_object_access_hook = object_access_hook;
	object_access_hook = crisk_object_access;
	prev_process_utility_hook = ProcessUtility_hook;
	ProcessUtility_hook = crisk_process_utility;
	RegisterXactCallback(crisk_xact_callback, NULL);
}
