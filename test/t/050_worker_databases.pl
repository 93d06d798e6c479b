# The launcher runs one rescoring worker per database where crisk is
# installed, and only there: CREATE and DROP EXTENSION start and stop
# workers without a server restart, crisk.databases and crisk.enabled are
# honoured on reload, and commands that need a database to themselves
# (DROP DATABASE, CREATE DATABASE ... TEMPLATE) are not blocked by a worker.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('databases');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1h'
});
$node->start;

# Databases that have a crisk worker, as the DBA sees them.
my $workers_query = q{
	SELECT coalesce(string_agg(datname, ',' ORDER BY datname), '')
	FROM pg_stat_activity WHERE backend_type = 'crisk worker'};

sub workers_become
{
	my ($expected, $name) = @_;
	ok($node->poll_query_until('postgres', $workers_query, $expected), $name)
	  or diag('workers: ' . $node->safe_psql('postgres', $workers_query));
}

ok( $node->poll_query_until(
		'postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE backend_type = 'crisk launcher'"),
	'the launcher runs');

$node->safe_psql('postgres', $_)
  for ('CREATE DATABASE sales', 'CREATE DATABASE hr', 'CREATE DATABASE erp');
workers_become('', 'no worker while no database has crisk');

$node->safe_psql('sales', 'CREATE EXTENSION crisk');
workers_become('sales', 'CREATE EXTENSION starts a worker in that database only');
is( $node->safe_psql(
		'sales',
		"SELECT application_name FROM pg_stat_activity WHERE backend_type = 'crisk worker'"),
	'crisk worker',
	'the worker names itself in pg_stat_activity');

# A worker started and stopped in a transaction that rolls back changes nothing.
$node->safe_psql('erp', 'BEGIN; CREATE EXTENSION crisk; ROLLBACK;');
sleep 2;
workers_become('sales', 'a rolled-back CREATE EXTENSION starts no worker');

# crisk.databases restricts the list, on reload.
$node->append_conf('postgresql.conf', "crisk.databases = 'sales'");
$node->reload;
$node->safe_psql('erp', 'CREATE EXTENSION crisk');
sleep 3;
workers_become('sales', 'crisk.databases keeps the worker out of other databases');
$node->append_conf('postgresql.conf', "crisk.databases = 'sales, erp'");
$node->reload;
workers_become('erp,sales', 'widening crisk.databases starts the worker');

# crisk.enabled stops and restarts every worker, on reload.
$node->append_conf('postgresql.conf', 'crisk.enabled = off');
$node->reload;
workers_become('', 'crisk.enabled = off stops every worker');
$node->append_conf('postgresql.conf', 'crisk.enabled = on');
$node->reload;
workers_become('erp,sales', 'crisk.enabled = on starts them again');

# DROP EXTENSION stops the worker; CREATE EXTENSION brings it back.
$node->safe_psql('erp', 'DROP EXTENSION crisk');
workers_become('sales', 'DROP EXTENSION stops the worker of that database');
$node->safe_psql('erp', 'CREATE EXTENSION crisk');
workers_become('erp,sales', 'CREATE EXTENSION again restarts it');

# Dropping the schema drops the extension too: the hook sees it.
$node->safe_psql('erp', 'DROP SCHEMA crisk CASCADE');
workers_become('sales', 'DROP SCHEMA crisk CASCADE stops the worker');

# Commands that need a database without other sessions are not blocked.
$node->safe_psql('erp', 'CREATE EXTENSION crisk');
workers_become('erp,sales', 'worker back in erp');
$node->safe_psql('postgres', 'DROP DATABASE erp');
pass('DROP DATABASE succeeds while the database had a worker');
$node->append_conf('postgresql.conf', "crisk.databases = ''");
$node->reload;
$node->safe_psql('postgres', 'CREATE DATABASE sales_copy TEMPLATE sales');
pass('CREATE DATABASE ... TEMPLATE succeeds while the template had a worker');
workers_become('sales,sales_copy',
	'the copy, which has crisk, gets a worker and the template gets its worker back');
$node->safe_psql('postgres', 'ALTER DATABASE sales_copy RENAME TO sales_archive');
workers_become('sales,sales_archive', 'ALTER DATABASE ... RENAME is not blocked either');

# hr never had crisk: its probe leaves no trace in the log.
ok(!$node->log_contains('database "hr"'), 'databases without crisk are probed silently');
ok(!$node->log_contains('terminating any other active server processes'),
	'no crash-restart cycle');

$node->stop;
done_testing();
