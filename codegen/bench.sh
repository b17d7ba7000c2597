#!/usr/bin/env bash
# Generation time of spec/ (release build), and the cold build time of the generated crate.
# Figures go into docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== generation time (cargo bench -p ea-codegen --bench generate)"
cargo bench -q -p ea-codegen --bench generate
echo "== build time of the generated crate (debug, cold target dir, dependencies included)"
target=$(mktemp -d)
start=$(date +%s.%N)
CARGO_TARGET_DIR="$target" cargo build -q -p ea-reporting --offline
end=$(date +%s.%N)
echo "cold build: $(echo "$end - $start" | bc) s"
start=$(date +%s.%N)
touch generated/src/lib.rs
CARGO_TARGET_DIR="$target" cargo build -q -p ea-reporting --offline
end=$(date +%s.%N)
echo "rebuild of ea-reporting alone: $(echo "$end - $start" | bc) s"
rm -rf "$target"
