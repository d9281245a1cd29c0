# SPDX-License-Identifier: Apache-2.0
# The host end of a node's veth goes with the node's namespace: nstopo deletes the namespace and
# waits for the kernel's cleanup to take the end along (DeleteNetns::takes_along), and deletes
# itself an end whose namespace another process keeps alive. Checked with ip -j, not nstopo.
source "$(dirname "$0")/lib.sh"

lab_with() {  # lab_with NODE...: a star of the named nodes on one Linux bridge
  local node i=1
  {
    echo "name: along"
    echo "nodes:"
    for node in "$@"; do echo "  $node: {interfaces: {eth0: {addresses: [10.7.0.$i/24]}}}" && i=$((i + 1)); done
    echo "bridges:"
    echo "  sw: {stp: false}"
    echo "links:"
    for node in "$@"; do echo "  - {kind: veth, endpoints: [$node:eth0, sw:p-$node]}"; done
  } >"$LAB"
}
host_ports() { ip -j link show | jq -r '[.[].ifname | select(startswith("p-"))] | sort | join(" ")'; }
LAB=$WORK/along.yaml

step "a removed node takes its bridge port along"
lab_with a b c
expect_rc 0 "apply a star of three" -- "$NSTOPO" apply "$LAB"
expect_eq "$(host_ports)" "p-a p-b p-c" "three ports in the host"
expect_reach a 10.7.0.3
lab_with a b
expect_rc 2 "the plan" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep '^[-+~] ' "$WORK/out" | tr '\n' '|')" "- netns c (the kernel deletes host:p-c with it)|" \
  "one step: the namespace, naming the port it takes along"
expect_rc 0 "apply the removal" -- "$NSTOPO" -v apply "$LAB"
expect_eq "$(host_ports)" "p-a p-b" "p-c is gone when apply returns"
expect_eq "$(grep -c 'outlived' "$WORK/err")" "0" "the kernel took it: nstopo deleted nothing itself"
expect_eq "$(netns_list)" "a b " "namespace c is gone"
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "a node removed and its port's name given to another node's link"
sed -i 's/^  b: .*/  b: {interfaces: {eth0: {addresses: [10.7.0.2\/24]}}}\n  d: {interfaces: {eth0: {addresses: [10.7.0.4\/24]}}}/' "$LAB"
sed -i 's/\[b:eth0, sw:p-b\]/[d:eth0, sw:p-b]/' "$LAB"
sed -i '/^  b: /d' "$LAB"
expect_rc 0 "apply: p-b now leads to d" -- "$NSTOPO" apply "$LAB"
expect_eq "$(ip -j -d link show p-b | jq -r '.[0].link_netnsid != null')" "true" "p-b is a veth into a namespace"
expect_reach d 10.7.0.1
expect_eq "$(netns_list)" "a d " "namespace b is gone"
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy while another process keeps a namespace alive"
ip netns exec d sleep 60 &
holder=$!
# `ip netns exec` enters d and then becomes sleep under the same pid: wait until it is in d, or
# a destroy that runs first finds nobody keeping d alive.
in_d() { [[ $(stat -L -c %i "/proc/$holder/ns/net" 2>/dev/null) == $(stat -L -c %i /run/netns/d) ]]; }
if wait_until 10 in_d; then pass "a process keeps namespace d alive"; else fail "the holder never entered d"; fi
expect_rc 0 "destroy" -- "$NSTOPO" -v destroy "$LAB"
expect_eq "$(host_ports)" "" "no port is left in the host"
expect_eq "$(grep -c '1 veth end(s) outlived' "$WORK/err")" "1" "nstopo deleted the one the kernel kept"
expect_eq "$(netns_list)" "" "no namespace is left"
kill "$holder"
wait "$holder" 2>/dev/null || true
finish
