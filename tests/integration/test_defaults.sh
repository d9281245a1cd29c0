# SPDX-License-Identifier: Apache-2.0
# `defaults:` and `nstopo expand` (issue 16, parts 1-2) on the real kernel: the example's nodes get
# the default MTU, route and sysctl unless they set their own, the lab works, and the expanded
# file describes exactly the lab the original built (its plan changes nothing).
source "$(dirname "$0")/lib.sh"
LAB=$(copy_topology examples/defaults-lan.yaml)

mtu() { ip -n "$1" -j link show "$2" | jq -r '.[0].mtu'; }
routes_to() { ip -n "$1" -j route show "$2" | jq -r '.[] | "\(.gateway // "-") \(.dev)"'; }

step "apply: every node inherits what it does not set itself"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(mtu h1 eth0)" "1400" "h1 takes the default mtu"
expect_eq "$(mtu r1 eth0)" "1400" "r1 takes the default mtu"
expect_eq "$(mtu h3 eth0)" "9000" "h3's own mtu wins"
expect_eq "$(routes_to h2 198.51.100.0/24)" "10.30.0.1 eth0" "h2 takes the default route"
expect_eq "$(routes_to r1 198.51.100.0/24)" "- lo" "r1's own route to the same prefix wins"
expect_eq "$(ip netns exec h1 cat /proc/sys/net/ipv4/ip_forward)" "0" "h1 takes the default sysctl"
expect_eq "$(ip netns exec r1 cat /proc/sys/net/ipv4/ip_forward)" "1" "r1's own sysctl wins"
expect_reach h1 198.51.100.1
expect_rc 0 "verify" -- "$NSTOPO" verify "$LAB"

step "expand: the written-out file is the same lab"
expect_rc 0 "expand" -- "$NSTOPO" expand "$LAB"
"$NSTOPO" expand "$LAB" >"$WORK/expanded.yaml"
expect_rc 0 "the expanded file validates" -- "$NSTOPO" validate "$WORK/expanded.yaml"
expect_rc 0 "its plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$WORK/expanded.yaml"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
finish
