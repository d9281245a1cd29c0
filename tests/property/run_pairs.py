# SPDX-License-Identifier: Apache-2.0
"""Random pairs (A, B = a random edit of A) against the real kernel and Open vSwitch.

Run by tests/integration/test_random_edits.sh inside the sandbox. For each pair: validate both,
apply A, apply B (exit 0), read the machine independently (kernel_view.read_view) and compare
with what B describes, plan --detailed-exitcode B exits 0, destroy leaves nothing. Some pairs
also get the rollback sweep (NSTOPO_FAULT_INJECT_AT=N for every N) and some the crash sweep
(SIGKILL of apply B at evenly spread delays). Environment:

  NSTOPO_PROPERTY_SEED        base seed (default: random, printed); pair i uses seed+i
  NSTOPO_PROPERTY_PAIRS       plain pairs (default 100)
  NSTOPO_PROPERTY_ROLLBACK    of those, how many (the first ones) get the rollback sweep (10)
  NSTOPO_PROPERTY_CRASH       how many of the next ones get the crash sweep (5)
  NSTOPO_PROPERTY_KILLS       kill points per crash sweep (10)
  NSTOPO_PROPERTY_ALL_EDITS=1 also the edit kinds in random_labs.KNOWN_FAILING
  NSTOPO_PROPERTY_KINDS       only these edit kinds (comma-separated), to chase one defect
"""
import os
import random
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kernel_view as kv  # noqa: E402
import random_labs as rl  # noqa: E402

NSTOPO = os.environ["NSTOPO"]
WORK = tempfile.mkdtemp(prefix="nstopo-prop-")
PASSES = 0
FAILURES = 0
FAILED_KINDS = {}


def env_int(name, default):
    return int(os.environ.get(name, default))


def nstopo(*args, env=None):
    e = dict(os.environ)
    e.pop("NSTOPO_FAULT_INJECT_AT", None)
    e.update(env or {})
    p = subprocess.run([NSTOPO, *args], capture_output=True, text=True, env=e)
    return p.returncode, p.stdout + p.stderr


class PairFailure(Exception):
    pass


def sysctl_keys(*labs):
    keys = {}
    for lab in labs:
        for ns, node in lab["nodes"].items():
            keys.setdefault(ns, set()).update(node.get("sysctls", {}))
    return {ns: sorted(k) for ns, k in keys.items()}


def leftovers():
    """What is left on the machine after destroy: namespaces, host links, OVS bridges."""
    v = kv.read_view()
    left = [f"namespace {n}" for n in v["netns"]]
    left += [f"host link {n}" for n in v["ns"]["host"]["links"]]
    left += [f"ovs bridge {b}" for b in v["ovs"]]
    return left


def must(rc_want, what, rc, out):
    if rc != rc_want:
        raise PairFailure(f"{what}: exit {rc}, wanted {rc_want}\n" + indent(out))
    if "foreign" in out or "carries no nstopo mark" in out or "created by someone else" in out:
        raise PairFailure(f"{what}: an object was reported as foreign\n" + indent(out))


def indent(text):
    return "".join(f"    {line}\n" for line in text.rstrip().splitlines())


def check_b(b, path_b, what):
    got = kv.read_view(sysctl_keys(b))
    diffs = kv.compare(kv.expected_view(b), got)
    if diffs:
        raise PairFailure(f"{what}: the machine differs from B:\n" + indent("\n".join(diffs)))
    must(0, f"{what}: plan --detailed-exitcode B", *nstopo("plan", "--detailed-exitcode", path_b))


def destroy_clean(path, what):
    must(0, f"{what}: destroy", *nstopo("destroy", path))
    left = leftovers()
    if left:
        raise PairFailure(f"{what}: destroy left " + ", ".join(left))


def macs_named(*labs):
    out = set()
    for lab in labs:
        for (ns, ifn) in rl.node_interfaces(lab):
            if "mac" in rl.settings(lab, ns, ifn):
                out.add((ns, ifn))
    return out


def rollback_sweep(a, b, path_b):
    keys = sysctl_keys(a, b)
    named = macs_named(a)
    untouched = kv.untouched_links(a, b)
    n = 1
    while True:
        before = kv.snapshot_for_rollback(kv.read_view(keys), named, untouched)
        rc, out = nstopo("apply", path_b, env={"NSTOPO_FAULT_INJECT_AT": str(n)})
        if rc == 0:
            return n - 1
        if rc != 1:
            raise PairFailure(f"rollback at operation {n}: exit {rc}\n" + indent(out))
        after = kv.snapshot_for_rollback(kv.read_view(keys), named, untouched)
        diffs = kv.compare(before, after, strict=True)
        if diffs:
            raise PairFailure(f"rollback at operation {n} is not exact (before -> after):\n"
                              + indent("\n".join(diffs)) + "  nstopo said:\n" + indent(out))
        n += 1
        if n > 400:
            raise PairFailure("no successful run within 400 injected failures")


def crash_sweep(a, b, path_a, path_b, kills):
    # measure one apply of B from A, then go back to A
    t0 = time.monotonic()
    must(0, "crash sweep: timed apply B", *nstopo("apply", path_b))
    duration = time.monotonic() - t0
    must(0, "crash sweep: back to A", *nstopo("apply", path_a))
    for i in range(kills):
        delay = duration * (i + 0.5) / kills
        p = subprocess.Popen([NSTOPO, "apply", path_b], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(delay)  # the kill point itself, spread over the measured duration
        p.send_signal(signal.SIGKILL)
        p.wait()
        what = f"after SIGKILL at {delay * 1000:.0f} ms of {duration * 1000:.0f} ms"
        must(0, f"{what}: apply B", *nstopo("apply", path_b))
        check_b(b, path_b, what)
        destroy_clean(path_b, what)
        must(0, f"{what}: apply A again", *nstopo("apply", path_a))
    return duration


def keep_ifindex(a, b, renamed, index_a):
    """Links the edit does not touch keep their ifindex, and so does a renamed interface (issue
    10, item 5: rename in place)."""
    index_b = {(ns, name): rec["ifindex"] for ns, d in kv.read_view()["ns"].items()
               for name, rec in d["links"].items()}
    wrong = [f"{ns}:{name} ifindex {index_a[(ns, name)]} -> {index_b.get((ns, name))}"
             for ns, name in sorted(kv.untouched_links(a, b))
             if index_a.get((ns, name)) != index_b.get((ns, name))]
    if wrong:
        raise PairFailure("links the edit does not touch were recreated: " + ", ".join(wrong))
    if renamed:
        ns, old, new = renamed
        if index_a.get((ns, old)) != index_b.get((ns, new)):
            raise PairFailure(f"rename {ns}:{old} -> {new} recreated the link (ifindex "
                              f"{index_a.get((ns, old))} -> {index_b.get((ns, new))}), "
                              "not renamed in place")


def run_pair(seed, kinds, rollback, crash, kills):
    rng = random.Random(seed)
    a = rl.gen_lab(rng)
    kind, b = rl.gen_edit(rng, a, kinds)
    renamed = b.pop("_renamed", None)
    path_a, path_b = f"{WORK}/A-{seed}.yaml", f"{WORK}/B-{seed}.yaml"
    with open(path_a, "w") as f:
        f.write(rl.dump(a))
    with open(path_b, "w") as f:
        f.write(rl.dump(b))
    extra = ""
    try:
        for name, path in (("A", path_a), ("B", path_b)):
            rc, out = nstopo("validate", path)
            if rc != 0:
                raise PairFailure(f"generator bug: {name} does not validate\n" + indent(out))
        must(0, "apply A", *nstopo("apply", path_a))
        index_a = {(ns, name): rec["ifindex"] for ns, d in kv.read_view()["ns"].items()
                   for name, rec in d["links"].items()}
        if rollback:
            extra = f", rollback sweep of {rollback_sweep(a, b, path_b)} operations"
        else:
            must(0, "apply B", *nstopo("apply", path_b))
        check_b(b, path_b, "after apply B")
        keep_ifindex(a, b, renamed, index_a)
        if crash:
            destroy_clean(path_b, "before the crash sweep")
            must(0, "crash sweep: apply A", *nstopo("apply", path_a))
            d = crash_sweep(a, b, path_a, path_b, kills)
            extra += f", crash sweep of {kills} kills over {d * 1000:.0f} ms"
        destroy_clean(path_b, "end")
        return kind, None, extra
    except PairFailure as e:
        # leave a clean machine for the next pair
        nstopo("destroy", path_b)
        nstopo("destroy", path_a)
        nstopo("destroy", "--lab", rl.LAB_NAME)
        return kind, (str(e), path_a, path_b), extra


def main():
    global PASSES, FAILURES
    base = int(os.environ.get("NSTOPO_PROPERTY_SEED") or random.SystemRandom().randint(1, 10**9))
    pairs = env_int("NSTOPO_PROPERTY_PAIRS", 100)
    n_rollback = min(pairs, env_int("NSTOPO_PROPERTY_ROLLBACK", 10))
    n_crash = min(pairs - n_rollback, env_int("NSTOPO_PROPERTY_CRASH", 5))
    kills = env_int("NSTOPO_PROPERTY_KILLS", 10)
    all_edits = os.environ.get("NSTOPO_PROPERTY_ALL_EDITS") == "1"
    known = {} if all_edits else rl.KNOWN_FAILING
    only = [k for k in os.environ.get("NSTOPO_PROPERTY_KINDS", "").split(",") if k]
    unknown = [k for k in only if k not in rl.EDIT_KINDS]
    if unknown:
        print(f"NSTOPO_PROPERTY_KINDS: unknown edit kind(s) {unknown}; known: {rl.EDIT_KINDS}",
              file=sys.stderr)
        return 2

    def kinds_for(pair_type):
        return [k for k in rl.EDIT_KINDS if known.get(k, ("",))[0] not in ("all", pair_type)
                and (not only or k in only)]
    print(f"seed {base}: {pairs} pairs ({n_rollback} with the rollback sweep, {n_crash} with "
          f"the crash sweep of {kills} kills); replay one pair with NSTOPO_PROPERTY_SEED=<its "
          f"seed> NSTOPO_PROPERTY_PAIRS=1")
    if not all_edits:
        for k, (scope, why) in rl.KNOWN_FAILING.items():
            print(f"left out of {scope} pairs (known defect; NSTOPO_PROPERTY_ALL_EDITS=1 runs "
                  f"it): {k}: {why}")
    sys.stdout.flush()
    t_start = time.monotonic()
    counts = {}
    for i in range(pairs):
        seed = base + i
        rollback = i < n_rollback
        crash = n_rollback <= i < n_rollback + n_crash
        t0 = time.monotonic()
        kinds = kinds_for("rollback" if rollback else "crash" if crash else "plain")
        kind, failure, extra = run_pair(seed, kinds, rollback, crash, kills)
        counts[kind] = counts.get(kind, 0) + 1
        mode = (" NSTOPO_PROPERTY_ROLLBACK=1" if rollback else " NSTOPO_PROPERTY_ROLLBACK=0") + \
               (" NSTOPO_PROPERTY_CRASH=1" if crash else " NSTOPO_PROPERTY_CRASH=0")
        if failure is None:
            PASSES += 1
            print(f"ok: pair {i} seed {seed} edit {kind}{extra} "
                  f"({time.monotonic() - t0:.1f} s)")
        else:
            FAILURES += 1
            FAILED_KINDS.setdefault(kind, []).append(seed)
            msg, path_a, path_b = failure
            print(f"FAIL: pair {i} seed {seed} edit {kind}: {msg}"
                  f"  replay: NSTOPO_PROPERTY_SEED={seed} NSTOPO_PROPERTY_PAIRS=1{mode}"
                  f"{' NSTOPO_PROPERTY_ALL_EDITS=1' if all_edits else ''}\n"
                  f"  A ({path_a}):\n{indent(open(path_a).read())}"
                  f"  B ({path_b}):\n{indent(open(path_b).read())}", file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
    print(f"edits: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if FAILED_KINDS:
        print("failed edit kinds: " + ", ".join(f"{k} (seeds {v})"
                                                for k, v in sorted(FAILED_KINDS.items())))
    print(f"seed {base}, {time.monotonic() - t_start:.0f} s")
    print(f"{PASSES} passed, {FAILURES} failed")
    return 0 if FAILURES == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
