#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Split property test (issue 13): splitting a multi-host lab and applying every part gives the
same reachability as the same lab on one machine.

Run by tests/integration/test_split_reachability.sh inside its sandbox, after it has started
simulated hosts h1..h4 (tests/integration/multihost_lib.sh): h1, h2 and h3 are the lab's
machines, h4 the one machine the single-host lab runs on. For each random lab:

1. the generator writes the lab twice: with `hosts:` and a `host:` on every node (multi.yaml),
   and without them (single.yaml), otherwise the same;
2. single.yaml is applied on h4 and every node pings every address of every other node; the
   result (which pairs answer) must be what the lab says: a node reaches exactly the addresses
   of the nodes on its own segment (a veth pair or a bridge);
3. `nstopo split multi.yaml` writes one file per machine, each is applied on its machine, and
   the same pings from each node on its machine must give the same result as on h4;
4. each part converges (plan --detailed-exitcode exits 0) and destroy leaves nothing.

Every node has one interface, and every address of the lab is in one IPv4 /16 and one IPv6 /64:
each node has a route to every address, so a missing tunnel shows as a pair that no longer
answers and a tunnel joining the wrong segments (two bridges' VNIs crossed, say) as a pair that
answers where it must not. A pair that must answer is retried for up to 20 s (neighbour discovery
and the first flood through the tunnels come first); one that must not gets one ping, which must
stay unanswered.

Environment: NSTOPO, WORK, MH_PIDS ("h1=PID h2=PID ..."), OVS (1 when Open vSwitch runs on every
host), NSTOPO_SPLIT_LABS (default 3), NSTOPO_PROPERTY_SEED (default random, printed; lab i uses
seed+i).
"""

import concurrent.futures
import os
import random
import subprocess
import sys
import time

import yaml

NSTOPO = os.environ["NSTOPO"]
WORK = os.environ["WORK"]
HOST_PIDS = dict(item.split("=") for item in os.environ["MH_PIDS"].split())
WITH_OVS = os.environ.get("OVS") == "1"
LAB_HOSTS = ["h1", "h2", "h3"]
SINGLE_HOST = "h4"
REACH_SECONDS = 20


def on(host, *cmd, check=True):
    """Runs cmd on a simulated host (its network, mount and UTS namespaces)."""
    full = ["nsenter", "-t", HOST_PIDS[host], "-n", "-m", "-u", *cmd]
    result = subprocess.run(full, capture_output=True, text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{host}: {' '.join(cmd)}: exit {result.returncode}: "
                           f"{result.stdout}{result.stderr}")
    return result


def gen_lab(rng, name):
    """A random lab over h1..h3: returns (multi, single, segments) where segments lists, for each
    segment, the nodes on it. Segment 0 is a Linux bridge with a port on every machine and
    segment 1 a veth between two machines, so every lab has both kinds of tunnel."""
    nodes, bridges, links, segments = {}, {}, [], []
    count = 0

    def new_node(host):
        nonlocal count
        count += 1
        node = f"n{count}"
        seg = len(segments) - 1
        nodes[node] = {"host": host, "interfaces": {"eth0": {"addresses": [
            f"10.77.{seg}.{count}/16", f"2001:db8:77::{seg:x}:{count:x}/64"]}}}
        segments[-1].append(node)
        return node

    def bridge_segment(kinds_hosts, kind):
        segments.append([])
        seg = len(segments) - 1
        bridge = f"br{seg}"
        if kind == "ovs":
            bridges[bridge] = {"kind": "ovs", "datapath": "netdev"}
        elif kind == "in-node":
            switch = f"sw{seg}"
            nodes[switch] = {"host": rng.choice(LAB_HOSTS)}
            bridges[bridge] = {"node": switch}
        else:
            bridges[bridge] = {}
        for host in kinds_hosts:
            node = new_node(host)
            links.append({"kind": "veth", "endpoints": [f"{node}:eth0", f"{bridge}:p-{node}"]})

    def veth_segment(host_a, host_b):
        segments.append([])
        a, b = new_node(host_a), new_node(host_b)
        links.append({"kind": "veth", "endpoints": [f"{a}:eth0", f"{b}:eth0"]})

    bridge_segment(rng.sample(LAB_HOSTS, 3), "linux")
    veth_segment(*rng.sample(LAB_HOSTS, 2))
    kinds = ["linux", "in-node", "veth"] + (["ovs"] if WITH_OVS else [])
    for _ in range(rng.randint(2, 3)):
        kind = rng.choice(kinds)
        if kind == "veth":
            veth_segment(rng.choice(LAB_HOSTS), rng.choice(LAB_HOSTS))
        else:
            bridge_segment([rng.choice(LAB_HOSTS) for _ in range(rng.randint(2, 3))], kind)

    multi = {
        "version": 1,
        "name": name,
        "hosts": {h: {"address": f"10.99.0.{h[1:]}", "interface": "eth0"} for h in LAB_HOSTS},
        "nodes": nodes,
        "bridges": bridges,
        "links": links,
    }
    single = yaml.safe_load(yaml.safe_dump(multi))
    del single["hosts"]
    for node in single["nodes"].values():
        node.pop("host")
    return multi, single, segments


def addresses(lab):
    """(node, address) for every address of the lab."""
    return [(node, address.split("/")[0])
            for node, spec in lab["nodes"].items()
            for interface in spec.get("interfaces", {}).values()
            for address in interface.get("addresses", [])]


def expected(lab, segments):
    """{(source, address): True when it must answer} for every pair of two different nodes."""
    segment_of = {node: i for i, members in enumerate(segments) for node in members}
    return {(source, address): segment_of[source] == segment_of[owner]
            for source in segment_of
            for owner, address in addresses(lab) if owner != source}


def probe(host, source, address, must_answer):
    """True when source (on host) reaches address: retried up to REACH_SECONDS when it must
    answer, one ping that must stay unanswered otherwise."""
    if not must_answer:
        return on(host, "ip", "netns", "exec", source, "ping", "-c", "1", "-W", "1", address,
                  check=False).returncode == 0
    deadline = time.monotonic() + REACH_SECONDS
    while True:
        if on(host, "ip", "netns", "exec", source, "ping", "-c", "1", "-W", "1", address,
              check=False).returncode == 0:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def reachability(want, host_of):
    """{pair: answered} from probes run in parallel, each from its source's machine."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        futures = {pair: pool.submit(probe, host_of(pair[0]), pair[0], pair[1], must)
                   for pair, must in want.items()}
        return {pair: future.result() for pair, future in futures.items()}


def differences(want, got):
    return [f"{source} -> {address}: {'answers' if got[(source, address)] else 'silent'}, "
            f"wanted {'answers' if must else 'silent'}"
            for (source, address), must in sorted(want.items()) if got[(source, address)] != must]


def lab_objects(host):
    """What a lab can leave on a machine: its namespaces, and devices other than the machine's
    own (lo, the underlay eth0, Open vSwitch's ovs-netdev)."""
    netns = [line.split()[0] for line in on(host, "ip", "netns", "list").stdout.splitlines()]
    devices = [line.split(": ")[1].split("@")[0]
               for line in on(host, "ip", "-o", "link", "show").stdout.splitlines()]
    return sorted(netns) + sorted(d for d in devices if d not in ("lo", "eth0", "ovs-netdev"))


def run_lab(seed, index):
    rng = random.Random(seed)
    name = f"split-{index}"
    multi, single, segments = gen_lab(rng, name)
    multi_path, single_path = f"{WORK}/{name}-multi.yaml", f"{WORK}/{name}-single.yaml"
    for path, lab in ((multi_path, multi), (single_path, single)):
        with open(path, "w") as out:
            yaml.safe_dump(lab, out, sort_keys=False)
    want = expected(single, segments)
    placed = {node: spec["host"] for node, spec in multi["nodes"].items()}
    problems = []

    on(SINGLE_HOST, NSTOPO, "apply", single_path)
    alone = reachability(want, lambda node: SINGLE_HOST)
    problems += [f"one machine: {d}" for d in differences(want, alone)]
    on(SINGLE_HOST, NSTOPO, "destroy", single_path)
    left = lab_objects(SINGLE_HOST)
    if left:
        problems.append(f"{SINGLE_HOST}: destroy left {left}")

    parts = f"{WORK}/{name}-parts"
    subprocess.run([NSTOPO, "split", multi_path, "-o", parts], check=True, capture_output=True)
    for host in LAB_HOSTS:
        on(host, NSTOPO, "apply", f"{parts}/{host}.yaml")
    split = reachability(want, lambda node: placed[node])
    problems += [f"split: {d}" for d in differences(want, split)]
    problems += [f"split and one machine differ: {s} -> {a}"
                 for (s, a) in sorted(want) if split[(s, a)] != alone[(s, a)]]
    for host in LAB_HOSTS:
        rc = on(host, NSTOPO, "plan", "--detailed-exitcode", f"{parts}/{host}.yaml",
                check=False).returncode
        if rc != 0:
            problems.append(f"{host}: plan after apply exits {rc}, not 0 (nothing to do)")
        on(host, NSTOPO, "destroy", f"{parts}/{host}.yaml")
        left = lab_objects(host)
        if left:
            problems.append(f"{host}: destroy left {left}")
    answering = sum(want.values())
    return problems, f"{len(multi['nodes'])} nodes, {len(segments)} segments, " \
        f"{len(want)} pairs ({answering} answer)"


def main():
    labs = int(os.environ.get("NSTOPO_SPLIT_LABS", "3"))
    base = int(os.environ.get("NSTOPO_PROPERTY_SEED") or random.SystemRandom().randint(1, 10**9))
    print(f"seed {base}: {labs} labs; replay one with NSTOPO_PROPERTY_SEED=<its seed> "
          f"NSTOPO_SPLIT_LABS=1", flush=True)
    failed = 0
    for i in range(labs):
        seed = base + i
        started = time.monotonic()
        try:
            problems, summary = run_lab(seed, i)
        except (RuntimeError, subprocess.CalledProcessError) as error:
            problems, summary = [f"error: {error}"], "not run to the end"
            # Nothing of this lab stays for the next one.
            leftovers = [(SINGLE_HOST, f"{WORK}/split-{i}-single.yaml")] + \
                [(host, f"{WORK}/split-{i}-parts/{host}.yaml") for host in LAB_HOSTS]
            for host, path in leftovers:
                if os.path.exists(path):
                    on(host, NSTOPO, "destroy", path, check=False)
        seconds = time.monotonic() - started
        if problems:
            failed += 1
            print(f"FAIL: lab seed {seed} ({summary}, {seconds:.0f} s):", file=sys.stderr)
            for problem in problems:
                print(f"    {problem}", file=sys.stderr)
            with open(f"{WORK}/split-{i}-multi.yaml") as lab:
                print(lab.read(), file=sys.stderr)
        else:
            print(f"ok: lab seed {seed} ({summary}): the split parts reach what one machine "
                  f"reaches ({seconds:.0f} s)", flush=True)
    print(f"{labs - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
