# SPDX-License-Identifier: Apache-2.0
# The benchmark at N=10 with one repetition (star, chain and, with Open vSwitch installed, the two
# OVS stars), and the generated-labs benchmark at N=40, so they keep working; it fails when a
# contender fails or leaves anything behind. The true floor (bench/floor, NSTOPO_FLOOR) must reach
# the same kernel state as nstopo, compared in full by bench/floor/dump_state.py. The full runs are `bash bench/run.sh` and
# `bash bench/generated.sh` (docs/performance.md).
source "$(dirname "$0")/lib.sh"
OUT=$WORK/results
FLOOR=${NSTOPO_FLOOR:-}
expect_rc 0 "bench/run.sh --smoke" -- python3 "$SRC/bench/bench.py" --nstopo "$NSTOPO" --floor "$FLOOR" --out "$OUT" --smoke
python3 - "$OUT/results.json" "$FLOOR" <<'PY' && pass "every contender has a positive time" || fail "results: $(cat "$OUT/results.json")"
import json, shutil, sys
runs = json.load(open(sys.argv[1]))["runs"]
linux = ("nstopo", "ip-batch", "floor", "shell") + (("true-floor",) if sys.argv[2] else ())
kinds = {"star": linux, "chain": linux}
if shutil.which("ovs-vswitchd"):
    kinds.update({"ovs-veth": ("nstopo", "ip-batch", "shell"), "ovs-internal": ("nstopo", "ip-batch", "shell")})
else:
    print("SKIP part: Open vSwitch is not installed, no OVS star")
for kind, contenders in kinds.items():
    row = runs[kind]["10"]
    for contender in contenders:
        assert row[contender]["build"] > 0, (kind, contender)
    assert row["nstopo-noop"] > 0 and row["nstopo-change"] > 0, kind
    # nstopo -v's verification span, read from its log: the part of the apply the floor has no
    # twin of, so it lies inside the build.
    assert 0 < row["nstopo"]["verify"] < row["nstopo"]["build"], (kind, row["nstopo"])
    assert abs(row["nstopo"]["unverified"] + row["nstopo"]["verify"] - row["nstopo"]["build"]) < 1e-6
PY
grep -q "| 10 |" "$OUT/results.md" && pass "markdown table written" || fail "no table"

step "true floor (bench/floor): nstopo's end state, and a destroy that leaves nothing"
if [[ -z $FLOOR ]]; then
  echo "SKIP part: NSTOPO_FLOOR is not set (nstopo-floor is built with the tests)"
else
  for kind in star chain; do
    PYTHONPATH=$SRC/bench python3 -c "import bench, sys; sys.stdout.write(bench.Lab('$kind', 10).yaml())" >"$WORK/$kind.yaml"
    expect_rc 0 "nstopo apply $kind N=10" -- "$NSTOPO" apply "$WORK/$kind.yaml"
    python3 "$SRC/bench/floor/dump_state.py" >"$WORK/$kind-nstopo.json"
    expect_rc 0 "nstopo destroy $kind, awaited until the kernel is done" -- \
      "$FLOOR" await-teardown --timeout 60 -- "$NSTOPO" destroy "$WORK/$kind.yaml"
    expect_eq "$(root_links)|$(netns_list)" "lo |" "nothing left by nstopo ($kind)"
    expect_rc 0 "nstopo-floor build $kind N=10" -- "$FLOOR" build --kind "$kind" --n 10
    python3 "$SRC/bench/floor/dump_state.py" >"$WORK/$kind-floor.json"
    if python3 "$SRC/bench/floor/dump_state.py" --compare "$WORK/$kind-nstopo.json" \
      "$WORK/$kind-floor.json" >"$WORK/$kind.diff"; then
      pass "the floor's $kind is nstopo's, link for link, address for address, sysctl for sysctl"
    else
      fail "the floor's $kind differs from nstopo's:"
      head -80 "$WORK/$kind.diff" >&2
    fi
    expect_rc 0 "nstopo-floor destroy $kind (waits for the kernel)" -- \
      "$FLOOR" destroy --timeout 60 --kind "$kind" --n 10
    expect_eq "$(root_links)|$(netns_list)" "lo |" "nothing left by the floor ($kind)"
  done
fi

step "Mininet side by side (bench/mininet_lab.py): nstopo's lab of mn's end state is a valid file"
# Mininet itself is optional and slow (bench/run.sh --topologies mininet); its lab file is not.
for kind in mininet-lxbr mininet-ovs; do
  PYTHONPATH=$SRC/bench python3 -c "import mininet_lab, sys; sys.stdout.write(mininet_lab.MininetLab('$kind', 300).yaml())" >"$WORK/$kind.yaml"
  expect_rc 0 "validate $kind N=300" -- "$NSTOPO" validate "$WORK/$kind.yaml"
done

step "generated labs (bench/generated.py --smoke): generate, apply, verify, no-op plan, destroy"
expect_rc 0 "bench/generated.sh --smoke" -- python3 "$SRC/bench/generated.py" --nstopo "$NSTOPO" --out "$OUT" --smoke
python3 - "$OUT/generated.json" <<'PY' && pass "star and leaf-spine measured, with their namespace counts" || fail "results: $(cat "$OUT/generated.json")"
import json, sys
runs = json.load(open(sys.argv[1]))["runs"]
assert runs["star"]["40"]["namespaces"] == 41, runs["star"]
assert runs["leaf-spine"]["40"]["namespaces"] == 35, runs["leaf-spine"]
for shape in ("star", "leaf-spine"):
    row = runs[shape]["40"]
    assert all(row[k] > 0 for k in ("apply", "verify", "noop", "destroy")), row
PY
finish
