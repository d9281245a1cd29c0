# SPDX-License-Identifier: Apache-2.0
# Crash safety of stacked links (issue 11, part 5): a macvlan lab is killed with SIGKILL at every
# request its apply sends (twice in a row), at random points, and made to fail at every step.
# Each time the next apply converges, the plan is empty, the machine read with ip -j is the
# file's, and destroy leaves nothing. The lab has macvlans in their parent's namespace (created
# under their name) and in other namespaces, the host among them (created under a temporary
# name and renamed there), on a parent in a node and on one in the host.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/crash_lib.sh"
require_link_kinds macvlan
if ! command -v strace >/dev/null || ! command -v jq >/dev/null; then
  echo "SKIP: strace or jq is not installed (bash .ci/install-deps installs both)"
  exit 77
fi

LAB_NAME=crash-macvlan
LAB=$WORK/$LAB_NAME.yaml
cat >"$LAB" <<'YAML'
name: crash-macvlan
nodes:
  underlay:
    interfaces:
      eth0: {addresses: [10.71.0.1/24], promisc: true}
      shim: {addresses: [10.71.0.254/32]}
    routes:
      - {to: 10.71.0.0/25, dev: shim}
  wire: {}
  net1:
    interfaces:
      eth0: {addresses: [10.71.0.11/24]}
      mv0: {addresses: [10.72.0.11/24]}
  net2:
    interfaces:
      eth0: {addresses: [10.71.0.12/24]}
links:
  - {kind: veth, endpoints: [underlay:eth0, wire:eth0]}
  - {kind: veth, endpoints: [host:up0, wire:up0]}
  - {kind: macvlan, parent: underlay:eth0, endpoint: net1:eth0, mode: bridge}
  - {kind: macvlan, parent: underlay:eth0, endpoint: net2:eth0, mode: private}
  - {kind: macvlan, parent: underlay:eth0, endpoint: underlay:shim, mode: bridge}
  - {kind: macvlan, parent: host:up0, endpoint: net1:mv0, mode: bridge}
  - {kind: macvlan, parent: underlay:eth0, endpoint: host:mvh0, mode: vepa}
YAML
ip link add keep-me type bridge
BASELINE=$(machine_view)
EXPECTED=$(sort <<'VIEW'
host keep-me bridge -
host lo - -
host mvh0 macvlan -
host up0 veth -
net1 eth0 macvlan 10.71.0.11/24
net1 lo - -
net1 mv0 macvlan 10.72.0.11/24
net2 eth0 macvlan 10.71.0.12/24
net2 lo - -
underlay eth0 veth 10.71.0.1/24
underlay lo - -
underlay shim macvlan 10.71.0.254/32
wire eth0 veth -
wire lo - -
wire up0 veth -
VIEW
)

every_crash_sweep "ip -j"
