# SPDX-License-Identifier: Apache-2.0
# Make the Nth kernel operation fail, for every N of a mid-sized lab, both while building it and
# while changing it: each failed run must leave the machine exactly as it was.
source "$(dirname "$0")/lib.sh"
LAB=$(copy_topology default.yaml)

ip netns add bystander
ip link add by0 type veth peer name by1 netns bystander

step "building the lab, failing each operation in turn"
before=$(snapshot)
n=1
while :; do
  rc=0
  NSTOPO_FAULT_INJECT_AT=$n "$NSTOPO" apply "$LAB" >"$WORK/out" 2>"$WORK/err" || rc=$?
  if [[ $rc == 0 ]]; then
    break  # n is past the last operation: the run went through
  fi
  if [[ $rc != 1 ]]; then
    fail "operation $n: exit $rc (rollback left something?)"; cat "$WORK/err" >&2
  fi
  grep -q "injected failure of operation $n" "$WORK/err" || fail "operation $n: the error does not name the injected failure"
  after=$(snapshot)
  if [[ "$after" == "$before" ]]; then
    pass "operation $n failed and the machine is unchanged"
  else
    fail "operation $n: the machine changed"; diff <(echo "$before") <(echo "$after") >&2 || true
  fi
  n=$((n + 1))
  if [[ $n -gt 200 ]]; then fail "no successful run within 200 operations"; break; fi
done
expect_eq "$(( n > 10 ))" "1" "the lab took more than ten operations ($((n - 1)))"
expect_rc 0 "the lab is complete after the run that got through" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "changing the lab, failing each operation in turn"
sed -i 's|10.10.0.12/24|10.10.0.13/24|; s|net.ipv4.ip_forward: 1|net.ipv4.ip_forward: 0|; s|- {kind: veth, endpoints: \[c2:eth0, br-lan:lan-c2\]}|- {kind: veth, endpoints: [c2:eth0, router:c2]}|' "$LAB"
sed -i 's|^  c2:$|  c2:|' "$LAB"
before=$(snapshot)
n=1
while :; do
  rc=0
  NSTOPO_FAULT_INJECT_AT=$n "$NSTOPO" apply "$LAB" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ $rc == 0 ]] && break
  after=$(snapshot)
  if [[ "$after" == "$before" ]]; then
    pass "change operation $n failed and the lab is as before"
  else
    fail "change operation $n: the machine changed"; diff <(echo "$before") <(echo "$after") >&2 || true
  fi
  n=$((n + 1))
  if [[ $n -gt 200 ]]; then fail "no successful run within 200 operations"; break; fi
done
expect_rc 0 "the changed lab is complete" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "bystander " "only the bystander is left"
finish
