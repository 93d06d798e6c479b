# More databases with crisk than crisk.max_workers, taking turns: a reload
# that shortens crisk.rescore_interval applies to the databases waiting for
# their next turn at once, not after the interval that was in force when
# their last turn ended.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(time);

my $node = PostgreSQL::Test::Cluster->new('rotation_reload');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.max_workers = 1
crisk.rescore_interval = '60s'
crisk.full_rescore_time = ''
});
$node->start;

my @dbs = qw(north south east);
for my $db (@dbs)
{
	$node->safe_psql('postgres', "CREATE DATABASE $db");
	$node->safe_psql($db, q{
		BEGIN;
		CREATE EXTENSION crisk;
		INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('C1', 1000), ('C2', 2000);
		COMMIT;
	});
}
for my $db (@dbs)
{
	ok($node->poll_query_until($db, 'SELECT count(*) = 2 FROM crisk.score'),
		"database $db has had its first turn");
}

# Every database now waits a minute for its next turn; the reload makes it
# two seconds.
$node->append_conf('postgresql.conf', "crisk.rescore_interval = '2s'");
$node->reload;
$node->poll_query_until('postgres', "SELECT current_setting('crisk.rescore_interval') = '2s'")
  or die 'the server never reloaded';
my $start = time;
$node->safe_psql($_, "UPDATE crisk.account SET credit_limit = 5000 WHERE customer_id = 'C1'")
  for @dbs;
for my $db (@dbs)
{
	ok( $node->poll_query_until(
			$db, "SELECT credit_limit_before = 5000 FROM crisk.score WHERE customer_id = 'C1'"),
		"database $db rescores the changed customer");
}
my $elapsed = time - $start;

# Three turns of a two-second interval, one database at a time: a few
# seconds, far from the minute of the interval before the reload.
cmp_ok($elapsed, '<', 30,
	sprintf('the new interval applies at once (all rescored %.1f s after the reload)', $elapsed));
ok(!$node->log_contains('ERROR:  '), 'nothing went wrong on the way');

$node->stop('fast');
done_testing();
