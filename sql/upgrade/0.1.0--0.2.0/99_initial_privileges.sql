-- Last of the update, after every part that replaces functions.
--
-- CREATE OR REPLACE FUNCTION in an extension script records the function's
-- privileges of the moment as its initial ones, grants made since the
-- install included (crisk.grant_worker_privileges' to the worker's role);
-- pg_dump would then leave those grants out of a dump.  A fresh install
-- records grants to the owner and PUBLIC only, so the others are dropped
-- from the initial privileges of crisk's functions (not from the functions).
UPDATE pg_catalog.pg_init_privs AS ip
   SET initprivs = ARRAY(SELECT a.item FROM pg_catalog.unnest(ip.initprivs) AS a(item)
                         WHERE (SELECT x.grantee FROM pg_catalog.aclexplode(ARRAY[a.item]) AS x)
                               OPERATOR(pg_catalog.=) ANY (ARRAY[0, p.proowner]::pg_catalog.oid[]))
  FROM pg_catalog.pg_proc AS p, pg_catalog.pg_depend AS d, pg_catalog.pg_extension AS e
 WHERE ip.classoid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
   AND ip.objoid OPERATOR(pg_catalog.=) p.oid
   AND ip.privtype OPERATOR(pg_catalog.=) 'e'
   AND d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
   AND d.objid OPERATOR(pg_catalog.=) p.oid
   AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
   AND d.refobjid OPERATOR(pg_catalog.=) e.oid
   AND d.deptype OPERATOR(pg_catalog.=) 'e'
   AND e.extname OPERATOR(pg_catalog.=) 'crisk'
   AND EXISTS (SELECT FROM pg_catalog.aclexplode(ip.initprivs) AS x
               WHERE x.grantee OPERATOR(pg_catalog.<>) ALL (ARRAY[0, p.proowner]::pg_catalog.oid[]));
