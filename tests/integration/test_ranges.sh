# SPDX-License-Identifier: Apache-2.0
# Node name ranges (issue 16, part 3) on the real kernel: the example's range `h[1-8]` and its
# ranged link make eight namespaces with their numbered addresses, routes and bridge ports, the
# lab works, and the expanded file (every range written out) describes exactly the same lab.
source "$(dirname "$0")/lib.sh"
LAB=$(copy_topology examples/ranges-star.yaml)

addresses() {
  ip -n "$1" -j address show dev "$2" |
    jq -r '.[0].addr_info[] | select(.family == "inet") | "\(.local)/\(.prefixlen)"'
}
route_via() { ip -n "$1" -j route show "$2" | jq -r '.[] | "\(.gateway // "-") \(.dev)"'; }
bridge_ports() { ip -j link show master br-lan | jq -r '.[].ifname' | sort | tr '\n' ' '; }

step "apply: the range makes h1 to h8, each with its number"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(netns_list)" "h1 h2 h3 h4 h5 h6 h7 h8 r1 " "one namespace per number, and r1"
for i in 1 2 3 4 5 6 7 8; do
  expect_eq "$(addresses "h$i" eth0)" "10.40.0.$((i + 10))/24" "h$i has 10.40.0.$((i + 10))"
  expect_eq "$(route_via "h$i" 198.51.100.0/24)" "10.40.0.1 eth0" "h$i routes through r1"
done
expect_eq "$(bridge_ports)" "p0 p1 p2 p3 p4 p5 p6 p7 p8 " "the ranged link makes ports p1 to p8"
expect_reach h5 198.51.100.1
expect_reach h8 10.40.0.11
expect_rc 0 "verify" -- "$NSTOPO" verify "$LAB"

step "expand: the written-out file is the same lab"
"$NSTOPO" expand "$LAB" >"$WORK/expanded.yaml"
# The leading comments are kept as written; everything else is written out.
expect_eq "$(grep -v '^#' "$WORK/expanded.yaml" | grep -c '\[1-8\]\|{i' || true)" "0" \
  "no range or placeholder is left"
expect_rc 0 "the expanded file validates" -- "$NSTOPO" validate "$WORK/expanded.yaml"
expect_rc 0 "its plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$WORK/expanded.yaml"
expect_rc 0 "applying it" -- "$NSTOPO" apply "$WORK/expanded.yaml"
expect_rc 0 "leaves nothing for the ranged file to change" -- \
  "$NSTOPO" plan --detailed-exitcode "$LAB"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
finish
