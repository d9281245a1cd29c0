# SPDX-License-Identifier: Apache-2.0
# kind: vxlan as a bridge's port with head-end replication (issue 12): one Ethernet segment over
# three sites (topologies/examples/vxlan-three-sites.yaml), each site's Linux bridge with a vxlan
# port listing the other sites as `peers`. Checked with ip -j and bridge -j: the all-zero FDB
# entries, pings and a TCP stream across; peers changed in place (the device stays); a deleted
# entry seen as drift and repaired; a failure at every operation of the peer change leaves the
# machine as it was; destroy leaves nothing.
source "$(dirname "$0")/lib.sh"
if ! ip link add nstopo-probe0 type vxlan id 1 dstport 4789 2>"$WORK/probe.err"; then
  echo "SKIP: this kernel cannot create vxlan links: $(tr '\n' ' ' <"$WORK/probe.err")"
  exit 77
fi
ip link del nstopo-probe0
LAB=$(copy_topology examples/vxlan-three-sites.yaml)

# peers NS: the destinations of vx0's all-zero FDB entries, sorted, on one line
peers() {
  bridge -n "$1" -j fdb show dev vx0 |
    jq -r '[.[] | select(.mac == "00:00:00:00:00:00") | .dst] | sort | join(" ")'
}
# reach_soon FROM ADDRESS: a bounded retry (ARP over the tunnel, IPv6 DAD)
reach_soon() {
  local i
  for i in 1 2 3 4 5 6 7 8 9 10; do
    reaches "$1" "$2" && { pass "$1 reaches $2"; return; }
  done
  fail "$1 does not reach $2 after 10 tries"
}
# snapshot_fdb: the lab's namespaces and links (lib.sh snapshot) plus every vxlan's FDB peers
snapshot_fdb() {
  snapshot
  for ns in siteA siteB siteC; do
    ip netns list | grep -w "$ns" >/dev/null && echo "fdb $ns: $(peers "$ns" 2>/dev/null)"
  done
}

step "apply: three sites, one segment"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(peers siteA)" "192.0.2.2 192.0.2.3" "siteA:vx0 has one all-zero FDB entry per peer"
expect_eq "$(peers siteC)" "192.0.2.1 192.0.2.2" "siteC:vx0 has one all-zero FDB entry per peer"
expect_eq "$(ip -n siteA -j link show vx0 | jq -r '.[0].master')" "segA" "vx0 is a port of segA"
expect_eq "$(ip -n siteA -j -d link show vx0 | jq -r '.[0].linkinfo.info_data | "\(.id) \(.local) \(.remote // "none")"')" \
  "5000 192.0.2.1 none" "vni and local as in the file, no single remote"
expect_eq "$(ip -n siteA -j link show vx0 | jq -r '.[0].mtu')" "1450" "MTU: the underlay's 1500 minus 50"
reach_soon hA 10.50.0.2
reach_soon hA 10.50.0.3
reach_soon hB 10.50.0.3
reach_soon hC 2001:db8:50::1
expect_rc 0 "second plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "verify" -- "$NSTOPO" verify "$LAB"
if command -v iperf3 >/dev/null; then
  ip netns exec hC iperf3 -s -1 -D -B 10.50.0.3 >/dev/null 2>&1
  ok=0
  for i in 1 2 3 4 5 6 7 8 9 10; do
    if ip netns exec hA timeout 10 iperf3 -c 10.50.0.3 -t 1 >"$WORK/iperf" 2>&1; then ok=1; break; fi
  done
  [[ $ok == 1 ]] && pass "a TCP stream crosses the segment" || fail "iperf3: $(tail -3 "$WORK/iperf")"
fi

step "peers change in place"
index=$(ip -n siteA -j link show vx0 | jq -r '.[0].ifindex')
sed -i 's/local: 192.0.2.1, peers: \[192.0.2.2, 192.0.2.3\]/local: 192.0.2.1, peers: [192.0.2.2, 192.0.2.9]/' "$LAB"
expect_rc 2 "plan" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep -c 'vxlan peer' "$WORK/out")" "2" "one peer goes, one comes: $(tr '\n' '|' <"$WORK/out")"
expect_eq "$(grep -c '^- vxlan siteA:vx0' "$WORK/out")" "0" "the device is not replaced"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(peers siteA)" "192.0.2.2 192.0.2.9" "siteA:vx0 has the new peers"
expect_eq "$(ip -n siteA -j link show vx0 | jq -r '.[0].ifindex')" "$index" "same device (ifindex)"
reach_soon hA 10.50.0.2
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "drift: an FDB entry deleted by hand is seen and put back"
bridge -n siteA fdb del 00:00:00:00:00:00 dev vx0 dst 192.0.2.2
expect_rc 2 "plan sees it" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
grep -q "vxlan peer 192.0.2.2 on siteA:vx0" "$WORK/out" && pass "the plan names the peer" || fail "$(cat "$WORK/out")"
expect_rc 0 "apply repairs it" -- "$NSTOPO" apply "$LAB"
expect_eq "$(peers siteA)" "192.0.2.2 192.0.2.9" "the entry is back"

step "a failure at every operation of a peer change leaves the machine as it was"
sed -i 's/peers: \[192.0.2.2, 192.0.2.9\]/peers: [192.0.2.2, 192.0.2.3]/; s/local: 192.0.2.3, peers: \[192.0.2.1, 192.0.2.2\]/local: 192.0.2.3, peers: [192.0.2.1]/' "$LAB"
before=$(snapshot_fdb)
n=1
while :; do
  rc=0
  NSTOPO_FAULT_INJECT_AT=$n "$NSTOPO" apply "$LAB" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ $rc == 0 ]] && break
  [[ $rc == 1 ]] || { fail "operation $n: exit $rc"; cat "$WORK/err" >&2; }
  after=$(snapshot_fdb)
  if [[ "$after" == "$before" ]]; then
    pass "operation $n failed and the machine is as before"
  else
    fail "operation $n: the machine changed"; diff <(echo "$before") <(echo "$after") >&2 || true
  fi
  n=$((n + 1))
  if [[ $n -gt 50 ]]; then fail "no successful run within 50 operations"; break; fi
done
expect_eq "$(( n > 2 ))" "1" "the change took more than one operation ($((n - 1)))"
expect_eq "$(peers siteA) / $(peers siteC)" "192.0.2.2 192.0.2.3 / 192.0.2.1" "the change went through"
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "no namespace left"
finish
