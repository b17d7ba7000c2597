#!/usr/bin/env bash
# Benchmarks ea-mock-server in release mode: requests/s (balance summary, 304, a
# 1,000-row usage page) and the server's peak RSS while one client pages through a
# 1,001,300-row month. Prints a Markdown table for docs/benchmarks.md.
#
# Usage: mock-server/bench.sh            (BENCH_SECONDS=5 per rate by default)
set -euo pipefail
cd "$(dirname "$0")/.."

echo "date:    $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
echo "rustc:   $(rustc --version)"
# Build first so the timing below covers only the benchmark.
cargo bench -p ea-mock-server --bench throughput --no-run
cargo bench -p ea-mock-server --bench throughput
