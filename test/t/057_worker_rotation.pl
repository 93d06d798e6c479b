# More databases with crisk than crisk.max_workers: the databases take turns
# (each worker runs one pass and exits), so every database gets its passes
# while never more than crisk.max_workers workers hold background-worker
# slots at once.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('rotation');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.max_workers = 2
crisk.rescore_interval = '1s'
crisk.full_rescore_time = ''
});
$node->start;

my @dbs = qw(north south east west);
for my $db (@dbs)
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, q{
		CREATE EXTENSION crisk;
		INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('C1', 1000), ('C2', 2000);
	});
}

# Sample the number of workers while the databases take turns.
my $most = 0;
for (1 .. 40)
{
	my $n = $node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'crisk worker'");
	$most = $n if $n > $most;
	select(undef, undef, undef, 0.1);
}
cmp_ok($most, '<=', 2, "never more than crisk.max_workers workers at once (saw $most)");

for my $db (@dbs)
{
	ok($node->poll_query_until($db, 'SELECT count(*) = 2 FROM crisk.score'),
		"database $db gets its customers scored");
}

# A change in each database is picked up by its next turn.
$node->safe_psql($_, "UPDATE crisk.account SET credit_limit = 5000 WHERE customer_id = 'C1'")
  for @dbs;
for my $db (@dbs)
{
	ok( $node->poll_query_until(
			$db, "SELECT credit_limit_before = 5000 FROM crisk.score WHERE customer_id = 'C1'"),
		"database $db rescored the changed customer in a later turn");
}
ok(!$node->log_contains('no free background worker slot'), 'no slot shortage on the way');

$node->stop('fast');
done_testing();
