# SPDX-License-Identifier: Apache-2.0
# Crash sweeps shared by test_crash_macvlan.sh and test_crash_ovs_internal.sh (sourced after
# lib.sh). A test sets LAB (its file), LAB_NAME, EXPECTED (machine_view of the applied lab) and
# BASELINE (machine_view before it), then runs the sweeps. After every killed or failed run:
# the next apply converges, `plan --detailed-exitcode` exits 0, the machine read with ip -j and
# ovs-vsctl is the file's, and destroy leaves exactly the baseline, with no state directory.

OVSDB_SOCKET=/run/nstopo/ovs/db.sock

# shellcheck source=machine_view.sh
source "$(dirname "${BASH_SOURCE[0]}")/machine_view.sh"

# machine_view: one line per link of the host and of every named namespace, "NS NAME KIND
# ADDRESSES" (machine_view.sh's kernel_view --brief: kind from linkinfo, "-" for none; global
# addresses sorted), then "ovs BRIDGE PORT" per OVS port when an ovsdb-server of the sandbox
# runs. Read with ip -j, jq and ovs-vsctl only.
machine_view() {
  kernel_view --brief
  if [[ -S $OVSDB_SOCKET ]]; then
    local bridge
    for bridge in $(ovs-vsctl --db=unix:$OVSDB_SOCKET --timeout=10 list-br); do
      echo "ovs $bridge"
      ovs-vsctl --db=unix:$OVSDB_SOCKET --timeout=10 list-ports "$bridge" | sed "s/^/ovs $bridge /"
    done
  fi
}

# converges LABEL: after a killed or failed run, the next apply converges, the plan is empty,
# the machine is the file's, and destroy leaves the baseline with no state left.
converges() {
  expect_rc 0 "$1: apply converges" -- "$NSTOPO" apply "$LAB"
  expect_rc 0 "$1: nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
  expect_eq "$(machine_view)" "$EXPECTED" "$1: the machine is the file's (ip -j, ovs-vsctl)"
  expect_rc 0 "$1: destroy" -- "$NSTOPO" destroy "$LAB"
  expect_eq "$(machine_view)" "$BASELINE" "$1: destroy leaves nothing (ip -j, ovs-vsctl)"
  expect_eq "$(netns_list)" "" "$1: no namespace left (ip netns)"
  [[ ! -e /run/nstopo/$LAB_NAME ]] && pass "$1: no record or journal left" ||
    fail "$1: /run/nstopo/$LAB_NAME is left: $(ls -A "/run/nstopo/$LAB_NAME")"
}

# killed_at K [ARGS...]: runs `nstopo apply` under strace, which sends it SIGKILL as it enters
# its Kth sendto on the main thread (every request the drivers send: netlink messages and OVSDB
# transactions; the reads run on worker threads, which strace does not follow). Exit 0 when the
# run was killed, 1 when it finished first.
killed_at() {
  local rc=0
  untraced_leaks strace -qq -o /dev/null -e trace=sendto -e "inject=sendto:signal=KILL:when=$1" \
    "$NSTOPO" apply "$LAB" >/dev/null 2>&1 || rc=$?
  [[ $rc == 137 ]]
}

# count_requests: how many sendto calls a whole apply of the lab makes on its main thread, from
# nothing (REQUESTS), and the number of the first one after the run wrote its journal
# (FIRST_CHANGE; those before it read OVSDB). Leaves the lab destroyed.
count_requests() {
  REQUESTS=0
  FIRST_CHANGE=1
  if ! untraced_leaks strace -qq -o "$WORK/requests" -e trace=sendto,rename,renameat,renameat2 \
    "$NSTOPO" apply "$LAB" >/dev/null 2>&1; then
    "$NSTOPO" destroy "$LAB" >/dev/null 2>&1 || true  # the sweeps after this start from nothing
    return 0
  fi
  "$NSTOPO" destroy "$LAB" >/dev/null 2>&1 || true
  local before
  REQUESTS=$(grep -c '^sendto(' "$WORK/requests" || true)
  before=$(sed -n '/^rename/q;p' "$WORK/requests" | grep -c '^sendto(' || true)
  FIRST_CHANGE=$((before + 1))
}

# sweep_kill_every_request: SIGKILL at every request K of the apply, and again at one of the
# first three requests the run after it sends once its journal is written (K mod 3 picks it): a
# second crash before the first one was recovered. That run has adopted what the first left and
# starts by deleting it (a tag, then the deletion), and must strand none of it.
sweep_kill_every_request() {
  local k
  count_requests
  ((REQUESTS > 0)) || { fail "could not count the requests of an apply under strace"; return; }
  step "SIGKILL at each of the $REQUESTS requests of apply, then at request $FIRST_CHANGE+(K mod 3) of the next run"
  for ((k = 1; k <= REQUESTS; k++)); do
    killed_at "$k" || { fail "request $k: the run was not killed"; continue; }
    # The recovering run dies too, unless it finished first.
    killed_at $((FIRST_CHANGE + k % 3)) || true
    converges "kill at request $k, then at $((FIRST_CHANGE + k % 3))"
  done
}

# sweep_fail_every_step: the Nth operation fails (NSTOPO_FAULT_INJECT_AT) for every N until a
# run succeeds; each failed run rolls back to the baseline, and the next one converges.
sweep_fail_every_step() {
  local n rc
  step "the Nth operation of apply fails, for every N"
  for ((n = 1; n <= 200; n++)); do
    rc=0
    NSTOPO_FAULT_INJECT_AT=$n "$NSTOPO" apply "$LAB" >"$WORK/out" 2>"$WORK/err" || rc=$?
    if [[ $rc == 0 ]]; then
      pass "operation $n is past the last: the run succeeded"
      "$NSTOPO" destroy "$LAB" >/dev/null 2>&1 || true
      return
    fi
    expect_eq "$rc" 1 "operation $n fails: exit 1 (rolled back)"
    expect_eq "$(machine_view)" "$BASELINE" "operation $n: the rollback left the baseline"
    converges "failure at operation $n"
  done
  fail "apply never succeeded within 200 operations"
}

# seconds MICROSECONDS: the same time as sleep(1) takes it
seconds() { printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)); }

# sweep_random_kills COUNT: SIGKILL the apply at COUNT random delays within its duration (the
# seed is printed for a replay); every other time the recovering run is killed too.
sweep_random_kills() {
  local count=$1 seed=${NSTOPO_CRASH_SEED:-$RANDOM} start elapsed_us i delay again pid
  RANDOM=$seed
  start=$(date +%s%N)
  "$NSTOPO" apply "$LAB" >/dev/null 2>&1 || fail "a plain apply failed"
  elapsed_us=$((($(date +%s%N) - start) / 1000))
  "$NSTOPO" destroy "$LAB" >/dev/null 2>&1 || fail "a plain destroy failed"
  step "SIGKILL apply at $count random points of its ${elapsed_us}us (NSTOPO_CRASH_SEED=$seed)"
  for ((i = 1; i <= count; i++)); do
    delay=$(((RANDOM * 32768 + RANDOM) % (elapsed_us + 1)))
    "$NSTOPO" apply "$LAB" >/dev/null 2>&1 &
    pid=$!
    sleep "$(seconds "$delay")"
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    again=""
    if ((i % 2 == 0)); then
      again=$(((RANDOM * 32768 + RANDOM) % (elapsed_us + 1)))
      "$NSTOPO" apply "$LAB" >/dev/null 2>&1 &
      pid=$!
      sleep "$(seconds "$again")"
      kill -KILL "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
    converges "random kill $i after ${delay}us${again:+, then ${again}us}"
  done
}

# every_crash_sweep WHAT: a plain apply must give $EXPECTED (the machine as WHAT reads it) and
# destroy $BASELINE; then the three sweeps above, 10 random kills, and the test's result.
every_crash_sweep() {
  step "a plain apply gives the expected machine"
  expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
  expect_eq "$(machine_view)" "$EXPECTED" "the machine is the file's ($1)"
  expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
  expect_eq "$(machine_view)" "$BASELINE" "destroy leaves nothing"

  sweep_kill_every_request
  sweep_fail_every_step
  sweep_random_kills 10
  finish
}
