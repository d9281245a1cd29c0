#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `nstopo generate` (issue 16, part 1): every type at a small size is generated, applied and
# verified, checked independently with `ip -j` (the namespaces and every address the file names)
# and a bounded ping from the first to the last node (which must fail with --routing none), then
# destroyed; one Open vSwitch star runs on the sandbox's own OVS (`nstopo ovs start`).
source "$(dirname "$0")/lib.sh"

# file_facts FILE: "ns NODE ADDRESS/LEN" for each address the file names, and "ping FROM TO" for
# the first node with an address to the last one's first address.
file_facts() {
  python3 - "$1" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
per_node = {}
for name, node in (doc.get("nodes") or {}).items():
    for ifname, settings in ((node or {}).get("interfaces") or {}).items():
        per_node.setdefault(name, []).extend(settings.get("addresses", []))
for name, bridge in (doc.get("bridges") or {}).items():
    per_node.setdefault(bridge.get("node", "host"), []).extend(bridge.get("addresses", []))
for name, addresses in per_node.items():
    for address in addresses:
        print("ns", name, address)
with_addresses = [n for n in doc["nodes"] if per_node.get(n)]
print("ping", with_addresses[0], per_node[with_addresses[-1]][0].split("/")[0])
PY
}

# kernel_addresses NS...: "ns NODE ADDRESS/LEN" for each global address in those namespaces
kernel_addresses() {
  local ns
  for ns; do
    ip -j -n "$ns" addr show | python3 -c '
import json, sys
for link in json.load(sys.stdin):
    for a in link.get("addr_info", []):
        if a.get("scope") == "global":
            print("ns", sys.argv[1], "%s/%s" % (a["local"], a["prefixlen"]))' "$ns"
  done
}

# run_case NAME NAMESPACES ARGS...: generate with ARGS, apply, check, verify, destroy.
run_case() {
  local name=$1 namespaces=$2
  shift 2
  step "$name: nstopo generate $*"
  local file=$WORK/$name.yaml
  expect_rc 0 "generate" -- "$NSTOPO" generate "$@" -o "$file"
  expect_rc 0 "validate" -- "$NSTOPO" validate "$file"
  expect_rc 0 "apply" -- "$NSTOPO" apply "$file"
  expect_eq "$(ip netns list | wc -l)" "$namespaces" "$namespaces namespaces"
  file_facts "$file" >"$WORK/facts"
  local nodes
  nodes=$(awk '$1 == "ns" && $2 != "host" {print $2}' "$WORK/facts" | sort -u)
  # shellcheck disable=SC2086
  expect_eq "$(kernel_addresses $nodes | sort)" "$(grep '^ns ' "$WORK/facts" | grep -v '^ns host ' | sort)" \
    "the kernel has exactly the file's addresses"
  read -r _ from to < <(grep '^ping ' "$WORK/facts")
  # Without routes the two ends of a chain are not neighbours: no path, as the file says.
  if [[ ${NO_ROUTES:-} == 1 ]]; then expect_no_reach "$from" "$to"; else expect_reach "$from" "$to"; fi
  expect_rc 0 "verify" -- "$NSTOPO" verify "$file"
  expect_rc 0 "a second apply changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$file"
  expect_rc 0 "destroy" -- "$NSTOPO" destroy "$file"
  expect_eq "$(netns_list)" "" "nothing left"
}

step "wrong options: one line, exit 1"
expect_rc 1 "an unknown type" -- "$NSTOPO" generate leafspine
expect_eq "$(cat "$WORK/err")" "error: unknown type 'leafspine' (did you mean leaf-spine?); the types are star, chain, ring, full-mesh, tree, leaf-spine, fat-tree" "names the closest type"
expect_rc 1 "a pool too small" -- "$NSTOPO" generate chain -n 40 --pool4 10.0.0.0/26
grep -q "needs 78 IPv4 addresses" "$WORK/err" && pass "says how many addresses" || fail "$(cat "$WORK/err")"
expect_rc 0 "stdout without -o" -- "$NSTOPO" generate star
head -1 "$WORK/out" | grep -q '^# yaml-language-server: \$schema=' && pass "the modeline first" || fail "$(head -2 "$WORK/out")"

run_case star 5 star -n 4
run_case star-dual 5 star -n 4 --family dual
run_case chain 4 chain -n 4 --family dual
run_case ring 4 ring -n 4 --family ipv6
run_case full-mesh 4 full-mesh -n 4
run_case tree 7 tree --depth 2 --fanout 2
run_case leaf-spine 6 leaf-spine --spines 2 --leaves 2 --hosts 1 --family dual
run_case fat-tree 7 fat-tree -k 2
NO_ROUTES=1 run_case chain-no-routes 3 chain -n 3 --routing none

if [[ -x /usr/sbin/ovs-vswitchd && -c /dev/net/tun ]]; then
  trap '"$NSTOPO" ovs stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
  step "private Open vSwitch"
  expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start
  run_case star-ovs-internal 3 star -n 3 --link ovs-internal
  expect_rc 0 "nstopo ovs stop" -- "$NSTOPO" ovs stop
else
  echo "note: Open vSwitch is not installed or there is no /dev/net/tun; the OVS star is skipped"
fi
finish
