-- Whose code runs when crisk reads an ERP ledger source.  crisk.check_order
-- and crisk.forget_customer run as crisk's owner (a superuser here), and a
-- view runs the functions it calls with its reader's rights: a source whose
-- code another role can change would run that role's code as crisk's owner.
-- crisk pins the source by OID with a dependency, accepts only a source
-- whose code belongs to a superuser or to crisk's owner, and checks its
-- owner again before each read with crisk's owner's rights.  The attacker
-- here owns the ERP's schema; its function erp.pwn() records who ran it and
-- makes it a superuser if it runs as one.  Every test ends by showing that
-- it never ran.  Everything is rolled back; each error is followed by its
-- SQLSTATE.
BEGIN;
\set ON_ERROR_ROLLBACK on

CREATE ROLE regress_crisk_erp_owner;
CREATE ROLE regress_crisk_order_entry;
CREATE ROLE regress_crisk_dpo;
GRANT USAGE ON SCHEMA crisk TO regress_crisk_order_entry, regress_crisk_dpo;
GRANT EXECUTE ON FUNCTION crisk.check_order(text, numeric) TO regress_crisk_order_entry;
GRANT EXECUTE ON FUNCTION crisk.forget_customer(text) TO regress_crisk_dpo;
CREATE SCHEMA erp AUTHORIZATION regress_crisk_erp_owner;
INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('C1', 1000.00);

SET ROLE regress_crisk_erp_owner;
CREATE TABLE erp.facture (num text PRIMARY KEY, client text NOT NULL, montant numeric(12,2) NOT NULL,
                          emise date NOT NULL, echeance date NOT NULL, reglee date);
INSERT INTO erp.facture VALUES ('F1', 'C1', 300.00, current_date - 10, current_date + 20, NULL),
                               ('F2', 'C1', 200.00, current_date - 40, current_date - 10, current_date - 5);
CREATE TABLE erp.trace (ran_as name, was_superuser boolean);
GRANT INSERT ON erp.trace TO PUBLIC;
CREATE FUNCTION erp.pwn() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO erp.trace VALUES (current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user));
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        ALTER ROLE regress_crisk_erp_owner SUPERUSER;
    END IF;
    RETURN true;
END
$$;
-- The ERP's own view.
CREATE VIEW erp.crisk_ledger AS
    SELECT num AS invoice_id, client AS customer_id, montant AS amount,
           emise AS issue_date, echeance AS due_date, reglee AS paid_date
    FROM erp.facture;
RESET ROLE;
CREATE TEMP VIEW attack_outcome AS
    SELECT (SELECT rolsuper FROM pg_roles WHERE rolname = 'regress_crisk_erp_owner') AS attacker_superuser,
           (SELECT count(*) FROM erp.trace) AS pwn_calls;

-- 1. A source the ERP's role owns is refused: its owner could change it.
SELECT crisk.set_ledger('erp.crisk_ledger');
\echo :LAST_ERROR_SQLSTATE
SELECT crisk.ledger_trust_problems('erp.crisk_ledger');
SELECT count(*) AS recorded_sources FROM crisk.ledger_source;
-- A restore of such a choice is refused the same way.
INSERT INTO crisk.ledger_source (source) VALUES ('erp.crisk_ledger');
\echo :LAST_ERROR_SQLSTATE

-- 2. The documented way: a superuser reviews the view and owns it.  The
-- ERP's tables may stay the ERP's: a table runs no code when read.
CREATE VIEW erp.crisk_ledger_reviewed AS
    SELECT num AS invoice_id, client AS customer_id, montant AS amount,
           emise AS issue_date, echeance AS due_date, reglee AS paid_date
    FROM erp.facture;
SELECT crisk.ledger_trust_problems('erp.crisk_ledger_reviewed');
SELECT crisk.set_ledger('erp.crisk_ledger_reviewed');
SELECT source FROM crisk.ledger_source;
-- Order entry needs nothing but EXECUTE: 1000.00 - 300.00 open = 700.00.
SET ROLE regress_crisk_order_entry;
SELECT decision, available_credit FROM crisk.check_order('C1', 100.00);
RESET ROLE;

-- 3. The attack of crisk 0.1.0: the schema's owner drops the view and
-- creates another under the same name that calls its function.  Dropping
-- is refused: crisk depends on the view ...
SET ROLE regress_crisk_erp_owner;
DROP VIEW erp.crisk_ledger_reviewed;
\echo :LAST_ERROR_SQLSTATE
-- ... nor may it be replaced in place by its schema's owner ...
CREATE OR REPLACE VIEW erp.crisk_ledger_reviewed AS
    SELECT num AS invoice_id, client AS customer_id, montant AS amount,
           emise AS issue_date, echeance AS due_date, reglee AS paid_date
    FROM erp.facture WHERE erp.pwn();
\echo :LAST_ERROR_SQLSTATE
-- ... and DROP ... CASCADE drops crisk's pin of it, not crisk.
DROP VIEW erp.crisk_ledger_reviewed CASCADE;
CREATE VIEW erp.crisk_ledger_reviewed AS
    SELECT num AS invoice_id, client AS customer_id, montant AS amount,
           emise AS issue_date, echeance AS due_date, reglee AS paid_date
    FROM erp.facture WHERE erp.pwn();
RESET ROLE;
SELECT extname FROM pg_extension WHERE extname = 'crisk';
-- crisk never reads the new view in the old one's place: order checks and
-- erasures fail until the ledger is set again (the detail, not shown,
-- gives the OID crisk kept).
\set VERBOSITY terse
SET ROLE regress_crisk_order_entry;
SELECT decision, available_credit FROM crisk.check_order('C1', 100.00);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_crisk_dpo;
SELECT crisk.forget_customer('C1');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
\set VERBOSITY default
SELECT * FROM attack_outcome;
-- Set again, the new view is checked like any other: it calls a function
-- of the ERP's role.
SELECT crisk.set_ledger('erp.crisk_ledger_reviewed');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM attack_outcome;

-- 4. Renaming the source or its schema changes nothing: crisk reads the
-- same relation, by OID, and never a decoy under the old name.
DROP VIEW erp.crisk_ledger_reviewed;
CREATE VIEW erp.crisk_ledger_reviewed AS
    SELECT num AS invoice_id, client AS customer_id, montant AS amount,
           emise AS issue_date, echeance AS due_date, reglee AS paid_date
    FROM erp.facture;
SELECT crisk.set_ledger('erp.crisk_ledger_reviewed');
ALTER VIEW erp.crisk_ledger_reviewed RENAME TO crisk_ledger_renamed;
SET ROLE regress_crisk_erp_owner;
CREATE VIEW erp.crisk_ledger_reviewed AS
    SELECT 'X1'::text AS invoice_id, 'C1'::text AS customer_id, 1000000.00 AS amount,
           current_date AS issue_date, current_date AS due_date, NULL::date AS paid_date
    WHERE erp.pwn();
RESET ROLE;
SELECT source FROM crisk.ledger_source;
SET ROLE regress_crisk_order_entry;
SELECT decision, available_credit FROM crisk.check_order('C1', 100.00);
RESET ROLE;
ALTER SCHEMA erp RENAME TO erp_renamed;
SELECT source FROM crisk.ledger_source;
SELECT count(*) AS invoices, sum(amount) AS total FROM crisk.ledger;
ALTER SCHEMA erp_renamed RENAME TO erp;
SET ROLE regress_crisk_erp_owner;
DROP VIEW erp.crisk_ledger_reviewed;
RESET ROLE;
ALTER VIEW erp.crisk_ledger_renamed RENAME TO crisk_ledger_reviewed;
SELECT * FROM attack_outcome;

-- 5. Code a reviewed view reaches is checked too: a function or an
-- operator of another role, a view of another role read through it, and
-- tables of another role read with the reader's rights (security_invoker),
-- whose row-level security policies would run as the reader.
CREATE VIEW erp.calls_pwn AS
    SELECT f.* FROM erp.crisk_ledger_reviewed f WHERE erp.pwn();
SELECT crisk.set_ledger('erp.calls_pwn');
\echo :LAST_ERROR_SQLSTATE
SET ROLE regress_crisk_erp_owner;
CREATE FUNCTION erp.same(text, text) RETURNS boolean LANGUAGE sql AS 'SELECT $1 = $2';
CREATE OPERATOR erp.=== (FUNCTION = erp.same, LEFTARG = text, RIGHTARG = text);
RESET ROLE;
CREATE VIEW erp.uses_operator AS
    SELECT f.* FROM erp.crisk_ledger_reviewed f WHERE f.customer_id OPERATOR(erp.===) f.customer_id;
SELECT crisk.ledger_trust_problems('erp.uses_operator');
CREATE VIEW erp.reads_erp_view AS SELECT * FROM erp.crisk_ledger;
SELECT crisk.ledger_trust_problems('erp.reads_erp_view');
CREATE VIEW erp.invoker WITH (security_invoker = true) AS
    SELECT num AS invoice_id, client AS customer_id, montant AS amount,
           emise AS issue_date, echeance AS due_date, reglee AS paid_date
    FROM erp.facture;
SELECT crisk.ledger_trust_problems('erp.invoker');
SELECT crisk.set_ledger('erp.invoker');
\echo :LAST_ERROR_SQLSTATE
-- The refusals left the reviewed source in place.
SELECT source FROM crisk.ledger_source;
SELECT * FROM attack_outcome;

-- 6. A superuser hands the reviewed view over to the ERP's role, which
-- then rewrites it: crisk's own functions check the owner before reading
-- (before planning, which may already run a view's functions).
ALTER VIEW erp.crisk_ledger_reviewed OWNER TO regress_crisk_erp_owner;
SET ROLE regress_crisk_erp_owner;
CREATE OR REPLACE VIEW erp.crisk_ledger_reviewed AS
    SELECT num AS invoice_id, client AS customer_id, montant AS amount,
           emise AS issue_date, echeance AS due_date, reglee AS paid_date
    FROM erp.facture WHERE erp.pwn();
RESET ROLE;
SET ROLE regress_crisk_order_entry;
SELECT decision, available_credit FROM crisk.check_order('C1', 100.00);
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET ROLE regress_crisk_dpo;
SELECT crisk.forget_customer('C1');
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SELECT * FROM attack_outcome;
-- The ERP's role reading it runs its own code with its own rights.
GRANT USAGE ON SCHEMA crisk TO regress_crisk_erp_owner;
GRANT SELECT ON crisk.ledger TO regress_crisk_erp_owner;
SET ROLE regress_crisk_erp_owner;
SELECT count(*) AS invoices FROM crisk.ledger;
RESET ROLE;
SELECT * FROM erp.trace;
SELECT * FROM attack_outcome;

ROLLBACK;
