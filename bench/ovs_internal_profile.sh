#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Where the ovs-internal star's time goes (issue 17 item 4): `nstopo -v apply` and `nstopo -v
# destroy` of bench/ovs_lab.py's star of N internal ports on a private Open vSwitch (userspace
# datapath), each under `perf record`. Prints for each:
#   - the wall time and the time between nstopo's own -v log lines (its phases),
#   - the top on-CPU symbols (kernel and user) of nstopo, ovs-vswitchd, ovsdb-server and the
#     kernel workers, sampled machine-wide (cpu-clock) and filtered to those commands,
#   - the top off-CPU waits of nstopo and ovs-vswitchd: the time between a task's sched_switch out
#     and its next switch in, summed by the kernel call chain it slept in (where the moves wait).
# The machine is shared, so the on-CPU percentages are of the listed commands' samples only.
# Runs inside the sandbox (it re-executes itself there); set BENCH_LOCK=/work/bench.lock to hold
# that lock for the whole run. Bounded: apply and destroy each run under a timeout.
#   BENCH_LOCK=/work/bench.lock bash bench/ovs_internal_profile.sh [N=200]
# NSTOPO names the binary (default build/release/src/nstopo, else build/dev/src/nstopo).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
enter_bench_sandbox "$0" "$@"
n=${1:-200}
nstopo=${NSTOPO:-$here/../build/release/src/nstopo}
[[ -x $nstopo ]] || nstopo=$here/../build/dev/src/nstopo
if ! perf record -o /dev/null -e cpu-clock -- true 2>/dev/null; then
  echo "perf cannot record here (perf_event_paranoid $(cat /proc/sys/kernel/perf_event_paranoid))"
  exit 1
fi
work=$(mktemp -d)
trap '"$nstopo" ovs stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$nstopo" ovs start >/dev/null
write_lab_yaml ovs_lab OvsLab ovs-internal "$n" "$work/lab.yaml"
echo "ovs-internal star N=$n, $nstopo, kernel $(uname -r), $(nproc) cores (shared), $(date -u +%FT%TZ)"

for command in apply destroy; do
  start=${EPOCHREALTIME/./}
  timeout 300 perf record -q -a -g -e cpu-clock -e sched:sched_switch -o "$work/$command.data" -- \
    "$nstopo" -v "$command" "$work/lab.yaml" >"$work/$command.out" 2>"$work/$command.log"
  echo
  echo "=== nstopo $command: $(( (${EPOCHREALTIME/./} - start) / 1000 )) ms under perf"
  perf script -i "$work/$command.data" -F comm,tid,time,event,trace,ip,sym 2>/dev/null |
    python3 "$here/ovs_internal_profile.py" "$work/$command.log"
done
