#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs inside the test VM (Debian's kernel, busybox sh): the seed scenarios this development
# machine's kernel cannot run, through nstopo itself. Each seed: apply, its `verify:`
# expectations (including the pairs that must NOT reach each other), a no-op second apply, a
# mode or VLAN-id change that replaces only that link, destroy leaving nothing. Then a rename in
# place on a kernel before 6.2, a dummy interface, and an Open vSwitch bridge on the kernel
# (system) datapath.
# shellcheck source=SCRIPTDIR/../guest/vmtest-lib.sh
. /usr/lib/vmtest/lib.sh

if ! command -v nstopo >/dev/null 2>&1; then
  vmtest_skip nstopo "no nstopo binary in the image (NSTOPO was not set)"
  vmtest_finish
  exit $?
fi
seeds=/topologies/seeds
work=/tmp/nstopo-seeds
mkdir -p "$work"

plan_lines() {  # the +/-/~ lines of a plan, joined with |
  nstopo plan "$1" 2>&1 | grep '^[-+~] ' | tr '\n' '|'
}

ping_soon() {  # ping_soon NS ADDR: at most 10 pings of 2 s (ARP over a tunnel, a slow guest)
  tries=0
  while [ "$tries" -lt 10 ]; do
    vmtest_ping "$1" "$2" && return 0
    tries=$((tries + 1))
  done
  echo "$1 does not reach $2 in 10 pings"
  return 1
}

nothing_left() {
  [ -z "$(ip netns list)" ] && [ "$(ip -o link show | grep -vc ': lo:')" = 0 ]
}

seed() {  # seed NAME EDIT-SED EXPECTED-PLAN (or "only:REGEX": every plan line must match)
  name=$1
  cp "$seeds/$name.yaml" "$work/$name.yaml"
  lab=$work/$name.yaml
  check "$name.apply" nstopo apply "$lab"
  check "$name.verify" nstopo verify "$lab"
  check "$name.noop" nstopo plan --detailed-exitcode "$lab"
  sed -i "$2" "$lab"
  got=$(plan_lines "$lab")
  case "$3" in
    only:*)
      # Every line touches only the changed links (their addresses and routes go with them).
      stray=$(echo "$got" | tr '|' '\n' | grep -v "${3#only:}" | grep -c . || true)
      if [ -n "$got" ] && [ "$stray" = 0 ]; then
        vmtest_pass "$name.minimal_change" "$got"
      else
        vmtest_fail "$name.minimal_change" "unexpected lines in [$got]"
      fi
      ;;
    *)
      if [ "$got" = "$3" ]; then
        vmtest_pass "$name.minimal_change" "$got"
      else
        vmtest_fail "$name.minimal_change" "got [$got] wanted [$3]"
      fi
      ;;
  esac
  check "$name.apply_change" nstopo apply "$lab"
  check "$name.converged" nstopo plan --detailed-exitcode "$lab"
  check "$name.destroy" nstopo destroy "$lab"
  check "$name.nothing_left" nothing_left
}

# ipvlan keeps mode and flag per parent, so a mode change is a change of every link on it.
seed ipvlan-l2 's/mode: l2}/mode: l2, flag: private}/' 'only:ipvlan \|^[-+] address \|^[-+] route '
seed ipvlan-l3 's/mode: l3}/mode: l3s}/' 'only:ipvlan \|^[-+] address \|^[-+] route '
seed macvlan-vlan 's/endpoint: underlay:eth0.20, id: 20}/endpoint: underlay:eth0.20, id: 21}/' \
  '- macvlan net3:eth0 on underlay:eth0.20|- macvlan net4:eth0 on underlay:eth0.20|- vlan underlay:eth0.20 on underlay:eth0|+ vlan underlay:eth0.20 on underlay:eth0 (id 21, 802.1Q)|+ macvlan net3:eth0 on underlay:eth0.20 (mode bridge)|+ macvlan net4:eth0 on underlay:eth0.20 (mode bridge)|+ address 172.28.248.2/24 on net3:eth0|+ address 172.28.248.3/24 on net4:eth0|+ address 172.28.248.1/24 on underlay:eth0.20|'

# A rename in place on Debian 12's kernel (6.1), which renames only links that are down: the
# link goes down and up for it, and nstopo puts back the IPv6 address and the routes the kernel
# drops on the way (issue 10, item 5). Same ifindex, the macvlan stays on it, the plan is empty.
lab=$work/rename.yaml
cat >"$lab" <<'YAML'
name: rename
nodes:
  a:
    interfaces:
      e0: {addresses: [10.0.0.1/24, 2001:db8::1/64]}
      mv0: {addresses: [10.5.0.1/24]}
    routes:
      - {to: 10.9.0.0/16, via: 10.0.0.2}
      - {to: 10.8.0.0/16, dev: e0}
      - {to: 2001:db8:9::/48, via: 2001:db8::2}
  b:
    interfaces: {e1: {addresses: [10.0.0.2/24, 2001:db8::2/64]}}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: macvlan, endpoint: a:mv0, parent: a:e0, mode: bridge}
YAML
check rename.apply nstopo apply "$lab"
index_before=$(ip -n a -o link show e0 | cut -d: -f1)
sed -i 's/e0/e5/g' "$lab"
got=$(plan_lines "$lab")
if [ "$got" = "~ rename a:e0 to e5|" ]; then
  vmtest_pass rename.plan "$got"
else
  vmtest_fail rename.plan "got [$got] wanted [~ rename a:e0 to e5|]"
fi
check rename.apply_change nstopo apply "$lab"
index_after=$(ip -n a -o link show e5 | cut -d: -f1)
check rename.same_ifindex test -n "$index_before" -a "$index_before" = "$index_after"
# Functions, not `sh -c`: a nested busybox sh runs its own `ip` applet, which lacks -n.
ipv6_address_back() { ip -n a -6 -o addr show dev e5 | grep -q "2001:db8::1/64"; }
routes_back() {
  [ "$(ip -n a route show proto 152 | grep -c "dev e5")" = 2 ] &&
    ip -n a -6 route show proto 152 | grep -q "2001:db8:9::/48 via 2001:db8::2 dev e5"
}
macvlan_on_it() { ip -n a -o link show mv0 | grep -q "mv0@e5"; }
check rename.ipv6_address_back ipv6_address_back
check rename.routes_back routes_back
check rename.macvlan_on_it macvlan_on_it
check rename.converged nstopo plan --detailed-exitcode "$lab"
reaches_soon() {  # up to 5 pings of 2 s: the link was down for the rename
  for _ in 1 2 3 4 5; do vmtest_ping "$1" "$2" && return 0; done
  return 1
}
check rename.reaches reaches_soon b 10.0.0.1
check rename.destroy nstopo destroy "$lab"
check rename.nothing_left nothing_left

# kind: dummy (issue 11, part 2), the standalone kind that proves the link-kind seam: this
# development machine's kernel has no dummy module, Debian's has. Apply with its settings and a
# route through it, a no-op second plan, an MTU change in place, a rename in place, destroy.
lab=$work/dummy.yaml
cat >"$lab" <<'YAML'
name: dummy
nodes:
  n1:
    interfaces:
      d0: {mtu: 9000, mac: 02:00:00:00:00:aa, addresses: [10.9.0.1/24]}
    routes: [{to: 10.8.0.0/16, dev: d0}]
links:
  - {kind: dummy, endpoint: n1:d0}
YAML
check dummy.apply nstopo apply "$lab"
dummy_is_set() {
  ip -n n1 -d -o link show d0 | grep -q "mtu 9000" &&
    ip -n n1 -d -o link show d0 | grep -q "dummy" &&
    ip -n n1 -o link show d0 | grep -q "02:00:00:00:00:aa" &&
    ip -n n1 -o addr show dev d0 | grep -q "10.9.0.1/24" &&
    ip -n n1 route show proto 152 | grep -q "10.8.0.0/16 dev d0"
}
check dummy.settings dummy_is_set
check dummy.reaches_itself vmtest_ping n1 10.9.0.1
check dummy.noop nstopo plan --detailed-exitcode "$lab"
sed -i 's/mtu: 9000/mtu: 1400/' "$lab"
got=$(plan_lines "$lab")
if [ "$got" = "~ link n1:d0: mtu 9000 -> 1400|" ]; then
  vmtest_pass dummy.mtu_in_place "$got"
else
  vmtest_fail dummy.mtu_in_place "got [$got] wanted [~ link n1:d0: mtu 9000 -> 1400|]"
fi
check dummy.apply_mtu nstopo apply "$lab"
sed -i 's/d0/d1/g' "$lab"
got=$(plan_lines "$lab")
if [ "$got" = "~ rename n1:d0 to d1|" ]; then
  vmtest_pass dummy.rename_in_place "$got"
else
  vmtest_fail dummy.rename_in_place "got [$got] wanted [~ rename n1:d0 to d1|]"
fi
check dummy.apply_rename nstopo apply "$lab"
check dummy.converged nstopo plan --detailed-exitcode "$lab"
check dummy.destroy nstopo destroy "$lab"
check dummy.nothing_left nothing_left

# Open vSwitch on the kernel datapath: `datapath: auto` must pick system here.
vmtest_wait_ovs_cpu_count
if check ovs.start nstopo ovs start; then
  lab=$work/ovs-veth.yaml
  cp "$seeds/ovs-veth.yaml" "$lab"
  if nstopo plan "$lab" | grep -q '(datapath system)'; then
    vmtest_pass ovs.auto_is_system "auto picked the kernel datapath"
  else
    vmtest_fail ovs.auto_is_system "$(nstopo plan "$lab" 2>&1 | grep 'ovs bridge')"
  fi
  check ovs.apply nstopo apply "$lab"
  check ovs.verify nstopo verify "$lab"
  check ovs.noop nstopo plan --detailed-exitcode "$lab"
  check ovs.destroy nstopo destroy "$lab"
  check ovs.nothing_left nothing_left
  # A VXLAN kernel device as a port of a bridge on the kernel datapath (the development
  # machine proves the userspace one in integration.test_vxlan_ovs).
  lab=$work/vxlan-ovs.yaml
  cat >"$lab" <<'YAML'
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
  ovA: {kind: ovs, datapath: system}
  segB: {node: siteB}
links:
  - {kind: veth, endpoints: [ul0:pa, siteA:eth0]}
  - {kind: veth, endpoints: [ul0:pb, siteB:eth0]}
  - {kind: vxlan, endpoint: ovA:vxa, underlay: siteA:eth0, vni: 6000, local: 192.0.2.1, remote: 192.0.2.2}
  - {kind: vxlan, endpoint: segB:vx0, underlay: siteB:eth0, vni: 6000, local: 192.0.2.2, remote: 192.0.2.1}
  - {kind: veth, endpoints: [ovA:ha, hA:eth0]}
  - {kind: veth, endpoints: [segB:hb, hB:eth0]}
verify:
  expect:
    - {from: hA, to: 10.51.0.2}
YAML
  check vxlan_ovs_system.apply nstopo apply "$lab"
  check vxlan_ovs_system.reaches ping_soon hA 10.51.0.2
  check vxlan_ovs_system.noop nstopo plan --detailed-exitcode "$lab"
  check vxlan_ovs_system.destroy nstopo destroy "$lab"
  check vxlan_ovs_system.nothing_left nothing_left
  nstopo ovs stop >/dev/null 2>&1
fi
vmtest_finish
