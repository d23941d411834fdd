#!/usr/bin/env bash
# The benchmark command: builds every binary with the release profile, then prints one
# table of cold starts, sizes and load, each beside a floor measured in the same run.
# LAPOR_BENCH_SECONDS shortens the load phases (default 20 s each).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --workspace --bins
LAPOR_BENCH_BIN_DIR=target/release target/release/lapor-bench
