#!/usr/bin/env bash
# The asynchronous usage report at scale: a 36-month report of 2,027,600 usage rows
# (10 subscriptions x 185 rows a day x 1,096 days, 2015-06-01 to 2018-05-31), submitted,
# polled and streamed by the generated client (mock-server/benches/report.rs) from the mock
# (a separate release process, its blob on a listener of its own). Prints the client's rows/s
# and both processes' peak RSS (VmHWM), and fails unless the rows are all there and each peak
# is under 64 MiB.
#
# Usage: bash mock-server/bench/report.sh
# Environment: REPORT_API=rows|raw (default rows: typed rows; raw: the blob's bytes).
set -euo pipefail
cd "$(dirname "$0")/../.."
API=${REPORT_API:-rows}
ROWS=2027600
LIMIT_KIB=65536
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ea-report-bench.XXXXXX")
MOCK_PID=
cleanup() {
	[ -n "$MOCK_PID" ] && kill -TERM "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

cargo build -q --release -p ea-mock-server --bin ea-mock-server
BENCH=$(cargo bench -q -p ea-mock-server --bench report --no-run --message-format=json |
	sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | { grep '/report-' || true; } | tail -1)
[ -x "$BENCH" ] || { echo "cannot build or find the report bench binary" >&2; exit 1; }

RUST_LOG=warn target/release/ea-mock-server --port 0 --blob-port 0 --today 2018-06-15 \
	--subscriptions 10 --rows-per-day 185 --report-delay-ms 0 \
	>"$WORK/mock.out" 2>"$WORK/mock.err" </dev/null &
MOCK_PID=$!
URL=
for _ in $(seq 1 600); do
	URL=$(sed -n 's/.* listening on \(http:[^ ]*\).*/\1/p' "$WORK/mock.out" "$WORK/mock.err" | head -1)
	[ -n "$URL" ] && break
	kill -0 "$MOCK_PID" 2>/dev/null || { cat "$WORK/mock.err" >&2; exit 1; }
	sleep 0.1
done
[ -n "$URL" ] || { echo "the mock did not start" >&2; exit 1; }
for _ in $(seq 1 100); do curl -fs "$URL/health" >/dev/null && break; sleep 0.1; done

kib() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$2/status"; }
MOCK_START=$(kib VmHWM "$MOCK_PID")
OUT=$("$BENCH" --base "$URL" --from 2015-06-01 --to 2018-05-31 --api "$API" --expect-rows "$ROWS")
echo "$OUT" | grep -v '^RESULT'
MOCK_PEAK=$(kib VmHWM "$MOCK_PID")
CLIENT_PEAK=$(echo "$OUT" | sed -n 's/.* peak_rss_kib=\([0-9]*\).*/\1/p')
RATE=$(echo "$OUT" | sed -n 's/.* rows_per_s=\([0-9]*\).*/\1/p')
SECONDS_TAKEN=$(echo "$OUT" | sed -n 's/.* seconds=\([0-9.]*\).*/\1/p')
printf '| 36-month report, %s rows (%s) | %s s, %s rows/s | client peak RSS %.1f MiB | mock peak RSS %.1f MiB (%.1f MiB after start-up) |\n' \
	"$ROWS" "$API" "$SECONDS_TAKEN" "$RATE" "$(echo "$CLIENT_PEAK/1024" | bc -l)" \
	"$(echo "$MOCK_PEAK/1024" | bc -l)" "$(echo "$MOCK_START/1024" | bc -l)"
[ "$CLIENT_PEAK" -lt "$LIMIT_KIB" ] || { echo "client peak RSS over 64 MiB" >&2; exit 1; }
[ "$MOCK_PEAK" -lt "$LIMIT_KIB" ] || { echo "mock peak RSS over 64 MiB" >&2; exit 1; }
echo "both under 64 MiB"
