#!/usr/bin/env bash
# bench/rescore_history.sh: does a rescoring pass, or the collector's
# worklist, slow down as the histories crisk keeps grow?
#
# crisk keeps every limit change (crisk.limit_change, an audit) and every
# promise to pay (crisk.promise) for ever.  A pass needs only their recent
# part: the changes of the longest review window of the limit policies,
# and the promises whose grace ended in the twelve months before as_of.
#
# Two databases on one server hold the same portfolio (50 000 customers and
# 2.5 million invoices by default, the generator of bench/rescore.sh); the
# second also holds the history of past years: ten limit changes per
# customer made 40 days to three years ago, and six promises to pay per
# customer whose grace ended one to three years before the passes, on the
# customer's invoices of then; and the dunning actions of past years, a
# first reminder on every invoice of then paid more than 10 days late and
# a second on those paid more than 25 days late.  Measured in the first database, then in
# the second, the second against the first:
#   1. full passes, day after day (2024-06-27 to 06-30, the first a warm-up)
#      target: at most 1.1x;
#   2. incremental passes after changes to 1 % of the customers, each run
#      rolled back
#      target: at most 1.1x.
#   3. the dunning worklist and letters as of 2024-06-30, which leave out
#      the invoices under a promise to pay
#      target: at most 1.3x (the index of the promises is deeper with
#      them: about 1.15x is what is left).
# The runs of a database share one session, as the worker's passes do.
#
# Usage: bench/rescore_history.sh [customers] [invoices]   (defaults 50000 2500000)
set -euo pipefail
source "$(dirname "$0")/common.sh"

CUSTOMERS=${1:-50000}
INVOICES=${2:-2500000}

bench_start_server <<EOF
shared_preload_libraries = 'crisk'
crisk.enabled = off
EOF

for db in fresh aged; do
	bench_psql -c "CREATE DATABASE $db"
	PGDATABASE=$db bench_psql -c 'CREATE EXTENSION crisk'
	PGDATABASE=$db bench_load_rescore_portfolio "$CUSTOMERS" "$INVOICES"
done

say "adding the history of past years to the second database"
PGDATABASE=aged bench_psql <<'SQL'
SELECT pg_catalog.setseed(0.24);
-- Limit changes older than every review window (30 days by default).
INSERT INTO crisk.limit_change (customer_id, changed_at, old_limit, new_limit, old_locked,
                                new_locked, changed_by, reason)
SELECT a.customer_id, pg_catalog.now() - (40 + random() * 1055) * interval '1 day',
       a.credit_limit, a.credit_limit, false, false, 'history', 'a change of past years'
FROM crisk.account AS a CROSS JOIN generate_series(1, 10);
-- Promises on invoices that fell due one to three years before the passes,
-- kept or broken long ago.  A recorded_at in the past takes them as they
-- are, as a migration of past promises would.
SELECT 6.0 * (SELECT count(*) FROM crisk.account) / count(*) AS fraction
FROM crisk.invoice WHERE due_date + 20 < date '2023-06-01' \gset
INSERT INTO crisk.promise (customer_id, invoice_ids, amount, promised_on, due_on, recorded_at)
SELECT i.customer_id, ARRAY[i.invoice_id], i.amount, i.due_date + 5, i.due_date + 20,
       pg_catalog.now() - interval '1 day'
FROM crisk.invoice AS i
WHERE i.due_date + 20 < date '2023-06-01' AND random() < :fraction;
-- Reminders of past years, as crisk.record_dunning_action records them.
INSERT INTO crisk.dunning_action (invoice_id, customer_id, policy, level, action, acted_on,
                                  days_past_due)
SELECT i.invoice_id, i.customer_id, 'default', s.level, s.action, i.due_date + s.days, s.days
FROM crisk.invoice AS i
CROSS JOIN (VALUES (1, 'reminder', 10), (2, 'formal_notice', 25)) AS s (level, action, days)
WHERE i.due_date < date '2023-06-01' AND i.paid_date > i.due_date + s.days;
VACUUM ANALYZE crisk.dunning_action;
VACUUM ANALYZE crisk.limit_change;
VACUUM ANALYZE crisk.promise;
SQL
for db in fresh aged; do
	PGDATABASE=$db bench_psql -At -c "SELECT '  $db: ' || (SELECT count(*) FROM crisk.limit_change)
	    || ' limit changes, ' || (SELECT count(*) FROM crisk.promise) || ' promises, '
	    || (SELECT count(*) FROM crisk.dunning_action) || ' dunning actions'"
done

# The first scoring, untimed (it recalibrates nearly every generated limit;
# see bench/rescore.sh), then the ledger vacuumed again.
for db in fresh aged; do
	PGDATABASE=$db bench_psql -c 'TRUNCATE crisk.rescore_queue' \
		-c "SELECT crisk.rescore(NULL, date '2024-06-26')" -c 'VACUUM crisk.invoice' >/dev/null
done

# in_sessions NAME RUNS SQL [ROLLBACK]: runs SQL RUNS + 1 times (the first
# a warm-up) in one session of fresh, then in one session of aged, as the
# worker, one long-lived backend, runs its passes (a new backend pays a
# page fault for each shared buffer page it first touches, more so in the
# database with the larger indexes).  AS_OF is replaced run by run by the
# days up to 2024-06-30; with ROLLBACK each run is rolled back.  Medians go
# into BENCH_MS[NAME_fresh] and BENCH_MS[NAME_aged].
in_sessions() {
	local name=$1 runs=$2 sql=$3 rollback=${4:-0} i db one args times
	for db in fresh aged; do
		args=()
		for ((i = 0; i <= runs; i++)); do
			one=${sql//AS_OF/date \'2024-06-30\' - $((runs - i))}
			if ((rollback)); then
				args+=(-c "BEGIN" -c "EXPLAIN (ANALYZE, TIMING OFF) $one" -c "ROLLBACK")
			else
				args+=(-c "EXPLAIN (ANALYZE, TIMING OFF) $one")
			fi
		done
		times=$(PGDATABASE=$db bench_psql -At "${args[@]}" |
			sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p' | tail -n +2)
		BENCH_MS[${name}_$db]=$(sort -n <<<"$times" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
		printf '  %-28s %10.1f ms (median of %d: %s)\n' "${name}_$db" "${BENCH_MS[${name}_$db]}" \
			"$runs" "$(paste -sd' ' <<<"$times")"
	done
}

say "full passes, day after day"
in_sessions full_pass 3 "SELECT crisk.rescore(NULL, AS_OF)"
bench_ratio full_pass_aged full_pass_fresh 1.1

say "incremental pass after changes to 1 % of the customers"
for db in fresh aged; do
	PGDATABASE=$db bench_psql -q <<-'SQL'
	INSERT INTO crisk.invoice (invoice_id, customer_id, amount, issue_date, due_date, paid_date)
	SELECT 'N' || customer_id, customer_id, 1234.56, date '2024-06-01', date '2024-07-01', NULL
	FROM crisk.account WHERE right(customer_id, 2) = '00';
	SQL
done
in_sessions incremental_pass 5 "SELECT crisk.rescore_queued(date '2024-06-30')" 1
bench_ratio incremental_pass_aged incremental_pass_fresh 1.1

say "the collector's views as of 2024-06-30"
in_sessions dunning_worklist 3 "SELECT * FROM crisk.dunning_worklist_at(date '2024-06-30')"
bench_ratio dunning_worklist_aged dunning_worklist_fresh 1.3
in_sessions dunning_letters 3 "SELECT * FROM crisk.dunning_letters_at(date '2024-06-30')"
bench_ratio dunning_letters_aged dunning_letters_fresh 1.3

bench_finish
