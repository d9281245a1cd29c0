#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Runs inside the test VM (Debian's kernel, busybox sh): the rollback and crash sweeps of
# tests/integration (test_fault_injection.sh, crash_lib.sh) on a lab of the three kinds of issue
# 12 together, topologies/examples/vxlan-vrf-bond.yaml: bonds, a VRF and a VXLAN tunnel, which
# this development machine's kernel cannot all make (no vrf, no bonding).
#   fault_create  the Nth operation of building the lab fails (NSTOPO_FAULT_INJECT_AT=N), for
#                 every N until a run gets through: exit 1 and exactly the baseline after each
#   fault_edit    the same for an edit of the applied lab (a bond's new mode, a bond member's
#                 veth removed, the VRF's new table with its route, a tunnel's new remote):
#                 exactly the lab before the edit after each failed run
#   kill          SIGKILL at the Kth request of an apply (strace), for every K, and again at one
#                 of the first three requests of the run after it once its journal is written:
#                 the next apply exits 0, the plan is empty, the machine is the file's, destroy
#                 leaves the baseline, no namespace and no /run/nstopo/LAB
# "The machine" is machine_view.sh's reading with `ip -j` and jq (links with kind, state, MTU,
# master and kind data, addresses, routes of every table), never nstopo's own. Each sweep is one
# VMTEST line; every run that breaks a promise prints a "vmtest:" line with the difference.
# Under TCG emulation a failed run with its check takes about 4 s and a kill with its recovery
# about 16 s, so the fault sweeps try every N (about 35 runs) but the kill sweep every 4th K
# (about 8 of 31 requests), starting at K = 1 + (offset mod 4): the offset is the guest's clock
# unless NSTOPO_SWEEP_OFFSET says, and is printed, so successive runs cover every K.
# NSTOPO_SWEEP_KILL_STRIDE and NSTOPO_SWEEP_FAULT_STRIDE change the strides (1: every one).
# shellcheck source=SCRIPTDIR/../guest/vmtest-lib.sh
. /usr/lib/vmtest/lib.sh
# shellcheck source=SCRIPTDIR/../../integration/machine_view.sh
. /usr/lib/vmtest/machine_view.sh

skip_all() {
  vmtest_skip "$1" "$2"
  vmtest_finish
  exit $?
}
command -v nstopo >/dev/null 2>&1 || skip_all nstopo "no nstopo binary in the image (NSTOPO was not set)"
command -v strace >/dev/null 2>&1 || skip_all strace "no strace in the image (install strace on the host)"
command -v jq >/dev/null 2>&1 || skip_all jq "no jq in the image (install jq on the host)"
for kind in bond vrf; do
  case $kind in
    vrf) probe_args="type vrf table 4000" ;;
    *) probe_args="type $kind" ;;
  esac
  # shellcheck disable=SC2086 # the probe's arguments are words
  ip link add nstopo-probe $probe_args >/dev/null 2>&1 ||
    skip_all "$kind" "this kernel cannot create $kind links"
  ip link del nstopo-probe
done

kill_stride=${NSTOPO_SWEEP_KILL_STRIDE:-4}
fault_stride=${NSTOPO_SWEEP_FAULT_STRIDE:-1}
offset=${NSTOPO_SWEEP_OFFSET:-$(date +%s)}
work=/tmp/nstopo-sweep
mkdir -p "$work"
lab=$work/lab.yaml
cp /topologies/examples/vxlan-vrf-bond.yaml "$lab"
lab_name=vxlan-vrf-bond
# The edit: a's bond changes mode (replaced, with the tunnel over it), the second veth goes (a
# member of both bonds and b's primary: released first, set back last by a rollback), the VRF's
# table changes (replaced, its route and member follow), b's tunnel gets a new remote
# (replaced).
edit=$work/edit.yaml
sed -e 's/endpoint: a:bond0, mode: active-backup, miimon: 100, members: \[e1, e2\], primary: e2}/endpoint: a:bond0, mode: balance-xor, miimon: 100, members: [e1]}/' \
  -e 's/endpoint: b:bond0, mode: active-backup, miimon: 100, members: \[e1, e2\], primary: e2}/endpoint: b:bond0, mode: active-backup, miimon: 100, members: [e1]}/' \
  -e '/endpoints: \[a:e2, b:e2\]/d' \
  -e 's/endpoint: a:blue, table: 10/endpoint: a:blue, table: 20/' \
  -e 's/local: 10.0.0.2, remote: 10.0.0.1}/local: 10.0.0.2, remote: 10.0.0.9}/' \
  "$lab" >"$edit"

# nst ARGS...: nstopo, bounded (a hung run fails its check instead of the whole scenario).
nst() { timeout 120 nstopo "$@"; }

# same_machine WHAT EXPECTED: the machine is EXPECTED (a kernel_view), else its difference.
same_machine() {
  sm_now=$(kernel_view)
  [ "$sm_now" = "$2" ] && return 0
  echo "$2" >"$work/expected.view"
  echo "$sm_now" >"$work/got.view"
  echo "$1: the machine differs (- expected, + got):"
  diff "$work/expected.view" "$work/got.view" | grep '^[-+][^-+]'
  return 1
}

# edit_differs: the edit changes the machine (else the edit sweep would prove nothing).
edit_differs() {
  check_out=$(kernel_view)
  [ "$check_out" != "$applied" ] || { echo "the edit left the machine as it was"; return 1; }
  echo "the edit changed $(echo "$applied" | grep -cvxF "$check_out") lines of the machine"
}

baseline=$(kernel_view)

# --- the lab itself -----------------------------------------------------------------------------
check edit_validates nst validate "$edit"
check apply nst apply "$lab"
check verify nst verify "$lab"
check noop nst plan --detailed-exitcode "$lab"
applied=$(kernel_view)
check edit_applies nst apply "$edit"
check edit_changes_the_machine edit_differs
check edit_noop nst plan --detailed-exitcode "$edit"
edited=$(kernel_view)
check edit_back nst apply "$lab"
check edit_back_is_the_lab same_machine "applying the lab again" "$applied"
check destroy nst destroy "$lab"
check destroy_leaves_baseline same_machine "after destroy" "$baseline"

# sweep_faults NAME FILE BEFORE: NSTOPO_FAULT_INJECT_AT=N apply FILE for N = 1, 1+fault_stride,
# ... until a run gets through; each failed run must exit 1, name the injected failure and leave
# exactly BEFORE (a kernel_view). Leaves FILE applied. One VMTEST line.
sweep_faults() {
  sf_name=$1
  sf_file=$2
  sf_before=$3
  sf_start=$(date +%s)
  sf_bad=0
  sf_runs=0
  n=1
  while [ "$n" -le 400 ]; do
    sf_rc=0
    NSTOPO_FAULT_INJECT_AT=$n nst apply "$sf_file" >"$work/out" 2>"$work/err" || sf_rc=$?
    [ "$sf_rc" = 0 ] && break
    sf_runs=$((sf_runs + 1))
    if [ "$sf_rc" != 1 ]; then
      sf_bad=$((sf_bad + 1))
      echo "vmtest: $sf_name: operation $n: exit $sf_rc, not 1 (a leftover?): $(tail -n 3 "$work/err" | tr '\n' ' ')"
    elif ! grep -q "injected failure of operation $n" "$work/err"; then
      sf_bad=$((sf_bad + 1))
      echo "vmtest: $sf_name: operation $n: the error does not name the injected failure: $(tail -n 1 "$work/err")"
    fi
    if ! sf_diff=$(same_machine "operation $n" "$sf_before"); then
      sf_bad=$((sf_bad + 1))
      echo "$sf_diff" | sed "s/^/vmtest: $sf_name: /"
      # Start the next run from BEFORE again, so one failure is reported once.
      nst destroy "$sf_file" >/dev/null 2>&1
      [ "$sf_before" = "$baseline" ] || nst apply "$lab" >/dev/null 2>&1
    fi
    n=$((n + fault_stride))
  done
  sf_time=$(($(date +%s) - sf_start))
  if [ "$sf_rc" != 0 ]; then
    vmtest_fail "$sf_name" "no run got through within 400 operations ($sf_bad failures)"
  elif [ "$sf_bad" -gt 0 ] || [ "$sf_runs" -lt 10 ]; then
    vmtest_fail "$sf_name" "$sf_bad broken promises in $sf_runs failed runs (operations 1-$((n - 1)), stride $fault_stride) in ${sf_time}s"
  else
    vmtest_pass "$sf_name" "$sf_runs failed runs (operations 1-$((n - 1)), stride $fault_stride), each left exactly the machine before, in ${sf_time}s"
  fi
}

# --- fault injection: building the lab, then editing it -----------------------------------------
sweep_faults fault_create "$lab" "$baseline"
check fault_create_converged same_machine "the run that got through" "$applied"
sweep_faults fault_edit "$edit" "$applied"
check fault_edit_converged same_machine "the edit that got through" "$edited"
check fault_destroy nst destroy "$edit"
check fault_destroy_leaves_baseline same_machine "after destroy" "$baseline"

# --- SIGKILL at every request ------------------------------------------------------------------
# killed_at K: apply under strace, which sends it SIGKILL as it enters its Kth sendto on the main
# thread (every netlink request; crash_lib.sh's killed_at). 0 when the run was killed.
killed_at() {
  ka_rc=0
  timeout 120 strace -qq -o /dev/null -e trace=sendto -e "inject=sendto:signal=KILL:when=$1" \
    nstopo apply "$lab" >/dev/null 2>&1 || ka_rc=$?
  [ "$ka_rc" = 137 ]
}

# How many requests a whole apply sends (requests), and the first one after its journal is
# written (first_change), as crash_lib.sh's count_requests.
requests=0
first_change=1
if timeout 120 strace -qq -o "$work/requests" -e trace=sendto,rename,renameat,renameat2 \
  nstopo apply "$lab" >/dev/null 2>&1; then
  requests=$(grep -c '^sendto(' "$work/requests")
  first_change=$(($(sed -n '/^rename/q;p' "$work/requests" | grep -c '^sendto(') + 1))
fi
nst destroy "$lab" >/dev/null 2>&1

# converges LABEL: the next apply converges, the plan is empty, the machine is the file's, destroy
# leaves the baseline, no namespace and no state directory. Prints what broke.
converges() {
  cv_ok=0
  nst apply "$lab" >"$work/out" 2>&1 ||
    { cv_ok=1; echo "$1: apply after it failed: $(tail -n 2 "$work/out" | tr '\n' ' ')"; }
  nst plan --detailed-exitcode "$lab" >"$work/out" 2>&1 ||
    { cv_ok=1; echo "$1: the plan after it is not empty: $(grep '^[-+~] ' "$work/out" | tr '\n' '|')"; }
  same_machine "$1: after the next apply" "$applied" || cv_ok=1
  nst destroy "$lab" >"$work/out" 2>&1 ||
    { cv_ok=1; echo "$1: destroy failed: $(tail -n 2 "$work/out" | tr '\n' ' ')"; }
  same_machine "$1: after destroy" "$baseline" || cv_ok=1
  [ -z "$(ip netns list)" ] || { cv_ok=1; echo "$1: namespaces left: $(ip netns list | tr '\n' ' ')"; }
  [ ! -e "/run/nstopo/$lab_name" ] ||
    { cv_ok=1; echo "$1: /run/nstopo/$lab_name is left: $(ls -A "/run/nstopo/$lab_name" | tr '\n' ' ')"; }
  return "$cv_ok"
}

if [ "$requests" -lt 10 ]; then
  vmtest_fail kill "could not count the requests of an apply under strace ($requests)"
else
  kill_start=$(date +%s)
  kill_bad=0
  kill_runs=0
  k=$((1 + offset % kill_stride))
  echo "vmtest: kill: every ${kill_stride}th request from $k (NSTOPO_SWEEP_OFFSET=$offset)"
  while [ "$k" -le "$requests" ]; do
    kill_runs=$((kill_runs + 1))
    again=$((first_change + k % 3))
    if ! killed_at "$k"; then
      kill_bad=$((kill_bad + 1))
      echo "vmtest: kill: request $k: the run was not killed"
    fi
    killed_at "$again" || true  # the recovering run dies too, unless it finished first
    if ! kill_out=$(converges "kill at request $k, then at $again" 2>&1); then
      kill_bad=$((kill_bad + 1))
      echo "$kill_out" | sed 's/^/vmtest: kill: /'
      nst destroy "$lab" >/dev/null 2>&1  # the next K starts from the baseline
    fi
    k=$((k + kill_stride))
  done
  kill_time=$(($(date +%s) - kill_start))
  if [ "$kill_bad" -gt 0 ]; then
    vmtest_fail kill "$kill_bad of $kill_runs kills broke a promise (requests $((1 + offset % kill_stride))-$requests, stride $kill_stride, NSTOPO_SWEEP_OFFSET=$offset) in ${kill_time}s"
  else
    vmtest_pass kill "$kill_runs kills (requests $((1 + offset % kill_stride))-$requests, stride $kill_stride, NSTOPO_SWEEP_OFFSET=$offset, then at $first_change+K mod 3): each converged, empty plan, the file's machine, destroy left the baseline, in ${kill_time}s"
  fi
fi
check nothing_left same_machine "at the end" "$baseline"
vmtest_finish
