# SPDX-License-Identifier: Apache-2.0
# Issue 15's proof: topologies/examples/ospf-ring.yaml, five BIRD 2 routers in a ring running
# OSPF as lab services. Every router reaches every loopback within a bounded convergence time;
# cutting a ring link by hand reroutes the long way round; destroy leaves no process, namespace,
# hosts file, runtime or log directory. Routes and processes are read with ip -j and /proc, not
# through nstopo. Every wait is a bounded retry.
source "$(dirname "$0")/lib.sh"
STATE=/run/nstopo/ospf-ring
CONVERGENCE_LIMIT=40 # seconds; hello 1 s and dead 4 s converge in a few

if ! command -v bird >/dev/null || ! command -v birdc >/dev/null; then
  echo "SKIP: no bird/birdc (Debian's bird2, installed by .ci/install-deps)"
  exit 77
fi
LAB=$(copy_topology examples/ospf-ring.yaml)
ROUTERS=(r1 r2 r3 r4 r5)

# route_dev NODE ADDRESS: the interface NODE's kernel sends ADDRESS out of ("" when no route)
route_dev() {
  ip -n "$1" -j route get "$2" 2>/dev/null | jq -r '.[0].dev // ""' || true
}
# ping_from_loopback NODE N: NODE's loopback address pings router N's loopback
ping_from_loopback() {
  local own=${1#r}
  ip netns exec "$1" ping -c 1 -W 1 -I "10.255.0.$own" "10.255.0.$2" >/dev/null 2>&1
}
# until_true SECONDS COMMAND...: retries COMMAND every 0.2 s for at most SECONDS
until_true() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS < deadline)) || return 1
    sleep 0.2
  done
}
all_loopbacks_reach() {
  local from to
  for from in "${ROUTERS[@]}"; do
    for to in 1 2 3 4 5; do
      [[ $from == "r$to" ]] && continue
      ping_from_loopback "$from" "$to" || return 1
    done
  done
}

step "apply starts a BIRD in every router and returns once each runs OSPF"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
declare -A BIRD_PID
for router in "${ROUTERS[@]}"; do
  pid=$(awk '{print $1}' "$STATE/services/$router.bird.pid")
  BIRD_PID[$router]=$pid
  expect_eq "$(ip netns identify "$pid")" "$router" "$router: bird (pid $pid) runs in its namespace"
  expect_eq "$(tr '\0' ' ' <"/proc/$pid/cmdline" | awk '{print $1}')" "bird" "$router: the service is bird itself"
  [[ -S $STATE/runtime/$router/bird.ctl ]] && pass "$router: control socket in its runtime directory" ||
    fail "$router: no socket in $STATE/runtime/$router"
done

step "OSPF converges: every router reaches every loopback"
start=$SECONDS
if until_true "$CONVERGENCE_LIMIT" all_loopbacks_reach; then
  pass "all 20 loopback pairs reach each other after $((SECONDS - start)) s (limit $CONVERGENCE_LIMIT s)"
else
  fail "not converged within $CONVERGENCE_LIMIT s: r1's routes: $(ip -n r1 route)"
fi
expect_eq "$(ip -n r1 -j route show 10.255.0.3 | jq -r '.[0].protocol')" "bird" "r1's route to r3's loopback comes from BIRD"
expect_eq "$(route_dev r1 10.255.0.2)" "eth1" "r1 reaches r2 over their direct link"
expect_rc 0 "verify passes on the converged ring" -- "$NSTOPO" verify "$LAB"
"$NSTOPO" exec r3 --lab ospf-ring -- sh -c 'birdc -s "$NSTOPO_RUNTIME_DIR/bird.ctl" show ospf neighbors' \
  >"$WORK/out" 2>&1 || true
expect_eq "$(grep -c Full "$WORK/out")" "2" "birdc through the runtime directory: r3 has two full neighbours"

step "a no-op apply leaves every BIRD running"
expect_rc 0 "apply again" -- "$NSTOPO" apply "$LAB"
for router in "${ROUTERS[@]}"; do
  expect_eq "$(awk '{print $1}' "$STATE/services/$router.bird.pid")" "${BIRD_PID[$router]}" "$router: same pid"
done

step "cutting r1-r2 by hand reroutes r1 to r2 the long way round"
ip -n r1 link set eth1 down
rerouted() { [[ $(route_dev r1 10.255.0.2) == eth0 ]] && ping_from_loopback r1 2; }
start=$SECONDS
if until_true "$CONVERGENCE_LIMIT" rerouted; then
  pass "r1 reaches r2's loopback through r5 after $((SECONDS - start)) s"
else
  fail "no reroute within $CONVERGENCE_LIMIT s: $(ip -n r1 route)"
fi
# r2's reply takes the long way too: r3, r4 and r5 forward it, 64 - 3 = 61 left
long_way_back() {
  ip netns exec r1 ping -c 1 -W 1 -I 10.255.0.1 10.255.0.2 >"$WORK/out" 2>&1 && grep -q "ttl=61" "$WORK/out"
}
until_true "$CONVERGENCE_LIMIT" long_way_back && pass "the reply crossed three routers (ttl=61)" ||
  fail "ping: $(cat "$WORK/out")"
ip -n r1 link set eth1 up
back() { [[ $(route_dev r1 10.255.0.2) == eth1 ]] && ping_from_loopback r1 2; }
until_true "$CONVERGENCE_LIMIT" back && pass "the direct link carries r1-r2 again once it is up" ||
  fail "the direct path did not come back: $(ip -n r1 route)"

step "destroy leaves nothing"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
for router in "${ROUTERS[@]}"; do
  pid=${BIRD_PID[$router]}
  [[ -e /proc/$pid ]] && fail "$router: bird pid $pid still runs" || pass "$router: bird is gone"
done
expect_eq "$(netns_list)" "" "no namespace left"
expect_eq "$(find /etc/netns -mindepth 1 2>/dev/null)" "" "no file under /etc/netns"
[[ ! -e $STATE ]] && pass "no state, runtime or log directory" || fail "left: $(find "$STATE")"
finish
