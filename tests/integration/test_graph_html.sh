# SPDX-License-Identifier: Apache-2.0
# nstopo graph --format html on a live lab (issue 20): an interface set down by hand is drawn as
# down, a node deleted by hand as missing, with show's drift; --lab draws the lab from the
# machine alone; verify --format html overlays its failed pairs. The page is checked in headless
# Chromium (tests/browser/check_page.mjs) when Chromium and playwright-core are installed, else
# only its data.
source "$(dirname "$0")/lib.sh"
LAB=$SRC/topologies/seeds/veth-pair.yaml
BROWSER=0
if [[ -x /usr/bin/chromium && -d $SRC/tests/browser/node_modules/playwright-core ]] && command -v node >/dev/null; then
  BROWSER=1
else
  echo "SKIP part: no Chromium or playwright-core; the page's data is checked, not its drawing"
fi
# page_data FILE: the JSON the page embeds
page_data() {
  python3 - "$1" <<'PY'
import json, re, sys
html = open(sys.argv[1]).read()
print(re.search(r'<script type="application/json" id="lab-data">(.*?)</script>', html, re.S).group(1))
PY
}

step "before apply: the file alone"
expect_rc 0 "graph html of a lab not on the machine" -- "$NSTOPO" graph "$LAB" --format html -o "$WORK/file.html"
expect_eq "$(page_data "$WORK/file.html" | jq -r .live)" "false" "not live: the lab is not here"
expect_rc 1 "--live needs the lab" -- "$NSTOPO" graph "$LAB" --format html --live -o "$WORK/x.html"

step "live, with an interface set down by hand"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
ip -n ns1 link set veth0 down
expect_rc 0 "graph html (live by default)" -- "$NSTOPO" graph "$LAB" --format html -o "$WORK/live.html"
page_data "$WORK/live.html" >"$WORK/live.json"
expect_eq "$(jq -r .live "$WORK/live.json")" "true" "live"
expect_eq "$(jq -r '.vertices[] | select(.name == "ns1") | .status' "$WORK/live.json")" "down" "ns1 is down"
expect_eq "$(jq -r '.vertices[] | select(.name == "ns1") | .interfaces[0].live.up' "$WORK/live.json")" "false" "veth0 read down"
expect_eq "$(jq -r '.links[0].status' "$WORK/live.json")" "down" "the link is down"
# The same drift as show: every step show prints is on the page.
"$NSTOPO" show "$LAB" --json >"$WORK/show.json"
expect_eq "$(jq -r '[.drift.steps[].description] | sort | join("|")' "$WORK/show.json")" \
  "$(jq -r '[.drift[].step[2:]] | unique | sort | join("|")' "$WORK/live.json")" "the page's drift is show's"
if ((BROWSER)); then
  expect_rc 0 "the browser draws ns1 and its link as down" -- \
    node "$SRC/tests/browser/check_page.mjs" "$WORK/live.html" --down ns1 --hover
fi

step "verify --format html: the matrix over the live view"
expect_rc 1 "verify fails with veth0 down" -- "$NSTOPO" verify "$LAB" --format html --timeout-ms 200 --count 1 -o "$WORK/verify.html"
expect_eq "$(page_data "$WORK/verify.html" | jq -r '[.verify[] | select(.ok == false)] | length')" "2" "both pairs failed"
expect_eq "$(page_data "$WORK/verify.html" | jq -r '.verify[0].from_vertex')" "netns:ns1" "a pair names its vertices"
if ((BROWSER)); then
  expect_rc 0 "the browser draws the two failed pairs in red" -- \
    node "$SRC/tests/browser/check_page.mjs" "$WORK/verify.html" --failed-pairs 2 --down ns1
fi

step "a node deleted by hand is missing"
ip netns del ns2
expect_rc 0 "graph html" -- "$NSTOPO" graph "$LAB" --format html -o "$WORK/missing.html"
expect_eq "$(page_data "$WORK/missing.html" | jq -r '.vertices[] | select(.name == "ns2") | .status')" "missing" "ns2 is missing"
expect_rc 0 "--no-live draws the file only" -- "$NSTOPO" graph "$LAB" --format html --no-live -o "$WORK/nolive.html"
expect_eq "$(page_data "$WORK/nolive.html" | jq -r .live)" "false" "not live"

step "--lab: the lab as found on the machine"
expect_rc 0 "graph --lab" -- "$NSTOPO" graph --lab veth-pair --format html -o "$WORK/lab.html"
expect_eq "$(page_data "$WORK/lab.html" | jq -r '[.vertices[].name] | join(",")')" "ns1" "only what is here"
expect_rc 1 "--lab of no lab" -- "$NSTOPO" graph --lab nothing-here --format html -o "$WORK/x.html"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"

step "an OVS lab, live: its ports belong to their bridge"
if [[ -x /usr/sbin/ovs-vswitchd && -c /dev/net/tun ]]; then
  OVS_LAB=$SRC/topologies/seeds/ovs-veth.yaml
  trap '"$NSTOPO" ovs stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
  expect_rc 0 "graph html of an OVS lab not here, with no OVSDB: the file alone" -- \
    "$NSTOPO" graph "$OVS_LAB" --format html -o "$WORK/ovs-file.html"
  expect_rc 0 "ovs start" -- "$NSTOPO" ovs start
  expect_rc 0 "apply" -- "$NSTOPO" apply "$OVS_LAB"
  ip -n ns1 link set veth0 down
  expect_rc 0 "graph html" -- "$NSTOPO" graph "$OVS_LAB" --format html -o "$WORK/ovs.html"
  page_data "$WORK/ovs.html" >"$WORK/ovs.json"
  expect_eq "$(jq -r '.vertices[] | select(.type == "ovs-bridge") | [.interfaces[] | "\(.name):\(.ovs_port.tag):\(.status)"] | join(",")' "$WORK/ovs.json")" \
    "ovs-veth0:10:ok,ovs-veth1:10:ok" "the ports, their tags and statuses are on the OVS bridge"
  expect_eq "$(jq -r '.vertices[] | select(.name == "ns1") | .status' "$WORK/ovs.json")" "down" "ns1 is down"
  expect_rc 0 "--lab finds the ports' bridge from OVSDB" -- "$NSTOPO" graph --lab ovs-veth --format html -o "$WORK/ovs-lab.html"
  expect_eq "$(page_data "$WORK/ovs-lab.html" | jq -r '[.links[] | .a.vertex + "|" + .b.vertex] | sort | join(",")')" \
    "ovs:ovs-br|netns:ns1,ovs:ovs-br|netns:ns2" "both links end on the OVS bridge"
  expect_rc 0 "destroy" -- "$NSTOPO" destroy "$OVS_LAB"
else
  echo "SKIP part: no Open vSwitch or /dev/net/tun"
fi
finish
