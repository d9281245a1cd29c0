#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds of the same lab by several contenders, measured in one run on one machine, inside a
# private sandbox (a new mount + network namespace with its own /run), so the machine's own
# interfaces and /run/netns are never touched.
#   bash bench/run.sh                    # full run: N = 10,100,500,1000, star and chain, and the
#                                        # OVS stars (ovs-veth, ovs-internal) up to --ovs-max 500
#   bash bench/run.sh --smoke            # N = 10, one repetition (CI keeps it working)
#   bash bench/run.sh --sizes 10,100 --reps 5 --topologies star
#   bash bench/run.sh --sizes 10,100,500 --topologies mininet --merge   # Mininet side by side
# Before a run other than --smoke, bench/setup.sh installs what is missing (Mininet,
# bridge-utils, gnuplot) when it can; NSTOPO_BENCH_SETUP=0 skips that. --smoke needs none of it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ ${NSTOPO_IN_SANDBOX:-} != 1 ]]; then
  if [[ " $* " != *" --smoke "* && ${NSTOPO_BENCH_SETUP:-1} != 0 ]] &&
    ! bash "$here/setup.sh" --check >/dev/null; then
    # Outside the sandbox: apt needs the machine's /var. A failure only costs the optional
    # contenders, which the benchmark then reports as skipped.
    bash "$here/setup.sh" || echo "bench/run.sh: setup incomplete, optional contenders may be skipped" >&2
  fi
  if [[ " $* " != *" --smoke "* ]]; then
    # shellcheck source=bench/lib.sh
    source "$here/lib.sh"
    refresh_floor
  fi
  exec "$here/../tests/integration/sandbox.sh" bash "$0" "$@"
fi
nstopo=${NSTOPO:-$here/../build/release/src/nstopo}
# The true floor (bench/floor): cmake --build --preset release --target nstopo-floor.
floor=${NSTOPO_FLOOR:-$here/../build/release/bench/floor/nstopo-floor}
exec python3 "$here/bench.py" --nstopo "$nstopo" --floor "$floor" --out "$here/results" "$@"
