# SPDX-License-Identifier: Apache-2.0
# Open vSwitch labs against a real ovsdb-server and ovs-vswitchd started inside this sandbox
# (`nstopo ovs start`, userspace datapath here): the three OVS seeds, minimal changes, foreign
# rows, the internal-port drift after a vswitchd restart, and destroy leaving no marked row.
source "$(dirname "$0")/lib.sh"
require_ovs
DB=unix:/run/nstopo/ovs/db.sock
vsctl() { ovs-vsctl --db="$DB" --timeout=10 "$@"; }
marked_rows() {
  for table in Bridge Port Interface; do
    vsctl --bare --columns=name find "$table" "external_ids:nstopo-lab=$1"
  done | grep -c . || true
}
tcp_check() {  # FROM TO: a short bounded TCP transfer with iperf3
  ip netns exec "$2" iperf3 -s -1 -D -I "$WORK/iperf.pid" >/dev/null 2>&1
  # Bounded wait until the server listens (-D returns before it does).
  for _ in $(seq 1 100); do
    [[ -n $(ip netns exec "$2" ss -ltnH 'sport = :5201') ]] && break
    sleep 0.1
  done
  if ip netns exec "$1" timeout 15 iperf3 -c "$3" -t 1 -J >"$WORK/iperf.json" 2>/dev/null &&
     python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["end"]["sum_received"]["bytes"] > 0' "$WORK/iperf.json"; then
    pass "TCP from $1 to $3"
  else
    fail "TCP from $1 to $3"
  fi
  [[ -f $WORK/iperf.pid ]] && kill "$(cat "$WORK/iperf.pid")" 2>/dev/null || true
  rm -f "$WORK/iperf.pid"
}
cleanup_ovs() { "$NSTOPO" ovs stop >/dev/null 2>&1 || true; }
trap 'cleanup_ovs; rm -rf "$WORK"' EXIT

step "no OVSDB answering: one line, nothing changed"
expect_rc 1 "apply fails" -- "$NSTOPO" apply "$SRC/topologies/seeds/ovs-veth.yaml"
expect_eq "$(wc -l <"$WORK/err")" "1" "one line"
grep -q "ovs-veth.yaml:[0-9]*:[0-9]*: error: this lab has Open vSwitch bridges, but OVSDB at unix:/run/nstopo/ovs/db.sock" "$WORK/err" \
  && grep -q "nstopo ovs start" "$WORK/err" && pass "names the socket and the command" || fail "message: $(cat "$WORK/err")"
expect_eq "$(netns_list)" "" "nothing created"

step "private Open vSwitch"
expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start
expect_eq "$(cat "$WORK/err")" "" "the daemons' chatter stays in their log files (nothing on stderr)"
expect_rc 0 "nstopo ovs status" -- "$NSTOPO" ovs status
grep -q "datapath auto: netdev\|datapath auto: system" "$WORK/out" && pass "status names the datapath" || fail "status: $(cat "$WORK/out")"

step "a foreign bridge and port, named like the lab's"
vsctl add-br br-foreign -- set Bridge br-foreign datapath_type=netdev
ip link add ovs-veth9 type veth peer name ovs-veth9p
vsctl add-port br-foreign ovs-veth9

step "seed: OVS + veth ports"
LAB=$(copy_topology seeds/ovs-veth.yaml)
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_reach ns1 10.1.1.3
tcp_check ns1 ns2 10.1.1.3
expect_rc 0 "verify" -- "$NSTOPO" verify "$LAB"
expect_rc 0 "second apply is a no-op" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "show" -- "$NSTOPO" show "$LAB"
if [[ $(ovsdb-client --timeout=5 transact "$DB" '["Open_vSwitch",{"op":"select","table":"Bridge","where":[["name","==","ovs-br"]],"columns":["datapath_type"]}]') == *netdev* ]]; then
  grep -q "tx-checksum-offload off" "$WORK/out" && pass "show records TX checksum offload off" || fail "show lacks the offload state"
fi
sed -i 's/ovs-veth1: {tag: 10}/ovs-veth1: {tag: 20}/' "$LAB"
expect_rc 2 "a tag change" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep '^[-+~] ' "$WORK/out")" "~ ovs port ovs-veth1 on ovs-br: tag 10 -> 20" "is a one-line plan"
expect_rc 0 "apply the tag" -- "$NSTOPO" apply "$LAB"
expect_eq "$(vsctl get Port ovs-veth1 tag)" "20" "the port's tag changed"
expect_eq "$(vsctl get Port ovs-veth0 tag)" "10" "the other port kept its tag"
expect_no_reach ns1 10.1.1.3
sed -i 's/ovs-veth1: {tag: 20}/ovs-veth1: {tag: 10}/' "$LAB"
# The node's end renamed: renamed in place, the OVS port is not touched.
sed -i 's/ns1:veth0, ovs-br:ovs-veth0/ns1:eth9, ovs-br:ovs-veth0/; s/      veth0: {addresses/      eth9: {addresses/' "$LAB"
expect_rc 0 "a renamed veth end" -- "$NSTOPO" apply "$LAB"
grep -q '^~ rename ns1:veth0 to eth9$' "$WORK/out" && ! grep -q 'ovs port ovs-veth0' "$WORK/out" \
  && pass "it is renamed in place and its OVS port is left alone" || fail "plan: $(cat "$WORK/out")"
expect_reach ns1 10.1.1.3
# The node's end moved to another node: the pair is rebuilt, and its OVS port re-added.
sed -i 's/ns1/ns3/g' "$LAB"
expect_rc 0 "rebuilding a veth re-adds its OVS port" -- "$NSTOPO" apply "$LAB"
grep -q '^- ovs port ovs-veth0 on ovs-br$' "$WORK/out" && grep -q '^+ ovs port ovs-veth0 tag 10 on ovs-br$' "$WORK/out" \
  && pass "the port was removed and added again" || fail "plan: $(cat "$WORK/out")"
expect_reach ns3 10.1.1.3
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(marked_rows ovs-veth)" "0" "no OVSDB row carries the lab's mark"

step "the Nth kernel or OVSDB operation fails, for every N: nothing is left"
LAB=$(copy_topology seeds/ovs-veth.yaml)
before=$(snapshot; marked_rows ovs-veth)
n=1
while (( n <= 60 )); do
  rc=0
  NSTOPO_FAULT_INJECT_AT=$n "$NSTOPO" apply "$LAB" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ $rc == 0 ]] && break
  after=$(snapshot; marked_rows ovs-veth)
  if [[ $rc == 1 && "$after" == "$before" ]]; then
    pass "operation $n failed and nothing changed"
  else
    fail "operation $n: exit $rc"; diff <(echo "$before") <(echo "$after") >&2 || true
  fi
  n=$((n + 1))
done
expect_eq "$(( n > 5 && n <= 60 ))" "1" "the run went through after $((n - 1)) injected failures"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"

step "seed: OVS internal ports"
LAB=$(copy_topology seeds/ovs-internal.yaml)
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_reach ns1 10.1.1.3
tcp_check ns1 ns2 10.1.1.3
expect_rc 0 "no-op" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
sed -i 's|10.1.1.3/24|10.1.1.4/24|' "$LAB"
expect_rc 2 "an address change" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep -c '^[-+~] ' "$WORK/out")" "2" "is a two-line plan (old address out, new in)"
expect_rc 0 "apply it" -- "$NSTOPO" apply "$LAB"
expect_reach ns1 10.1.1.4

step "vswitchd restart: internal ports come back in the host"
expect_rc 0 "ovs stop signals the daemons it started" -- "$NSTOPO" ovs stop
grep -q "ovsdb-server: not running" "$WORK/out" && grep -q "ovs-vswitchd: not running" "$WORK/out" \
  && pass "both are gone" || fail "after stop: $(cat "$WORK/out")"
"$NSTOPO" ovs start >/dev/null
for _ in $(seq 1 50); do ip link show tap1 >/dev/null 2>&1 && break; sleep 0.1; done
expect_rc 2 "plan reports the drift" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
grep -q "move host:tap1 into ns1" "$WORK/out" && pass "the drift is the internal port in the host" || fail "drift plan: $(cat "$WORK/out")"
expect_rc 0 "apply repairs it" -- "$NSTOPO" apply "$LAB"
expect_reach ns1 10.1.1.4
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(marked_rows ovs-internal)" "0" "no marked row left"

step "seed 003: nested bridge namespace with an OVS internal port"
LAB=$(copy_topology seeds/nested-bridge-ns.yaml)
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_reach ns1 10.177.81.182
expect_reach ns1 10.177.81.181
tcp_check ns1 ns2 10.177.81.182
expect_rc 0 "verify" -- "$NSTOPO" verify "$LAB"
expect_eq "$(ip -n br_ns -o link show master br-1 | grep -c tap4cf6fdaa-f9)" "1" "the internal port is a port of br-1 in br_ns"
expect_eq "$(vsctl get Interface tap4cf6fdaa-f9 external_ids:iface-status)" "active" "external_ids set"
expect_rc 0 "no-op" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(marked_rows nested)" "0" "no marked row left"

step "the foreign bridge survived everything"
expect_eq "$(vsctl list-ports br-foreign)" "ovs-veth9" "foreign port untouched"
expect_eq "$(netns_list)" "" "no namespace left"
expect_eq "$(root_links | tr ' ' '\n' | grep -c '^ovs-veth[01]$\|^tap[12]$')" "0" "no lab interface left in the host"
finish
