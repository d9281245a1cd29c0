# SPDX-License-Identifier: Apache-2.0
# kind: vxlan as a port of an Open vSwitch bridge (issue 12), against a real ovsdb-server and
# ovs-vswitchd started in this sandbox on the userspace (netdev) datapath: a VXLAN kernel device
# made in host (where OVS bridges live), its socket in its site, added as a system port. Site A
# bridges its host with OVS, site B with Linux; hosts ping across. Checked with ovs-vsctl and ip -j.
source "$(dirname "$0")/lib.sh"
require_ovs
if ! ip link add nstopo-probe0 type vxlan id 1 dstport 4789 2>"$WORK/probe.err"; then
  echo "SKIP: this kernel cannot create vxlan links: $(tr '\n' ' ' <"$WORK/probe.err")"
  exit 77
fi
ip link del nstopo-probe0
vsctl() { ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 "$@"; }
trap '"$NSTOPO" ovs stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start

LAB=$WORK/vxlan-ovs.yaml
cat >"$LAB" <<'YAML'
name: vxlan-ovs
nodes:
  wan: {}
  siteA:
    interfaces: {eth0: {addresses: [192.0.2.1/24]}}
  siteB:
    interfaces: {eth0: {addresses: [192.0.2.2/24]}, hb: {mtu: 1450}}
  hA:
    interfaces: {eth0: {mtu: 1450, addresses: [10.51.0.1/24]}}
  hB:
    interfaces: {eth0: {mtu: 1450, addresses: [10.51.0.2/24]}}
bridges:
  ul0: {node: wan}
  ovA: {kind: ovs, datapath: netdev}
  segB: {node: siteB}
links:
  - {kind: veth, endpoints: [ul0:pa, siteA:eth0]}
  - {kind: veth, endpoints: [ul0:pb, siteB:eth0]}
  - {kind: vxlan, endpoint: ovA:vxa, underlay: siteA:eth0, vni: 6000, local: 192.0.2.1, remote: 192.0.2.2}
  - {kind: vxlan, endpoint: segB:vx0, underlay: siteB:eth0, vni: 6000, local: 192.0.2.2, remote: 192.0.2.1}
  - {kind: veth, endpoints: [ovA:ha, hA:eth0]}
  - {kind: veth, endpoints: [segB:hb, hB:eth0]}
YAML

step "apply: a vxlan device as an OVS port"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(vsctl list-ports ovA | sort | tr '\n' ' ')" "ha vxa " "vxa and ha are ports of ovA"
ofport=$(vsctl get Interface vxa ofport)
expect_eq "$(( ofport > 0 ))" "1" "vswitchd set vxa up (ofport $ofport)"
expect_eq "$(ip -j -d link show vxa | jq -r '.[0].linkinfo.info_kind + " " + (.[0].linkinfo.info_data.id | tostring)')" \
  "vxlan 6000" "vxa is a vxlan device in host"
expect_eq "$(ip -j -d link show vxa | jq -r '.[0].link_netnsid != null')" "true" "its socket stays in siteA"
ok=0
for i in 1 2 3 4 5 6 7 8 9 10; do
  reaches hA 10.51.0.2 && { ok=1; break; }
done
[[ $ok == 1 ]] && pass "hA reaches hB through OVS and the tunnel" || fail "hA does not reach hB after 10 tries"
expect_rc 0 "second plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(vsctl list-br | tr '\n' ' ')" "" "no OVS bridge left"
expect_eq "$(ip -j link show type vxlan | jq length)" "0" "no vxlan device left in host"
expect_eq "$(netns_list)" "" "no namespace left"
finish
