# SPDX-License-Identifier: Apache-2.0
# nstopo exec (inside a node, exit code passed through, no shell) and nstopo graph (valid dot,
# checked with Graphviz, and mermaid).
source "$(dirname "$0")/lib.sh"
LAB=$SRC/topologies/seeds/veth-pair.yaml
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"

step "exec"
expect_rc 0 "exec runs inside the node" -- "$NSTOPO" exec ns1 --lab veth-pair -- ip -br addr show veth0
grep -q "10.1.1.2/24" "$WORK/out" && pass "sees the node's interface" || fail "exec output: $(cat "$WORK/out")"
expect_rc 7 "the inner exit code comes back" -- "$NSTOPO" exec ns2 --file "$LAB" -- sh -c 'exit 7'
expect_rc 0 "arguments are passed as a vector, not through a shell" -- "$NSTOPO" exec ns1 --lab veth-pair -- printf '%s|' 'a b' '$(id)'
expect_eq "$(cat "$WORK/out")" 'a b|$(id)|' "no shell expansion"
echo hello >"$WORK/in"
"$NSTOPO" exec ns1 --lab veth-pair -- cat <"$WORK/in" >"$WORK/out"
expect_eq "$(cat "$WORK/out")" "hello" "stdin and stdout are forwarded"
expect_rc 1 "a node of no lab" -- "$NSTOPO" exec ns9 --lab veth-pair -- true
expect_eq "$(cat "$WORK/err")" "error: lab 'veth-pair' has no node 'ns9' on this machine: apply the lab first" "one clear line"
ip netns add stranger
expect_rc 1 "a namespace of someone else" -- "$NSTOPO" exec stranger --lab veth-pair -- true
expect_eq "$(cat "$WORK/err")" "error: namespace 'stranger' does not belong to lab 'veth-pair'" "refused"
expect_rc 127 "a missing program" -- "$NSTOPO" exec ns1 --lab veth-pair -- /nonexistent

step "graph"
for lab in seeds/veth-pair seeds/nested-bridge-ns default; do
  expect_rc 0 "graph dot $lab" -- "$NSTOPO" graph "$SRC/topologies/$lab.yaml" --format dot
  if command -v dot >/dev/null; then
    expect_rc 0 "Graphviz accepts $lab" -- dot -Tsvg "$WORK/out"
  else
    echo "SKIP part: Graphviz is not installed, dot output not checked"
  fi
  expect_rc 0 "graph mermaid $lab" -- "$NSTOPO" graph "$SRC/topologies/$lab.yaml" --format mermaid
  head -1 "$WORK/out" | grep -qx "flowchart LR" && pass "mermaid starts with flowchart" || fail "mermaid: $(head -1 "$WORK/out")"
done
if command -v dot >/dev/null; then
  expect_rc 0 "graph svg" -- "$NSTOPO" graph "$LAB" --format svg
  grep -q "<svg" "$WORK/out" && pass "svg produced" || fail "no svg"
fi
step "bench"
start=$(date +%s)
expect_rc 0 "bench --json" -- "$NSTOPO" bench "$LAB" --from ns1 --to ns2 --duration 1 --json
elapsed=$(( $(date +%s) - start ))
python3 - "$WORK/out" <<'PY' && pass "positive rates and throughput" || fail "bench: $(cat "$WORK/out")"
import json, sys
report = json.load(open(sys.argv[1]))
for kind in ("tcp_rr", "tcp_crr", "udp_rr"):
    assert report[kind]["transactions_per_second"] > 0, kind
stream = report["tcp_stream"]
assert stream.get("bits_per_second", 1) > 0 and ("bits_per_second" in stream or "skipped" in stream)
PY
expect_eq "$(( elapsed <= 20 ))" "1" "bench stays within its time bound (${elapsed}s for 4 x 1 s)"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
finish
