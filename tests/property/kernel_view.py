# SPDX-License-Identifier: Apache-2.0
"""An independent view of the machine, and the view a lab file describes.

read_view() asks iproute2 (`ip -j`) in the host and in every namespace, and ovs-vsctl, never
nstopo. expected_view(lab) computes from the YAML dict what that read must show. Both give
the same shape:

  {"netns": [names],
   "ns": {NS: {"links": {IF: {kind, up, master, mtu, mac, peer, parent, mode}},
               "addrs": {IF: [addr/len, ...]},      # scope global only
               "routes": [text, ...],               # protocol 152 only
               "sysctls": {key: value}}},
   "ovs": {BRIDGE: {PORT: {"tag": N|None, "trunks": [..]}}}}

In the expected view a link holds only the keys the file decides (mtu and mac only when the
file names them: the kernel keeps them otherwise); compare() checks those.
"""
import json
import os
import subprocess

from random_labs import node_interfaces, settings, where

OVS_DB = os.environ.get("NSTOPO_PROPERTY_OVSDB", "unix:/run/nstopo/ovs/db.sock")


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def vsctl(*args):
    return run("ovs-vsctl", f"--db={OVS_DB}", "--timeout=10", *args)


# ---------------------------------------------------------------------------------------------
# expected


def route_text(to, via=None, dev=None, metric=0):
    return f"{to} via {via} metric {metric}" if via else f"{to} dev {dev} metric {metric}"


def expected_view(lab):
    view = {"netns": sorted(n for n in lab["nodes"] if n != "host"), "ns": {}, "ovs": {}}
    for ns in ["host"] + view["netns"]:
        view["ns"][ns] = {"links": {}, "addrs": {}, "routes": [], "sysctls": {}}
        if ns != "host":
            view["ns"][ns]["links"]["lo"] = {"kind": "", "up": True, "master": ""}
    bridges = lab.get("bridges", {})
    for (ns, ifn), d in node_interfaces(lab).items():
        link = d["link"]
        rec = {"kind": {"ovs-internal": "tun"}.get(d["kind"], d["kind"]), "up": True,
               "master": d["bridge"] if d["bridge"] and bridges[d["bridge"]]["kind"] == "linux"
               else ""}
        if d["kind"] == "veth":
            other = [e for e in link["endpoints"] if where(lab, e)[:2] != (ns, ifn)][0]
            rec["peer"] = "%s:%s" % where(lab, other)[:2]
        if d["kind"] == "macvlan":
            rec["parent"] = "%s:%s" % where(lab, link["parent"])[:2]
            rec["mode"] = link.get("mode", "bridge")
        s = settings(lab, ns, ifn)
        rec["up"] = s.get("up", True)
        for key in ("mtu", "mac"):
            if key in s:
                rec[key] = s[key]
        view["ns"][ns]["links"][ifn] = rec
        if s.get("addresses"):
            view["ns"][ns]["addrs"][ifn] = sorted(s["addresses"])
    for ns, node in lab["nodes"].items():
        lo = node.get("interfaces", {}).get("lo", {})
        if lo.get("addresses"):
            view["ns"][ns]["addrs"]["lo"] = sorted(lo["addresses"])
        for r in node.get("routes", []):
            v6 = ":" in r.get("via", "") or ":" in r["to"] or r.get("family") == "ipv6"
            view["ns"][ns]["routes"].append(route_text(
                r["to"], r.get("via"), r.get("dev"), r.get("metric", 1024 if v6 else 0)))
        view["ns"][ns]["routes"].sort()
        view["ns"][ns]["sysctls"] = {k: str(v) for k, v in node.get("sysctls", {}).items()}
    for name, b in bridges.items():
        if b["kind"] == "ovs":
            view["ovs"][name] = {}
    for link in lab.get("links", []):
        ports = []
        if link["kind"] == "veth":
            ports = [(o, i) for o, i in (e.split(":", 1) for e in link["endpoints"])
                     if bridges.get(o, {}).get("kind") == "ovs"]
        elif link["kind"] == "ovs-internal":
            ports = [(link["bridge"], link["endpoint"].split(":", 1)[1])]
        for br, port in ports:
            s = bridges[br].get("ports", {}).get(port, {})
            view["ovs"][br][port] = {"tag": s.get("tag"), "trunks": sorted(s.get("trunks", []))}
    return view


# ---------------------------------------------------------------------------------------------
# read


def ip_json(ns, *args):
    cmd = ["ip", "-j"] + (["-n", ns] if ns != "host" else []) + list(args)
    out = run(*cmd).strip()
    return json.loads(out) if out else []


def read_view(sysctl_keys=None):
    """The machine as iproute2 and ovs-vsctl see it. sysctl_keys: {ns: [key]} to read."""
    names = sorted(n["name"] for n in ip_json("host", "netns", "list"))
    ovs_bridges = set(vsctl("list-br").split()) if ovs_running() else set()
    view = {"netns": names, "ns": {}, "ovs": {}}
    links_raw = {}
    for ns in ["host"] + names:
        links_raw[ns] = ip_json(ns, "-d", "link", "show")
    nsids = {}  # (ns, nsid) -> name of the peer namespace
    for ns in ["host"] + names:
        for e in ip_json(ns, "netns", "list-id"):
            nsids[(ns, e["nsid"])] = e.get("name", "host")
    by_index = {(ns, l["ifindex"]): l["ifname"] for ns, ls in links_raw.items() for l in ls}
    for ns in ["host"] + names:
        links = {}
        for l in links_raw[ns]:
            name = l["ifname"]
            if ns == "host" and (name == "lo" or name in ovs_bridges or
                                 name in ("ovs-netdev", "ovs-system")):
                continue
            info = l.get("linkinfo", {})
            rec = {"kind": info.get("info_kind", ""), "up": "UP" in l["flags"],
                   "master": l.get("master", ""), "mtu": l["mtu"], "mac": l.get("address", ""),
                   "ifindex": l["ifindex"]}
            if "link_index" in l or "link" in l:
                other_ns = nsids.get((ns, l["link_netnsid"]), "?") if "link_netnsid" in l else ns
                other = by_index.get((other_ns, l.get("link_index")), l.get("link", "?"))
                rec["peer" if rec["kind"] == "veth" else "parent"] = f"{other_ns}:{other}"
            if rec["kind"] == "macvlan":
                rec["mode"] = info.get("info_data", {}).get("mode", "")
            links[name] = rec
        addrs = {}
        for l in ip_json(ns, "addr", "show"):
            if l["ifname"] not in links:
                continue
            a = sorted(f"{x['local']}/{x['prefixlen']}" for x in l.get("addr_info", [])
                       if x.get("scope") == "global")
            if a:
                addrs[l["ifname"]] = a
        routes = []
        for fam in ("-4", "-6"):
            for r in ip_json(ns, fam, "route", "show", "table", "main"):
                if str(r.get("protocol")) != "152":
                    continue
                routes.append(route_text(r["dst"], r.get("gateway"), r.get("dev"),
                                         r.get("metric", 0)))
        sysctls = {}
        for key in (sysctl_keys or {}).get(ns, []):
            path = "/proc/sys/" + key.replace(".", "/")
            sysctls[key] = run("ip", "netns", "exec", ns, "cat", path).strip()
        view["ns"][ns] = {"links": links, "addrs": addrs, "routes": sorted(routes),
                          "sysctls": sysctls}
    if ovs_running():
        ports = {}
        data = json.loads(vsctl("-f", "json", "--columns=name,tag,trunks", "list", "Port"))
        for name, tag, trunks in data["data"]:
            ports[name] = {"tag": None if isinstance(tag, list) else tag,
                           "trunks": sorted(trunks[1] if isinstance(trunks, list) and
                                            trunks[0] == "set" else [trunks])}
        for br in sorted(ovs_bridges):
            view["ovs"][br] = {p: ports.get(p, {}) for p in vsctl("list-ports", br).split()}
    return view


_OVS = None


def ovs_running():
    global _OVS
    if _OVS is None:
        _OVS = subprocess.run(["ovs-vsctl", f"--db={OVS_DB}", "--timeout=2", "show"],
                              capture_output=True).returncode == 0
    return _OVS


# ---------------------------------------------------------------------------------------------
# compare


def compare(want, got, strict=False):
    """Lines naming every difference; empty when got shows what want describes. strict: every
    key of both (for snapshots before and after a run), else the keys want decides."""
    diffs = []
    if want["netns"] != got["netns"]:
        diffs.append(f"namespaces: want {want['netns']}, got {got['netns']}")
    for ns in sorted(set(want["ns"]) & set(got["ns"])):
        w, g = want["ns"][ns], got["ns"][ns]
        for name in sorted(set(w["links"]) | set(g["links"])):
            if name not in g["links"]:
                diffs.append(f"{ns}: link {name} missing")
                continue
            if name not in w["links"]:
                diffs.append(f"{ns}: link {name} is there but not in the file: {g['links'][name]}")
                continue
            wl, gl = w["links"][name], g["links"][name]
            keys = set(wl) | set(gl) if strict else set(wl)
            for k in sorted(keys):
                if wl.get(k) != gl.get(k):
                    diffs.append(f"{ns}: link {name}: {k} want {wl.get(k)!r}, got {gl.get(k)!r}")
        for name in sorted(set(w["addrs"]) | set(g["addrs"])):
            if w["addrs"].get(name, []) != g["addrs"].get(name, []):
                diffs.append(f"{ns}: addresses of {name}: want {w['addrs'].get(name, [])}, "
                             f"got {g['addrs'].get(name, [])}")
        for r in sorted(set(w["routes"]) - set(g["routes"])):
            diffs.append(f"{ns}: route missing: {r}")
        for r in sorted(set(g["routes"]) - set(w["routes"])):
            diffs.append(f"{ns}: route not in the file: {r}")
        for k, v in sorted(w["sysctls"].items()):
            if g["sysctls"].get(k) != v:
                diffs.append(f"{ns}: sysctl {k} want {v}, got {g['sysctls'].get(k)}")
    if want["ovs"] != got["ovs"]:
        for br in sorted(set(want["ovs"]) | set(got["ovs"])):
            if want["ovs"].get(br) != got["ovs"].get(br):
                diffs.append(f"ovs bridge {br}: want {want['ovs'].get(br)}, "
                             f"got {got['ovs'].get(br)}")
    return diffs


def snapshot_for_rollback(view, macs_named, untouched):
    """A read with the MACs nobody named dropped (an undo that recreates a link may give it a
    new one, as lib.sh's snapshot() allows), and the ifindexes of all but the links the edit
    does not touch."""
    import copy
    v = copy.deepcopy(view)
    for ns, d in v["ns"].items():
        for name, rec in d["links"].items():
            if (ns, name) not in macs_named:
                rec.pop("mac", None)
            if (ns, name) not in untouched:
                rec.pop("ifindex", None)
    return v


def untouched_links(a, b):
    """(ns, ifname) of the links that A and B describe alike, with their addresses, their peer
    or parent alike too: an edit from A to B has no reason to touch them."""
    va, vb = expected_view(a), expected_view(b)
    same = set()
    for ns in set(va["ns"]) & set(vb["ns"]):
        for name, rec in va["ns"][ns]["links"].items():
            if name == "lo":
                continue
            if vb["ns"][ns]["links"].get(name) == rec and \
                    va["ns"][ns]["addrs"].get(name) == vb["ns"][ns]["addrs"].get(name):
                same.add((ns, name))
    changed = True
    while changed:  # a link whose peer or parent is touched counts as touched
        changed = False
        for ns, name in list(same):
            rec = va["ns"][ns]["links"][name]
            other = rec.get("peer") or rec.get("parent")
            if other and tuple(other.split(":", 1)) not in same and \
                    other.split(":", 1)[1] != "lo":
                same.discard((ns, name))
                changed = True
    return same
