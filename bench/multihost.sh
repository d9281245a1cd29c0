#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# A lab over three machines, deployed through Ansible, against the same lab on one machine
# (issue 13; docs/performance.md, "Three machines through Ansible"). The machines are simulated
# hosts (tests/integration/multihost_lib.sh: own network, mount and UTS namespaces, sshd on an
# underlay bridge) inside a private sandbox; h1..h3 take the lab's parts, h4 the whole lab. They
# share this machine's kernel and cores. Each round, in turn:
#   one:     `nstopo apply` of the whole lab on h4, a no-op apply, destroy;
#   ansible: deploy.yml over h1..h3 (nstopo_lab_file, --host), deploy again, destroy.yml;
#   alone:   `nstopo apply --host hK` on one machine at a time (what each machine's part costs
#            when it has the kernel to itself), a no-op apply each, destroy each.
# nstopo runs under bench/timed_nstopo.py everywhere, which records its wall, user and system
# time on each host, so a playbook's time splits into Ansible's and nstopo's, and nstopo's into
# its own work (user CPU) and the kernel's (system calls and waiting on the kernel).
# Writes bench/results/multihost.{json,md}.
#   bash bench/multihost.sh                      # 600 namespaces, 3 rounds
#   bash bench/multihost.sh --nodes 60 --rounds 1
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ ${NSTOPO_IN_SANDBOX:-} != 1 ]]; then
  exec "$here/../tests/integration/sandbox.sh" bash "$0" "$@"
fi
nodes=600 rounds=3
while [[ $# -gt 0 ]]; do
  case $1 in
    --nodes) nodes=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    *) echo "usage: multihost.sh [--nodes N] [--rounds R]" >&2; exit 2 ;;
  esac
done
export NSTOPO=${NSTOPO:-$here/../build/release/src/nstopo} NSTOPO_SOURCE_DIR=$here/..
source "$here/../tests/integration/lib.sh"
source "$here/../tests/integration/multihost_lib.sh"
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
command -v ansible-playbook >/dev/null || { echo "ansible-playbook is not installed" >&2; exit 1; }
require_multihost

mh_start_hosts 4
mh_inventory "$WORK/inventory.ini" h1 h2 h3
mh_ansible_env
python3 "$here/multihost_lab.py" --nodes "$nodes" --multi "$WORK/multi.yaml" --single "$WORK/single.yaml"
TIMED=$WORK/nstopo-timed
sed "s|@NSTOPO@|$(readlink -f "$NSTOPO")|" "$here/timed_nstopo.py" >"$TIMED"
chmod +x "$TIMED"
RESULTS=$WORK/results.jsonl
: >"$RESULTS"

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

# collect ROUND SETUP ACTION WALL HOST...: one result line from the hosts' timing files (which
# are emptied), with WALL the time the setup took as a whole.
collect() {
  local round=$1 setup=$2 action=$3 wall=$4 host
  shift 4
  {
    printf '{"round": %s, "setup": "%s", "action": "%s", "wall": %s, "hosts": {' \
      "$round" "$setup" "$action" "$wall"
    local first=1
    for host in "$@"; do
      [[ $first == 1 ]] || printf ', '
      first=0
      printf '"%s": [%s]' "$host" "$(mh_on "$host" cat /run/nstopo-bench-times 2>/dev/null | paste -sd, -)"
      mh_on "$host" rm -f /run/nstopo-bench-times
    done
    printf '}}\n'
  } >>"$RESULTS"
}

# expect_netns HOST COUNT: the lab's part on HOST has COUNT namespaces (the run is void if not).
expect_netns() {
  local got
  got=$(mh_on "$1" ip netns list | wc -l)
  [[ $got == "$2" ]] || { echo "$1: $got namespaces, expected $2" >&2; exit 1; }
}

# play NAME: ansible-playbook NAME.yml over h1..h3 with the multi-host file; fails the run if it
# fails.
play() {
  (cd "$WORK" && ansible-playbook -i "$WORK/inventory.ini" "$SRC/contrib/ansible/playbooks/$1.yml" \
    -e "nstopo_lab_file=$WORK/multi.yaml" -e nstopo_remote_dir=/run/nstopo-ansible \
    -e "nstopo_binary=$TIMED") >"$WORK/play.out" 2>&1 ||
    { cat "$WORK/play.out" >&2; exit 1; }
}

per_host=$(((nodes + 2) / 3))
run_one() {
  local round=$1 action begin
  for action in apply noop destroy; do
    settle
    begin=$(now)
    mh_on h4 "$TIMED" "$([[ $action == destroy ]] && echo destroy || echo apply)" "$WORK/single.yaml" >/dev/null
    collect "$round" one "$action" "$(since "$begin")" h4
    expect_netns h4 "$([[ $action == destroy ]] && echo 0 || echo "$nodes")"
  done
}
run_ansible() {
  local round=$1 action begin host
  for action in apply noop destroy; do
    settle
    begin=$(now)
    play "$([[ $action == destroy ]] && echo destroy || echo deploy)"
    collect "$round" ansible "$action" "$(since "$begin")" h1 h2 h3
    for host in h1 h2 h3; do
      expect_netns "$host" "$([[ $action == destroy ]] && echo 0 || echo "$per_host")"
    done
  done
}
run_alone() {
  local round=$1 action host
  for action in apply noop destroy; do
    # (Its wall is the per-host times': the settles between them are not the lab's.)
    for host in h1 h2 h3; do
      settle
      mh_on "$host" "$TIMED" "$([[ $action == destroy ]] && echo destroy || echo apply)" \
        "$WORK/multi.yaml" --host "$host" >/dev/null
    done
    collect "$round" alone "$action" 0 h1 h2 h3
  done
}

for ((round = 1; round <= rounds; round++)); do
  # The order turns each round, so no setup always follows the same one.
  case $((round % 3)) in
    1) order="one ansible alone" ;;
    2) order="ansible alone one" ;;
    0) order="alone one ansible" ;;
  esac
  for setup in $order; do
    echo "round $round: $setup"
    "run_$setup" "$round"
  done
done
python3 "$here/multihost_report.py" --nodes "$nodes" --results "$RESULTS" --out "$here/results"
