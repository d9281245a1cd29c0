# SPDX-License-Identifier: Apache-2.0
"""Mininet side by side: `mn --topo single,N` against nstopo's lab of the same end state.

Topologies (bench.py --topologies; `mininet` means both):
  mininet-lxbr  `mn --topo single,N --switch lxbr --controller none --test none`: one Linux bridge
  mininet-ovs   the same with `--switch ovsbr,datapath=user`: an Open vSwitch bridge in standalone
                mode on the userspace (netdev) datapath, on the private Open vSwitch of
                `nstopo ovs start` (this kernel may have no openvswitch module)

Mininet's end state, read from its source (mininet/net.py, node.py, nodelib.py, util.py): hosts
h1..hN, each a shell started by `mnexec -cdn` in an unnamed network namespace of its own (no
/run/netns entry), holding lo (up) and hN-eth0 (10.0.0.N/8, up); a switch s1 in the root namespace
with ports s1-eth1..s1-ethN, the other ends of the veth pairs. nstopo's lab below builds the same
names, addresses and bridge. The differences, all in nstopo's favour of doing more: nstopo's
namespaces are named (bind mounts under /run/netns), it verifies the end state it reads back and
keeps a record for later applies, and on the netdev datapath it turns TX checksum offload off on
both veth ends (TCP over a netdev port needs it, docs/ovs.md; Mininet does not). Mininet's OVS
bridge also carries ofport_request, a datapath-id and disable-in-band, which nstopo does not set.

Timing: one `mn` run builds, starts and stops; its own total is the "completed in" line it prints
(from option parsing done to stop done, so without the interpreter's start). The build/stop split
is the wall time at which its first "*** Stopping" line arrives. nstopo's side is `nstopo apply`
then at once `nstopo destroy` (no settling in between: Mininet does not wait either). Runs of the
two alternate, each after the machine has settled.

Mininet's cleanup (run on any error) kills processes by name machine-wide (`killall ping mnexec
...`, `pkill -9 -f mininet:`), removes /tmp/*.log and /tmp/*.out, and Mininet raises global
sysctls (fs.file-max, net.core.*mem_max, kernel.pty.max); `netns 1` in its commands means the
namespace of PID 1. So each `mn` runs in a PID namespace of its own (it is PID 1 there, its
pkills see only its own processes, and whatever it leaves running dies with it), with its own /proc
and /tmp, and /proc/sys read-only (Mininet warns that it could not raise the limits and goes on).
"""
import os
import re
import shutil
import subprocess
import time

import gnuplot

KINDS = ("mininet-lxbr", "mininet-ovs")
PYTHON = "/usr/bin/python3"  # mn is a script for the system interpreter; PATH may hold another
MN = "/usr/bin/mn"
OVS_RUNDIR = "/run/nstopo/ovs"  # where `nstopo ovs start` keeps db.sock; ovs-vsctl honours it
SWITCH = "s1"
# Mininet at N = 500 takes about 30 s a run: fewer repetitions there.
LARGE_N, LARGE_REPS = 500, 2

# Runs "$@" (mn) as PID 1 of a new PID namespace, with a private /proc, /tmp and HOME (Mininet's
# cleanup empties ~/.ssh/mn) and a read-only /proc/sys.
CONTAIN = ("mount -t tmpfs mininet-tmp /tmp && mount --bind /proc/sys /proc/sys && "
           "mount -o remount,bind,ro /proc/sys && HOME=/tmp exec \"$@\"")


def expand(kinds):
    """`mininet` in --topologies stands for both switches, the Linux bridge first (the private
    Open vSwitch, once started, follows every link event and would slow it down)."""
    out = []
    for kind in kinds:
        out += list(KINDS) if kind == "mininet" else [kind]
    return out


def missing(kind):
    """Why `kind` cannot run here, or None."""
    if not (os.path.exists(MN) and os.access(PYTHON, os.X_OK)):
        return "Mininet is not installed (bash bench/setup.sh, or apt-get install mininet)"
    if not shutil.which("unshare"):
        return "unshare (util-linux) is missing: Mininet runs only inside a PID namespace"
    if kind == "mininet-lxbr" and not (shutil.which("brctl") or os.path.exists("/usr/sbin/brctl")):
        return "brctl is missing (apt-get install bridge-utils), Mininet's lxbr needs it"
    if kind == "mininet-ovs" and not all(shutil.which(t) for t in ("ovs-vsctl", "ovs-vswitchd")):
        return "Open vSwitch is not installed (apt-get install openvswitch-switch)"
    return None


class MininetLab:
    def __init__(self, kind, n):
        assert kind in KINDS, kind
        self.kind, self.n = kind, n
        self.ovs = kind == "mininet-ovs"

    def mn_command(self):
        switch = "ovsbr,datapath=user" if self.ovs else "lxbr"
        return ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "--mount", "--propagation", "private",
                "--", "sh", "-c", CONTAIN, "mininet-contain", PYTHON, MN, "--topo", f"single,{self.n}",
                "--switch", switch, "--controller", "none", "--test", "none"]

    def mn_env(self):
        # Always, not only for the OVS switch: Mininet's cleanup deletes every bridge of the
        # Open vSwitch that ovs-vsctl reaches, and the default socket is under /var/run, which on
        # a machine where it is not the sandbox's /run would be the machine's own Open vSwitch.
        return dict(os.environ, OVS_RUNDIR=OVS_RUNDIR)

    def yaml(self):
        """The end state of `mn --topo single,N` (see the module's comment)."""
        lines = [f"name: bench-{self.kind}", "nodes:"]
        lines += [f"  h{i}: {{interfaces: {{h{i}-eth0: {{addresses: [{host_address(i)}/8]}}}}}}"
                  for i in range(1, self.n + 1)]
        bridge = ("{kind: ovs, datapath: auto, fail_mode: standalone}" if self.ovs
                  else "{kind: linux, stp: false}")
        lines += ["bridges:", f"  {SWITCH}: {bridge}", "links:"]
        lines += [f"  - {{kind: veth, endpoints: [h{i}:h{i}-eth0, {SWITCH}:{SWITCH}-eth{i}]}}"
                  for i in range(1, self.n + 1)]
        return "\n".join(lines) + "\n"


def host_address(i):
    """Mininet's ipBase 10.0.0.0/8: host i gets 10.0.0.0 + i."""
    return f"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}"


def run_mininet(lab, timeout):
    """{build, stop, total, wall} of one `mn` run, or raises RuntimeError with its last words."""
    start = time.perf_counter()
    process = subprocess.Popen(lab.mn_command(), env=lab.mn_env(), stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    stopping, own, tail = None, None, []
    try:
        for line in process.stdout:  # Mininet flushes each line as it logs it
            if stopping is None and line.startswith("*** Stopping"):
                stopping = time.perf_counter()
            match = re.match(r"completed in ([0-9.]+) seconds", line)
            if match:
                own = float(match.group(1))
            tail = (tail + [line.rstrip()])[-5:]
            if time.perf_counter() - start > timeout:
                break
        process.wait(timeout=max(1, timeout - (time.perf_counter() - start)))
    finally:
        if process.poll() is None:
            process.kill()  # PID 1 of its namespace: the rest of Mininet's processes die with it
            process.wait()
    end = time.perf_counter()
    if own is None or stopping is None or process.returncode != 0:
        raise RuntimeError(" | ".join(tail) or f"mn exited {process.returncode}")
    return {"build": stopping - start, "destroy": end - stopping, "total": own, "wall": end - start}


def run_nstopo(lab, nstopo, work):
    path = os.path.join(work, "mininet-lab.yaml")
    with open(path, "w") as f:
        f.write(lab.yaml())
    out = {}
    for verb, key in (("apply", "build"), ("destroy", "destroy")):
        start = time.perf_counter()
        subprocess.run([nstopo, verb, path], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
        out[key] = time.perf_counter() - start
    out["total"] = out["wall"] = out["build"] + out["destroy"]
    return out


def clean(lab):
    """What a failed run of either contender may leave in the sandbox: the switch."""
    if lab.ovs and os.path.exists(os.path.join(OVS_RUNDIR, "db.sock")):
        subprocess.run(["ovs-vsctl", f"--db=unix:{OVS_RUNDIR}/db.sock", "--timeout=30",
                        "--if-exists", "del-br", SWITCH], capture_output=True)
    subprocess.run(["ip", "link", "del", SWITCH], capture_output=True)


def measure(kind, sizes, reps, nstopo, work, clean_all, settle):
    """The table of `kind`: per N, the median of each contender's runs (alternating). Returns
    (table, failures)."""
    table, failures = {}, []
    for n in sizes:
        lab = MininetLab(kind, n)
        runs = {"nstopo": [], "mininet": []}
        for _ in range(reps if n < LARGE_N else min(reps, LARGE_REPS)):
            for contender in ("mininet", "nstopo"):
                clean(lab)
                leftover = clean_all()
                if leftover:
                    failures.append(f"left before {contender} {kind} N={n}: {leftover}")
                settle()
                try:
                    if contender == "mininet":
                        runs[contender].append(run_mininet(lab, timeout=120 + n))
                    else:
                        runs[contender].append(run_nstopo(lab, nstopo, work))
                except (RuntimeError, subprocess.CalledProcessError) as error:
                    detail = getattr(error, "stderr", None) or str(error)
                    failures.append(f"{contender} {kind} N={n}: {str(detail)[-300:]}")
                    continue
                clean(lab)
                leftover = clean_all()
                if leftover:
                    failures.append(f"left after {contender} {kind} N={n}: {leftover}")
        row = table[str(n)] = {}
        for contender, samples in runs.items():
            if samples:
                row[contender] = {key: median([s[key] for s in samples]) for key in samples[0]}
                row[contender]["runs"] = [round(s["total"], 3) for s in samples]
        if "nstopo" in row and "mininet" in row:
            row["ratio"] = row["mininet"]["total"] / row["nstopo"]["total"]
            print(f"{kind} N={n:<4} mininet {row['mininet']['total']:.3f}s (wall "
                  f"{row['mininet']['wall']:.3f}s)  nstopo apply+destroy "
                  f"{row['nstopo']['total']:.3f}s  mininet/nstopo {row['ratio']:.1f}x", flush=True)
    return table, failures


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


TARGET = 25  # issue 17: Mininet / nstopo at least 25x at every N


def markdown(kind, table):
    switch = "--switch ovsbr,datapath=user" if kind == "mininet-ovs" else "--switch lxbr"
    out = [f"### {kind}", "",
           f"`mn --topo single,N {switch} --controller none --test none` against nstopo apply + "
           "destroy of the same end state (medians; Mininet's total is its own \"completed in\").",
           "", "| N | Mininet build | Mininet stop | Mininet total | Mininet wall | nstopo apply |"
           " nstopo destroy | nstopo total | Mininet / nstopo |",
           "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, row in table.items():
        m, s = row.get("mininet"), row.get("nstopo")

        def cells(entry, keys):
            return [f"{entry[k]:.3f} s" if entry else "-" for k in keys]
        ratio = f"{row['ratio']:.1f}x{'' if row['ratio'] >= TARGET else ' (target 25x)'}" \
            if "ratio" in row else "-"
        out.append("| " + " | ".join([n] + cells(m, ("build", "destroy", "total", "wall")) +
                                     cells(s, ("build", "destroy", "total")) + [ratio]) + " |")
    return out + [""]


def plot(results, out):
    """mininet.png: build plus teardown against N, Mininet and nstopo on each switch."""
    tables = [(kind, results["runs"][kind]) for kind in KINDS if kind in results["runs"]]
    if not tables or not shutil.which("gnuplot"):
        return
    columns = [f"{who} {kind[8:]}" for kind, _ in tables for who in ("Mininet", "nstopo")]
    sizes = sorted({int(n) for _, table in tables for n in table})
    rows = [(n, [table.get(str(n), {})[c]["total"] if c in table.get(str(n), {}) else None
                 for _, table in tables for c in ("mininet", "nstopo")]) for n in sizes]
    gnuplot.draw(os.path.join(out, "mininet.png"), rows, columns, [
        "set terminal pngcairo size 800,500",
        "set title 'mn --topo single,N against nstopo apply + destroy'", "set xlabel 'N (hosts)'",
        "set ylabel 'seconds, build + teardown (median)'", "set key left top"])
