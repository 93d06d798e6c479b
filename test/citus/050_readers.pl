# crisk's readers on a store spread by crisk.distribute_store(): the views
# and the functions over crisk.ledger give the single-node answer, value for
# value, because crisk's planner hook (src/citus_inline.c) inlines them
# before Citus plans the query; the readers Citus still cannot plan raise
# 0A000; where the work runs (one shard for one customer, partial
# aggregates on the workers); cached plans are replanned when a function
# body changes; and a coordinator that does not preload crisk refuses the
# ledger's readers, saying why.
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

# The same portfolio on both, scored on both before the store is spread
# (rescoring itself does not run on a distributed store yet), with an
# invoice on terms longer than the law allows for crisk.terms_compliance.
for my $db (qw(postgres single))
{
	CriskCitus::generate_portfolio($coordinator, $db, customers => $customers, seed => 5,
		as_of => $as_of);
	$coordinator->safe_psql($db, qq{
		SELECT crisk.rescore(NULL, date '$as_of');
		INSERT INTO crisk.invoice VALUES ('T-1', 'C000042', 1000, '2026-01-15', '2026-05-15', NULL);
	});
}
my ($ret, $out, $err) = $coordinator->psql('postgres', 'SELECT crisk.distribute_store()');
is($ret, 0, 'crisk.distribute_store() succeeds') or diag($err);

# 1. Every reader, on several dates: the single node's rows.
my @dates = ($as_of, '2026-03-31', '2025-12-31');
my %reader = (
	'crisk.ledger' => 'SELECT * FROM crisk.ledger',
	'crisk.ledger_parts()' => 'SELECT * FROM crisk.ledger_parts()',
	'crisk.aged_balance' => 'SELECT * FROM crisk.aged_balance',
	'crisk.aged_balance for one customer' => "SELECT * FROM crisk.aged_balance WHERE customer_id = 'C000042'",
	'crisk.portfolio_kpi' => 'SELECT * FROM crisk.portfolio_kpi',
	'crisk.watchlist' => 'SELECT * FROM crisk.watchlist',
	'crisk.promise_status' => 'SELECT * FROM crisk.promise_status',
	'crisk.terms_compliance' => 'SELECT * FROM crisk.terms_compliance',
	'crisk.dunning_worklist' => 'SELECT * FROM crisk.dunning_worklist',
	'crisk.dunning_worklist for one customer' => "SELECT * FROM crisk.dunning_worklist WHERE customer_id = 'C000042'",
	'crisk.dunning_letters' => 'SELECT * FROM crisk.dunning_letters',
);
for my $date (@dates)
{
	$reader{"crisk.aged_balance_at($date)"} = "SELECT * FROM crisk.aged_balance_at('$date')";
	$reader{"crisk.aged_balance_at($date) for one customer"} =
	  "SELECT * FROM crisk.aged_balance_at('$date') WHERE customer_id = 'C000007'";
	$reader{"crisk.open_items_at($date)"} = "SELECT * FROM crisk.open_items_at('$date')";
	$reader{"crisk.portfolio_kpi_at($date)"} = "SELECT * FROM crisk.portfolio_kpi_at('$date')";
	$reader{"crisk.watchlist_at($date)"} = "SELECT * FROM crisk.watchlist_at('$date')";
	$reader{"crisk.promise_status_at($date)"} = "SELECT * FROM crisk.promise_status_at('$date')";
	$reader{"crisk.dunning_worklist_at($date)"} = "SELECT * FROM crisk.dunning_worklist_at('$date')";
	$reader{"crisk.dunning_letters_at($date)"} = "SELECT * FROM crisk.dunning_letters_at('$date')";
}
# Scored at as_of: the scores and limits then and today.
for my $date ($as_of, 'today')
{
	my $d = $date eq 'today' ? 'CURRENT_DATE' : "'$date'";
	$reader{"crisk.scores_at($date)"} = "SELECT * FROM crisk.scores_at($d)";
	$reader{"crisk.limits_at($date)"} = "SELECT * FROM crisk.limits_at($d)";
}
# Rows as text, sorted, so that equal sets print equally.
sub rows_of
{
	my ($db, $sql) = @_;
	return $coordinator->safe_psql($db,
		"SELECT count(*) || ' ' || coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '') FROM ($sql) t");
}
for my $name (sort keys %reader)
{
	my $single = rows_of('single', $reader{$name});
	unlike($single, qr/^0 /, "$name: rows on the single node");
	is(rows_of('postgres', $reader{$name}), $single,
		"$name: the single-node rows on the distributed store");
}

# crisk.record_dunning_action reads the ledger: the same action recorded.
my $overdue = $coordinator->safe_psql('single', qq{
	SELECT invoice_id FROM crisk.invoice WHERE paid_date IS NULL AND amount > 0
	  AND due_date < date '$as_of' - 40 ORDER BY invoice_id LIMIT 1});
my $action = q{SELECT invoice_id, customer_id, policy, level, action, acted_on, days_past_due, note
	FROM crisk.dunning_action WHERE note = 'called'};
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db,
		"SELECT crisk.record_dunning_action('$overdue', 1, 'called', date '$as_of')");
}
isnt($coordinator->safe_psql('single', $action), '', 'record_dunning_action records on the single node');
is($coordinator->safe_psql('postgres', $action), $coordinator->safe_psql('single', $action),
	'crisk.record_dunning_action: the single node\'s action on the distributed store');
is(do { my (undef, undef, $e) = $coordinator->psql('postgres', "SELECT crisk.record_dunning_action('NO-SUCH', 1)"); $e =~ s/\n.*//sr },
	do { my (undef, undef, $e) = $coordinator->psql('single', "SELECT crisk.record_dunning_action('NO-SUCH', 1)"); $e =~ s/\n.*//sr },
	'record_dunning_action of an unknown invoice: the single node\'s error');

# 2. Where the work runs.
my $plan = $coordinator->safe_psql('postgres',
	"EXPLAIN (COSTS OFF) SELECT * FROM crisk.aged_balance WHERE customer_id = 'C000042'");
like($plan, qr/^\s*Task Count: 1$/m, 'one customer\'s aged balance: the query runs on one shard');
# One customer's dunning worklist: the final query is one task on the
# customer's shard, after subplans (the allocations on the coordinator, and
# the ledger's parts, the actions, disputes and promises grouped per
# customer on every shard, which Citus plans apart from the final query).
$plan = $coordinator->safe_psql('postgres',
	"EXPLAIN (COSTS OFF) SELECT * FROM crisk.dunning_worklist WHERE customer_id = 'C000042'");
like($plan, qr/^ {2}Task Count: 1$/m,
	'one customer\'s dunning worklist: the final query runs on one shard');
$plan = $coordinator->safe_psql('postgres',
	"EXPLAIN (VERBOSE, COSTS OFF) SELECT crisk.aging(amount, due_date, date '$as_of') FROM crisk.ledger WHERE paid_date IS NULL");
like($plan, qr/worker_partial_agg/, 'portfolio aging over crisk.ledger: partial aggregates on the workers');
like($plan, qr/coord_combine_agg/, 'portfolio aging over crisk.ledger: combined on the coordinator');

# 3. A cached plan is replanned when a function it inlined changes: the
# hook adds crisk.ledger_rows() to the plan's dependencies, although Citus
# never saw the function (Citus's own handling of the DDL below also
# invalidates cached plans, so this checks what the user sees rather than
# the dependency alone).
$coordinator->safe_psql('postgres', 'CREATE TABLE public.plan_counts (n int8)');
$coordinator->safe_psql('postgres', q{
	SET plan_cache_mode = force_generic_plan;
	PREPARE ledger_count AS SELECT count(*) FROM crisk.ledger;
	INSERT INTO public.plan_counts SELECT count(*) FROM crisk.ledger;
	EXECUTE ledger_count;
	SET citus.enable_ddl_propagation = off;
	CREATE OR REPLACE FUNCTION crisk.ledger_rows()
	    RETURNS TABLE (invoice_id text, customer_id text, amount numeric, issue_date date,
	                   due_date date, paid_date date)
	    LANGUAGE sql STABLE PARALLEL SAFE
	    AS $$SELECT s.invoice_id, s.customer_id, s.amount, s.issue_date, s.due_date, s.paid_date FROM crisk.invoice s WHERE s.amount > 0$$;
	CREATE TEMP TABLE after_change AS EXECUTE ledger_count;
	INSERT INTO public.plan_counts SELECT count FROM after_change;
	SELECT crisk.set_ledger('crisk.invoice');
});
is($coordinator->safe_psql('postgres', q{
	SELECT (SELECT count(*) FROM crisk.invoice WHERE amount > 0) = min(n) AND min(n) < max(n) FROM public.plan_counts}),
	't', 'a prepared statement reads crisk.ledger_rows()\'s new body');

# 4. Without crisk in shared_preload_libraries the hook is missing: the
# ledger's readers raise 0A000, never the coordinator's empty shells.
# Citus notices the distributed tables the plain planner inlined and
# refuses first; crisk's guard in crisk.ledger, run with the query, says
# to preload crisk where Citus does not (test/sql/single_node_guard.sql).
$coordinator->append_conf('postgresql.conf', "shared_preload_libraries = 'citus'");
$coordinator->restart;
for my $sql ('SELECT * FROM crisk.ledger', "SELECT * FROM crisk.aged_balance_at('$as_of')",
	'SELECT * FROM crisk.portfolio_kpi', 'SELECT * FROM crisk.watchlist',
	'SELECT * FROM crisk.promise_status')
{
	($ret, $out, $err) = $coordinator->psql('postgres', "\\set VERBOSITY verbose\n$sql");
	like($err, qr/ERROR:\s+0A000: (cannot perform distributed planning|reading crisk\.ledger is not supported)/,
		"without crisk preloaded, $sql: 0A000");
}

$_->stop for ($coordinator, @workers);
done_testing();
