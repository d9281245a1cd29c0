#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the fuzzers with clang (libFuzzer + AddressSanitizer + UndefinedBehaviorSanitizer, the
# libraries instrumented for coverage) in build/fuzz and runs each for its share of a bounded
# time, on a copy of its seed corpus:
#   fuzz_topology     the parser and the validator       tests/fuzz/corpus, yaml.dict
#   fuzz_ovsdb_wire   the OVSDB client reading server    tests/fuzz/corpus-ovsdb, ovsdb.dict
#                     messages
# SECONDS is the total: each of the N targets run gets SECONDS/N. Exits non-zero on any crash,
# hang (an input taking more than 5 s), leak, memory blow-up (over 2 GiB) or sanitizer report;
# the input that did it is kept under build/fuzz/artifacts/TIME-TARGET/.
#   bash tests/fuzz/run.sh [SECONDS [LIBFUZZER-FLAGS...]]     (default 60 seconds)
# e.g. `run.sh 300 -fork=2 -ignore_timeouts=1 -ignore_ooms=1 -ignore_crashes=1` keeps going after
# a finding and collects every reproducer (libFuzzer's fork mode).
# Environment: NSTOPO_FUZZ_TARGETS="topology ovsdb_wire" picks the targets (default: both);
# NSTOPO_FUZZ_STRICT=1 also fails on a problem that is not one located line (fuzz_topology);
# NSTOPO_FUZZ_JOBS=N runs N fuzzing processes in parallel (default 1);
# NSTOPO_FUZZ_BUILD_ONLY=1 builds the targets and stops (.ci/test builds them ahead of time).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
jobs=${NSTOPO_FUZZ_JOBS:-1}
read -r -a targets <<<"${NSTOPO_FUZZ_TARGETS:-topology ovsdb_wire}"
if ! [[ $seconds =~ ^[0-9]+$ && $jobs =~ ^[0-9]+$ ]] || [[ ${#targets[@]} -eq 0 ]]; then
  echo "usage: run.sh [SECONDS]  (NSTOPO_FUZZ_JOBS must be a number too)" >&2
  exit 2
fi
for target in "${targets[@]}"; do
  if [[ $target != topology && $target != ovsdb_wire ]]; then
    echo "run.sh: unknown target '$target' in NSTOPO_FUZZ_TARGETS (topology, ovsdb_wire)" >&2
    exit 2
  fi
done
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
cmake --build "$build" --target "${targets[@]/#/fuzz_}" -j"$(nproc)" >"$build/build.log" 2>&1 \
  || { tail -40 "$build/build.log" >&2; exit 1; }
if [[ ${NSTOPO_FUZZ_BUILD_ONLY:-} == 1 ]]; then
  echo "fuzz: built ${targets[*]/#/fuzz_} in $build"
  exit 0
fi

parallel=()
if [[ $jobs -gt 1 ]]; then
  parallel=(-jobs="$jobs" -workers="$jobs")
fi
share=$((seconds / ${#targets[@]}))
stamp=$(date +%Y%m%d-%H%M%S)
corpus_root=$(mktemp -d)
trap 'rm -rf "$corpus_root"' EXIT
failed=0

# fuzz NAME SEEDS DICT [LIBFUZZER-FLAGS...]: runs build/fuzz/tests/fuzz/fuzz_NAME for $share s.
fuzz() {
  local name=$1 seeds=$2 dict=$3
  shift 3
  local corpus=$corpus_root/$name artifacts=$build/artifacts/$stamp-$name log=$build/fuzz-$name.log
  mkdir -p "$corpus" "$artifacts"
  cp "$seeds"/* "$corpus"/
  echo "fuzz $name: ${share}s on a copy of $(find "$corpus" -type f | wc -l) seeds; log $log"
  local rc=0
  # libFuzzer's own bounds: -max_total_time for the run, -timeout per input, -rss_limit_mb for
  # memory; `timeout` is the outer guard should libFuzzer itself get stuck. It runs in $build,
  # where -jobs and -fork leave their own logs.
  (cd "$build" && ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    timeout --kill-after=30 $((share + 120)) \
    "$build/tests/fuzz/fuzz_$name" "$corpus" -dict="$dict" \
    -max_total_time="$share" -timeout=5 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "${parallel[@]}" "$@" >"$log" 2>&1) \
    || rc=$?
  local summary='^(#[0-9]+.*(DONE|INITED)|stat::(number_of_executed_units|peak_rss_mb)|Done [0-9]+ runs)'
  grep -E "$summary" "$log" | tail -6 || true
  if [[ $rc -ne 0 ]]; then
    echo "fuzz $name: FAILED (exit $rc); the report:" >&2
    grep -E -A40 '^==[0-9]+==|ERROR: libFuzzer|runtime error|SUMMARY' "$log" | head -80 >&2 || true
    echo "fuzz $name: reproducer(s) in $artifacts:" >&2
    find "$artifacts" -type f | head -5 >&2
    failed=1
    return
  fi
  echo "fuzz $name: ${share}s without a crash, a hang or a leak"
}

for target in "${targets[@]}"; do
  case $target in
    topology) fuzz topology "$root/tests/fuzz/corpus" "$root/tests/fuzz/yaml.dict" "$@" ;;
    ovsdb_wire) fuzz ovsdb_wire "$root/tests/fuzz/corpus-ovsdb" "$root/tests/fuzz/ovsdb.dict" "$@" ;;
  esac
done
exit "$failed"
