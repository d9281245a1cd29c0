# SPDX-License-Identifier: Apache-2.0
# Issue 19: `nstopo run --rootless` and `nstopo shell --rootless` as an unprivileged user
# (`nobody`, through setpriv): the lab lives in a user namespace of its own and leaves nothing
# on the machine (here: the sandbox), whatever ends it. Every wait is a bounded retry.
source "$(dirname "$0")/lib.sh"

command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) is not installed"; exit 77; }
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$WORK" "$@"; }
if ! as_nobody unshare -Urnm true 2>/dev/null; then
  echo "SKIP: an unprivileged user cannot create user namespaces here" \
    "(user.max_user_namespaces, or an AppArmor restriction)"
  exit 77
fi

# nobody must be able to read the files and run the binary: the test's own directory is opened
# up (not the build tree), and the binary is copied there when nobody cannot run it where it is.
chmod 0755 "$WORK"
mkdir -m 0777 "$WORK/shared"
NB=$NSTOPO
if ! as_nobody "$NSTOPO" --version >/dev/null 2>&1; then
  mkdir "$WORK/bin"
  cp "$NSTOPO" "$WORK/bin/nstopo"
  chmod 0755 "$WORK/bin" "$WORK/bin/nstopo"
  NB=$WORK/bin/nstopo
  echo "note: nobody cannot run $NSTOPO; using a copy in $NB"
fi
for file in default.yaml seeds/veth-pair.yaml seeds/linux-bridge.yaml seeds/macvlan-bridge.yaml \
  seeds/macvlan-vlan.yaml seeds/ipvlan-l2.yaml seeds/ipvlan-l3.yaml seeds/ovs-veth.yaml; do
  cp "$SRC/topologies/$file" "$WORK/$(basename "$file")"
done
chmod 0644 "$WORK"/*.yaml

MARK=nstopo-rootless-marker
# What a rootless run may not leave: the sandbox's view before any run.
machine_view() {
  {
    echo "netns: $(netns_list)"
    echo "links: $(root_links)"
    echo "run: $(find /run -mindepth 1 2>/dev/null | sort | tr '\n' ' ')"
    echo "etc/netns: $(ls -A /etc/netns 2>&1 | tr '\n' ' ')"
    echo "mounts: $(awk '{print $5}' /proc/self/mountinfo | sort | tr '\n' ' ')"
  }
}
# Processes of this test's runs: nstopo under its path (the keeper, the lab process, service
# supervisors) and commands carrying the marker.
leftover_processes() { pgrep -u 65534 -f "$NB|$MARK" || true; }
nothing_running() { [[ -z $(leftover_processes) ]]; }
BEFORE=$(machine_view)
# Whatever a failed check left running is ended by pid before the work directory goes.
end_leftovers() {
  local pid
  for pid in $(leftover_processes); do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap end_leftovers EXIT
expect_nothing_left() {
  if ! wait_until 10 nothing_running; then
    fail "$1: processes left: $(leftover_processes | tr '\n' ' ')"
    return
  fi
  local after
  after=$(machine_view)
  if [[ $after == "$BEFORE" ]]; then
    pass "$1: nothing left (processes, namespaces, links, /run, /etc/netns, mounts)"
  else
    fail "$1: the machine changed"
    diff <(echo "$BEFORE") <(echo "$after") >&2 || true
  fi
}

step "the default lab, rootless, as nobody: verify passes inside"
expect_rc 0 "run --rootless default.yaml -- nstopo verify" -- \
  as_nobody "$NB" run --rootless "$WORK/default.yaml" -- "$NB" verify "$WORK/default.yaml"
grep -q " passed, 0 failed" "$WORK/out" && pass "verify inside: $(grep " passed, " "$WORK/out")" ||
  fail "verify's output: $(head -c 300 "$WORK/out")"
expect_nothing_left "after the default lab"

step "the lab is an ordinary lab inside: nodes, bridge, addresses, show"
expect_rc 0 "ip netns list inside names the nodes" -- \
  as_nobody "$NB" run --rootless "$WORK/default.yaml" -- ip netns list
expect_eq "$(awk '{print $1}' "$WORK/out" | sort | tr '\n' ' ')" "c1 c2 router srv " \
  "the default lab's nodes, seen by ip"
expect_rc 0 "the host plays the lab's host: br-lan is a bridge there" -- \
  as_nobody "$NB" run --rootless "$WORK/default.yaml" -- ip -j -d link show br-lan
grep -q '"info_kind":"bridge"' "$WORK/out" && pass "br-lan is a Linux bridge (ip -j -d)" ||
  fail "br-lan: $(head -c 300 "$WORK/out")"
expect_rc 0 "--in c1: the command runs in node c1 and reaches srv by name" -- \
  as_nobody "$NB" run --rootless "$WORK/default.yaml" --in c1 -- \
  sh -c 'for i in 1 2 3 4 5; do ping -c1 -W1 srv >/dev/null && exit 0; done; exit 1'
expect_rc 0 "nstopo show inside" -- \
  as_nobody "$NB" run --rootless "$WORK/default.yaml" -- "$NB" show "$WORK/default.yaml"
expect_rc 0 "nstopo exec, ip netns exec and nstopo link inside" -- \
  as_nobody "$NB" run --rootless "$WORK/default.yaml" -- sh -c \
  "$NB exec --file $WORK/default.yaml c1 -- ping -c1 -W2 srv >/dev/null &&
   ip netns exec c1 ip link show eth0 >/dev/null &&
   $NB link --lab default c1:eth0 down && ip netns exec c1 ip -j link show eth0 | grep -q '\"DOWN\"'"
expect_nothing_left "after the inside checks"

# kernel_has KIND: this kernel can create KIND links (probed as root, on links of the sandbox).
kernel_has() {
  local rc=0
  ip link add rl-probe0 type veth peer name rl-probe1 2>/dev/null || return 1
  ip link add link rl-probe0 name rl-probe2 type "$1" 2>/dev/null || rc=$?
  ip link del rl-probe0 2>/dev/null || true
  return "$rc"
}
step "seed labs that need no device of the machine"
for seed in veth-pair linux-bridge macvlan-bridge macvlan-vlan ipvlan-l2 ipvlan-l3; do
  case $seed in
    macvlan-vlan) kinds="macvlan vlan" ;;
    macvlan-*) kinds=macvlan ;;
    ipvlan-*) kinds=ipvlan ;;
    *) kinds="" ;;
  esac
  missing=""
  for kind in $kinds; do kernel_has "$kind" || missing+="$kind "; done
  if [[ -n $missing ]]; then
    echo "SKIP part: seed $seed: this kernel cannot create ${missing}links"
    continue
  fi
  expect_rc 0 "seed $seed: rootless, verify inside" -- \
    as_nobody "$NB" run --rootless "$WORK/$seed.yaml" -- "$NB" verify "$WORK/$seed.yaml"
done
expect_nothing_left "after the seeds"

step "the command's exit code is run's"
expect_rc 7 "exit 7" -- as_nobody "$NB" run --rootless "$WORK/veth-pair.yaml" -- sh -c 'exit 7'
expect_rc 143 "killed by SIGTERM: 128 + 15" -- \
  as_nobody "$NB" run --rootless "$WORK/veth-pair.yaml" -- sh -c 'kill -TERM $$'
expect_rc 127 "a command that does not exist: 127" -- \
  as_nobody "$NB" run --rootless "$WORK/veth-pair.yaml" -- /nonexistent-command
expect_nothing_left "after the exit codes"

step "SIGKILL of nstopo during a rootless run, with a service running in a node"
cat >"$WORK/svc.yaml" <<YAML
name: rlsvc
nodes:
  r1:
    interfaces:
      eth0: {addresses: [10.0.9.1/24]}
    services:
      - name: idle
        command: [bash, -c, 'exec -a $MARK-service sleep 1000']
  r2:
    interfaces:
      eth0: {addresses: [10.0.9.2/24]}
links:
  - kind: veth
    endpoints: [r1:eth0, r2:eth0]
YAML
chmod 0644 "$WORK/svc.yaml"
# start_waiting_run OUT [ARGS...]: a rootless run of svc.yaml (ARGS after the file) whose
# command waits, in the background, its output in OUT. setpriv and env exec nstopo, so $keeper
# is nstopo's pid (the keeper).
start_waiting_run() {
  local out=$1
  shift
  rm -f "$WORK/shared/ready"
  setpriv --reuid=65534 --regid=65534 --clear-groups env HOME="$WORK" "$NB" run --rootless \
    "$WORK/svc.yaml" "$@" -- bash -c "touch $WORK/shared/ready; exec -a $MARK-command sleep 1000" \
    >"$out" 2>&1 &
  keeper=$!
}
# not_started OUT: the run never got its service and command going; say so, end it by its pid.
not_started() {
  fail "the service or the command did not start: $(cat "$1")"
  kill -KILL "$keeper" 2>/dev/null || true
  wait "$keeper" 2>/dev/null || true
}
service_and_command() { pgrep -f "$MARK-service" >/dev/null && [[ -e $WORK/shared/ready ]]; }
start_waiting_run "$WORK/kill.out" --in r2
if wait_until 20 service_and_command; then
  pass "the service and the command run"
  expect_eq "$(cat /proc/"$keeper"/comm)" "nstopo" "the pid killed is nstopo's"
  kill -KILL "$keeper"
  wait "$keeper" 2>/dev/null || true
  expect_nothing_left "after SIGKILL of nstopo"
else
  not_started "$WORK/kill.out"
fi

step "SIGKILL of the lab process (PID 1 of the lab's PID namespace): the keeper exits 137"
start_waiting_run "$WORK/kill1.out"
if wait_until 20 service_and_command; then
  lab_process=$(pgrep -P "$keeper")
  expect_eq "$(awk '/^NSpid:/ {print $3}' /proc/"$lab_process"/status)" "1" \
    "the keeper's child is PID 1 in its namespace"
  kill -KILL "$lab_process"
  rc=0
  wait "$keeper" || rc=$?
  expect_eq "$rc" "137" "nstopo exits with 128 + 9"
  expect_nothing_left "after SIGKILL of the lab process"
else
  not_started "$WORK/kill1.out"
fi

step "SIGTERM to nstopo: passed on to the command, which ends; the lab goes; 128 + 15"
start_waiting_run "$WORK/term.out"
if wait_until 20 service_and_command; then
  kill -TERM "$keeper"
  rc=0
  wait "$keeper" || rc=$?
  expect_eq "$rc" "143" "nstopo exits with the command's status"
  grep -q "Destroy complete" "$WORK/term.out" && pass "the lab was destroyed in order" ||
    fail "no destroy: $(cat "$WORK/term.out")"
  expect_nothing_left "after SIGTERM"
else
  not_started "$WORK/term.out"
fi

step "a macvlan parent that is a device of the machine is refused in one line"
ip link add rl-parent type veth peer name rl-peer
BEFORE=$(machine_view)
cat >"$WORK/real-parent.yaml" <<'YAML'
name: rlparent
nodes:
  n1:
    interfaces:
      eth0: {addresses: [10.0.8.1/24]}
links:
  - {kind: macvlan, parent: host:rl-parent, endpoint: n1:eth0, mode: bridge}
YAML
chmod 0644 "$WORK/real-parent.yaml"
expect_rc 1 "run --rootless refuses it" -- \
  as_nobody "$NB" run --rootless "$WORK/real-parent.yaml" -- touch "$WORK/shared/ran"
expect_eq "$(wc -l <"$WORK/err")" "1" "the refusal is one line"
grep -q "real-parent.yaml:7:.*host:rl-parent.*device of the machine" "$WORK/err" &&
  pass "it names the file, line and parent: $(cat "$WORK/err")" || fail "refusal: $(cat "$WORK/err")"
[[ ! -e $WORK/shared/ran ]] && pass "the command did not run" || fail "the command ran"
expect_nothing_left "after the refusal"
ip link del rl-parent

step "shell --rootless, fed on stdin: banner, the lab inside, the shell's exit code"
BEFORE=$(machine_view)
expect_rc 3 "shell --rootless exits with the shell's code" -- \
  sh -c "echo 'ip netns list; exit 3' | SHELL=/bin/bash setpriv --reuid=65534 --regid=65534 \
    --clear-groups env HOME=$WORK $NB shell --rootless $WORK/veth-pair.yaml"
grep -q "nstopo shell: lab 'veth-pair', node 'host' (rootless)" "$WORK/err" &&
  pass "the banner names the lab and node" || fail "banner: $(cat "$WORK/err")"
expect_eq "$(awk '{print $1}' "$WORK/out" | sort | tr '\n' ' ')" "ns1 ns2 " \
  "the shell sees the lab's nodes"
machine_hostname=$(hostname)
expect_rc 0 "shell --rootless --in ns1: the shell runs in ns1 (it has veth0)" -- \
  sh -c "echo 'ip link show veth0 >/dev/null && hostname' | SHELL=/bin/bash setpriv \
    --reuid=65534 --regid=65534 --clear-groups env HOME=$WORK $NB shell --rootless --in ns1 \
    $WORK/veth-pair.yaml"
expect_eq "$(cat "$WORK/out")" "veth-pair:ns1" "the shell's hostname (\\h of prompts) names lab and node"
expect_eq "$(hostname)" "$machine_hostname" "the machine's hostname is unchanged"
expect_nothing_left "after the shells"
expect_rc 4 "shell without --rootless, as root: the same, with the watcher" -- \
  sh -c "echo 'exit 4' | SHELL=/bin/bash $NSTOPO shell $WORK/veth-pair.yaml"
grep -q "nstopo shell: lab 'veth-pair', node 'host'; exit" "$WORK/err" &&
  pass "the banner of a root shell" || fail "banner: $(cat "$WORK/err")"
root_watchers() { [[ -z $(sandbox_pgrep -x nstopo-watcher) ]]; }
wait_until 10 root_watchers && pass "the root shell's watcher was released" ||
  fail "the root shell's watcher runs: $(sandbox_pgrep -x nstopo-watcher | tr '\n' ' ')"
expect_eq "$(netns_list)" "" "the root shell's lab was destroyed"
# A root run leaves what root's nstopo keeps (its lock, the shared /run/netns mount): the
# rootless checks below compare with that.
BEFORE=$(machine_view)

step "Open vSwitch inside the user namespace, on the userspace datapath"
if [[ -x /usr/sbin/ovsdb-server && -x /usr/sbin/ovs-vswitchd ]]; then
  sed -i 's/datapath: auto/datapath: netdev/' "$WORK/ovs-veth.yaml"
  if as_nobody sh -c 'exec 3<>/dev/net/tun' 2>/dev/null; then
    echo "note: nobody can open /dev/net/tun here"
  else
    expect_rc 1 "/dev/net/tun closed to nobody: an OVS lab is refused" -- \
      as_nobody "$NB" run --rootless "$WORK/ovs-veth.yaml" -- true
    grep -q "ovs-veth.yaml:.*Open vSwitch bridge 'ovs-br'.*/dev/net/tun" "$WORK/err" &&
      [[ $(wc -l <"$WORK/err") == 1 ]] && pass "in one line: $(cat "$WORK/err")" ||
      fail "refusal: $(cat "$WORK/err")"
    expect_nothing_left "after the OVS refusal"
    # A tun node nobody may open, over /dev/net/tun in this sandbox's mount namespace only.
    mknod -m 0666 /run/rl-tun c 10 200
    mount --bind /run/rl-tun /dev/net/tun
    BEFORE=$(machine_view)
  fi
  expect_rc 1 "an OVSDB named outside the lab is refused" -- \
    as_nobody NSTOPO_OVSDB=unix:/run/openvswitch/db.sock "$NB" run --rootless "$WORK/ovs-veth.yaml" -- true
  grep -q "NSTOPO_OVSDB names an OVSDB for a rootless lab" "$WORK/err" && pass "$(cat "$WORK/err")" ||
    fail "refusal: $(cat "$WORK/err")"
  expect_rc 0 "seed ovs-veth (datapath netdev), rootless, verify inside" -- \
    as_nobody "$NB" run --rootless "$WORK/ovs-veth.yaml" -- "$NB" verify "$WORK/ovs-veth.yaml"
  expect_nothing_left "after Open vSwitch (its daemons too)"
  if mountpoint -q /dev/net/tun; then
    umount /dev/net/tun
    rm /run/rl-tun
    BEFORE=$(machine_view)
  fi
else
  echo "SKIP part: Open vSwitch is not installed"
fi

step "subordinate ids: newuidmap maps them when /etc/subuid gives nobody a range"
# /etc/subuid and /etc/subgid are written only where the sandbox sees /etc through its own
# overlay (writes stay in its /run), never on the machine.
if [[ $(findmnt -n -o SOURCE /etc) != nstopo-sandbox-etc ]]; then
  echo "SKIP part: /etc is not the sandbox's overlay here, so /etc/subuid is not ours to write"
elif ! command -v newuidmap >/dev/null || ! command -v newgidmap >/dev/null; then
  echo "SKIP part: newuidmap/newgidmap (package uidmap) are not installed"
else
  echo "nobody:200000:65536" >>/etc/subuid
  echo "nobody:200000:65536" >>/etc/subgid
  BEFORE=$(machine_view)
  expect_rc 0 "run --rootless with subordinate ids" -- \
    as_nobody "$NB" run --rootless "$WORK/default.yaml" -- \
    sh -c "cat /proc/self/uid_map /proc/self/gid_map && $NB verify $WORK/default.yaml >/dev/null"
  expect_eq "$(awk '{print $1, $2, $3}' "$WORK/out" | tr '\n' ' ')" \
    "0 65534 1 1 200000 65536 0 65534 1 1 200000 65536 " \
    "uid and gid maps: nobody is root, 65536 subordinate ids after it"
  expect_nothing_left "after a run with subordinate ids"
  sed -i '/^nobody:200000:65536$/d' /etc/subuid /etc/subgid
  BEFORE=$(machine_view)
fi

step "a machine without /etc/netns: /etc is seen through an overlay, and stays as it was"
# The sandbox's own /etc/netns (a tmpfs in its overlay of /etc) is taken away for this.
umount /etc/netns
rmdir /etc/netns
BEFORE=$(machine_view)
expect_rc 0 "run --rootless --in c1: the hosts file names srv" -- \
  as_nobody "$NB" run --rootless "$WORK/default.yaml" --in c1 -- sh -c 'grep -q srv /etc/hosts'
expect_nothing_left "after a run without /etc/netns"
[[ ! -e /etc/netns ]] && pass "/etc/netns was not created" || fail "/etc/netns was created"

finish
