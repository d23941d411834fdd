#!/usr/bin/env bash
# The benchmark command: builds every binary (release profile unless
# LAPOR_BENCH_PROFILE=dev), then prints one table of cold starts, sizes and load, each
# beside a floor built with the same profile and measured in the same run.
# LAPOR_BENCH_SECONDS shortens the load phases (default 20 s each).
set -euo pipefail
cd "$(dirname "$0")/.."
profile="${LAPOR_BENCH_PROFILE:-release}"
cargo build --profile "$profile" --workspace --bins
dir=target/$([ "$profile" = dev ] && echo debug || echo "$profile")
LAPOR_BENCH_BIN_DIR="$dir" "$dir/lapor-bench"
