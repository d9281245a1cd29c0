#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs inside the test VM (busybox sh, no bash there). Proves the VM's Debian kernel has the
# link kinds the development machine's kernel lacks (ipvlan, 802.1Q VLAN, dummy, the Open
# vSwitch datapath) plus the ones nstopo always uses (veth, Linux bridge, macvlan): each is
# built by hand with iproute2 between namespaces and must pass one bounded ping. One
# "VMTEST kernel_features.<feature> PASS|FAIL|SKIP" line per feature, then the nstopo checks.
# shellcheck source=SCRIPTDIR/../guest/vmtest-lib.sh
. /usr/lib/vmtest/lib.sh

# Each feature runs in a subshell so a failed step stops only that feature; `set -e` there
# turns any failed setup command into the feature's failure.
feature() {
  name=$1
  shift
  if out=$( (set -e; "$@") 2>&1); then
    vmtest_pass "$name" "$(echo "$out" | tail -n 1)"
  else
    echo "$out" | sed "s/^/vmtest: $name: /"
    vmtest_fail "$name" "$(echo "$out" | tail -n 1)"
  fi
}

# two_ns A B: two fresh namespaces with loopback up.
two_ns() {
  ip netns add "$1"
  ip netns add "$2"
  ip -n "$1" link set lo up
  ip -n "$2" link set lo up
}

# addr_up NS DEV CIDR
addr_up() {
  ip -n "$1" addr add "$3" dev "$2"
  ip -n "$1" link set "$2" up
}

# ping_ok NS ADDR [ATTEMPTS]: bounded pings (by default at most 3 of 2 s: an emulated guest on a
# loaded host can miss the first while ARP resolves); says what it proved (the last line becomes
# the reason).
ping_ok() {
  attempts=${3:-3}
  attempt=1
  while [ "$attempt" -le "$attempts" ]; do
    if ip netns exec "$1" ping -c 1 -W 2 "$2" >/dev/null 2>&1; then
      echo "$1 reaches $2 (ping $attempt of $attempts)"
      return 0
    fi
    attempt=$((attempt + 1))
  done
  echo "$1 does not reach $2 in $attempts pings"
  return 1
}

# A veth pair in this (the scenario's own) namespace, both ends up: a parent with carrier.
parent_pair() {
  ip link add "$1" type veth peer name "$2"
  ip link set "$1" up
  ip link set "$2" up
}

test_veth() {
  two_ns veth1 veth2
  ip link add eth0 netns veth1 type veth peer name eth0 netns veth2
  addr_up veth1 eth0 10.0.0.1/24
  addr_up veth2 eth0 10.0.0.2/24
  ping_ok veth1 10.0.0.2
}

test_bridge() {
  two_ns br1 br2
  ip link add br0 type bridge
  ip link set br0 up
  for n in 1 2; do
    ip link add "brp$n" type veth peer name eth0 netns "br$n"
    ip link set "brp$n" master br0 up
    addr_up "br$n" eth0 "10.0.4.$n/24"
  done
  ping_ok br1 10.0.4.2
}

test_ipvlan_l2() {
  two_ns ipv1 ipv2
  parent_pair ipvp ipvq
  for n in 1 2; do
    ip link add "ipvl$n" link ipvp type ipvlan mode l2
    ip link set "ipvl$n" netns "ipv$n"
    addr_up "ipv$n" "ipvl$n" "10.0.1.$n/24"
  done
  ip -n ipv1 -d link show ipvl1 | grep -q 'ipvlan.*mode l2'
  ping_ok ipv1 10.0.1.2
}

# Both ends tag: vlp.10 and vlq.10 sit on the two ends of one veth, so a reply proves 802.1Q
# frames crossed the wire and were untagged on the other side.
test_vlan() {
  two_ns vl1 vl2
  parent_pair vlp vlq
  ip link add link vlp name vlp.10 type vlan id 10
  ip link add link vlq name vlq.10 type vlan id 10
  ip link set vlp.10 netns vl1
  ip link set vlq.10 netns vl2
  addr_up vl1 vlp.10 10.0.10.1/24
  addr_up vl2 vlq.10 10.0.10.2/24
  ip -n vl1 -d link show vlp.10 | grep -q 'vlan protocol 802.1Q id 10'
  ping_ok vl1 10.0.10.2
}

test_macvlan_bridge() {
  two_ns mv1 mv2
  parent_pair mvp mvq
  for n in 1 2; do
    ip link add "mvl$n" link mvp type macvlan mode bridge
    ip link set "mvl$n" netns "mv$n"
    addr_up "mv$n" "mvl$n" "10.0.2.$n/24"
  done
  ping_ok mv1 10.0.2.2
}

test_dummy() {
  ip netns add dum
  ip -n dum link set lo up
  ip -n dum link add dum0 type dummy
  addr_up dum dum0 10.0.3.1/24
  ip -n dum -d link show dum0 | grep -q dummy
  ping_ok dum 10.0.3.1
}

# A private Open vSwitch (database and daemon under /run/vmtest-ovs, never the system's), one
# bridge with two veth ports into two namespaces: the kernel datapath must forward.
ovs_dir=/run/vmtest-ovs
test_openvswitch() {
  mkdir -p "$ovs_dir"
  export OVS_RUNDIR=$ovs_dir OVS_LOGDIR=$ovs_dir OVS_DBDIR=$ovs_dir
  db=unix:$ovs_dir/db.sock
  ovsdb-tool create "$ovs_dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema
  ovsdb-server "$ovs_dir/conf.db" --remote=punix:"$ovs_dir/db.sock" \
    --pidfile="$ovs_dir/ovsdb-server.pid" --unixctl="$ovs_dir/ovsdb-server.ctl" \
    --log-file="$ovs_dir/ovsdb-server.log" --detach
  ovs-vsctl --db="$db" --timeout=30 --no-wait init
  vmtest_wait_ovs_cpu_count
  ovs-vswitchd "$db" --pidfile="$ovs_dir/ovs-vswitchd.pid" \
    --unixctl="$ovs_dir/ovs-vswitchd.ctl" --log-file="$ovs_dir/ovs-vswitchd.log" --detach
  two_ns ovs1 ovs2
  # Without --no-wait, add-br returns once ovs-vswitchd has created the datapath and port.
  ovs-vsctl --db="$db" --timeout=60 add-br vmbr0
  for n in 1 2; do
    ip link add "ovsp$n" type veth peer name eth0 netns "ovs$n"
    ip link set "ovsp$n" up
    ovs-vsctl --db="$db" --timeout=60 add-port vmbr0 "ovsp$n"
    addr_up "ovs$n" eth0 "10.0.5.$n/24"
  done
  [ -d /sys/module/openvswitch ]
  # Bounded waits for what the ping needs (the kernel datapath's ports), then pings until a
  # deadline; on failure, the datapath, its flows and the daemon's log say why.
  wait_dp_ports 30 ovsp1 ovsp2
  if ! ping_until ovs1 10.0.5.2 30; then
    ovs_diagnostics
    echo "ovs1 does not reach 10.0.5.2 within 30 s"
    return 1
  fi
}
# wait_dp_ports SECONDS PORT...: until `dpctl/show` of the kernel datapath lists every PORT.
wait_dp_ports() {
  limit=$1
  shift
  waited=0
  while :; do
    dp=$(ovs-appctl --target="$ovs_dir/ovs-vswitchd.ctl" dpctl/show 2>&1) || dp=""
    missing=""
    for port in "$@"; do
      echo "$dp" | grep -qE ": $port( |\$)" || missing="$missing $port"
    done
    [ -z "$missing" ] && return 0
    if [ "$waited" -ge "$limit" ]; then
      ovs_diagnostics
      echo "the kernel datapath lacks$missing after ${limit} s"
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}
# ping_until NS ADDR SECONDS: one 2 s ping after another until one answers or SECONDS pass.
ping_until() {
  start=$(date +%s)
  tries=0
  while :; do
    tries=$((tries + 1))
    if ip netns exec "$1" ping -c 1 -W 2 "$2" >/dev/null 2>&1; then
      echo "$1 reaches $2 (ping $tries, after $(($(date +%s) - start)) s)"
      return 0
    fi
    [ $(($(date +%s) - start)) -ge "$3" ] && return 1
  done
}
ovs_diagnostics() {
  for cmd in dpctl/show dpctl/dump-flows; do
    ovs-appctl --target="$ovs_dir/ovs-vswitchd.ctl" "$cmd" 2>&1 | sed "s|^|$cmd: |"
  done
  ovs-vsctl --db="unix:$ovs_dir/db.sock" --timeout=10 --columns=name,ofport,error list Interface \
    2>&1 | sed 's/^/interface: /'
  for arp_ns in ovs1 ovs2; do
    ip -n "$arp_ns" neigh show 2>&1 | sed "s/^/neigh $arp_ns: /"
  done
  tail -n 30 "$ovs_dir/ovs-vswitchd.log" 2>&1 | sed 's/^/vswitchd: /'
}
stop_ovs() {
  for name in ovs-vswitchd ovsdb-server; do
    [ -f "$ovs_dir/$name.pid" ] && kill "$(cat "$ovs_dir/$name.pid")" 2>/dev/null
  done
  return 0
}

feature veth test_veth
feature bridge test_bridge
feature ipvlan_l2 test_ipvlan_l2
feature vlan test_vlan
feature macvlan_bridge test_macvlan_bridge
feature dummy test_dummy
if command -v ovs-vswitchd >/dev/null 2>&1 && command -v ovsdb-server >/dev/null 2>&1; then
  feature openvswitch test_openvswitch
  stop_ovs
else
  vmtest_skip openvswitch "ovs-vswitchd/ovsdb-server not in the initramfs"
fi

# nstopo itself, when build-initramfs.sh was given one.
if command -v nstopo >/dev/null 2>&1; then
  if version=$(nstopo --version 2>&1); then
    vmtest_pass nstopo_version "$version"
  else
    vmtest_fail nstopo_version "exit status non-zero: $version"
  fi
  cat >/tmp/vmtest-lab.yaml <<'YAML'
version: 1
name: vmtest
nodes:
  a: {interfaces: {eth0: {addresses: [10.9.0.1/24]}}}
  b: {interfaces: {eth0: {addresses: [10.9.0.2/24]}}}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
YAML
  if out=$(nstopo validate /tmp/vmtest-lab.yaml 2>&1); then
    vmtest_pass nstopo_validate "$out"
  else
    echo "$out" | sed 's/^/vmtest: nstopo validate: /'
    vmtest_fail nstopo_validate "$(echo "$out" | tail -n 1)"
  fi
else
  vmtest_skip nstopo "no nstopo in the initramfs (set NSTOPO when building it)"
fi

vmtest_finish
