# crisk.distribute_store() on a real Citus cluster: crisk's store spread
# over a coordinator and two workers, compared with a single node holding
# the same portfolio.
#
# - The per-customer tables are distributed by customer_id and co-located
#   with crisk.account, the shared tables are reference tables, the
#   coordinator's own tables (job_run, the one-row settings) stay local;
#   every row arrives, shipped rows included.
# - Writes behave as on one node: crisk's triggers run on the shards and
#   what they write (the rescore queue, the limit audit) lands in the
#   distributed tables, with identities unique across the nodes; shipped
#   rows stay protected.
# - Each reader gives the single-node answer or raises 0A000 naming what
#   is not supported; never a different figure.
# - Per-customer queries route to one shard, portfolio aggregates are
#   combined from partial aggregates on the workers.
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
my $customers = 300;

my ($coordinator, @workers) = CriskCitus::start_cluster();

for my $db (qw(postgres single))
{
	CriskCitus::generate_portfolio($coordinator, $db, customers => $customers, seed => 5,
		as_of => $as_of);
}

# expect_0A000 runs a statement that must raise 0A000 with a message
# naming what is not supported.
sub expect_0A000
{
	my ($sql, $message, $name) = @_;
	my ($ret, $out, $err) = $coordinator->psql('postgres',
		"\\set VERBOSITY verbose\n$sql", on_error_stop => 1);
	isnt($ret, 0, "$name: refused");
	like($err, qr/ERROR:\s+0A000: [^\n]*\Q$message\E/, "$name: 0A000 naming what") or diag($err);
}

# Every row of a crisk table, as text, without the columns that differ
# between two databases loaded apart (timestamps of the load, identities).
sub rows_of
{
	my ($db, $table) = @_;
	return $coordinator->safe_psql($db, qq{
		SELECT pg_catalog.md5(coalesce(pg_catalog.string_agg(r::text, '|' ORDER BY r::text), ''))
		FROM (SELECT pg_catalog.to_jsonb(t) - ARRAY['changed_at', 'change_id', 'queued_at',
		          'queued_by', 'limit_changed_at', 'created_at', 'raised_at', 'action_id', 'event_id', 'recorded_at',
		          'changed_by'] AS r
		      FROM crisk.$table t) s});
}

# The distributed store reads crisk.invoice: not while an ERP ledger is set.
$coordinator->safe_psql('postgres', q{
	CREATE TABLE public.erp_copy AS
		SELECT invoice_id, customer_id, amount, issue_date, due_date, paid_date FROM crisk.invoice;
	SELECT crisk.set_ledger('public.erp_copy');
});
expect_0A000('SELECT crisk.distribute_store()', "crisk.distribute_store() needs crisk's own ledger",
	'distribute_store while an ERP ledger is set');
$coordinator->safe_psql('postgres', q{SELECT crisk.set_ledger('crisk.invoice')});

my @tables = split /\n/, $coordinator->safe_psql('postgres', q{
	SELECT c.relname FROM pg_class c
	WHERE c.relnamespace = 'crisk'::regnamespace AND c.relkind = 'r' ORDER BY 1});
my %before = map { $_ => rows_of('postgres', $_) } @tables;

# 1. Distribute.
my ($ret, $out, $err) = $coordinator->psql('postgres', 'SELECT crisk.distribute_store()');
is($ret, 0, 'crisk.distribute_store() succeeds on a ready cluster') or diag($err);
like($err, qr/crisk's store is distributed: 14 tables by customer_id, 10 reference tables/,
	'distribute_store says what it distributed');

my $per_customer = join(',', qw(account alert contact credit_reservation dispute
	dunning_action event financials invoice limit_change promise rescore_queue score
	score_history));
my $shared = join(',', qw(alert_kind dunning_policy dunning_template event_kind
	legal_interest_rate limit_policy model_fit provision_matrix reference_rate scorecard));
is($coordinator->safe_psql('postgres', q{
	SELECT string_agg(c.relname, ',' ORDER BY c.relname)
	FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
	WHERE p.partmethod = 'h' AND p.colocationid = (SELECT colocationid FROM pg_dist_partition
	                                               WHERE logicalrelid = 'crisk.account'::regclass)
	  AND column_to_column_name(p.logicalrelid, p.partkey) = 'customer_id'}),
	$per_customer, 'the per-customer tables are distributed by customer_id, co-located with crisk.account');
is($coordinator->safe_psql('postgres', q{
	SELECT string_agg(c.relname, ',' ORDER BY c.relname)
	FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
	WHERE p.partmethod = 'n' AND c.relnamespace = 'crisk'::regnamespace}),
	$shared, 'the shared tables are reference tables');
is($coordinator->safe_psql('postgres', q{
	SELECT count(*) FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
	WHERE c.relnamespace = 'crisk'::regnamespace}),
	'24', 'the coordinator keeps its own tables (job_run, job_error, the one-row settings) local');
is($coordinator->safe_psql('postgres', q{
	SELECT count(DISTINCT p.nodeport) FROM pg_dist_shard_placement p JOIN pg_dist_shard s USING (shardid)
	WHERE s.logicalrelid = 'crisk.invoice'::regclass}),
	'2', 'crisk.invoice is spread over both workers');
for my $table (grep { $_ ne 'rescore_queue' } @tables)
{
	is(rows_of('postgres', $table), $before{$table}, "crisk.$table: every row kept");
}
# The change of ledger above queued everyone (a NULL customer_id), which a
# distributed queue cannot hold: everyone is queued by name instead.
is($coordinator->safe_psql('postgres', q{
	SELECT count(*) FILTER (WHERE customer_id IS NULL) || ' ' || count(DISTINCT customer_id)
	FROM crisk.rescore_queue}),
	'0 ' . $coordinator->safe_psql('single', q{
		SELECT count(*) FROM (SELECT customer_id FROM crisk.account
		                      UNION SELECT customer_id FROM crisk.invoice) c}),
	'crisk.rescore_queue: everyone queued by name');
is(rows_of('postgres', 'invoice'), rows_of('single', 'invoice'),
	'crisk.invoice: the rows of the single node');
is(rows_of('postgres', 'account'), rows_of('single', 'account'),
	'crisk.account: the rows of the single node');
is($coordinator->safe_psql('postgres', 'SELECT count(*) FROM ONLY crisk.invoice'),
	$coordinator->safe_psql('single', 'SELECT count(*) FROM crisk.invoice'),
	'the coordinator reads crisk.invoice through its shards');

($ret, $out, $err) = $coordinator->psql('postgres', 'SELECT crisk.distribute_store()');
like($err, qr/crisk's store is already distributed/, 'a second call changes nothing');

# 2. Writes: constraints, triggers and identities as on one node.
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db, q{
		INSERT INTO crisk.invoice VALUES ('X-1', 'C000042', 100, '2026-06-01', '2026-06-30', NULL);
		UPDATE crisk.account SET credit_limit = credit_limit + 1000 WHERE customer_id = 'C000042';
	});
}
my $queued = q{SELECT count(*) > 0 FROM crisk.rescore_queue
	WHERE customer_id = 'C000042' AND queued_at > now() - interval '1 hour'};
is($coordinator->safe_psql('postgres', $queued), 't',
	'a new invoice queues its customer for rescoring');
my $audit = q{SELECT customer_id, old_limit, new_limit, old_locked, new_locked, changed_by, run_id, reason
	FROM crisk.limit_change WHERE customer_id = 'C000042' ORDER BY changed_at DESC LIMIT 1};
is($coordinator->safe_psql('postgres', $audit), $coordinator->safe_psql('single', $audit),
	'a limit change is audited as on one node');
cmp_ok($coordinator->safe_psql('postgres', q{
	SELECT max(change_id) FROM crisk.limit_change WHERE customer_id = 'C000042'}),
	'>=', 2**48, 'an identity drawn on a worker comes from that worker\'s own range');
is($coordinator->safe_psql('postgres', q{
	SELECT count(*) = count(DISTINCT change_id) FROM crisk.limit_change}),
	't', 'identities stay unique across the nodes');
($ret, $out, $err) = $coordinator->psql('postgres', q{
	INSERT INTO crisk.invoice VALUES ('X-1', 'C000042', 5, '2026-06-01', '2026-06-30', NULL)});
like($err, qr/duplicate key value violates unique constraint "invoice_pkey/,
	'an invoice number is unique per customer');
($ret, $out, $err) = $coordinator->psql('postgres', q{
	UPDATE crisk.scorecard SET points = points WHERE model = 'default'});
like($err, qr/model "default" is shipped with crisk and cannot be changed/,
	'the shipped rows of a reference table stay protected');
($ret, $out, $err) = $coordinator->psql('postgres', q{
	INSERT INTO crisk.event (customer_id, kind, occurred_on) VALUES ('NOBODY', 'insolvency', '2026-06-01')});
like($err, qr/violates foreign key constraint "event_customer_fkey/,
	'an event still needs its account');

# 3. Readers: the single-node answer (the dunning lists are compared in
# 050_readers.pl, rescoring in 080_rescore.pl).
my %dunned;
my $overdue = $coordinator->safe_psql('single', q{
	SELECT invoice_id FROM crisk.invoice WHERE paid_date IS NULL AND due_date < date '2026-06-01'
	ORDER BY invoice_id LIMIT 1});
for my $db (qw(postgres single))
{
	($ret, $out, $err) = $coordinator->psql($db, "BEGIN; SELECT crisk.record_dunning_action('$overdue', 1); ROLLBACK");
	$err =~ s/\n.*//s;
	$dunned{$db} = "$ret $out $err";
}
is($dunned{postgres}, $dunned{single}, 'crisk.record_dunning_action: the single node\'s answer');

# A customer's dossier: the single node's, but for the times of the load
# and the rescore queue (everyone was queued by name above).
my $dossier = q{SELECT regexp_replace(
	((crisk.customer_dossier('C000007') #- '{tables,crisk.rescore_queue}'::text[]) - 'exported_at'::text)::text,
	'"(recorded_at|changed_at|limit_changed_at|queued_at|queued_by|generated_at)": ("[^"]*"|[0-9]+)', '', 'g')};
my $single_dossier = $coordinator->safe_psql('single', $dossier);
like($single_dossier, qr/"crisk\.invoice": \[\{/, 'the dossier holds invoices on the single node');
is($coordinator->safe_psql('postgres', $dossier), $single_dossier,
	'crisk.customer_dossier: the single-node dossier');

# Erasure and TRUNCATE on the distributed store: 070_store_writes.pl.

# crisk's aggregates over crisk's own distributed ledger.
my $open = "(paid_date IS NULL OR paid_date > date '$as_of')";
my %same = (
	'aging over the portfolio' =>
	  "SELECT crisk.aging(amount, due_date, date '$as_of') FROM crisk.invoice WHERE $open",
	'payment profile per customer' =>
	  "SELECT customer_id, crisk.payment_profile(amount, issue_date, due_date, paid_date, date '$as_of') "
	  . "FROM crisk.invoice GROUP BY customer_id ORDER BY customer_id",
	'one customer\'s payment profile' =>
	  "SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, date '$as_of') "
	  . "FROM crisk.invoice WHERE customer_id = 'C000042'",
	'DSO over the portfolio' =>
	  "SELECT crisk.dso(amount, issue_date, paid_date, date '$as_of', 90) FROM crisk.invoice",
	'crisk.ledger' => 'SELECT * FROM crisk.ledger ORDER BY invoice_id',
	'crisk.aged_balance_at' => "SELECT * FROM crisk.aged_balance_at('$as_of') ORDER BY customer_id",
	'crisk.portfolio_kpi' => 'SELECT * FROM crisk.portfolio_kpi',
	'crisk.portfolio_kpi_at' => "SELECT * FROM crisk.portfolio_kpi_at('$as_of')",
	'crisk.watchlist' => 'SELECT * FROM crisk.watchlist w ORDER BY w::text',
	'crisk.watchlist_at' => "SELECT * FROM crisk.watchlist_at('$as_of') w ORDER BY w::text",
	'crisk.aged_balance' => 'SELECT * FROM crisk.aged_balance ORDER BY customer_id',
	'crisk.aged_balance for one customer' => "SELECT * FROM crisk.aged_balance WHERE customer_id = 'C000042'",
	'crisk.promise_status' => 'SELECT * FROM crisk.promise_status ORDER BY promise_id',
	'limits and classes read with SQL' =>
	  'SELECT customer_id, credit_limit, limit_locked, policy, model FROM crisk.account ORDER BY 1',
);
for my $name (sort keys %same)
{
	my $single = $coordinator->safe_psql('single', $same{$name});
	isnt($single, '', "$name: an answer on the single node");
	is($coordinator->safe_psql('postgres', $same{$name}), $single,
		"$name: the single-node answer on the distributed store");
}

# 4. Where the work runs.
my $plan = $coordinator->safe_psql('postgres',
	"EXPLAIN (VERBOSE) SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, date '$as_of') "
	  . "FROM crisk.invoice WHERE customer_id = 'C000042'");
like($plan, qr/Task Count: 1\b/, 'one customer\'s payment profile runs on one shard');
$plan = $coordinator->safe_psql('postgres',
	"EXPLAIN (VERBOSE) SELECT * FROM crisk.account WHERE customer_id = 'C000042'");
like($plan, qr/Task Count: 1\b/, 'one customer\'s account is read from one shard');
$plan = $coordinator->safe_psql('postgres',
	"EXPLAIN (VERBOSE) SELECT crisk.aging(amount, due_date, date '$as_of') FROM crisk.invoice WHERE $open");
like($plan, qr/worker_partial_agg/, 'portfolio aging: partial aggregates on the workers');
like($plan, qr/coord_combine_agg/, 'portfolio aging: combined on the coordinator');

# 5. On a distributed store crisk.set_ledger names crisk.invoice only: 0A000
# otherwise, nothing changed.
$coordinator->safe_psql('postgres', q{
	CREATE TABLE public.erp_invoice AS
		SELECT invoice_id, customer_id, amount, issue_date, due_date, paid_date FROM crisk.invoice;
	SELECT create_distributed_table('public.erp_invoice', 'customer_id');
	CREATE VIEW public.erp_ledger AS SELECT * FROM public.erp_invoice;
});
expect_0A000("SELECT crisk.set_ledger('public.erp_invoice')",
	'crisk.set_ledger cannot name another ledger on a distributed store', 'set_ledger on a distributed ERP table');
expect_0A000("SELECT crisk.set_ledger('public.erp_ledger')",
	'crisk.set_ledger cannot name another ledger on a distributed store', 'set_ledger on a view over a distributed ERP table');
is($coordinator->safe_psql('postgres', 'SELECT count(*) FROM crisk.ledger_source'), '0',
	'the ledger is still crisk.invoice');
# On a distributed store the ledger is crisk.invoice: a local ERP table is
# refused too, and naming crisk.invoice changes nothing.
$coordinator->safe_psql('postgres', q{
	CREATE TABLE public.erp_local AS SELECT * FROM public.erp_invoice});
expect_0A000("SELECT crisk.set_ledger('public.erp_local')",
	'crisk.set_ledger cannot name another ledger on a distributed store',
	'set_ledger on a local ERP table once the store is distributed');
($ret, $out, $err) = $coordinator->psql('postgres', q{SELECT crisk.set_ledger('crisk.invoice')});
is($ret, 0, 'crisk.set_ledger(\'crisk.invoice\') on the distributed store') or diag($err);

# 6. The worker on the coordinator rescores the distributed store (its
# passes compared with one node's: 080_rescore.pl).
$coordinator->safe_psql('postgres', q{
	ALTER SYSTEM SET crisk.enabled = on;
	ALTER SYSTEM SET crisk.rescore_interval = 1;
	SELECT pg_reload_conf();
});
ok($coordinator->poll_query_until('postgres', q{
	SELECT count(*) >= 1 FROM crisk.job_run WHERE kind = 'full' AND status <> 'running'}),
	'the worker runs a full pass on the distributed store');
is($coordinator->safe_psql('postgres', q{
	SELECT string_agg(status || ' ' || errors, ',') FROM crisk.job_run WHERE kind = 'full'}),
	'succeeded 0', 'which succeeds');
is($coordinator->safe_psql('postgres', q{
	SELECT count(*) FROM crisk.account a LEFT JOIN crisk.score s USING (customer_id)
	WHERE s.customer_id IS NULL}),
	'0', 'the worker scored every customer');
$coordinator->safe_psql('postgres', q{
	ALTER SYSTEM RESET crisk.enabled;
	ALTER SYSTEM RESET crisk.rescore_interval;
	SELECT pg_reload_conf();
});

$_->stop for ($coordinator, @workers);
done_testing();
