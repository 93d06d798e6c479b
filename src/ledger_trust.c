/*-------------------------------------------------------------------------
 *
 * ledger_trust.c
 *	  Whether crisk may read an ERP ledger source with the rights it has.
 *
 * Reading a view runs the functions its query calls with the rights of the
 * reader.  crisk.check_order and crisk.forget_customer read the ledger as
 * crisk's owner (they are SECURITY DEFINER), so a view that its owner can
 * change would run that owner's code with crisk's owner's rights.
 * crisk.set_ledger() accepts only a source whose code crisk's owner vouches
 * for (crisk.ledger_trust_problems); these readers check again, before each
 * read, that the source still belongs to a role whose rights cover the
 * current user's, since a superuser may hand it over to another role
 * afterwards (ALTER ... OWNER, REASSIGN OWNED).  The check comes before the
 * statement is planned, as planning may already run the view's functions
 * (the planner folds immutable calls).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/varlena.h"

#include "ledger_trust.h"

/*
 * ledger_source_relid returns the relation that crisk.ledger_source.source
 * names: a regclass, or, until ALTER EXTENSION UPDATE has run (the 0.1.0
 * schema under a newer library), the relation's qualified name as text,
 * InvalidOid when no relation has that name.
 */
Oid
ledger_source_relid(Datum source, Oid typid)
{
	if (typid == REGCLASSOID || typid == OIDOID)
		return DatumGetObjectId(source);
	if (typid != TEXTOID)
		elog(ERROR, "crisk.ledger_source.source has type %u", typid);
	return RangeVarGetRelid(makeRangeVarFromNameList(textToQualifiedNameList(DatumGetTextPP(source))),
							NoLock, true);
}

/*
 * check_source_owner raises 42501 unless the owner of an ERP source
 * (what: "ledger", "orders" or "allocations") is a superuser or has every right of the
 * current user, and 42P01 when the source no longer exists.
 */
static void
check_source_owner(Oid source, const char *what, const char *setter,
				   const char *exists_hint)
{
	HeapTuple	tuple = OidIsValid(source) ?
		SearchSysCache1(RELOID, ObjectIdGetDatum(source)) : NULL;
	Form_pg_class form;
	Oid			owner;
	char	   *name;

	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("the %s source no longer exists", what),
				 errdetail("crisk.%s_source names the relation with OID %u.",
						   strcmp(what, "orders") == 0 ? "order" :
						   strcmp(what, "allocations") == 0 ? "allocation" : what, source),
				 errhint("%s", exists_hint)));
	form = (Form_pg_class) GETSTRUCT(tuple);
	owner = form->relowner;
	name = quote_qualified_identifier(get_namespace_name(form->relnamespace),
									  NameStr(form->relname));
	ReleaseSysCache(tuple);

	if (superuser_arg(owner) || has_privs_of_role(owner, GetUserId()))
		return;
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("%s source %s belongs to role %s, whose rights do not cover those of role %s",
					what, name, GetUserNameFromId(owner, false),
					GetUserNameFromId(GetUserId(), false)),
			 errdetail("Reading it would run code its owner can change with the rights of role %s.",
					   GetUserNameFromId(GetUserId(), false)),
			 errhint("A superuser reviews the source and takes it over (ALTER VIEW ... OWNER TO), then calls %s again.",
					 setter)));
}

/*
 * ledger_source_check_owner checks the owner of the ledger source.
 */
void
ledger_source_check_owner(Oid source)
{
	check_source_owner(source, "ledger", "crisk.set_ledger()",
					   "Call crisk.set_ledger() with the table or view to read, or with 'crisk.invoice'.");
}

/*
 * order_source_check_owner checks the owner of the orders source.
 */
void
order_source_check_owner(Oid source)
{
	check_source_owner(source, "orders", "crisk.set_orders()",
					   "Call crisk.set_orders() with the table or view to read, or with NULL for no orders.");
}

/*
 * allocation_source_check_owner checks the owner of the allocations source.
 */
void
allocation_source_check_owner(Oid source)
{
	check_source_owner(source, "allocations", "crisk.set_allocations()",
					   "Call crisk.set_allocations() with the table or view to read, or with 'crisk.allocation'.");
}
