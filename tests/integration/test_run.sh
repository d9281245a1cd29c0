# SPDX-License-Identifier: Apache-2.0
# Issue 15: `nstopo run FILE [--in NODE] -- CMD`, a lab bound to the life of a command, and its
# watcher, which destroys the lab when nstopo is killed. Every wait is a bounded retry.
source "$(dirname "$0")/lib.sh"

# write_lab FILE LAB N1 N2 MARKER [EXTRA_SERVICE_LINES]: two nodes on a veth, a service on the first
# that carries MARKER in its command line (exec -a), so pgrep finds it without nstopo.
write_lab() {
  cat >"$1" <<YAML
name: $2
nodes:
  $3:
    interfaces:
      eth0: {addresses: [10.0.7.1/24]}
    services:
      - name: idle
        command: [bash, -c, 'exec -a $5 sleep 1000']
${6:-}
  $4:
    interfaces:
      eth0: {addresses: [10.0.7.2/24]}
links:
  - kind: veth
    endpoints: [$3:eth0, $4:eth0]
YAML
}

nothing_left() {
  [[ -z $(netns_list) ]] && [[ ! -e /run/nstopo/$1 ]] &&
    [[ -z $(find /etc/netns -name hosts 2>/dev/null) ]] && ! pgrep -f "^$2" >/dev/null
}

# expect_nothing_left LAB MARKER WHAT: no namespace, state directory, hosts file or service.
expect_nothing_left() {
  if nothing_left "$1" "$2"; then
    pass "$3: nothing left"
  else
    fail "$3: left over: netns [$(netns_list)], state [$(find /run/nstopo -path "*/$1*" 2>/dev/null | tr '\n' ' ')], hosts [$(find /etc/netns -name hosts 2>/dev/null | tr '\n' ' ')], service [$(pgrep -f "^$2" | tr '\n' ' ')]"
  fi
}

LAB_FILE=$WORK/run.yaml
MARK=nstopo-run-svc-marker
write_lab "$LAB_FILE" runlab r1 r2 "$MARK"
# the watcher names itself (PR_SET_NAME); a service's supervisor, also a copy of nstopo, does not
watchers() { sandbox_pgrep -x nstopo-watcher; }

step "the command's exit code is run's"
expect_rc 0 "exit 0" -- "$NSTOPO" run "$LAB_FILE" -- true
expect_nothing_left runlab "$MARK" "after exit 0"
expect_eq "$(watchers)" "" "the watcher was released and reaped"
expect_rc 3 "exit 3" -- "$NSTOPO" run "$LAB_FILE" -- sh -c 'exit 3'
expect_nothing_left runlab "$MARK" "after exit 3"
expect_rc 143 "killed by SIGTERM: 128 + 15" -- "$NSTOPO" run "$LAB_FILE" -- sh -c 'kill -TERM $$'
expect_nothing_left runlab "$MARK" "after a signal"

step "the command sees the lab"
expect_rc 0 "--in r1: r2 answers by name (the hosts file), bounded retry" -- \
  "$NSTOPO" run "$LAB_FILE" --in r1 -- \
  sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do ping -c1 -W1 r2 >/dev/null && exit 0; done; exit 1'
expect_rc 0 "--in r1 -- ip -j addr" -- "$NSTOPO" run "$LAB_FILE" --in r1 -- ip -j addr show eth0
expect_eq "$(jq -r '.[0].addr_info[] | select(.family == "inet") | .local' "$WORK/out")" "10.0.7.1" \
  "stdout is the command's alone (apply's report went to stderr)"
grep -q "Apply complete" "$WORK/err" && pass "apply's report is on stderr" ||
  fail "stderr: $(cat "$WORK/err")"
expect_rc 0 "in the host: the nodes and the service are there" -- "$NSTOPO" run "$LAB_FILE" -- \
  sh -c "ip netns list | grep -q r1 && ip netns list | grep -q r2 && pgrep -f ^$MARK >/dev/null"
echo from-stdin | "$NSTOPO" run "$LAB_FILE" -- cat >"$WORK/stdin.out" 2>/dev/null || true
expect_eq "$(cat "$WORK/stdin.out")" "from-stdin" "stdin passes through"
# The watcher's socket, the run lock and netlink sockets are close-on-exec or closed: the command
# holds what a command started directly holds, no more.
direct_fds=$(sh -c 'ls /proc/$$/fd' | sort | tr '\n' ' ')
expect_rc 0 "--in r1: list the command's descriptors" -- "$NSTOPO" run "$LAB_FILE" --in r1 -- \
  sh -c 'ls /proc/$$/fd'
expect_eq "$(sort "$WORK/out" | tr '\n' ' ')" "$direct_fds" "the command inherits no descriptor of nstopo"
expect_rc 0 "--in r1: the lab's variables, as exec sets them" -- "$NSTOPO" run "$LAB_FILE" --in r1 -- \
  sh -c 'echo "$NSTOPO_LAB $NSTOPO_NODE $NSTOPO_RUNTIME_DIR"'
expect_eq "$(cat "$WORK/out")" "runlab r1 /run/nstopo/runlab/runtime/r1" "NSTOPO_LAB, NODE, RUNTIME_DIR"
expect_nothing_left runlab "$MARK" "after the commands"

step "a command that is not found"
expect_rc 127 "exit 127" -- "$NSTOPO" run "$LAB_FILE" -- nstopo-no-such-command
expect_nothing_left runlab "$MARK" "after 127"
expect_rc 1 "--in a node the file does not have" -- "$NSTOPO" run "$LAB_FILE" --in r9 -- true
expect_nothing_left runlab "$MARK" "after a wrong --in"

step "an apply that fails"
write_lab "$WORK/bad.yaml" runbad b1 b2 nstopo-run-bad-marker "      - name: quitter
        command: [sh, -c, 'exit 3']"
expect_rc 1 "run exits as apply does" -- "$NSTOPO" run "$WORK/bad.yaml" -- touch "$WORK/ran"
[[ ! -e $WORK/ran ]] && pass "the command did not run" || fail "the command ran"
grep -q "quitter" "$WORK/err" && pass "says why" || fail "stderr: $(cat "$WORK/err")"
expect_nothing_left runbad nstopo-run-bad-marker "after the failed apply"

# start_run: `nstopo run` in the background with a command that sleeps (CMD_MARK in its command
# line); RUN_PID is nstopo's pid. Waits until the command runs.
CMD_MARK=nstopo-run-cmd-marker
# With an argument, that shell text runs first (a trap).
start_run() {
  "$NSTOPO" run "$LAB_FILE" -- bash -c "${1:-} exec -a $CMD_MARK sleep 1000" \
    >"$WORK/bg.out" 2>"$WORK/bg.err" &
  RUN_PID=$!
  if wait_until 30 pgrep -f "^$CMD_MARK" >/dev/null; then
    pass "the command runs"
  else
    fail "the command did not start: $(cat "$WORK/bg.err")"
  fi
}
# wait_exit PID SECONDS: EXIT_RC is its exit code once it ended (bounded), 255 when it did not
# (then it is killed). Not in a $(...): only this shell can wait for its child.
ended() { ! kill -0 "$1" 2>/dev/null || [[ $(ps -o stat= -p "$1") == Z* ]]; }
wait_exit() {
  EXIT_RC=0
  if wait_until "$2" ended "$1"; then
    wait "$1" || EXIT_RC=$?
  else
    kill -9 "$1" 2>/dev/null || true
    wait "$1" || true
    EXIT_RC=255
  fi
}
stop_command() {
  local pid
  for pid in $(pgrep -f "^$CMD_MARK" || true); do kill "$pid"; done
}

for signal in TERM INT; do
  step "SIG$signal to nstopo while the command sleeps"
  start_run
  kill -"$signal" "$RUN_PID"
  wait_exit "$RUN_PID" 30
  expect_eq "$EXIT_RC" "$((128 + $(kill -l "$signal")))" \
    "run ends with the command's status (SIG$signal passed on)"
  expect_nothing_left runlab "$MARK" "after SIG$signal"
  ! pgrep -f "^$CMD_MARK" >/dev/null && pass "the command ended" || fail "the command still runs"
done

step "a command that ignores SIGTERM is killed after the grace period"
start_run "trap '' TERM;"
kill -TERM "$RUN_PID"
wait_exit "$RUN_PID" 30
expect_eq "$EXIT_RC" "137" "run ends with SIGKILL's status, within 30 s"
grep -q "the command did not end; killing it" "$WORK/bg.err" && pass "says so" ||
  fail "stderr: $(cat "$WORK/bg.err")"
expect_nothing_left runlab "$MARK" "after the grace period"

step "kill -9 of nstopo while the command sleeps: the watcher destroys the lab"
start_run
kill -9 "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
if wait_until 20 nothing_left runlab "$MARK"; then
  pass "the watcher destroyed the lab"
else
  fail "the lab is still there 20 s after the kill: $(cat "$WORK/bg.err")"
fi
wait_until 10 eval '[[ -z $(watchers) ]]' && pass "the watcher exited" || fail "watcher runs: $(watchers)"
grep -q "nstopo ended before it destroyed lab 'runlab'" "$WORK/bg.err" && pass "it says why" ||
  fail "watcher's stderr: $(cat "$WORK/bg.err")"
stop_command  # nstopo's child, orphaned by the kill: the watcher does not own it

step "kill -9 of nstopo as soon as the lab's first namespace exists (during its apply or just after)"
"$NSTOPO" run "$LAB_FILE" -- bash -c "exec -a $CMD_MARK sleep 1000" >"$WORK/bg.out" 2>"$WORK/bg.err" &
RUN_PID=$!
# mounted: a kill between the empty file and its bind mount leaves a file no destroy takes
# (the next apply does, docs/reliability.md)
wait_until 30 mountpoint -q /run/netns/r1 || fail "r1 did not appear: $(cat "$WORK/bg.err")"
kill -9 "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
if wait_until 20 nothing_left runlab "$MARK"; then
  pass "the watcher destroyed what the run began (its journal or record names the run)"
else
  fail "the lab is still there 20 s after the kill: $(cat "$WORK/bg.err")"
  expect_nothing_left runlab "$MARK" "after the kill during apply"
fi
wait_until 10 eval '[[ -z $(watchers) ]]' && pass "the watcher exited" || fail "watcher runs: $(watchers)"
stop_command

step "the watcher leaves a lab that was applied again"
start_run
expect_rc 0 "apply the same lab again while run's command sleeps" -- "$NSTOPO" apply "$LAB_FILE"
kill -9 "$RUN_PID"
wait "$RUN_PID" 2>/dev/null || true
if wait_until 20 grep -q "left as it is" "$WORK/bg.err"; then
  pass "the watcher says the lab is no longer the run's"
else
  fail "watcher's stderr: $(cat "$WORK/bg.err")"
fi
wait_until 10 eval '[[ -z $(watchers) ]]' && pass "the watcher exited" || fail "watcher runs: $(watchers)"
expect_eq "$(netns_list)" "r1 r2 " "the lab is still there"
pgrep -f "^$MARK" >/dev/null && pass "its service still runs" || fail "its service is gone"
stop_command
expect_rc 0 "destroy" -- "$NSTOPO" destroy --lab runlab
expect_nothing_left runlab "$MARK" "after destroy"

step "two labs with services side by side"
write_lab "$WORK/a.yaml" runa a1 a2 nstopo-run-a-marker
write_lab "$WORK/b.yaml" runb b1 b2 nstopo-run-b-marker
expect_rc 0 "apply lab a" -- "$NSTOPO" apply "$WORK/a.yaml"
expect_rc 0 "apply lab b" -- "$NSTOPO" apply "$WORK/b.yaml"
pgrep -f ^nstopo-run-a-marker >/dev/null && pgrep -f ^nstopo-run-b-marker >/dev/null &&
  pass "the services of both run" || fail "a service is missing"
expect_rc 0 "destroy lab a" -- "$NSTOPO" destroy --lab runa
! pgrep -f ^nstopo-run-a-marker >/dev/null && pass "lab a's service stopped" ||
  fail "lab a's service runs"
pgrep -f ^nstopo-run-b-marker >/dev/null && pass "lab b's service still runs" ||
  fail "lab b's service stopped"
expect_eq "$(netns_list)" "b1 b2 " "lab b's namespaces are intact"
[[ -e /etc/netns/b1/hosts && ! -e /etc/netns/a1/hosts ]] && pass "only lab a's hosts files went" ||
  fail "hosts files: $(find /etc/netns -name hosts | tr '\n' ' ')"
expect_rc 0 "destroy lab b" -- "$NSTOPO" destroy --lab runb
expect_nothing_left runb nstopo-run-b-marker "after both destroys"

finish
