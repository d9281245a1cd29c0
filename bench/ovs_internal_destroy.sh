#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Times `nstopo destroy` of bench/ovs_lab.py's ovs-internal star of N internal ports, on a private
# Open vSwitch (userspace datapath), for each given nstopo binary in turn, ROUNDS times,
# interleaved so the machine's other work weighs on every binary alike. Each round applies the
# star with the binary it then times. Prints each time and each binary's median.
# Runs inside the sandbox (it re-executes itself there); set BENCH_LOCK=/work/bench.lock to hold
# that lock for the whole run. Bounded: each apply and destroy runs under a timeout.
#   BENCH_LOCK=/work/bench.lock bash bench/ovs_internal_destroy.sh 500 3 OLD-NSTOPO NEW-NSTOPO
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
enter_bench_sandbox "$0" "$@"
if [[ $# -lt 3 ]]; then
  echo "usage: ovs_internal_destroy.sh N ROUNDS NSTOPO..." >&2
  exit 2
fi
n=$1
rounds=$2
shift 2
work=$(mktemp -d)
trap '"$1" ovs stop >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
"$1" ovs start >/dev/null
write_lab_yaml ovs_lab OvsLab ovs-internal "$n" "$work/lab.yaml"
echo "ovs-internal star N=$n, $rounds rounds, kernel $(uname -r), $(nproc) cores, $(date -u +%FT%TZ)"
for round in $(seq 1 "$rounds"); do
  for binary in "$@"; do
    timeout 300 "$binary" apply "$work/lab.yaml" >/dev/null
    start=${EPOCHREALTIME/./}
    timeout 300 "$binary" destroy "$work/lab.yaml" >/dev/null
    ms=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
    echo "round $round $binary destroy $ms ms"
    echo "$ms" >>"$work/$(echo "$binary" | md5sum | cut -c1-8)"
  done
done
for binary in "$@"; do
  echo "median $(sort -n "$work/$(echo "$binary" | md5sum | cut -c1-8)" | \
    awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}') ms  $binary"
done
