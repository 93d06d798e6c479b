#!/usr/bin/env bash
# bench/check_order_during_pass.sh: what a full rescoring pass costs the
# order checks that run beside it.
#
# The worker's daily full pass must not slow the ERP down: while a pass runs,
# crisk.check_order from 8 clients should keep at least 80 % of its
# throughput without the pass, and its 99th-percentile latency should stay
# within 1.25 times.  On the order-check portfolio of bench/check_order.sh
# (200 000 customers, 10 million invoices), the same pgbench script runs
# twice per round: alone, then while a loop of full passes runs in another
# session, each pass one day later than the previous one so that figures
# really change, as in daily use.  Latencies come from pgbench's
# per-transaction log.
#
#   bench/check_order_during_pass.sh              defaults
#   BENCH_CUSTOMERS=20000 BENCH_SECONDS=30 ...    a quick look at a smaller size
set -euo pipefail
source "$(dirname "$0")/common.sh"

CUSTOMERS=${BENCH_CUSTOMERS:-200000}
INVOICES_PER_CUSTOMER=${BENCH_INVOICES_PER_CUSTOMER:-50}
SECONDS_PER_RUN=${BENCH_SECONDS:-120}
CLIENTS=8
ROUNDS=${BENCH_ROUNDS:-2}

bench_start_server <<EOF
shared_preload_libraries = 'crisk'
crisk.enabled = off
EOF
bench_load_order_portfolio "$CUSTOMERS" "$INVOICES_PER_CUSTOMER"
# A first pass, so that the timed passes update scores as the worker does.
bench_psql -At -c "SELECT 'first pass: ' || crisk.rescore(NULL, current_date) || ' customers'"

SCRIPT=$BENCH_DIR/check_order.pgbench
as_pg tee "$SCRIPT" >/dev/null <<EOF
\set c random(1, $CUSTOMERS)
\set amount random(100, 20000)
SELECT decision, available_credit, reasons FROM crisk.check_order('C' || lpad(:c::text, 6, '0'), :amount);
EOF

# order_checks LABEL: runs the script for SECONDS_PER_RUN and prints
# "tps p99_ms" (the 99th percentile of the per-transaction latencies).
order_checks() {
	local dir=$BENCH_DIR/$1
	as_pg mkdir -p "$dir"
	(cd "$dir" && as_pg pgbench -n -h "$PGHOST" -p "$PGPORT" -U erp_order_entry -M prepared \
		-c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" -l -f "$SCRIPT" postgres >"$dir/pgbench.out" 2>&1) ||
		{ cat "$dir/pgbench.out" >&2; die "pgbench failed"; }
	cat "$dir"/pgbench_log.* | awk '{print $3}' | sort -n |
		awk -v tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$dir/pgbench.out")" \
			'{a[NR] = $1} END {printf "%.0f %.3f\n", tps, a[int(NR * 0.99)] / 1000}'
}

# passes_loop: full passes back to back, each one day after the previous.
passes_loop() {
	local day=1
	while :; do
		# The last pass is cancelled when the measurement ends: no error output.
		bench_psql -q -c "SELECT crisk.rescore(NULL, current_date + $day)" >/dev/null 2>&1 || true
		day=$((day + 1))
	done
}

declare -a ALONE_TPS ALONE_P99 BESIDE_TPS BESIDE_P99
for ((round = 1; round <= ROUNDS; round++)); do
	read -r tps p99 < <(order_checks "alone$round")
	ALONE_TPS+=("$tps"); ALONE_P99+=("$p99")
	passes_loop &
	loop=$!
	read -r tps p99 < <(order_checks "beside$round")
	kill "$loop" 2>/dev/null || true
	wait "$loop" 2>/dev/null || true
	bench_psql -q -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE query LIKE 'SELECT crisk.rescore(%' AND pid <> pg_backend_pid()" >/dev/null
	BESIDE_TPS+=("$tps"); BESIDE_P99+=("$p99")
	printf '  round %d: alone %6.0f tps, p99 %7.3f ms   during passes %6.0f tps, p99 %7.3f ms\n' \
		"$round" "${ALONE_TPS[-1]}" "${ALONE_P99[-1]}" "${BESIDE_TPS[-1]}" "${BESIDE_P99[-1]}"
done
passes=$(bench_psql -At -c "SELECT count(*) FROM crisk.job_run WHERE status = 'succeeded'")
say "  $passes passes completed in all"

mean() { printf '%s\n' "$@" | awk '{s += $1} END {print s / NR}'; }
BENCH_MS[alone_tps]=$(mean "${ALONE_TPS[@]}")
BENCH_MS[beside_tps]=$(mean "${BESIDE_TPS[@]}")
BENCH_MS[alone_p99]=$(mean "${ALONE_P99[@]}")
BENCH_MS[beside_p99]=$(mean "${BESIDE_P99[@]}")
ratio=$(awk -v a="${BENCH_MS[beside_tps]}" -v b="${BENCH_MS[alone_tps]}" 'BEGIN {printf "%.2f", a / b}')
if awk -v r="$ratio" 'BEGIN {exit !(r >= 0.8)}'; then verdict=ok; else verdict=FAILED; BENCH_FAILED=1; fi
printf '  %-28s %10sx  (target >= 0.8x) %s\n' "tps during passes / alone" "$ratio" "$verdict"
bench_ratio beside_p99 alone_p99 1.25
bench_finish
