#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the parser+validator fuzzer with clang (address + undefined sanitizers) and runs it
# for a bounded time on a copy of the corpus. Exit non-zero on any crash, hang or report.
#   bash tests/fuzz/run.sh [SECONDS]   (default 60)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
if ! command -v clang++ >/dev/null; then
  echo "SKIP: clang++ is not installed; the fuzzer needs clang's libFuzzer"
  exit 0
fi
build=$root/build/fuzz
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DNSTOPO_FUZZ=ON \
  -DNSTOPO_WERROR=ON -DNSTOPO_SANITIZE=address,undefined >/dev/null
cmake --build "$build" --target fuzz_topology -j2 >/dev/null
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "$root"/tests/fuzz/corpus/* "$corpus"/
"$build/tests/fuzz/fuzz_topology" "$corpus" -max_total_time="$seconds" -timeout=5 \
  -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 2>&1 | tail -12
echo "fuzz: ${seconds}s without a crash"
