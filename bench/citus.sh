#!/usr/bin/env bash
# bench/citus.sh: crisk's store distributed over three nodes against the
# same store on one node, on one machine (so only ratios matter).
#
# Starts a Citus coordinator and two workers (the Citus 13.2.2 build in
# $CRISK_CITUS_BUILD or ../shared/citus, as "scripts/test citus" does) and,
# on the coordinator, a database "single" without Citus.  Both get the same
# generated portfolio (demo/generate_portfolio.sql); the cluster's is then
# spread with crisk.distribute_store().  Measured, cluster against single:
#
#   - the rescoring pass, crisk.rescore(NULL) (on the cluster once after a
#     warm-up run: it writes a statement per customer there), and the
#     pass's read of the ledger, one crisk.payment_profile per customer;
#   - the portfolio's aging, one crisk.aging over every open item;
#   - crisk.check_order throughput (on the distributed store it reads the
#     customer's shard), and the throughput of plain per-customer reads (one
#     customer's account and payment profile), with 4 pgbench clients.
#
#   bench/citus.sh                        3 000 customers (about 140 000 invoices)
#   BENCH_CUSTOMERS=10000 bench/citus.sh
set -euo pipefail
source "$(dirname "$0")/common.sh"

CUSTOMERS=${BENCH_CUSTOMERS:-3000}
SECONDS_PER_RUN=${BENCH_SECONDS:-20}
AS_OF=2026-06-30
BUILD=${CRISK_CITUS_BUILD:-$CRISK_ROOT/../shared/citus/citus-13.2.2-pg15-bin.tar.gz}
[ -f "$BUILD" ] || die "no Citus build: set CRISK_CITUS_BUILD to citus-13.2.2-pg15-bin.tar.gz"

ensure_packages
build_crisk
BENCH_DIR=$(make_scratch bench)
trap 'stop_servers_under "$BENCH_DIR"; rm -rf "$BENCH_DIR"' EXIT
private_install "$BENCH_DIR/install"
tar xzf "$BUILD" -C "$BENCH_DIR/install"
cp "$CRISK_ROOT/demo/generate_portfolio.sql" "$BENCH_DIR/"
is_root && chown -R postgres: "$BENCH_DIR"

# Ports 5432 (coordinator), 5433 and 5434 (workers), sockets in $BENCH_DIR.
for port in 5432 5433 5434; do
	as_pg initdb --no-locale -E UTF8 -A trust -D "$BENCH_DIR/n$port" >/dev/null
	as_pg tee -a "$BENCH_DIR/n$port/postgresql.conf" >/dev/null <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$BENCH_DIR'
		port = $port
		shared_preload_libraries = 'citus,crisk'
		crisk.enabled = off
		max_worker_processes = 32
		shared_buffers = '512MB'
		work_mem = '64MB'
		synchronous_commit = off
		fsync = off
		full_page_writes = off
		jit = off
		max_parallel_workers_per_gather = 0
		timezone = 'UTC'
	EOF
	as_pg pg_ctl -D "$BENCH_DIR/n$port" -l "$BENCH_DIR/n$port.log" -w start >/dev/null
	as_pg psql -X -q -h "$BENCH_DIR" -p "$port" -d postgres \
		-c 'CREATE EXTENSION citus' -c 'CREATE EXTENSION crisk'
done
export PGHOST=$BENCH_DIR PGPORT=5432 PGDATABASE=postgres
bench_psql -c "SELECT citus_set_coordinator_host('$BENCH_DIR', 5432)" \
	-c "SELECT citus_add_node('$BENCH_DIR', 5433)" \
	-c "SELECT citus_add_node('$BENCH_DIR', 5434)" >/dev/null
bench_psql -c 'CREATE DATABASE single' 2>/dev/null
bench_psql -d single -c 'CREATE EXTENSION crisk'

say "portfolio: $CUSTOMERS customers, in both databases"
for db in postgres single; do
	bench_psql -d "$db" -v customers="$CUSTOMERS" -v seed=1 -v as_of="$AS_OF" \
		-f "$BENCH_DIR/generate_portfolio.sql" >/dev/null 2>&1
done
bench_psql -c 'SELECT crisk.distribute_store()' 2>&1 | grep -o "crisk's store is distributed.*" || true
bench_psql -At -c "SELECT 'invoices: ' || count(*) FROM crisk.invoice"

# time_in DB NAME RUNS SQL: median wall-clock time of RUNS runs (after one
# warm-up run) as psql's \timing reports it, result transfer included, in
# BENCH_MS[NAME].  Not the executor's time of EXPLAIN ANALYZE (as
# bench/common.sh's bench_time takes), which Citus 13.2 cannot give for
# aggregates of a composite type ("malformed record literal").
time_in() {
	local db=$1 name=$2 runs=$3 sql=$4 i times=()
	bench_psql -d "$db" -c "$sql" >/dev/null
	for ((i = 0; i < runs; i++)); do
		times+=("$(bench_psql -d "$db" -c '\timing on' -c "$sql" |
			sed -n 's/^Time: \([0-9.]*\) ms.*$/\1/p' | tail -n 1)")
	done
	BENCH_MS[$name]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '  %-28s %10.1f ms (median of %d)\n' "$name" "${BENCH_MS[$name]}" "$runs"
}

say ""
say "rescoring pass"
time_in single rescore_single 3 "SELECT crisk.rescore(NULL, date '$AS_OF')"
time_in postgres rescore_cluster 1 "SELECT crisk.rescore(NULL, date '$AS_OF')"
profiles="SELECT customer_id, crisk.payment_profile(amount, issue_date, due_date, paid_date, date '$AS_OF')
          FROM crisk.invoice GROUP BY customer_id"
time_in single profiles_single 5 "$profiles"
time_in postgres profiles_cluster 5 "$profiles"

say ""
say "portfolio aging"
aging="SELECT crisk.aging(amount, due_date, date '$AS_OF') FROM crisk.invoice
       WHERE paid_date IS NULL OR paid_date > date '$AS_OF'"
time_in single aging_single 5 "$aging"
time_in postgres aging_cluster 5 "$aging"

# tps DB SCRIPT: transactions per second of 4 clients over SECONDS_PER_RUN.
tps() {
	as_pg pgbench -n -M prepared -c 4 -j 2 -T "$SECONDS_PER_RUN" -f "$2" \
		-h "$BENCH_DIR" -p 5432 "$1" 2>/dev/null |
		sed -n 's/^tps = \([0-9.]*\) .*/\1/p'
}

say ""
say "per-customer reads, 4 clients, $SECONDS_PER_RUN s each"
as_pg tee "$BENCH_DIR/check_order.pgbench" >/dev/null <<EOF
\set c random(1, $CUSTOMERS)
SELECT * FROM crisk.check_order('C' || lpad(:c::text, 6, '0'), 10000);
EOF
as_pg tee "$BENCH_DIR/customer.pgbench" >/dev/null <<EOF
\set c random(1, $CUSTOMERS)
SELECT credit_limit FROM crisk.account WHERE customer_id = 'C' || lpad(:c::text, 6, '0');
SELECT crisk.payment_profile(amount, issue_date, due_date, paid_date, date '$AS_OF')
FROM crisk.invoice WHERE customer_id = 'C' || lpad(:c::text, 6, '0');
EOF
check_order_single=$(tps single "$BENCH_DIR/check_order.pgbench")
check_order_cluster=$(tps postgres "$BENCH_DIR/check_order.pgbench")
printf '  %-28s %10s tps\n' check_order_single "$check_order_single" check_order_cluster "$check_order_cluster"
customer_single=$(tps single "$BENCH_DIR/customer.pgbench")
customer_cluster=$(tps postgres "$BENCH_DIR/customer.pgbench")
printf '  %-28s %10s tps\n' customer_reads_single "$customer_single" customer_reads_cluster "$customer_cluster"

say ""
say "ratios, 3 nodes against 1 (time: above 1 is slower; throughput: above 1 is faster)"
awk -v a="${BENCH_MS[rescore_cluster]}" -v b="${BENCH_MS[rescore_single]}" \
	'BEGIN {printf "  full rescoring pass:                          %.2fx the time\n", a / b}'
awk -v a="${BENCH_MS[profiles_cluster]}" -v b="${BENCH_MS[profiles_single]}" \
	'BEGIN {printf "  payment profile per customer (the pass'"'"'s read): %.2fx the time\n", a / b}'
awk -v a="${BENCH_MS[aging_cluster]}" -v b="${BENCH_MS[aging_single]}" \
	'BEGIN {printf "  portfolio aging:                              %.2fx the time\n", a / b}'
awk -v a="$check_order_cluster" -v b="$check_order_single" \
	'BEGIN {printf "  crisk.check_order:                            %.2fx the throughput\n", a / b}'
awk -v a="$customer_cluster" -v b="$customer_single" \
	'BEGIN {printf "  per-customer reads:                           %.2fx the throughput\n", a / b}'
