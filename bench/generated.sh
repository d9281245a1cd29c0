#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Generated labs at scale (docs/performance.md): a star and a leaf-spine from `nstopo generate`,
# applied, verified, re-applied and destroyed, inside a private sandbox like bench/run.sh.
#   bash bench/generated.sh                  # N = 100 and 1000
#   bash bench/generated.sh --smoke          # N = 40
#   bash bench/generated.sh --sizes 1000 --shapes star
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ ${NSTOPO_IN_SANDBOX:-} != 1 ]]; then
  exec "$here/../tests/integration/sandbox.sh" bash "$0" "$@"
fi
nstopo=${NSTOPO:-$here/../build/release/src/nstopo}
exec python3 "$here/generated.py" --nstopo "$nstopo" --out "$here/results" "$@"
