#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The lab of bench/multihost.sh: N namespaces over three machines h1..h3, written twice, with
`hosts:` (the multi-host file) and without (the same lab on one machine).

Node i (n1..nN) runs on machine h((i-1) mod 3 + 1), so every bridge spans the three machines:
- ten Linux bridges (b1..b10), each with N/10 nodes, every node one address on its bridge;
- every 20th node has a second interface, a veth to the next node (on the next machine), so
  N/20 point-to-point tunnels.
On three machines each part holds N/3 namespaces, ten bridges with one VXLAN port each (peers:
the other two machines), and the ends of the point-to-point tunnels it takes part in."""
import argparse

import yaml

HOSTS = ["h1", "h2", "h3"]
BRIDGES = 10


def lab(nodes):
    per_bridge = -(-nodes // BRIDGES)
    spec = {"version": 1, "name": "multihost-bench",
            "hosts": {h: {"address": f"10.99.0.{h[1:]}", "interface": "eth0"} for h in HOSTS},
            "nodes": {}, "bridges": {}, "links": []}
    for i in range(1, nodes + 1):
        bridge = (i - 1) // per_bridge + 1
        node = f"n{i}"
        interfaces = {"eth0": {"addresses": [f"10.{100 + bridge}.{i // 256}.{i % 256}/16"]}}
        spec["nodes"][node] = {"host": HOSTS[(i - 1) % 3], "interfaces": interfaces}
        spec["bridges"].setdefault(f"b{bridge}", {})
        spec["links"].append({"kind": "veth", "endpoints": [f"{node}:eth0", f"b{bridge}:p{i}"]})
    for k, i in enumerate(range(1, nodes, 20)):
        a, b = f"n{i}", f"n{i + 1}"
        spec["nodes"][a]["interfaces"]["eth1"] = {"addresses": [f"10.200.{k}.1/30"]}
        spec["nodes"][b]["interfaces"]["eth1"] = {"addresses": [f"10.200.{k}.2/30"]}
        spec["links"].append({"kind": "veth", "endpoints": [f"{a}:eth1", f"{b}:eth1"]})
    return spec


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, default=600)
    parser.add_argument("--multi", required=True, help="the file with hosts:")
    parser.add_argument("--single", required=True, help="the same lab on one machine")
    args = parser.parse_args()
    multi = lab(args.nodes)
    with open(args.multi, "w") as out:
        yaml.safe_dump(multi, out, sort_keys=False)
    del multi["hosts"]
    for node in multi["nodes"].values():
        del node["host"]
    with open(args.single, "w") as out:
        yaml.safe_dump(multi, out, sort_keys=False)


if __name__ == "__main__":
    main()
