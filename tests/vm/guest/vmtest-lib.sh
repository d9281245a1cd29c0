# SPDX-License-Identifier: Apache-2.0
# Helpers for scenario scripts in the test VM (busybox sh): `. /usr/lib/vmtest/lib.sh`.
# A scenario reports each check as its own "VMTEST <scenario>.<check> ..." line, which
# run-vm.sh counts, and exits 0 only if none failed (init prints the scenario's own line).

# Debian's busybox sh prefers its own applets to programs on PATH, so a bare `ip` would be
# busybox's (no netns, ipvlan or vlan) and `ping` busybox's too. Shell functions come before
# applets: route the names to the real iproute2 (ip, tc) and iputils copied in by
# build-initramfs.sh.
# Programs that other programs exec (ip netns exec NS ping, nstopo) find the real ones on PATH.
for vmtest_real in /usr/bin/ip /usr/bin/ping /usr/bin/tc; do
  if [ -x "$vmtest_real" ] && [ "$(readlink -f "$vmtest_real")" != /usr/bin/busybox ]; then
    eval "${vmtest_real##*/}() { $vmtest_real \"\$@\"; }"
  fi
done

VMTEST_SCENARIO=${VMTEST_SCENARIO:-scenario}
VMTEST_FAILURES=0

# vmtest_result CHECK PASS|FAIL|SKIP REASON...
vmtest_result() {
  check=$1
  status=$2
  shift 2
  [ "$status" = FAIL ] && VMTEST_FAILURES=$((VMTEST_FAILURES + 1))
  echo "VMTEST ${VMTEST_SCENARIO}.${check} ${status} $*"
}
vmtest_pass() { c=$1; shift; vmtest_result "$c" PASS "$@"; }
vmtest_fail() { c=$1; shift; vmtest_result "$c" FAIL "$@"; }
vmtest_skip() { c=$1; shift; vmtest_result "$c" SKIP "$@"; }

# check CHECK COMMAND...: one VMTEST line for one command, with the last line of its output; on
# failure the whole output first, each line prefixed with the check's name.
check() {
  check_name=$1
  shift
  if check_out=$("$@" 2>&1); then
    vmtest_pass "$check_name" "$(echo "$check_out" | tail -n 1)"
  else
    echo "$check_out" | sed "s/^/vmtest: $check_name: /"
    vmtest_fail "$check_name" "$(echo "$check_out" | tail -n 1)"
  fi
}

# reaches FROM ADDRESS: up to 5 pings of 2 s each (the first may wait for ARP/ND). A function,
# not `sh -c`: a nested busybox sh runs its own `ip` applet, which lacks -n.
reaches() {
  for _ in 1 2 3 4 5; do
    vmtest_ping "$1" "$2" && return 0
  done
  echo "$1 does not reach $2 after 5 pings"
  return 1
}

# vmtest_run DESCRIPTION COMMAND...: runs a setup command, prints its output only if it failed,
# so a FAIL line is preceded by the command that broke.
vmtest_run() {
  what=$1
  shift
  if ! vmtest_out=$("$@" 2>&1); then
    echo "vmtest: $what failed: $* -> $vmtest_out"
    return 1
  fi
}

# vmtest_ping NAMESPACE ADDRESS: one bounded ping.
vmtest_ping() { ip netns exec "$1" ping -c 1 -W 2 "$2" >/dev/null 2>&1; }

# vmtest_wait_ovs_cpu_count: returns once the guest has been up 11 s. Open vSwitch 3.1.0 (Debian
# 12) counts the CPUs only when its monotonic clock reads 10 s or more ("ovs-thread: Fix cpus not
# read for the first 10s", fixed after 3.1.0): an ovs-vswitchd configured earlier in a fresh VM
# starts no upcall handler, and the kernel datapath loses every packet that misses its flow table
# (seen as "lookups: ... lost:75" and no ping). Bounded by the 11 s it waits for.
vmtest_wait_ovs_cpu_count() {
  while :; do
    up=$(cut -d. -f1 /proc/uptime)
    [ "$up" -ge 11 ] && return 0
    sleep 1
  done
}

# vmtest_finish: the scenario's exit status.
vmtest_finish() { [ "$VMTEST_FAILURES" -eq 0 ]; }
