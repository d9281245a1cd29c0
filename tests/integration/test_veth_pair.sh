# SPDX-License-Identifier: Apache-2.0
# Seed 002 "direct": apply, ping, idempotence, edits, destroy; a foreign veth and namespace made
# by hand before apply survive untouched.
source "$(dirname "$0")/lib.sh"
LAB=$(copy_topology seeds/veth-pair.yaml)

step "foreign objects made by hand"
ip netns add hand-made
ip link add hand0 type veth peer name hand1 netns hand-made
ip -n hand-made addr add 192.0.2.9/24 dev hand1
# ...and a foreign address and routes in the host, one with nstopo's own protocol number.
ip link set hand0 up
ip addr add 198.51.100.1/24 dev hand0
ip route add 203.0.113.0/24 via 198.51.100.2 dev hand0
ip route add 203.0.114.0/24 dev hand0 proto 152

step "first apply"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(netns_list)" "hand-made ns1 ns2 " "namespaces ns1 and ns2 exist beside the foreign one"
expect_reach ns1 10.1.1.3
expect_reach ns2 10.1.1.2
expect_eq "$(ip -n ns1 -d link show veth0 | grep -c 'alias nstopo:veth-pair:ns2/veth1')" "1" "veth end carries the lab's mark"
expect_eq "$(ip -n ns1 link show lo | grep -c 'UP')" "1" "loopback is up"
[[ -f /run/nstopo/veth-pair/lab.json ]] && pass "the lab's record exists" || fail "no record after apply"
[[ ! -e /run/nstopo/veth-pair/journal.json ]] && pass "the run's journal is gone" || fail "journal left after a clean run"
expect_eq "$(stat -c %a /run/nstopo/veth-pair)" "700" "the state directory is private"

step "second apply changes nothing"
expect_rc 0 "second apply" -- "$NSTOPO" apply "$LAB"
grep -q "No changes" "$WORK/out" && pass "second apply reports no changes" || fail "second apply changed something"
expect_rc 0 "plan --detailed-exitcode on an unchanged lab" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "edit: change an address"
sed -i 's|10.1.1.3/24|10.1.1.4/24|' "$LAB"
expect_rc 2 "plan --detailed-exitcode sees the change" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep -c '^[-+~] ' "$WORK/out")" "2" "the plan is two lines"
grep -q '^- address 10.1.1.3/24 on ns2:veth1$' "$WORK/out" && pass "old address removed" || fail "no delete line"
grep -q '^+ address 10.1.1.4/24 on ns2:veth1$' "$WORK/out" && pass "new address added" || fail "no add line"
IFINDEX_BEFORE=$(ip -n ns2 -o link show veth1 | cut -d: -f1)
expect_rc 0 "apply the edit" -- "$NSTOPO" apply "$LAB"
expect_eq "$(ip -n ns2 -o link show veth1 | cut -d: -f1)" "$IFINDEX_BEFORE" "the link was changed in place"
expect_reach ns1 10.1.1.4
expect_no_reach ns1 10.1.1.3

step "plan --json"
expect_rc 0 "plan --json" -- "$NSTOPO" plan --json "$LAB"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["changes"] is False and d["steps"]==[], d' "$WORK/out" \
  && pass "json plan is empty and well formed" || fail "json plan"

step "show and list"
expect_rc 0 "show" -- "$NSTOPO" show "$LAB"
grep -q 'veth1 .*peer ns1:veth0 10.1.1.4/24' "$WORK/out" && pass "show lists the live veth" || fail "show output"
expect_rc 0 "list" -- "$NSTOPO" list --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); l=[x for x in d["labs"] if x["lab"]=="veth-pair"]; assert l and sorted(l[0]["namespaces"])==["ns1","ns2"], d' "$WORK/out" \
  && pass "list finds the lab and its namespaces" || fail "list output"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "hand-made " "only the foreign namespace is left"
expect_eq "$(root_links)" "hand0 lo " "only the foreign veth is left in the root namespace"
expect_eq "$(ip -n hand-made -br addr show hand1 | grep -c 192.0.2.9/24)" "1" "foreign address untouched"
expect_eq "$(ip -br addr show hand0 | grep -c 198.51.100.1/24)" "1" "foreign host address untouched"
expect_eq "$(ip route show 203.0.113.0/24 | grep -c 'via 198.51.100.2 dev hand0')" "1" "foreign host route untouched"
expect_eq "$(ip route show 203.0.114.0/24 proto 152 | grep -c 'dev hand0')" "1" "a foreign route with nstopo's protocol number, untouched"
[[ ! -e /run/nstopo/veth-pair ]] && pass "the lab's record is gone" || fail "record left under /run/nstopo"
expect_rc 0 "destroy again is a no-op" -- "$NSTOPO" destroy "$LAB"
finish
