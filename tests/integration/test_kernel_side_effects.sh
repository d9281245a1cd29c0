# SPDX-License-Identifier: Apache-2.0
# Edits whose kernel side effects used to break one-run convergence and exact rollback (issue
# 10, ../shared/reference/kernel-side-effects.md): an address changed in its subnet with a
# gateway route through it, a primary address replaced beside a secondary, the only IPv4 address
# of a device moved to another subnet under a dev route, and a link set down with an IPv6
# address; and a replaced interface keeps its MAC so traffic across the edit goes on. Each edit
# must apply in one run (exit 0, then an empty plan), leave the routes and
# addresses in the kernel (read with ip -j), and roll back exactly when any of its operations
# fails.
source "$(dirname "$0")/lib.sh"
require_link_kinds macvlan
LAB=$WORK/side-effects.yaml
cat >"$LAB" <<'YAML'
name: side-effects
nodes:
  a:
    interfaces:
      e0: {addresses: [10.0.0.1/24, 10.0.0.5/24, 2001:db8::1/64]}
      e3: {addresses: [10.5.0.1/24]}
      e5: {addresses: [10.7.0.1/24, fd00:5::1/64]}
    routes:
      - {to: default, via: 10.0.0.2}
      - {to: 10.9.0.0/16, via: 10.0.0.2}
      - {to: 2001:db8:9::/48, via: 2001:db8::2}
      - {to: 10.6.0.0/16, dev: e3}
  b:
    interfaces:
      e1: {addresses: [10.0.0.2/24, 2001:db8::2/64]}
      e4: {addresses: [10.5.0.2/24]}
      e6: {addresses: [10.7.0.2/24]}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: veth, endpoints: [a:e3, b:e4]}
  - {kind: veth, endpoints: [a:e5, b:e6]}
YAML

# has_route NS JQ_FILTER: the kernel's route table in NS (both families) has a matching route
has_route() {
  { ip -j -n "$1" route show; ip -j -n "$1" -6 route show; } |
    python3 -c 'import json,sys
routes = [r for line in sys.stdin for r in json.loads(line)]
sys.exit(0 if any(eval(sys.argv[1], {}, {"r": r}) for r in routes) else 1)' "$2"
}
# addresses NS DEV: the device's global addresses, sorted, one line
addresses() {
  ip -j -n "$1" addr show dev "$2" |
    python3 -c 'import json,sys
print(" ".join(sorted(a["local"] + "/" + str(a["prefixlen"]) for i in json.load(sys.stdin)
                     for a in i["addr_info"] if a.get("scope") == "global")))'
}

# edit NAME SED: applies the edit with every operation failing in turn (each run must leave the
# machine as it was), then for real; the next steps check the result.
edit() {
  local name=$1 expr=$2
  step "$name"
  cp "$LAB" "$WORK/before.yaml"
  sed -i "$expr" "$LAB"
  cmp -s "$LAB" "$WORK/before.yaml" && fail "$name: the edit changed nothing in the file"
  local before n rc
  before=$(snapshot)
  for n in $(seq 1 40); do
    rc=0
    NSTOPO_FAULT_INJECT_AT=$n "$NSTOPO" apply "$LAB" >"$WORK/out" 2>"$WORK/err" || rc=$?
    if [[ $rc == 0 ]]; then
      # n is past the last operation: this run went through; undo it for the real apply below
      "$NSTOPO" apply "$WORK/before.yaml" >/dev/null 2>&1 || fail "$name: re-applying the old file"
      break
    fi
    if [[ "$(snapshot)" == "$before" ]]; then
      pass "$name: operation $n failed and the rollback restored everything"
    else
      fail "$name: operation $n failed and the rollback left a difference"
      diff <(echo "$before") <(snapshot) >&2 || true
      "$NSTOPO" apply "$WORK/before.yaml" >/dev/null 2>&1 || true
    fi
  done
  expect_rc 0 "$name: applies in one run" -- "$NSTOPO" apply "$LAB"
  expect_rc 0 "$name: nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
}

step "apply"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"

edit "address changed in its subnet, beside a secondary, gateway routes through it" \
  's|10.0.0.1/24, 10.0.0.5/24|10.0.0.3/24, 10.0.0.5/24|'
expect_eq "$(addresses a e0)" "10.0.0.3/24 10.0.0.5/24 2001:db8::1/64" "a:e0 has the new primary and keeps the secondary"
has_route a 'r["dst"] == "default" and r.get("gateway") == "10.0.0.2"' && pass "the default route is there" || fail "the default route is gone"
has_route a 'r["dst"] == "10.9.0.0/16" and r.get("gateway") == "10.0.0.2"' && pass "the gateway route is there" || fail "10.9.0.0/16 via 10.0.0.2 is gone"
expect_reach a 10.0.0.2

edit "the only IPv4 address of a device moved to another subnet under a dev route" \
  's|e3: {addresses: \[10.5.0.1/24\]}|e3: {addresses: [10.50.0.1/24]}|'
has_route a 'r["dst"] == "10.6.0.0/16" and r.get("dev") == "e3"' && pass "the dev route is there" || fail "10.6.0.0/16 dev e3 is gone"

edit "a link set down with an IPv6 address" \
  's|e5: {addresses: \[10.7.0.1/24, fd00:5::1/64\]}|e5: {addresses: [10.7.0.1/24, fd00:5::1/64], up: false}|'
expect_eq "$(addresses a e5)" "10.7.0.1/24 fd00:5::1/64" "a:e5 keeps both addresses while down"
expect_eq "$(ip -j -n a link show e5 | python3 -c 'import json,sys; print("UP" in json.load(sys.stdin)[0]["flags"])')" "False" "a:e5 is down"

edit "the link up again" 's|, up: false}|}|'
expect_reach a 10.7.0.2

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"

# A replaced device keeps its MAC, so the neighbours' entries stay right and traffic across the
# edit does not stop (it stopped for 20-30 s with a new random MAC).
step "a replaced interface keeps its MAC"
MACLAB=$WORK/replaced.yaml
cat >"$MACLAB" <<'YAML'
name: replaced
nodes:
  underlay: {}
  wire:
    interfaces: {eth0: {addresses: [10.70.0.20/24]}}
  net1:
    interfaces: {eth0: {addresses: [10.70.0.10/24]}}
links:
  - {kind: veth, endpoints: [underlay:eth0, wire:eth0]}
  - {kind: macvlan, parent: underlay:eth0, endpoint: net1:eth0, mode: bridge}
YAML
mac_of() { ip -j -n "$1" link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])'; }
index_of() { ip -j -n "$1" link show "$2" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ifindex"])'; }
expect_rc 0 "apply" -- "$NSTOPO" apply "$MACLAB"
expect_reach wire 10.70.0.10
old_mac=$(mac_of net1 eth0)
old_index=$(index_of net1 eth0)
sed -i 's/mode: bridge}/mode: private}/' "$MACLAB"
expect_rc 0 "apply the mode change (replaces the macvlan)" -- "$NSTOPO" apply "$MACLAB"
expect_eq "$(ip -j -n net1 -d link show eth0 | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["linkinfo"]["info_data"]["mode"])')" "private" "net1:eth0 is private now"
[[ "$(index_of net1 eth0)" != "$old_index" ]] && pass "net1:eth0 is a new device" || fail "net1:eth0 was not replaced"
expect_eq "$(mac_of net1 eth0)" "$old_mac" "the new net1:eth0 has the old MAC"
# One echo request with a one-second wait: the neighbour entry of wire is still right.
if ip netns exec wire ping -c 1 -W 1 10.70.0.10 >/dev/null 2>&1; then
  pass "traffic crosses the edit within one second"
else
  fail "wire does not reach net1 within one second of the apply"
fi
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$MACLAB"
finish
