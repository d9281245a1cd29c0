# SPDX-License-Identifier: Apache-2.0
# Issue 22, findings 4 and 5, through the CLI inside this sandbox:
# - an external_ids value that is not UTF-8, against a real Open vSwitch started here: it used to
#   pass validate and abort apply (type_error.316, exit 134) after the namespace was created,
#   leaving it and the journal behind. Now validate and apply refuse it in one located line and
#   nothing is created (no namespace, no OVSDB row, no journal).
# - a hostile ovsdb-server (fake_ovsdb_server.py on a unix socket under $WORK): a deeply nested
#   error, a wrong type, a missing column or an endless '[' answering nstopo's read. `plan` exits
#   1 with one OVSDB line instead of crashing or growing without bound.
source "$(dirname "$0")/lib.sh"
FAKE_PID=
cleanup() {
  [[ -n $FAKE_PID ]] && kill "$FAKE_PID" 2>/dev/null && wait "$FAKE_PID" 2>/dev/null
  [[ -x /usr/sbin/ovs-vswitchd ]] && "$NSTOPO" ovs stop >/dev/null 2>&1
  rm -rf "$WORK"
}
trap cleanup EXIT

cat >"$WORK/seed.yaml" <<'YAML'
name: hostile-ovs
nodes:
  ns1:
    interfaces:
      eth0: {addresses: [10.9.0.1/24]}
bridges:
  ovs-br: {kind: ovs, external_ids: {owner: PLACEHOLDER}}
links:
  - {kind: veth, endpoints: [ns1:eth0, ovs-br:ovs-p0]}
YAML

step "an external_ids value that is not UTF-8"
if [[ -x /usr/sbin/ovs-vswitchd ]]; then
  expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start
else
  echo "note: openvswitch-switch is not installed; the refusal is checked without a running OVS"
fi
sed 's/PLACEHOLDER/"me\xff"/' "$WORK/seed.yaml" >"$WORK/lab.yaml"
expected="$WORK/lab.yaml:7:45: error: bridge 'ovs-br' external_ids 'owner' value 'me\\xff' is not UTF-8 (byte 0xff at offset 2); OVSDB takes only UTF-8 text"
expect_rc 1 "validate refuses it" -- "$NSTOPO" validate "$WORK/lab.yaml"
expect_eq "$(cat "$WORK/err")" "$expected" "one line at the value's place"
expect_rc 1 "apply refuses it" -- "$NSTOPO" apply "$WORK/lab.yaml"
expect_eq "$(cat "$WORK/err")" "$expected" "the same line, nothing else"
expect_eq "$(netns_list)" "" "no namespace was created (ip netns list)"
expect_eq "$(ip -o link show | grep -c ovs-p0 || true)" "0" "no veth end in the host (ip link)"
[[ ! -e /run/nstopo/hostile-ovs ]] && pass "no state directory or journal" \
  || fail "left behind: $(ls -la /run/nstopo/hostile-ovs)"
if [[ -x /usr/sbin/ovs-vswitchd ]]; then
  expect_eq "$(ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 list-br)" "" \
    "no bridge in OVSDB (ovs-vsctl list-br)"
  "$NSTOPO" ovs stop >/dev/null 2>&1 || fail "ovs stop"
fi

step "a hostile ovsdb-server"
export limit=yes
if built_with_sanitizers; then
  limit=no
  echo "note: $NSTOPO is built with AddressSanitizer: no ulimit -v on it"
fi
sed 's/PLACEHOLDER/me/' "$WORK/seed.yaml" >"$WORK/good.yaml"
for mode in deep wrong-type no-name flood; do
  socket=$WORK/fake-$mode.sock
  python3 "$SRC/tests/integration/fake_ovsdb_server.py" "$socket" "$mode" &
  FAKE_PID=$!
  for _ in $(seq 600); do [[ -S $socket ]] && break; sleep 0.05; done
  [[ -S $socket ]] || fail "$mode: the fake server did not come up"
  # ulimit -v: an unbounded client runs into the limit instead of the machine's memory. Not
  # under AddressSanitizer, which reserves terabytes of address space for its shadow at start;
  # the unit test OvsdbHostileServer.EndlessMessageStopsAtTheSizeCapWithBoundedMemory measures
  # the client's peak memory there.
  expect_rc 1 "$mode: plan fails cleanly" -- \
    bash -c '[[ $limit == yes ]] && ulimit -v 1048576; exec "$@"' - \
    "$NSTOPO" --ovsdb "unix:$socket" plan "$WORK/good.yaml"
  expect_eq "$(wc -l <"$WORK/err")" "1" "$mode: one line"
  grep -q "error: OVSDB at unix:$socket: " "$WORK/err" && pass "$mode: names the OVSDB socket" \
    || fail "$mode: message: $(head -c 500 "$WORK/err")"
  kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true
  FAKE_PID=
done
grep -q "nests deeper than 64 levels" "$WORK/err" && pass "the flood stops at the depth cap" \
  || fail "flood: $(head -c 500 "$WORK/err")"
finish
