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

step "a lab with more probes than one batch: verify empties the lab's neighbour caches between batches"
# 20 hosts and the bridge's node, all pairs: 420 probes, batches of 128 (half of the kernel's default gc_thresh3 of
# 1024 at four entries a probe: docs/performance.md, "Generated labs")
"$NSTOPO" generate star -n 20 --name batches -o "$WORK/batches.yaml"
sed -i 's/^verify:$/verify:\n  all_pairs: true/' "$WORK/batches.yaml"
expect_rc 0 "apply the star" -- "$NSTOPO" apply "$WORK/batches.yaml"
ip -n h1 neigh add 10.99.0.99 lladdr 02:00:00:00:00:99 dev eth0 nud permanent
expect_rc 0 "verify passes" -- "$NSTOPO" -v verify "$WORK/batches.yaml"
expect_eq "$(grep -c "learned neighbours of 21 nodes flushed" "$WORK/err")" "3" "flushed three times: between the four batches, not after the last"
grep -q "^420 passed, 0 failed" "$WORK/out" && pass "420 probes" || fail "out: $(tail -1 "$WORK/out")"
expect_eq "$(ip -n h1 -j neigh show 10.99.0.99 | jq -r '.[0].state[0]')" "PERMANENT" "an entry set by hand stays"
expect_eq "$(grep -c ' -> ' "$WORK/out")" "420" "past 24 targets, one line per probe instead of a matrix"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$WORK/batches.yaml"
finish
