#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the parser+validator fuzzer with clang (libFuzzer + AddressSanitizer +
# UndefinedBehaviorSanitizer, nstopo_core instrumented for coverage) in build/fuzz and runs it
# for a bounded time on a copy of tests/fuzz/corpus. Exits non-zero on any crash, hang (an input
# taking more than 5 s), leak, memory blow-up (over 2 GiB) or sanitizer report; the input that
# did it is kept under build/fuzz/artifacts/TIME/.
#   bash tests/fuzz/run.sh [SECONDS [LIBFUZZER-FLAGS...]]     (default 60 seconds)
# e.g. `run.sh 300 -fork=2 -ignore_timeouts=1 -ignore_ooms=1 -ignore_crashes=1` keeps going after
# a finding and collects every reproducer (libFuzzer's fork mode).
# Environment: NSTOPO_FUZZ_STRICT=1 also fails on a problem that is not one located line;
# NSTOPO_FUZZ_JOBS=N runs N fuzzing processes in parallel (default 1).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
jobs=${NSTOPO_FUZZ_JOBS:-1}
if ! [[ $seconds =~ ^[0-9]+$ && $jobs =~ ^[0-9]+$ ]]; then
  echo "usage: run.sh [SECONDS]  (NSTOPO_FUZZ_JOBS must be a number too)" >&2
  exit 2
fi
if ! command -v clang++ >/dev/null || ! command -v clang >/dev/null; then
  echo "SKIP: clang is not installed; the fuzzer needs clang's libFuzzer (libclang-rt-14-dev)"
  exit 0
fi

build=$root/build/fuzz
mkdir -p "$build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DNSTOPO_BUILD_TESTS=ON -DNSTOPO_FUZZ=ON \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" -DNSTOPO_WERROR=ON \
  -DNSTOPO_SANITIZE=address,undefined >"$build/configure.log" 2>&1 \
  || { cat "$build/configure.log" >&2; exit 1; }
cmake --build "$build" --target fuzz_topology -j"$(nproc)" >"$build/build.log" 2>&1 \
  || { tail -40 "$build/build.log" >&2; exit 1; }

corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "$root"/tests/fuzz/corpus/* "$corpus"/
artifacts=$build/artifacts/$(date +%Y%m%d-%H%M%S)
mkdir -p "$artifacts"
log=$build/fuzz.log
parallel=()
if [[ $jobs -gt 1 ]]; then
  parallel=(-jobs="$jobs" -workers="$jobs")
fi
echo "fuzz: ${seconds}s on a copy of $(find "$corpus" -type f | wc -l) seeds; log $log"
rc=0
# libFuzzer's own bounds: -max_total_time for the run, -timeout per input, -rss_limit_mb for
# memory; `timeout` is the outer guard should libFuzzer itself get stuck. It runs in $build, where
# -jobs and -fork leave their own logs.
cd "$build"
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
  UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
  timeout --kill-after=30 $((seconds + 120)) \
  "$build/tests/fuzz/fuzz_topology" "$corpus" -dict="$root/tests/fuzz/yaml.dict" \
  -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
  -artifact_prefix="$artifacts/" -print_final_stats=1 "${parallel[@]}" "$@" >"$log" 2>&1 || rc=$?
summary='^(#[0-9]+.*(DONE|INITED)|stat::(number_of_executed_units|peak_rss_mb)|Done [0-9]+ runs)'
grep -E "$summary" "$log" | tail -6 || true
if [[ $rc -ne 0 ]]; then
  echo "fuzz: FAILED (exit $rc); the report:" >&2
  grep -E -A40 '^==[0-9]+==|ERROR: libFuzzer|runtime error|SUMMARY' "$log" | head -80 >&2 || true
  echo "fuzz: reproducer(s) in $artifacts:" >&2
  find "$artifacts" -type f | head -5 >&2
  exit 1
fi
echo "fuzz: ${seconds}s without a crash, a hang or a leak"
