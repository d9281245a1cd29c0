#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The apply of a fresh lab of N namespaces (star or chain) for each nstopo binary given,
# alternated ROUNDS times in one private sandbox: each apply and each destroy starts on a quiet
# machine (settle), so one build's leftover kernel work does not land on the next; then each
# binary's sorted apply times in milliseconds. Outside CI.
#   bash bench/apply_compare.sh star 100 6 /tmp/nstopo-old build/release/src/nstopo
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
start_compare "$0" "$@"
shift 3
for ((round = 1; round <= rounds; round++)); do
  for i in $(seq "$#"); do
    settle 60
    start=$(date +%s%N)
    "${!i}" apply "$work/lab.yaml" >/dev/null
    end=$(date +%s%N)
    echo $(((end - start) / 1000000)) >>"$work/times.$i"
    settle 60
    "${!i}" destroy "$work/lab.yaml" >/dev/null
  done
done
for i in $(seq "$#"); do
  echo "${!i}: $(sort -n "$work/times.$i" | tr '\n' ' ')ms"
done
