# SPDX-License-Identifier: Apache-2.0
# Errors a user can cause: each is one clear line and changes nothing.
source "$(dirname "$0")/lib.sh"
LAB=$(copy_topology seeds/veth-pair.yaml)

step "a namespace of the same name made by hand"
ip netns add ns2
expect_rc 1 "apply refuses a foreign namespace" -- "$NSTOPO" apply "$LAB"
grep -q "namespace 'ns2' already exists and it carries no nstopo mark" "$WORK/err" \
  && pass "the refusal names the namespace and why" || fail "refusal text: $(cat "$WORK/err")"
grep -q "veth-pair.yaml:[0-9]*:[0-9]*: error:" "$WORK/err" && pass "it points at the file" || fail "no file:line:col"
expect_eq "$(netns_list)" "ns2 " "nothing was created"
ip netns delete ns2

step "an interface of another lab"
expect_rc 0 "apply the bridge lab" -- "$NSTOPO" apply "$SRC/topologies/seeds/linux-bridge.yaml"
sed 's/^name: veth-pair/name: other/; s/ns1/o1/g; s/ns2/o2/g' "$LAB" >"$WORK/other.yaml"
cat >>"$WORK/other.yaml" <<'YAML'
bridges:
  br0: {kind: linux}
YAML
expect_rc 1 "apply refuses another lab's bridge" -- "$NSTOPO" apply "$WORK/other.yaml"
grep -q "interface 'br0' already exists in namespace 'host' and it belongs to lab 'linux-bridge'" "$WORK/err" \
  && pass "conflict names the owner" || fail "conflict text: $(cat "$WORK/err")"
expect_eq "$(netns_list)" "ns1 ns2 " "the other lab created nothing"

step "invalid file"
printf 'name: bad\nnodes:\n  n1:\n    interfaces:\n      e: {adresses: [10.0.0.1/24]}\n' >"$WORK/bad.yaml"
expect_rc 1 "validate rejects" -- "$NSTOPO" apply "$WORK/bad.yaml"
expect_eq "$(cat "$WORK/err")" "$WORK/bad.yaml:5:11: error: node 'n1' interface 'e': unknown key 'adresses' (did you mean 'addresses'?)" "one clear line at file:line:column"

step "kernel refusal names object, namespace and the kernel's words, and rolls back"
cat >"$WORK/route.yaml" <<'YAML'
name: route
nodes:
  r1:
    interfaces: {e1: {addresses: [10.7.0.1/24]}}
    routes: [{to: 10.9.0.0/16, via: 192.0.2.1}]
  r2: {}
links:
  - {kind: veth, endpoints: [r1:e1, r2:e2]}
YAML
expect_rc 1 "apply with an unreachable gateway fails" -- "$NSTOPO" apply "$WORK/route.yaml"
grep -q "adding route r1: 10.9.0.0/16 via 192.0.2.1 metric 0 in namespace 'r1': Network is unreachable (ENETUNREACH); kernel says: Nexthop has invalid gateway" "$WORK/err" \
  && pass "kernel error names the route, the namespace, errno and the extended ack" || fail "kernel error: $(cat "$WORK/err")"
grep -q "rolled back" "$WORK/err" && pass "the run says it rolled back" || fail "no rollback message"
expect_eq "$(netns_list)" "ns1 ns2 " "the failed apply left nothing (no r1/r2)"

step "hostile lab names on the command line"
expect_rc 1 "destroy --lab with a path" -- "$NSTOPO" destroy --lab ../../etc
expect_eq "$(cat "$WORK/err")" "error: --lab: '../../etc' contains '/'" "refused before touching anything"
mkdir -p /run/nstopo && ln -sfn /tmp "/run/nstopo/evil"
expect_rc 0 "a symlinked lab directory is not followed for reading" -- "$NSTOPO" list

step "without privileges"
if command -v setpriv >/dev/null; then
  chmod 755 "$WORK"
  chmod 644 "$LAB"
  expect_rc 1 "apply as an unprivileged user" -- setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$NSTOPO" apply "$LAB"
  expect_eq "$(cat "$WORK/err")" "error: nstopo needs CAP_NET_ADMIN and CAP_SYS_ADMIN to read and change network namespaces (run it as root); nothing was changed" "one clear line"
else
  echo "SKIP part: setpriv (util-linux) is not installed, cannot drop privileges"
fi
expect_rc 0 "destroy the bridge lab" -- "$NSTOPO" destroy --lab linux-bridge
expect_eq "$(netns_list)" "" "clean at the end"
finish
