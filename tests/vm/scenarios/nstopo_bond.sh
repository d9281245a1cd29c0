#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs inside the test VM (Debian's kernel, busybox sh): kind bond (issue 12), which this
# development machine's kernel lacks (CONFIG_BONDING). topologies/examples/bond-active-backup.yaml
# bonds two veths on each side of two nodes, each bond with `primary: e1`: both members must be
# enslaved and the file's primary the kernel's and the active one. A new primary in the file is
# set in place (the bond keeps its ifindex) and becomes active; a primary set by hand is drift.
# When the active member's peer goes down, traffic goes on over the other one (a bounded ping run
# loses a few packets at most), and once it is back up the primary is active again. Removing
# `primary` from the file clears it in place. Then an 802.3ad (LACP) pair whose members must end
# in one aggregator.
# Every check reads the kernel on its own (/proc/net/bonding, `ip -j`, ping), not through nstopo.
# shellcheck source=SCRIPTDIR/../guest/vmtest-lib.sh
. /usr/lib/vmtest/lib.sh

if ! command -v nstopo >/dev/null 2>&1; then
  vmtest_skip nstopo "no nstopo binary in the image (NSTOPO was not set)"
  vmtest_finish
  exit $?
fi
if ! ip link add nstopo-probe type bond >/dev/null 2>&1; then
  vmtest_skip bond "this kernel cannot create bond links (CONFIG_BONDING)"
  vmtest_finish
  exit $?
fi
ip link del nstopo-probe
work=/tmp/nstopo-bond
mkdir -p "$work"
lab=$work/bond-active-backup.yaml
cp /topologies/examples/bond-active-backup.yaml "$lab"

# bonding NODE BOND: the bonding driver's own report of the bond.
bonding() { ip netns exec "$1" cat "/proc/net/bonding/$2"; }
# reports NODE BOND LINE: /proc/net/bonding has that line.
reports() {
  bonding "$1" "$2" | grep -qxF "$3" || { bonding "$1" "$2"; echo "no line '$3'"; return 1; }
  echo "$3"
}
# slaves_of NODE BOND: the bond's slaves, as /proc/net/bonding lists them, on one line.
slaves_of() { bonding "$1" "$2" | awk '/^Slave Interface:/ {printf "%s ", $3}'; }
# enslaved NODE BOND MEMBER...: each member is a slave in /proc/net/bonding and has the bond as
# its master in `ip -j`.
enslaved() {
  en_node=$1
  en_bond=$2
  shift 2
  en_slaves=$(slaves_of "$en_node" "$en_bond")
  for en_member in "$@"; do
    case " $en_slaves" in
      *" $en_member "*) ;;
      *) echo "$en_node:$en_member is not a slave of $en_bond: [$en_slaves]"; return 1 ;;
    esac
    en_link=$(ip -n "$en_node" -d -j link show "$en_member")
    echo "$en_link" | grep -q "\"master\":\"$en_bond\"" ||
      { echo "$en_node:$en_member has no master $en_bond: $en_link"; return 1; }
  done
  echo "$en_node:$en_bond enslaves: $en_slaves"
}
# active_slave NODE BOND: the currently active slave, from /proc/net/bonding.
active_slave() {
  bonding "$1" "$2" | awk -F': ' '/^Currently Active Slave:/ {print $2}'
}
# active_is NODE BOND MEMBER: /proc/net/bonding and `ip -d -j` agree on the active slave.
active_is() {
  ai_proc=$(active_slave "$1" "$2")
  ai_json=$(ip -n "$1" -d -j link show "$2")
  [ "$ai_proc" = "$3" ] || { echo "$1:$2's active slave is '$ai_proc', not $3"; return 1; }
  echo "$ai_json" | grep -q "\"active_slave\":\"$3\"" ||
    { echo "ip -d -j does not show $3 active: $ai_json"; return 1; }
  echo "$1:$2's active slave is $3"
}
# wait_active NODE BOND MEMBER: up to 50 tries 0.2 s apart (10 s) until MEMBER is active.
wait_active() {
  n=0
  while [ "$n" -lt 50 ]; do
    n=$((n + 1))
    [ "$(active_slave "$1" "$2")" = "$3" ] && break
    sleep 0.2
  done
  active_is "$@"
}

# primary_is NODE BOND MEMBER|None: /proc/net/bonding and `ip -d -j` agree on the primary.
primary_is() {
  pi_json=$(ip -n "$1" -d -j link show "$2")
  if [ "$3" = None ]; then
    reports "$1" "$2" "Primary Slave: None" >/dev/null || return 1
    case "$pi_json" in
      *'"primary":'*) echo "ip -d -j still shows a primary: $pi_json"; return 1 ;;
    esac
  else
    reports "$1" "$2" "Primary Slave: $3 (primary_reselect always)" >/dev/null || return 1
    echo "$pi_json" | grep -q "\"primary\":\"$3\"" ||
      { echo "ip -d -j does not show primary $3: $pi_json"; return 1; }
  fi
  echo "$1:$2's primary is $3"
}
# ifindex_of NODE LINK
ifindex_of() { ip -n "$1" -o link show "$2" | cut -d: -f1; }
# same_ifindex NODE LINK INDEX: the link still has that ifindex (changed in place, not rebuilt).
same_ifindex() {
  si_now=$(ifindex_of "$1" "$2")
  [ "$si_now" = "$3" ] || { echo "$1:$2 is now ifindex $si_now, was $3: rebuilt"; return 1; }
  echo "$1:$2 kept ifindex $3"
}
# drift_shown LAB TEXT: `plan --detailed-exitcode` exits 2 and its plan has that text.
drift_shown() {
  ds_status=0
  ds_out=$(nstopo plan --detailed-exitcode "$1" 2>&1) || ds_status=$?
  [ "$ds_status" -eq 2 ] || { echo "$ds_out"; echo "plan exited $ds_status, not 2"; return 1; }
  echo "$ds_out" | grep -qF "$2" || { echo "$ds_out"; echo "no '$2' in the plan"; return 1; }
  echo "plan shows: $2"
}

check apply nstopo apply "$lab"
check a_enslaved enslaved a bond0 e1 e2
check b_enslaved enslaved b bond0 e1 e2
check a_mode reports a bond0 'Bonding Mode: fault-tolerance (active-backup)'
check a_miimon reports a bond0 'MII Polling Interval (ms): 100'
check a_primary primary_is a bond0 e1
check b_primary primary_is b bond0 e1
check a_active wait_active a bond0 e1
check b_active wait_active b bond0 e1
check reaches_v4 reaches a 10.0.0.2
check reaches_v6 reaches a 2001:db8::2
check verify nstopo verify "$lab"
check noop nstopo plan --detailed-exitcode "$lab"

# A primary set by hand is drift, and apply puts the file's back.
ip -n a link set bond0 type bond primary e2
check drift.shown drift_shown "$lab" "a:bond0: primary e2 -> e1"
check drift.apply nstopo apply "$lab"
check drift.a_primary primary_is a bond0 e1

# A new primary in the file: changed in place, and active at once (primary_reselect always).
a_index=$(ifindex_of a bond0)
b_index=$(ifindex_of b bond0)
sed 's/primary: e1/primary: e2/' "$lab" >"$work/lab.new" && mv "$work/lab.new" "$lab"
check change.plan drift_shown "$lab" "a:bond0: primary e1 -> e2"
check change.apply nstopo apply "$lab"
check change.a_in_place same_ifindex a bond0 "$a_index"
check change.b_in_place same_ifindex b bond0 "$b_index"
check change.a_primary primary_is a bond0 e2
check change.b_primary primary_is b bond0 e2
check change.a_active wait_active a bond0 e2
check change.b_active wait_active b bond0 e2
check change.noop nstopo plan --detailed-exitcode "$lab"
check change.reaches reaches a 10.0.0.2
active=e2
standby=e1

# failover: a ping run of 20 packets 0.2 s apart (4 s); 1 s in, b's end of a's active member
# goes down. a's member loses its carrier, miimon (100 ms) sees it, the other member takes over.
# lost_of FILE: the packets ping's summary line says were lost.
lost_of() {
  awk '/packets transmitted/ {for (i = 1; i <= NF; i++) if ($i == "received,") print $1 - $(i-1)}' "$1"
}
failover() {
  ip netns exec a ping -c 20 -i 0.2 -W 1 10.0.0.2 >"$work/ping" 2>&1 &
  fo_pid=$!
  sleep 1
  ip -n b link set "$active" down
  wait "$fo_pid"
  fo_lost=$(lost_of "$work/ping")
  [ -n "$fo_lost" ] || { cat "$work/ping"; echo "no ping summary"; return 1; }
  [ "$fo_lost" -le 3 ] || { cat "$work/ping"; echo "$fo_lost of 20 lost"; return 1; }
  echo "$fo_lost of 20 lost across the failover from $active to $standby"
}
check failover failover
check failover_active wait_active a bond0 "$standby"
check after_failover_v4 reaches a 10.0.0.2
check after_failover_v6 reaches a 2001:db8::2
# Recovery: the primary's link is back, so it is the active member again on both sides.
ip -n b link set "$active" up
check recovery.a_active wait_active a bond0 "$active"
check recovery.b_active wait_active b bond0 "$active"
check recovery.reaches reaches a 10.0.0.2

# No primary in the file: cleared in place.
sed 's/, primary: e2}/}/' "$lab" >"$work/lab.new" && mv "$work/lab.new" "$lab"
check clear.apply nstopo apply "$lab"
check clear.a_in_place same_ifindex a bond0 "$a_index"
check clear.a_primary primary_is a bond0 None
check clear.noop nstopo plan --detailed-exitcode "$lab"

nothing_left() {
  nl_ns=$(ip netns list)
  nl_links=$(ip -o link show | grep -v ': lo:')
  if [ -n "$nl_ns" ] || [ -n "$nl_links" ]; then
    echo "left: [$nl_ns] [$nl_links]"
    return 1
  fi
  echo "no namespace, no link"
}
check destroy nstopo destroy "$lab"
check nothing_left nothing_left

# LACP: two bonds in 802.3ad mode (slow LACP rate, the default) over two veths. Both members
# must end up in the active aggregator on each side; under emulation LACP takes up to ~30 s.
lacp=$work/bond-lacp.yaml
cat >"$lacp" <<'YAML'
version: 1
name: bond-lacp
nodes:
  a:
    interfaces:
      bond0: {addresses: [10.0.1.1/24]}
  b:
    interfaces:
      bond0: {addresses: [10.0.1.2/24]}
links:
  - {kind: veth, endpoints: [a:e1, b:e1]}
  - {kind: veth, endpoints: [a:e2, b:e2]}
  - {kind: bond, endpoint: a:bond0, mode: 802.3ad, miimon: 100, members: [e1, e2]}
  - {kind: bond, endpoint: b:bond0, mode: 802.3ad, miimon: 100, members: [e1, e2]}
YAML
# aggregated NODE BOND: the active aggregator has 2 ports and every slave is in it.
aggregated() {
  bonding "$1" "$2" | awk '
    /^Active Aggregator Info:/ {in_active = 1; next}
    in_active && /Aggregator ID:/ {active = $3}
    in_active && /Number of ports:/ {ports = $4; in_active = 0}
    /^Slave Interface:/ {slave = $3}
    slave != "" && /^Aggregator ID:/ {ids = ids " " slave "=" $3; if ($3 != active) bad = 1}
    END {
      if (active == "" || ports != 2 || bad || ids == "") {
        printf "active aggregator %s with %s ports; slaves:%s\n", active, ports, ids; exit 1
      }
      printf "aggregator %s with 2 ports:%s\n", active, ids
    }'
}
# wait_aggregated NODE BOND: up to 60 tries 1 s apart.
wait_aggregated() {
  n=0
  while [ "$n" -lt 60 ]; do
    n=$((n + 1))
    aggregated "$1" "$2" >/dev/null 2>&1 && break
    sleep 1
  done
  aggregated "$1" "$2" || { bonding "$1" "$2"; return 1; }
}
check lacp.apply nstopo apply "$lacp"
check lacp.a_enslaved enslaved a bond0 e1 e2
check lacp.b_enslaved enslaved b bond0 e1 e2
check lacp.a_aggregated wait_aggregated a bond0
check lacp.b_aggregated wait_aggregated b bond0
check lacp.reaches reaches a 10.0.1.2
check lacp.noop nstopo plan --detailed-exitcode "$lacp"
check lacp.destroy nstopo destroy "$lacp"
check lacp.nothing_left nothing_left
vmtest_finish
