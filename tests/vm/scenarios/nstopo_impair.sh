#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs inside the test VM (Debian's kernel, busybox sh): impair: with netem (issue 14), which this
# development machine's kernel lacks (CONFIG_NET_SCH_NETEM). Every check reads the kernel on its
# own (tc, ping), not through nstopo: a 50 ms delay on a:eth0 raises the round trip by 50 ms
# (45 to 65 ms: TCG's timers are coarse), a change to 80 ms happens in place (same handle 4e53:,
# same ifindex, no carrier change) and raises it by 80 (75 to 95 ms), 20 % loss over 500 bounded
# pings loses 10 to 30 %, every netem key at once with a rate reads back as written (a tbf child
# holds the rate), a rate alone is a tbf, drift by hand is put back, removing impair gives the
# veth its noqueue, and topologies/examples/wan-impaired.yaml applies, verifies and converges.
# At run time: `nstopo impair --delay` (netem, measured, drift put back by apply), a scenario's
# impair and restore, and a flap seen as carrier changes in the peer. A VLAN and an ipvlan take
# impair like a veth.
# shellcheck source=SCRIPTDIR/../guest/vmtest-lib.sh
. /usr/lib/vmtest/lib.sh

if ! command -v nstopo >/dev/null 2>&1; then
  vmtest_skip nstopo "no nstopo binary in the image (NSTOPO was not set)"
  vmtest_finish
  exit $?
fi
if [ ! -x /usr/bin/tc ] || [ "$(readlink -f /usr/bin/tc)" = /usr/bin/busybox ]; then
  vmtest_skip tc "no tc in the image (iproute2's tc reads the qdiscs back)"
  vmtest_finish
  exit $?
fi
ip link add nstopo-probe0 type veth peer name nstopo-probe1
if ! tc qdisc add dev nstopo-probe0 root netem delay 1ms >/dev/null 2>&1; then
  ip link del nstopo-probe0
  vmtest_skip netem "this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM)"
  vmtest_finish
  exit $?
fi
ip link del nstopo-probe0
work=/tmp/nstopo-impair
mkdir -p "$work"
lab=$work/impair.yaml
cat >"$lab" <<'YAML'
name: impair
nodes:
  a:
    interfaces:
      eth0: {addresses: [10.0.0.1/24]}
  b:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
YAML

# impair_is TEXT: a:eth0's impair in the file ("" for none).
impair_is() {
  if [ -z "$1" ]; then
    sed -i 's/eth0: {addresses: \[10.0.0.1\/24\].*}$/eth0: {addresses: [10.0.0.1\/24]}/' "$lab"
  else
    sed -i "s/eth0: {addresses: \[10.0.0.1\/24\].*}\$/eth0: {addresses: [10.0.0.1\/24], impair: $1}/" "$lab"
  fi
}
# avg_rtt_ms: the average round trip of 20 bounded pings from a to b, whole milliseconds.
avg_rtt_ms() {
  ip netns exec a ping -c 20 -i 0.05 -W 2 -q 10.0.0.2 |
    sed -n 's/.* = [0-9.]*\/\([0-9]*\)[0-9.]*\/.*/\1/p'
}
# root_qdisc: "KIND HANDLE" of a:eth0's root qdisc, from tc.
root_qdisc() { tc -n a qdisc show dev eth0 root | awk 'NR == 1 {print $2, $3}'; }
# link_identity: a:eth0's ifindex and carrier changes (a reset changes one of them); neither may
# be null, or the comparison could not fail.
link_identity() {
  # carrier_changes is among the statistics: iproute2 6.1 prints it only with -s -s
  ip -n a -s -s -j link show eth0 |
    jq -r '.[0] | "\(.ifindex) \([.. | .carrier_changes? // empty] | first)"'
}
# rtt_raised_by MS LOW HIGH: the round trip minus the baseline is within LOW..HIGH ms.
rtt_raised_by() {
  now=$(avg_rtt_ms)
  added=$((now - baseline))
  [ "$added" -ge "$2" ] && [ "$added" -le "$3" ] ||
    { echo "round trip $now ms, $added ms above the baseline $baseline ms, not $1"; return 1; }
  echo "round trip $now ms: $added ms added (wanted $1, $2..$3)"
}
expect_qdisc() {
  got=$(root_qdisc)
  [ "$got" = "$1" ] || { echo "a:eth0's root qdisc is '$got', not '$1'"; return 1; }
  echo "$got"
}

check apply nstopo apply "$lab"
check reaches reaches a 10.0.0.2
baseline=$(avg_rtt_ms)
vmtest_pass baseline "round trip $baseline ms without impair"

impair_is "{delay: 50ms}"
check delay50.apply nstopo apply "$lab"
check delay50.netem expect_qdisc "netem 4e53:"
check delay50.rtt rtt_raised_by 50 45 65
check delay50.converged nstopo plan --detailed-exitcode "$lab"
identity=$(link_identity)

impair_is "{delay: 80ms}"
check delay80.apply nstopo apply "$lab"
check delay80.same_handle expect_qdisc "netem 4e53:"
same_link() {
  case "$identity" in *null*) echo "no ifindex or carrier changes read: $identity"; return 1 ;; esac
  [ "$(link_identity)" = "$identity" ] ||
    { echo "ifindex and carrier changes went from $identity to $(link_identity)"; return 1; }
}
check delay80.no_reset same_link
check delay80.rtt rtt_raised_by 80 75 95
check delay80.converged nstopo plan --detailed-exitcode "$lab"

# Every netem key at once, with a rate (a tbf child under the netem): the kernel's values read
# back equal the file's (no drift), and netem-only again drops the child.
impair_is "{delay: 20ms, jitter: 5ms, delay_distribution: paretonormal, loss: 1% 25%, duplicate: 1%, corrupt: 0.1%, reorder: 10% 50%, gap: 3, rate: 10mbit, limit: 2000}"
check full.apply nstopo apply "$lab"
check full.same_handle expect_qdisc "netem 4e53:"
rate_child() { tc -n a qdisc show dev eth0 | awk '$3 == "4e54:" {print $2, $3, $4, $5}'; }
child_is() {
  got=$(rate_child)
  [ "$got" = "$1" ] || { echo "the rate child is '$got', not '$1'"; return 1; }
  echo "${got:-no child}"
}
check full.rate_child child_is "tbf 4e54: parent 4e53:1"
check full.converged nstopo plan --detailed-exitcode "$lab"

impair_is "{loss: 20%}"
check loss.apply nstopo apply "$lab"
lost_percent() {
  ip netns exec a ping -c 500 -i 0.01 -W 1 -q 10.0.0.2 |
    sed -n 's/.* \([0-9]*\)[0-9.]*% packet loss.*/\1/p'
}
loss_between() {
  lost=$(lost_percent)
  [ -n "$lost" ] && [ "$lost" -ge 10 ] && [ "$lost" -le 30 ] ||
    { echo "lost $lost % of 500 pings, not 10 to 30"; return 1; }
  echo "lost $lost % of 500 pings"
}
check loss.no_rate_child child_is ""
check loss.measured loss_between
check loss.converged nstopo plan --detailed-exitcode "$lab"

impair_is "{rate: 10mbit}"
check rate.apply nstopo apply "$lab"
check rate.tbf expect_qdisc "tbf 4e53:"
check rate.converged nstopo plan --detailed-exitcode "$lab"

drift() {
  tc -n a qdisc replace dev eth0 root handle 4e53: tbf rate 5mbit burst 64kb latency 50ms
  rc=0
  nstopo plan --detailed-exitcode "$lab" >"$work/out" 2>&1 || rc=$?
  [ "$rc" = 2 ] || { cat "$work/out"; echo "plan exit $rc, not 2"; return 1; }
  grep 'rate 10mbit (was rate 5mbit)' "$work/out"
}
check drift.seen drift
check drift.apply nstopo apply "$lab"
check drift.converged nstopo plan --detailed-exitcode "$lab"

# Run time (issue 14, part 2): `nstopo impair --delay` on the live lab is a netem under 4e53:
# that adds its delay, drift that apply replaces with the file's tbf; a scenario's impair event and
# its restore; a flap of one end seen as four carrier changes in the peer.
check runtime.impair nstopo impair "$lab" a:eth0 --delay 50ms
check runtime.netem expect_qdisc "netem 4e53:"
check runtime.rtt rtt_raised_by 50 45 65
drifted() {
  rc=0
  nstopo plan --detailed-exitcode "$lab" >"$work/out" 2>&1 || rc=$?
  [ "$rc" = 2 ] || { cat "$work/out"; echo "plan exit $rc, not 2"; return 1; }
}
check runtime.drift drifted
check runtime.apply nstopo apply "$lab"
check runtime.restored expect_qdisc "tbf 4e53:"
check runtime.converged nstopo plan --detailed-exitcode "$lab"
cat >"$work/scenario.yaml" <<'YAML'
events:
  - {at: 0s, link: a:eth0, impair: {delay: 30ms, loss: 1%}}
  - {at: 300ms, link: a:eth0, restore: true}
YAML
scenario_netem() {
  nstopo run-scenario "$lab" "$work/scenario.yaml" >"$work/out" 2>&1 || { cat "$work/out"; return 1; }
  grep -q 'a:eth0 impair delay 30ms' "$work/out" || { cat "$work/out"; return 1; }
  expect_qdisc "tbf 4e53:"
}
check runtime.scenario scenario_netem
check runtime.scenario_converged nstopo plan --detailed-exitcode "$lab"
peer_changes() { ip -n b -s -s -j link show eth0 | jq -r '[.. | .carrier_changes? // empty] | first'; }
flap_seen() {
  before=$(peer_changes)
  nstopo link "$lab" a:eth0 flap --one-end --down 200ms --up 200ms --count 2 >"$work/out" 2>&1 ||
    { cat "$work/out"; return 1; }
  after=$(peer_changes)
  [ $((after - before)) = 4 ] || { echo "b:eth0's carrier changed $before -> $after, not 4 times"; return 1; }
  echo "b:eth0 saw 4 carrier changes"
}
check runtime.flap flap_seen

impair_is ""
check removed.apply nstopo apply "$lab"
check removed.noqueue expect_qdisc "noqueue 0:"
check removed.converged nstopo plan --detailed-exitcode "$lab"

# The shipped example: a WAN through netem (delay, jitter, loss, rate) and a branch line's tbf.
wan=$work/wan-impaired.yaml
cp /topologies/examples/wan-impaired.yaml "$wan"
check wan.apply nstopo apply "$wan"
check wan.verify nstopo verify "$wan"
check wan.converged nstopo plan --detailed-exitcode "$wan"
check wan.destroy nstopo destroy "$wan"

# The kinds this development machine lacks take impair too: a VLAN, an ipvlan (and a macvlan)
# stacked on a lab veth, each with its own netem delay or tbf rate, read back with tc.
kinds=$work/kinds.yaml
cat >"$kinds" <<'YAML'
name: impair-kinds
nodes:
  p:
    interfaces:
      eth0: {addresses: [10.5.0.1/24]}
  q:
    interfaces:
      eth0: {addresses: [10.5.0.2/24]}
  v:
    interfaces:
      eth0: {addresses: [10.6.0.2/24]}
  i:
    interfaces:
      eth0: {addresses: [10.7.0.2/24]}
links:
  - {kind: veth, endpoints: [p:eth0, q:eth0]}
  - {kind: vlan, parent: p:eth0, endpoint: v:eth0, id: 10, impair: {delay: 10ms}}
  - {kind: ipvlan, parent: p:eth0, endpoint: i:eth0, mode: l2, impair: {rate: 7mbit}}
YAML
# kind_qdisc NS IF: "KIND HANDLE" of the interface's root qdisc
kind_qdisc() { tc -n "$1" qdisc show dev "$2" root | awk 'NR == 1 {print $2, $3}'; }
kind_is() {
  got="$(ip -n "$1" -d -j link show "$2" | jq -r '.[0].linkinfo.info_kind') $(kind_qdisc "$1" "$2")"
  [ "$got" = "$3" ] || { echo "$1:$2 is '$got', not '$3'"; return 1; }
  echo "$1:$2: $got"
}
check kinds.apply nstopo apply "$kinds"
check kinds.vlan_netem kind_is v eth0 "vlan netem 4e53:"
check kinds.ipvlan_tbf kind_is i eth0 "ipvlan tbf 4e53:"
check kinds.converged nstopo plan --detailed-exitcode "$kinds"
check kinds.destroy nstopo destroy "$kinds"

nothing_left() {
  [ -z "$(ip netns list)" ] && [ "$(ip -o link show | grep -vc ': lo:')" = 0 ]
}
check destroy nstopo destroy "$lab"
check nothing_left nothing_left
vmtest_finish
