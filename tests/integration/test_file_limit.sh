# SPDX-License-Identifier: Apache-2.0
# A lab near the open-file limit (issue 17): nstopo keeps each namespace's file open while it
# applies, and netlink sockets into as many namespaces as the rest of the limit allows, opened in
# rounds. Here 300 namespaces under a limit of 520 leave room for about 120 sockets, so every
# phase that talks to the namespaces runs in three rounds; at 10,000 namespaces under this
# machine's hard limit of 20,000 the same happens at full size. A limit too low for the lab is
# refused in one line before anything changes. The limit is lowered in a shell without
# CAP_SYS_RESOURCE, so nstopo cannot raise it back.
source "$(dirname "$0")/lib.sh"
NODES=300

# star FILE COUNT: COUNT namespaces on one Linux bridge, one address each
star() {
  python3 - "$1" "$2" <<'PY'
import sys
path, count = sys.argv[1], int(sys.argv[2])
lines = ["name: wide", "nodes:"]
lines += [f"  n{i}: {{interfaces: {{eth0: {{addresses: [10.7.{i // 250}.{i % 250 + 1}/16]}}}}}}"
          for i in range(1, count + 1)]
lines += ["bridges:", "  br-wide: {kind: linux, stp: false}", "links:"]
lines += [f"  - {{kind: veth, endpoints: [n{i}:eth0, br-wide:p{i}]}}" for i in range(1, count + 1)]
open(path, "w").write("\n".join(lines) + "\n")
PY
}
# limited LIMIT COMMAND...: COMMAND under an open-file limit it cannot raise
limited() {
  local limit=$1
  shift
  setpriv --bounding-set=-sys_resource --inh-caps=-sys_resource -- \
    bash -c 'ulimit -n "$0" && exec "$@"' "$limit" "$@"
}
star "$WORK/wide.yaml" "$NODES"
star "$WORK/wider.yaml" $((NODES + 1))

step "apply $NODES namespaces under an open-file limit of 520"
expect_rc 0 "apply" -- limited 520 "$NSTOPO" apply "$WORK/wide.yaml"
expect_eq "$(ip netns list | wc -l)" "$NODES" "$NODES namespaces exist"
expect_eq "$(bridge -j link show | jq '[.[] | select(.master == "br-wide")] | length')" "$NODES" \
  "the bridge has $NODES ports"
# Every namespace, read independently: its eth0 is up with its address (the address phase is the
# one that needs a socket in every namespace, in rounds).
missing=""
for i in $(seq 1 "$NODES"); do
  want="10.7.$((i / 250)).$((i % 250 + 1))"
  got=$(ip -n "n$i" -j addr show dev eth0 | jq -r '.[0] | "\(.operstate) \(.addr_info[] | select(.family == "inet") | .local)"')
  [[ $got == "UP $want" || $got == "LOWERLAYERDOWN $want" || $got == "UNKNOWN $want" ]] || missing+=" n$i($got)"
done
expect_eq "$missing" "" "every namespace has its address on eth0"
wait_until 20 reaches n1 10.7.1.51 && pass "n1 reaches n$NODES" || fail "n1 does not reach n$NODES"
expect_rc 0 "the lab has converged (plan --detailed-exitcode)" -- \
  limited 520 "$NSTOPO" plan --detailed-exitcode "$WORK/wide.yaml"

step "a limit too low for the lab: one line, nothing changed"
expect_rc 1 "apply of $((NODES + 1)) namespaces under a limit of 400 is refused" -- \
  limited 400 "$NSTOPO" apply "$WORK/wider.yaml"
grep -q "the lab has $((NODES + 1)) namespaces: .* the open-file limit is 400; raise it" "$WORK/err" \
  && pass "the refusal names the count and the limit" || fail "refusal: $(cat "$WORK/err")"
expect_eq "$(grep -c . "$WORK/err")" "1" "the refusal is one line"
expect_eq "$(ip netns list | wc -l)" "$NODES" "no namespace was added"
[[ ! -e /run/netns/n$((NODES + 1)) ]] && pass "n$((NODES + 1)) was not created" || fail "n$((NODES + 1)) exists"

step "an edit in every namespace's round, then destroy, under the same limit"
sed -i 's|10.7.0.2/16|10.7.0.2/16, 10.8.0.2/16|' "$WORK/wide.yaml"
expect_rc 0 "apply of one more address" -- limited 520 "$NSTOPO" apply "$WORK/wide.yaml"
expect_eq "$(ip -n n1 -j addr show dev eth0 | jq -r '[.[0].addr_info[] | select(.family == "inet") | .local] | join(" ")')" \
  "10.7.0.2 10.8.0.2" "n1 has both addresses"
expect_rc 0 "destroy" -- limited 520 "$NSTOPO" destroy "$WORK/wide.yaml"
expect_eq "$(ip netns list | wc -l)" "0" "no namespace is left"
expect_eq "$(root_links)" "lo " "no link is left in the host"
finish
