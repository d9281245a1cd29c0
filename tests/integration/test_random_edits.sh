# SPDX-License-Identifier: Apache-2.0
# Random mutation property test (issue 10, "How to prove it"): random valid labs A and a random
# edit B of each, against the real kernel and an Open vSwitch started in this sandbox. For each
# pair apply A then B must exit 0, an independent read (ip -j in every namespace, ovs-vsctl)
# must equal what B describes, plan --detailed-exitcode must exit 0 and destroy must leave
# nothing; some pairs also get the rollback sweep (NSTOPO_FAULT_INJECT_AT=N for every N: the
# read after each failed run equals the read before it) and the crash sweep (SIGKILL of apply B
# at evenly spread points: the next apply converges, destroy leaves nothing, nothing is ever
# foreign). The generator and checks are tests/property/*.py; the seed is printed, and every
# failure prints its replay command and both files. NSTOPO_PROPERTY_PAIRS, _SEED, _ROLLBACK,
# _CRASH, _KILLS and _ALL_EDITS tune a run (tests/property/run_pairs.py, docs/reliability.md).
source "$(dirname "$0")/lib.sh"
require_link_kinds macvlan
require_ovs
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "SKIP: python3-yaml is not installed"
  exit 77
fi
trap '"$NSTOPO" ovs stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start
PYTHONDONTWRITEBYTECODE=1 python3 "$SRC/tests/property/run_pairs.py"
