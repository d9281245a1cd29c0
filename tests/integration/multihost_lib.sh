# SPDX-License-Identifier: Apache-2.0
# Simulated hosts for multi-host tests (issue 13), sourced after lib.sh inside the sandbox.
#
# A simulated host is one long-lived process with its own network, mount and UTS namespaces
# (unshare, no pid namespace, so the pid `&` returns is the host's): a tmpfs on its /run gives it
# its own /run/netns and /run/nstopo, so each holds its own labs, and one on /etc/netns its own
# hosts files. Its eth0 is a veth whose other end is a port of the underlay bridge mh-ul0 in the
# sandbox, with 10.99.0.N/24 and fd99::N/64. With ssh (the default), sshd (Debian's
# openssh-server) runs inside each on its underlay addresses with a host key and an authorized
# key the test generates; Ansible reaches the host as root with that key. All of it lives in the
# sandbox's private network namespace: nothing can reach beyond it.
#
# The machine's file systems are shared with the sandbox but for /run, so whatever runs on a
# simulated host writes only under its /run or $WORK: sshd logs to a file there and keeps
# lastlog/wtmp on a tmpfs over the host's /var/log; Ansible's remote temp dir is under /run.
#
#   mh_start_hosts N [nossh]  start h1..hN (sshd listening unless nossh, underlay pinging) and
#                           arm the cleanup
#   mh_on HOST CMD...       run CMD on HOST (its network, mounts and hostname)
#   mh_ovs_start HOST       start an Open vSwitch on HOST (nstopo ovs start; stopped at cleanup)
#   mh_addr HOST            HOST's IPv4 underlay address
#   mh_inventory FILE [HOST...]  write an Ansible inventory of the hosts (default: all)
#   mh_ansible_env          point Ansible at the collection and keep its files in $WORK
#   mh_stop_all             end every host's sshd and holder, by pid (the EXIT trap does it)

MH_HOSTS=()
MH_OVS_HOSTS=()
declare -A MH_PID=() MH_SSHD_PID=()
MH_KEY=$WORK/mh-id_ed25519
MH_BRIDGE=mh-ul0

# require_multihost: ends the test as skipped (77), with the reason, without sshd or ssh.
require_multihost() {
  local tool
  for tool in /usr/sbin/sshd /usr/bin/ssh /usr/bin/ssh-keygen; do
    if [[ ! -x $tool ]]; then
      echo "SKIP: $tool is not installed (openssh-server and openssh-client; bash .ci/install-deps)"
      exit 77
    fi
  done
}

mh_addr() { echo "10.99.0.${1#h}"; }
mh_addr6() { echo "fd99::${1#h}"; }

mh_on() {
  local host=$1
  shift
  nsenter -t "${MH_PID[$host]}" -n -m -u "$@"
}

# mh_wait SECONDS WHAT -- CMD...: wait_until CMD succeeds; says WHAT was not ready when it never does.
mh_wait() {
  local seconds=$1 what=$2
  shift 3
  wait_until "$seconds" "$@" >/dev/null 2>&1 && return 0
  echo "multihost: $what: not ready after $seconds s" >&2
  return 1
}

# mh_ovs_start HOST: nstopo's own Open vSwitch on HOST (its /run), stopped by mh_stop_all.
mh_ovs_start() {
  mh_on "$1" "$NSTOPO" ovs start >"$WORK/mh-ovs-$1.out" 2>&1 || return 1
  MH_OVS_HOSTS+=("$1")
}

mh_stop_all() {
  local host session
  for host in "${MH_OVS_HOSTS[@]}"; do
    mh_on "$host" "$NSTOPO" ovs stop >/dev/null 2>&1 || true
  done
  MH_OVS_HOSTS=()
  for host in "${MH_HOSTS[@]}"; do
    if [[ -n ${MH_SSHD_PID[$host]:-} ]]; then
      # The sessions first (sshd's children, by pid): the clients' persistent connections end
      # with them instead of holding the sandbox open.
      for session in $(ps -o pid= --ppid "${MH_SSHD_PID[$host]}"); do
        kill "$session" 2>/dev/null || true
      done
      kill "${MH_SSHD_PID[$host]}" 2>/dev/null || true
    fi
    if [[ -n ${MH_PID[$host]:-} ]]; then kill "${MH_PID[$host]}" 2>/dev/null || true; fi
  done
  # (Under set -e, a failing last command of this trap would become the test's exit status: the
  # holders end by SIGTERM, so their wait is 143.)
  for host in "${MH_HOSTS[@]}"; do
    if [[ -n ${MH_PID[$host]:-} ]]; then wait "${MH_PID[$host]}" 2>/dev/null || true; fi
  done
  MH_HOSTS=()
  return 0
}

mh_holder_ready() {
  [[ $(nsenter -t "$1" -u hostname) == "$2" ]] && nsenter -t "$1" -m test -d /run/ansible-tmp
}

# mh_start_host NAME [nossh]: the holder, its uplink, sshd unless nossh.
mh_start_host() {
  local host=$1 ssh=${2:-ssh} pid addr addr6
  addr=$(mh_addr "$host")
  addr6=$(mh_addr6 "$host")
  unshare --net --mount --uts --propagation private -- bash -c '
    mount -t tmpfs -o mode=0755 mh-run /run &&
      mkdir -p /run/sshd /run/netns /run/ansible-tmp &&
      mount -t tmpfs -o mode=0755 mh-netns /etc/netns &&
      mount -t tmpfs -o mode=0755 mh-log /var/log &&
      hostname "$1" && exec sleep infinity' mh-holder "$host" &
  pid=$!
  MH_PID[$host]=$pid
  MH_HOSTS+=("$host")
  # The holder is ready once its hostname is its own and its /run is private.
  mh_wait 10 "$host's namespaces" -- mh_holder_ready "$pid" "$host" || return 1
  ip link add "u-$host" type veth peer name eth0 netns "$pid"
  ip link set "u-$host" master "$MH_BRIDGE" up
  mh_on "$host" ip link set lo up
  mh_on "$host" ip addr add "$addr/24" dev eth0
  mh_on "$host" ip addr add "$addr6/64" dev eth0 nodad
  mh_on "$host" ip link set eth0 up
  [[ $ssh == nossh ]] && return 0
  ssh-keygen -q -t ed25519 -N '' -f "$WORK/mh-hostkey-$host" -C "$host"
  cat >"$WORK/mh-sshd-$host.conf" <<EOF
ListenAddress $addr
ListenAddress [$addr6]
HostKey $WORK/mh-hostkey-$host
AuthorizedKeysFile $MH_KEY.pub
PidFile /run/sshd.pid
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
UseDNS no
StrictModes no
PrintMotd no
PrintLastLog no
Subsystem sftp internal-sftp
EOF
  # -D keeps sshd in the foreground, so $! is its pid; -E keeps its log in $WORK.
  nsenter -t "$pid" -n -m -u /usr/sbin/sshd -D -f "$WORK/mh-sshd-$host.conf" \
    -E "$WORK/mh-sshd-$host.log" &
  MH_SSHD_PID[$host]=$!
  mh_wait 10 "sshd on $host ($addr:22)" -- mh_on "$host" bash -c "exec 3<>/dev/tcp/$addr/22" ||
    { cat "$WORK/mh-sshd-$host.log" >&2; return 1; }
}

mh_start_hosts() {
  local count=$1 ssh=${2:-ssh} i
  trap 'mh_stop_all; rm -rf "$WORK"' EXIT
  [[ $ssh == nossh ]] || ssh-keygen -q -t ed25519 -N '' -f "$MH_KEY" -C nstopo-multihost-test
  ip link add "$MH_BRIDGE" type bridge
  # The controller (this sandbox's own namespace, where Ansible runs) sits on the underlay too.
  ip addr add 10.99.0.254/24 dev "$MH_BRIDGE"
  ip addr add fd99::fe/64 dev "$MH_BRIDGE" nodad
  ip link set "$MH_BRIDGE" up
  for ((i = 1; i <= count; i++)); do
    mh_start_host "h$i" "$ssh" || return 1
  done
  # The underlay works end to end: the first host pings each other one.
  for ((i = 2; i <= count; i++)); do
    mh_wait 10 "h1 pings h$i" -- mh_on h1 ping -c 1 -W 1 "$(mh_addr "h$i")" || return 1
  done
}

# mh_ssh HOST CMD...: CMD on HOST through its sshd, as Ansible gets there.
mh_ssh() {
  local host=$1
  shift
  ssh -i "$MH_KEY" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
    -o BatchMode=yes -o ConnectTimeout=5 "root@$(mh_addr "$host")" "$@"
}

# mh_inventory FILE [HOST...]: the hosts (default: all) as an Ansible INI inventory, named like
# the lab's hosts.
mh_inventory() {
  local file=$1 host
  shift
  local hosts=("$@")
  ((${#hosts[@]})) || hosts=("${MH_HOSTS[@]}")
  {
    echo "[lab]"
    for host in "${hosts[@]}"; do
      echo "$host ansible_host=$(mh_addr "$host")"
    done
    echo "[lab:vars]"
    echo "ansible_user=root"
    echo "ansible_ssh_private_key_file=$MH_KEY"
    echo "ansible_python_interpreter=/usr/bin/python3"
    echo "ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'"
    echo "ansible_remote_tmp=/run/ansible-tmp"
  } >"$file"
}

# mh_ansible_env: Ansible's settings for the simulated hosts. Its own files stay in $WORK (the
# controller) and in each host's private /run (the targets); the collection is the source tree's.
mh_ansible_env() {
  mkdir -p "$WORK/home"
  export HOME=$WORK/home ANSIBLE_LOCAL_TEMP=$WORK/ansible-local ANSIBLE_SSH_CONTROL_PATH_DIR=$WORK/cp \
    ANSIBLE_COLLECTIONS_PATH=$SRC/contrib/ansible ANSIBLE_PIPELINING=True ANSIBLE_NOCOLOR=1 \
    ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_RETRY_FILES_ENABLED=False ANSIBLE_FORKS=${#MH_HOSTS[@]} \
    ANSIBLE_CONFIG=$WORK/none.cfg
}
