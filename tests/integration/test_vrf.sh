# SPDX-License-Identifier: Apache-2.0
# kind: vrf (issue 12) on the real kernel. Without VRF support (CONFIG_NET_VRF), the capability
# probe refuses the example with one line before anything changes. With it: two customers on
# overlapping addresses behind one router, each reaching its own server and not the other's, the
# members enslaved to their VRF, a no-op second plan, a new table that replaces the VRF and
# re-enslaves its members, and a destroy that leaves nothing.
source "$(dirname "$0")/lib.sh"
LAB=$(copy_topology examples/vrf-overlap.yaml)

probe_or_skip "$LAB" \
  "$LAB:35:27: error: this kernel has no vrf support (CONFIG_NET_VRF); needed by link r:blue" \
  "this kernel has no VRF support (CONFIG_NET_VRF)"

step "apply: each customer reaches its own server, not the other's"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(masters r)" "c1:blue c2:red s1:blue s2:red " "the members are enslaved to their VRF"
expect_eq "$(ip -n r -j -d link show blue | jq -r '.[0].linkinfo.info_data.table')" "10" \
  "blue has table 10"
expect_reach cust1 10.1.0.2
expect_reach cust2 10.1.0.3
expect_no_reach cust1 10.1.0.3
expect_no_reach cust2 10.1.0.2
expect_rc 0 "verify" -- "$NSTOPO" verify "$LAB"
expect_rc 0 "second plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "a new table replaces the VRF and its members join the new one"
sed -i 's/endpoint: r:blue, table: 10/endpoint: r:blue, table: 11/' "$LAB"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(ip -n r -j -d link show blue | jq -r '.[0].linkinfo.info_data.table')" "11" \
  "blue has table 11"
expect_eq "$(masters r)" "c1:blue c2:red s1:blue s2:red " "the members are enslaved again"
expect_reach cust1 10.1.0.2
expect_no_reach cust1 10.1.0.3
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
expect_eq "$(root_links)" "lo " "nothing in the root namespace"
finish
