#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""nstopo.lab.topology: one nstopo lab on the target host, through `nstopo ... --json`."""

from __future__ import annotations

DOCUMENTATION = r"""
module: topology
short_description: Make an nstopo lab on this host present, verified or absent
description:
  - Runs the nstopo CLI on the target host with C(--json) and reports what it did. C(present)
    runs C(nstopo apply); C(changed) is true only when the plan had steps (or a service of the
    lab was started, restarted or stopped).
  - Check mode runs C(nstopo plan) (C(nstopo list) for C(absent)) and changes nothing; diff mode
    shows the plan as nstopo prints it.
  - A failure carries nstopo's own message (the C(file:line:column) error lines it prints).
options:
  src:
    description: The topology file on the target host. Required unless C(state=absent) with C(lab).
    type: path
    aliases: [file]
  state:
    description:
      - C(present) applies the file, C(absent) destroys the lab, C(verified) runs the file's
        reachability expectations (C(nstopo verify)) and fails when one does not hold.
    type: str
    choices: [present, absent, verified]
    default: present
  host:
    description:
      - The host's name in the file's C(hosts:) section; passed as C(--host NAME), so nstopo acts on
        that host's part of a multi-host file. Leave it out for an ordinary (per-host) file.
    type: str
  lab:
    description: The lab's name, to destroy it without its file (C(state=absent) only).
    type: str
  nstopo:
    description: The nstopo binary on the target host.
    type: str
    default: nstopo
  adopt:
    description: Pass C(--adopt) to apply (take over the unmarked objects the file names).
    type: bool
    default: false
author: nstopo contributors
"""

EXAMPLES = r"""
- name: The lab's part on this host
  nstopo.lab.topology:
    src: /var/lib/nstopo/ansible/lab.yaml
    host: "{{ inventory_hostname }}"

- name: Its expectations
  nstopo.lab.topology:
    src: /var/lib/nstopo/ansible/lab.yaml
    host: "{{ inventory_hostname }}"
    state: verified

- name: Gone, by name
  nstopo.lab.topology:
    lab: three-hosts
    state: absent
"""

RETURN = r"""
plan:
  description: "nstopo's plan (C(nstopo plan --json)) with its lab, changes, summary and steps."
  returned: when nstopo planned
  type: dict
applied:
  description: How many steps apply or destroy made.
  returned: state present or absent, not in check mode
  type: int
services:
  description: What apply did to the lab's programs (exec, started, restarted, stopped).
  returned: state present, not in check mode
  type: dict
results:
  description: One entry per expectation (C(nstopo verify --json)).
  returned: state verified
  type: list
cmd:
  description: The nstopo command that ran last.
  type: list
  returned: always
"""

import json

from ansible.module_utils.basic import AnsibleModule

GLYPHS = {"create": "+", "update": "~", "delete": "-"}


def plan_text(plan):
    """The plan as `nstopo plan` prints it, for diff mode."""
    lines = [f"{GLYPHS.get(step.get('change'), '?')} {step.get('description', '')}"
             for step in plan.get("steps", [])]
    summary = plan.get("summary", {})
    if plan.get("changes"):
        lines.append(f"Plan: {summary.get('add', 0)} to add, {summary.get('change', 0)} to change, "
                     f"{summary.get('destroy', 0)} to destroy.")
    else:
        lines.append(f"No changes: lab '{plan.get('lab', '')}' is already as wanted.")
    return "\n".join(lines) + "\n"


def parse_json(text):
    try:
        return json.loads(text) if text.strip() else None
    except ValueError:
        return None


def nstopo_message(out, err, rc):
    """nstopo's own words: its stderr (one error line per problem), else the JSON's."""
    if err.strip():
        return err.strip()
    document = parse_json(out) or {}
    if isinstance(document, dict):
        if document.get("error"):
            return document["error"].get("message", "")
        problems = document.get("problems") or []
        if problems:
            return "\n".join(problem.get("message", "") for problem in problems)
    return f"nstopo exited with {rc}"


class Runner:
    def __init__(self, module):
        self.module = module
        self.params = module.params
        self.cmd = []

    def command(self, verb, *args):
        cmd = [self.binary, verb, "--json"]
        # --host picks this host's part of a file; a lab named by --lab is one host's already.
        if self.params["host"] and self.params["src"]:
            cmd += ["--host", self.params["host"]]
        return cmd + list(args)

    @property
    def binary(self):
        found = self.module.get_bin_path(self.params["nstopo"], required=False)
        return found or self.params["nstopo"]

    def run(self, cmd, ok_codes=(0,)):
        """Runs nstopo; returns (json, rc, out, err), failing the task when rc is not wanted."""
        self.cmd = cmd
        rc, out, err = self.module.run_command(cmd)
        document = parse_json(out)
        if rc not in ok_codes:
            self.module.fail_json(msg=nstopo_message(out, err, rc), rc=rc, stdout=out, stderr=err,
                                  cmd=cmd, nstopo=document)
        if document is None:
            self.module.fail_json(msg=f"nstopo printed no JSON: {out.strip()[:200]}", rc=rc,
                                  stdout=out, stderr=err, cmd=cmd)
        return document, rc, out, err

    def exit(self, changed, plan=None, **extra):
        result = {"changed": changed, "cmd": self.cmd, **extra}
        if plan is not None:
            result["plan"] = plan
            if self.module._diff:
                result["diff"] = {"prepared": plan_text(plan)}
        self.module.exit_json(**result)


def services_changed(services):
    return any(services.get(key) for key in ("started", "restarted", "stopped"))


def present(runner):
    src = runner.params["src"]
    if runner.module.check_mode:
        plan, _, _, _ = runner.run(runner.command("plan", src))
        runner.exit(bool(plan.get("changes")), plan)
    args = ["--adopt"] if runner.params["adopt"] else []
    outcome, _, _, _ = runner.run(runner.command("apply", *args, src))
    plan = outcome.get("plan", {})
    services = outcome.get("services", {})
    runner.exit(bool(plan.get("changes")) or services_changed(services), plan,
                applied=outcome.get("applied", 0), services=services)


def absent(runner):
    src, lab = runner.params["src"], runner.params["lab"]
    target = [src] if src else ["--lab", lab]
    if runner.module.check_mode:
        # destroy has no dry run: the lab is there or not (on this host's part, with --host).
        listing, _, _, _ = runner.run([runner.binary, "list", "--json"])
        name = lab
        if not name:
            valid, _, _, _ = runner.run([runner.binary, "validate", "--json", src])
            name = valid.get("lab")
        runner.exit(any(item.get("lab") == name for item in listing.get("labs", [])),
                    lab=name)
    outcome, _, _, _ = runner.run(runner.command("destroy", *target))
    plan = outcome.get("plan", {})
    runner.exit(bool(plan.get("changes")), plan, applied=outcome.get("applied", 0))


def verified(runner):
    report, rc, out, err = runner.run(runner.command("verify", runner.params["src"]),
                                      ok_codes=(0, 1))
    results = report.get("results", [])
    if rc != 0 or not report.get("ok", False):
        failed = [f"{item.get('from')} -> {item.get('to')} ({item.get('address')}): "
                  f"{item.get('detail') or ('reachable' if item.get('reachable') else 'unreachable')}"
                  for item in results if not item.get("ok")]
        runner.module.fail_json(msg="; ".join(failed) or nstopo_message(out, err, rc), rc=rc,
                                results=results, cmd=runner.cmd, stderr=err)
    runner.exit(False, results=results)


def main():
    module = AnsibleModule(
        argument_spec={
            "src": {"type": "path", "aliases": ["file"]},
            "state": {"type": "str", "default": "present",
                      "choices": ["present", "absent", "verified"]},
            "host": {"type": "str"},
            "lab": {"type": "str"},
            "nstopo": {"type": "str", "default": "nstopo"},
            "adopt": {"type": "bool", "default": False},
        },
        required_if=[("state", "present", ["src"]), ("state", "verified", ["src"]),
                     ("state", "absent", ["src", "lab"], True)],
        mutually_exclusive=[("src", "lab")],
        supports_check_mode=True,
    )
    runner = Runner(module)
    {"present": present, "absent": absent, "verified": verified}[module.params["state"]](runner)


if __name__ == "__main__":
    main()
