#!/usr/bin/env bash
# The request journal under a bounded soak: a release mock with --journal-size 10000 gets
# 100,000 requests over 8 loopback connections (mock-server/benches/journal.rs: balance
# summaries, If-None-Match round trips, price sheets, usage pages, refused keys, each with a
# header of its own), then the script reads the mock's peak RSS (VmHWM) and the journal's length
# (GET /admin/requests), and fails unless the journal holds exactly its bound and the peak is
# under 64 MiB. It stops on its own; nothing leaves the loopback interface.
#
# Usage: bash mock-server/bench/journal.sh
# Environment: REQUESTS (100000), JOURNAL_SIZE (10000), CONCURRENCY (8).
set -euo pipefail
cd "$(dirname "$0")/../.."
REQUESTS=${REQUESTS:-100000}
JOURNAL_SIZE=${JOURNAL_SIZE:-10000}
CONCURRENCY=${CONCURRENCY:-8}
LIMIT_KIB=65536
ADMIN=bench-admin-key
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ea-journal-bench.XXXXXX")
MOCK_PID=
cleanup() {
	[ -n "$MOCK_PID" ] && kill -TERM "$MOCK_PID" 2>/dev/null && wait "$MOCK_PID" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

cargo build -q --release -p ea-mock-server --bin ea-mock-server
BENCH=$(cargo bench -q -p ea-mock-server --bench journal --no-run --message-format=json 2>/dev/null |
	sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | grep '/journal-' | tail -1)
[ -x "$BENCH" ] || { echo "cannot find the journal bench binary" >&2; exit 1; }

RUST_LOG=warn target/release/ea-mock-server --host 127.0.0.1 --port 0 --blob-port 0 \
	--today 2018-06-15 --page-size 100 --journal-size "$JOURNAL_SIZE" --admin-key "$ADMIN" \
	>"$WORK/mock.out" 2>"$WORK/mock.err" </dev/null &
MOCK_PID=$!
URL=
for _ in $(seq 1 600); do
	URL=$(sed -n 's/.* listening on \(http:[^ ]*\).*/\1/p' "$WORK/mock.out" | head -1)
	[ -n "$URL" ] && break
	kill -0 "$MOCK_PID" 2>/dev/null || { cat "$WORK/mock.err" >&2; exit 1; }
	sleep 0.1
done
[ -n "$URL" ] || { echo "the mock did not start" >&2; exit 1; }
for _ in $(seq 1 100); do curl -fs "$URL/health" >/dev/null && break; sleep 0.1; done

kib() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$2/status"; }
MOCK_START=$(kib VmHWM "$MOCK_PID")
OUT=$("$BENCH" --base "$URL" --requests "$REQUESTS" --concurrency "$CONCURRENCY")
echo "$OUT" | grep -v '^RESULT'
KEPT=$(curl -fsS -H "Authorization: bearer $ADMIN" "$URL/admin/requests" | { grep -o '"seq":' || true; } | wc -l)
MOCK_PEAK=$(kib VmHWM "$MOCK_PID")
MOCK_NOW=$(kib VmRSS "$MOCK_PID")
RATE=$(echo "$OUT" | sed -n 's/.* requests_per_s=\([0-9]*\).*/\1/p')
SECONDS_TAKEN=$(echo "$OUT" | sed -n 's/.* seconds=\([0-9.]*\).*/\1/p')
ERRORS=$(echo "$OUT" | sed -n 's/.* errors=\([0-9]*\).*/\1/p')
printf '| %s requests, --journal-size %s | %s s, %s requests/s, %s transport errors | journal holds %s | mock peak RSS %.1f MiB (%.1f MiB after start-up, %.1f MiB at the end) |\n' \
	"$REQUESTS" "$JOURNAL_SIZE" "$SECONDS_TAKEN" "$RATE" "$ERRORS" "$KEPT" \
	"$(echo "$MOCK_PEAK/1024" | bc -l)" "$(echo "$MOCK_START/1024" | bc -l)" "$(echo "$MOCK_NOW/1024" | bc -l)"
[ "$ERRORS" -eq 0 ] || { echo "transport errors" >&2; exit 1; }
[ "$KEPT" -eq "$JOURNAL_SIZE" ] || { echo "the journal holds $KEPT entries, not $JOURNAL_SIZE" >&2; exit 1; }
[ "$MOCK_PEAK" -lt "$LIMIT_KIB" ] || { echo "mock peak RSS over 64 MiB" >&2; exit 1; }
echo "journal bounded at $KEPT entries; mock peak RSS under 64 MiB"
