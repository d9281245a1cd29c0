# SPDX-License-Identifier: Apache-2.0
# The split's property test (issue 13): random labs over three machines, each applied once on one
# simulated host as an ordinary lab and once split into its three parts, each part applied on its
# own simulated host; from inside every node, both must reach exactly what the lab says (the
# nodes of its own segment) and nothing else. The simulated hosts are multihost_lib.sh's, without
# ssh (nsenter reaches them); the generator, probes and checks are
# tests/property/split_reachability.py, which prints its seed and each failing lab whole.
# NSTOPO_SPLIT_LABS and NSTOPO_PROPERTY_SEED tune a run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/multihost_lib.sh"
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "SKIP: python3-yaml is not installed"
  exit 77
fi
if ! ip link add nstopo-probe0 type vxlan id 1 dstport 4789 2>"$WORK/probe.err"; then
  echo "SKIP: this kernel cannot create vxlan links: $(tr '\n' ' ' <"$WORK/probe.err")"
  exit 77
fi
ip link del nstopo-probe0

step "four simulated hosts: h1, h2, h3 for the split parts, h4 for the lab on one machine"
mh_start_hosts 4 nossh || { fail "the simulated hosts did not start"; finish; exit 1; }
OVS=1
if [[ ! -x /usr/sbin/ovs-vswitchd || ! -c /dev/net/tun ]]; then
  echo "SKIP (Open vSwitch bridges): Open vSwitch is not installed or has no /dev/net/tun"
  OVS=0
else
  for host in h1 h2 h3 h4; do
    if ! mh_ovs_start "$host"; then
      echo "SKIP (Open vSwitch bridges): nstopo ovs start failed on $host:" \
        "$(tr '\n' ' ' <"$WORK/mh-ovs-$host.out")"
      OVS=0
      break
    fi
  done
fi

step "random labs: split and applied per machine, against one machine"
pids=""
for host in "${MH_HOSTS[@]}"; do pids+="$host=${MH_PID[$host]} "; done
if MH_PIDS=$pids OVS=$OVS WORK=$WORK PYTHONDONTWRITEBYTECODE=1 \
  python3 "$SRC/tests/property/split_reachability.py"; then
  pass "every lab's split parts reach what the lab reaches on one machine"
else
  fail "a split lab reaches differently (above: its seed, the pairs and the file)"
fi
finish
