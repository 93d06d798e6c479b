#!/usr/bin/env bash
# bench/check_order.sh: crisk.check_order throughput against pgbench -S.
#
# An ERP calls crisk.check_order inside its order transactions, so the check
# must cost about as much as a primary-key lookup.  On a portfolio of
# 200 000 customers (each with an account, a score and ~50 invoices: 10
# million invoices, with a realistic mix of paid, open and overdue items,
# and legal events for 2% of customers), 8 clients call check_order for
# random customers and amounts as a non-superuser role that holds nothing
# but EXECUTE on it, as an order-entry role would.  The baseline is
# pgbench's built-in select-only script (-S) with the same clients, protocol
# and duration, in the same run.  Target: check_order reaches at least half
# the baseline's transactions per second.
#
# Both run against data already in shared buffers (pg_prewarm) and are
# compared in steady state: the mean of pgbench's progress reports over the
# second half of each run.  A new backend takes a page fault the first time
# it touches each page of shared memory, and check_order's working set (the
# ledger's customer index, accounts, scores: some 600 MB) is several times
# pgbench -S's, so each of pgbench's fresh connections spends its first tens
# of seconds faulting in pages; an ERP's pooled connections stay warm.  The
# whole-run figures are printed too.
#
#   bench/check_order.sh                     prepared protocol (the default)
#   BENCH_PROTOCOL=simple bench/check_order.sh
#   BENCH_SECONDS=240 bench/check_order.sh   longer runs (default 150 s each)
#   BENCH_ALLOCATIONS=1 bench/check_order.sh partial payments: every fifth open
#                                            invoice half paid (crisk.allocation),
#                                            so that each check reads what is
#                                            left of each open item
#   BENCH_YIELD=0 bench/check_order.sh       crisk.worker_yield_to_order_checks off:
#                                            the checks do not stamp their time in
#                                            shared memory (on by default)
#
# crisk is preloaded, as a server running the worker has it, so that each
# check stamps its time for the workers that yield to order checks; the
# worker itself is off.
set -euo pipefail
source "$(dirname "$0")/common.sh"

CUSTOMERS=${BENCH_CUSTOMERS:-200000}
INVOICES_PER_CUSTOMER=${BENCH_INVOICES_PER_CUSTOMER:-50}
SECONDS_PER_RUN=${BENCH_SECONDS:-150}
PROTOCOL=${BENCH_PROTOCOL:-prepared}
CLIENTS=8
ROUNDS=2

bench_start_server <<EOF
shared_preload_libraries = 'crisk'
crisk.enabled = off
${BENCH_YIELD:+crisk.worker_yield_to_order_checks = '$BENCH_YIELD'}
EOF

bench_load_order_portfolio "$CUSTOMERS" "$INVOICES_PER_CUSTOMER"
PREWARM_ALLOCATIONS=
if [ "${BENCH_ALLOCATIONS:-0}" != 0 ]; then
	bench_psql -At -c "INSERT INTO crisk.allocation (invoice_id, amount, applied_on, source_id)
	                   SELECT invoice_id, round(amount / 2, 2), LEAST(current_date, issue_date + 20),
	                          'PAY-' || invoice_id
	                   FROM crisk.invoice WHERE paid_date IS NULL AND hashtext(invoice_id) % 5 = 0" \
		-c "VACUUM ANALYZE crisk.allocation" -c "SELECT 'allocations: ' || count(*) FROM crisk.allocation"
	PREWARM_ALLOCATIONS=", crisk.invoice, crisk.invoice_open_idx, crisk.allocation, crisk.allocation_invoice_idx, crisk.allocation_source_idx"
fi
bench_psql -At -c "SELECT 'invoices: ' || count(*) || ', open: ' || count(*) FILTER (WHERE paid_date IS NULL)
                   || ', open and overdue: ' || count(*) FILTER (WHERE paid_date IS NULL AND due_date < current_date)
                   FROM crisk.invoice"
bench_psql -At -c "SELECT 'decisions on 2000 random customers: ' || string_agg(decision || ' ' || n, ', ' ORDER BY decision)
                   FROM (SELECT d.decision, count(*) AS n
                         FROM generate_series(1, 2000) AS i,
                              crisk.check_order('C' || lpad(((i * 7919) % $CUSTOMERS + 1)::text, 6, '0'), 10000) AS d
                         GROUP BY 1) AS x"

say "baseline: pgbench -i -s 10"
as_pg pgbench -i -q -s 10 -h "$PGHOST" -p "$PGPORT" postgres >/dev/null 2>&1
bench_psql -c 'GRANT SELECT ON pgbench_accounts, pgbench_branches TO erp_order_entry'
bench_psql -At -c "CREATE EXTENSION pg_prewarm" \
	-c "SELECT 'prewarmed ' || pg_size_pretty(sum(pg_relation_size(r))) || ': ' || string_agg(r::text, ', ')
	    FROM unnest('{crisk.invoice_customer_idx, crisk.account, crisk.account_pkey, crisk.score,
	                  crisk.score_pkey, crisk.event, crisk.event_customer_idx,
	                  pgbench_accounts, pgbench_accounts_pkey$PREWARM_ALLOCATIONS}'::regclass[]) AS r,
	         pg_prewarm(r)"

SCRIPT=$BENCH_DIR/check_order.pgbench
as_pg tee "$SCRIPT" >/dev/null <<EOF
\set c random(1, $CUSTOMERS)
\set amount random(100, 20000)
SELECT decision, available_credit, reasons FROM crisk.check_order('C' || lpad(:c::text, 6, '0'), :amount);
EOF

# pgbench_tps ARGS...: "steady whole" transactions per second of one
# pgbench run: the mean of the progress reports over its second half, and
# pgbench's figure for the whole run.
pgbench_tps() {
	local log=$BENCH_DIR/pgbench.log
	if ! as_pg pgbench -n -h "$PGHOST" -p "$PGPORT" -U erp_order_entry -M "$PROTOCOL" \
		-c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -P 5 "$@" postgres >"$log" 2>&1; then
		cat "$log" >&2
		die "pgbench $* failed"
	fi
	awk -v half="$((SECONDS_PER_RUN / 2))" '
		/^progress: / { if ($2 + 0 > half) { s += $4; n++ } }
		/^tps = / { whole = $3 }
		END { if (n == 0) { s = whole; n = 1 }; printf "%.0f %.0f\n", s / n, whole }' "$log"
}

declare -a BASE CHECK BASE_WHOLE CHECK_WHOLE
for ((round = 1; round <= ROUNDS; round++)); do
	read -r steady whole < <(pgbench_tps -S)
	BASE+=("$steady")
	BASE_WHOLE+=("$whole")
	read -r steady whole < <(pgbench_tps -f "$SCRIPT")
	CHECK+=("$steady")
	CHECK_WHOLE+=("$whole")
	printf '  round %d: pgbench -S %7.0f tps (whole run %7.0f)   check_order %7.0f tps (whole run %7.0f)\n' \
		"$round" "${BASE[-1]}" "${BASE_WHOLE[-1]}" "${CHECK[-1]}" "${CHECK_WHOLE[-1]}"
done

mean() { printf '%s\n' "$@" | awk '{s += $1} END {print s / NR}'; }
base=$(mean "${BASE[@]}")
check=$(mean "${CHECK[@]}")
ratio=$(awk -v a="$check" -v b="$base" 'BEGIN {printf "%.2f", a / b}')
whole_ratio=$(awk -v a="$(mean "${CHECK_WHOLE[@]}")" -v b="$(mean "${BASE_WHOLE[@]}")" 'BEGIN {printf "%.2f", a / b}')
printf '  %-28s %10.0f tps (steady state, mean of %d; %d clients, %s protocol)\n' "pgbench -S" "$base" "$ROUNDS" "$CLIENTS" "$PROTOCOL"
printf '  %-28s %10.0f tps\n' "check_order" "$check"
printf '  %-28s %10sx  (whole runs, cold connections included; not the target)\n' "check_order / pgbench -S" "$whole_ratio"
if awk -v r="$ratio" 'BEGIN {exit !(r >= 0.5)}'; then
	printf '  %-28s %10sx  (target >= 0.5x) ok\n' "check_order / pgbench -S" "$ratio"
else
	printf '  %-28s %10sx  (target >= 0.5x) FAILED\n' "check_order / pgbench -S" "$ratio"
	BENCH_FAILED=1
fi
bench_finish
