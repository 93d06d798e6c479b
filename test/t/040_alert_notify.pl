# Every new alert is one notification on channel crisk_alert, sent when the
# raising transaction commits, with a JSON payload naming the alert; the same
# condition raised again while its alert is open sends nothing, and nor does
# a rolled-back alert.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('notify');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION crisk');

my $listener = $node->background_psql('postgres');
$listener->query_safe('LISTEN crisk_alert');

# notifications_seen returns the payloads the listening session received,
# in order.  psql prints notifications after a query, and the listening
# backend may take a moment to be signalled, so it runs short queries until
# it has seen $expected of them (or for about a second when none is
# expected, so that a stray one would show), with a timeout.
sub notifications_seen
{
	my ($expected) = @_;
	my @payloads;
	my $rounds = 0;
	while (1)
	{
		my $out = $listener->query_safe('SELECT pg_sleep(0.1)');
		push @payloads, $out =~
		  /Asynchronous notification "crisk_alert" with payload "(.*)" received/g;
		$rounds++;
		last if $expected > 0 && @payloads >= $expected;
		last if $expected == 0 && $rounds >= 10;
		last if $rounds >= 10 * $PostgreSQL::Test::Utils::timeout_default;
	}
	return @payloads;
}

# json_field extracts one field of a flat JSON object.
sub json_field
{
	my ($json, $field) = @_;
	return $json =~ /"$field"\s*:\s*("[^"]*"|[^,}\s]+)/ ? $1 : undef;
}

# A new alert: one notification.
my $id = $node->safe_psql('postgres',
	"SELECT crisk.raise_alert('downgrade', 'C1', 'D', 'C1 downgraded from C to D')");
like($id, qr/^\d+$/, 'the alert is raised');
my @seen = notifications_seen(1);
is(scalar @seen, 1, 'one notification for one alert');
my $payload = $seen[0] // '';
is(json_field($payload, 'alert_id'), $id, 'the payload names the alert');
is(json_field($payload, 'kind'), '"downgrade"', 'the payload gives the kind');
is(json_field($payload, 'severity'), '"warning"', 'the payload gives the severity');
like(json_field($payload, 'raised_at') // '', qr/^"\d{4}-\d\d-\d\dT/,
	'the payload gives the time raised');
unlike($payload, qr/C1/,
	'the payload does not identify the customer (any role may LISTEN)');
is($node->safe_psql('postgres', "SELECT '$payload'::json ->> 'alert_id'"),
	$id, 'the payload is valid JSON');

# The same condition while the alert is open: no new row, no notification,
# whether through crisk.raise_alert or a set-based INSERT ... ON CONFLICT.
is( $node->safe_psql(
		'postgres',
		"SELECT crisk.raise_alert('downgrade', 'C1', 'D', 'C1 downgraded from C to D') IS NULL"),
	't',
	'raising the open condition again returns NULL');
$node->safe_psql(
	'postgres', q{
	INSERT INTO crisk.alert (kind, customer_id, condition_key, severity, message)
	VALUES ('downgrade', 'C1', 'D', 'warning', 'again')
	ON CONFLICT (kind, customer_id, condition_key) WHERE acknowledged_at IS NULL DO NOTHING});
is(scalar(notifications_seen(0)), 0, 'no notification for a duplicate');
is($node->safe_psql('postgres', 'SELECT count(*) FROM crisk.alert'),
	'1', 'still one alert row');

# Notifications leave at commit, one per alert, and not at all on rollback.
my $writer = $node->background_psql('postgres');
$writer->query_safe('BEGIN');
$writer->query_safe(
	"SELECT crisk.raise_alert('overdue_90', 'C1', 'F-1', 'invoice F-1 is 91 days past due')");
$writer->query_safe(
	"SELECT crisk.raise_alert('overdue_90', 'C1', 'F-2', 'invoice F-2 is 91 days past due')");
is(scalar(notifications_seen(0)), 0, 'nothing is notified before commit');
$writer->query_safe('COMMIT');
@seen = notifications_seen(2);
is(scalar @seen, 2, 'two alerts committed, two notifications');
is_deeply([ map { json_field($_, 'kind') } @seen ],
	[ '"overdue_90"', '"overdue_90"' ], 'both are the new alerts');
$writer->query_safe('BEGIN');
$writer->query_safe(
	"SELECT crisk.raise_alert('legal_event', 'C2', 'event 7', 'receivership opened')");
$writer->query_safe('ROLLBACK');
is(scalar(notifications_seen(0)), 0, 'a rolled-back alert is not notified');
$writer->quit;

# Once acknowledged, the condition may be raised again: a new notification.
$node->safe_psql('postgres', "SELECT crisk.acknowledge_alert($id, 'seen')");
is(scalar(notifications_seen(0)), 0, 'acknowledging notifies nothing');
my $again = $node->safe_psql('postgres',
	"SELECT crisk.raise_alert('downgrade', 'C1', 'D', 'C1 downgraded from C to D again')");
isnt($again, $id, 'the recurring condition is a new alert');
@seen = notifications_seen(1);
is(scalar @seen, 1, 'one notification for it');
is(json_field($seen[0] // '', 'alert_id'), $again, 'naming the new alert');

$listener->quit;
$node->stop;
done_testing();
