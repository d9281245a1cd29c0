#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The raw kernel cost under the ovs-internal star (issue 17 item 4): moving N devices from the
# root namespace into N namespaces, one device each, and deleting them again, without nstopo.
# Prints one line per variant with the per-device milliseconds:
#   tap|veth  down|up  workers W   the devices made here (`ip tuntap`, `ip link add ... veth`),
#                                  moved by W `ip -batch` runs side by side (1 = one after another)
#   ovs       down|up  workers W   OVS internal ports that a private ovs-vswitchd (userspace
#                                  datapath) created and holds open, moved the same way
# and, after the moves, how long deleting the moved devices takes from inside their namespaces
# (the devices `ip link del`ed by W workers), and for the OVS ports the two ways of removing them:
# one OVSDB transaction that ovs-vswitchd carries out alone, or the transaction committed without
# waiting, the devices deleted by W workers, then the wait for ovs-vswitchd.
# One `ip -batch` per worker, so no process start is counted in the per-device time.
# Runs inside the sandbox (it re-executes itself there); set BENCH_LOCK=/work/bench.lock to hold
# that lock for the whole run. Bounded: every wait has a deadline.
#   BENCH_LOCK=/work/bench.lock bash bench/ovs_internal_moves.sh [N=200] [WORKERS=8]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
enter_bench_sandbox "$0" "$@"
n=${1:-200}
workers=${2:-8}
work=$(mktemp -d)
ovsdir=/run/ovs-moves
db=unix:$ovsdir/db.sock
vsctl() { ovs-vsctl --db="$db" --timeout=120 "$@"; }
stop_ovs() {
  local name pid
  for name in ovs-vswitchd ovsdb-server; do
    if [[ -f $ovsdir/$name.pid ]]; then
      pid=$(cat "$ovsdir/$name.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
  done
}
trap 'stop_ovs; rm -rf "$work"' EXIT

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
# run_batches FILE WORKERS [NETNS-PER-LINE]: runs FILE's `ip -batch` lines split round-robin into
# WORKERS runs side by side; prints the wall milliseconds. With NETNS-PER-LINE the lines are
# "NETNS COMMAND" and each worker's batch runs through `ip -n NETNS` one by one instead (a device
# deleted from inside its own namespace, as the lab's destroy would).
run_batches() {
  local file=$1 w=$2 start i
  rm -f "$work"/part.*
  awk -v w="$w" -v dir="$work" '{ print > (dir "/part." (NR % w)) }' "$file"
  start=$(now_ms)
  for part in "$work"/part.*; do
    if [[ ${3:-} == netns ]]; then
      # A device already gone (ovs-vswitchd closed it first) is not an error here.
      # shellcheck disable=SC2086
      (while read -r ns cmd; do ip -n "$ns" $cmd 2>/dev/null || true; done <"$part") &
    else
      ip -batch "$part" &
    fi
  done
  wait
  echo $(( $(now_ms) - start ))
}
report() {  # LABEL MS
  printf '%-34s %6d ms total  %6.2f ms per device\n' "$1" "$2" "$(bc -l <<<"$2 / $n")"
}
# wait_gone PREFIX: bounded wait until no device named PREFIX<number> is left in the root namespace
# nor in any of the lab's namespaces (a deleted device's namespace cleanup is asynchronous).
wait_gone() {
  local deadline=$((SECONDS + 120))
  while ((SECONDS < deadline)); do
    if ! ip -o link show | grep -q ": $1[0-9]*[@:]" &&
       ! ip -all netns exec ip -o link show 2>/dev/null | grep -q ": $1[0-9]*[@:]"; then
      return 0
    fi
    sleep 0.2
  done
  echo "devices $1* still there after 120 s" >&2
  return 1
}

echo "N=$n workers=$workers kernel $(uname -r), $(nproc) cores, $(date -u +%FT%TZ)"
for i in $(seq 1 "$n"); do echo "netns add m$i"; done >"$work/netns"
ip -batch "$work/netns"

moves() {  # PREFIX: the move lines for devices PREFIX1..PREFIXn
  for i in $(seq 1 "$n"); do echo "link set $1$i netns m$i"; done >"$work/moves"
}
deletes() {  # PREFIX: "NETNS link del DEVICE" lines
  for i in $(seq 1 "$n"); do echo "m$i link del $1$i"; done >"$work/deletes"
}

# Devices of our own: tap (what an internal port of the userspace datapath is) and veth.
for kind in tap veth; do
  for state in down up; do
    for w in 1 "$workers"; do
      for i in $(seq 1 "$n"); do
        if [[ $kind == tap ]]; then echo "tuntap add mode tap name d$i"
        else echo "link add d$i type veth peer name e$i"; fi
        [[ $state == up ]] && echo "link set d$i up"
      done >"$work/create"
      ip -batch "$work/create"
      moves d
      report "move $kind $state workers $w" "$(run_batches "$work/moves" "$w")"
      deletes d
      report "  delete $kind workers $w" "$(run_batches "$work/deletes" "$w" netns)"
      wait_gone d
      wait_gone e
    done
  done
done

# OVS internal ports, created and held open by ovs-vswitchd on the userspace datapath.
mkdir -p "$ovsdir"
ovsdb-tool create "$ovsdir/conf.db" /usr/share/openvswitch/vswitch.ovsschema
ovsdb-server "$ovsdir/conf.db" --remote=punix:"$ovsdir/db.sock" --pidfile="$ovsdir/ovsdb-server.pid" \
  --detach --log-file="$ovsdir/ovsdb-server.log" --unixctl="$ovsdir/ovsdb-server.ctl" -vconsole:off 2>/dev/null
vsctl --no-wait init
ovs-vswitchd "$db" --pidfile="$ovsdir/ovs-vswitchd.pid" --detach --log-file="$ovsdir/ovs-vswitchd.log" \
  --unixctl="$ovsdir/ovs-vswitchd.ctl" -vconsole:off 2>/dev/null
vsctl add-br br-moves -- set Bridge br-moves datapath_type=netdev fail_mode=standalone
add_ports() {
  local args=() i start
  for i in $(seq 1 "$n"); do args+=(-- add-port br-moves "o$i" -- set Interface "o$i" type=internal); done
  start=$(now_ms)
  vsctl "${args[@]}"
  report "ovs: add $n internal ports" $(( $(now_ms) - start ))
}
del_ports_args() {
  local i
  for i in $(seq 1 "$n"); do printf -- '-- del-port br-moves o%d ' "$i"; done
}
for state in down up; do
  for w in 1 "$workers"; do
    add_ports
    if [[ $state == up ]]; then
      ip -batch <(for i in $(seq 1 "$n"); do echo "link set o$i up"; done)
    fi
    moves o
    report "move ovs $state workers $w" "$(run_batches "$work/moves" "$w")"
    # Removal, timed until ovs-vswitchd has caught up (closing an internal port's tap fd
    # unregisters the device within that close): alternately vswitchd alone, and the devices
    # deleted by workers between the commit and the wait.
    start=$(now_ms)
    if [[ $w == 1 ]]; then
      # shellcheck disable=SC2046
      vsctl $(del_ports_args)
      report "  remove ovs: vswitchd alone" $(( $(now_ms) - start ))
    else
      # shellcheck disable=SC2046
      vsctl --no-wait $(del_ports_args)
      deletes o
      run_batches "$work/deletes" "$w" netns >/dev/null
      # A change of our own, waited for: ovs-vswitchd has then carried out the removal too.
      vsctl set Open_vSwitch . external_ids:moves-sync="$state$w"
      report "  remove ovs: $w workers delete" $(( $(now_ms) - start ))
    fi
    wait_gone o
  done
done
