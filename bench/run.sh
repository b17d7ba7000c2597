#!/usr/bin/env bash
# Every performance figure of docs/benchmarks.md, in one run on this machine:
#
#   1. throughput against Stoplight Prism (`prism mock -m`, same spec) and against a bare
#      axum server (the ceiling, mock-server/benches/ceiling.rs): same endpoints, same
#      load generator (wrk), same connection count, loopback; requests/s, p50/p99;
#   2. large payloads: MB/s of usage JSON and of the CSV download over HTTP, per second
#      and per second of server CPU (so per core), and rendered in process on one thread
#      (mock-server/benches/render.rs);
#   3. the generated client paging 1,001,300 usage rows from the mock (separate release
#      processes): rows/s and peak RSS, against the serde_json parse limit of the same
#      bytes (from_slice, and from_str after one UTF-8 check as the client decodes;
#      mock-server/benches/client_paging.rs), and the mock's peak RSS;
#   4. the generator: time to generate from spec/ (cargo bench -p ea-codegen --bench
#      generate), and the build time of the generated crate (as codegen/bench.sh);
#   5. typed rows from the service-layout CSV against the csv crate's raw records on the same
#      bytes, in process on one thread (mock-server/benches/csv_rows.rs);
#   6. a month of 51,150 rows from a mock with --latency-ms 200: the nextLink chain against
#      the range fetched as days at concurrency 8, then under --rate-limit with the journal
#      counting pages (mock-server/bench/split.sh, which checks the rows are identical).
#
# Usage: bash bench/run.sh
#
# Installs what is missing (wrk from Debian; @stoplight/prism-cli from npm into
# target/bench-tools/, never committed), builds in release, starts every server on a
# free loopback port and waits for it to answer, stops them all on exit, and prints a
# summary table (also written to target/bench-results/, with wrk's full output).
# Environment:
#   BENCH_SECONDS      seconds per measured wrk run (default 10; each after a warm-up of
#                      BENCH_WARMUP_SECONDS, default 2)
#   BENCH_CONNECTIONS  connections for the request-rate runs (default 64)
#   BENCH_ROUNDS       alternating runs of the mock and the ceiling on the balance
#                      summary; the median of each is the figure (default 3)
#   BENCH_PAYLOAD_CONNECTIONS  connections for the MB/s runs (default 8)
#   BENCH_SKIP_BUILD_TIME=1    skip the cold build of the generated crate (a minute or two)
#   BENCH_MOCK_BIN, BENCH_CEILING_BIN, BENCH_CLIENT_BIN, BENCH_RENDER_BIN
#                      other builds of the same programs (e.g. of an older commit, for
#                      before/after figures) instead of the ones built here
#   PRISM_VERSION      (default 5.16.0)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SECS=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP_SECONDS:-2}
CONNS=${BENCH_CONNECTIONS:-64}
ROUNDS=${BENCH_ROUNDS:-3}
PAYLOAD_CONNS=${BENCH_PAYLOAD_CONNECTIONS:-8}
PRISM_VERSION=${PRISM_VERSION:-5.16.0}
KEY=ea-mock-key
TODAY=2018-06-15
E=100
PERIOD=201805
SUMMARY_PATH=/v3/enrollments/$E/billingperiods/$PERIOD/balancesummary
USAGE_PATH=/v3/enrollments/$E/billingPeriods/$PERIOD/usagedetails
CSV_PATH="/v3/enrollments/$E/usagedetails/download?billingPeriod=$PERIOD"
MONTH_ROWS=1001300 # 100 subscriptions x 323 rows a day x 31 days

TOOLS=$ROOT/target/bench-tools
RESULTS=$ROOT/target/bench-results
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ea-bench.XXXXXX")
mkdir -p "$TOOLS" "$RESULTS"
RUN_STARTED=$(date +%s)

# ---------------------------------------------------------------- processes we start
GROUPS_STARTED=()
cleanup() {
	local status=$?
	for pgid in "${GROUPS_STARTED[@]}"; do
		kill -TERM -- "-$pgid" 2>/dev/null || true
	done
	for pgid in "${GROUPS_STARTED[@]}"; do
		for _ in $(seq 1 50); do
			kill -0 -- "-$pgid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL -- "-$pgid" 2>/dev/null || true
	done
	rm -rf "$WORK"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s\n' "$*" >&2; }
die() {
	printf 'bench/run.sh: %s\n' "$*" >&2
	exit 1
}

# start NAME CMD...: runs CMD in its own process group (so a server and any children
# it forks stop together) and sets PG to the group id (= its pid). Output goes to
# $WORK/NAME.{out,err}.
PG=
start() {
	local name=$1
	shift
	setsid "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
	PG=$!
	GROUPS_STARTED+=("$PG")
}

# stop PGID: SIGTERM to the group, and wait until it is gone.
stop() {
	local pgid=$1
	kill -TERM -- "-$pgid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 -- "-$pgid" 2>/dev/null || return 0
		sleep 0.05
	done
	kill -KILL -- "-$pgid" 2>/dev/null || true
}

# listening_url NAME PGID: polls NAME's stdout for its "listening on http://..." line.
listening_url() {
	local name=$1 pgid=$2
	for _ in $(seq 1 600); do
		local url
		url=$(sed -n 's/.* listening on \(http:[^ ]*\).*/\1/p' "$WORK/$name.out" | head -1)
		if [ -n "$url" ]; then
			echo "$url"
			return 0
		fi
		kill -0 "$pgid" 2>/dev/null || {
			cat "$WORK/$name.err" >&2
			die "$name exited before listening"
		}
		sleep 0.05
	done
	die "$name did not print its address in 30 s"
}

# wait_ok URL [HEADER]: polls URL until it answers 200 (at most 60 s).
wait_ok() {
	local url=$1
	shift
	for _ in $(seq 1 600); do
		if [ "$(curl -s -o /dev/null -w '%{http_code}' "$@" "$url" || true)" = 200 ]; then
			return 0
		fi
		sleep 0.1
	done
	die "$url did not answer 200 in 60 s"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# cpu_ticks PGID: user + system CPU ticks of every process of the group. In
# /proc/PID/stat, after the command name (which ends with ") "): state, ppid, pgrp, ...,
# utime (12th), stime (13th).
cpu_ticks() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v g="$1" '{
		s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
		if (f[3] == g) t += f[12] + f[13]
	} END { print t + 0 }'
}

# kib FIELD PID: a /proc/PID/status field in KiB.
kib() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$2/status"; }

# ---------------------------------------------------------------- tools
say "tools"
if ! command -v wrk >/dev/null; then
	echo "installing wrk (Debian package)" >&2
	apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
command -v curl >/dev/null || { apt-get update -qq && apt-get install -y -qq curl >/dev/null; }
command -v python3 >/dev/null || die "python3 is needed (free ports)"
PRISM_DIR=$TOOLS/prism-$PRISM_VERSION
PRISM_MAIN=$PRISM_DIR/node_modules/@stoplight/prism-cli/dist/index.js
if [ ! -f "$PRISM_MAIN" ]; then
	command -v npm >/dev/null || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
	echo "installing @stoplight/prism-cli@$PRISM_VERSION into $PRISM_DIR (npm)" >&2
	mkdir -p "$PRISM_DIR"
	npm install --prefix "$PRISM_DIR" --no-audit --no-fund --loglevel=error \
		"@stoplight/prism-cli@$PRISM_VERSION" >&2
fi
WRK_VERSION=$({ wrk -v 2>&1 || true; } | head -1 | awk '{print $1, $2}')
echo "wrk: $WRK_VERSION; prism: $(node "$PRISM_MAIN" --version); node: $(node --version)" >&2

# ---------------------------------------------------------------- build
say "build (release)"
cargo build --release -p ea-mock-server --bin ea-mock-server
bench_exe() {
	# The executable of a bench target from cargo's JSON messages.
	grep "\"name\":\"$1\"" "$WORK/benches.json" | grep -o '"executable":"[^"]*"' | cut -d'"' -f4 | tail -1
}
cargo bench -p ea-mock-server --bench ceiling --bench client_paging --bench render --bench csv_rows --no-run \
	--message-format=json >"$WORK/benches.json"
cargo bench -p ea-codegen --bench generate --no-run -q
# BENCH_*_BIN run other builds of the same programs (e.g. of an older commit) instead.
MOCK=${BENCH_MOCK_BIN:-$ROOT/target/release/ea-mock-server}
CEILING=${BENCH_CEILING_BIN:-$(bench_exe ceiling)}
CLIENT=${BENCH_CLIENT_BIN:-$(bench_exe client_paging)}
RENDER=${BENCH_RENDER_BIN:-$(bench_exe render)}
CSV_ROWS=${BENCH_CSV_ROWS_BIN:-$(bench_exe csv_rows)}
for exe in "$MOCK" "$CEILING" "$CLIENT" "$RENDER" "$CSV_ROWS"; do
	[ -x "$exe" ] || die "missing executable: $exe"
done

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
MACHINE="$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ)
echo "date: $DATE; machine: $MACHINE; load before: $LOAD_BEFORE" >&2

# ---------------------------------------------------------------- servers
say "servers"
start mock env RUST_LOG=warn "$MOCK" --port 0 --today "$TODAY"
mock_pg=$PG
MOCK_URL=$(listening_url mock "$mock_pg")
wait_ok "$MOCK_URL/health"
# The same mock with pages of one row: a usage page the size of Prism's.
start mock1 env RUST_LOG=warn "$MOCK" --port 0 --today "$TODAY" --page-size 1
mock1_pg=$PG
MOCK1_URL=$(listening_url mock1 "$mock1_pg")
wait_ok "$MOCK1_URL/health"
SUMMARY_BYTES=$(curl -s -H "Authorization: bearer $KEY" "$MOCK_URL$SUMMARY_PATH" | wc -c)
start ceiling "$CEILING" --port 0 --bytes "$SUMMARY_BYTES"
ceiling_pg=$PG
CEILING_URL=$(listening_url ceiling "$ceiling_pg")
wait_ok "$CEILING_URL/health"

# Prism 5.16.0 on Node 20 crashes with -m ("Cannot read properties of undefined (reading
# 'isPrimary')": it reads `require("node:cluster").default`, which Node does not have). If
# that happens, the same command runs again with a preloaded two-line module, written
# here, that sets that property to the cluster module itself. The spec is used as is.
PRISM_PORT=$(free_port)
PRISM_URL=http://127.0.0.1:$PRISM_PORT
PRISM_ARGS=(mock -m -h 127.0.0.1 -p "$PRISM_PORT" -v error "$ROOT/spec/ea-reporting-v3.json")
PRISM_WORKAROUND=none
start prism node "$PRISM_MAIN" "${PRISM_ARGS[@]}"
prism_pg=$PG
for _ in $(seq 1 600); do
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: bearer $KEY" "$PRISM_URL$SUMMARY_PATH" || true)
	[ "$code" = 200 ] && break
	if ! kill -0 "$prism_pg" 2>/dev/null || grep -q "reading 'isPrimary'" "$WORK/prism.err" "$WORK/prism.out"; then
		if grep -q "reading 'isPrimary'" "$WORK/prism.err" "$WORK/prism.out" && [ "$PRISM_WORKAROUND" = none ]; then
			stop "$prism_pg"
			cat >"$WORK/cluster-default.js" <<'EOF'
const cluster = require('node:cluster');
if (cluster.default === undefined) cluster.default = cluster;
EOF
			PRISM_WORKAROUND="node -r cluster-default.js (cluster.default = cluster)"
			echo "prism -m crashed on require('node:cluster').default; restarting with $PRISM_WORKAROUND" >&2
			start prism node -r "$WORK/cluster-default.js" "$PRISM_MAIN" "${PRISM_ARGS[@]}"
			prism_pg=$PG
		else
			cat "$WORK/prism.out" "$WORK/prism.err" >&2
			die "prism exited"
		fi
	fi
	sleep 0.1
done
[ "$code" = 200 ] || die "prism did not answer 200 at $PRISM_URL$SUMMARY_PATH"
PRISM_SUMMARY_BYTES=$(curl -s -H "Authorization: bearer $KEY" "$PRISM_URL$SUMMARY_PATH" | wc -c)
PRISM_PAGE_BYTES=$(curl -s -H "Authorization: bearer $KEY" "$PRISM_URL$USAGE_PATH" | wc -c)
MOCK_PAGE_BYTES=$(curl -s -H "Authorization: bearer $KEY" "$MOCK_URL$USAGE_PATH" | wc -c)
MOCK1_PAGE_BYTES=$(curl -s -H "Authorization: bearer $KEY" "$MOCK1_URL$USAGE_PATH" | wc -c)
echo "mock $MOCK_URL, mock (1-row pages) $MOCK1_URL, ceiling $CEILING_URL, prism $PRISM_URL (workaround: $PRISM_WORKAROUND)" >&2

# ---------------------------------------------------------------- load runs
TSV=$WORK/runs.tsv
printf 'label\tconns\trps\tp50_ms\tp99_ms\tmb_s\tcpu_s\tmb_per_cpu_s\tbody_bytes\n' >"$TSV"

# load LABEL URL CONNS PGID BODY_BYTES: a warm-up, then a measured wrk run; one TSV row.
load() {
	local label=$1 url=$2 conns=$3 pgid=$4 body=$5
	echo "-- $label: $conns connections, ${SECS} s ($url)" >&2
	wrk -t2 -c"$conns" -d"${WARMUP}s" --timeout 10s -s bench/report.lua "$url" >/dev/null
	local c0 c1 out
	c0=$(cpu_ticks "$pgid")
	out=$(wrk -t2 -c"$conns" -d"${SECS}s" --timeout 10s --latency -s bench/report.lua "$url")
	c1=$(cpu_ticks "$pgid")
	printf '%s\n' "$out" >"$RESULTS/wrk-$(echo "$label" | tr -c 'A-Za-z0-9\n' '-').txt"
	local line
	line=$(printf '%s\n' "$out" | grep '^WRK ') || die "no result line from wrk for $label"
	echo "   $line" >&2
	printf '%s\n' "$line" | awk -v label="$label" -v conns="$conns" -v ticks="$((c1 - c0))" \
		-v hz="$(getconf CLK_TCK)" -v body="$body" '{
		for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		if (v["non2xx"] > 0 || v["socket_errors"] > 0) {
			printf "bench/run.sh: %s: %d non-2xx answers, %d socket errors\n", label, v["non2xx"], v["socket_errors"] > "/dev/stderr"
		}
		secs = v["duration_us"] / 1e6; cpu = ticks / hz
		printf "%s\t%d\t%.0f\t%.2f\t%.2f\t%.1f\t%.2f\t%.0f\t%d\n", label, conns, v["requests"] / secs,
			v["p50_us"] / 1000, v["p99_us"] / 1000, v["bytes"] / secs / 1e6, cpu,
			(cpu > 0 ? v["bytes"] / 1e6 / cpu : 0), body
	}' >>"$TSV"
}

say "1. request rates ($CONNS connections, ${SECS} s each, wrk -t2)"
load "prism: balance summary" "$PRISM_URL$SUMMARY_PATH" "$CONNS" "$prism_pg" "$PRISM_SUMMARY_BYTES"
# The mock against the ceiling is the closest comparison and the noisiest (both are
# mostly kernel time, and the two cores are shared with wrk): ROUNDS alternating runs of
# each, and the run with the median req/s of each is the figure (all are in the rounds
# table).
for round in $(seq 1 "$ROUNDS"); do
	load "mock: balance summary #$round" "$MOCK_URL$SUMMARY_PATH" "$CONNS" "$mock_pg" "$SUMMARY_BYTES"
	load "ceiling: constant body #$round" "$CEILING_URL$SUMMARY_PATH" "$CONNS" "$ceiling_pg" "$SUMMARY_BYTES"
done
for label in "mock: balance summary" "ceiling: constant body"; do
	grep -F "$label #" "$TSV" | sort -t"$(printf '\t')" -k3,3n |
		sed -n "$(((ROUNDS + 1) / 2))p" | sed "s/ #[0-9]*\t/\t/" >>"$TSV"
done
load "prism: usage page" "$PRISM_URL$USAGE_PATH" "$CONNS" "$prism_pg" "$PRISM_PAGE_BYTES"
load "mock: usage page, 1 row" "$MOCK1_URL$USAGE_PATH" "$CONNS" "$mock1_pg" "$MOCK1_PAGE_BYTES"
load "mock: usage page, 1000 rows" "$MOCK_URL$USAGE_PATH" "$CONNS" "$mock_pg" "$MOCK_PAGE_BYTES"
stop "$prism_pg"
stop "$ceiling_pg"
stop "$mock1_pg"

say "2. large payloads ($PAYLOAD_CONNS connections)"
CSV_BYTES=$(curl -s -H "Authorization: bearer $KEY" "$MOCK_URL$CSV_PATH" | wc -c)
load "mock: usage JSON, 1000-row pages" "$MOCK_URL$USAGE_PATH" "$PAYLOAD_CONNS" "$mock_pg" "$MOCK_PAGE_BYTES"
load "mock: usage CSV, a month" "$MOCK_URL$CSV_PATH" "$PAYLOAD_CONNS" "$mock_pg" "$CSV_BYTES"
MOCK_HWM_RATES=$(kib VmHWM "$mock_pg")
stop "$mock_pg"
echo "-- rendering on one thread, in process (mock-server/benches/render.rs)" >&2
RENDER_OUT=$("$RENDER" --rows 400000)
echo "$RENDER_OUT" | grep -v '^RESULT' >&2
render_result() { echo "$RENDER_OUT" | grep "^RESULT kind=$1 " | tr ' ' '\n' | sed -n "s/^$2=//p"; }

say "3. client paging $MONTH_ROWS rows"
start big env RUST_LOG=warn "$MOCK" --port 0 --today "$TODAY" --subscriptions 100 --rows-per-day 323 --page-size 1000
big_pg=$PG
BIG_URL=$(listening_url big "$big_pg")
wait_ok "$BIG_URL/health"
BIG_HWM_START=$(kib VmHWM "$big_pg")
CLIENT_OUT=$WORK/client.txt
: >"$CLIENT_OUT"
for api in stream pages parse parse-text; do
	"$CLIENT" --base "$BIG_URL" --api "$api" --expect-rows "$MONTH_ROWS" | tee -a "$CLIENT_OUT" >&2
done
BIG_HWM_END=$(kib VmHWM "$big_pg")
stop "$big_pg"
result() { grep "^RESULT api=$1 " "$CLIENT_OUT" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

say "4. generator"
GEN_OUT=$(cargo bench -q -p ea-codegen --bench generate)
echo "$GEN_OUT" >&2
GEN_MEDIAN=$(echo "$GEN_OUT" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
GEN_MIN=$(echo "$GEN_OUT" | sed -n 's/.*min \([0-9.]*\) ms.*/\1/p')
GEN_MAX=$(echo "$GEN_OUT" | sed -n 's/.*max \([0-9.]*\) ms.*/\1/p')
GEN_FILES=$(echo "$GEN_OUT" | sed -n 's/.*: \([0-9]*\) files, \([0-9]*\) bytes.*/\1 files, \2 bytes/p')
LOAD_AFTER_LOAD_TESTS=$(cut -d' ' -f1-3 /proc/loadavg)
if [ "${BENCH_SKIP_BUILD_TIME:-0}" = 1 ]; then
	COLD_BUILD=skipped
	REBUILD=skipped
else
	scratch=$WORK/target
	t0=$(date +%s.%N)
	CARGO_TARGET_DIR=$scratch cargo build -q -p ea-reporting --offline
	t1=$(date +%s.%N)
	touch generated/src/lib.rs
	CARGO_TARGET_DIR=$scratch cargo build -q -p ea-reporting --offline
	t2=$(date +%s.%N)
	COLD_BUILD=$(echo "$t1 $t0" | awk '{printf "%.1f s", $1 - $2}')
	REBUILD=$(echo "$t2 $t1" | awk '{printf "%.1f s", $1 - $2}')
	rm -rf "$scratch"
fi

say "5. service CSV: typed rows against raw records (one thread, in process)"
CSV_OUT=$("$CSV_ROWS" --rows 800000)
echo "$CSV_OUT" | grep -v '^RESULT' >&2
csv_result() { echo "$CSV_OUT" | grep "^RESULT kind=$1 " | tr ' ' '\n' | sed -n "s/^$2=//p"; }

say "6. a month through the chain and split into days (--latency-ms 200; mock-server/bench/split.sh)"
SPLIT_STATUS=0
SPLIT_OUT=$(bash mock-server/bench/split.sh 2>"$WORK/split.err") || SPLIT_STATUS=$?
grep -v '^RESULT' "$WORK/split.err" >&2 || true
echo "$SPLIT_OUT" >&2
split_field() { grep "^RESULT" "$WORK/split.err" | grep " api=$1 " | sed -n "$2p" | tr " " "\n" | sed -n "s/^$3=//p"; }
T_CHAIN=$(split_field chain 1 seconds)
T_SPLIT=$(sed -n 's/^split runs: .* median \([0-9.]*\) s$/\1/p' "$WORK/split.err")
SPLIT_ROWS=$(split_field split 1 rows)
SPLIT_RSS=$(split_field split 1 peak_rss_kib)
CHAIN_RSS=$(split_field chain 1 peak_rss_kib)
THROTTLE_LINE=$(echo "$SPLIT_OUT" | grep -- '--rate-limit' | sed 's/^| //; s/ |$//; s/ | /; /g' || echo "not reached")

# ---------------------------------------------------------------- summary
col() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l { print $c }' "$TSV"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * a / b : 0) }'; }
# verdict 'AWK EXPRESSION': met when it holds.
verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo MISSED; fi; }

P_RPS=$(col "prism: balance summary" 3)
M_RPS=$(col "mock: balance summary" 3)
C_RPS=$(col "ceiling: constant body" 3)
M_P99=$(col "mock: balance summary" 5)
PU_RPS=$(col "prism: usage page" 3)
M1_RPS=$(col "mock: usage page, 1 row" 3)
M1000_RPS=$(col "mock: usage page, 1000 rows" 3)
JSON_MBS=$(col "mock: usage JSON, 1000-row pages" 6)
JSON_PER_CORE=$(col "mock: usage JSON, 1000-row pages" 8)
CSV_MBS=$(col "mock: usage CSV, a month" 6)
CSV_PER_CORE=$(col "mock: usage CSV, a month" 8)
S_RPS=$(result stream rows_per_sec)
PG_RPS=$(result pages rows_per_sec)
PARSE_RPS=$(result parse rows_per_sec)
PARSE_MBS=$(result parse mb_per_sec)
PARSE_TEXT_RPS=$(result parse-text rows_per_sec)
S_RSS=$(result stream peak_rss_kib)
PG_RSS=$(result pages peak_rss_kib)
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$(($(date +%s) - RUN_STARTED))

REPORT=$RESULTS/summary-$(date -u +%Y%m%dT%H%M%SZ).md
{
	echo "# bash bench/run.sh, $DATE"
	echo
	echo "Machine: $MACHINE; rustc $(rustc --version | awk '{print $2}'); $WRK_VERSION; Prism $PRISM_VERSION (workaround: $PRISM_WORKAROUND) on Node $(node --version)."
	echo "Load average (1, 5, 15 min): before $LOAD_BEFORE; after the load tests $LOAD_AFTER_LOAD_TESTS; at the end $LOAD_END. Run took ${ELAPSED} s."
	echo
	echo "## Request rates and payloads (wrk -t2, ${SECS} s after a ${WARMUP} s warm-up each, loopback)"
	echo
	echo "| run | connections | body bytes | req/s | p50 ms | p99 ms | MB/s | server CPU s | MB per server CPU-second |"
	echo "|---|---|---|---|---|---|---|---|---|"
	tail -n +2 "$TSV" | grep -v ' #[0-9]' | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $9, $3, $4, $5, $6, $7, $8 }'
	echo
	echo "Rounds of the balance summary (alternating; the median of each is above):"
	echo
	echo "| run | req/s | p50 ms | p99 ms | server CPU s |"
	echo "|---|---|---|---|---|"
	grep ' #[0-9]' "$TSV" | awk -F'\t' '{ printf "| %s | %s | %s | %s | %s |\n", $1, $3, $4, $5, $7 }'
	echo
	echo "## Summary"
	echo
	echo "| figure | value | target | |"
	echo "|---|---|---|---|"
	echo "| balance summary: mock / Prism req/s | $(ratio "$M_RPS" "$P_RPS")x ($M_RPS / $P_RPS) | >= 40x | $(verdict "$(ratio "$M_RPS" "$P_RPS") >= 40") |"
	echo "| balance summary: mock / ceiling req/s (medians) | $(pct "$M_RPS" "$C_RPS") ($M_RPS / $C_RPS) | >= 90% | $(verdict "$M_RPS >= 0.9 * $C_RPS") |"
	echo "| balance summary: mock p99 at $CONNS connections | $M_P99 ms | < 5 ms | $(verdict "$M_P99 < 5") |"
	echo "| usage page: mock (1 row) / Prism (1 row) req/s | $(ratio "$M1_RPS" "$PU_RPS")x ($M1_RPS / $PU_RPS) | — | |"
	echo "| usage page: mock (1,000 rows, $MOCK_PAGE_BYTES B) req/s | $M1000_RPS | — | |"
	echo "| usage JSON served | $JSON_MBS MB/s; $JSON_PER_CORE MB per server CPU-second | >= 200 MB/s per core | $(verdict "$JSON_PER_CORE >= 200") |"
	echo "| usage JSON rendered in process, one thread | $(render_result json mb_per_cpu_sec) MB per CPU-second ($(render_result json rows_per_sec) rows/s) | >= 200 MB/s per core | $(verdict "$(render_result json mb_per_cpu_sec) >= 200") |"
	echo "| usage CSV served | $CSV_MBS MB/s; $CSV_PER_CORE MB per server CPU-second | — | |"
	echo "| usage CSV rendered in process, one thread | $(render_result csv mb_per_cpu_sec) MB per CPU-second ($(render_result csv rows_per_sec) rows/s) | — | |"
	echo "| client, $MONTH_ROWS rows, \`_stream\` | $S_RPS rows/s ($(pct "$S_RPS" "$PARSE_RPS") of the parse limit; $(pct "$S_RPS" "$PARSE_TEXT_RPS") of the text parse), peak RSS $(mib "$S_RSS") | >= 85%, < 64 MiB | $(verdict "$S_RPS >= 0.85 * $PARSE_RPS && $S_RSS < 65536") |"
	echo "| client, $MONTH_ROWS rows, \`_pages\` | $PG_RPS rows/s ($(pct "$PG_RPS" "$PARSE_RPS") of the parse limit), peak RSS $(mib "$PG_RSS") | >= 50%, < 64 MiB | $(verdict "$PG_RPS >= 0.5 * $PARSE_RPS && $PG_RSS < 65536") |"
	echo "| parse limit: serde_json::from_slice of the same pages | $PARSE_RPS rows/s ($PARSE_MBS MB/s) | — | |"
	echo "| text parse: from_utf8 of the body, then serde_json::from_str (as the client decodes) | $PARSE_TEXT_RPS rows/s | — | |"
	echo "| mock peak RSS: rate runs / month after start-up / after the client runs | $(mib "$MOCK_HWM_RATES") / $(mib "$BIG_HWM_START") / $(mib "$BIG_HWM_END") | < 64 MiB | $(verdict "$MOCK_HWM_RATES < 65536 && $BIG_HWM_END < 65536") |"
	echo "| generate spec/ (in memory, 50 runs) | median $GEN_MEDIAN ms (min $GEN_MIN, max $GEN_MAX); $GEN_FILES | < 100 ms | $(verdict "$GEN_MEDIAN < 100") |"
	echo "| service CSV, typed rows / csv crate raw records (same bytes, one thread): a new row each (\`rows\`) | $(pct "$(csv_result typed rows_per_sec)" "$(csv_result raw rows_per_sec)") ($(csv_result typed rows_per_sec) / $(csv_result raw rows_per_sec) rows/s) | — | |"
	echo "| service CSV, typed rows / csv crate raw records: one row reused (\`next_into\`, as the raw rate reuses one record) | $(pct "$(csv_result typed_into rows_per_sec)" "$(csv_result raw rows_per_sec)") ($(csv_result typed_into rows_per_sec) rows/s) | >= 70% | $(verdict "$(csv_result typed_into rows_per_sec) >= 0.7 * $(csv_result raw rows_per_sec)") |"
	echo "| a month ($SPLIT_ROWS rows) at --latency-ms 200: chain / split at 8 (median of 3) | $T_CHAIN s / $T_SPLIT s = $(ratio "$T_CHAIN" "$T_SPLIT")x, same rows and checksum; peak RSS $(mib "$CHAIN_RSS") / $(mib "$SPLIT_RSS") | >= 6x | $(verdict "$SPLIT_STATUS == 0 && $T_CHAIN >= 6 * $T_SPLIT") |"
	echo "| the same split under throttling | $THROTTLE_LINE | same rows, one 200 per page | $(verdict "$SPLIT_STATUS == 0") |"
	echo "| cold debug build of ea-reporting with its dependencies / rebuild of ea-reporting alone | $COLD_BUILD / $REBUILD | — | |"
} >"$REPORT"
cp "$REPORT" "$RESULTS/latest.md"
say "summary (also in $REPORT)"
cat "$REPORT"
