# crisk.worker_nice lowers the rescoring worker's CPU priority: the worker
# runs at the server's niceness plus the setting, from its start and after
# each reload; a smaller setting on reload gives a new worker at the
# smaller niceness (an unprivileged process cannot lower its own).
# Sessions keep the server's niceness.  The niceness is field 19 of
# /proc/<pid>/stat.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

plan skip_all => 'needs /proc/<pid>/stat (Linux)' unless -r "/proc/$$/stat";

# niceness PID: field 19 of /proc/PID/stat (the command name, field 2, is
# in parentheses and may hold spaces: count from the last one).
sub niceness
{
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/stat") or return undef;
	my $stat = <$fh>;
	close($fh);
	$stat =~ s/^.*\)\s+//s;
	my @fields = split(/\s+/, $stat);
	return $fields[16];    # field 3 is $fields[0]
}

sub worker_pid
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'crisk worker'");
}

# wait_for_niceness NODE WANTED: the worker's pid once it runs at WANTED
# (polled: the worker applies a reload between two waits).
sub wait_for_niceness
{
	my ($node, $wanted) = @_;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while (time() < $deadline)
	{
		my $pid = worker_pid($node);
		return $pid if $pid ne '' && (niceness($pid) // -99) == $wanted;
		sleep(0.2);
	}
	my $pid = worker_pid($node);
	diag("worker $pid runs at niceness " . ($pid ne '' ? niceness($pid) // '?' : 'none'));
	return undef;
}

my $node = PostgreSQL::Test::Cluster->new('nice');
$node->init;
$node->append_conf('postgresql.conf', qq{
shared_preload_libraries = 'crisk'
crisk.rescore_interval = '1h'
crisk.full_rescore_time = ''
crisk.worker_nice = 5
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION crisk');

my $launcher = $node->safe_psql('postgres',
	"SELECT pid FROM pg_stat_activity WHERE backend_type = 'crisk launcher'");
my $server = niceness($node->safe_psql('postgres', 'SELECT pg_backend_pid()'));
# A worker cannot go above 19.
my $capped = sub { my $n = $server + shift; return $n > 19 ? 19 : $n };

my $pid = wait_for_niceness($node, $capped->(5));
ok(defined $pid, 'the worker starts at the server\'s niceness plus crisk.worker_nice');
is(niceness($launcher), $server, 'the launcher keeps the server\'s niceness');

# A session keeps the server's niceness, also when it runs a pass.
is( $node->safe_psql('postgres',
		'SELECT crisk.rescore(NULL) >= 0, pg_backend_pid()') =~ /^t\|(\d+)$/
	  ? niceness($1) : undef,
	$server,
	'a session running crisk.rescore() keeps the server\'s niceness');

# A larger setting on reload: the same worker lowers its priority.
$node->append_conf('postgresql.conf', 'crisk.worker_nice = 12');
$node->reload;
my $same = wait_for_niceness($node, $capped->(12));
ok(defined $same, 'after a reload, the worker runs at the new niceness');
is($same, $pid, 'the same worker process: no restart');

# A smaller setting: a new worker runs at the server's niceness plus it.
$node->append_conf('postgresql.conf', 'crisk.worker_nice = 2');
$node->reload;
ok(defined wait_for_niceness($node, $capped->(2)),
	'after a reload with a smaller setting, the worker runs at the smaller niceness');

# 0: the server's own.
$node->append_conf('postgresql.conf', 'crisk.worker_nice = 0');
$node->reload;
ok(defined wait_for_niceness($node, $server),
	'with crisk.worker_nice = 0 the worker runs at the server\'s niceness');

# The worker still does its work after the restart.
$node->safe_psql('postgres', q{
INSERT INTO crisk.account (customer_id, credit_limit) VALUES ('C1', 10000);
SELECT crisk.request_rescore(ARRAY['C1']);
});
ok( $node->poll_query_until(
		'postgres', "SELECT count(*) = 1 FROM crisk.score WHERE customer_id = 'C1'"),
	'the new worker rescores what is requested');

$node->stop('fast');
done_testing();
