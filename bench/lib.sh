# SPDX-License-Identifier: Apache-2.0
# Shared by the bench scripts, sourced after `set -euo pipefail` and `here=...` (bench/).

# enter_bench_sandbox SCRIPT ARGS...: runs SCRIPT again with ARGS inside the private sandbox
# (a new mount + network namespace with its own /run, tests/integration/sandbox.sh), first under
# flock "$BENCH_LOCK" when that is set, so timings never overlap another benchmark's. Returns
# only when already inside the sandbox.
enter_bench_sandbox() {
  local script=$1
  shift
  if [[ -n ${BENCH_LOCK:-} ]]; then
    exec env -u BENCH_LOCK flock "$BENCH_LOCK" bash "$script" "$@"
  fi
  if [[ ${NSTOPO_IN_SANDBOX:-} != 1 ]]; then
    exec "$here/../tests/integration/sandbox.sh" bash "$script" "$@"
  fi
}

# start_compare SCRIPT ARGS...: the start of a KIND N ROUNDS NSTOPO... comparison script
# (apply_compare.sh, noop_compare.sh): checks the arguments, enters the bench sandbox, and sets
# kind, n and rounds, and work (a directory removed at exit) holding the lab's lab.yaml.
start_compare() {
  local script=$1
  shift
  if [[ $# -lt 4 || ! $1 =~ ^(star|chain)$ || ! $2 =~ ^[0-9]+$ || ! $3 =~ ^[0-9]+$ ]]; then
    echo "usage: bench/$(basename "$script") star|chain N ROUNDS NSTOPO..." >&2
    exit 2
  fi
  enter_bench_sandbox "$script" "$@"
  kind=$1 n=$2 rounds=$3
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  write_lab_yaml bench Lab "$kind" "$n" "$work/lab.yaml"
  ulimit -n "$(ulimit -Hn)"
}

# write_lab_yaml MODULE CLASS KIND N FILE: the YAML of bench/MODULE.py's CLASS(KIND, N) in FILE.
write_lab_yaml() {
  python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import $1; \
open(sys.argv[4], 'w').write($1.$2(sys.argv[2], int(sys.argv[3])).yaml())" "$here" "$3" "$4" "$5"
}

# refresh_floor: brings build/release's nstopo-floor up to date with the source (cmake builds
# nothing when it is), so a run never measures a stale floor: one from before fdbd6f8 failed at
# N = 10,000 with "Too many open files". Only when NSTOPO_FLOOR does not name another binary and
# the release preset is configured; a failed build is reported and leaves the old binary.
refresh_floor() {
  local release=$here/../build/release
  if [[ -z ${NSTOPO_FLOOR:-} && -f $release/CMakeCache.txt ]]; then
    cmake --build "$release" --target nstopo-floor >/dev/null 2>&1 ||
      echo "bench: rebuilding nstopo-floor failed (cmake --build $release --target nstopo-floor)" >&2
  fi
}

# settle [LIMIT]: waits until the machine is quiet (bench.py's settle: three quiet samples in a
# row, at most LIMIT seconds, default bench.py's SETTLE_LIMIT), so the kernel's work from the
# step before (a fresh lab's IPv6 start-up, a teardown's cleanup) is not charged to the next
# measurement.
settle() {
  python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import bench; \
bench.settle(float(sys.argv[2]) if len(sys.argv) > 2 else None)" "$here" "$@"
}
