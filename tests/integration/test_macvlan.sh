# SPDX-License-Identifier: Apache-2.0
# Seed 004, macvlan in bridge mode with a shim: namespace-to-namespace and "host"-to-namespace
# traffic, a minimal plan for a mode change, and a rebuild of everything stacked on a replaced
# parent. ipvlan and VLAN seeds, and a dummy interface: on a kernel without them, one clear line
# and nothing changed.
source "$(dirname "$0")/lib.sh"
require_link_kinds macvlan
LAB=$WORK/macvlan-bridge.yaml
cp "$SRC/topologies/seeds/macvlan-bridge.yaml" "$LAB"

step "apply"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_reach net1 172.28.248.9
expect_reach net2 172.28.248.10
expect_reach underlay 172.28.248.10
expect_reach net1 172.28.248.254
expect_eq "$(ip -n net1 -d link show eth0 | grep -o 'macvlan mode [a-z]*')" "macvlan mode bridge" "net1:eth0 is a bridge-mode macvlan"
expect_eq "$(ip -n underlay link show eth0 | grep -c PROMISC)" "1" "the parent is promiscuous"
expect_rc 0 "second apply changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "the seed's expectations hold" -- "$NSTOPO" verify "$LAB"

step "a mode change replaces only that link"
sed -i 's/endpoint: net1:eth0, mode: bridge}/endpoint: net1:eth0, mode: private}/' "$LAB"
expect_rc 2 "plan" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep '^[-+~] ' "$WORK/out" | tr '\n' '|')" "- macvlan net1:eth0 on underlay:eth0|+ macvlan net1:eth0 on underlay:eth0 (mode private)|+ address 172.28.248.10/20 on net1:eth0|" "minimal plan"
expect_rc 0 "apply the mode change" -- "$NSTOPO" apply "$LAB"
expect_eq "$(ip -n net1 -d link show eth0 | grep -o 'macvlan mode [a-z]*')" "macvlan mode private" "net1:eth0 is now private"
expect_no_reach net1 172.28.248.9

step "replacing the parent rebuilds what sits on it"
sed -i 's/endpoints: \[underlay:eth0, wire:eth0\]/endpoints: [underlay:eth0, wire:eth9]/' "$LAB"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_reach net2 172.28.248.254
expect_reach underlay 172.28.248.9
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
expect_eq "$(root_links)" "lo " "nothing in the root namespace"

step "kinds this kernel may lack"
for seed in ipvlan-l2 ipvlan-l3 macvlan-vlan; do
  kind=$([[ $seed == macvlan-vlan ]] && echo vlan || echo ipvlan)
  rc=0
  "$NSTOPO" plan "$SRC/topologies/seeds/$seed.yaml" >"$WORK/out" 2>"$WORK/err" || rc=$?
  if [[ $rc == 0 ]]; then
    echo "SKIP part: this kernel has $kind; the $seed scenario runs for real in the vm test (ctest -L vm)"
    continue
  fi
  expect_eq "$(wc -l <"$WORK/err")" "1" "$seed: one line"
  grep -q "error: this kernel has no $kind support (CONFIG_" "$WORK/err" && pass "$seed: names the missing kernel feature and the link" || fail "$seed: $(cat "$WORK/err")"
  grep -q "$seed.yaml:[0-9]*:[0-9]*: error" "$WORK/err" && pass "$seed: points into the file" || fail "$seed: no file:line:column"
  expect_eq "$(netns_list)" "" "$seed: nothing created"
done

step "dummy (issue 11, part 2): the capability probe refuses it with one line"
cat >"$WORK/dummy.yaml" <<'YAML'
name: dummy-lab
nodes:
  n1:
    interfaces:
      d0: {mtu: 9000, addresses: [10.9.0.1/24]}
    routes: [{to: 10.8.0.0/16, dev: d0}]
links:
  - {kind: dummy, endpoint: n1:d0}
YAML
rc=0
"$NSTOPO" plan "$WORK/dummy.yaml" >"$WORK/out" 2>"$WORK/err" || rc=$?
if [[ $rc == 0 ]]; then
  echo "SKIP part: this kernel has dummy; the dummy scenario runs for real in the vm test (ctest -L vm)"
else
  expect_eq "$(cat "$WORK/err")" \
    "$WORK/dummy.yaml:8:29: error: this kernel has no dummy support (CONFIG_DUMMY); needed by link n1:d0" \
    "dummy: one line naming the kernel option and the link"
  expect_eq "$(netns_list)" "" "dummy: nothing created"
fi
finish
