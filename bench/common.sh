# bench/common.sh: helpers for crisk's benchmarks (bench/*.sh).
#
# A benchmark starts its own throwaway server with crisk installed in a
# private copy of PostgreSQL (as scripts/test does), loads data, and compares
# a crisk query with a baseline query measured in the same run, on the same
# data, so that the ratio does not depend on the machine.  Timings are the
# executor's own ("Execution Time" of EXPLAIN (ANALYZE, TIMING OFF)): both
# queries pay the same small instrumentation cost and no result transfer.
#
# Usage in a benchmark script:
#   source "$(dirname "$0")/common.sh"
#   bench_start_server                      # optional extra postgresql.conf lines on stdin
#   bench_psql -c "CREATE TABLE ..."
#   bench_time baseline 5 "SELECT ..."      # median of 5 runs, in ms, into BENCH_MS[baseline]
#   bench_time crisk 5 "SELECT ..."
#   bench_ratio crisk baseline 1.3          # prints the ratio; fails the script above 1.3

source "$(dirname "${BASH_SOURCE[0]}")/../scripts/common.sh"

declare -A BENCH_MS
BENCH_FAILED=0

# bench_start_server starts a server tuned for a single large data set; lines
# read from stdin (if any) are appended to its configuration.
bench_start_server() {
	local extra=""
	[ -t 0 ] || extra=$(cat)
	ensure_packages
	build_crisk
	BENCH_DIR=$(make_scratch bench)
	trap 'stop_servers_under "$BENCH_DIR"; rm -rf "$BENCH_DIR"' EXIT
	private_install "$BENCH_DIR/install"
	as_pg initdb --no-locale -E UTF8 -A trust -D "$BENCH_DIR/data" >/dev/null
	as_pg tee -a "$BENCH_DIR/data/postgresql.conf" >/dev/null <<-EOF
		listen_addresses = ''
		unix_socket_directories = '$BENCH_DIR'
		port = 5432
		shared_buffers = '2GB'
		work_mem = '256MB'
		maintenance_work_mem = '1GB'
		max_wal_size = '8GB'
		checkpoint_timeout = '30min'
		synchronous_commit = off
		fsync = off
		full_page_writes = off
		jit = off
		max_parallel_workers_per_gather = 0
		$extra
	EOF
	as_pg pg_ctl -D "$BENCH_DIR/data" -l "$BENCH_DIR/server.log" -w start >/dev/null
	export PGHOST=$BENCH_DIR PGPORT=5432 PGDATABASE=postgres
	bench_psql -c 'CREATE EXTENSION crisk' >/dev/null
}

bench_psql() {
	as_pg psql -X -q -v ON_ERROR_STOP=1 "$@"
}

# bench_time NAME RUNS SQL: median executor time of RUNS runs, after one
# warm-up run, stored in BENCH_MS[NAME] and printed.
bench_time() {
	local name=$1 runs=$2 sql=$3 i times=()
	bench_psql -c "EXPLAIN (ANALYZE, TIMING OFF) $sql" >/dev/null
	for ((i = 0; i < runs; i++)); do
		times+=("$(bench_psql -At -c "EXPLAIN (ANALYZE, TIMING OFF) $sql" |
			sed -n 's/^Execution Time: \([0-9.]*\) ms$/\1/p')")
	done
	BENCH_MS[$name]=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
	printf '  %-28s %10.1f ms (median of %d)\n' "$name" "${BENCH_MS[$name]}" "$runs"
}

# bench_ratio A B LIMIT: prints A/B and records a failure when it exceeds LIMIT.
bench_ratio() {
	local a=$1 b=$2 limit=$3 ratio verdict
	ratio=$(awk -v a="${BENCH_MS[$a]}" -v b="${BENCH_MS[$b]}" 'BEGIN {printf "%.2f", a / b}')
	if awk -v r="$ratio" -v l="$limit" 'BEGIN {exit !(r <= l)}'; then
		verdict=ok
	else
		verdict=FAILED
		BENCH_FAILED=1
	fi
	printf '  %-28s %10sx  (target <= %sx) %s\n' "$a / $b" "$ratio" "$limit" "$verdict"
}

# bench_finish exits with the benchmark's verdict.
bench_finish() {
	exit $BENCH_FAILED
}
