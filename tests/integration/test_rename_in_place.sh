# SPDX-License-Identifier: Apache-2.0
# Issue 10, item 5: renaming an interface in the file renames it in place. The veth end keeps
# its ifindex, its peer, its addresses (IPv6 too), the routes through it and the macvlan on it;
# the peer's and the macvlan's marks name the new name; a bridge port keeps its bridge. A run
# that fails at any operation of an edit with a rename renames it back (same ifindex, old
# marks). Everything is read with ip -j, not through nstopo.
source "$(dirname "$0")/lib.sh"
require_link_kinds macvlan
LAB=$WORK/rename.yaml
cat >"$LAB" <<'YAML'
name: rename
nodes:
  a:
    interfaces:
      e0: {addresses: [10.0.0.1/24, 2001:db8::1/64]}
      mv0: {addresses: [10.5.0.1/24]}
    routes:
      - {to: 10.9.0.0/16, via: 10.0.0.2}
      - {to: 10.8.0.0/16, dev: e0}
      - {to: 2001:db8:9::/48, via: 2001:db8::2}
  b:
    interfaces:
      e1: {addresses: [10.0.0.2/24, 2001:db8::2/64]}
      e2: {addresses: [10.2.0.2/24]}
bridges:
  br0: {}
links:
  - {kind: veth, endpoints: [a:e0, b:e1]}
  - {kind: macvlan, endpoint: a:mv0, parent: a:e0, mode: bridge}
  - {kind: veth, endpoints: [b:e2, br0:p0]}
YAML

# link_field NS NAME FIELD: one field of `ip -j -d link show` (ifindex, ifalias, master, link)
link_field() {
  ip -j -d ${1:+-n "$1"} link show "$2" 2>/dev/null |
    python3 -c 'import json,sys; l=json.load(sys.stdin); print(l[0].get(sys.argv[1], "") if l else "")' "$3"
}
has_address() { ip -j -n "$1" addr show dev "$2" | grep "\"local\":\"$3\"" >/dev/null; }
route_count() {  # route_count NS DEV: routes of nstopo's protocol (152) through DEV, both families
  { ip -n "$1" route show proto 152; ip -n "$1" -6 route show proto 152; } | grep -c "dev $2" || true
}

step "apply"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
e0=$(link_field a e0 ifindex)
mv0=$(link_field a mv0 ifindex)
p0=$(link_field "" p0 ifindex)
[[ -n $e0 && -n $p0 ]] || fail "no ifindex read for a:e0 or p0"
expect_eq "$(route_count a e0)" "3" "three routes through a:e0 (ip route)"

step "a veth end with a macvlan, addresses and routes, renamed"
cp "$LAB" "$WORK/before.yaml"
sed -i 's/e0/e5/g' "$LAB"
expect_rc 0 "plan" -- "$NSTOPO" plan "$LAB"
expect_eq "$(grep '^[-+~] ' "$WORK/out")" "~ rename a:e0 to e5" "the plan is one rename"
expect_rc 0 "apply the rename" -- "$NSTOPO" apply "$LAB"
expect_eq "$(link_field a e5 ifindex)" "$e0" "a:e5 is the old a:e0 (same ifindex)"
expect_eq "$(link_field a e0 ifindex)" "" "no a:e0 is left"
expect_eq "$(link_field a mv0 ifindex)" "$mv0" "the macvlan was not rebuilt"
expect_eq "$(link_field a mv0 link)" "e5" "the macvlan sits on a:e5"
expect_eq "$(link_field b e1 ifalias)" "nstopo:rename:a/e5" "the peer's mark names a:e5"
expect_eq "$(link_field a mv0 ifalias)" "nstopo:rename:a/e5" "the macvlan's mark names a:e5"
has_address a e5 2001:db8::1 && pass "the IPv6 address stays" || fail "2001:db8::1 is gone"
expect_eq "$(route_count a e5)" "3" "the three routes stay, now through a:e5"
expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_reach b 10.0.0.1

step "a port of a Linux bridge, renamed"
sed -i 's/p0/p7/g' "$LAB"
expect_rc 0 "apply the rename" -- "$NSTOPO" apply "$LAB"
expect_eq "$(link_field "" p7 ifindex)" "$p0" "host:p7 is the old p0 (same ifindex)"
expect_eq "$(link_field "" p7 master)" "br0" "it is still a port of br0"
expect_eq "$(link_field b e2 ifalias)" "nstopo:rename:host/p7" "the peer's mark names host:p7"
expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "a rename with other changes fails at each operation and is undone"
cp "$LAB" "$WORK/before.yaml"
sed -i -e 's/e5/e6/g' -e 's|e6: {addresses: \[10.0.0.1/24|e6: {mtu: 1400, addresses: [10.0.0.3/24|' "$LAB"
grep -q "10.0.0.3/24" "$LAB" || fail "the edit did not apply to the file"
before=$(snapshot)
for n in $(seq 1 40); do
  rc=0
  NSTOPO_FAULT_INJECT_AT=$n "$NSTOPO" apply "$LAB" >"$WORK/out" 2>"$WORK/err" || rc=$?
  if [[ $rc == 0 ]]; then
    break  # n is past the last operation
  fi
  if [[ "$(snapshot)" == "$before" && "$(link_field a e5 ifindex)" == "$e0" &&
        "$(link_field b e1 ifalias)" == "nstopo:rename:a/e5" ]]; then
    pass "operation $n failed: a:e5 is back with its ifindex, its peer's mark and everything else"
  else
    fail "operation $n failed and the rollback left a difference"
    diff <(echo "$before") <(snapshot) >&2 || true
    "$NSTOPO" apply "$WORK/before.yaml" >/dev/null 2>&1 || true
  fi
done
((n > 2)) || fail "the edit had only $((n - 1)) operation(s)"
expect_eq "$(link_field a e6 ifindex)" "$e0" "the last run renamed it in place"
expect_eq "$(link_field a e6 mtu)" "1400" "with its new MTU"
expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "no namespace left"
finish
