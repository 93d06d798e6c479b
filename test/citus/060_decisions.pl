# crisk's decisions on a store spread by crisk.distribute_store(),
# compared with a single node holding the same portfolio, value for value:
#
# - the session caches of crisk's small tables (reference tables once the
#   store is distributed) read this node's placement: late-payment interest
#   at the reference rate, a rate added after distribution included;
# - crisk.check_order for a sample of customers (blocked, unknown, over the
#   limit, under a legal event, ordinary ones), with and without a credit
#   reservation, reading the customer's shard through statements that
#   route to one shard (EXPLAIN: Task Count: 1).
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
	CriskCitus::generate_portfolio($coordinator, $db, customers => $customers, seed => 11,
		as_of => $as_of);
}

# Read the caches once before distributing, so that a stale copy would show.
my $interest = q{SELECT crisk.late_payment_interest(10000, date '2026-01-01', date '2026-09-30')};
my $before = $coordinator->safe_psql('postgres', $interest);

# One session checks an order and reads the caches, distributes the store,
# and does both again: what it knew of the store before is forgotten.
my $one_check = q{SELECT * FROM crisk.check_order('C000007', 500)};
my ($ret, $out, $err) = $coordinator->psql('postgres', qq{
	$one_check; $interest;
	SELECT crisk.distribute_store();
	$one_check; $interest;});
is($ret, 0, 'crisk.distribute_store() between two order checks of one session') or diag($err);
my @lines = split /\n/, $out;
is(join("\n", @lines[3, 4]), join("\n", @lines[0, 1]),
	'the session gives the same answers after distributing its store');
is($lines[3], $coordinator->safe_psql('single', $one_check), 'those of the single node');

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

# 1. Session caches of reference tables.
is($coordinator->safe_psql('postgres', q{
	SELECT count(*) FROM pg_dist_placement p JOIN pg_dist_shard s USING (shardid)
	JOIN pg_dist_partition d USING (logicalrelid)
	WHERE d.partmethod = 'n' AND p.groupid = 0
	  AND s.logicalrelid::regclass::text LIKE 'crisk.%'}),
	'10', 'the coordinator holds a placement of each of crisk\'s reference tables');
is(both($interest, 'late_payment_interest at the reference rate'), $before,
	'and the same figure as before distribution');
# A rate added after distribution reaches this session's cache and another's.
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db, q{
		INSERT INTO crisk.reference_rate (valid_from, rate) VALUES ('2026-07-01', 0.0725)});
}
my $after = both($interest, 'late_payment_interest after a new reference rate');
isnt($after, $before, 'the new rate changes the interest');
# 2. check_order.
my %sample;
$sample{blocked} = $coordinator->safe_psql('single', q{
	SELECT customer_id FROM crisk.account WHERE blocked ORDER BY 1 LIMIT 1});
$sample{unknown} = 'NEW-CUSTOMER';
$sample{over_limit} = $coordinator->safe_psql('single', qq{
	SELECT a.customer_id FROM crisk.account a JOIN crisk.invoice i USING (customer_id)
	WHERE NOT a.blocked AND a.credit_limit IS NOT NULL
	  AND (i.paid_date IS NULL OR i.paid_date > current_date)
	GROUP BY a.customer_id, a.credit_limit HAVING sum(i.amount) > a.credit_limit
	ORDER BY 1 LIMIT 1});
$sample{event} = $coordinator->safe_psql('single', q{
	SELECT customer_id FROM crisk.event ORDER BY occurred_on DESC, customer_id LIMIT 1});
$sample{overdue} = $coordinator->safe_psql('single', q{
	SELECT customer_id FROM crisk.invoice WHERE paid_date IS NULL AND due_date < current_date - 30
	ORDER BY customer_id LIMIT 1});
my @ordinary = split /\n/, $coordinator->safe_psql('single', q{
	SELECT customer_id FROM crisk.account WHERE NOT blocked ORDER BY md5(customer_id) LIMIT 12});
for my $kind (sort keys %sample)
{
	isnt($sample{$kind}, '', "a $kind customer in the sample");
}
my @customers = ((map { $sample{$_} } sort keys %sample), @ordinary);
my $list = join(',', map { "('$_')" } @customers);
my $checks = qq{
	SELECT c.id, o.decision, o.available_credit, o.reasons
	FROM (VALUES $list) c(id), LATERAL crisk.check_order(c.id, 500) o ORDER BY 1};
my $decisions = both($checks, 'check_order for the sample');
like($decisions, qr/\|block\|/, 'the sample holds a block');
like($decisions, qr/\|review\|/, 'the sample holds a review');
like($decisions, qr/\|approve\|/, 'the sample holds an approval');
like($decisions, qr/NEW-CUSTOMER\|review\|\|\{"customer has no credit account"/,
	'an unknown customer is sent for review');

# Current data: a change on the shard shows in the next check.
for my $db (qw(postgres single))
{
	$coordinator->safe_psql($db, qq{
		UPDATE crisk.account SET blocked = true WHERE customer_id = '$ordinary[0]';
		INSERT INTO crisk.invoice VALUES ('CHK-1', '$ordinary[1]', 99999.99, date '2026-01-01', date '2026-01-31', NULL);
	});
}
$decisions = both($checks, 'check_order after an order stop and a new overdue invoice');
like($decisions, qr/^\Q$ordinary[0]\E\|block\|[^\n]*account is on stop/m,
	'the order stop set on the shard is read at once');

# Reservations are written to, and read from, the customer's shard.
my $reserve = qq{
	SELECT o.decision, o.available_credit, o.reasons
	FROM crisk.check_order('$ordinary[2]', 100, true, 'ORD-1') o
	UNION ALL
	SELECT o.decision, o.available_credit, o.reasons
	FROM crisk.check_order('$ordinary[2]', 100, true, 'ORD-2') o};
both($reserve, 'reserving checks');
both(qq{SELECT customer_id, order_id, amount FROM crisk.credit_reservation ORDER BY 1, 2},
	'the reservations recorded');
both(qq{SELECT * FROM crisk.check_order('$ordinary[2]', 100)},
	'a check after the reservations counts them');
($ret, $out, $err) = $coordinator->psql('postgres', qq{
	BEGIN ISOLATION LEVEL REPEATABLE READ;
	SELECT * FROM crisk.check_order('$ordinary[2]', 100, true, 'ORD-3');
	COMMIT;});
like($err, qr/crisk.check_order with reserve under REPEATABLE READ or SERIALIZABLE is not supported on a distributed store/,
	'a reserving check under REPEATABLE READ is refused on a distributed store');

# The order check's read of the customer's facts (distributed_facts_sql in
# src/customer_facts.c) goes to one shard, prepared as the check prepares it
# (Citus makes the plan cache plan it for each customer).
my $plan = $coordinator->safe_psql('postgres', qq{
	PREPARE facts(text, date) AS
	SELECT 1 AS part, a.credit_limit AS amount, NULL::pg_catalog.date AS day,
	       a.dunning_policy AS name, a.blocked AS flag, NULL::pg_catalog.int8 AS id,
	       NULL::pg_catalog.timestamptz AS at, NULL::pg_catalog.int4 AS score
	  FROM crisk.account a WHERE a.customer_id OPERATOR(pg_catalog.=) \$1
	 UNION ALL
	SELECT 2, NULL, s.as_of, s.risk_class, NULL, NULL, NULL, s.score
	  FROM crisk.score s WHERE s.customer_id OPERATOR(pg_catalog.=) \$1
	 UNION ALL
	SELECT 3, NULL, e.occurred_on, e.kind, NULL, e.event_id, NULL, NULL
	  FROM crisk.event e WHERE e.customer_id OPERATOR(pg_catalog.=) \$1
	 UNION ALL
	SELECT 4, i.amount, i.due_date, i.invoice_id, NULL, NULL, NULL, NULL
	  FROM crisk.invoice i WHERE i.customer_id OPERATOR(pg_catalog.=) \$1
	   AND (i.paid_date IS NULL OR i.paid_date OPERATOR(pg_catalog.>) \$2)
	 UNION ALL
	SELECT 5, r.amount, NULL, r.order_id, NULL, NULL, r.expires_at, NULL
	  FROM crisk.credit_reservation r WHERE r.customer_id OPERATOR(pg_catalog.=) \$1;
	EXECUTE facts('$ordinary[2]', current_date); EXECUTE facts('$ordinary[2]', current_date);
	EXECUTE facts('$ordinary[2]', current_date); EXECUTE facts('$ordinary[2]', current_date);
	EXECUTE facts('$ordinary[2]', current_date); EXECUTE facts('$ordinary[2]', current_date);
	EXPLAIN (COSTS OFF) EXECUTE facts('$ordinary[2]', current_date);});
like($plan, qr/Task Count: 1\b/, "check_order's read of a customer's facts goes to one shard");
unlike($plan, qr/Task Count: [2-9]/, 'and to no other');

$_->stop for ($coordinator, @workers);
done_testing();
