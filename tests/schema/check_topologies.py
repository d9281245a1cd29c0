#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Every file under topologies/ passes the JSON Schema, names it in a yaml-language-server
modeline, and the schema rejects a few broken files (so the check can fail)."""
import pathlib
import sys

import jsonschema
import yaml

root = pathlib.Path(sys.argv[1])
schema_path = root / "docs" / "topology.schema.json"
schema = yaml.safe_load(schema_path.read_text())
jsonschema.Draft202012Validator.check_schema(schema)
validator = jsonschema.Draft202012Validator(schema)

failures = 0
checked = 0
for path in sorted((root / "topologies").rglob("*.yaml")):
    checked += 1
    text = path.read_text()
    errors = sorted(validator.iter_errors(yaml.safe_load(text)), key=str)
    for error in errors:
        failures += 1
        print(f"FAIL {path}: {'/'.join(map(str, error.path))}: {error.message}")
    modeline = text.splitlines()[0] if text else ""
    expected = f"$schema={pathlib.Path('..', *(['..'] * (len(path.relative_to(root / 'topologies').parts) - 1)), 'docs', 'topology.schema.json').as_posix()}"
    if not modeline.startswith("# yaml-language-server:") or expected not in modeline:
        failures += 1
        print(f"FAIL {path}: first line must be '# yaml-language-server: {expected}'")

broken = [
    {"name": "x", "nodes": {"a": {"interfaces": {"e": {"adresses": []}}}}},
    {"name": "x", "links": [{"kind": "veth", "endpoints": ["a:e"]}]},
    {"name": "x", "bridges": {"br0": {"kind": "ovs-nope"}}},
    {"name": "bad name"},
    {"name": "x", "defaults": {"interfaces": {"eth0": {"mtu": 1400}}}},
    {"name": "x", "defaults": {"interfaces": {"addresses": ["10.0.0.1/24"]}}},
    {"name": "x", "nodes": {"h[a-b]": {}}},
    {"name": "x", "nodes": {"h[1-8]": {"interfaces": {"e": {"mtu": "{j}"}}}}},
    {"name": "x", "nodes": {"h[1-8]": {"interfaces": {"e": {"addresses": ["10.0.{x}.1/24"]}}}}},
]
for doc in broken:
    checked += 1
    if validator.is_valid(doc):
        failures += 1
        print(f"FAIL the schema accepts a broken topology: {doc}")

print(f"{checked - failures} passed, {failures} failed")
sys.exit(1 if failures else 0)
