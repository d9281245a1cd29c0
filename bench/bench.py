#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Times building, changing and tearing down the same lab with several contenders.

Runs inside the sandbox made by bench/run.sh. Contenders for the same end state:
  nstopo     nstopo apply / destroy of the YAML
  shell      the seeds' recipe: one `ip` command per step
  ip-batch   `ip -batch` for the root namespace plus one `ip -n NS -batch` per namespace
  floor      `ip -batch` of only the root-namespace link operations (namespaces, veths created
             into their namespaces, bridge ports): close to what the kernel itself must do
  true-floor bench/floor's nstopo-floor: nstopo's whole end state with raw, pipelined netlink
             and parallel namespace creation, nothing read or verified (star and chain). With it
             in the run, nstopo's destroy and its own are timed to completion: until the kernel
             has really removed the namespaces (`nstopo-floor await-teardown`)
The Open vSwitch stars (ovs-veth, ovs-internal) are in ovs_lab.py, Mininet side by side
(mininet-lxbr, mininet-ovs: `mn --topo single,N` against nstopo) in mininet_lab.py.
"""
import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import gnuplot
import mininet_lab
import ovs_lab


def sh(command, **kwargs):
    return subprocess.run(command, shell=isinstance(command, str), check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


def timed(command, **kwargs):
    start = time.perf_counter()
    sh(command, **kwargs)
    return time.perf_counter() - start


def address(i, prefix):
    return f"10.{(i >> 8) & 255}.{i & 255}.1/{prefix}" if prefix != 16 else f"10.0.{i // 250}.{i % 250 + 1}/16"


class Lab:
    """One topology of size n in every contender's language."""

    # A Linux bridge of thousands of ports floods every port's IPv6 router solicitations and MLD
    # reports to all the others; the star of N = 10,000 is ten bridges of 1000 ports.
    PORTS_PER_BRIDGE = 1000

    def __init__(self, kind, n):
        self.kind, self.n = kind, n
        self.nodes = [f"b{i}" for i in range(1, n + 1)]
        bridges = (n + self.PORTS_PER_BRIDGE - 1) // self.PORTS_PER_BRIDGE if kind == "star" else 0
        self.bridges = [f"br-bench{k}" for k in range(bridges)]

    def bridge_of(self, i):
        """The bridge of node i (1-based)."""
        return self.bridges[(i - 1) // self.PORTS_PER_BRIDGE]

    def yaml(self, changed=False):
        lines = [f"name: bench-{self.kind}", "nodes:"]
        if self.kind == "star":
            for i, node in enumerate(self.nodes, 1):
                addr = address(i, 16)
                if changed and i == 1:
                    addr = "10.0.200.200/16"
                lines.append(f"  {node}: {{interfaces: {{eth0: {{addresses: [{addr}]}}}}}}")
            lines += ["bridges:"] + [f"  {bridge}: {{kind: linux, stp: false}}" for bridge in self.bridges]
            lines += ["links:"]
            lines += [f"  - {{kind: veth, endpoints: [{node}:eth0, {self.bridge_of(i)}:p{i}]}}"
                      for i, node in enumerate(self.nodes, 1)]
        else:  # chain: b1 - b2 - ... - bN, /30 links, routes both ways through forwarding nodes
            for i, node in enumerate(self.nodes, 1):
                ifaces, routes = [], []
                if i > 1:
                    ifaces.append(f"left: {{addresses: [{self.link_addr(i - 1, 2)}]}}")
                    routes.append(f"{{to: 10.128.0.0/9, via: {self.link_addr(i - 1, 1, False)}}}")
                if i < self.n:
                    ifaces.append(f"right: {{addresses: [{self.link_addr(i, 1)}]}}")
                    routes.append(f"{{to: 10.64.0.0/10, via: {self.link_addr(i, 2, False)}}}")
                if changed and i == 1:
                    ifaces[0] = ifaces[0].replace(".1/30", ".1/29")
                lines.append(f"  {node}:")
                lines.append(f"    interfaces: {{{', '.join(ifaces)}}}")
                lines.append("    sysctls: {net.ipv4.ip_forward: 1}")
                lines.append(f"    routes: [{', '.join(r for r in routes if r)}]")
            lines.append("links:")
            lines += [f"  - {{kind: veth, endpoints: [b{i}:right, b{i + 1}:left]}}"
                      for i in range(1, self.n)]
        return "\n".join(lines) + "\n"

    @staticmethod
    def link_addr(i, host, prefix=True):
        base = 64 + (i >> 14)  # 10.64.0.0/10 holds every link
        text = f"10.{base}.{(i >> 6) & 255}.{((i & 63) << 2) + host}"
        return f"{text}/30" if prefix else text

    # --- one ip command per step (the seeds' recipe) ---
    def shell(self):
        out = []
        if self.kind == "star":
            for bridge in self.bridges:
                out += [f"ip link add {bridge} type bridge", f"ip link set {bridge} up"]
            for i, node in enumerate(self.nodes, 1):
                out += [f"ip netns add {node}", f"ip link add p{i} type veth peer name eth0-{i}",
                        f"ip link set eth0-{i} netns {node}", f"ip -n {node} link set eth0-{i} name eth0",
                        f"ip link set p{i} master {self.bridge_of(i)}", f"ip link set p{i} up",
                        f"ip -n {node} addr add {address(i, 16)} dev eth0",
                        f"ip -n {node} link set eth0 up", f"ip -n {node} link set lo up"]
        else:
            for node in self.nodes:
                out += [f"ip netns add {node}", f"ip -n {node} link set lo up",
                        f"ip netns exec {node} sysctl -qw net.ipv4.ip_forward=1"]
            for i in range(1, self.n):
                a, b = f"b{i}", f"b{i + 1}"
                out += [f"ip link add r{i} type veth peer name l{i}",
                        f"ip link set r{i} netns {a}", f"ip link set l{i} netns {b}",
                        f"ip -n {a} link set r{i} name right", f"ip -n {b} link set l{i} name left",
                        f"ip -n {a} addr add {self.link_addr(i, 1)} dev right",
                        f"ip -n {b} addr add {self.link_addr(i, 2)} dev left",
                        f"ip -n {a} link set right up", f"ip -n {b} link set left up"]
            for i in range(1, self.n + 1):
                if i > 1:
                    out.append(f"ip -n b{i} route add 10.128.0.0/9 via {self.link_addr(i - 1, 1, False)}")
                if i < self.n:
                    out.append(f"ip -n b{i} route add 10.64.0.0/10 via {self.link_addr(i, 2, False)}")
        return out

    def shell_teardown(self):
        out = [f"ip netns del {node}" for node in self.nodes]
        if self.kind == "star":
            out += [f"ip link del {bridge}" for bridge in self.bridges]
        return out

    # --- ip -batch in the root namespace plus one batch per namespace ---
    def root_batch(self, floor=False):
        out = []
        if self.kind == "star":
            out += [f"link add {bridge} type bridge" for bridge in self.bridges]
            out += [f"netns add {node}" for node in self.nodes]
            for i, node in enumerate(self.nodes, 1):
                out.append(f"link add p{i} master {self.bridge_of(i)} type veth peer name eth0 netns {node}")
            if not floor:
                out += [f"link set {bridge} up" for bridge in self.bridges]
                out += [f"link set p{i} up" for i in range(1, self.n + 1)]
        else:
            out += [f"netns add {node}" for node in self.nodes]
            # ip -batch cannot create a veth between two other namespaces: make it in the root,
            # then move each end (the floor does the same).
            for i in range(1, self.n):
                out += [f"link add r{i} netns b{i} type veth peer name l{i} netns b{i + 1}"]
        return out

    def ns_batches(self):
        batches = {}
        for i, node in enumerate(self.nodes, 1):
            cmds = ["link set lo up"]
            if self.kind == "star":
                cmds += [f"addr add {address(i, 16)} dev eth0", "link set eth0 up"]
            else:
                if i > 1:
                    cmds += [f"link set l{i - 1} name left", f"addr add {self.link_addr(i - 1, 2)} dev left",
                             "link set left up", f"route add 10.128.0.0/9 via {self.link_addr(i - 1, 1, False)}"]
                if i < self.n:
                    cmds += [f"link set r{i} name right", f"addr add {self.link_addr(i, 1)} dev right",
                             "link set right up", f"route add 10.64.0.0/10 via {self.link_addr(i, 2, False)}"]
            batches[node] = cmds
        return batches


def clean():
    names = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout.split()
    names = [n for n in names if not n.startswith("(")]
    if names:
        subprocess.run(["ip", "-batch", "-"], input="".join(f"netns del {n}\n" for n in names),
                       text=True, check=False, capture_output=True)
    bridges = subprocess.run(["ip", "-o", "link", "show", "type", "bridge"], capture_output=True,
                             text=True).stdout
    for line in bridges.splitlines():
        name = line.split(": ")[1].split("@")[0]
        if name.startswith("br-bench"):
            subprocess.run(["ip", "link", "del", name], capture_output=True)
    if os.path.exists("/run/nstopo/ovs/db.sock"):
        subprocess.run(ovs_lab.VSCTL + ["--if-exists", "del-br", "br-bench"], capture_output=True)
    # Lab records go; the private Open vSwitch under /run/nstopo/ovs stays.
    for entry in os.listdir("/run/nstopo") if os.path.isdir("/run/nstopo") else []:
        if entry != "ovs":
            path = os.path.join("/run/nstopo", entry)
            shutil.rmtree(path, ignore_errors=True) if os.path.isdir(path) else os.remove(path)
    # `ip netns del` returns before the kernel has cleaned the namespace up: the host ends of
    # its veths linger for a while. Wait (bounded) so the next contender starts clean.
    deadline = time.time() + 10
    while True:
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True).stdout
        leftover = [l.split(": ")[1] for l in links.splitlines() if ": lo:" not in l]
        if not leftover or time.time() > deadline:
            return leftover
        time.sleep(0.1)


def cpu_busy(interval=0.2):
    """Fraction of the machine's CPU time that was not idle over `interval` seconds."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait
    total1, idle1 = sample()
    time.sleep(interval)
    total2, idle2 = sample()
    return 1 - (idle2 - idle1) / max(1, total2 - total1)


# How long settle() waits for a quiet machine (--settle); the smoke run does not wait.
SETTLE_LIMIT = 30
# Without --settle, a lab of N namespaces waits up to this much per namespace when that is longer
# than SETTLE_LIMIT: the kernel works 78-106 s after a fresh star of 10,000 (the new interfaces'
# IPv6 start-up, flooded by each bridge to its other ports), far past 30 s.
SETTLE_PER_NAMESPACE = 0.015


def settle(limit=None):
    """Waits until the kernel has finished the previous run's work. Namespaces deleted by the
    last teardown are cleaned up by kernel workers after `ip netns del` returns, and a fresh lab
    keeps the kernel busy with IPv6 address setup for a while; either would be charged to the
    next measurement. Everything measured waits the same way."""
    deadline = time.time() + (SETTLE_LIMIT if limit is None else limit)
    quiet = 0
    while time.time() < deadline and quiet < 3:
        quiet = quiet + 1 if cpu_busy() < 0.15 else 0


def run_batch(lines, netns=None):
    command = ["ip"] + (["-n", netns] if netns else []) + ["-batch", "-"]
    start = time.perf_counter()
    subprocess.run(command, input="\n".join(lines) + "\n", text=True, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def to_completion(floor, command):
    """`command` (a teardown), then the wait until the kernel has really removed the namespaces,
    when the true floor is in the run; `command` alone otherwise."""
    return [floor, "await-teardown", "--"] + command if floor else command


def stamp(line):
    """Seconds since midnight of an `nstopo -v` line (`debug HH:MM:SS.mmm: ...`), or None."""
    match = re.match(r"debug (\d+):(\d+):(\d+\.\d+): ", line)
    if not match:
        return None
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def verification_seconds(log):
    """How long `nstopo -v apply` spent verifying: from its "verifying" line to the next one.
    The true floor reads nothing back, so this is the part of nstopo's apply it has no twin of."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "verifying: reading the machine again" in line:
            later = [stamp(l) for l in lines[i + 1:] if stamp(l) is not None]
            start = stamp(line)
            if later and start is not None:
                return (later[0] - start) % 86400  # a run across midnight
    return None


def measure(lab, contender, nstopo, work, floor=None):
    """{"build": seconds, "destroy": seconds} for one contender; nstopo's also has "verify",
    the part of its build spent reading the machine back."""
    if contender == "nstopo":
        path = os.path.join(work, "lab.yaml")
        with open(path, "w") as f:
            f.write(lab.yaml())
        start = time.perf_counter()
        log = sh([nstopo, "-v", "apply", path]).stderr.decode()
        build = time.perf_counter() - start
        settle()
        down = timed(to_completion(floor, [nstopo, "destroy", path]))
        measured = {"build": build, "destroy": down}
        verify = verification_seconds(log)
        if verify is not None:
            measured["verify"] = verify
            measured["unverified"] = build - verify  # the build the true floor has a twin of
        return measured
    if contender == "true-floor":
        shape = ["--kind", lab.kind, "--n", str(lab.n)]
        build = timed([floor, "build"] + shape)
        settle()
        down = timed(to_completion(floor, [floor, "destroy", "--no-wait"] + shape))
        return {"build": build, "destroy": down}
    if isinstance(lab, ovs_lab.OvsLab) and contender != "nstopo":
        return measure_ovs(lab, contender, work)
    if contender == "shell":
        script = os.path.join(work, "recipe.sh")
        with open(script, "w") as f:
            f.write("set -e\n" + "\n".join(lab.shell()) + "\n")
        build = timed(["bash", script])
        settle()
        with open(script, "w") as f:
            f.write("\n".join(lab.shell_teardown()) + "\n")
        down = timed(["bash", script])
        return {"build": build, "destroy": down}
    if contender in ("ip-batch", "floor"):
        start = time.perf_counter()
        run_batch(lab.root_batch(floor=contender == "floor"))
        if contender == "ip-batch":
            for node, cmds in lab.ns_batches().items():
                run_batch(cmds, node)
        build = time.perf_counter() - start
        settle()
        down = run_batch([f"netns del {n}" for n in lab.nodes] + [f"link del {b}" for b in lab.bridges])
        return {"build": build, "destroy": down}
    raise ValueError(contender)


def ovs_datapath():
    """What `datapath: auto` picks here (docs/ovs.md)."""
    return "system" if os.path.isdir("/sys/module/openvswitch") else "netdev"


def measure_ovs(lab, contender, work):
    """{"build": seconds, "destroy": seconds} for a hand-written contender on an OVS star."""
    datapath = ovs_datapath()
    script = os.path.join(work, "recipe.sh")
    if contender == "shell":
        with open(script, "w") as f:
            f.write("set -e\n" + "\n".join(lab.shell(datapath)) + "\n")
        build = timed(["bash", script])
    elif contender == "ip-batch":
        start = time.perf_counter()
        sh(lab.bridge_command(datapath))
        run_batch(lab.root_batch())
        sh(lab.vsctl_batch())
        if lab.after_ports_batch():
            run_batch(lab.after_ports_batch())
        for command in lab.offload_commands(datapath):
            sh(command)
        for node, cmds in lab.ns_batches().items():
            run_batch(cmds, node)
        build = time.perf_counter() - start
    else:
        raise ValueError(contender)
    settle()
    with open(script, "w") as f:
        f.write("\n".join(lab.teardown()) + "\n")
    return {"build": build, "destroy": timed(["bash", script])}


def takes_part(contender, n, is_ovs, args):
    """Whether `contender` runs on a lab of `n` (--shell-max, --ip-batch-max, the floors)."""
    if contender == "shell" and n > (args.ovs_shell_max if is_ovs else args.shell_max):
        return False
    if contender == "ip-batch" and 0 < args.ip_batch_max < n:
        return False
    # The cost of an OVS star is in ovs-vswitchd; there is no kernel-only floor for it.
    return not (contender in ("floor", "true-floor") and is_ovs)


def peak_rss_kb(command):
    result = subprocess.run(["/usr/bin/time", "-f", "%M"] + command, capture_output=True, text=True)
    return int(result.stderr.strip().splitlines()[-1]) if result.returncode == 0 else 0


def main():
    global SETTLE_LIMIT
    parser = argparse.ArgumentParser()
    parser.add_argument("--nstopo", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sizes", default="10,100,500,1000")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--topologies", default="star,chain,ovs-veth,ovs-internal",
                        help="star, chain, and the OVS stars ovs-veth and ovs-internal (run only "
                             "when Open vSwitch is installed); mininet (or mininet-lxbr, "
                             "mininet-ovs): `mn --topo single,N` against nstopo, when Mininet is "
                             "installed (bench/setup.sh)")
    parser.add_argument("--ovs-max", type=int, default=500,
                        help="largest N for the OVS stars (ovs-vswitchd's own cost grows fast)")
    parser.add_argument("--ovs-shell-max", type=int, default=100,
                        help="largest N for the one-command-per-step OVS recipe")
    parser.add_argument("--floor", default="",
                        help="nstopo-floor (bench/floor), the contender true-floor; skipped "
                             "when not given or not built")
    parser.add_argument("--contenders", default="nstopo,true-floor,ip-batch,floor,shell",
                        help="which contenders to run on the star, chain and OVS stars")
    parser.add_argument("--settle", type=float, default=None,
                        help="longest wait (seconds) for a quiet machine before each measurement; "
                             f"default {SETTLE_LIMIT} s, or {SETTLE_PER_NAMESPACE * 1000:g} ms per "
                             "namespace of the lab when that is longer")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other topologies of an earlier results.json in --out")
    parser.add_argument("--shell-max", type=int, default=500,
                        help="largest N for the one-command-per-step recipe (slow)")
    parser.add_argument("--ip-batch-max", type=int, default=0,
                        help="largest N for ip-batch (an `ip -n NODE -batch` per namespace: 91 s "
                             "for the star of 3000 here); 0: every N")
    args = parser.parse_args()
    if args.settle is not None:
        SETTLE_LIMIT = args.settle
    # nstopo holds a file per namespace while it applies (plus about 160): N = 10,000 needs more
    # than the usual soft limit of 1024.
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.smoke:
        # No settling: the smoke run's numbers are not read, and beside CI's other tests the
        # machine never goes quiet, so every wait ran to its limit (2 s each): test_bench_smoke
        # took 162 s in CI with them, 70 s without.
        args.sizes, args.reps = "10", 1
        SETTLE_LIMIT = 0
    sizes = [int(s) for s in args.sizes.split(",")]
    default_settle = SETTLE_LIMIT
    contenders = [c for c in ["nstopo", "true-floor", "ip-batch", "floor", "shell"]
                  if c in args.contenders.split(",")]
    if not os.access(args.nstopo, os.X_OK):
        sys.exit(f"no nstopo binary at {args.nstopo}: build the release preset first")
    floor = args.floor if args.floor and os.access(args.floor, os.X_OK) else None
    if not floor and "true-floor" in contenders:
        print("true-floor: skipped, no nstopo-floor binary (cmake --build --preset release "
              "--target nstopo-floor; --floor PATH)")
        contenders.remove("true-floor")
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp()
    results = {"machine": machine(), "runs": {}, "teardown_to_completion": bool(floor)}
    earlier = os.path.join(args.out, "results.json")
    if args.merge and os.path.exists(earlier):
        with open(earlier) as f:
            results["runs"] = json.load(f).get("runs", {})
    failed = False
    kinds = mininet_lab.expand(args.topologies.split(","))
    for kind in [k for k in kinds if k in mininet_lab.KINDS and mininet_lab.missing(k)]:
        print(f"{kind}: skipped, {mininet_lab.missing(kind)}")
        kinds.remove(kind)
    if any(k in ovs_lab.KINDS for k in kinds):
        if not all(shutil.which(tool) for tool in ("ovs-vswitchd", "ovsdb-server", "ovs-vsctl")):
            print("ovs: skipped, Open vSwitch is not installed (apt-get install openvswitch-switch)")
            kinds = [k for k in kinds if k not in ovs_lab.KINDS]
    ovs_running = False
    try:
        for kind in kinds:
            table = results["runs"][kind] = {}
            is_ovs = kind in ovs_lab.KINDS
            if (is_ovs or kind == "mininet-ovs") and not ovs_running:
                # Only now: ovs-vswitchd follows every link event of the namespace it runs in, which
                # would slow the other topologies down.
                sh([args.nstopo, "ovs", "start"])
                ovs_running = True
                print(f"ovs: private Open vSwitch started, datapath {ovs_datapath()}")
            if kind in mininet_lab.KINDS:
                mininet_table, mininet_failed = measure_mininet(kind, sizes, args, work)
                table.update(mininet_table)
                failed = failed or mininet_failed
                continue
            for n in sizes:
                if is_ovs and n > args.ovs_max:
                    continue
                lab = ovs_lab.OvsLab(kind, n) if is_ovs else Lab(kind, n)
                if args.settle is None and not args.smoke:
                    SETTLE_LIMIT = max(default_settle, SETTLE_PER_NAMESPACE * n)
                row = table.setdefault(str(n), {})
                failed_here = set()
                runs = [c for c in contenders if takes_part(c, n, is_ovs, args)]
                samples = {c: [] for c in runs}
                for rep in range(args.reps):
                    # Contenders alternate within each repetition, and the one that goes first
                    # rotates: a machine that drifts (load, the kernel's leftover work) then
                    # weighs on all of them alike, not on whichever ran its repetitions last.
                    for contender in runs[rep % len(runs):] + runs[:rep % len(runs)]:
                        if contender in failed_here:
                            continue
                        leftover = clean()
                        if leftover:
                            print(f"FAIL: left before {contender}: {leftover}")
                            failed = True
                        settle()
                        try:
                            samples[contender].append(
                                measure(lab, contender, args.nstopo, work, None if is_ovs else floor))
                        except subprocess.CalledProcessError as error:
                            stderr = error.stderr if isinstance(error.stderr, str) else error.stderr.decode()
                            print(f"FAIL: {contender} {kind} N={n}: {stderr[-400:]}")
                            failed = True
                            failed_here.add(contender)
                        leftover = clean()
                        if leftover:
                            print(f"FAIL: {contender} left {leftover}")
                            failed = True
                for contender, measured in samples.items():
                    if not measured:
                        continue
                    row[contender] = {what: statistics.median(m[what] for m in measured)
                                      for what in measured[0] if all(what in m for m in measured)}
                    print(f"{kind:5} N={n:<5} {contender:9} build {row[contender]['build']:.3f}s "
                          f"destroy {row[contender]['destroy']:.3f}s", flush=True)
                # A contender that failed may have left its namespaces, which nstopo would
                # rightly refuse to take over.
                clean()
                try:
                    row.update(extras(lab, args.nstopo, work, args.reps))
                except subprocess.CalledProcessError as error:
                    print(f"FAIL: nstopo no-op and change, {kind} N={n}: {error}")
                    failed = True
                clean()
    finally:
        if ovs_running:  # daemons this run started end with it, even when a contender failed
            sh([args.nstopo, "ovs", "stop"])
        # Written even when the run breaks off: an hour of measurements is not thrown away.
        with open(os.path.join(args.out, "results.json"), "w") as f:
            json.dump(results, f, indent=2)
    write_markdown(results, os.path.join(args.out, "results.md"))
    plot(results, args.out)
    print(f"{'0 passed, 1 failed' if failed else '1 passed, 0 failed'}")
    sys.exit(1 if failed else 0)


def measure_mininet(kind, sizes, args, work):
    """Mininet against nstopo on one switch (mininet_lab.py). Mininet is an optional peer: a run
    it cannot finish is reported, and does not fail the benchmark; nstopo's failures and
    leftovers do. Returns (table, failed)."""
    table, failures = mininet_lab.measure(kind, sizes, args.reps, args.nstopo, work, clean, settle)
    failed = False
    for failure in failures:
        optional = failure.startswith("mininet ")
        print(f"{'mininet: could not run: ' if optional else 'FAIL: '}{failure}")
        failed = failed or not optional
    return table, failed


def extras(lab, nstopo, work, reps):
    """No-op re-apply, one changed address, and peak RSS of nstopo on the built lab."""
    path = os.path.join(work, "lab.yaml")
    with open(path, "w") as f:
        f.write(lab.yaml())
    sh([nstopo, "apply", path])
    noops = []
    for _ in range(reps):
        settle()
        noops.append(timed([nstopo, "apply", path]))
    noop = statistics.median(noops)
    rss = peak_rss_kb([nstopo, "apply", path]) if os.path.exists("/usr/bin/time") else 0
    changed = os.path.join(work, "changed.yaml")
    with open(changed, "w") as f:
        f.write(lab.yaml(changed=True))
    settle()
    change = timed([nstopo, "apply", changed])
    sh([nstopo, "destroy", changed])
    return {"nstopo-noop": noop, "nstopo-change": change, "nstopo-rss-kb": rss}


def machine():
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpus": os.cpu_count(), "cpu": cpu, "kernel": os.uname().release}


def write_markdown(results, path):
    m = results["machine"]
    out = [f"Machine: {m['cpus']} CPUs, {m['cpu']}, kernel {m['kernel']}.", ""]
    for kind, table in results["runs"].items():
        if kind in mininet_lab.KINDS:
            out += mininet_lab.markdown(kind, table)
            continue
        out += [f"### {kind}", "",
                "| N | nstopo | true-floor | ip-batch | floor | shell | nstopo no-op | one change |"
                " nstopo peak RSS | destroy nstopo / true-floor / floor |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for n, row in table.items():
            def cell(name, what="build"):
                return f"{row[name][what]:.3f} s" if name in row else "-"
            destroy = " / ".join(cell(name, "destroy") for name in ("nstopo", "true-floor", "floor"))
            def extra(name, unit, scale=1):  # missing when the no-op runs failed
                return f"{row[name] / scale:.{1 if unit == 'MiB' else 3}f} {unit}" if name in row else "-"
            out.append(f"| {n} | {cell('nstopo')} | {cell('true-floor')} | {cell('ip-batch')} | "
                       f"{cell('floor')} | {cell('shell')} | {extra('nstopo-noop', 's')} | "
                       f"{extra('nstopo-change', 's')} | {extra('nstopo-rss-kb', 'MiB', 1024)} | "
                       f"{destroy} |")
        if results.get("teardown_to_completion"):
            out += ["", "nstopo's and true-floor's destroy are timed until the kernel has really "
                    "removed the namespaces (`nstopo-floor await-teardown`); floor's is not."]
        out += ["", "Ratios (ip-batch, shell: contender time / nstopo time, above 1 means nstopo is "
                "faster; nstopo / true-floor and nstopo / floor: how far nstopo is from the floor):",
                "", "| N | nstopo / true-floor | the same without nstopo's verification |"
                " destroy nstopo / true-floor | ip-batch / nstopo | shell / nstopo | nstopo / floor |",
                "| --- | --- | --- | --- | --- | --- | --- |"]
        for n, row in table.items():
            if "nstopo" not in row:
                continue
            base = row["nstopo"]["build"]
            def ratio(name):
                return f"{row[name]['build'] / base:.1f}x" if name in row else "-"
            def over(name, what="build", mine=None):  # mine: nstopo's part set against `what`
                mine = mine or what
                if name not in row or mine not in row["nstopo"]:
                    return "-"
                return f"{row['nstopo'][mine] / row[name][what]:.2f}x"
            out.append(f"| {n} | {over('true-floor')} | {over('true-floor', mine='unverified')} | "
                       f"{over('true-floor', 'destroy')} | "
                       f"{ratio('ip-batch')} | {ratio('shell')} | {over('floor')} |")
        out.append("")
    with open(path, "w") as f:
        f.write("\n".join(out))


def plot(results, out):
    if not shutil.which("gnuplot"):
        print("plot: skipped, gnuplot is not installed (apt-get install gnuplot-nox)")
        return
    mininet_lab.plot(results, out)
    for kind, table in results["runs"].items():
        if kind in mininet_lab.KINDS:
            continue
        names = [c for c in ("nstopo", "true-floor", "ip-batch", "floor", "shell")
                 if any(c in row for row in table.values())]
        rows = [(n, [row[c]["build"] if c in row else None for c in names])
                for n, row in table.items()]
        gnuplot.draw(os.path.join(out, kind + ".png"), rows, names, [
            "set terminal pngcairo size 800,500", f"set title 'Building a {kind} of N namespaces'",
            "set xlabel 'N (namespaces)'", "set ylabel 'seconds (median)'", "set key left top"])
        plot_per_namespace(results, kind, table, out)


def plot_per_namespace(results, kind, table, out):
    """KIND-per-namespace.png: milliseconds per namespace against N, both axes logarithmic, so
    a straight horizontal line is linear growth. Builds are solid; the teardowns timed to
    completion (nstopo, true-floor) dashed. The star also shows Mininet's build of
    `mn --topo single,N` (its nearest shape), wall time, from the Mininet runs of the same file."""
    series = [(c, "build", f"{c} build") for c in ("nstopo", "true-floor", "ip-batch", "floor")]
    series += [(c, "destroy", f"{c} destroy") for c in ("nstopo", "true-floor")]
    rows = {int(n): dict(row) for n, row in table.items()}  # copies: Mininet is added below
    if kind == "star":
        for mn in mininet_lab.KINDS:
            for n, row in results["runs"].get(mn, {}).items():
                if "mininet" in row:
                    rows.setdefault(int(n), {})[mn] = {"build": row["mininet"]["wall"]}
            series.append((mn, "build", f"Mininet {mn[8:]} build (wall)"))
    series = [s for s in series if any(s[0] in row for row in rows.values())]
    rows = [(n, [1000 * rows[n][c][what] / n if c in rows[n] else None for c, what, _ in series])
            for n in sorted(rows)]
    gnuplot.draw(os.path.join(out, kind + "-per-namespace.png"), rows,
                 [title for _, _, title in series],
                 ["set terminal pngcairo size 900,550",
                  f"set title 'Time per namespace, {kind} (median; flat = linear growth)'",
                  "set xlabel 'N (namespaces)'", "set ylabel 'milliseconds per namespace'",
                  "set key outside right"],
                 ["dashtype 2 " if what == "destroy" else "" for _, what, _ in series])


if __name__ == "__main__":
    main()
