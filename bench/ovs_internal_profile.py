# SPDX-License-Identifier: Apache-2.0
"""Summarises one `perf script` of bench/ovs_internal_profile.sh (read from stdin).

  python3 ovs_internal_profile.py NSTOPO_V_LOG < perf-script-output

Prints nstopo's -v log as phases (the time from each line to the next), the top on-CPU symbols of
the lab's processes (cpu-clock samples), and their top off-CPU waits (sched_switch out to the next
switch in, summed by the kernel call chain they slept in).
"""

import collections
import re
import sys

HEADER = re.compile(r"^(.+?)\s+(\d+)\s+([\d.]+):\s+(?:\d+\s+)?([\w:-]+):\s?(.*)$")
# The processes of the lab: nstopo, the OVS daemons (ovs-vswitchd's threads have names of their
# own), and the kernel's workers that finish what they start.
OURS = re.compile(r"^(nstopo|ovs-vswitchd|ovsdb-server|urcu|handler|revalidator|pmd|kworker|"
                  r"ksoftirqd|rcu_|netns|ip$)")
SCHEDULER = {"__schedule", "schedule", "schedule_timeout", "schedule_preempt_disabled",
             "schedule_hrtimeout_range", "schedule_hrtimeout_range_clock", "io_schedule",
             "preempt_schedule_common", "__cond_resched", "preempt_schedule_irq"}
TOP = 15


def group(comm):
    """kworker/u4:2-netns and kworker/1:0 are one group: the kernel's workers. A copy of nstopo
    under another name (nstopo-old) is nstopo."""
    for prefix in ("kworker", "ksoftirqd", "rcu_", "urcu", "handler", "revalidator", "pmd"):
        if comm.startswith(prefix):
            return prefix + "*"
    return "nstopo" if comm.startswith("nstopo") else comm


def records(lines):
    """Yields (comm, tid, time, event, trace, [(addr, sym)...]) per perf script record."""
    head, stack = None, []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            if head:
                yield (*head, stack)
            head, stack = None, []
            continue
        if line.startswith(("\t", " ")) and head:
            parts = line.split(None, 1)
            stack.append((parts[0], parts[1] if len(parts) > 1 else "[unknown]"))
            continue
        match = HEADER.match(line)
        if match:
            if head:
                yield (*head, stack)
            comm, tid, time, event, trace = match.groups()
            head, stack = (comm, int(tid), float(time), event, trace), []
    if head:
        yield (*head, stack)


def kernel(addr):
    return len(addr) >= 16 and addr.startswith("ffff")


def wait_chain(stack):
    """The kernel frames a task slept in, below the scheduler, up to the system call."""
    frames = []
    for addr, sym in stack:
        if not kernel(addr) or sym.startswith(("do_syscall_64", "entry_SYSCALL")):
            break
        if sym in SCHEDULER and not frames:
            continue
        frames.append(sym)
    return " < ".join(frames[:7]) or "(user space)"


def phases(log_path):
    stamp = re.compile(r"^\S+ (\d\d):(\d\d):(\d\d\.\d+): (.*)$")
    rows = []
    for line in open(log_path, errors="replace"):
        match = stamp.match(line.strip())
        if match:
            h, m, s, text = match.groups()
            rows.append((int(h) * 3600 + int(m) * 60 + float(s), text))
    print(f"nstopo -v: {len(rows)} log lines; time from each line to the next (>= 20 ms):")
    for (t, text), (t_next, _) in zip(rows, rows[1:]):
        if t_next - t >= 0.020:
            print(f"  {(t_next - t) * 1000:8.0f} ms  {text[:90]}")
    if rows:
        print(f"  {(rows[-1][0] - rows[0][0]) * 1000:8.0f} ms  first to last line")


def main():
    phases(sys.argv[1])
    on_cpu = collections.Counter()
    on_cpu_comm = collections.Counter()
    off_cpu = collections.Counter()
    sleeping = {}  # tid -> (time, comm, chain)
    for comm, tid, time, event, trace, stack in records(sys.stdin):
        if event == "cpu-clock":
            if OURS.match(comm) and stack:
                addr, sym = stack[0]
                where = "[k]" if kernel(addr) else "[.]"
                on_cpu[(group(comm), f"{where} {sym}")] += 1
                on_cpu_comm[group(comm)] += 1
        elif event == "sched:sched_switch":
            prev = re.search(r"prev_comm=(.*?) prev_pid=(\d+)", trace)
            nxt = re.search(r"next_comm=(.*?) next_pid=(\d+)", trace)
            if prev and OURS.match(prev.group(1)):
                sleeping[int(prev.group(2))] = (time, group(prev.group(1)), wait_chain(stack))
            if nxt and int(nxt.group(2)) in sleeping:
                since, who, chain = sleeping.pop(int(nxt.group(2)))
                off_cpu[(who, chain)] += time - since
    total = sum(on_cpu_comm.values())
    print(f"on CPU: {total} cpu-clock samples of the lab's processes: "
          + ", ".join(f"{c} {k}" for c, k in on_cpu_comm.most_common()))
    for (comm, sym), count in on_cpu.most_common(TOP):
        print(f"  {100 * count / max(total, 1):5.1f}%  {comm:<14} {sym[:100]}")
    print("off CPU (nstopo, ovs-vswitchd and its threads; seconds asleep, by kernel chain):")
    waits = [(k, v) for k, v in off_cpu.items()
             if k[0] in ("nstopo", "ovs-vswitchd", "urcu*", "handler*", "revalidator*")]
    for (comm, chain), seconds in sorted(waits, key=lambda kv: -kv[1])[:TOP]:
        print(f"  {seconds:7.2f} s  {comm:<13} {chain[:150]}")


if __name__ == "__main__":
    main()
