#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The destroy of the star of N, awaited to completion as bench.py awaits it, for each nstopo
# binary given in turn, then the true floor's teardown; ROUNDS times, in one private sandbox.
# Prints each destroy's time and nstopo -v's phase stamps. Outside CI (minutes at N = 10,000).
#   bash bench/destroy_compare.sh 10000 1 /tmp/nstopo-old build/release/src/nstopo
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ $# -lt 3 || ! $1 =~ ^[0-9]+$ || ! $2 =~ ^[0-9]+$ ]]; then
  echo "usage: bench/destroy_compare.sh N ROUNDS NSTOPO..." >&2
  exit 2
fi
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
[[ ${NSTOPO_IN_SANDBOX:-} == 1 ]] || refresh_floor
enter_bench_sandbox "$0" "$@"
n=$1 rounds=$2
shift 2
floor=${NSTOPO_FLOOR:-$here/../build/release/bench/floor/nstopo-floor}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
write_lab_yaml bench Lab star "$n" "$work/lab.yaml"
ulimit -n "$(ulimit -Hn)"
for ((round = 1; round <= rounds; round++)); do
  for nstopo in "$@"; do
    "$nstopo" apply "$work/lab.yaml" >/dev/null
    echo "$nstopo: destroy starts $(date +%T.%N)"
    /usr/bin/time -f "$nstopo: destroy (awaited) %e s, peak RSS %M KB" -o "$work/time" \
      "$floor" await-teardown --timeout 900 -- "$nstopo" -v destroy "$work/lab.yaml" >/dev/null 2>"$work/err"
    grep -E 'reading|planning|phase' "$work/err" | sed 's/^/    /'
    cat "$work/time"
    echo "    left: $(ip -o link show | wc -l) link(s) in the host, $(find /run/netns -mindepth 1 | wc -l) namespace(s)"
  done
  "$floor" build --kind star --n "$n"
  /usr/bin/time -f "floor: teardown (awaited) %e s" \
    "$floor" await-teardown --timeout 900 -- "$floor" destroy --no-wait --kind star --n "$n"
done
