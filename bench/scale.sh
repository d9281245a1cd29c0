#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One large lab of bench/bench.py, end to end, inside a private sandbox: apply, a no-op apply,
# plan --detailed-exitcode (the lab is the file's), destroy; each timed with its peak RSS, and
# nstopo -v's phase times. What issue 17 measures at N = 10,000 (about 3-6 minutes a lab here).
#   bash bench/scale.sh star 10000       # ten Linux bridges of 1000 ports
#   bash bench/scale.sh chain 10000      # a line of 10,000 namespaces, routes both ways
# NSTOPO picks the binary (default: the release build). Outside CI: too long for it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ $# -ne 2 || ! $1 =~ ^(star|chain)$ || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: bench/scale.sh star|chain N" >&2
  exit 2
fi
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
enter_bench_sandbox "$0" "$@"
kind=$1 n=$2
nstopo=${NSTOPO:-$here/../build/release/src/nstopo}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_lab_yaml bench Lab "$kind" "$n" "$work/lab.yaml"
ulimit -n "$(ulimit -Hn)"  # nstopo needs a file per namespace plus 160
# timed NAME ARGS...: one nstopo run; prints its exit code, seconds and peak RSS.
timed() {
  local name=$1
  shift
  local rc=0
  /usr/bin/time -f "%e %M" -o "$work/time.$name" "$nstopo" "$@" >"$work/out.$name" 2>"$work/err.$name" || rc=$?
  read -r seconds rss_kb <"$work/time.$name"
  printf '%-8s rc=%s %8.2f s  peak RSS %6.1f MiB\n' "$name" "$rc" "$seconds" "$(echo "$rss_kb / 1024" | bc -l)"
  if [[ $rc != 0 ]]; then tail -5 "$work/err.$name" >&2; fi
}
# phases NAME: nstopo -v's phase lines with the seconds until the next one.
phases() {
  grep -o '[0-9:.]*: phase [a-z0-9-]*: [0-9]* step(s)' "$work/err.$1" | python3 -c '
import sys
rows = [line.split(": phase ") for line in sys.stdin.read().splitlines()]
def secs(t):
    h, m, s = t.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
for i, (t, what) in enumerate(rows):
    end = secs(rows[i + 1][0]) if i + 1 < len(rows) else None
    print(f"    {what:40} " + (f"{end - secs(t):7.2f} s" if end is not None else "   (last)"))
'
}
echo "$kind N=$n ($(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg))"
timed apply -v apply "$work/lab.yaml"
phases apply
echo "    namespaces: $(find /run/netns -mindepth 1 | wc -l), links in the host: $(ip -o link show | wc -l)"
# A fresh lab keeps the kernel busy for a while (the router solicitations and MLD reports that
# each node end sends once its IPv6 address is set up, which each bridge floods to its other
# ports): about 15 s for the star of 3000, the same after the true floor's build. Measured
# during it, a no-op shares the cores with that work (docs/performance.md).
settled=$(date +%s.%N)
settle 120
echo "    the machine was quiet $(awk -v a="$settled" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s after the apply"
timed no-op apply "$work/lab.yaml"
timed plan plan --detailed-exitcode "$work/lab.yaml"
timed destroy -v destroy "$work/lab.yaml"
phases destroy
echo "    left: $(find /run/netns -mindepth 1 | wc -l) namespaces, $(ip -o link show | wc -l) link(s) in the host"
