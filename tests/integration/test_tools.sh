# SPDX-License-Identifier: Apache-2.0
# The everyday commands on the seeds, beyond test_exec_graph.sh and test_verify.sh: exec's exit
# codes, signals and /sys view; verify's TCP, host and all-pairs probes, its located errors and
# its failure report on the bridge seed; graph on every seed and on awkward names; bench within
# its time bound.
source "$(dirname "$0")/lib.sh"
PAIR=$SRC/topologies/seeds/veth-pair.yaml
BRIDGE=$SRC/topologies/seeds/linux-bridge.yaml

# elapsed_since START: whole seconds since START (from `date +%s`)
elapsed_since() { echo $(( $(date +%s) - $1 )); }

step "exec"
expect_rc 0 "apply veth-pair" -- "$NSTOPO" apply "$PAIR"
expect_rc 7 "the inner exit code comes back" -- "$NSTOPO" exec ns1 --lab veth-pair -- sh -c 'exit 7'
expect_rc 137 "killed by SIGKILL: 128 + 9" -- "$NSTOPO" exec ns1 --lab veth-pair -- sh -c 'kill -KILL $$'
expect_rc 126 "a file that is not a program" -- "$NSTOPO" exec ns1 --lab veth-pair -- /etc/passwd
expect_rc 0 "options after -- belong to the command" -- "$NSTOPO" exec ns2 --lab veth-pair -- ip -o -4 addr show dev veth1
grep -q "inet 10.1.1.3/24" "$WORK/out" && pass "the command sees ns2's address" || fail "exec output: $(cat "$WORK/out")"
sys_before=$(ls /sys/class/net)
expect_rc 0 "/sys inside the node" -- "$NSTOPO" exec ns1 --lab veth-pair -- ls /sys/class/net
expect_eq "$(sort "$WORK/out" | tr '\n' ' ')" "lo veth0 " "/sys lists the node's interfaces, as with ip netns exec"
expect_eq "$(ls /sys/class/net)" "$sys_before" "the caller's /sys is left alone"
expect_rc 0 "exec in host" -- "$NSTOPO" exec host --lab veth-pair -- ip -o link show
if grep -q "veth" "$WORK/out"; then fail "host sees a lab interface: $(cat "$WORK/out")"; else pass "host is nstopo's own namespace"; fi
# A SIGTERM to nstopo reaches the command: nothing keeps running in the node.
"$NSTOPO" exec ns1 --lab veth-pair -- sleep 30 &
exec_pid=$!
for _ in $(seq 300); do [[ -n $(ip netns pids ns1) ]] && break; sleep 0.1; done
start=$(date +%s)
kill -TERM "$exec_pid"
rc=0; wait "$exec_pid" || rc=$?
expect_eq "$rc" "143" "the command ended by the forwarded SIGTERM (128 + 15)"
expect_eq "$(( $(elapsed_since "$start") < 5 ))" "1" "at once"
expect_eq "$(ip netns pids ns1)" "" "no process left in ns1"

step "verify: TCP, host and all pairs"
# The seed with a second address on ns2, which only all_pairs probes.
LAB=$WORK/veth-pair-tcp.yaml
sed -e '/^verify:/,$d' -e 's|veth1: {addresses: \[10.1.1.3/24\]}|veth1: {addresses: [10.1.1.3/24, 10.1.1.4/24]}|' "$PAIR" >"$LAB"
grep -q "10.1.1.4/24" "$LAB" || fail "the seed changed: cannot add a second address"
cat >>"$LAB" <<'EOF'
verify:
  all_pairs: true
  expect:
    - {from: ns1, to: ns2, protocol: tcp, port: 5201}
    - {from: ns1, to: 10.1.1.3, protocol: tcp, port: 5202, reachable: false}
    - {from: ns2, to: ns1:veth0}
    - {from: host, to: 10.1.1.2, reachable: false}
EOF
expect_rc 0 "apply the variant over the seed" -- "$NSTOPO" apply "$LAB"
# A listener inside ns2 for at most 30 s, started through nstopo exec and ended by its pid.
"$NSTOPO" exec ns2 --lab veth-pair -- timeout 30 python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5201)); s.listen(16); time.sleep(30)' &
listener=$!
for _ in $(seq 300); do
  ip netns exec ns2 ss -Hltn 'sport = :5201' | grep . >/dev/null && break
  sleep 0.1
done
start=$(date +%s)
expect_rc 0 "verify passes" -- "$NSTOPO" verify "$LAB" --json --timeout-ms 500 --count 1
python3 - "$WORK/out" <<'PY' && pass "json: tcp open, tcp refused, host, all pairs" || fail "json: $(cat "$WORK/out")"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["lab"] == "veth-pair" and report["ok"] is True, report
rows = {(r["from"], r["to"], r["protocol"], r["port"]): r for r in report["results"]}
assert rows[("ns1", "ns2", "tcp", 5201)]["reachable"] is True
refused = rows[("ns1", "10.1.1.3", "tcp", 5202)]
assert refused["reachable"] is False and refused["ok"] is True and refused["expected_reachable"] is False
assert rows[("ns2", "ns1:veth0", "icmp", 0)]["address"] == "10.1.1.2"
assert rows[("host", "10.1.1.2", "icmp", 0)]["reachable"] is False
# all_pairs adds what no expectation names: ns1 -> ns2's second address
assert rows[("ns1", "10.1.1.4", "icmp", 0)]["reachable"] is True
for r in report["results"]:
    assert set(r) >= {"from", "to", "address", "protocol", "port", "expected_reachable",
                      "reachable", "ok", "rtt_ms", "detail"}, r
PY
expect_eq "$(( $(elapsed_since "$start") < 10 ))" "1" "bounded by --timeout-ms and --count"
kill -TERM "$listener"; wait "$listener" 2>/dev/null || true
expect_rc 1 "the closed port fails the tcp expectation" -- "$NSTOPO" verify "$LAB" --timeout-ms 500 --count 1
grep -q "error: ns1 -> ns2 (10.1.1.3 tcp/5201): expected reachable, got unreachable" "$WORK/err" \
  && pass "names the tcp pair" || fail "stderr: $(cat "$WORK/err")"
expect_rc 0 "destroy veth-pair" -- "$NSTOPO" destroy "$PAIR"

step "verify: the bridge seed, broken by hand"
expect_rc 0 "apply linux-bridge" -- "$NSTOPO" apply "$BRIDGE"
expect_rc 0 "verify passes" -- "$NSTOPO" verify "$BRIDGE"
head -1 "$WORK/out" | grep -q '^from \\ to' && pass "a matrix, from \\ to" || fail "matrix: $(cat "$WORK/out")"
ip -n ns1 link del veth0
start=$(date +%s)
expect_rc 1 "verify fails" -- "$NSTOPO" verify "$BRIDGE" --timeout-ms 300 --count 1
expect_eq "$(( $(elapsed_since "$start") < 10 ))" "1" "a failing verify stays bounded"
grep -q "linux-bridge.yaml:[0-9]*:[0-9]*: error: ns1 -> ns2 (10.1.1.3 icmp): expected reachable, got unreachable" "$WORK/err" \
  && pass "names ns1 -> ns2 at its line" || fail "stderr: $(cat "$WORK/err")"
grep -q "error: ns2 -> ns1 (10.1.1.2 icmp): expected reachable, got unreachable" "$WORK/err" \
  && pass "names ns2 -> ns1" || fail "stderr: $(cat "$WORK/err")"
grep -q "^0 passed, 2 failed$" "$WORK/out" && pass "counts the failures" || fail "stdout: $(cat "$WORK/out")"
grep -q "FAIL" "$WORK/out" && pass "the matrix marks them" || fail "matrix: $(cat "$WORK/out")"
expect_rc 0 "destroy linux-bridge" -- "$NSTOPO" destroy "$BRIDGE"

step "verify: located errors"
BAD=$WORK/bad-verify.yaml
sed '/^verify:/,$d' "$PAIR" >"$BAD"
lines=$(wc -l <"$BAD")
cat >>"$BAD" <<'EOF'
verify:
  expect:
    - {from: ns3, to: ns2}
    - {from: ns1, to: 'ns2:veth2'}
    - {from: ns1, to: ns2, port: 80}
EOF
expect_rc 1 "verify refuses a wrong section before probing" -- "$NSTOPO" verify "$BAD"
expect_eq "$(cat "$WORK/err")" "$BAD:$((lines + 3)):7: error: expectation 'from': 'ns3' is not a node of the lab (did you mean 'ns1'?)
$BAD:$((lines + 4)):7: error: expectation 'to': node 'ns2' has no interface 'veth2' in the file (did you mean 'ns2:veth1'?)
$BAD:$((lines + 5)):7: error: expectation: 'port' goes with 'protocol: tcp'" "every problem at file:line:column"

step "graph"
for seed in "$SRC"/topologies/seeds/*.yaml; do
  name=$(basename "$seed" .yaml)
  expect_rc 0 "graph dot $name" -- "$NSTOPO" graph "$seed" --format dot
  if command -v dot >/dev/null; then
    expect_rc 0 "Graphviz accepts $name" -- dot -Tsvg "$WORK/out"
  fi
  expect_rc 0 "graph mermaid $name" -- "$NSTOPO" graph "$seed" --format mermaid
  head -1 "$WORK/out" | grep -Eq '^(graph|flowchart) ' && pass "mermaid header" || fail "mermaid: $(head -1 "$WORK/out")"
done
command -v dot >/dev/null || echo "SKIP part: Graphviz is not installed, dot output not checked with dot -Tsvg"
ODD=$WORK/odd.yaml
cat >"$ODD" <<'EOF'
name: my.lab-1
nodes:
  ns-1: {interfaces: {eth0: {addresses: [10.1.1.2/24]}}}
  ns.2: {interfaces: {eth0: {addresses: [10.1.1.3/24]}}}
links:
  - {kind: veth, endpoints: [ns-1:eth0, ns.2:eth0]}
EOF
expect_rc 0 "graph of a lab with dots and dashes" -- "$NSTOPO" graph "$ODD"
head -1 "$WORK/out" | grep -qx 'graph "my.lab-1" {' && pass "the lab name is quoted" || fail "dot: $(head -1 "$WORK/out")"
if command -v dot >/dev/null; then
  expect_rc 0 "Graphviz accepts dotted and dashed names" -- dot -Tsvg "$WORK/out"
  expect_rc 0 "graph --format svg" -- "$NSTOPO" graph "$ODD" --format svg
  grep -q "<svg" "$WORK/out" && pass "svg produced" || fail "no svg"
fi
expect_rc 1 "svg without Graphviz on PATH" -- env PATH=/nonexistent "$NSTOPO" graph "$ODD" --format svg
grep -q "svg needs Graphviz's \`dot\`" "$WORK/err" && pass "says what is missing" || fail "stderr: $(cat "$WORK/err")"

step "bench"
expect_rc 0 "apply linux-bridge" -- "$NSTOPO" apply "$BRIDGE"
start=$(date +%s)
expect_rc 0 "bench --json across the bridge" -- "$NSTOPO" bench "$BRIDGE" --from ns1 --to ns2:veth1 --duration 1 --json
elapsed=$(elapsed_since "$start")
if command -v iperf3 >/dev/null; then want_stream=1; else want_stream=0; echo "SKIP part: iperf3 is not installed, TCP stream not measured"; fi
python3 - "$WORK/out" "$want_stream" <<'PY' && pass "positive numbers" || fail "bench: $(cat "$WORK/out")"
import json, sys
report = json.load(open(sys.argv[1]))
assert report["from"] == "ns1" and report["to"] == "ns2:veth1" and report["address"] == "10.1.1.3"
assert report["duration_s"] == 1
for kind in ("tcp_rr", "tcp_crr", "udp_rr"):
    assert report[kind]["transactions_per_second"] > 0 and report[kind]["transactions"] > 0, kind
if sys.argv[2] == "1":
    assert report["tcp_stream"]["tool"] == "iperf3" and report["tcp_stream"]["bits_per_second"] > 0
else:
    assert "skipped" in report["tcp_stream"]
PY
expect_eq "$(( elapsed <= 20 ))" "1" "bench stays within its time bound (${elapsed}s for 4 x 1 s)"
expect_eq "$(ip netns pids ns1) $(ip netns pids ns2)" " " "no iperf3 or other process left in the nodes"
expect_rc 0 "bench, text" -- "$NSTOPO" bench "$BRIDGE" --from ns2 --to ns1 --duration 1
grep -q "tcp_rr .* transactions/s" "$WORK/out" && pass "text report" || fail "bench: $(cat "$WORK/out")"
expect_rc 0 "bench --to an address runs the server where the address lives" -- \
  "$NSTOPO" bench "$BRIDGE" --from ns1 --to 10.1.1.3 --duration 1 --json
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["tcp_rr"]["transactions"] > 0' \
  "$WORK/out" && pass "answered from ns2" || fail "bench --to 10.1.1.3: $(cat "$WORK/out")"
expect_rc 1 "bench --to an address of no node" -- "$NSTOPO" bench "$BRIDGE" --from ns1 --to 10.1.1.99 --duration 1
grep -q "no node of lab .* has this address" "$WORK/err" && pass "says no node has it" || fail "stderr: $(cat "$WORK/err")"
expect_rc 1 "bench --from a namespace outside the lab" -- "$NSTOPO" bench "$BRIDGE" --from stranger --to ns2 --duration 1
grep -q "'stranger' is not a node of lab" "$WORK/err" && pass "names the stranger" || fail "stderr: $(cat "$WORK/err")"
expect_rc 0 "destroy linux-bridge" -- "$NSTOPO" destroy "$BRIDGE"
expect_eq "$(netns_list)" "" "no namespace left"
finish
