# SPDX-License-Identifier: Apache-2.0
# Edits of OVS labs that used to leave drift behind, against a real ovsdb-server and
# ovs-vswitchd started in this sandbox (issue 10, item 6): a veth port moved from a Linux bridge
# to an OVS bridge must leave the Linux bridge in the kernel, and an OVS internal port with an
# MTU and a MAC must get both on a fresh apply. Checked with ip -j and ovs-vsctl.
source "$(dirname "$0")/lib.sh"
require_ovs
vsctl() { ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 "$@"; }
trap '"$NSTOPO" ovs stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start

LAB=$WORK/ovs-edits.yaml
cat >"$LAB" <<'YAML'
name: ovs-edits
nodes:
  a:
    interfaces: {e0: {addresses: [10.60.0.1/24]}}
  b:
    interfaces: {t1: {addresses: [10.60.0.2/24], mtu: 1400, mac: "02:00:00:00:60:02"}}
bridges:
  lb1: {kind: linux}
  ob1: {kind: ovs, datapath: netdev}
links:
  - {kind: veth, endpoints: [a:e0, lb1:p0]}
  - {kind: ovs-internal, bridge: ob1, endpoint: b:t1}
YAML
link_field() { # NS IF FIELD: one field of `ip -j link show`, "" when absent
  ip -j -n "$1" link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get(sys.argv[1], ""))' "$3"
}

step "an internal port with an MTU and a MAC, on a fresh apply"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(link_field b t1 mtu)" "1400" "b:t1 has MTU 1400"
expect_eq "$(link_field b t1 address)" "02:00:00:00:60:02" "b:t1 has the file's MAC"
expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "a veth port moved from a Linux bridge to an OVS bridge"
expect_eq "$(ip -j link show p0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("master", ""))')" "lb1" "p0 starts on lb1"
sed -i 's/endpoints: \[a:e0, lb1:p0\]/endpoints: [a:e0, ob1:p0]/' "$LAB"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(ip -j link show p0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("master", ""))')" "" "p0 left lb1 in the kernel"
expect_eq "$(vsctl port-to-br p0)" "ob1" "p0 is a port of ob1"
expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
if ip netns exec a ping -c 1 -W 5 10.60.0.2 >/dev/null 2>&1 || ip netns exec a ping -c 3 -W 2 10.60.0.2 >/dev/null 2>&1; then
  pass "a reaches b's internal port through ob1"
else
  fail "a does not reach b through ob1"
fi

step "and back"
sed -i 's/endpoints: \[a:e0, ob1:p0\]/endpoints: [a:e0, lb1:p0]/' "$LAB"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(ip -j link show p0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0].get("master", ""))')" "lb1" "p0 is on lb1 again"
expect_eq "$(vsctl port-to-br p0 2>/dev/null || true)" "" "p0 is no OVS port"
expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
finish
