# SPDX-License-Identifier: Apache-2.0
# kind: bond (issue 12) on the real kernel. Without bonding (CONFIG_BONDING), the capability probe
# refuses the example with one line before anything changes. With it: an active-backup pair
# between two nodes over two veths, both members enslaved, traffic across, a no-op second plan,
# and a destroy that leaves nothing (the failover and LACP runs are the vm scenario's).
source "$(dirname "$0")/lib.sh"
LAB=$(copy_topology examples/bond-active-backup.yaml)

probe_or_skip "$LAB" \
  "$LAB:18:28: error: this kernel has no bond support (CONFIG_BONDING); needed by link a:bond0" \
  "this kernel has no bonding (CONFIG_BONDING)"

step "apply: both members enslaved on each side, traffic across"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(masters a)" "e1:bond0 e2:bond0 " "a's members are enslaved"
expect_eq "$(masters b)" "e1:bond0 e2:bond0 " "b's members are enslaved"
expect_eq "$(ip -n a -j -d link show bond0 | jq -r '.[0].linkinfo.info_data.mode')" \
  "active-backup" "a's bond is active-backup"
expect_eq "$(ip -n a -j -d link show bond0 | jq -r '.[0].linkinfo.info_data.primary')" \
  "e1" "a's bond has the file's primary"
expect_reach a 10.0.0.2
expect_rc 0 "verify" -- "$NSTOPO" verify "$LAB"
expect_rc 0 "second plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
expect_eq "$(root_links)" "lo " "nothing in the root namespace"
finish
