#!/usr/bin/env bash
# Side by side on the balance summary: the bare axum ceiling (benches/ceiling.rs) and one or
# more mock binaries, each driven by wrk in turn, round after round, so a slow spell of the
# machine falls on all of them alike. For comparing two builds of the mock (copy the release
# binary of each aside) or one build with different flags. Prints each run, then the median
# of each and its share of the ceiling's median. Nothing leaves the loopback interface.
#
# Usage: bash mock-server/bench/ab.sh [NAME=COMMAND ...]
#   e.g. bash mock-server/bench/ab.sh old=/tmp/mock-old new=target/release/ea-mock-server \
#          "nojournal=target/release/ea-mock-server --journal-size 0"
# Without arguments: the current release mock (built first) against the ceiling.
# Environment: ROUNDS (3), SECS (6 per run, after 2 of warm-up), CONNECTIONS (64).
# Needs wrk and curl (bench/run.sh installs wrk).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-6}
CONNECTIONS=${CONNECTIONS:-64}
SUMMARY=/v3/enrollments/100/billingperiods/201805/balancesummary
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ea-ab.XXXXXX")
PIDS=()
cleanup() {
	for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

if [ $# -eq 0 ]; then
	cargo build -q --release -p ea-mock-server --bin ea-mock-server
	set -- mock=target/release/ea-mock-server
fi
CEILING=$(cargo bench -q -p ea-mock-server --bench ceiling --no-run --message-format=json 2>/dev/null |
	sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | grep '/ceiling-' | tail -1)
[ -x "$CEILING" ] || { echo "cannot find the ceiling bench binary" >&2; exit 1; }

# Starts NAME's COMMAND words and prints the URL it reports listening on.
start() {
	local name=$1
	shift
	RUST_LOG=warn "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
	PIDS+=($!)
	local pid=$! url=
	for _ in $(seq 1 600); do
		url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/$name.out" | head -1 || true)
		[ -n "$url" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$WORK/$name.err" >&2; exit 1; }
		sleep 0.1
	done
	[ -n "$url" ] || { echo "$name did not report its address" >&2; exit 1; }
	echo "$url"
}

NAMES=()
declare -A URL
for spec in "$@"; do
	name=${spec%%=*}
	read -r -a command <<<"${spec#*=}"
	URL[$name]=$(start "$name" "${command[@]}" --host 127.0.0.1 --port 0 --today 2018-06-15)
	NAMES+=("$name")
done
# The ceiling's body is as long as the first mock's balance summary.
BYTES=$(curl -s -H 'Authorization: bearer ea-mock-key' "${URL[${NAMES[0]}]}$SUMMARY" | wc -c)
[ "$BYTES" -gt 0 ] || { echo "${NAMES[0]} did not answer a balance summary" >&2; exit 1; }
URL[ceiling]=$(start ceiling "$CEILING" --port 0 --bytes "$BYTES")
NAMES=(ceiling "${NAMES[@]}")

echo "# mock-server/bench/ab.sh: $ROUNDS rounds of wrk -t2 -c$CONNECTIONS -d${SECS}s, body $BYTES bytes"
for round in $(seq 1 "$ROUNDS"); do
	for name in "${NAMES[@]}"; do
		wrk -t2 -c"$CONNECTIONS" -d2s -s bench/report.lua "${URL[$name]}$SUMMARY" >/dev/null
		line=$(wrk -t2 -c"$CONNECTIONS" -d"${SECS}s" -s bench/report.lua "${URL[$name]}$SUMMARY" | grep '^WRK')
		non2xx=$(sed -n 's/.*non2xx=\([0-9]*\).*/\1/p' <<<"$line")
		[ "$non2xx" = 0 ] || { echo "$name answered $non2xx requests with other than 2xx" >&2; exit 1; }
		rate=$(sed -n 's/.*requests=\([0-9]*\).*/\1/p' <<<"$line" | awk -v s="$SECS" '{printf "%.0f", $1 / s}')
		echo "$round $name $rate" | tee -a "$WORK/rates"
	done
done
median() { awk -v n="$1" '$2 == n {print $3}' "$WORK/rates" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
top=$(median ceiling)
echo "# medians (req/s) and share of the ceiling's"
for name in "${NAMES[@]}"; do
	m=$(median "$name")
	echo "$name $m $(awk -v m="$m" -v t="$top" 'BEGIN {printf "%.0f%%", 100 * m / t}')"
done
