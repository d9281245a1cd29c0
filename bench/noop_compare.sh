#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The no-op apply of a lab of N namespaces (star or chain) for each nstopo binary given,
# alternated ROUNDS times in one private sandbox, once the machine is quiet after the apply
# (a fresh lab keeps the kernel busy for a while: docs/performance.md); then each binary's
# sorted times. With NOOP_UNSETTLED=1 the rounds start right after the apply. Outside CI.
#   bash bench/noop_compare.sh chain 3000 6 /tmp/nstopo-old build/release/src/nstopo
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
start_compare "$0" "$@"
shift 3
"$1" apply "$work/lab.yaml" >/dev/null
if [[ ${NOOP_UNSETTLED:-0} != 1 ]]; then
  settle 120
fi
for ((round = 1; round <= rounds; round++)); do
  for i in $(seq "$#"); do
    /usr/bin/time -a -o "$work/times.$i" -f "%e" "${!i}" apply "$work/lab.yaml" >/dev/null
  done
done
for i in $(seq "$#"); do
  echo "${!i}: $(sort -n "$work/times.$i" | tr '\n' ' ')s"
done
"$1" destroy "$work/lab.yaml" >/dev/null
