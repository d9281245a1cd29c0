# SPDX-License-Identifier: Apache-2.0
# A rollback says "the machine is as it was" only after reading the machine again and finding it
# equal to the read before the run (issue 10, item 2). A driver that reports an undo step done
# without doing it (NSTOPO_FAULT_DROP_AT) must turn that into exit 3 and the difference.
source "$(dirname "$0")/lib.sh"
LAB=$WORK/rollback-check.yaml
cat >"$LAB" <<'YAML'
name: rollback-check
nodes:
  a:
    interfaces: {e1: {addresses: [10.1.0.1/24]}}
    routes: [{to: 10.9.0.0/16, via: 10.1.0.2}]
  b:
    interfaces: {e2: {addresses: [10.1.0.2/24]}}
links:
  - {kind: veth, endpoints: [a:e1, b:e2]}
YAML
route_count() { ip -j -n a route show 10.9.0.0/16 | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

step "apply"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(route_count)" "1" "the route is there"
sed -i 's|10.1.0.1/24|10.1.0.3/24|' "$LAB"

step "a rollback that is exact says so"
# Operations: delete the route, delete 10.1.0.1, add 10.1.0.3, add the route (fails here).
expect_rc 1 "the fourth operation fails" -- env NSTOPO_FAULT_INJECT_AT=4 "$NSTOPO" apply "$LAB"
grep -q "the machine is as it was before this run" "$WORK/err" && pass "says the machine is as it was" || fail "$(cat "$WORK/err")"
expect_eq "$(route_count)" "1" "the route is back"

step "a rollback that lost a step says what differs"
# The undo runs newest first: the seventh operation puts the route back; it is dropped.
expect_rc 3 "exit 3" -- env NSTOPO_FAULT_INJECT_AT=4 NSTOPO_FAULT_DROP_AT=7 "$NSTOPO" apply "$LAB"
grep -q "after the rollback the machine differs from before: - route a: 10.9.0.0/16 via 10.1.0.2 dev e1 metric 0" "$WORK/err" \
  && pass "names the missing route" || fail "$(cat "$WORK/err")"
grep -q "the machine is as it was" "$WORK/err" && fail "still claims the machine is as it was" || pass "does not claim an exact rollback"
expect_eq "$(route_count)" "0" "the route is really missing (ip -j)"

step "the next apply converges"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
finish
