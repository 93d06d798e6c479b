# crisk.worker_nice lowers the rescoring worker's CPU priority: the worker
# runs at the server's niceness plus the setting, from its start and after
# each reload; a smaller setting on reload gives a new worker at the
# smaller niceness (an unprivileged process cannot lower its own).
# Sessions keep the server's niceness.  The niceness is field 19 of
# /proc/<pid>/stat; on Linux with autogroups, where each PostgreSQL process
# is its own scheduling group, the group's niceness (/proc/<pid>/autogroup)
# follows the setting too.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(sleep);

plan skip_all => 'needs /proc/<pid>/stat (Linux)' unless -r "/proc/$$/stat";

my $server;    # the server's niceness

# settable_autogroup: whether this kernel lets a process set its own
# autogroup's niceness (the file may exist where autogroups cannot be
# set, e.g. a process left in the root group, or a security module that
# refuses it).  Probed on this test's own process, with the value it
# already has, retried past the kernel's limit of one change per 100 ms
# system-wide.
sub settable_autogroup
{
	open(my $in, '<', "/proc/$$/autogroup") or return 0;
	my ($nice) = (<$in> // '') =~ /nice\s+(-?\d+)/;
	close($in);
	return 0 unless defined $nice;
	for (1 .. 5)
	{
		open(my $out, '>', "/proc/$$/autogroup") or return 0;
		my $ok = print $out $nice;
		$ok = close($out) && $ok;
		return 1 if $ok;
		return 0 unless $!{EAGAIN};
		sleep(0.2);
	}
	return 0;
}
my $autogroups = settable_autogroup();
diag('autogroup niceness not settable here: only the process niceness is checked')
  unless $autogroups;

# stat_niceness STAT: field 19 of a /proc/<pid>/stat line (the command
# name, field 2, is in parentheses and may hold spaces: count from the last
# one).
sub stat_niceness
{
	my ($stat) = @_;
	return undef unless defined $stat;
	$stat =~ s/^.*\)\s+//s;
	my @fields = split(/\s+/, $stat);
	return $fields[16];    # field 3 is $fields[0]
}

sub niceness
{
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/stat") or return undef;
	my $stat = <$fh>;
	close($fh);
	return stat_niceness($stat);
}

# group_niceness PID: the niceness of the process's autogroup, or undef
# on a kernel without autogroups.
sub group_niceness
{
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/autogroup") or return undef;
	my $line = <$fh>;
	close($fh);
	return $line =~ /nice\s+(-?\d+)/ ? $1 : undef;
}

sub worker_pid
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE backend_type = 'crisk worker'");
}

# wait_for_niceness NODE SETTING: the worker's pid once it runs at the
# server's niceness plus SETTING (19 at most), its autogroup at SETTING
# (polled: the worker applies a reload between two waits).
sub wait_for_niceness
{
	my ($node, $setting) = @_;
	my $wanted = $server + $setting > 19 ? 19 : $server + $setting;
	my $deadline = time() + $PostgreSQL::Test::Utils::timeout_default;
	while (time() < $deadline)
	{
		my $pid = worker_pid($node);
		return $pid
		  if $pid ne ''
		  && (niceness($pid) // -99) == $wanted
		  && (!$autogroups || (group_niceness($pid) // -99) == $setting);
		sleep(0.2);
	}
	my $pid = worker_pid($node);
	diag("worker $pid runs at niceness "
		  . ($pid ne '' ? (niceness($pid) // '?') . ', its group at ' . (group_niceness($pid) // '-') : 'none'));
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
$server = stat_niceness($node->safe_psql('postgres', "SELECT pg_read_file('/proc/self/stat')"));

my $pid = wait_for_niceness($node, 5);
ok(defined $pid, 'the worker starts at the server\'s niceness plus crisk.worker_nice');
is(niceness($launcher), $server, 'the launcher keeps the server\'s niceness');
SKIP:
{
	skip 'no autogroups', 1 unless $autogroups;
	is(group_niceness($launcher), 0, 'the launcher\'s autogroup keeps niceness 0');
}

# A session keeps the server's niceness, also when it runs a pass.
is( stat_niceness(
		$node->safe_psql('postgres',
			"SELECT pg_read_file('/proc/self/stat') FROM crisk.rescore(NULL)")),
	$server,
	'a session running crisk.rescore() keeps the server\'s niceness');

# A larger setting on reload: the same worker lowers its priority.
$node->append_conf('postgresql.conf', 'crisk.worker_nice = 12');
$node->reload;
my $same = wait_for_niceness($node, 12);
ok(defined $same, 'after a reload, the worker runs at the new niceness');
is($same, $pid, 'the same worker process: no restart');

# A smaller setting: a new worker runs at the server's niceness plus it.
$node->append_conf('postgresql.conf', 'crisk.worker_nice = 2');
$node->reload;
ok(defined wait_for_niceness($node, 2),
	'after a reload with a smaller setting, the worker runs at the smaller niceness');

# 0: the server's own.
$node->append_conf('postgresql.conf', 'crisk.worker_nice = 0');
$node->reload;
ok(defined wait_for_niceness($node, 0),
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
