# SPDX-License-Identifier: Apache-2.0
# nstopo verify: the file's expectations hold on a fresh lab, fail (non-zero, naming the pair)
# when a link is removed by hand, and the JSON report has its documented shape.
source "$(dirname "$0")/lib.sh"

for lab in seeds/veth-pair seeds/linux-bridge examples/routed-chain default; do
  step "$lab"
  expect_rc 0 "apply" -- "$NSTOPO" apply "$SRC/topologies/$lab.yaml"
  expect_rc 0 "verify passes" -- "$NSTOPO" verify "$SRC/topologies/$lab.yaml"
  grep -q " 0 failed$" "$WORK/out" && pass "closing line counts no failure" || fail "verify output: $(cat "$WORK/out")"
  expect_rc 0 "destroy" -- "$NSTOPO" destroy "$SRC/topologies/$lab.yaml"
done

step "a link removed by hand"
LAB=$SRC/topologies/seeds/veth-pair.yaml
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
ip -n ns1 link del veth0
expect_rc 1 "verify fails" -- "$NSTOPO" verify "$LAB"
grep -q "veth-pair.yaml:[0-9]*:[0-9]*: error: ns1 -> ns2 (10.1.1.3 icmp): expected reachable, got unreachable" "$WORK/err" \
  && pass "names the failing pair and its line" || fail "stderr: $(cat "$WORK/err")"
expect_rc 1 "verify --json" -- "$NSTOPO" verify --json "$LAB"
python3 - "$WORK/out" <<'PY' && pass "json report" || fail "json report: $(cat "$WORK/out")"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["lab"] == "veth-pair" and report["ok"] is False
first = report["results"][0]
assert {"from", "to", "address", "protocol", "expected_reachable", "reachable", "ok", "rtt_ms"} <= set(first)
assert first["from"] == "ns1" and first["reachable"] is False and first["ok"] is False
PY
expect_rc 0 "apply repairs the lab" -- "$NSTOPO" apply "$LAB"
expect_rc 0 "verify passes again" -- "$NSTOPO" verify "$LAB"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_rc 1 "verify without the lab" -- "$NSTOPO" verify "$LAB"
grep -q "namespace 'ns1' does not exist: apply lab 'veth-pair' first" "$WORK/err" && pass "says to apply first" || fail "stderr: $(cat "$WORK/err")"
ip netns add ns1
expect_rc 1 "verify refuses a namespace of the same name made by someone else" -- "$NSTOPO" verify "$LAB"
grep -q "error: namespace 'ns1' does not belong to lab 'veth-pair'" "$WORK/err" && pass "names the stranger" || fail "stderr: $(cat "$WORK/err")"
ip netns del ns1
finish
