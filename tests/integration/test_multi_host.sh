# SPDX-License-Identifier: Apache-2.0
# A lab over three machines (issue 13), without ssh: the simulated hosts of multihost_lib.sh (each
# a long-lived process with its own network, mount and UTS namespaces and a private /run, so its
# own /run/netns and /run/nstopo; its eth0 on the underlay bridge of this sandbox, 10.99.0.N).
# `nstopo ... --host hN` runs inside each through nsenter. The lab is
# topologies/examples/three-hosts.yaml, moved onto that underlay: a point-to-point veth between
# h1 and h2, a Linux bridge over all three, an Open vSwitch bridge over h2 and h3. Checked from
# inside each host with ip -j, bridge -j and ovs-vsctl; `show --host` sees its machine's drift only.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/multihost_lib.sh"
if ! ip link add nstopo-probe0 type vxlan id 1 dstport 4789 2>"$WORK/probe.err"; then
  echo "SKIP: this kernel cannot create vxlan links: $(tr '\n' ' ' <"$WORK/probe.err")"
  exit 77
fi
ip link del nstopo-probe0

# on K COMMAND...: runs COMMAND on simulated host hK.
on() {
  local k=$1
  shift
  mh_on "h$k" "$@"
}

step "three simulated hosts on the underlay"
mh_start_hosts 3 nossh || { fail "the simulated hosts did not start"; finish; exit 1; }
expect_eq "$(on 2 hostname)" "h2" "h2 has its own UTS namespace"
if wait_until 15 on 1 ping -c 1 -W 1 10.99.0.3 >/dev/null; then
  pass "h1 reaches h3 on the underlay"
else
  fail "the underlay does not work"
fi

LAB=$WORK/three-hosts.yaml
sed 's/192\.0\.2\./10.99.0./g' "$SRC/topologies/examples/three-hosts.yaml" >"$LAB"
# h3 names no interface: `--host h3` finds the one holding its address itself.
sed -i 's/h3: {address: 10.99.0.3, interface: eth0}/h3: {address: 10.99.0.3}/' "$LAB"
OVS=1
if [[ ! -x /usr/sbin/ovs-vswitchd || ! -c /dev/net/tun ]]; then
  echo "SKIP (OVS part): Open vSwitch is not installed or has no /dev/net/tun for its userspace datapath"
  OVS=0
else
  for k in 2 3; do
    if ! mh_ovs_start "h$k"; then
      echo "SKIP (OVS part): nstopo ovs start failed on h$k: $(tr '\n' ' ' <"$WORK/mh-ovs-h$k.out")"
      OVS=0
    fi
  done
fi
if [[ $OVS == 0 ]]; then
  # The lab without ovs0 and the nodes behind it.
  sed -i -e '/ovs0/d' -e '/^  b[23]:/,/^      eth0/d' "$LAB"
fi

step "refusals: no --host, an unknown host, --host on a one-machine file"
expect_rc 1 "apply without --host is refused" -- on 1 "$NSTOPO" apply "$LAB"
expect_eq "$(grep -c 'give --host NAME' "$WORK/err")" "1" "one line suggesting --host or split"
expect_rc 1 "an unknown host is refused" -- on 1 "$NSTOPO" apply "$LAB" --host h9
expect_eq "$(wc -l <"$WORK/err") $(grep -c 'not a host of' "$WORK/err")" "1 1" "in one line"
expect_eq "$(on 1 ip netns list | wc -l)" "0" "nothing was created on h1"

step "apply --host on each machine"
for k in 1 2 3; do
  expect_rc 0 "apply --host h$k" -- on "$k" "$NSTOPO" apply "$LAB" --host "h$k"
done
expect_eq "$(on 1 ip netns list | awk '{print $1}' | sort | tr '\n' ' ')" "a1 r1 " "h1 holds a1 and r1"
expect_eq "$(on 3 ip netns list | awk '{print $1}' | sort | tr '\n' ' ')" \
  "$([[ $OVS == 1 ]] && echo "a3 b3 " || echo "a3 ")" "h3 holds its nodes only"
r1=$(on 1 ip -n r1 -j -d link show eth1)
expect_eq "$(jq -r '.[0].linkinfo.info_kind' <<<"$r1")" "vxlan" "r1:eth1 is a vxlan device"
expect_eq "$(jq -r '.[0].linkinfo.info_data.remote + " " + .[0].linkinfo.info_data.local' <<<"$r1")" \
  "10.99.0.2 10.99.0.1" "to h2, from h1"
expect_eq "$(jq -r '.[0].mtu' <<<"$r1")" "1450" "with the tunnel's MTU"
vni=$(jq -r '.[0].linkinfo.info_data.id' <<<"$r1")
r2=$(on 2 ip -n r2 -j -d link show eth1)
expect_eq "$(jq -r '.[0].linkinfo.info_data.id' <<<"$r2")" "$vni" "r2:eth1 has the same VNI ($vni)"
lan_vx=$(on 1 ip -j -d link show master lan type vxlan | jq -r '.[0].ifname')
expect_eq "$(on 1 bridge -j fdb show dev "$lan_vx" | jq -r '[.[] | select(.mac == "00:00:00:00:00:00") | .dst] | sort | join(" ")')" \
  "10.99.0.2 10.99.0.3" "lan's vxlan port on h1 ($lan_vx) replicates to h2 and h3"
expect_eq "$(on 3 ip -j link show "$lan_vx" | jq -r '.[0].master')" "lan" "h3 has its lan with the same port"
if [[ $OVS == 1 ]]; then
  expect_eq "$(on 2 ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 list-ports ovs0 | grep -c '^vx')" \
    "1" "ovs0 on h2 has a vxlan port"
fi

step "reachability across machines, IPv4 and IPv6"
# expect_ping K NODE ADDRESS: a ping from NODE on hK, retried while neighbours are learnt.
expect_ping() {
  if wait_until 15 on "$1" ip netns exec "$2" ping -c 1 -W 1 "$3" >/dev/null 2>&1; then
    pass "$2 (h$1) reaches $3"
  else
    fail "$2 (h$1) does not reach $3"
  fi
}
expect_ping 1 r1 10.0.12.2
expect_ping 1 r1 2001:db8:12::2
expect_ping 1 a1 10.0.50.2
expect_ping 1 a1 10.0.50.3
expect_ping 3 a3 2001:db8:50::1
expect_ping 2 a2 2001:db8:50::3
if [[ $OVS == 1 ]]; then
  expect_ping 2 b2 10.0.60.3
  expect_ping 3 b3 2001:db8:60::2
fi
# A full-size packet crosses without fragmentation: the ends have the tunnel's MTU.
expect_rc 0 "a 1450-byte DF packet crosses r1 -- r2" -- \
  on 1 ip netns exec r1 ping -c 1 -W 2 -M do -s 1422 10.0.12.2

step "a TCP stream across the tunnel (iperf3, 1 s)"
if command -v iperf3 >/dev/null; then
  on 2 ip netns exec r2 timeout 30 iperf3 -s -1 -p 5201 >"$WORK/iperf-server" 2>&1 &
  server=$!
  listening() { on 2 ip netns exec r2 ss -Htln 'sport = :5201' | grep -q 5201; }
  wait_until 10 listening || fail "iperf3 server did not listen"
  if on 1 ip netns exec r1 timeout 20 iperf3 -c 10.0.12.2 -p 5201 -t 1 -J >"$WORK/iperf.json"; then
    bytes=$(jq '.end.sum_received.bytes' "$WORK/iperf.json")
    expect_eq "$((bytes > 0))" "1" "r1 streamed $bytes bytes to r2 over the tunnel"
  else
    fail "iperf3 across the tunnel failed"
  fi
  wait "$server" || true
else
  echo "SKIP (TCP stream): iperf3 is not installed"
fi

step "verify --host on each machine, and a second apply changes nothing"
for k in 1 2 3; do
  expect_rc 0 "verify --host h$k" -- on "$k" "$NSTOPO" verify "$LAB" --host "h$k"
  expect_rc 0 "plan --detailed-exitcode --host h$k: nothing to do" -- \
    on "$k" "$NSTOPO" plan --detailed-exitcode "$LAB" --host "h$k"
done
expect_rc 0 "verify --host h1 probes a2 on h2" -- on 1 "$NSTOPO" verify "$LAB" --host h1 --json
expect_eq "$(jq -r '[.. | objects | select(.to? == "10.0.50.2")] | length > 0' "$WORK/out")" "true" \
  "h1's part probes a2 by its address"

step "show --host: each machine's part, and drift on one machine only"
expect_rc 0 "show --host h1" -- on 1 "$NSTOPO" show "$LAB" --host h1 --json
expect_eq "$(jq -r '[.namespaces[].name] | sort | join(" ")' "$WORK/out") $(jq -r '.drift.changes' "$WORK/out")" \
  "a1 host r1 false" "h1's part: its nodes and its own namespace (lan), no drift"
on 1 ip -n r1 addr del 10.0.12.1/30 dev eth1
expect_rc 0 "show --host h1 after an address was removed by hand" -- \
  on 1 "$NSTOPO" show "$LAB" --host h1 --json
expect_eq "$(jq -r '.drift.changes' "$WORK/out") $(jq -r '.drift.steps | tostring | contains("10.0.12.1/30")' "$WORK/out")" \
  "true true" "h1's drift names the address"
expect_rc 0 "show --host h2" -- on 2 "$NSTOPO" show "$LAB" --host h2 --json
expect_eq "$(jq -r '.drift.changes' "$WORK/out")" "false" "h2 has no drift"
expect_rc 0 "apply --host h1 puts it back" -- on 1 "$NSTOPO" apply "$LAB" --host h1
expect_eq "$(on 1 ip -n r1 -j addr show dev eth1 | jq -r '[.[0].addr_info[] | select(.family == "inet") | .local] | join(" ")')" \
  "10.0.12.1" "r1:eth1 has its address again"

step "split writes the parts --host built"
expect_rc 1 "split refuses a host without interface" -- "$NSTOPO" split "$LAB" -o "$WORK/parts"
expect_eq "$(wc -l <"$WORK/err") $(grep -c "host 'h3' has no 'interface'" "$WORK/err")" "1 1" \
  "in one line naming h3"
sed 's/h3: {address: 10.99.0.3}/h3: {address: 10.99.0.3, interface: eth0}/' "$LAB" >"$WORK/whole.yaml"
expect_rc 0 "split" -- "$NSTOPO" split "$WORK/whole.yaml" -o "$WORK/parts"
expect_rc 0 "split again" -- "$NSTOPO" split "$WORK/whole.yaml" -o "$WORK/again"
expect_rc 0 "same input, same bytes" -- diff -r "$WORK/parts" "$WORK/again"
for k in 1 2 3; do
  expect_rc 0 "parts/h$k.yaml is what --host h$k applied (plan: nothing to do)" -- \
    on "$k" "$NSTOPO" plan --detailed-exitcode "$WORK/parts/h$k.yaml"
done

step "destroy --host on each machine leaves nothing on any"
for k in 1 2 3; do
  expect_rc 0 "destroy --host h$k" -- on "$k" "$NSTOPO" destroy "$LAB" --host "h$k"
done
for k in 1 2 3; do
  expect_eq "$(on "$k" ip netns list | wc -l)" "0" "no namespace left on h$k"
  expect_eq "$(on "$k" ip -j link show | jq -r '[.[].ifname | select(. != "lo" and . != "eth0" and . != "ovs-netdev")] | join(" ")')" \
    "" "no device left on h$k"
done
if [[ $OVS == 1 ]]; then
  expect_eq "$(on 2 ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 list-br | wc -l)" "0" \
    "no OVS bridge left on h2"
fi
finish
