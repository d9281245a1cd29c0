# SPDX-License-Identifier: Apache-2.0
# Seed 002 "through a bridge": apply, ping across the bridge, idempotence, add a third namespace,
# remove a link, destroy --lab without the file.
source "$(dirname "$0")/lib.sh"
LAB=$(copy_topology seeds/linux-bridge.yaml)

ip link add foreign-br type bridge
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_reach ns1 10.1.1.3
expect_eq "$(ip -d link show br0 | grep -o 'stp_state [0-9]')" "stp_state 0" "STP is off"
expect_eq "$(ip -o link show master br0 | wc -l)" "2" "two ports on br0"
expect_rc 0 "plan --detailed-exitcode after apply" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "bridge ports get no IPv6 (no link-local address, no multicast route); the nodes' ends do"
gen_mode() { ip -j -d link show "$@" | jq -r '.[0].inet6_addr_gen_mode // "none reported"'; }
ipv6_count() { ip -j -6 addr show "$@" | jq '[.[0].addr_info[]?] | length'; }
ipv6_disabled() { cat "/proc/sys/net/ipv6/conf/$1/disable_ipv6"; }
routes_of() { ip -j -6 route show table all | jq --arg dev "$1" '[.[] | select(.dev == $dev)] | length'; }
node_has_link_local() { [[ $(ip -n ns1 -j -6 addr show dev veth0 scope link | jq '[.[0].addr_info[]?] | length') -ge 1 ]]; }
expect_eq "$(gen_mode br-veth0)/$(gen_mode br-veth1)" "none/none" "both ports have addr_gen_mode none"
expect_eq "$(ipv6_count dev br-veth0)" "0" "the port has no IPv6 address"
expect_eq "$(ipv6_disabled br-veth0)/$(ipv6_disabled br-veth1)" "1/1" "both ports have IPv6 disabled"
expect_eq "$(routes_of br-veth0)/$(routes_of br-veth1)" "0/0" "the ports have no IPv6 route (no ff00::/8 each)"
if [[ $(routes_of br0) -ge 1 ]]; then pass "the bridge itself keeps its IPv6 routes"; else fail "the bridge has no IPv6 route: routes_of sees none"; fi
if wait_until 5 node_has_link_local; then pass "ns1:veth0 has its link-local address"; else fail "ns1:veth0 has no link-local address"; fi
expect_rc 0 "show" -- "$NSTOPO" show "$LAB"
expect_eq "$(grep -c 'br-veth[01] .*ipv6 off' "$WORK/out")" "2" "show announces the ports without link-local"
expect_rc 0 "show --json" -- "$NSTOPO" show --json "$LAB"
expect_eq "$(jq '[.. | objects | select(.ipv6_link_local == false)] | length' "$WORK/out")" "2" "show --json announces them too"
# As a lab made by an older nstopo has it, or someone after it: link-local on, IPv6 enabled.
ip link set br-veth0 addrgenmode eui64
echo 0 >/proc/sys/net/ipv6/conf/br-veth0/disable_ipv6
expect_rc 2 "an older lab's port is switched off in place" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep '^[-+~] ' "$WORK/out" | tr '\n' '|')" "~ link host:br-veth0: ipv6 on -> off|" "plan changes only that setting"
expect_rc 0 "apply the switch" -- "$NSTOPO" apply "$LAB"
expect_eq "$(gen_mode br-veth0)" "none" "the port's addr_gen_mode is none again"
expect_eq "$(ipv6_disabled br-veth0)" "1" "and its IPv6 disabled again"
expect_eq "$(routes_of br-veth0)" "0" "with no IPv6 route left"
expect_rc 0 "and the lab is converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_reach ns1 10.1.1.3

step "edit: add a third namespace on the bridge"
sed -i 's|^verify:|  - kind: veth\n    endpoints: [ns3:veth2, br0:br-veth2]\nverify:|' "$LAB"
sed -i 's|^bridges:|  ns3:\n    interfaces:\n      veth2: {addresses: [10.1.1.5/24]}\nbridges:|' "$LAB"
expect_rc 2 "the plan shows the new namespace" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep '^[-+~] ' "$WORK/out" | tr '\n' '|')" "+ netns ns3|+ veth host:br-veth2 (port of br0) <-> ns3:veth2|+ address 10.1.1.5/24 on ns3:veth2|" "plan adds exactly ns3, its veth and address"
expect_rc 0 "apply the third namespace" -- "$NSTOPO" apply "$LAB"
expect_reach ns3 10.1.1.2
expect_reach ns1 10.1.1.5

step "edit: remove a link"
python3 - "$LAB" <<'PY'
import sys
path = sys.argv[1]
text = open(path).read()
text = text.replace("  - kind: veth\n    endpoints: [ns2:veth1, br0:br-veth1]\n", "")
text = text.replace("  ns2:\n    interfaces:\n      veth1: {addresses: [10.1.1.3/24]}\n", "  ns2: {}\n")
text = text.replace("    - {from: ns1, to: ns2}\n    - {from: ns2, to: ns1}\n", "    - {from: ns1, to: ns3}\n")
open(path, "w").write(text)
PY
expect_rc 2 "the plan removes one veth" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep '^[-+~] ' "$WORK/out" | tr '\n' '|')" "- veth host:br-veth1 <-> ns2:veth1|" "plan deletes exactly that veth"
expect_rc 0 "apply the removal" -- "$NSTOPO" apply "$LAB"
expect_eq "$(ip -n ns2 -o link show | wc -l)" "1" "ns2 keeps only lo"
expect_no_reach ns1 10.1.1.3
expect_reach ns1 10.1.1.5

step "destroy by lab name with the file gone"
rm "$LAB"
expect_rc 0 "destroy --lab" -- "$NSTOPO" destroy --lab linux-bridge
expect_eq "$(netns_list)" "" "no namespace is left"
expect_eq "$(root_links)" "foreign-br lo " "only the foreign bridge is left"

step "a port the file gives an IPv6 address keeps IPv6; one given it later is rebuilt with it"
PORTS="$WORK/ports.yaml"
cat >"$PORTS" <<'YAML'
name: ports
nodes:
  ns1:
    interfaces:
      p0: {addresses: ['fd00:1::1/64']}
      p1: {addresses: [10.2.0.1/24]}
  ns2: {}
bridges:
  br1: {node: ns1}
links:
  - {kind: veth, endpoints: [ns2:e0, br1:p0]}
  - {kind: veth, endpoints: [ns2:e1, br1:p1]}
YAML
port_ipv6_disabled() { ip netns exec ns1 cat "/proc/sys/net/ipv6/conf/$1/disable_ipv6"; }
port_global_ipv6() { ip -n ns1 -j -6 addr show dev "$1" scope global | jq -r '[.[0].addr_info[]? | .local // empty] | join(",")'; }
expect_rc 0 "apply ports with and without an IPv6 address" -- "$NSTOPO" apply "$PORTS"
expect_eq "$(port_ipv6_disabled p0)/$(port_ipv6_disabled p1)" "0/1" "only the port without one has IPv6 disabled"
expect_eq "$(port_global_ipv6 p0)" "fd00:1::1" "the port has its IPv6 address"
sed -i "s|p1: {addresses: \[10.2.0.1/24\]}|p1: {addresses: [10.2.0.1/24, 'fd00:2::1/64']}|" "$PORTS"
expect_rc 0 "give the other port an IPv6 address" -- "$NSTOPO" apply "$PORTS"
expect_eq "$(port_ipv6_disabled p1)" "0" "its IPv6 is enabled"
expect_eq "$(port_global_ipv6 p1)" "fd00:2::1" "and it has the address"
expect_eq "$(ip -n ns1 -j link show dev p1 | jq -r '.[0].master')" "br1" "it is still br1's port"
expect_rc 0 "the lab is converged" -- "$NSTOPO" plan --detailed-exitcode "$PORTS"
expect_rc 0 "destroy it" -- "$NSTOPO" destroy "$PORTS"
expect_eq "$(netns_list)" "" "no namespace is left"
finish
