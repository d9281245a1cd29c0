# SPDX-License-Identifier: Apache-2.0
"""Random valid labs and random edits of them, from a seed (issue 10, "How to prove it").

A lab is the plain dict of the YAML file (docs/topology.md, docs/ovs.md). gen_lab(rng) makes
one of 2-5 nodes over veth, Linux bridges in the host and in nodes, OVS bridges (datapath
netdev) with veth ports, tags, trunks and internal ports, macvlan on lab veth ends, IPv4 and
IPv6 addresses (unique), gateway and dev routes and sysctls. gen_edit(rng, lab, kinds) returns
(kind, B) for one random edit kind. Both keep the file valid by construction; the caller still
runs `nstopo validate` on each, and a refusal there is a generator bug.

Standard library plus python3-yaml only.
"""
import copy
import ipaddress
import random

import yaml

LAB_NAME = "prop"
MTUS = [1400, 1500, 9000]
MACVLAN_MODES = ["bridge", "private", "vepa"]
SYSCTLS = ["net.ipv4.ip_forward", "net.ipv6.conf.all.forwarding", "net.ipv4.conf.all.rp_filter"]

# Every edit kind the generator knows.
EDIT_KINDS = [
    "add-node", "remove-node", "add-link", "remove-link", "add-bridge", "remove-bridge",
    "rename-interface", "readdress-same-subnet", "readdress-other-subnet",
    "readdress-primary-beside-secondary", "add-address", "remove-address", "retag-ovs-port",
    "move-port-linux-ovs", "macvlan-mode", "mtu", "mac", "up", "routes", "sysctls",
    "remove-macvlan-parent", "add-ovs-internal", "remove-ovs-internal",
]

# Edit kinds that still fail with a known, reported defect. The default run leaves them out of
# the pairs named by the scope ("all" pairs, or only those of the "rollback" or "crash" sweep);
# NSTOPO_PROPERTY_ALL_EDITS=1 puts them back. Each entry: kind -> (scope, one-line reason).
KNOWN_FAILING = {
}


# ---------------------------------------------------------------------------------------------
# reading a lab


def split(endpoint):
    owner, ifname = endpoint.split(":", 1)
    return owner, ifname


def bridge_node(lab, bridge):
    b = lab["bridges"][bridge]
    return "host" if b["kind"] == "ovs" else b.get("node", "host")


def where(lab, endpoint):
    """(namespace, ifname, bridge or None) of a link endpoint."""
    owner, ifname = split(endpoint)
    if owner in lab.get("bridges", {}):
        return bridge_node(lab, owner), ifname, owner
    return owner, ifname, None


def node_interfaces(lab):
    """{(ns, ifname): description} of every interface a link or bridge creates."""
    out = {}
    for link in lab.get("links", []):
        if link["kind"] == "veth":
            for e in link["endpoints"]:
                ns, ifn, br = where(lab, e)
                out[(ns, ifn)] = {"kind": "veth", "bridge": br, "link": link}
        elif link["kind"] == "macvlan":
            ns, ifn, _ = where(lab, link["endpoint"])
            out[(ns, ifn)] = {"kind": "macvlan", "bridge": None, "link": link}
        elif link["kind"] == "ovs-internal":
            ns, ifn, br = where(lab, link["endpoint"])
            out[(ns, ifn)] = {"kind": "ovs-internal", "bridge": br, "link": link}
    for name, b in lab.get("bridges", {}).items():
        if b["kind"] == "linux":
            out[(b.get("node", "host"), name)] = {"kind": "bridge", "bridge": None, "link": None}
    return out


def settings(lab, ns, ifname, create=False):
    """The settings dict of an interface (the bridge's own dict for a Linux bridge)."""
    b = lab.get("bridges", {}).get(ifname)
    if b is not None and b["kind"] == "linux" and b.get("node", "host") == ns:
        return b
    node = lab["nodes"].get(ns)
    if node is None:
        return {} if not create else None
    ifs = node.get("interfaces", {})
    if create:
        node["interfaces"] = ifs
        return ifs.setdefault(ifname, {})
    return ifs.get(ifname, {})


def all_names(lab):
    names = set(lab["nodes"]) | set(lab.get("bridges", {}))
    for (_, ifn) in node_interfaces(lab):
        names.add(ifn)
    for n in lab["nodes"].values():
        names |= set(n.get("interfaces", {}))
    return names


def fresh(lab, prefix):
    names = all_names(lab)
    i = 1
    while f"{prefix}{i}" in names:
        i += 1
    return f"{prefix}{i}"


def used_ips(lab):
    ips = set()
    for n in lab["nodes"].values():
        for s in n.get("interfaces", {}).values():
            ips |= {a.split("/")[0] for a in s.get("addresses", [])}
        for r in n.get("routes", []):
            if "via" in r:
                ips.add(r["via"])
    for b in lab.get("bridges", {}).values():
        ips |= {a.split("/")[0] for a in b.get("addresses", [])}
    return ips


def used_subnets(lab):
    out = set()
    for ip in used_ips(lab):
        if "." in ip:
            out.add(int(ip.split(".")[1]))
        else:
            out.add(int(ip.split(":")[1], 16))
    return out


def fresh_subnet(rng, lab, avoid=()):
    used = used_subnets(lab) | set(avoid)
    free = [s for s in range(1, 250) if s not in used]
    return rng.choice(free)


def v4(subnet, host):
    return f"10.{subnet}.0.{host}"


def v6(subnet, host):
    return f"fd00:{subnet:x}::{host:x}"


def new_address(rng, lab, subnet, family):
    used = used_ips(lab)
    for _ in range(200):
        h = rng.randint(1, 99)
        ip = v4(subnet, h) if family == 4 else v6(subnet, h)
        if ip not in used:
            return ip + ("/24" if family == 4 else "/64")
    raise RuntimeError("subnet full")


def subnet_of(address):
    ip = address.split("/")[0]
    return int(ip.split(".")[1]) if "." in ip else int(ip.split(":")[1], 16)


def is_up(lab, ns, ifname):
    return settings(lab, ns, ifname).get("up", True)


def macvlan_parents(lab):
    return {where(lab, l["parent"])[:2] for l in lab.get("links", []) if l["kind"] == "macvlan"}


# ---------------------------------------------------------------------------------------------
# making and repairing labs


def give_addresses(rng, lab, ns, ifname, subnet=None):
    if ns == "host" and ifname not in lab.get("bridges", {}):
        return
    subnet = subnet if subnet is not None else fresh_subnet(rng, lab)
    s = settings(lab, ns, ifname, create=True)
    r = rng.random()
    addrs = []
    if r < 0.8:
        addrs.append(new_address(rng, lab, subnet, 4))
        s["addresses"] = addrs
        if rng.random() < 0.2:
            addrs.append(new_address(rng, lab, subnet, 4))  # a secondary
    if rng.random() < 0.45:
        addrs.append(new_address(rng, lab, subnet, 6))
    if addrs:
        s["addresses"] = addrs


def add_veth(rng, lab, a, b):
    """A veth between endpoints a and b ('OWNER:'), with fresh names and addresses."""
    ends = []
    for owner in (a, b):
        prefix = "p" if owner in lab.get("bridges", {}) else "e"
        ends.append(f"{owner}:{fresh_with(lab, prefix, ends)}")
    link = {"kind": "veth", "endpoints": ends}
    lab.setdefault("links", []).append(link)
    subnet = None
    for e in ends:
        owner, ifn = split(e)
        if owner in lab["bridges"]:
            subnet = bridge_subnet(rng, lab, owner)
    subnet = subnet if subnet is not None else fresh_subnet(rng, lab)
    for e in ends:
        owner, ifn = split(e)
        if owner in lab["nodes"] and owner != "host":
            give_addresses(rng, lab, owner, ifn, subnet)
            if rng.random() < 0.2:
                settings(lab, owner, ifn, create=True)["mtu"] = rng.choice(MTUS)
            if rng.random() < 0.15:
                settings(lab, owner, ifn, create=True)["mac"] = random_mac(rng)
            if rng.random() < 0.1:
                settings(lab, owner, ifn, create=True)["up"] = False
    return link


def fresh_with(lab, prefix, taken):
    names = all_names(lab) | {split(e)[1] for e in taken}
    i = 1
    while f"{prefix}{i}" in names:
        i += 1
    return f"{prefix}{i}"


def bridge_subnet(rng, lab, bridge):
    """The subnet of a bridge's segment: the one of its own or its ports' peers' addresses."""
    b = lab["bridges"][bridge]
    for a in b.get("addresses", []):
        return subnet_of(a)
    for link in lab.get("links", []):
        eps = link.get("endpoints", [])
        if link["kind"] == "ovs-internal" and link["bridge"] == bridge:
            eps = [link["endpoint"]]
        for e in eps:
            if split(e)[0] == bridge or link["kind"] == "ovs-internal":
                for other in eps:
                    ns, ifn, _ = where(lab, other)
                    for a in settings(lab, ns, ifn).get("addresses", []):
                        return subnet_of(a)
    return 150 + sorted(lab["bridges"]).index(bridge) if len(lab["bridges"]) < 50 else None


def random_mac(rng):
    return "02:" + ":".join(f"{rng.randint(0, 255):02x}" for _ in range(5))


def add_bridge(rng, lab, kind=None):
    kind = kind or rng.choice(["linux", "ovs"])
    lab.setdefault("bridges", {})
    name = fresh(lab, "lb" if kind == "linux" else "ob")
    if kind == "linux":
        node = rng.choice(["host"] + [n for n in lab["nodes"] if n != "host"])
        b = {"kind": "linux"}
        if node != "host":
            b["node"] = node
        lab["bridges"][name] = b
        if rng.random() < 0.3:
            b["addresses"] = [new_address(rng, lab, bridge_subnet(rng, lab, name), 4)]
    else:
        lab["bridges"][name] = {"kind": "ovs", "datapath": "netdev"}
    return name


def ovs_port_settings(rng, lab, bridge, port):
    r = rng.random()
    ports = lab["bridges"][bridge].setdefault("ports", {})
    if r < 0.4:
        ports[port] = {"tag": rng.randint(1, 30)}
    elif r < 0.6:
        ports[port] = {"trunks": sorted(rng.sample(range(1, 30), rng.randint(1, 3)))}
    if not ports:
        del lab["bridges"][bridge]["ports"]


def add_random_link(rng, lab):
    nodes = [n for n in lab["nodes"] if n != "host"]
    bridges = list(lab.get("bridges", {}))
    r = rng.random()
    if r < 0.25:
        # macvlan on a veth end in a node
        parents = [(ns, ifn) for (ns, ifn), d in node_interfaces(lab).items()
                   if d["kind"] == "veth" and d["bridge"] is None and ns != "host"
                   and is_up(lab, ns, ifn)]
        if parents:
            ns, ifn = rng.choice(parents)
            target = rng.choice(nodes)
            name = fresh(lab, "m")
            lab["links"].append({"kind": "macvlan", "parent": f"{ns}:{ifn}",
                                 "endpoint": f"{target}:{name}",
                                 "mode": rng.choice(MACVLAN_MODES)})
            pa = settings(lab, ns, ifn)
            give_addresses(rng, lab, target, name,
                           subnet_of(pa["addresses"][0]) if pa.get("addresses") else None)
            if rng.random() < 0.2:
                settings(lab, target, name, create=True)["mtu"] = min(1400, pa.get("mtu", 1500))
            return
    ovs = [b for b in bridges if lab["bridges"][b]["kind"] == "ovs"]
    if r < 0.45 and ovs:
        br = rng.choice(ovs)
        target = rng.choice(nodes)
        name = fresh(lab, "t")
        lab["links"].append({"kind": "ovs-internal", "bridge": br, "endpoint": f"{target}:{name}"})
        give_addresses(rng, lab, target, name, bridge_subnet(rng, lab, br))
        if rng.random() < 0.2:
            settings(lab, target, name, create=True)["mtu"] = rng.choice(MTUS)
        if rng.random() < 0.2:
            settings(lab, target, name, create=True)["mac"] = random_mac(rng)
        ovs_port_settings(rng, lab, br, name)
        return
    if bridges and rng.random() < 0.6:
        br = rng.choice(bridges)
        candidates = [n for n in nodes if lab["bridges"][br].get("node") != n]
        if candidates:
            link = add_veth(rng, lab, rng.choice(candidates), br)
            if lab["bridges"][br]["kind"] == "ovs":
                ovs_port_settings(rng, lab, br, split(link["endpoints"][1])[1])
            return
    if len(nodes) >= 2:
        a, b = rng.sample(nodes, 2)
        add_veth(rng, lab, a, b)


def add_routes(rng, lab, ns, count):
    node = lab["nodes"][ns]
    routes = node.setdefault("routes", [])
    for _ in range(count):
        up4, up6, up_ifs = [], [], []
        for (n, ifn), d in node_interfaces(lab).items():
            if n != ns or not is_up(lab, n, ifn):
                continue
            up_ifs.append(ifn)
            for a in settings(lab, n, ifn).get("addresses", []):
                (up4 if "." in a else up6).append(a)
        kind = rng.choice(["via4", "via4", "via6", "dev"])
        metric = rng.choice([None, None, 10, 100])
        if kind == "via4" and up4:
            s = subnet_of(rng.choice(up4))
            to = rng.choice(["default", f"172.16.{rng.randint(0, 255)}.0/24"])
            r = {"to": to, "via": v4(s, 200 + rng.randint(0, 50))}
        elif kind == "via6" and up6:
            s = subnet_of(rng.choice(up6))
            # canonical text: "fd10:0::/64" would not compare equal to the kernel's "fd10::/64"
            net6 = str(ipaddress.ip_network(f"fd10:{rng.randint(0, 255):x}::/64"))
            to = rng.choice(["default", net6])
            r = {"to": to, "via": v6(s, 200 + rng.randint(0, 50))}
        elif kind == "dev" and up_ifs:
            r = {"to": f"172.31.{rng.randint(0, 255)}.0/24", "dev": rng.choice(up_ifs)}
        else:
            continue
        if metric is not None:
            r["metric"] = metric
        family = 6 if ":" in r.get("via", "") else 4
        key = (r["to"], family, r.get("metric"))
        if any((x["to"], 6 if ":" in x.get("via", "") else 4, x.get("metric")) == key
               for x in routes):
            continue
        if r.get("via") in used_ips(lab):
            continue
        routes.append(r)
    if not routes:
        del node["routes"]


def route_ok(lab, ns, r):
    ifs = {ifn: d for (n, ifn), d in node_interfaces(lab).items() if n == ns}
    if "dev" in r:
        return r["dev"] in ifs and is_up(lab, ns, r["dev"])
    via = r["via"]
    for ifn in ifs:
        if not is_up(lab, ns, ifn):
            continue
        for a in settings(lab, ns, ifn).get("addresses", []):
            if ("." in a) == ("." in via) and subnet_of(a) == subnet_of(via):
                return True
    return False


def tidy(lab):
    """Drops what no longer has anything to refer to, so an edit leaves a valid file."""
    bridges = lab.get("bridges", {})
    for b in list(bridges):
        if bridges[b]["kind"] == "linux" and bridges[b].get("node", "host") not in lab["nodes"] \
                and bridges[b].get("node", "host") != "host":
            del bridges[b]
    changed = True
    while changed:  # links whose ends, bridge or parent went, transitively
        changed = False
        existing = node_interfaces(lab)
        keep = []
        for link in lab.get("links", []):
            eps = link.get("endpoints") or [link["endpoint"]]
            ok = all(split(e)[0] in lab["nodes"] or split(e)[0] in bridges for e in eps)
            if link["kind"] == "ovs-internal":
                ok = ok and link["bridge"] in bridges
            if link["kind"] == "macvlan":
                ok = ok and where(lab, link["parent"])[:2] in existing
            if ok:
                keep.append(link)
            else:
                changed = True
        lab["links"] = keep
    existing = node_interfaces(lab)
    for ns, node in lab["nodes"].items():
        ifs = node.get("interfaces", {})
        for ifn in list(ifs):
            if (ns, ifn) not in existing and ifn != "lo":
                del ifs[ifn]
            elif not ifs[ifn]:
                del ifs[ifn]
        if not ifs:
            node.pop("interfaces", None)
        if "routes" in node:
            node["routes"] = [r for r in node["routes"] if route_ok(lab, ns, r)]
            if not node["routes"]:
                del node["routes"]
    ports = set()
    for link in lab.get("links", []):
        for e in link.get("endpoints", []):
            if split(e)[0] in bridges and bridges[split(e)[0]]["kind"] == "ovs":
                ports.add((split(e)[0], split(e)[1]))
        if link["kind"] == "ovs-internal":
            ports.add((link["bridge"], split(link["endpoint"])[1]))
    for name, b in bridges.items():
        if "ports" in b:
            b["ports"] = {p: s for p, s in b["ports"].items() if (name, p) in ports and s}
            if not b["ports"]:
                del b["ports"]
    # a macvlan's MTU may not exceed its parent's (1500 when the file sets none)
    for link in lab.get("links", []):
        if link["kind"] == "macvlan":
            pns, pif, _ = where(lab, link["parent"])
            ens, eif, _ = where(lab, link["endpoint"])
            s = settings(lab, ens, eif)
            if s.get("mtu", 0) > settings(lab, pns, pif).get("mtu", 1500):
                s["mtu"] = settings(lab, pns, pif).get("mtu", 1500)
    # parents of macvlans stay up
    for (pns, pif) in macvlan_parents(lab):
        s = settings(lab, pns, pif)
        if s.get("up") is False:
            del s["up"]
    lab["bridges"] = bridges


def gen_lab(rng):
    lab = {"name": LAB_NAME, "nodes": {}, "bridges": {}, "links": []}
    for i in range(rng.randint(2, 5)):
        lab["nodes"][f"n{i + 1}"] = {}
    for _ in range(rng.choice([0, 1, 1, 2])):
        add_bridge(rng, lab)
    nodes = list(lab["nodes"])
    # a connected start: a chain of veths or bridge ports
    for a, b in zip(nodes, nodes[1:]):
        if lab["bridges"] and rng.random() < 0.4:
            add_random_link(rng, lab)
        else:
            add_veth(rng, lab, a, b)
    for _ in range(rng.randint(0, 4)):
        add_random_link(rng, lab)
    for n in nodes:
        if rng.random() < 0.2:
            lo = settings(lab, n, "lo", create=True)
            lo["addresses"] = [f"10.255.{rng.randint(0, 255)}.{rng.randint(1, 254)}/32"]
            if lo["addresses"][0].split("/")[0] in used_ips(lab) - {lo["addresses"][0].split("/")[0]}:
                del lo["addresses"]
        add_routes(rng, lab, n, rng.randint(0, 3))
        if rng.random() < 0.4:
            lab["nodes"][n]["sysctls"] = {k: rng.randint(0, 1)
                                          for k in rng.sample(SYSCTLS, rng.randint(1, 2))}
    tidy(lab)
    dedupe_lo(lab)
    return lab


def dedupe_lo(lab):
    seen = set()
    for n, node in lab["nodes"].items():
        lo = node.get("interfaces", {}).get("lo")
        if lo:
            ip = lo["addresses"][0].split("/")[0]
            if ip in seen:
                del node["interfaces"]["lo"]
            seen.add(ip)
    tidy(lab)


# ---------------------------------------------------------------------------------------------
# edits


def addressed(lab, family=None, up_only=False):
    out = []
    for (ns, ifn), d in node_interfaces(lab).items():
        s = settings(lab, ns, ifn)
        if up_only and not s.get("up", True):
            continue
        for a in s.get("addresses", []):
            if family is None or (family == 4) == ("." in a):
                out.append((ns, ifn, a))
    return out


def edit(rng, lab, kind):
    """Applies one edit of KIND to lab in place; returns False when it does not fit this lab."""
    nodes = [n for n in lab["nodes"] if n != "host"]
    bridges = lab.get("bridges", {})
    ifaces = node_interfaces(lab)
    node_side = [(ns, ifn) for (ns, ifn), d in ifaces.items()
                 if ns != "host" and d["kind"] != "bridge"]
    if kind == "add-node":
        name = fresh(lab, "n")
        lab["nodes"][name] = {}
        peers = nodes + list(bridges)
        other = rng.choice(peers)
        lab.setdefault("bridges", bridges)
        link = add_veth(rng, lab, name, other)
        if other in bridges and bridges[other]["kind"] == "ovs":
            ovs_port_settings(rng, lab, other, split(link["endpoints"][1])[1])
        if rng.random() < 0.5:
            add_routes(rng, lab, name, 1)
        return True
    if kind == "remove-node":
        if len(nodes) < 3:
            return False
        del lab["nodes"][rng.choice(nodes)]
        return True
    if kind == "add-ovs-internal":
        ovs = [b for b in bridges if bridges[b]["kind"] == "ovs"] or [add_bridge(rng, lab, "ovs")]
        br = rng.choice(ovs)
        name = fresh(lab, "t")
        target = rng.choice(nodes)
        lab["links"].append({"kind": "ovs-internal", "bridge": br, "endpoint": f"{target}:{name}"})
        give_addresses(rng, lab, target, name, bridge_subnet(rng, lab, br))
        ovs_port_settings(rng, lab, br, name)
        return True
    if kind == "add-link":
        before = len(lab["links"])
        add_random_link(rng, lab)
        return len(lab["links"]) > before
    if kind == "remove-ovs-internal":
        cands = [l for l in lab["links"] if l["kind"] == "ovs-internal"]
        if len(lab["links"]) < 2 or not cands:
            return False
        lab["links"].remove(rng.choice(cands))
        return True
    if kind in ("remove-link", "remove-macvlan-parent"):
        cands = lab["links"]
        if kind == "remove-macvlan-parent":
            parents = macvlan_parents(lab)
            cands = [l for l in cands if l["kind"] == "veth" and
                     any(where(lab, e)[:2] in parents for e in l["endpoints"])]
        if len(lab["links"]) < 2 or not cands:
            return False
        lab["links"].remove(rng.choice(cands))
        return True
    if kind == "add-bridge":
        name = add_bridge(rng, lab)
        link = add_veth(rng, lab, rng.choice([n for n in nodes
                                              if n != bridges[name].get("node")]), name)
        if bridges[name]["kind"] == "ovs":
            ovs_port_settings(rng, lab, name, split(link["endpoints"][1])[1])
        return True
    if kind == "remove-bridge":
        if not bridges:
            return False
        del bridges[rng.choice(list(bridges))]
        return True
    if kind == "rename-interface":
        if not node_side:
            return False
        ns, old = rng.choice(node_side)
        new = fresh(lab, "r")
        rename(lab, ns, old, new)
        # OVSDB knows an internal port by its name: renaming one is a new port and device.
        if ifaces[(ns, old)]["kind"] != "ovs-internal":
            lab["_renamed"] = (ns, old, new)
        return True
    if kind in ("readdress-same-subnet", "readdress-other-subnet"):
        cands = addressed(lab, 4 if rng.random() < 0.7 else 6)
        if not cands:
            return False
        ns, ifn, a = rng.choice(cands)
        fam = 4 if "." in a else 6
        subnet = subnet_of(a) if kind == "readdress-same-subnet" else fresh_subnet(rng, lab)
        s = settings(lab, ns, ifn)
        s["addresses"][s["addresses"].index(a)] = new_address(rng, lab, subnet, fam)
        return True
    if kind == "readdress-primary-beside-secondary":
        for ns, ifn in rng.sample(list(ifaces), len(ifaces)):
            s = settings(lab, ns, ifn)
            v4s = [a for a in s.get("addresses", []) if "." in a]
            if v4s:
                sub = subnet_of(v4s[0])
                if not any(subnet_of(x) == sub for x in v4s[1:]):
                    s["addresses"].append(new_address(rng, lab, sub, 4))
                i = s["addresses"].index(v4s[0])
                s["addresses"][i] = new_address(rng, lab, sub, 4)
                return True
        return False
    if kind == "add-address":
        cands = [x for x in ifaces if x[0] != "host" or x[1] in bridges]
        if not cands:
            return False
        ns, ifn = rng.choice(cands)
        s = settings(lab, ns, ifn, create=True)
        have = s.get("addresses", [])
        fam = rng.choice([4, 6])
        sub = subnet_of(have[0]) if have and rng.random() < 0.5 else fresh_subnet(rng, lab)
        s["addresses"] = have + [new_address(rng, lab, sub, fam)]
        return True
    if kind == "remove-address":
        cands = addressed(lab)
        if not cands:
            return False
        ns, ifn, a = rng.choice(cands)
        settings(lab, ns, ifn)["addresses"].remove(a)
        return True
    if kind == "retag-ovs-port":
        ports = [(b, p) for (ns, p), d in ifaces.items() for b in [d["bridge"] or
                 (d["link"] or {}).get("bridge")] if b and bridges.get(b, {}).get("kind") == "ovs"]
        if not ports:
            return False
        b, p = rng.choice(ports)
        old = bridges[b].get("ports", {}).get(p)
        for _ in range(10):
            ovs_port_settings(rng, lab, b, p)
            if bridges[b].get("ports", {}).get(p) != old:
                return True
        return False
    if kind == "move-port-linux-ovs":
        lin = [b for b in bridges if bridges[b]["kind"] == "linux"]
        ovs = [b for b in bridges if bridges[b]["kind"] == "ovs"]
        if not lin:
            lin = [add_bridge(rng, lab, "linux")]
        if not ovs:
            ovs = [add_bridge(rng, lab, "ovs")]
        moves = [(link, i, split(e)[0]) for link in lab["links"] if link["kind"] == "veth"
                 for i, e in enumerate(link["endpoints"]) if split(e)[0] in lin + ovs]
        if not moves:
            return False
        link, i, old = rng.choice(moves)
        port = split(link["endpoints"][i])[1]
        new = rng.choice(ovs if old in lin else lin)
        other = split(link["endpoints"][1 - i])[0]
        if bridges[new].get("node") == other or (other in bridges and bridges[new].get("node") in (None, "host") and bridges[other].get("node") in (None, "host")):
            return False
        link["endpoints"][i] = f"{new}:{port}"
        if bridges[new]["kind"] == "ovs" and rng.random() < 0.5:
            ovs_port_settings(rng, lab, new, port)
        return True
    if kind == "macvlan-mode":
        mvs = [l for l in lab["links"] if l["kind"] == "macvlan"]
        if not mvs:
            return False
        l = rng.choice(mvs)
        l["mode"] = rng.choice([m for m in MACVLAN_MODES if m != l.get("mode", "bridge")])
        return True
    if kind in ("mtu", "mac", "up"):
        if not node_side:
            return False
        ns, ifn = rng.choice(node_side)
        s = settings(lab, ns, ifn, create=True)
        if kind == "mtu":
            parents = macvlan_parents(lab)
            choices = [m for m in MTUS if m != s.get("mtu", 1500)]
            if ifaces[(ns, ifn)]["kind"] == "macvlan":
                p = where(lab, ifaces[(ns, ifn)]["link"]["parent"])
                choices = [m for m in choices if m <= settings(lab, *p[:2]).get("mtu", 1500)]
            if (ns, ifn) in parents:
                return False
            if not choices:
                return False
            s["mtu"] = rng.choice(choices)
        elif kind == "mac":
            s["mac"] = random_mac(rng)
        else:
            if (ns, ifn) in macvlan_parents(lab):
                return False
            s["up"] = not s.get("up", True)
            if s["up"]:
                del s["up"]
        return True
    if kind == "routes":
        ns = rng.choice(nodes)
        node = lab["nodes"][ns]
        if node.get("routes") and rng.random() < 0.5:
            node["routes"].remove(rng.choice(node["routes"]))
        else:
            add_routes(rng, lab, ns, 1)
        return True
    if kind == "sysctls":
        ns = rng.choice(nodes)
        sc = lab["nodes"][ns].setdefault("sysctls", {})
        k = rng.choice(SYSCTLS)
        sc[k] = 1 - sc.get(k, 0)
        return True
    raise ValueError(kind)


def rename(lab, ns, old, new):
    for link in lab["links"]:
        for key in ("endpoints",):
            if key in link:
                link[key] = [f"{o}:{new}" if where(lab, f"{o}:{i}")[:2] == (ns, old) else f"{o}:{i}"
                             for o, i in map(split, link[key])]
        for key in ("endpoint", "parent"):
            if key in link and where(lab, link[key])[:2] == (ns, old):
                link[key] = f"{split(link[key])[0]}:{new}"
    node = lab["nodes"].get(ns, {})
    if old in node.get("interfaces", {}):
        node["interfaces"][new] = node["interfaces"].pop(old)
    for r in node.get("routes", []):
        if r.get("dev") == old:
            r["dev"] = new
    for b in lab.get("bridges", {}).values():
        if old in b.get("ports", {}):
            b["ports"][new] = b["ports"].pop(old)


def gen_edit(rng, lab, kinds):
    """(kind, B): B is a copy of lab with one random edit of one of KINDS."""
    for _ in range(50):
        kind = rng.choice(kinds)
        b = copy.deepcopy(lab)
        b.setdefault("bridges", {})
        if edit(rng, b, kind):
            tidy(b)
            # an edit that deletes a macvlan's parent veth is that kind, whatever the edit was
            gone = [p for p in macvlan_parents(lab) if p not in node_interfaces(b)]
            if gone and kind not in ("remove-node", "rename-interface"):
                kind = "remove-macvlan-parent"
                if kind not in kinds:
                    continue
            # and one that adds an ovs-internal port is that kind
            if any(l["kind"] == "ovs-internal" and l not in lab["links"] for l in b["links"]) \
                    and kind not in ("rename-interface", "remove-macvlan-parent"):
                kind = "add-ovs-internal"
                if kind not in kinds:
                    continue
            # and one that removes an ovs-internal port (with its bridge or node too) is that kind
            if any(l["kind"] == "ovs-internal" and l not in b["links"] for l in lab["links"]) \
                    and kind != "rename-interface":
                kind = "remove-ovs-internal"
                if kind not in kinds:
                    continue
            if b != lab and b["links"]:
                return kind, b
    kind = "sysctls"
    b = copy.deepcopy(lab)
    edit(rng, b, kind)
    return kind, b


def dump(lab):
    out = {"name": lab["name"], "nodes": {n: (v or {}) for n, v in lab["nodes"].items()}}
    if lab.get("bridges"):
        out["bridges"] = lab["bridges"]
    out["links"] = lab["links"]
    return yaml.safe_dump(out, default_flow_style=None, sort_keys=False, width=100)
