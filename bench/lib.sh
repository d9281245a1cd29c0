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

# write_lab_yaml MODULE CLASS KIND N FILE: the YAML of bench/MODULE.py's CLASS(KIND, N) in FILE.
write_lab_yaml() {
  python3 -c "import sys; sys.path.insert(0, sys.argv[1]); import $1; \
open(sys.argv[4], 'w').write($1.$2(sys.argv[2], int(sys.argv[3])).yaml())" "$here" "$3" "$4" "$5"
}
