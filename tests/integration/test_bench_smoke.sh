# SPDX-License-Identifier: Apache-2.0
# The benchmark at N=10 with one repetition, so it keeps working; it fails when a contender
# fails or leaves anything behind. The full run is `bash bench/run.sh` (docs/performance.md).
source "$(dirname "$0")/lib.sh"
OUT=$WORK/results
expect_rc 0 "bench/run.sh --smoke" -- python3 "$SRC/bench/bench.py" --nstopo "$NSTOPO" --out "$OUT" --smoke
python3 - "$OUT/results.json" <<'PY' && pass "every contender has a positive time" || fail "results: $(cat "$OUT/results.json")"
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
for kind in ("star", "chain"):
    row = runs[kind]["10"]
    for contender in ("nstopo", "ip-batch", "floor", "shell"):
        assert row[contender]["build"] > 0, (kind, contender)
    assert row["nstopo-noop"] > 0
PY
grep -q "| 10 |" "$OUT/results.md" && pass "markdown table written" || fail "no table"
finish
