# pg_dump and restore keep the portfolio store whole: the ledger source
# chosen with crisk.set_ledger, the rows users add to crisk's tables, the
# audit trail (not duplicated by the restore), the identity counters, and
# the rows crisk ships (not duplicated either).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE source');
$node->safe_psql(
	'source', q{
	CREATE EXTENSION crisk;
	-- The ERP's own tables, read through a view with crisk's column names.
	CREATE SCHEMA erp;
	CREATE TABLE erp.facture (num varchar(20) PRIMARY KEY, client varchar(12) NOT NULL,
	                          montant numeric(12,2) NOT NULL, emise date NOT NULL,
	                          echeance date NOT NULL, reglee date);
	INSERT INTO erp.facture VALUES
	    ('F1', 'C1', 1000.00, current_date - 80, current_date - 50, NULL),
	    ('F2', 'C1', 400.00, current_date - 10, current_date + 20, NULL),
	    ('F3', 'C2', 2500.00, current_date - 30, current_date + 30, NULL);
	CREATE VIEW erp.crisk_ledger AS
	    SELECT num AS invoice_id, client AS customer_id, montant AS amount,
	           emise AS issue_date, echeance AS due_date, reglee AS paid_date
	    FROM erp.facture;
	SELECT crisk.set_ledger('erp.crisk_ledger');
	INSERT INTO crisk.dunning_policy (policy, level, days_past_due, action, description, order_decision)
	VALUES ('strict', 1, 10, 'call', 'Call the customer.', 'block');
	INSERT INTO crisk.account (customer_id, name, credit_limit) VALUES ('C1', 'Un', 5000), ('C2', 'Deux', 2000);
	UPDATE crisk.account SET dunning_policy = 'strict' WHERE customer_id = 'C2';
	SELECT crisk.set_credit_limit('C1', 6000, 'annual review');
	SELECT crisk.set_limit_locked('C2', true, 'insurer');
	INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('C1', 'lien', current_date - 5);
	-- A shipped event kind tuned, and one of the user's own, in use.
	UPDATE crisk.event_kind SET severity = 1, in_force_days = 90 WHERE kind = 'lien';
	INSERT INTO crisk.event_kind (kind, description, adverse, severity, class_cap)
	VALUES ('fraud', 'fraud suspected', true, 3, 'E');
	INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('C2', 'fraud', current_date - 1);
	INSERT INTO crisk.score (customer_id, as_of, model, score, risk_class, reasons)
	VALUES ('C1', current_date, 'default', 70, 'B', '[]');
	UPDATE crisk.score SET score = 35, risk_class = 'D' WHERE customer_id = 'C1';
	INSERT INTO crisk.score_history (customer_id, as_of, scored_at, model, score, risk_class, reasons)
	SELECT customer_id, as_of, scored_at, model, score, risk_class, reasons FROM crisk.score;
	SELECT crisk.raise_alert('downgrade', 'C1', 'D', 'C1 fell to D');
	INSERT INTO crisk.account (customer_id, name) VALUES ('GONE', 'Erased');
	SELECT crisk.forget_customer('GONE');
	-- The collections workflow: a dispute on an invoice of the ERP view
	-- (its customer and amount read from it), a promise, a call, a
	-- template of the user's policy and a legal rate of the user's.
	INSERT INTO crisk.dispute (invoice_id, reason) VALUES ('F1', 'two pallets damaged');
	INSERT INTO crisk.promise (customer_id, invoice_ids, amount, due_on) VALUES ('C1', '{F2}', 400, current_date + 30);
	INSERT INTO crisk.contact (customer_id, channel, note) VALUES ('C1', 'phone', 'disputes F1');
	INSERT INTO crisk.dunning_template (policy, level, language, subject, body)
	VALUES ('strict', 1, 'fr', 'Appel', 'Bonjour {customer_name}');
	INSERT INTO crisk.legal_interest_rate (valid_from, rate) VALUES ('2099-01-01', 0.03);
});

# What a set of queries answers, to compare before and after.
my @checks = (
	"SELECT source FROM crisk.ledger_source",
	"SELECT string_agg(invoice_id || ':' || customer_id || ':' || amount, ',' ORDER BY invoice_id) FROM crisk.ledger",
	"SELECT string_agg(d.decision || ':' || coalesce(d.available_credit::text, '-') || ':' || array_to_string(d.reasons, '|'), ',' ORDER BY c)
	   FROM unnest('{C1,C2,C3}'::text[]) AS c, crisk.check_order(c, 100) AS d",
	"SELECT string_agg(customer_id || ':' || coalesce(credit_limit::text, '-') || ':' || limit_locked
	                   || ':' || coalesce(limit_reason, '-') || ':' || limit_changed_at, ',' ORDER BY customer_id)
	   FROM crisk.account",
	"SELECT string_agg(change_id || ':' || customer_id || ':' || coalesce(new_limit::text, '-') || ':'
	                   || new_locked || ':' || coalesce(reason, '-') || ':' || changed_at, ',' ORDER BY change_id)
	   FROM crisk.limit_change",
	"SELECT string_agg(policy || ':' || level || ':' || days_past_due || ':' || shipped, ',' ORDER BY policy, level)
	   FROM crisk.dunning_policy",
	"SELECT string_agg(customer_id || ':' || score || ':' || risk_class || ':' || previous_score || ':'
	                   || risk_class_since, ',') FROM crisk.score",
	"SELECT count(*) FROM crisk.score_history",
	"SELECT string_agg(alert_id || ':' || kind || ':' || customer_id, ',') FROM crisk.alert",
	"SELECT string_agg(rows_removed::text || ':' || ledger_source, ',') FROM crisk.erasure_log",
	"SELECT count(*) FROM crisk.event_kind",
	"SELECT string_agg(kind || ':' || severity || ':' || coalesce(class_cap, '-') || ':'
	                   || coalesce(in_force_days::text, '-') || ':' || shipped, ',' ORDER BY kind)
	   FROM crisk.event_kind",
	"SELECT string_agg(customer_id || ':' || kind, ',' ORDER BY event_id) FROM crisk.event",
	"SELECT count(*) FROM crisk.alert_kind",
	"SELECT string_agg(dispute_id || ':' || invoice_id || ':' || customer_id || ':' || amount, ',') FROM crisk.dispute",
	"SELECT string_agg(promise_id || ':' || customer_id || ':' || invoice_ids::text, ',') FROM crisk.promise",
	"SELECT string_agg(contact_id || ':' || customer_id || ':' || channel, ',') FROM crisk.contact",
	"SELECT string_agg(policy || ':' || level || ':' || language || ':' || shipped, ',' ORDER BY policy, level, language)
	   FROM crisk.dunning_template",
	"SELECT string_agg(valid_from || ':' || rate || ':' || shipped, ',' ORDER BY valid_from) FROM crisk.legal_interest_rate",
	"SELECT string_agg(invoice_id, ',' ORDER BY invoice_id) FROM crisk.dunning_worklist");
my %before = map { $_ => $node->safe_psql('source', $_) } @checks;
# The dispute took its customer and amount from the ERP view, and keeps F1
# (50 days past due) off the worklist.
is($before{$checks[14]}, '1:F1:C1:1000.00', 'the dispute was filled from the ERP ledger');
is($before{$checks[19]}, '', 'the disputed invoice is not dunned');

my $dump = $node->basedir . '/source.sql';
$node->command_ok(
	[ 'pg_dump', '--no-owner', '-f', $dump, '-d', $node->connstr('source') ],
	'pg_dump of a database using crisk');
$node->safe_psql('postgres', 'CREATE DATABASE restored');
$node->command_ok(
	[
		'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', $dump, '-d',
		$node->connstr('restored')
	],
	'the dump restores without error');

foreach my $check (@checks)
{
	is($node->safe_psql('restored', $check),
		$before{$check}, "restored: $check");
}

# The restored ledger is read through the ERP's view, and follows its data.
$node->safe_psql('restored',
	"INSERT INTO erp.facture VALUES ('F4', 'C2', 10.00, current_date, current_date + 30, NULL)");
is($node->safe_psql('restored',
		"SELECT sum(amount) FROM crisk.ledger WHERE customer_id = 'C2'"),
	'2510.00', 'the restored crisk reads the ERP view');

# Identity counters carry on after the restored rows.
is( $node->safe_psql(
		'restored',
		"INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('C2', 'other', current_date)
		 RETURNING event_id > (SELECT min(event_id) FROM crisk.event)"),
	't',
	'new events get new ids');
is( $node->safe_psql(
		'restored',
		"INSERT INTO crisk.dispute (invoice_id, reason) VALUES ('F3', 'price') RETURNING dispute_id || ':' || customer_id"),
	'2:C2',
	'new disputes get new ids, and their customer from the restored ledger source');
is( $node->safe_psql(
		'restored',
		"SELECT crisk.raise_alert('downgrade', 'C1', 'D', 'again') IS NULL"),
	't',
	'the restored open alert still holds back a duplicate');
$node->safe_psql('restored', "SELECT crisk.set_credit_limit('C1', 7000, 'after restore')");
is( $node->safe_psql(
		'restored',
		"SELECT count(*) FROM crisk.limit_change WHERE reason = 'after restore'"),
	'1',
	'limit changes are still logged after the restore');

# Shipped rows are still protected, user rows still theirs.
my ($ret, $out, $err) = $node->psql('restored',
	"UPDATE crisk.dunning_policy SET days_past_due = 8 WHERE policy = 'default' AND level = 1");
isnt($ret, 0, 'shipped dunning levels stay read-only');
is( $node->safe_psql(
		'restored',
		"UPDATE crisk.dunning_policy SET days_past_due = 12 WHERE policy = 'strict' RETURNING level"),
	'1',
	'restored user levels can be changed');

# Back to the built-in ledger in the restored database.
$node->safe_psql('restored', "SELECT crisk.set_ledger('crisk.invoice')");
is($node->safe_psql('restored', 'SELECT count(*) FROM crisk.ledger'),
	'0', 'the restored database can go back to the built-in ledger');

$node->stop;
done_testing();
