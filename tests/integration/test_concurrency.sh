# SPDX-License-Identifier: Apache-2.0
# Runs never interleave: two applies of one lab at once both succeed and build it once; two
# different labs applied at once both come up; a lab that wants another lab's name is refused.
source "$(dirname "$0")/lib.sh"
PAIR=$(copy_topology seeds/veth-pair.yaml)
CHAIN=$(copy_topology examples/routed-chain.yaml)

step "the same lab twice at once"
"$NSTOPO" apply "$PAIR" >"$WORK/a.out" 2>&1 & first=$!
"$NSTOPO" apply "$PAIR" >"$WORK/b.out" 2>&1 & second=$!
rc_a=0; wait "$first" || rc_a=$?
rc_b=0; wait "$second" || rc_b=$?
expect_eq "$rc_a/$rc_b" "0/0" "both runs succeed"
expect_eq "$(cat "$WORK/a.out" "$WORK/b.out" | grep -c '^+ netns ns1$')" "1" "exactly one run created the lab"
expect_reach ns1 10.1.1.3

step "two different labs at once"
"$NSTOPO" destroy "$PAIR" >/dev/null
"$NSTOPO" apply "$PAIR" >"$WORK/a.out" 2>&1 & first=$!
"$NSTOPO" apply "$CHAIN" >"$WORK/b.out" 2>&1 & second=$!
rc_a=0; wait "$first" || rc_a=$?
rc_b=0; wait "$second" || rc_b=$?
expect_eq "$rc_a/$rc_b" "0/0" "both labs come up"
expect_reach ns1 10.1.1.3
expect_reach r1 10.0.2.3
expect_rc 0 "each lab is unchanged by the other" -- "$NSTOPO" plan --detailed-exitcode "$PAIR"
expect_rc 0 "each lab is unchanged by the other" -- "$NSTOPO" plan --detailed-exitcode "$CHAIN"

step "a name the other lab owns"
sed 's/^name: routed-chain/name: thief/' "$CHAIN" >"$WORK/thief.yaml"
expect_rc 1 "conflict before any change" -- "$NSTOPO" apply "$WORK/thief.yaml"
grep -q "namespace 'r1' already exists and it belongs to lab 'routed-chain'" "$WORK/err" \
  && pass "the conflict names the owner" || fail "conflict text: $(cat "$WORK/err")"
expect_rc 0 "destroy one lab" -- "$NSTOPO" destroy "$CHAIN"
expect_reach ns1 10.1.1.3
expect_rc 0 "destroy the other" -- "$NSTOPO" destroy "$PAIR"
expect_eq "$(netns_list)" "" "nothing left"
finish
