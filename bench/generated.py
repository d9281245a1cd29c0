#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Generated labs at scale (issue 16): `nstopo generate` writes a star and a leaf-spine of about
N namespaces; each is applied, verified with its own `verify:` section, re-applied (the plan must
be empty), and destroyed, with nothing left. Times are reported per namespace, and the cost per
namespace at each size is divided by that at the smallest size of the same run: a ratio near 1
means the cost grows linearly. Runs inside the sandbox of bench/run.sh (bench/generated.sh)."""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (clean() and settle() of the main benchmark)


def shape_args(shape, n):
    """`generate` options for about n namespaces, and the exact count they make."""
    if shape == "star":
        return ["star", "-n", str(n)], n + 1  # the hosts and the switch's namespace
    # leaf-spine: 4 spines, leaves of 30 hosts each, as many leaves as n needs
    spines, per_leaf = 4, 30
    leaves = max(1, round((n - spines) / (per_leaf + 1)))
    return (["leaf-spine", "--spines", str(spines), "--leaves", str(leaves), "--hosts", str(per_leaf)],
            spines + leaves * (per_leaf + 1))


def timed(command):
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: {done.stderr.strip()[-400:]}")
    return elapsed


def run_one(nstopo, work, shape, n):
    args, namespaces = shape_args(shape, n)
    path = os.path.join(work, f"{shape}-{n}.yaml")
    subprocess.run([nstopo, "generate", *args, "--name", f"gen-{shape}", "-o", path], check=True)
    row = {"namespaces": namespaces, "generate_args": " ".join(args)}
    bench.settle()
    row["apply"] = timed([nstopo, "apply", path])
    live = [l for l in subprocess.run(["ip", "netns", "list"], capture_output=True,
                                      text=True).stdout.splitlines() if l.strip()]
    if len(live) != namespaces:
        raise RuntimeError(f"{shape} N={n}: {len(live)} namespaces live, the file has {namespaces}")
    bench.settle()
    start = time.perf_counter()
    verified = subprocess.run([nstopo, "verify", path], capture_output=True, text=True)
    row["verify"] = time.perf_counter() - start
    # Each failed probe is one line; the lab is still measured to the end, then reported failed.
    row["verify_failures"] = sum("expected reachable" in l for l in verified.stderr.splitlines())
    if verified.returncode != 0 and not row["verify_failures"]:
        raise RuntimeError(f"verify exited {verified.returncode}: {verified.stderr.strip()[-400:]}")
    bench.settle()
    # --detailed-exitcode: 0 when the plan is empty, 2 when it has steps.
    row["noop"] = timed([nstopo, "plan", "--detailed-exitcode", path])
    bench.settle()
    row["destroy"] = timed([nstopo, "destroy", path])
    leftover = bench.clean()
    if leftover:
        raise RuntimeError(f"{shape} N={n}: destroy left {leftover}")
    if row["verify_failures"]:
        first = next(l for l in verified.stderr.splitlines() if "expected reachable" in l)
        raise VerifyFailed(row, f"{shape} N={n}: verify: {row['verify_failures']} probes failed, "
                                f"first: {first}")
    return row


class VerifyFailed(RuntimeError):
    """The lab was measured to the end, but `verify` found unreachable targets."""

    def __init__(self, row, message):
        super().__init__(message)
        self.row = row


def write_markdown(results, path):
    lines = ["| shape | N (namespaces) | apply | verify (failed probes) | plan (no-op) | destroy | "
             "apply per namespace | per-namespace cost / smallest N |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for shape, rows in results["runs"].items():
        base = None
        for n, row in sorted(rows.items(), key=lambda kv: int(kv[0])):
            per = row["apply"] / row["namespaces"]
            base = base or per
            lines.append(f"| {shape} | {row['namespaces']} | {row['apply']:.2f} s | {row['verify']:.2f} s "
                         f"({row['verify_failures']}) | "
                         f"{row['noop']:.2f} s | {row['destroy']:.2f} s | {per * 1000:.2f} ms | "
                         f"{per / base:.2f} |")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nstopo", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--shapes", default="star,leaf-spine")
    parser.add_argument("--smoke", action="store_true", help="N = 40, no settling")
    args = parser.parse_args()
    if args.smoke:
        args.sizes, bench.SETTLE_LIMIT = "40", 0  # no settling, as bench.py --smoke
    os.makedirs(args.out, exist_ok=True)
    results = {"machine": bench.machine(), "runs": {}}
    work = tempfile.mkdtemp()
    failed = False
    for shape in args.shapes.split(","):
        rows = results["runs"][shape] = {}
        for n in [int(s) for s in args.sizes.split(",")]:
            try:
                rows[str(n)] = row = run_one(args.nstopo, work, shape, n)
            except VerifyFailed as error:
                print(f"FAIL: {error}")
                failed = True
                rows[str(n)] = error.row
                continue
            except (RuntimeError, subprocess.CalledProcessError) as error:
                print(f"FAIL: {error}")
                failed = True
                bench.clean()
                continue
            print(f"{shape:10} {row['namespaces']:5} namespaces: apply {row['apply']:.2f}s "
                  f"verify {row['verify']:.2f}s no-op {row['noop']:.2f}s destroy {row['destroy']:.2f}s",
                  flush=True)
    with open(os.path.join(args.out, "generated.json"), "w") as f:
        json.dump(results, f, indent=2)
    write_markdown(results, os.path.join(args.out, "generated.md"))
    print(f"{'0 passed, 1 failed' if failed else '1 passed, 0 failed'}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
