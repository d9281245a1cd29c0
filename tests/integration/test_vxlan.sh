# SPDX-License-Identifier: Apache-2.0
# kind: vxlan (issue 12) on the real kernel: two "sites" (namespaces on one underlay bridge), a
# point-to-point tunnel between routers behind either site over IPv4 and over IPv6, the device
# created from its site straight into its router (the UDP socket stays in the site), a no-op
# second plan, a replacement on a VNI change, the duplicate-VNI refusal, and a destroy that
# leaves nothing.
source "$(dirname "$0")/lib.sh"
if ! ip link add nstopo-probe0 type vxlan id 1 dstport 4789 2>"$WORK/probe.err"; then
  echo "SKIP: this kernel cannot create vxlan links: $(tr '\n' ' ' <"$WORK/probe.err")"
  exit 77
fi
ip link del nstopo-probe0
LAB=$(copy_topology examples/vxlan-two-sites.yaml)

# reach_soon FROM ADDRESS: a bounded retry (IPv6 addresses finish DAD first).
reach_soon() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    reaches "$1" "$2" && { pass "$1 reaches $2"; return; }
  done
  fail "$1 does not reach $2 after 10 tries"
}

step "apply: tunnels from each site straight into its router"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
reach_soon r1 10.1.1.2
reach_soon r2 10.1.1.1
reach_soon r1 2001:db8:1::2
reach_soon r2 2001:db8:1::1
expect_eq "$(ip -n r1 -j -d link show vx4 | jq -r '.[0].linkinfo.info_data | "\(.id) \(.remote) \(.local) \(.port)"')" \
  "1001 192.0.2.2 192.0.2.1 4789" "r1:vx4 has the file's vni, remote, local and port"
expect_eq "$(ip -n r1 -j link show vx4 | jq -r '.[0].mtu') $(ip -n r1 -j link show vx6 | jq -r '.[0].mtu')" \
  "1450 1430" "MTU: the underlay's 1500 minus 50 (IPv4) and 70 (IPv6)"
expect_eq "$(ip -n r1 -j -d link show vx4 | jq -r '.[0].link_netnsid != null')" "true" \
  "the UDP socket stays in the site (the device's link is in another namespace)"
expect_eq "$(ip -n siteA -j link show type vxlan | jq length)" "0" "no device left in the site"
expect_rc 0 "second plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "verify" -- "$NSTOPO" verify "$LAB"
if command -v iperf3 >/dev/null; then
  ip netns exec r2 iperf3 -s -1 -D -B 10.1.1.2 >/dev/null 2>&1
  ok=0
  for i in 1 2 3 4 5 6 7 8 9 10; do
    if ip netns exec r1 timeout 10 iperf3 -c 10.1.1.2 -t 1 >"$WORK/iperf" 2>&1; then ok=1; break; fi
  done
  [[ $ok == 1 ]] && pass "a TCP stream crosses the tunnel" || fail "iperf3: $(tail -3 "$WORK/iperf")"
fi

step "drift: a hand-made change of the tunnel is seen and repaired"
ip -n r1 link set vx4 mtu 1400
expect_rc 2 "plan sees the MTU" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "apply repairs it" -- "$NSTOPO" apply "$LAB"
expect_eq "$(ip -n r1 -j link show vx4 | jq -r '.[0].mtu')" "1450" "MTU back"

step "a new VNI replaces the device"
sed -i 's/endpoint: r1:vx4, underlay: siteA:eth0, vni: 1001/endpoint: r1:vx4, underlay: siteA:eth0, vni: 1003/; s/endpoint: r2:vx4, underlay: siteB:eth0, vni: 1001/endpoint: r2:vx4, underlay: siteB:eth0, vni: 1003/' "$LAB"
expect_rc 2 "plan" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep -c '^- vxlan r[12]:vx4' "$WORK/out")" "2" "both ends are replaced"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
reach_soon r1 10.1.1.2
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "duplicate VNI in the file: refused, naming both"
cp "$LAB" "$WORK/dup.yaml"
sed -i 's/vni: 1002, local: "2001:db8:ff::1"/vni: 1003, local: "2001:db8:ff::1"/; s/remote: "2001:db8:ff::2"}/remote: "2001:db8:ff::2", dstport: 4789}/' "$WORK/dup.yaml"
expect_rc 1 "plan" -- "$NSTOPO" plan "$WORK/dup.yaml"
grep -q "r1:vx6.*vni 1003.*r1:vx4" "$WORK/err" && pass "names both" || fail "$(cat "$WORK/err")"

step "duplicate VNI on the machine: a hand-made device in the site is named, nothing changes"
ip -n siteA link add vxh type vxlan id 2000 dstport 4789 dev eth0
cp "$LAB" "$WORK/taken.yaml"
sed -i 's/endpoint: r1:vx4, underlay: siteA:eth0, vni: 1003/endpoint: r1:vx4, underlay: siteA:eth0, vni: 2000/' "$WORK/taken.yaml"
before=$(snapshot)
expect_rc 1 "plan refuses" -- "$NSTOPO" plan "$WORK/taken.yaml"
grep -q "r1:vx4.*vni 2000.*siteA:vxh" "$WORK/err" && pass "names both" || fail "$(cat "$WORK/err")"
expect_rc 1 "apply refuses" -- "$NSTOPO" apply "$WORK/taken.yaml"
expect_eq "$(snapshot)" "$before" "nothing changed"
ip -n siteA link del vxh

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
expect_eq "$(ip -j link show type vxlan | jq length)" "0" "no VXLAN device left"
finish
