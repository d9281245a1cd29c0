#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The module nstopo.lab.topology (contrib/ansible) against a fake nstopo: which command it runs
for each state and mode, what it reports as changed, its diff, and that a failure's msg is
nstopo's own message. The module runs as Ansible runs it on a target, a Python program reading
ANSIBLE_MODULE_ARGS, under the system Python that has ansible-core.
Usage: test_module.py SOURCE_DIR; exits 77 (skip) without ansible-core."""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PYTHON = "/usr/bin/python3"
failures = []

# The fake prints what $FAKE_NSTOPO_<VERB> holds (a JSON file's path), its stderr from
# $FAKE_NSTOPO_STDERR, exits $FAKE_NSTOPO_RC, and appends its argv to $FAKE_NSTOPO_LOG.
FAKE = r"""#!/bin/sh
echo "$*" >>"$FAKE_NSTOPO_LOG"
verb=$(echo "$1" | tr a-z A-Z)
eval "out=\${FAKE_NSTOPO_$verb:-}"
[ -n "$out" ] && cat "$out"
[ -n "${FAKE_NSTOPO_STDERR:-}" ] && printf '%s\n' "$FAKE_NSTOPO_STDERR" >&2
exit "${FAKE_NSTOPO_RC:-0}"
"""

PLAN_STEPS = {"lab": "lab1", "changes": True, "summary": {"add": 1, "change": 0, "destroy": 0},
              "steps": [{"change": "create", "phase": "netns", "netns": "n1",
                         "description": "netns n1"}]}
PLAN_NONE = {"lab": "lab1", "changes": False, "summary": {"add": 0, "change": 0, "destroy": 0},
             "steps": []}


def check(condition, what, detail=""):
    print(("ok: " if condition else "FAIL: ") + what + ("" if condition else f": {detail}"))
    if not condition:
        failures.append(what)


class Case:
    def __init__(self, work, module):
        self.work, self.module = work, module

    def run(self, args, outputs=None, rc=0, stderr="", check_mode=False, diff=False):
        log = self.work / "argv.log"
        log.write_text("")
        env = dict(os.environ, FAKE_NSTOPO_LOG=str(log), FAKE_NSTOPO_RC=str(rc),
                   FAKE_NSTOPO_STDERR=stderr)
        for verb, document in (outputs or {}).items():
            path = self.work / f"{verb}.json"
            path.write_text(json.dumps(document))
            env[f"FAKE_NSTOPO_{verb.upper()}"] = str(path)
        module_args = dict(args, nstopo=str(self.work / "nstopo"), _ansible_check_mode=check_mode,
                           _ansible_diff=diff)
        args_file = self.work / "args.json"
        args_file.write_text(json.dumps({"ANSIBLE_MODULE_ARGS": module_args}))
        done = subprocess.run([PYTHON, str(self.module), str(args_file)], env=env,
                              capture_output=True, text=True, check=False)
        try:
            result = json.loads(done.stdout)
        except ValueError:
            result = {"failed": True, "msg": f"not JSON: {done.stdout} {done.stderr}"}
        return result, log.read_text().splitlines()


def main():
    source = Path(sys.argv[1])
    if subprocess.run([PYTHON, "-c", "import ansible.module_utils.basic"],
                      capture_output=True, check=False).returncode != 0:
        print("SKIP: no ansible-core for /usr/bin/python3 (Debian's ansible; .ci/install-deps)")
        return 77
    module = source / "contrib/ansible/ansible_collections/nstopo/lab/plugins/modules/topology.py"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "nstopo").write_text(FAKE)
        (work / "nstopo").chmod(0o755)
        case = Case(work, module)

        result, argv = case.run({"src": "/l/lab.yaml", "host": "h1"},
                                {"apply": {"plan": PLAN_STEPS, "ok": True, "applied": 1,
                                           "services": {"started": []}}})
        check(argv == ["apply --json --host h1 /l/lab.yaml"], "present runs apply --json --host", argv)
        check(result.get("changed") is True and result.get("applied") == 1,
              "a plan with steps: changed", result)

        result, argv = case.run({"src": "/l/lab.yaml"},
                                {"apply": {"plan": PLAN_NONE, "ok": True, "applied": 0,
                                           "services": {"started": [], "restarted": []}}})
        check(argv == ["apply --json /l/lab.yaml"], "without host, no --host", argv)
        check(result.get("changed") is False and not result.get("failed"),
              "an empty plan: not changed", result)

        result, argv = case.run({"src": "/l/lab.yaml"},
                                {"apply": {"plan": PLAN_NONE, "ok": True, "applied": 0,
                                           "services": {"restarted": ["n1/web"]}}})
        check(result.get("changed") is True, "a restarted service: changed", result)

        result, argv = case.run({"src": "/l/lab.yaml", "host": "h2"}, {"plan": PLAN_STEPS},
                                check_mode=True, diff=True)
        check(argv == ["plan --json --host h2 /l/lab.yaml"], "check mode runs plan only", argv)
        check(result.get("changed") is True, "check mode: changed when the plan has steps", result)
        check(result.get("diff", {}).get("prepared")
              == "+ netns n1\nPlan: 1 to add, 0 to change, 0 to destroy.\n",
              "diff mode: the plan as nstopo prints it", result.get("diff"))

        result, _ = case.run({"src": "/l/lab.yaml"}, {"plan": PLAN_NONE}, check_mode=True)
        check(result.get("changed") is False, "check mode: an empty plan is not a change", result)

        message = ("/l/lab.yaml:20:29: error: vxlan 'sw2:vx0' (vni 5000, dstport 4789) cannot be "
                   "created over namespace 'host'")
        result, _ = case.run({"src": "/l/lab.yaml"},
                             {"apply": {"plan": PLAN_STEPS, "ok": False, "applied": 0,
                                        "error": {"message": "other words"}}},
                             rc=1, stderr=message)
        check(result.get("failed") is True and result.get("msg") == message,
              "a failure's msg is nstopo's stderr", result)

        result, _ = case.run({"src": "/l/lab.yaml"},
                             {"apply": {"file": "/l/lab.yaml", "valid": False,
                                        "problems": [{"message": "bad key 'x'"}]}}, rc=1)
        check(result.get("failed") is True and result.get("msg") == "bad key 'x'",
              "without stderr, the JSON's problems", result)

        result, argv = case.run({"lab": "lab1", "state": "absent", "host": "h1"},
                                {"destroy": {"plan": PLAN_STEPS, "ok": True, "applied": 1}})
        check(argv == ["destroy --json --lab lab1"], "absent by name: destroy --lab, no --host", argv)
        check(result.get("changed") is True, "destroying something: changed", result)

        result, argv = case.run({"src": "/l/lab.yaml", "state": "absent", "host": "h3"},
                                {"destroy": {"plan": PLAN_NONE, "ok": True, "applied": 0}})
        check(argv == ["destroy --json --host h3 /l/lab.yaml"], "absent by file: destroy FILE --host",
              argv)
        check(result.get("changed") is False, "nothing to destroy: not changed", result)

        result, argv = case.run({"lab": "lab1", "state": "absent"},
                                {"list": {"labs": [{"lab": "lab1"}]}}, check_mode=True)
        check(argv == ["list --json"] and result.get("changed") is True,
              "absent in check mode: the lab is listed, so a change", (argv, result))

        result, argv = case.run({"src": "/l/lab.yaml", "state": "verified", "host": "h1"},
                                {"verify": {"lab": "lab1", "ok": False, "results": [
                                    {"from": "n1", "to": "n2", "address": "10.0.0.2", "ok": False,
                                     "reachable": False, "detail": "100% loss"}]}}, rc=1)
        check(argv == ["verify --json --host h1 /l/lab.yaml"], "verified runs verify --host", argv)
        check(result.get("failed") is True and "n1 -> n2 (10.0.0.2): 100% loss" in result.get("msg", ""),
              "a failed expectation fails, naming the pair", result)

        result, _ = case.run({"state": "present"})
        check(result.get("failed") is True and "src" in result.get("msg", ""),
              "present without src is refused", result)
    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
