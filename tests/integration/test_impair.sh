# SPDX-License-Identifier: Apache-2.0
# impair: (issue 14) on this machine's kernel, which has tbf but no netem. A `rate` alone is a tbf
# root qdisc of nstopo's handle (4e53:), checked with tc: changed in place under the same handle,
# drift by hand (a new rate under nstopo's handle, or someone else's root qdisc) shown by plan and
# put back by apply, removed with the file's impair (the veth's default qdisc comes back), and it
# caps an iperf3 stream. Settings that need netem are refused by the capability probe with one
# line, and nothing changes. netem itself is proven in the VM (tests/vm/scenarios/nstopo_impair.sh).
source "$(dirname "$0")/lib.sh"
LAB=$WORK/impair.yaml
cat >"$LAB" <<'YAML'
name: impair
nodes:
  a:
    interfaces:
      eth0: {addresses: [10.0.0.1/24], impair: {rate: 10mbit}}
  b:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
YAML

# root_qdisc NS IF: "KIND HANDLE RATE" of the interface's root qdisc, from tc's JSON (tbf's rate
# in bytes per second; "-" when the qdisc has none).
root_qdisc() {
  tc -n "$1" -j qdisc show dev "$2" root |
    jq -r '.[0] | "\(.kind) \(.handle) \(.options.rate // "-")"'
}

step "apply: a rate alone is a tbf root qdisc with nstopo's handle"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(root_qdisc a eth0)" "tbf 4e53: 1250000" "a:eth0 has tbf 4e53: at 10 mbit"
expect_eq "$(root_qdisc b eth0)" "noqueue 0: -" "b:eth0 keeps the veth's default"
expect_rc 0 "second plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
"$NSTOPO" show "$LAB" --json >"$WORK/show.json"
expect_eq "$(jq -r '[.. | objects | select(.impair?) | .impair.rate_bits] | unique | join(" ")' \
  "$WORK/show.json")" "10000000" "show --json reports the live rate"

step "iperf3 through the cap: a 10 mbit rate holds a TCP stream below 11 Mbit/s"
ip netns exec b iperf3 -s -1 -D -B 10.0.0.2 --logfile "$WORK/iperf-server.log"
for _ in $(seq 1 50); do
  ip netns exec b ss -ltn | grep -q ':5201 ' && break
  sleep 0.1
done
rate=$(timeout 20 ip netns exec a iperf3 -c 10.0.0.2 -t 3 -J |
  jq -r '.end.sum_received.bits_per_second // 0')
expect_eq "$(awk -v r="$rate" 'BEGIN { print (r > 5e6 && r < 11e6) ? "capped" : r }')" "capped" \
  "received between 5 and 11 Mbit/s ($rate bit/s)"

step "a new rate changes the qdisc in place: same handle"
sed -i 's/rate: 10mbit/rate: 20mbit/' "$LAB"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(root_qdisc a eth0)" "tbf 4e53: 2500000" "a:eth0 has tbf 4e53: at 20 mbit"
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "drift by hand under nstopo's handle: plan shows it, apply puts the file's rate back"
tc -n a qdisc replace dev eth0 root handle 4e53: tbf rate 5mbit burst 64kb latency 50ms
expect_rc 2 "plan sees drift" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep -c 'impair a:eth0: rate 20mbit (was rate 5mbit)' "$WORK/out")" "1" \
  "the plan names the change"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(root_qdisc a eth0)" "tbf 4e53: 2500000" "the file's rate is back"

step "someone else's root qdisc: drift, replaced by nstopo's"
tc -n a qdisc replace dev eth0 root handle 1: tbf rate 5mbit burst 64kb latency 50ms
expect_rc 2 "plan sees drift" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep -c 'impair a:eth0: rate 20mbit (was qdisc tbf 1:)' "$WORK/out")" "1" \
  "the plan names the foreign qdisc"
"$NSTOPO" show "$LAB" >"$WORK/show.txt" 2>&1 || true
expect_eq "$(grep -c ' qdisc tbf 1:$' "$WORK/show.txt")" "1" "show reports the foreign qdisc"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(root_qdisc a eth0)" "tbf 4e53: 2500000" "nstopo's qdisc is back"
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "a root qdisc of someone else's on an interface the file does not impair is left alone"
tc -n b qdisc replace dev eth0 root handle 1: tbf rate 5mbit burst 64kb latency 50ms
expect_rc 0 "no drift" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
tc -n b qdisc del dev eth0 root

step "settings that need netem: refused here with one line, nothing changed"
before=$(snapshot; root_qdisc a eth0)
cp "$LAB" "$WORK/netem.yaml"
sed -i 's/impair: {rate: 20mbit}/impair: {delay: 50ms, rate: 20mbit}/' "$WORK/netem.yaml"
if tc -n b qdisc add dev eth0 root handle 9: netem delay 1ms 2>/dev/null; then
  tc -n b qdisc del dev eth0 root
  echo "this kernel has netem: the refusal is not tested here"
else
  expect_rc 1 "plan is refused" -- "$NSTOPO" plan "$WORK/netem.yaml"
  expect_eq "$(cat "$WORK/err")" \
    "$WORK/netem.yaml:5:48: error: this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM); needed by the impair of interface a:eth0" \
    "one line naming CONFIG_NET_SCH_NETEM and the place in the file"
  expect_rc 1 "apply is refused" -- "$NSTOPO" apply "$WORK/netem.yaml"
  expect_eq "$(snapshot; root_qdisc a eth0)" "$before" "nothing changed"
fi

step "removing impair deletes the qdisc: the veth's default comes back"
sed -i 's/, impair: {rate: 20mbit}//' "$LAB"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(root_qdisc a eth0)" "noqueue 0: -" "a:eth0 has the default again"
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"

step "every kind this kernel has takes impair: a macvlan, a bridge port, a VXLAN device"
cat >"$WORK/kinds.yaml" <<'YAML'
name: kinds
nodes:
  s:
    interfaces:
      eth0: {addresses: [10.1.0.1/24]}
  t:
    interfaces:
      eth0: {addresses: [10.1.0.2/24]}
  m:
    interfaces:
      eth0: {addresses: [10.2.0.2/24]}
  h:
    interfaces:
      eth0: {addresses: [10.3.0.1/24]}
  r:
    interfaces:
      vx0: {addresses: [10.4.0.1/24]}
bridges:
  br0: {kind: linux, node: s}
links:
  - {kind: veth, endpoints: [s:eth0, t:eth0]}
  - {kind: macvlan, parent: s:eth0, endpoint: m:eth0, mode: bridge, impair: {rate: 3mbit}}
  - {kind: veth, endpoints: [h:eth0, br0:p-h], impair: {rate: 4mbit}}
  - {kind: vxlan, endpoint: r:vx0, underlay: s:eth0, vni: 42, local: 10.1.0.1, remote: 10.1.0.2, impair: {rate: 5mbit}}
YAML
expect_rc 0 "apply" -- "$NSTOPO" apply "$WORK/kinds.yaml"
expect_eq "$(root_qdisc m eth0)" "tbf 4e53: 375000" "the macvlan m:eth0 at 3 mbit"
expect_eq "$(root_qdisc h eth0)" "tbf 4e53: 500000" "the veth end h:eth0 at 4 mbit"
expect_eq "$(root_qdisc s p-h)" "tbf 4e53: 500000" "its bridge port s:p-h too (a link's impair is both ends')"
expect_eq "$(ip -n s -j link show p-h | jq -r '.[0].master')" "br0" "p-h is br0's port"
expect_eq "$(root_qdisc r vx0)" "tbf 4e53: 625000" "the VXLAN device r:vx0 at 5 mbit"
expect_eq "$(ip -n r -d -j link show vx0 | jq -r '.[0].linkinfo.info_kind')" "vxlan" "vx0 is a VXLAN device"
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$WORK/kinds.yaml"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$WORK/kinds.yaml"
expect_eq "$(netns_list)" "" "nothing left"

step "an Open vSwitch internal port takes impair too (userspace datapath)"
if [[ ! -x /usr/sbin/ovs-vswitchd || ! -c /dev/net/tun ]]; then
  echo "SKIP part: no ovs-vswitchd or /dev/net/tun (bash .ci/install-deps installs Open vSwitch)"
else
  trap '"$NSTOPO" ovs stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
  expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start
  cat >"$WORK/ovs.yaml" <<'YAML'
name: impair-ovs
nodes:
  n1:
    interfaces:
      tap1: {addresses: [10.74.0.1/24], impair: {rate: 6mbit}}
bridges:
  ob1: {kind: ovs, datapath: netdev}
links:
  - {kind: ovs-internal, bridge: ob1, endpoint: n1:tap1}
YAML
  expect_rc 0 "apply" -- "$NSTOPO" apply "$WORK/ovs.yaml"
  expect_eq "$(ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 get Interface tap1 type 2>/dev/null)" \
    "internal" "tap1 is ob1's internal port in OVSDB"
  expect_eq "$(root_qdisc n1 tap1)" "tbf 4e53: 750000" "the internal port n1:tap1 at 6 mbit"
  expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$WORK/ovs.yaml"
  expect_rc 0 "destroy" -- "$NSTOPO" destroy "$WORK/ovs.yaml"
  expect_rc 0 "nstopo ovs stop" -- "$NSTOPO" ovs stop
fi
finish
