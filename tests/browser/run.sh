#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The HTML view in a real browser (issue 20): pages nstopo writes from files, without a lab on
# the machine (--no-live), opened in Debian's headless Chromium by check_page.mjs. The live view
# (a downed interface) is tests/integration/test_graph_html.sh. Screenshots stay in $ARTIFACTS.
# Exit 77 (CTest's skip) when Chromium or playwright-core (npm ci here) is missing.
set -euo pipefail
NSTOPO=${NSTOPO:?set NSTOPO to the nstopo binary}
SRC=${NSTOPO_SOURCE_DIR:?set NSTOPO_SOURCE_DIR to the source tree}
ARTIFACTS=${ARTIFACTS:-$PWD/browser-artifacts}
HERE=$SRC/tests/browser
if [[ ! -x ${CHROMIUM:-/usr/bin/chromium} ]]; then
  echo "SKIP: no Chromium (bash .ci/install-deps installs Debian's chromium)"
  exit 77
fi
if [[ ! -d $HERE/node_modules/playwright-core ]] || ! command -v node >/dev/null; then
  echo "SKIP: no playwright-core (npm ci --prefix tests/browser, as .ci/install-deps does)"
  exit 77
fi
mkdir -p "$ARTIFACTS"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
check() { node "$HERE/check_page.mjs" "$@"; }

echo "--- the bundled three-tier lab: drawn, searched, hovered, clicked; a screenshot"
"$NSTOPO" graph "$SRC/topologies/default.yaml" --format html --no-live -o "$WORK/default.html"
check "$WORK/default.html" --search router --hover --screenshot "$ARTIFACTS/default.png"

echo "--- the verify overlay: one failed pair in red"
cat >"$WORK/verify.json" <<'JSON'
{"lab": "default", "ok": false, "results": [
  {"from": "c1", "to": "srv", "address": "10.20.0.10", "protocol": "icmp", "port": 0,
   "expected_reachable": true, "reachable": false, "ok": false, "rtt_ms": 0, "detail": ""},
  {"from": "c2", "to": "srv", "address": "10.20.0.10", "protocol": "icmp", "port": 0,
   "expected_reachable": true, "reachable": true, "ok": true, "rtt_ms": 0.1, "detail": ""}]}
JSON
"$NSTOPO" graph "$SRC/topologies/default.yaml" --format html --no-live --verify "$WORK/verify.json" \
  -o "$WORK/verify.html"
check "$WORK/verify.html" --failed-pairs 1

echo "--- a 500-node star fits the window"
python3 - "$WORK/star.yaml" <<'PY'
import sys
lines = ["version: 1", "name: star500", "nodes:"]
for i in range(500):
    lines.append(f"  n{i}: {{interfaces: {{eth0: {{addresses: [10.{i // 250}.{i % 250}.2/16]}}}}}}")
lines += ["bridges:", "  hub: {}", "links:"]
for i in range(500):
    lines.append(f"  - {{kind: veth, endpoints: [n{i}:eth0, hub:p{i}]}}")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
"$NSTOPO" graph "$WORK/star.yaml" --format html --no-live -o "$WORK/star.html"
check "$WORK/star.html" --search n499 --screenshot "$ARTIFACTS/star500.png"

echo "--- hostile text from a file (an OVS external_id, the file's name) stays text"
hostile_file="$WORK/<img src=x onerror=alert(1)><script>alert(2)<.yaml"
cat >"$hostile_file" <<'YAML'
version: 1
name: hostile
nodes:
  ns1: {interfaces: {veth0: {addresses: [10.1.1.2/24]}}}
bridges:
  ovs-br:
    kind: ovs
    external_ids: {note: "</script><script>alert(1)</script><img src=x onerror=alert(2)>"}
    ports:
      p0: {external_ids: {"x": "<svg onload=alert(3)>"}}
links:
  - {kind: veth, endpoints: [ns1:veth0, ovs-br:p0]}
YAML
"$NSTOPO" graph "$hostile_file" --format html --no-live -o "$WORK/hostile.html"
check "$WORK/hostile.html" --search ovs-br
echo "browser tests passed"
