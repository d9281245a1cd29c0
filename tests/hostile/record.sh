#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Records the first problem nstopo reports for each hostile file into expected.tsv. Read the
# result before committing it: a message that is unclear or points at the wrong place is a bug.
set -euo pipefail
cd "$(dirname "$0")"
nstopo=${1:?usage: record.sh path/to/nstopo}
for f in *.yaml; do
  printf '%s\t%s\n' "$f" "$("$nstopo" validate "$f" 2>&1 >/dev/null | head -1 | sed "s|^$f|FILE|")"
done >expected.tsv
