# SPDX-License-Identifier: Apache-2.0
# Crash safety of OVS internal ports (issue 11, part 5), against the sandbox's own ovsdb-server
# and ovs-vswitchd (netdev datapath): the apply of a lab whose internal ports vswitchd creates in
# the host and nstopo moves into their nodes (or marks in the host) is killed with SIGKILL at
# every request it sends (twice in a row), at random points, and made to fail at every step.
# Each time the next apply converges, the plan is empty, the machine read with ip -j and
# ovs-vsctl is the file's, and destroy leaves nothing.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/crash_lib.sh"
require_ovs
if ! command -v strace >/dev/null || ! command -v jq >/dev/null; then
  echo "SKIP: strace or jq is not installed (bash .ci/install-deps installs both)"
  exit 77
fi
trap '"$NSTOPO" ovs stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start

LAB_NAME=crash-ovs
LAB=$WORK/$LAB_NAME.yaml
cat >"$LAB" <<'YAML'
name: crash-ovs
nodes:
  ns1:
    interfaces:
      tap1: {addresses: [10.73.0.1/24]}
      e0: {addresses: [10.73.1.1/24]}
  ns2:
    interfaces:
      tap2: {addresses: [10.73.0.2/24], mtu: 1400}
  host:
    interfaces:
      tap0: {addresses: [10.73.0.254/24]}
bridges:
  ob1: {kind: ovs, datapath: netdev}
links:
  - {kind: ovs-internal, bridge: ob1, endpoint: ns1:tap1}
  - {kind: ovs-internal, bridge: ob1, endpoint: ns2:tap2}
  - {kind: ovs-internal, bridge: ob1, endpoint: host:tap0}
  - {kind: veth, endpoints: [ns1:e0, ob1:p1]}
YAML
BASELINE=$(machine_view)
EXPECTED=$(sort <<'VIEW'
host lo - -
host ovs-netdev tun -
host ob1 tun -
host p1 veth -
host tap0 tun 10.73.0.254/24
ns1 e0 veth 10.73.1.1/24
ns1 lo - -
ns1 tap1 tun 10.73.0.1/24
ns2 lo - -
ns2 tap2 tun 10.73.0.2/24
VIEW
)
EXPECTED+=$'\n'$(printf '%s\n' "ovs ob1" "ovs ob1 p1" "ovs ob1 tap0" "ovs ob1 tap1" "ovs ob1 tap2")

every_crash_sweep "ip -j, ovs-vsctl"
