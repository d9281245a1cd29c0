# SPDX-License-Identifier: Apache-2.0
# Run-time changes (issue 14, part 2) on this machine's kernel (tbf, no netem): `nstopo link`
# down/up on both ends of a veth or one, `flap` seen as carrier changes in the peer, `nstopo
# impair --rate` and `--clear` on nstopo's tbf (handle 4e53:), `run-scenario` with three events;
# each is drift that show and plan report and apply puts back. Everything is read back with
# `ip -j` and `tc -j`, not with nstopo. Hostile inputs are refused with one line and change nothing.
source "$(dirname "$0")/lib.sh"
LAB=$WORK/rt.yaml
cat >"$LAB" <<'YAML'
name: rt
nodes:
  a:
    interfaces:
      eth0: {addresses: [10.0.0.1/24], impair: {rate: 10mbit}}
  b:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
links:
  - {kind: veth, endpoints: [a:eth0, b:eth0]}
YAML

# admin NS IF: "UP" or "DOWN", the interface's administrative state from its flags.
admin() {
  ip -n "$1" -j link show dev "$2" | jq -r 'if (.[0].flags | index("UP")) then "UP" else "DOWN" end'
}
# carrier_changes NS IF: the kernel's count of carrier changes of the interface.
carrier_changes() {
  ip -n "$1" -j -s -s link show dev "$2" | jq -r '[.. | .carrier_changes? // empty] | first'
}
# root_qdisc NS IF: "KIND HANDLE RATE" of the root qdisc (tbf's rate in bytes per second).
root_qdisc() {
  tc -n "$1" -j qdisc show dev "$2" root |
    jq -r '.[0] | "\(.kind) \(.handle) \(.options.rate // "-")"'
}
# state: both ends' admin state and qdiscs, to check that a refused command changed nothing.
state() {
  echo "$(admin a eth0) $(admin b eth0) $(root_qdisc a eth0) / $(root_qdisc b eth0)"
}
# wait_for DESCRIPTION TRIES COMMAND...: retries COMMAND every 50 ms, at most TRIES times.
wait_for() {
  local what=$1 tries=$2
  shift 2
  for _ in $(seq 1 "$tries"); do
    if "$@"; then
      pass "$what"
      return
    fi
    sleep 0.05
  done
  fail "$what: not within $((tries * 50)) ms"
}

expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
converged="UP UP tbf 4e53: 1250000 / noqueue 0: -"
expect_eq "$(state)" "$converged" "the file's state"

step "link down acts on both ends of the veth; show and plan report it; apply restores"
expect_rc 0 "link down" -- "$NSTOPO" link "$LAB" a:eth0 down
expect_eq "$(cat "$WORK/out")" "a:eth0 down, b:eth0 down" "one line names both ends"
expect_eq "$(admin a eth0) $(admin b eth0)" "DOWN DOWN" "both ends are down"
expect_rc 2 "plan sees drift" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep -c 'a:eth0\|b:eth0' "$WORK/out")" "2" "the plan names both ends"
"$NSTOPO" show "$LAB" >"$WORK/show.txt" 2>&1 || true
expect_eq "$(grep -c '^Drift' "$WORK/show.txt")" "1" "show reports drift"
expect_rc 0 "apply restores" -- "$NSTOPO" apply "$LAB"
expect_eq "$(state)" "$converged" "both ends are up again"

step "--one-end: only that end goes down, and the peer loses its carrier"
expect_rc 0 "link down --one-end" -- "$NSTOPO" link "$LAB" b:eth0 down --one-end
expect_eq "$(admin a eth0) $(admin b eth0)" "UP DOWN" "only b:eth0 is down"
expect_eq "$(ip -n a -j link show dev eth0 | jq -r '.[0].flags | index("NO-CARRIER") != null')" \
  "true" "a:eth0 has no carrier"
expect_rc 0 "link up (--lab)" -- "$NSTOPO" link --lab rt b:eth0 up
expect_eq "$(state)" "$converged" "up again"
expect_rc 0 "converged" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "flap: bounded, each event logged with its time, seen as carrier changes in the peer"
before=$(carrier_changes b eth0)
expect_rc 0 "flap --count 2" -- timeout 20 "$NSTOPO" link "$LAB" a:eth0 flap --one-end \
  --down 200ms --up 200ms --count 2
expect_eq "$(grep -c '^\[ *[0-9.]* s\] a:eth0 \(down\|up\)$' "$WORK/out")" "4" \
  "four events, each with its time"
expect_eq "$(tail -1 "$WORK/out" | sed 's/.*] //')" "a:eth0 up" "the flap ends up"
after=$(carrier_changes b eth0)
expect_eq "$((after - before))" "4" "b:eth0 saw 4 carrier changes ($before -> $after)"
expect_eq "$(state)" "$converged" "the lab is as the file says"

step "Ctrl-C during a flap brings the link back up and exits non-zero"
"$NSTOPO" link "$LAB" a:eth0 flap --down 10s --up 1s --count 3 >"$WORK/flap.out" 2>&1 &
flap=$!
wait_for "the flap took a:eth0 down" 100 bash -c '[[ $(ip -n a -j link show dev eth0 | jq -r ".[0].flags | index(\"UP\")") == null ]]'
kill -INT "$flap" || true
rc=0
wait "$flap" || rc=$?
expect_eq "$rc" "1" "the interrupted flap exits 1"
expect_eq "$(admin a eth0) $(admin b eth0)" "UP UP" "both ends are up again"

step "impair --rate: nstopo's tbf in place, drift, apply puts the file's rate back"
expect_rc 0 "impair --rate 5mbit" -- "$NSTOPO" impair "$LAB" a:eth0 --rate 5mbit
expect_eq "$(root_qdisc a eth0)" "tbf 4e53: 625000" "a:eth0 has tbf 4e53: at 5 mbit"
expect_rc 0 "impair b:eth0 --rate 20mbit (--lab)" -- "$NSTOPO" impair --lab rt b:eth0 --rate 20mbit
expect_eq "$(root_qdisc b eth0)" "tbf 4e53: 2500000" "b:eth0 has tbf 4e53: at 20 mbit"
expect_rc 2 "plan sees drift" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_eq "$(grep -c 'impair a:eth0: rate 10mbit (was rate 5mbit)' "$WORK/out")" "1" \
  "the plan names the changed rate"
expect_rc 0 "apply restores" -- "$NSTOPO" apply "$LAB"
expect_eq "$(state)" "$converged" "the file's rate is back, b:eth0's tbf is gone"

step "impair --clear removes nstopo's qdisc"
expect_rc 0 "impair --clear" -- "$NSTOPO" impair "$LAB" a:eth0 --clear
expect_eq "$(root_qdisc a eth0)" "noqueue 0: -" "the veth's default is back"
expect_rc 2 "plan sees drift" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "apply restores" -- "$NSTOPO" apply "$LAB"
expect_eq "$(state)" "$converged" "the file's rate is back"

step "run-scenario: three events in about a second, logged with their times"
cat >"$WORK/scenario.yaml" <<'YAML'
events:
  - {at: 0s, link: b:eth0, state: down, one_end: true}
  - {at: 500ms, link: a:eth0, impair: {rate: 2mbit}}
  - {at: 1s, link: a:eth0, restore: true}
YAML
before=$(carrier_changes a eth0)
start=$(date +%s%N)
expect_rc 0 "run-scenario" -- timeout 20 "$NSTOPO" run-scenario "$LAB" "$WORK/scenario.yaml"
took=$((($(date +%s%N) - start) / 1000000))
expect_eq "$(awk -v t="$took" 'BEGIN { print (t >= 1000 && t < 8000) ? "ok" : t }')" "ok" \
  "it took about a second (${took} ms)"
expect_eq "$(grep -c '^\[ *[0-9.]* s\] ' "$WORK/out")" "3" "three events logged with their times"
expect_eq "$(grep -c 'a:eth0 impair rate 2mbit' "$WORK/out")" "1" "the impair event is logged"
expect_eq "$(state)" "$converged" "the last event restored the file's state"
expect_eq "$(($(carrier_changes a eth0) - before))" "2" "a:eth0 lost and got back its carrier"

step "Ctrl-C during a scenario restores the file's state of what it touched"
cat >"$WORK/long.yaml" <<'YAML'
events:
  - {at: 0s, link: a:eth0, impair: {rate: 1mbit}}
  - {at: 0s, link: a:eth0, state: down}
  - {at: 50m, link: a:eth0, state: up}
YAML
"$NSTOPO" run-scenario "$LAB" "$WORK/long.yaml" >"$WORK/long.out" 2>&1 &
scenario=$!
wait_for "the scenario took a:eth0 down" 100 bash -c '[[ $(ip -n a -j link show dev eth0 | jq -r ".[0].flags | index(\"UP\")") == null ]]'
kill -TERM "$scenario" || true
rc=0
wait "$scenario" || rc=$?
expect_eq "$rc" "1" "the interrupted scenario exits 1"
expect_eq "$(state)" "$converged" "the file's state is back"

step "hostile inputs: one line each, nothing changed"
before=$(state)
refused() {
  local what=$1
  shift
  expect_rc 1 "$what" -- "$@"
  expect_eq "$(wc -l <"$WORK/err")" "1" "$what: one line ($(head -c 200 "$WORK/err"))"
  expect_eq "$(state)" "$before" "$what: nothing changed"
}
refused "unknown node" "$NSTOPO" link "$LAB" z:eth0 down
expect_eq "$(cat "$WORK/err")" "error: z:eth0: lab 'rt' has no node 'z'" "the line names z:eth0"
refused "unknown interface" "$NSTOPO" link "$LAB" a:eth9 down
refused "unknown interface (--lab)" "$NSTOPO" link --lab rt a:eth9 down
refused "unknown lab" "$NSTOPO" link --lab nosuchlab a:eth0 down
refused "not NODE:IF" "$NSTOPO" link "$LAB" a down
refused "bad action" "$NSTOPO" link "$LAB" a:eth0 sideways
refused "flap count 0" "$NSTOPO" link "$LAB" a:eth0 flap --count 0
refused "flap too long" "$NSTOPO" link "$LAB" a:eth0 flap --down 50m --up 50m --count 2
refused "flap bad unit" "$NSTOPO" link "$LAB" a:eth0 flap --down 2h
refused "rate 0" "$NSTOPO" impair "$LAB" a:eth0 --rate 0mbit
expect_eq "$(cat "$WORK/err")" "error: impair rate '0mbit' is less than 8kbit" "the file's words"
refused "rate in bytes" "$NSTOPO" impair "$LAB" a:eth0 --rate 10mbps
refused "negative delay" "$NSTOPO" impair "$LAB" a:eth0 --delay=-5ms
refused "loss over 100%" "$NSTOPO" impair "$LAB" a:eth0 --loss 101%
refused "absurd limit" "$NSTOPO" impair "$LAB" a:eth0 --limit 99999999
refused "nothing to set" "$NSTOPO" impair "$LAB" a:eth0
refused "clear and a value" "$NSTOPO" impair "$LAB" a:eth0 --clear --rate 1mbit
refused "lo" "$NSTOPO" impair "$LAB" a:lo --rate 1mbit
if tc -n b qdisc add dev eth0 root handle 9: netem delay 1ms 2>/dev/null; then
  tc -n b qdisc del dev eth0 root
  echo "this kernel has netem: the refusal is not tested here"
else
  refused "netem on a kernel without it" "$NSTOPO" impair "$LAB" a:eth0 --delay 50ms
  expect_eq "$(cat "$WORK/err")" \
    "error: this kernel has no netem qdisc (CONFIG_NET_SCH_NETEM); needed by the impair of interface a:eth0" \
    "the probe's line"
fi
printf 'events:\n  - {at: 1s, link: a:eth0, state: down}\n  - {at: 0s, link: a:eth0, state: up}\n' \
  >"$WORK/back.yaml"
refused "scenario going back in time" "$NSTOPO" run-scenario "$LAB" "$WORK/back.yaml"
expect_eq "$(cat "$WORK/err")" \
  "$WORK/back.yaml:3:10: error: event at 0 ms comes before the previous event's 1000 ms" \
  "file:line:column"
printf 'events:\n  - {at: 0s, link: a:eth0, state: down}\n  - {at: 1s, link: z:eth0, state: up}\n' \
  >"$WORK/typo.yaml"
refused "scenario naming a node the lab lacks, checked before the first event" \
  "$NSTOPO" run-scenario "$LAB" "$WORK/typo.yaml"
printf 'events:\n  - {at: 0s, link: a:eth0, state: down}\n  - {at: 61m, link: a:eth0, state: up}\n' \
  >"$WORK/long2.yaml"
refused "scenario longer than an hour" "$NSTOPO" run-scenario "$LAB" "$WORK/long2.yaml"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
finish
