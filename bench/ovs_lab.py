# SPDX-License-Identifier: Apache-2.0
"""The Open vSwitch stars of the benchmark, in every contender's language.

  ovs-veth      N namespaces, each joined to one OVS bridge by a veth pair (the veth end is a port)
  ovs-internal  N namespaces, each holding one OVS internal port moved into it

Both run on the private Open vSwitch of `nstopo ovs start` (database and daemons under
/run/nstopo/ovs, inside the benchmark's sandbox), on the datapath `auto` picks: `netdev` where the
kernel has no openvswitch module. On `netdev`, TCP over a veth port needs TX checksum offload off
on both ends (docs/ovs.md), so the hand-written contenders turn it off too: every contender builds
the same end state.

Contenders: nstopo; shell (the seeds' recipe: one `ip`, `ovs-vsctl` or `ethtool` command per
step); ip-batch (`ip -batch` in the root namespace, one `ovs-vsctl` carrying every port, one
`ip -n NS -batch` per namespace). There is no kernel floor: the cost is in ovs-vswitchd.
"""

OVS_SOCKET = "unix:/run/nstopo/ovs/db.sock"
VSCTL = ["ovs-vsctl", f"--db={OVS_SOCKET}", "--timeout=120"]
KINDS = ("ovs-veth", "ovs-internal")


def address(i):
    return f"10.0.{i // 250}.{i % 250 + 1}/16"


class OvsLab:
    def __init__(self, kind, n):
        assert kind in KINDS, kind
        self.kind, self.n = kind, n
        self.nodes = [f"b{i}" for i in range(1, n + 1)]
        self.internal = kind == "ovs-internal"

    def ifname(self, i):
        # Internal ports are named in OVS, where names are global: one per node.
        return f"t{i}" if self.internal else "eth0"

    def yaml(self, changed=False):
        lines = [f"name: bench-{self.kind}", "nodes:"]
        for i, node in enumerate(self.nodes, 1):
            addr = "10.0.200.200/16" if changed and i == 1 else address(i)
            lines.append(f"  {node}: {{interfaces: {{{self.ifname(i)}: {{addresses: [{addr}]}}}}}}")
        lines += ["bridges:", "  br-bench: {kind: ovs, datapath: auto, fail_mode: standalone}",
                  "links:"]
        for i, node in enumerate(self.nodes, 1):
            if self.internal:
                lines.append(f"  - {{kind: ovs-internal, bridge: br-bench, endpoint: {node}:t{i}}}")
            else:
                lines.append(f"  - {{kind: veth, endpoints: [{node}:eth0, br-bench:p{i}]}}")
        return "\n".join(lines) + "\n"

    def vsctl(self, *args):
        return " ".join(VSCTL + list(args))

    def bridge_command(self, datapath):
        return self.vsctl("add-br", "br-bench", "--", "set", "Bridge", "br-bench",
                          f"datapath_type={datapath}", "fail_mode=standalone")

    def port_args(self, i):
        if self.internal:
            return ["--", "add-port", "br-bench", f"t{i}", "--", "set", "Interface", f"t{i}",
                    "type=internal"]
        return ["--", "add-port", "br-bench", f"p{i}"]

    def shell(self, datapath):
        out = [self.bridge_command(datapath)]
        for i, node in enumerate(self.nodes, 1):
            ifname = self.ifname(i)
            out.append(f"ip netns add {node}")
            if self.internal:
                out += [self.vsctl(*self.port_args(i)[1:]), f"ip link set t{i} netns {node}"]
            else:
                out += [f"ip link add p{i} type veth peer name eth0 netns {node}",
                        f"ip link set p{i} up", self.vsctl(*self.port_args(i)[1:])]
                if datapath == "netdev":
                    out += [f"ethtool -K p{i} tx off >/dev/null",
                            f"ip netns exec {node} ethtool -K eth0 tx off >/dev/null"]
            out += [f"ip -n {node} addr add {address(i)} dev {ifname}",
                    f"ip -n {node} link set {ifname} up", f"ip -n {node} link set lo up"]
        return out

    def teardown(self):
        return [self.vsctl("--if-exists", "del-br", "br-bench")] + \
               [f"ip netns del {node}" for node in self.nodes]

    def root_batch(self):
        out = [f"netns add {node}" for node in self.nodes]
        if not self.internal:
            out += [f"link add p{i} up type veth peer name eth0 netns {node}"
                    for i, node in enumerate(self.nodes, 1)]
        return out

    def vsctl_batch(self):
        """One ovs-vsctl run that adds every port (and waits once for ovs-vswitchd)."""
        args = list(VSCTL)
        for i in range(1, self.n + 1):
            args += self.port_args(i)
        return args[:len(VSCTL)] + args[len(VSCTL) + 1:]  # no leading "--"

    def after_ports_batch(self):
        """Root-namespace work that needs the ports: internal ports move into their nodes."""
        if not self.internal:
            return []
        return [f"link set t{i} netns {node}" for i, node in enumerate(self.nodes, 1)]

    def ns_batches(self):
        return {node: ["link set lo up", f"addr add {address(i)} dev {self.ifname(i)}",
                       f"link set {self.ifname(i)} up"]
                for i, node in enumerate(self.nodes, 1)}

    def offload_commands(self, datapath):
        """ethtool has no batch mode: one run per veth end, as a user would script it."""
        if self.internal or datapath != "netdev":
            return []
        out = []
        for i, node in enumerate(self.nodes, 1):
            out += [["ethtool", "-K", f"p{i}", "tx", "off"],
                    ["ip", "netns", "exec", node, "ethtool", "-K", "eth0", "tx", "off"]]
        return out
