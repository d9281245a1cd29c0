#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs inside the test VM (Debian's kernel, busybox sh): kind vrf (issue 12), which this
# development machine's kernel lacks (CONFIG_NET_VRF). topologies/examples/vrf-overlap.yaml puts
# two customers behind one router r whose two VRFs use the same addresses; each customer must
# reach its own server and NOT the other's. Every check reads the kernel on its own (`ip -j`,
# ping), not through nstopo. Then a no-op plan, a new table that replaces the VRF and enslaves
# its members again, a rollback at every step of a table change and of a member move (the
# kernel as before each time), and a destroy that leaves nothing.
# shellcheck source=SCRIPTDIR/../guest/vmtest-lib.sh
. /usr/lib/vmtest/lib.sh

if ! command -v nstopo >/dev/null 2>&1; then
  vmtest_skip nstopo "no nstopo binary in the image (NSTOPO was not set)"
  vmtest_finish
  exit $?
fi
if ! ip link add nstopo-probe type vrf table 99 >/dev/null 2>&1; then
  vmtest_skip vrf "this kernel cannot create vrf links (CONFIG_NET_VRF)"
  vmtest_finish
  exit $?
fi
ip link del nstopo-probe
work=/tmp/nstopo-vrf
mkdir -p "$work"
lab=$work/vrf-overlap.yaml
cp /topologies/examples/vrf-overlap.yaml "$lab"

# never_reaches FROM ADDRESS: 3 pings of 2 s each, none answered.
never_reaches() {
  if ip netns exec "$1" ping -c 3 -i 0.5 -W 2 "$2" >/dev/null 2>&1; then
    echo "$1 reaches $2 but must not"
    return 1
  fi
}
# master_is NODE IFNAME MASTER: the kernel's own master of the link, from `ip -j`.
master_is() {
  got=$(ip -n "$1" -j link show "$2")
  echo "$got" | grep -q "\"master\":\"$3\"" || { echo "$1:$2 is not in $3: $got"; return 1; }
}
# table_is NODE VRF TABLE: the VRF's table, from `ip -j -d`.
table_is() {
  got=$(ip -n "$1" -j -d link show "$2")
  echo "$got" | grep -q "\"table\":$3[,}]" || { echo "$1:$2 has no table $3: $got"; return 1; }
}
# route_in_vrf NODE VRF PREFIX DEV: a connected route of the VRF's table, from `ip -j`.
route_in_vrf() {
  got=$(ip -n "$1" -j route show vrf "$2")
  echo "$got" | grep -q "\"dst\":\"$3\",\"dev\":\"$4\"" ||
    { echo "no $3 dev $4 in vrf $2: $got"; return 1; }
}
members_and_isolation() {  # members_and_isolation TAG BLUE-TABLE
  check "$1.table_blue" table_is r blue "$2"
  check "$1.table_red" table_is r red 20
  check "$1.c1_in_blue" master_is r c1 blue
  check "$1.s1_in_blue" master_is r s1 blue
  check "$1.c2_in_red" master_is r c2 red
  check "$1.s2_in_red" master_is r s2 red
  check "$1.blue_routes" route_in_vrf r blue 10.1.0.0/24 s1
  check "$1.red_routes" route_in_vrf r red 10.1.0.0/24 s2
  check "$1.cust1_reaches_srv1" reaches cust1 10.1.0.2
  check "$1.cust2_reaches_srv2" reaches cust2 10.1.0.3
  check "$1.cust1_not_srv2" never_reaches cust1 10.1.0.3
  check "$1.cust2_not_srv1" never_reaches cust2 10.1.0.2
  check "$1.srv1_reaches_cust1" reaches srv1 10.0.0.2
  check "$1.srv2_not_cust1" never_reaches srv2 10.0.0.2
}

check apply nstopo apply "$lab"
members_and_isolation first 10
check verify nstopo verify "$lab"
check noop nstopo plan --detailed-exitcode "$lab"

sed -i 's/endpoint: r:blue, table: 10/endpoint: r:blue, table: 11/' "$lab"
check apply_table nstopo apply "$lab"
members_and_isolation table 11
check converged nstopo plan --detailed-exitcode "$lab"

# snapshot: every namespace's links (name, admin state, master), the VRFs' tables, addresses
# and the routes of the main table and of each VRF; no ifindex, so a rebuilt VRF compares equal.
snapshot() {
  for ns in $(ip netns list | cut -d' ' -f1 | sort); do
    echo "ns $ns:"
    ip -n "$ns" -o link show | awk '{m=""; for (i = 4; i < NF; i++) if ($i == "master") m=$(i+1);
      a=($3 ~ /[<,]UP[,>]/) ? "up" : "down"; sub(/@.*/, "", $2); print $2, a, m}' | sort
    ip -n "$ns" -d link show type vrf | grep -o 'vrf table [0-9]*' | sort
    ip -n "$ns" -o addr show | awk '$4 !~ /^fe80/ {print $2, $4}' | sort
    ip -n "$ns" route show | sort
    for vrf in $(ip -n "$ns" -o link show type vrf | awk -F': ' '{print $2}' | sed 's/@.*//'); do
      echo "vrf $vrf:"
      ip -n "$ns" route show vrf "$vrf" | sort
    done
  done
}
# rollback_sweep TAG: fails the 1st, 2nd, ... kernel operation of applying "$lab"; each failed
# run must leave the kernel exactly as it was. Bounded: 40 operations at most.
rollback_sweep() {
  before=$(snapshot)
  n=1
  while [ "$n" -le 40 ]; do
    rc=0
    NSTOPO_FAULT_INJECT_AT=$n nstopo apply "$lab" >"$work/out" 2>&1 || rc=$?
    [ "$rc" = 0 ] && break  # past the last operation: the change went through
    after=$(snapshot)
    if [ "$after" = "$before" ]; then
      vmtest_pass "$1.rollback_at_$n" "exit $rc, kernel as before"
    else
      echo "$before" >"$work/before"
      echo "$after" >"$work/after"
      diff "$work/before" "$work/after" | sed "s/^/vmtest: $1.rollback_at_$n: /"
      vmtest_fail "$1.rollback_at_$n" "the kernel changed"
    fi
    n=$((n + 1))
  done
  if [ "$rc" = 0 ] && [ "$n" -gt 1 ]; then
    vmtest_pass "$1.goes_through" "after $((n - 1)) failed runs"
  else
    vmtest_fail "$1.goes_through" "no run went through (rc $rc at operation $n)"
  fi
}

# The table change again, and a member moving to the other VRF, failed at every step: the
# VRF is rebuilt with its old table and its members (which the kernel released) enslaved again.
sed -i 's/endpoint: r:blue, table: 11/endpoint: r:blue, table: 12/' "$lab"
rollback_sweep table
check table_12 table_is r blue 12
check table_12.c1_in_blue master_is r c1 blue
sed -i 's/c2: {vrf: red, addresses: \[10.0.0.1\/24\]}/c2: {vrf: blue, addresses: [10.0.5.1\/24]}/' "$lab"
rollback_sweep move
check moved.c2_in_blue master_is r c2 blue
check moved.converged nstopo plan --detailed-exitcode "$lab"

nothing_left() {
  [ -z "$(ip netns list)" ] && [ "$(ip -o link show | grep -vc ': lo:')" = 0 ]
}
check destroy nstopo destroy "$lab"
check nothing_left nothing_left
vmtest_finish
