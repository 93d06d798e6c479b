#!/usr/bin/env bash
# bench/check_order_during_pass.sh: what a full rescoring pass costs the
# order checks that run beside it.
#
# The worker's daily full pass must not slow the ERP down: while a pass runs,
# crisk.check_order from 8 clients should keep at least 80 % of its
# throughput without the pass, and its 99th-percentile latency should stay
# within 1.25 times.  On the order-check portfolio of bench/check_order.sh
# (200 000 customers, 10 million invoices), the same pgbench script runs
# twice per round: alone, and while the background worker runs full passes
# back to back (the order of the two alternates from a round to the next),
# as in production: one session asks for each pass with
# crisk.request_rescore(NULL) when the previous one has ended, and the
# worker runs it at its own CPU priority (crisk.worker_nice).  Latencies
# come from pgbench's per-transaction log.
#
# The worker's passes are as of today.  The portfolio's first pass is as of
# yesterday, so that the first timed pass finds every customer's figures
# changed, as the daily pass does; the later ones rewrite every score as
# well, with fewer limit changes and history rows (the passes of the
# previous version of this script, one day apart each, wrote little more
# after their first day on this portfolio).
#
#   bench/check_order_during_pass.sh              defaults
#   BENCH_CUSTOMERS=20000 BENCH_SECONDS=30 ...    a quick look at a smaller size
#   BENCH_WORKER_NICE=0 ...                       the worker at another crisk.worker_nice
#   BENCH_BATCH_SIZE=100 ...                      the worker's passes in smaller batches
#   BENCH_YIELD=50ms ...                          crisk.worker_yield_to_order_checks: the
#                                                 worker waits for the order checks to pause
#                                                 (the summary says how many customers its
#                                                 passes scored beside the order checks)
#   BENCH_RATE=200 ...                            the 8 clients check BENCH_RATE orders a
#                                                 second in all, at random times (pgbench
#                                                 --rate; latencies then count from each
#                                                 check's scheduled start), instead of as
#                                                 many as they can: with BENCH_YIELD, how
#                                                 far the passes get while orders come in
#   BENCH_CONTROL=cpu ...                         a control: instead of the passes, one
#                                                 process spinning on a core at the niceness
#                                                 of BENCH_WORKER_NICE (default 19), in its
#                                                 own autogroup, as the worker runs
#   BENCH_CONTROL=none ...                        a control: nothing runs beside the order
#                                                 checks (what the two runs differ by alone)
set -euo pipefail
source "$(dirname "$0")/common.sh"

CUSTOMERS=${BENCH_CUSTOMERS:-200000}
INVOICES_PER_CUSTOMER=${BENCH_INVOICES_PER_CUSTOMER:-50}
SECONDS_PER_RUN=${BENCH_SECONDS:-120}
CLIENTS=8
ROUNDS=${BENCH_ROUNDS:-2}
RATE=${BENCH_RATE:-}

# The worker is switched on after the load, and runs the passes asked for
# only (no scheduled full pass, no incremental pass meanwhile).
bench_start_server <<EOF
shared_preload_libraries = 'crisk'
crisk.enabled = off
crisk.full_rescore_time = ''
crisk.rescore_interval = '1d'
${BENCH_WORKER_NICE:+crisk.worker_nice = $BENCH_WORKER_NICE}
${BENCH_BATCH_SIZE:+crisk.batch_size = $BENCH_BATCH_SIZE}
${BENCH_YIELD:+crisk.worker_yield_to_order_checks = '$BENCH_YIELD'}
EOF
bench_load_order_portfolio "$CUSTOMERS" "$INVOICES_PER_CUSTOMER"
# A first pass, so that the timed passes update scores as the worker does.
bench_psql -At -c "SELECT 'first pass: ' || crisk.rescore(NULL, current_date - 1) || ' customers'"

# wait_until CONDITION: polls an SQL condition for up to five minutes.
wait_until() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ "$(bench_psql -At -c "SELECT $1")" = t ] && return 0
		sleep 0.5
	done
	die "timed out waiting for: $1"
}

bench_psql -c "TRUNCATE crisk.rescore_queue" -c "ALTER SYSTEM SET crisk.enabled = on" \
	-c "SELECT pg_reload_conf()" >/dev/null
wait_until "EXISTS (SELECT FROM pg_stat_activity WHERE backend_type = 'crisk worker')"
say "the worker runs with crisk.worker_nice = $(bench_psql -At -c "SHOW crisk.worker_nice"),"\
" crisk.worker_yield_to_order_checks = $(bench_psql -At -c "SHOW crisk.worker_yield_to_order_checks")"
say "$CLIENTS clients check ${RATE:+$RATE orders a second in all, at random times}${RATE:-as many orders as they can}"

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
		-c "$CLIENTS" -j 2 -T "$SECONDS_PER_RUN" ${RATE:+--rate "$RATE"} -l -f "$SCRIPT" postgres \
		>"$dir/pgbench.out" 2>&1) ||
		{ cat "$dir/pgbench.out" >&2; die "pgbench failed"; }
	cat "$dir"/pgbench_log.* | awk '{print $3}' | sort -n |
		awk -v tps="$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$dir/pgbench.out")" \
			'{a[NR] = $1} END {printf "%.0f %.3f\n", tps, a[int(NR * 0.99)] / 1000}'
}

# passes_loop: the worker's full passes back to back.  One session asks for
# a pass, commits (which wakes the worker), waits for the pass to end and
# asks for the next, until it is cancelled.
passes_loop() {
	bench_psql >/dev/null 2>&1 <<-'SQL' || true
	DO $$
	DECLARE
	    ended pg_catalog.int8;
	BEGIN
	    LOOP
	        SELECT pg_catalog.count(*) INTO ended FROM crisk.job_run
	         WHERE kind = 'full' AND status <> 'running';
	        PERFORM crisk.request_rescore(NULL);
	        COMMIT;
	        WHILE (SELECT pg_catalog.count(*) FROM crisk.job_run
	                WHERE kind = 'full' AND status <> 'running') <= ended LOOP
	            PERFORM pg_catalog.pg_sleep(0.05);
	        END LOOP;
	    END LOOP;
	END
	$$;
	SQL
}

# stop_passes LOOP_PID: no pass is asked for any more, and the worker's
# current pass ends before the next measurement.
stop_passes() {
	bench_psql -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity
		WHERE query LIKE 'DO \$\$%' AND pid <> pg_backend_pid()" >/dev/null
	wait "$1" 2>/dev/null || true
	bench_psql -c "TRUNCATE crisk.rescore_queue" >/dev/null
	wait_until "NOT EXISTS (SELECT FROM crisk.job_run WHERE status = 'running')"
}

# control_loop: the control's CPU load (BENCH_CONTROL=cpu), a new session
# (hence autogroup) at the worker's niceness, until it is killed.
control_loop() {
	local nice=${BENCH_WORKER_NICE:-19}
	exec setsid bash -c "renice -n $nice -p \$\$ >/dev/null
		echo $nice >/proc/self/autogroup 2>/dev/null || true
		exec stress-ng --cpu 1 --timeout 3600 --quiet"
}

declare -a ALONE_TPS ALONE_P99 BESIDE_TPS BESIDE_P99
SCORED_BESIDE=0
# scored_so_far: customers the worker's full passes have scored, finished
# passes and the running one (whose counters are written at each batch).
scored_so_far() {
	bench_psql -At -c "SELECT COALESCE(sum(customers_scored), 0) FROM crisk.job_run WHERE kind = 'full'"
}

case ${BENCH_CONTROL:-} in
'') during=passes ;;
cpu)
	command -v stress-ng >/dev/null || die "BENCH_CONTROL=cpu needs stress-ng (apt-get install stress-ng)"
	during='the control' ;;
none) during='nothing' ;;
*) die "BENCH_CONTROL must be cpu or none" ;;
esac

# beside LABEL: the order checks while the passes (or the control) run;
# prints "tps p99_ms".
beside() {
	local loop before tps p99
	case ${BENCH_CONTROL:-} in
	cpu)
		control_loop &
		loop=$!
		order_checks "$1"
		kill -- "$loop" 2>/dev/null || true
		pkill -f 'stress-ng --cpu 1 --timeout 3600' 2>/dev/null || true
		wait "$loop" 2>/dev/null || true ;;
	none)
		order_checks "$1" ;;
	*)
		before=$(scored_so_far)
		passes_loop &
		loop=$!
		read -r tps p99 < <(order_checks "$1")
		echo "$(($(scored_so_far) - before))" >"$BENCH_DIR/scored_$1"
		stop_passes "$loop"
		echo "$tps $p99" ;;
	esac
}

# The two runs of a round alternate their order (alone first in odd
# rounds, beside first in even ones), so that what drifts from a run to
# the next weighs on both sides alike.
for ((round = 1; round <= ROUNDS; round++)); do
	if ((round % 2)); then
		read -r tps p99 < <(order_checks "alone$round")
		ALONE_TPS+=("$tps"); ALONE_P99+=("$p99")
		read -r tps p99 < <(beside "beside$round")
		BESIDE_TPS+=("$tps"); BESIDE_P99+=("$p99")
	else
		read -r tps p99 < <(beside "beside$round")
		BESIDE_TPS+=("$tps"); BESIDE_P99+=("$p99")
		read -r tps p99 < <(order_checks "alone$round")
		ALONE_TPS+=("$tps"); ALONE_P99+=("$p99")
	fi
	[ -f "$BENCH_DIR/scored_beside$round" ] &&
		SCORED_BESIDE=$((SCORED_BESIDE + $(cat "$BENCH_DIR/scored_beside$round")))
	printf '  round %d: alone %6.0f tps, p99 %7.3f ms   during %s %6.0f tps, p99 %7.3f ms\n' \
		"$round" "${ALONE_TPS[-1]}" "${ALONE_P99[-1]}" "$during" \
		"${BESIDE_TPS[-1]}" "${BESIDE_P99[-1]}"
done
[ -n "${BENCH_CONTROL:-}" ] ||
	say "  the worker's passes scored $SCORED_BESIDE customers while the order checks ran"
say "  $(bench_psql -At -c "SELECT count(*) || ' passes of the worker completed, '
	|| COALESCE(round(avg(extract(epoch FROM finished_at - started_at))::numeric, 1), 0)
	|| ' s each on average' FROM crisk.job_run WHERE kind = 'full' AND status = 'succeeded'")"

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
