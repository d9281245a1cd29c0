#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The Kubernetes manifests of contrib/kubernetes (issue 13) load, and carry what nstopo relies on:
the node's network namespace, privileges, the node's name from the downward API passed as
--host, the node's /run/netns with Bidirectional propagation, the lab from the ConfigMap, and a
destroy when the pod goes away; and `nstopo validate` accepts the ConfigMap's lab.
Usage: test_manifests.py SOURCE_DIR NSTOPO"""

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

failures = []


def check(condition, what):
    print(("ok: " if condition else "FAIL: ") + what)
    if not condition:
        failures.append(what)


def main():
    root = Path(sys.argv[1]) / "contrib" / "kubernetes"
    documents = []
    for path in sorted(root.glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    by_kind = {}
    for doc in documents:
        check({"apiVersion", "kind", "metadata"} <= doc.keys(),
              f"{doc.get('kind')} {doc.get('metadata', {}).get('name')} is a Kubernetes object")
        by_kind.setdefault(doc["kind"], []).append(doc)

    (daemonset,) = by_kind["DaemonSet"]
    (configmap,) = by_kind["ConfigMap"]
    namespace = daemonset["metadata"]["namespace"]
    check(configmap["metadata"]["namespace"] == namespace, "the ConfigMap is in the DaemonSet's namespace")
    pod = daemonset["spec"]["template"]["spec"]
    check(daemonset["spec"]["selector"]["matchLabels"].items()
          <= daemonset["spec"]["template"]["metadata"]["labels"].items(),
          "the selector matches the pod template")
    check(pod.get("hostNetwork") is True, "hostNetwork: the node's network namespace")
    check(pod.get("automountServiceAccountToken") is False, "no API token: the pod needs none")
    (container,) = pod["containers"]
    check(container.get("securityContext", {}).get("privileged") is True, "privileged")

    env = {item["name"]: item for item in container.get("env", [])}
    check(env.get("NODE_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
          == "spec.nodeName", "NODE_NAME comes from spec.nodeName (downward API)")

    command = " ".join(container.get("command", []) + container.get("args", []))
    check("nstopo apply" in command and '--host "$NODE_NAME"' in command,
          "the container applies the node's part: nstopo apply --host $NODE_NAME")
    pre_stop = " ".join(container.get("lifecycle", {}).get("preStop", {}).get("exec", {})
                        .get("command", []))
    check("nstopo destroy" in pre_stop and "--host" in pre_stop and "$NODE_NAME" in pre_stop,
          "removal destroys the node's part (preStop: nstopo destroy --host $NODE_NAME)")
    check(pod.get("terminationGracePeriodSeconds", 30) >= 60, "time for the destroy")

    mounts = {mount["mountPath"]: mount for mount in container.get("volumeMounts", [])}
    volumes = {volume["name"]: volume for volume in pod.get("volumes", [])}
    netns = mounts.get("/run/netns", {})
    check(netns.get("mountPropagation") == "Bidirectional",
          "/run/netns propagates Bidirectional (namespaces reach the node)")
    check(volumes.get(netns.get("name"), {}).get("hostPath", {}).get("path") == "/run/netns",
          "/run/netns is the node's")
    records = mounts.get("/run/nstopo", {})
    check(volumes.get(records.get("name"), {}).get("hostPath", {}).get("path") == "/run/nstopo",
          "/run/nstopo (records, locks) is the node's")

    lab_file = env.get("LAB_FILE", {}).get("value", "")
    lab_mount = next((m for path, m in mounts.items() if lab_file.startswith(path + "/")), None)
    check(lab_mount is not None, f"LAB_FILE {lab_file} is in a mounted volume")
    if lab_mount:
        source = volumes.get(lab_mount["name"], {}).get("configMap", {}).get("name")
        check(source == configmap["metadata"]["name"], "that volume is the lab's ConfigMap")
        key = lab_file.rsplit("/", 1)[1]
        check(key in configmap.get("data", {}), f"the ConfigMap has {key}")
        lab = yaml.safe_load(configmap["data"].get(key, "")) or {}
        check(lab.get("version") == 1 and bool(lab.get("name")), "the lab is a topology file")
        check(isinstance(lab.get("hosts"), dict) and len(lab["hosts"]) >= 2,
              "the lab names its hosts (the node names)")
        placed = {node.get("host") for node in lab.get("nodes", {}).values()}
        check(placed <= set(lab.get("hosts", {})), "every node's host is one of hosts:")
        with tempfile.NamedTemporaryFile("w", suffix=".yaml") as copy:
            copy.write(configmap["data"].get(key, ""))
            copy.flush()
            valid = subprocess.run([sys.argv[2], "validate", copy.name], capture_output=True,
                                   text=True)
        check(valid.returncode == 0, "nstopo validate accepts the ConfigMap's lab"
              + (f": {valid.stderr.strip()}" if valid.returncode else ""))

    print(f"{len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
