#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Dumps the kernel state of a lab so two ways of building it can be compared.

    dump_state.py > state.json                  # the root namespace and every /run/netns one
    dump_state.py --compare nstopo.json floor.json

For every namespace: links (`ip -j -d link`), addresses, routes of both families in every
table, and the sysctls under net.ipv4.conf, net.ipv6.conf and net.ipv4.ip_forward. What differs
between two builds of the same end state is dropped: interface indices, MAC addresses and what
is derived from them (IPv6 link-local addresses, bridge and port ids), namespace ids, port
numbers, timers and counters. It waits (bounded) for IPv6 duplicate address detection to end. Runs inside the sandbox (tests/integration/sandbox.sh).
"""
import argparse
import difflib
import json
import os
import subprocess
import sys
import time

# Keys whose values differ between two builds of the same end state.
DROPPED = {"ifindex", "link_index", "link_netnsid", "address", "broadcast", "perm_address",
           "stats", "stats64", "bridge_id", "root_id", "root_port", "designated_root",
           "designated_bridge", "designated_port", "designated_cost", "id", "no", "parentdev",
           "parentbus", "altnames"}


def ip_json(netns, *args):
    command = ["ip"] + (["-n", netns] if netns else []) + ["-j"] + list(args)
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []


def normalise(value):
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in sorted(value.items())
                if k not in DROPPED and not k.endswith("_timer")}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    return value


def link_local(addr):
    if addr.get("family") == "inet6" and addr.get("local", "").startswith("fe80:"):
        addr = dict(addr, local="fe80::(from the MAC address)")
    return addr


def local_route(route):
    dst = route.get("dst", "")
    if dst.startswith("fe80:") and "/" not in dst:
        route = dict(route, dst="fe80::(from the MAC address)")
    return route


# Prints every key under net.ipv4.conf and net.ipv6.conf, and ip_forward, as `key=value` lines.
# One process per namespace: the shell's `$(cat ...)` forked once a key, and took 20 of the 25 s
# of a dump of the star of 10. stable_secret cannot be read until it is set (EIO).
READ_SYSCTLS = """
import glob, os
os.chdir("/proc/sys/net")
for path in ["ipv4/ip_forward"] + sorted(glob.glob("ipv4/conf/*/*") + glob.glob("ipv6/conf/*/*")):
    try:
        with open(path) as f:
            print(f"{path}={f.read().strip()}")
    except OSError:
        pass
"""


def sysctls(netns):
    command = (["ip", "netns", "exec", netns] if netns else []) + [sys.executable, "-c", READ_SYSCTLS]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    values = {}
    for line in out.splitlines():
        key, _, value = line.partition("=")
        if not key.endswith("stable_secret"):
            values[key.replace("/", ".")] = " ".join(value.split())
    return values


def namespace_state(netns):
    links = {l["ifname"]: normalise(l) for l in ip_json(netns, "-d", "link", "show")}
    addresses = {}
    for entry in ip_json(netns, "addr", "show"):
        infos = [normalise(link_local(a)) for a in entry.get("addr_info", [])]
        addresses[entry["ifname"]] = sorted(infos, key=lambda a: json.dumps(a, sort_keys=True))
    routes = []
    for family in ("-4", "-6"):
        routes += [normalise(local_route(r)) for r in ip_json(netns, family, "route", "show", "table", "all")]
    routes.sort(key=lambda r: json.dumps(r, sort_keys=True))
    return {"links": links, "addresses": addresses, "routes": routes, "sysctls": sysctls(netns)}


def wait_for_dad(names, limit=20):
    """IPv6 duplicate address detection (on in the root namespace) adds a link-local address's
    local route only when it ends; wait for it (bounded) so both dumps see the same. A bridge
    gets its link-local address only when the kernel's link watch sees its carrier, up to a
    second later, so no address may be tentative in two looks 1.5 s apart."""
    deadline = time.time() + limit
    quiet = 0
    while quiet < 2 and time.time() < deadline:
        busy = any(ip_json(netns, "-6", "addr", "show", "tentative") for netns in [None] + names)
        quiet = 0 if busy else quiet + 1
        if quiet < 2:
            time.sleep(1.5 if not busy else 0.2)


def dump():
    names = sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else []
    wait_for_dad(names)
    return {"root": namespace_state(None), "namespaces": {n: namespace_state(n) for n in names}}


def compare(first, second):
    with open(first) as f:
        a = json.dumps(json.load(f), indent=1, sort_keys=True).splitlines()
    with open(second) as f:
        b = json.dumps(json.load(f), indent=1, sort_keys=True).splitlines()
    diff = list(difflib.unified_diff(a, b, first, second, lineterm="", n=6))
    sys.stdout.write("\n".join(diff[:400]) + ("\n" if diff else ""))
    return 1 if diff else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compare", nargs=2, metavar=("FIRST", "SECOND"))
    args = parser.parse_args()
    if args.compare:
        sys.exit(compare(*args.compare))
    json.dump(dump(), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
