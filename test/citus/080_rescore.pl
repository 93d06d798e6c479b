# Rescoring on a store spread by crisk.distribute_store(), compared with a
# single node holding the same portfolio, value for value (ids and times
# left out):
#
# - crisk.rescore(ARRAY[...]) and the full pass crisk.rescore(): scores,
#   risk classes, history, recalibrated limits and their limit changes,
#   alerts and the pass's row in crisk.job_run;
# - crisk.rescore_queued() after a new invoice queues its customer on the
#   customer's shard;
# - the background worker on the coordinator rescores the distributed
#   store;
# - a session on the coordinator listening on crisk_alert receives each
#   alert of a pass once;
# - each customer's write is routed whole to the customer's shard (the
#   remote commands of a pass, logged), and a customer whose account
#   another session holds is skipped and queued again.
#
# Run by "scripts/test citus" (see 010_aggregates.pl).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use CriskCitus;
use PostgreSQL::Test::Utils;
use Test::More;

plan skip_all => 'no Citus build (scripts/test citus unpacks one)'
  unless $ENV{CRISK_CITUS};

my $as_of = '2026-06-30';
my $customers = 200;

my ($coordinator, @workers) = CriskCitus::start_cluster();

for my $db (qw(postgres single))
{
	CriskCitus::generate_portfolio($coordinator, $db, customers => $customers, seed => 7,
		as_of => $as_of);
}
$coordinator->safe_psql('postgres', 'SELECT crisk.distribute_store()');

# both runs the same statements on the distributed store and on the single
# node, and returns the distributed store's answer after comparing.
sub both
{
	my ($sql, $name) = @_;
	my $single = $coordinator->safe_psql('single', $sql);
	my ($r, $o, $e) = $coordinator->psql('postgres', $sql);
	is($r, 0, "$name: runs on the distributed store") or diag($e);
	is($o, $single, "$name: the single-node answer");
	return $o;
}

# What a pass writes, without ids and times (a limit change's reason names
# its run).
my %written = (
	'scores' => q{SELECT customer_id, as_of, model, score, risk_class, reasons, invoices,
		open_invoices, billed, open_amount, overdue_amount, avg_days_beyond_terms,
		days_beyond_terms_stddev, late_share, max_days_late, dso, last_payment, altman_z,
		adverse_events, utilization, relationship_months, policy, limit_locked,
		credit_limit_before, recommended_limit, credit_limit_after, pd,
		previous_score, previous_risk_class
		FROM crisk.score ORDER BY customer_id},
	'score history' => q{SELECT customer_id, as_of, score, risk_class, previous_score,
		previous_risk_class, recommended_limit, credit_limit_after
		FROM crisk.score_history ORDER BY customer_id, as_of, scored_at},
	'alerts' => q{SELECT kind, customer_id, condition_key, severity, message, detail
		FROM crisk.alert ORDER BY customer_id, kind, condition_key},
	'limit changes' => q{SELECT customer_id, old_limit, new_limit, old_locked, new_locked,
		changed_by, run_id IS NOT NULL, regexp_replace(reason, 'run [0-9]+', 'run N')
		FROM crisk.limit_change ORDER BY customer_id, changed_at, change_id},
	'credit limits' => q{SELECT customer_id, credit_limit, limit_locked, limit_changed_by,
		limit_run_id IS NOT NULL, regexp_replace(limit_reason, 'run [0-9]+', 'run N')
		FROM crisk.account ORDER BY customer_id},
	'runs' => q{SELECT kind, status, as_of, customers_total, customers_scored,
		customers_skipped, errors, alerts_raised, limit_changes, message
		FROM crisk.job_run ORDER BY run_id},
	'queue' => q{SELECT customer_id FROM crisk.rescore_queue ORDER BY 1});

sub same_writes
{
	my ($when, @skip) = @_;
	for my $what (sort keys %written)
	{
		both($written{$what}, "$when: $what") unless grep { $_ eq $what } @skip;
	}
}

# A change by hand cannot pass itself off as a run's, on the shard either:
# the statement is refused on the coordinator, where it is planned.
my ($ret, $out, $err) = $coordinator->psql('postgres', q{
	UPDATE crisk.account SET credit_limit = 1, limit_run_id = 1 WHERE customer_id = 'C000001'});
like($err, qr/limit_run_id is written by rescoring passes only/,
	'a limit_run_id given by hand is refused on the distributed store');
($ret, $out, $err) = $coordinator->psql('postgres', q{
	INSERT INTO crisk.account (customer_id, credit_limit, limit_run_id) VALUES ('NEW-1', 5, 1)
	ON CONFLICT (customer_id) DO UPDATE SET limit_run_id = excluded.limit_run_id});
like($err, qr/limit_run_id is written by rescoring passes only/,
	'and through INSERT ... ON CONFLICT');

# 1. crisk.rescore for a list of customers (an unknown one among them).
my $sample = $coordinator->safe_psql('single', q{
	SELECT string_agg(quote_literal(customer_id), ',' ORDER BY customer_id)
	FROM (SELECT customer_id FROM crisk.account ORDER BY md5(customer_id) LIMIT 25) s});
is(both("SELECT crisk.rescore(ARRAY[$sample, 'NO-SUCH'], date '$as_of')",
		'crisk.rescore for 25 customers'), '25', 'scores the 25 customers');
# The queue differs until a full pass: crisk.distribute_store() queued
# everyone by name where the single node keeps its "everyone" row.
same_writes('after crisk.rescore for 25 customers', 'queue');
is($coordinator->safe_psql('postgres', qq{
	SELECT count(*) FROM crisk.rescore_queue WHERE customer_id = ANY (ARRAY[$sample])}),
	'0', 'the pass settled the queue rows of the customers it scored');
isnt($coordinator->safe_psql('postgres', 'SELECT count(*) FROM crisk.rescore_queue'), '0',
	'and only theirs');

# 2. The full pass.
is(both("SELECT crisk.rescore(NULL, date '$as_of')", 'crisk.rescore for everyone'),
	"$customers", 'scores every customer');
same_writes('after the full pass');
isnt($coordinator->safe_psql('postgres',
		'SELECT count(*) FROM crisk.limit_change WHERE run_id IS NOT NULL'), '0',
	'the passes recalibrated limits');
isnt($coordinator->safe_psql('postgres', 'SELECT count(*) FROM crisk.alert'), '0',
	'and raised alerts');

# 3. A new invoice queues its customer on the customer's shard; the queued
# pass rescores it.  The invoice is over 90 days past due: an alert.
my $late = $coordinator->safe_psql('single', q{
	SELECT customer_id FROM crisk.account ORDER BY md5(customer_id || 'late') LIMIT 1});
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db, qq{
		INSERT INTO crisk.invoice VALUES ('LATE-1', '$late', 4321.09,
			date '$as_of' - 150, date '$as_of' - 120, NULL)});
}
is(both('SELECT customer_id FROM crisk.rescore_queue', 'the queue after a new invoice'),
	$late, 'the new invoice queued its customer');
is(both("SELECT crisk.rescore_queued(date '$as_of')", 'crisk.rescore_queued'), '1',
	'the queued pass rescores that customer');
same_writes('after the queued pass');
is($coordinator->safe_psql('postgres',
		"SELECT count(*) FROM crisk.alert WHERE kind = 'overdue_90' AND condition_key = 'LATE-1'"),
	'1', 'the late invoice raised its alert');

# 4. A session listening on crisk_alert on the coordinator receives each
# alert of a pass once.
my $listener = $coordinator->background_psql('postgres');
$listener->query_safe('LISTEN crisk_alert');
my $late2 = $coordinator->safe_psql('single', q{
	SELECT customer_id FROM crisk.account ORDER BY md5(customer_id || 'late2') LIMIT 2});
my @late2 = split /\n/, $late2;
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db, qq{
		INSERT INTO crisk.invoice VALUES ('LATE-2', '$late2[0]', 1000, date '$as_of' - 200, date '$as_of' - 170, NULL),
			('LATE-3', '$late2[1]', 2000, date '$as_of' - 200, date '$as_of' - 170, NULL);
		SELECT crisk.rescore_queued(date '$as_of');});
}
same_writes('after a second queued pass');
my $expected = $coordinator->safe_psql('postgres', q{
	SELECT string_agg(alert_id::text, ',' ORDER BY alert_id) FROM crisk.alert
	WHERE run_id = (SELECT max(run_id) FROM crisk.job_run)});
like($expected, qr/,/, 'the second queued pass raised alerts');
my @payloads;
for (my $round = 0; $round < 50; $round++)
{
	my $seen = $listener->query_safe('SELECT pg_sleep(0.1)');
	push @payloads, $seen =~
	  /Asynchronous notification "crisk_alert" with payload "(.*)" received/g;
	last if @payloads >= scalar(split /,/, $expected) && $round >= 10;
}
$listener->quit;
my @ids = map { /"alert_id" : (\d+)/ ? $1 : 'none' } @payloads;
is(join(',', sort { $a <=> $b } @ids), $expected,
	'the listener on the coordinator received each alert of the pass once');

# 5. Each customer's write goes whole to the customer's shard: the
# statement that locks and recalibrates the account, updates the score and
# applies the alert rules is one command on one shard, and nothing the
# pass writes is planned apart as intermediate results shipped between the
# nodes (a CTE that INSERTs made Citus plan every CTE so, a dozen round
# trips per customer).
my $routed = $coordinator->safe_psql('single', q{
	SELECT customer_id FROM crisk.alert WHERE kind = 'overdue_90'
	ORDER BY md5(customer_id) LIMIT 1});
($ret, $out, $err) = $coordinator->psql('postgres', qq{
	SET citus.log_remote_commands = on;
	SET client_min_messages = log;
	SELECT crisk.rescore(ARRAY['$routed'], date '$as_of' + 1)});
is($ret, 0, 'one customer rescored with its remote commands logged') or diag($err);
$coordinator->safe_psql('single', "SELECT crisk.rescore(ARRAY['$routed'], date '$as_of' + 1)");
my @issued = $err =~ /issuing (.*)/g;
my @score_writes = grep { /UPDATE crisk\.score_\d+ / } @issued;
is(scalar(@score_writes), 1, 'one remote command updates the customer\'s score');
like($score_writes[0] // '', qr/UPDATE crisk\.account_\d+ .*crisk\.invoice_\d+.*crisk\.alert_\d+/,
	'the same command locks and recalibrates the account and reads the ledger and the open alerts');
my ($write_at) = grep { $issued[$_] =~ /UPDATE crisk\.score_\d+ / } 0 .. $#issued;
is(join("\n", grep { /read_intermediate_result|FROM STDIN WITH \(format result\)/ }
		@issued[ ($write_at // 0) .. $#issued ]),
	'', 'neither it nor any later command of the pass reads or ships intermediate results');
is(scalar(grep { /^PREPARE TRANSACTION/ } @issued), 0,
	'the pass commits on the customer\'s worker alone (no two-phase commit)');
same_writes('after rescoring one customer a day later');

# 6. A customer whose account another session holds is skipped and queued
# again, as on one node: its limit was changed by hand, so the pass would
# recalibrate it.
my $held = $coordinator->safe_psql('single', q{
	SELECT a.customer_id FROM crisk.account AS a JOIN crisk.score AS s USING (customer_id)
	WHERE NOT a.limit_locked AND s.recommended_limit IS NOT NULL
	ORDER BY md5(a.customer_id || 'held') LIMIT 1});
my @holders;
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db, qq{
		UPDATE crisk.account SET credit_limit = credit_limit + 1000 WHERE customer_id = '$held';
		DELETE FROM crisk.rescore_queue WHERE customer_id = '$held'});
	my $holder = $coordinator->background_psql($db);
	$holder->query_safe(qq{BEGIN; SELECT 1 FROM crisk.account WHERE customer_id = '$held' FOR NO KEY UPDATE});
	push @holders, $holder;
}
both("SELECT crisk.rescore(ARRAY['$held'], date '$as_of' + 1)", 'a held customer');
is($coordinator->safe_psql('postgres', q{
	SELECT customers_scored || ' scored, ' || customers_skipped || ' skipped'
	FROM crisk.job_run ORDER BY run_id DESC LIMIT 1}), '0 scored, 1 skipped',
	'the held customer is skipped');
both('SELECT customer_id FROM crisk.rescore_queue ORDER BY 1', 'the queue after a held customer');
is($coordinator->safe_psql('postgres', 'SELECT customer_id FROM crisk.rescore_queue'), $held,
	'and queued again');
$_->query_safe('COMMIT') for @holders;
$_->quit for @holders;
same_writes('after a held customer');

# 7. The background worker on the coordinator rescores the distributed
# store: its full pass (as of today) writes what crisk.rescore writes on the
# single node.
$coordinator->append_conf('postgresql.conf', qq{
crisk.enabled = on
crisk.databases = 'postgres'
crisk.rescore_interval = '1h'
});
$coordinator->reload;
ok($coordinator->poll_query_until('postgres', q{
	SELECT count(*) = 1 FROM crisk.job_run WHERE kind = 'full' AND status <> 'running'}),
	'the worker on the coordinator runs a full pass');
is($coordinator->safe_psql('postgres', q{
	SELECT status || ' ' || customers_scored || ' of ' || customers_total || ' ' || errors
	FROM crisk.job_run WHERE kind = 'full'}), "succeeded $customers of $customers 0",
	'which scores every customer');
$coordinator->safe_psql('single', 'SELECT crisk.rescore(NULL, current_date)');
my %pass = %written;
$pass{runs} = q{SELECT status, as_of, customers_total, customers_scored, customers_skipped, errors,
	alerts_raised, limit_changes, message FROM crisk.job_run ORDER BY run_id};
both($pass{$_}, "after the worker's full pass: $_") for sort keys %pass;

$_->stop for ($coordinator, @workers);
done_testing();
