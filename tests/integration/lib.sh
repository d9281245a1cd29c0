# SPDX-License-Identifier: Apache-2.0
# Shared helpers for integration tests. Each test runs inside sandbox.sh (its own mount and
# network namespace with a private /run), started by CTest with NSTOPO and NSTOPO_SOURCE_DIR.
set -euo pipefail

NSTOPO=${NSTOPO:?set NSTOPO to the nstopo binary}
SRC=${NSTOPO_SOURCE_DIR:?set NSTOPO_SOURCE_DIR to the source tree}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILURES=0
PASSES=0

if [[ ${NSTOPO_IN_SANDBOX:-} != 1 ]]; then
  echo "refusing to run outside tests/integration/sandbox.sh" >&2
  exit 2
fi

# built_with_sanitizers: true when NSTOPO links AddressSanitizer, which reserves terabytes of
# address space at start, so a test cannot bound a run with ulimit -v. ldd's output is read
# whole: `ldd | grep -q` under pipefail fails at random when grep exits before ldd's last write.
built_with_sanitizers() {
  local libraries
  libraries=$(ldd "$NSTOPO" 2>/dev/null) || true
  [[ $libraries == *libasan* || $libraries == *libclang_rt.asan* ]]
}

# untraced_leaks CMD...: runs CMD (strace of nstopo) without the leak check. LeakSanitizer
# cannot run under ptrace and aborts the run at its exit, so strace'd runs of a sanitizer build
# skip it (every other test of the sanitizer pass keeps it).
untraced_leaks() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" "$@"; }

# require_link_kinds KIND...: ends the test as skipped (77), with the reason, when this kernel
# cannot create links of KIND. Probed inside the sandbox, on links of its own.
require_link_kinds() {
  local kind rc
  for kind; do
    rc=0
    case $kind in
      veth) ip link add nstopo-probe0 type veth peer name nstopo-probe1 ;;
      bridge) ip link add nstopo-probe0 type bridge ;;
      *)
        ip link add nstopo-probe0 type veth peer name nstopo-probe1 &&
          ip link add link nstopo-probe0 name nstopo-probe2 type "$kind"
        ;;
    esac 2>"$WORK/probe.err" || rc=$?
    ip link del nstopo-probe0 2>/dev/null || true
    if ((rc != 0)); then
      echo "SKIP: this kernel cannot create $kind links: $(tr '\n' ' ' <"$WORK/probe.err")"
      exit 77
    fi
  done
}
# require_ovs: ends the test as skipped (77), with the reason, when Open vSwitch is not installed
# or its userspace datapath cannot make internal ports (they are tap devices).
require_ovs() {
  if [[ ! -x /usr/sbin/ovs-vswitchd ]]; then
    echo "SKIP: openvswitch-switch is not installed (bash .ci/install-deps installs it)"
    exit 77
  fi
  if [[ ! -c /dev/net/tun ]]; then
    echo "SKIP: no /dev/net/tun, so Open vSwitch's userspace datapath cannot create internal ports"
    exit 77
  fi
}
# Every integration test wires veths, most onto Linux bridges.
require_link_kinds veth bridge

step() { echo "--- $*"; }
# wait_until SECONDS COMMAND...: true as soon as COMMAND succeeds, false once SECONDS have passed
# (the bounded retry every network and process check uses instead of a fixed sleep). The bound is
# time, not tries, so a slow COMMAND (a ping waiting a second for its reply) does not stretch it.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  while true; do
    "$@" && return 0
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}
# sandbox_pgrep PGREP-ARGS...: the pids pgrep finds among this sandbox's own processes (those in
# its network namespace). Tests run side by side, each in a sandbox of its own, and pgrep sees
# every process of the machine: a bare pgrep finds the other tests' watchers and daemons too.
sandbox_pgrep() {
  local pid own
  own=$(readlink /proc/self/ns/net)
  for pid in $(pgrep "$@" || true); do
    if [[ $(readlink "/proc/$pid/ns/net" 2>/dev/null) == "$own" ]]; then echo "$pid"; fi
  done
  return 0
}
pass() { PASSES=$((PASSES + 1)); echo "ok: $*"; }
fail() { FAILURES=$((FAILURES + 1)); echo "FAIL: $*" >&2; }

# expect_eq ACTUAL EXPECTED DESCRIPTION
expect_eq() {
  if [[ "$1" == "$2" ]]; then pass "$3"; else fail "$3: expected [$2], got [$1]"; fi
}

# expect_rc EXPECTED_RC DESCRIPTION -- COMMAND...
expect_rc() {
  local want=$1 what=$2
  shift 3
  local rc=0
  "$@" >"$WORK/out" 2>"$WORK/err" || rc=$?
  if [[ $rc == "$want" ]]; then
    pass "$what"
  else
    fail "$what: exit $rc, wanted $want"
    sed 's/^/    stdout: /' "$WORK/out" >&2
    sed 's/^/    stderr: /' "$WORK/err" >&2
  fi
}

# reaches FROM_NS ADDRESS: one bounded ping
reaches() { ip netns exec "$1" ping -c 1 -W 2 "$2" >/dev/null 2>&1; }

# expect_reach FROM_NS ADDRESS: pings until one is answered, for at most 10 s. A first ping can
# be lost while the path is still settling (neighbour resolution, Open vSwitch's userspace
# datapath setting up its first flow on a loaded machine).
expect_reach() {
  if wait_until 10 reaches "$1" "$2"; then pass "$1 reaches $2"; else fail "$1 does not reach $2"; fi
}

expect_no_reach() {
  if reaches "$1" "$2"; then fail "$1 reaches $2 but must not"; else pass "$1 does not reach $2"; fi
}

netns_list() { ip netns list 2>/dev/null | awk '{print $1}' | sort | tr '\n' ' '; }
root_links() { ip -o link show | awk -F': ' '{print $2}' | sed 's/@.*//' | sort | tr '\n' ' '; }

# copy_topology NAME: a private copy of topologies/NAME the test may edit
copy_topology() {
  cp "$SRC/topologies/$1" "$WORK/$(basename "$1")"
  echo "$WORK/$(basename "$1")"
}

finish() {
  echo "$PASSES passed, $FAILURES failed"
  [[ $FAILURES == 0 ]]
}

# link_lines: "name admin-state mtu master" from `ip -o link` (operstate and carrier follow
# timers, so they are left out).
link_lines() {
  awk '{name=$2; sub(/@[^:]*:$/, ":", name); admin=($3 ~ /[<,]UP[,>]/) ? "up" : "down";
        master=""; for (i = 4; i < NF; i++) if ($i == "master") master=$(i+1);
        print name, admin, $5, master}' | sort
}

# carrier_settled: true once the kernel has caught up with every carrier change: a route on an up
# link is flagged linkdown exactly when that link has no carrier. The kernel sets the carrier at
# once (a veth's peer going down, say) but flags the routes from its link-watch work, up to a
# second later; a snapshot taken in between would differ from one taken after.
carrier_settled() {
  python3 -c '
import json, os, subprocess, sys
def ip(ns, *args):
    prefix = ["ip", "-j"] + (["-n", ns] if ns else [])
    out = subprocess.run(prefix + list(args), capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []
spaces = [""] + (sorted(os.listdir("/run/netns")) if os.path.isdir("/run/netns") else [])
for ns in spaces:
    carrier = {l["ifname"]: "LOWER_UP" in l.get("flags", []) for l in ip(ns, "link", "show")
               if "UP" in l.get("flags", [])}
    for family in ("-4", "-6"):
        for r in ip(ns, family, "route", "show"):
            dev = r.get("dev")
            if dev in carrier and ("linkdown" in r.get("flags", [])) == carrier[dev]:
                sys.exit(1)
'
}

# snapshot: every namespace with its links (name, state, mtu, master), addresses, routes and the
# root namespace's links; ifindexes and MACs are left out so an undo that recreates an object
# compares equal. It waits (bounded) for the kernel's pending carrier changes first.
snapshot() {
  wait_until 5 carrier_settled || true
  {
    echo "netns: $(netns_list)"
    echo "root:"; ip -o link show | link_lines
    ip -o addr show | awk '$4 !~ /^fe80/ {print $2, $4}' | sort
    ip route show proto 152 | sort
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | sort); do
      echo "ns $ns:"
      ip -n "$ns" -o link show | link_lines
      ip -n "$ns" -o addr show | awk '$4 !~ /^fe80/ {print $2, $4}' | sort
      ip -n "$ns" route show | sort
      ip -n "$ns" -6 route show | grep -v '^fe80\|^multicast\|^local\|^anycast' | sort || true
    done
  } 2>/dev/null || true
}

# probe_or_skip LAB REFUSAL WHAT: plans LAB. When this kernel's capability probe refuses it, checks
# that REFUSAL is the whole message, that apply is refused too and created nothing, and ends the
# test there, saying that WHAT runs for real in the vm test.
probe_or_skip() {
  local lab=$1 refusal=$2 what=$3 rc=0
  step "the capability probe"
  "$NSTOPO" plan "$lab" >"$WORK/out" 2>"$WORK/err" || rc=$?
  [[ $rc == 0 ]] && return 0
  expect_eq "$(cat "$WORK/err")" "$refusal" "one line naming the kernel option and the link"
  expect_rc 1 "apply is refused too" -- "$NSTOPO" apply "$lab"
  expect_eq "$(netns_list)" "" "nothing created"
  expect_eq "$(root_links)" "lo " "nothing in the root namespace"
  echo "SKIP part: $what; it runs for real in the vm test (ctest -L vm)"
  finish
  exit
}

# masters NODE: "member:master" of every link of NODE that has a master, sorted.
masters() {
  ip -n "$1" -j link show | jq -r '.[] | select(.master != null) | "\(.ifname):\(.master)"' |
    sort | tr '\n' ' '
}
