#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The report of bench/multihost.sh: medians over the rounds of each setup and action, written to
multihost.json (every measurement) and multihost.md (the table of docs/performance.md).

Each result line holds the setup's wall time and, per host, the nstopo runs timed_nstopo.py
recorded there (wall, user CPU, system CPU). For a playbook, Ansible's share is its wall time
less the slowest host's nstopo wall time (the hosts run nstopo at the same time); nstopo's own
work is its user CPU time, and the rest of its wall time is the kernel's (system calls, and
waiting for the kernel: RTNL, namespace setup, the other hosts on these shared cores)."""
import argparse
import json
import os
import statistics

ACTIONS = [("apply", "apply"), ("noop", "no-op apply"), ("destroy", "destroy")]


def nstopo_runs(result):
    """{host: (wall, user, sys)} summed over the nstopo runs on each host."""
    totals = {}
    for host, runs in result["hosts"].items():
        totals[host] = tuple(sum(run[key] for run in runs) for key in ("wall", "user", "sys"))
    return totals


def summarise(results):
    """{(setup, action): {figure: median}}."""
    figures = {}
    for result in results:
        runs = nstopo_runs(result)
        slowest = max(runs.values(), key=lambda run: run[0])
        row = {"nstopo_wall": slowest[0], "nstopo_user": slowest[1], "nstopo_sys": slowest[2]}
        if result["setup"] == "ansible":
            row["wall"] = result["wall"]
            row["ansible"] = result["wall"] - slowest[0]
        elif result["setup"] == "alone":
            # One machine at a time: their sum is this machine's cost, their maximum what three
            # real machines would take side by side.
            row["wall"] = sum(run[0] for run in runs.values())
        else:
            # nstopo's own wall time (timed_nstopo.py), as on the other rows: the command that
            # started it through nsenter is not the lab's.
            row["wall"] = slowest[0]
        row["kernel"] = row["nstopo_wall"] - row["nstopo_user"]
        for key, value in row.items():
            figures.setdefault((result["setup"], result["action"]), {}).setdefault(key, []).append(value)
    return {key: {figure: statistics.median(values) for figure, values in by_figure.items()}
            for key, by_figure in figures.items()}


def table(nodes, medians, rounds):
    def cell(setup, action, figure):
        value = medians.get((setup, action), {}).get(figure)
        return "-" if value is None else f"{value:.2f} s"

    per_host = -(-nodes // 3)
    lines = [
        f"{nodes} namespaces; medians of {rounds} rounds; the four machines share one kernel and "
        "2 cores.",
        "",
        "| | " + " | ".join(label for _, label in ACTIONS) + " |",
        "| --- | " + " | ".join("---" for _ in ACTIONS) + " |",
    ]
    rows = [
        (f"one machine: `nstopo apply` ({nodes} namespaces)", "one", "wall"),
        ("  of which nstopo's own work (user CPU)", "one", "nstopo_user"),
        ("  of which the kernel (wall less user CPU)", "one", "kernel"),
        ("three machines through Ansible: the playbook", "ansible", "wall"),
        ("  of which Ansible (the playbook less the slowest host's nstopo)", "ansible", "ansible"),
        (f"  of which nstopo on the slowest host ({per_host} namespaces)", "ansible", "nstopo_wall"),
        ("    its own work (user CPU)", "ansible", "nstopo_user"),
        ("    the kernel (wall less user CPU)", "ansible", "kernel"),
        ("each part alone, one machine at a time: the slowest", "alone", "nstopo_wall"),
        ("each part alone: the three together", "alone", "wall"),
    ]
    for label, setup, figure in rows:
        lines.append(f"| {label} | " + " | ".join(cell(setup, action, figure)
                                                  for action, _ in ACTIONS) + " |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--nodes", type=int, required=True)
    parser.add_argument("--results", required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.results) as lines:
        results = [json.loads(line) for line in lines if line.strip()]
    rounds = max(result["round"] for result in results)
    medians = summarise(results)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "multihost.json"), "w") as out:
        json.dump({"nodes": args.nodes, "rounds": rounds, "results": results,
                   "medians": {f"{setup} {action}": figures
                               for (setup, action), figures in medians.items()}}, out, indent=1)
    text = table(args.nodes, medians, rounds)
    with open(os.path.join(args.out, "multihost.md"), "w") as out:
        out.write(text)
    print(text)


if __name__ == "__main__":
    main()
