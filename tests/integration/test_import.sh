# SPDX-License-Identifier: Apache-2.0
# `nstopo import` and `apply --adopt` (issue 16, part 3) on the seeds' own shell recipes, run by
# hand in this sandbox: the direct veth pair and the Linux bridge of seed 002, the OVS + veth
# setup of seed 002, the OVS internal ports of seed 000, the macvlan bridge mode of seed 004, two
# hosts routed through a router namespace by hand-added routes (adopted with protocol 152, a
# refused gateway, and a rollback at each step giving them protocol boot back), and two veth
# pairs whose ends share their indexes (paired through IFLA_LINK_NETNSID).
# For each: the imported file validates; apply without --adopt refuses the hand-made objects and
# changes nothing; apply --adopt lists and marks them, after which plan has nothing to do and the
# recipe's pings still succeed; destroy removes exactly what the recipe built (checked with ip -j
# and ovs-vsctl, not with nstopo); and the file applied on the clean sandbox builds a setup where
# the same pings succeed.
source "$(dirname "$0")/lib.sh"
DB=unix:/run/nstopo/ovs/db.sock
OVS_UP=0
cleanup_ovs() { ((OVS_UP)) && "$NSTOPO" ovs stop >/dev/null 2>&1 || true; }
trap 'cleanup_ovs; rm -rf "$WORK"' EXIT
# The recipes call ovs-vsctl as written; here it talks to the sandbox's own ovsdb-server.
ovs-vsctl() { command ovs-vsctl --db="$DB" --timeout=10 "$@"; }

# What the machine holds, read independently of nstopo: namespaces, every namespace's links
# (name and kind) and main-table routes (without their protocol, which adopting changes), OVS
# bridges and ports.
machine() {
  echo "netns: $(netns_list)"
  ip -j -d link show | jq -r '.[] | "host \(.ifname) \(.linkinfo.info_kind // "-")"' | sort
  local ns
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | sort); do
    ip -n "$ns" -j -d link show | jq -r --arg ns "$ns" \
      '.[] | "\($ns) \(.ifname) \(.linkinfo.info_kind // "-")"' | sort
    ip -n "$ns" -d -j route show table main | jq -r --arg ns "$ns" \
      '.[] | "\($ns) route \(.dst) via \(.gateway // "-") dev \(.dev)"' | sort
  done
  if ((OVS_UP)); then
    local br
    for br in $(ovs-vsctl list-br); do
      echo "ovs $br: $(ovs-vsctl list-ports "$br" | tr '\n' ' ')"
    done
  fi
}

# Pings that retry for a bounded time: a freshly built or marked setup may still be settling.
expect_pings() {
  local pair from to ok
  for pair in "$@"; do
    from=${pair%%>*} to=${pair#*>} ok=0
    for _ in 1 2 3 4 5; do
      if reaches "$from" "$to"; then ok=1; break; fi
    done
    ((ok)) && pass "$from reaches $to" || fail "$from does not reach $to"
  done
}

# run_case NAME "IMPORT ARGS" "FROM>TO ..." RECIPE [MACHINE_SETUP] [EXTRA]: the whole proof for
# one recipe. MACHINE_SETUP (optional) makes what the recipe takes from the machine (a NIC): it
# is run before the recipe and again before the clean apply, and destroy leaves it. EXTRA
# (optional) is called as `EXTRA before-adopt FILE` and `EXTRA after-adopt FILE` for the checks
# of one recipe.
run_case() {
  local name=$1 args=$2 pings=$3 recipe=$4 setup=${5:-} extra=${6:-}
  local file="$WORK/$name.yaml"
  step "$name: the recipe by hand"
  [[ -n $setup ]] && $setup
  local before
  before=$(machine)
  $recipe
  # shellcheck disable=SC2086  # ARGS are words
  expect_pings $pings
  local built
  built=$(machine)

  step "$name: import"
  # shellcheck disable=SC2086
  expect_rc 0 "import" -- "$NSTOPO" import $args --name "$name"
  cp "$WORK/out" "$file"
  expect_eq "$(grep -c '^#   ' "$file" || true)" "0" "every interface is written (no comment lines)"
  expect_eq "$(cat "$WORK/err")" "" "nothing on stderr"
  expect_rc 0 "the file validates" -- "$NSTOPO" validate "$file"

  step "$name: apply without --adopt refuses the hand-made objects"
  expect_rc 1 "apply" -- "$NSTOPO" apply "$file"
  grep -q "carries no nstopo mark" "$WORK/err" && pass "they are named as foreign" ||
    fail "refusal: $(cat "$WORK/err")"
  expect_eq "$(machine)" "$built" "nothing changed"
  [[ -n $extra ]] && $extra before-adopt "$file"

  step "$name: apply --adopt"
  expect_rc 0 "apply --adopt" -- "$NSTOPO" apply --adopt "$file"
  grep -q "^Adopting [0-9]* object(s) the file names:" "$WORK/err" && pass "lists what it adopts" ||
    fail "no list: $(cat "$WORK/err")"
  grep -q "^~ mark " "$WORK/out" && pass "the plan marks them in place" || fail "plan: $(cat "$WORK/out")"
  cp "$WORK/out" "$WORK/adopt.out"
  cp "$WORK/err" "$WORK/adopt.err"
  expect_rc 0 "then plan has nothing to change" -- "$NSTOPO" plan --detailed-exitcode "$file"
  expect_eq "$(machine)" "$built" "the same objects as the recipe built"
  # shellcheck disable=SC2086
  expect_pings $pings
  [[ -n $extra ]] && $extra after-adopt "$file"

  step "$name: destroy removes exactly what the recipe built"
  expect_rc 0 "destroy" -- "$NSTOPO" destroy "$file"
  expect_eq "$(machine)" "$before" "the machine is as before the recipe"

  step "$name: the imported file on a clean sandbox"
  expect_rc 0 "apply" -- "$NSTOPO" apply "$file"
  # shellcheck disable=SC2086
  expect_pings $pings
  expect_rc 0 "destroy" -- "$NSTOPO" destroy "$file"
  expect_eq "$(machine)" "$before" "nothing left"
  [[ -n $setup ]] && machine_teardown
  return 0
}
machine_teardown() { ip link del eth0 2>/dev/null || true; }

# Seed 002, "direct": one veth pair between two namespaces.
recipe_veth() {
  ip netns a ns1
  ip netns a ns2
  ip l a veth0 type veth peer name veth1
  ip l s veth0 netns ns1
  ip l s veth1 netns ns2
  ip netns exec ns1 ip a a 10.1.1.2/24 dev veth0
  ip netns exec ns1 ip l s veth0 up
  ip netns exec ns2 ip a a 10.1.1.3/24 dev veth1
  ip netns exec ns2 ip l s veth1 up
}
run_case veth-pair "--netns ns1 ns2" "ns1>10.1.1.3 ns2>10.1.1.2" recipe_veth

# Seed 002, "through a bridge": two veth pairs onto br0 in the host.
recipe_bridge() {
  ip netns a ns1
  ip netns a ns2
  ip l a br0 type bridge
  ip l s br0 up
  ip l a veth0 type veth peer name br-veth0
  ip l a veth1 type veth peer name br-veth1
  ip l s veth0 netns ns1
  ip l s br-veth0 master br0
  ip l s br-veth0 up
  ip l s veth1 netns ns2
  ip l s br-veth1 master br0
  ip l s br-veth1 up
  ip netns exec ns1 ip a a 10.1.1.2/24 dev veth0
  ip netns exec ns1 ip l s veth0 up
  ip netns exec ns2 ip a a 10.1.1.3/24 dev veth1
  ip netns exec ns2 ip l s veth1 up
}
run_case linux-bridge "--netns ns1 ns2 --bridge br0" "ns1>10.1.1.3 ns2>10.1.1.2" recipe_bridge

# Two hosts routed through a router namespace, their routes added by hand (`ip route add`
# gives protocol boot; nstopo's own routes carry protocol 152).
recipe_routed() {
  ip netns add h1
  ip netns add r1
  ip netns add h2
  ip link add eth0 type veth peer name left
  ip link set eth0 netns h1
  ip link set left netns r1
  ip link add eth0 type veth peer name right
  ip link set eth0 netns h2
  ip link set right netns r1
  ip -n h1 addr add 10.0.1.2/24 dev eth0
  ip -n r1 addr add 10.0.1.1/24 dev left
  ip -n r1 addr add 10.0.2.1/24 dev right
  ip -n h2 addr add 10.0.2.2/24 dev eth0
  ip -n h1 link set eth0 up
  ip -n r1 link set left up
  ip -n r1 link set right up
  ip -n h2 link set eth0 up
  ip netns exec r1 sysctl -qw net.ipv4.ip_forward=1
  ip -n h1 route add 10.0.2.0/24 via 10.0.1.1
  ip -n h2 route add 10.0.1.0/24 via 10.0.2.1
}
# The protocol of each namespace's routes that are not the kernel's, read with ip -j.
route_protocols() {
  local ns
  for ns in h1 r1 h2; do
    ip -n "$ns" -d -j route show table main | jq -r --arg ns "$ns" \
      '.[] | select(.protocol != "kernel") | "\($ns) \(.dst) via \(.gateway // "-") proto \(.protocol)"'
  done
}
routed_checks() {
  local phase=$1 file=$2
  if [[ $phase == before-adopt ]]; then
    expect_eq "$(route_protocols)" "h1 10.0.2.0/24 via 10.0.1.1 proto boot
h2 10.0.1.0/24 via 10.0.2.1 proto boot" "the hand-added routes carry protocol boot"
    local before
    before="$(machine)
$(route_protocols)"

    step "routed: --adopt refuses a route the file names with another gateway"
    sed 's|{to: 10.0.2.0/24, via: 10.0.1.1|{to: 10.0.2.0/24, via: 10.0.1.9|' "$file" >"$WORK/gateway.yaml"
    grep -q "via: 10.0.1.9" "$WORK/gateway.yaml" || fail "the edit did not apply: $(cat "$file")"
    expect_rc 1 "apply --adopt" -- "$NSTOPO" apply --adopt "$WORK/gateway.yaml"
    grep -q -- "--adopt: route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0: the file asks for via 10.0.1.9; not adopted" "$WORK/err" &&
      pass "with one clear line" || fail "stderr: $(cat "$WORK/err")"
    grep -q "route '10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0' already exists in namespace 'h1' and it carries no nstopo mark" "$WORK/err" &&
      pass "the conflict names the route and its namespace" || fail "stderr: $(cat "$WORK/err")"
    expect_eq "$(machine)
$(route_protocols)" "$before" "nothing changed"

    step "routed: apply --adopt failing at each operation in turn rolls back"
    local n=1 count=0 rc
    while :; do
      rc=0
      NSTOPO_FAULT_INJECT_AT=$n "$NSTOPO" apply --adopt "$file" >"$WORK/out" 2>"$WORK/err" || rc=$?
      ((count)) || count=$(sed -n 's/^Adopting \([0-9]*\) object(s).*/\1/p' "$WORK/err")
      expect_eq "$rc" "1" "operation $n of ${count:-?} fails"
      grep -q "injected failure of operation $n" "$WORK/err" ||
        fail "operation $n: the error does not name the injected failure: $(cat "$WORK/err")"
      expect_eq "$(machine)
$(route_protocols)" "$before" "operation $n: the machine is as it was, routes with protocol boot"
      n=$((n + 1))
      ((n <= ${count:-0})) || break
    done
    # Each adopted object is one mark step, the two routes last (h1's, then h2's): the last
    # failure came after h1's route was marked, and the rollback gave it protocol boot back.
    expect_eq "$count" "9" "3 namespaces, 4 veth ends and 2 routes are adopted"
  else
    expect_eq "$(route_protocols)" "h1 10.0.2.0/24 via 10.0.1.1 proto 152
h2 10.0.1.0/24 via 10.0.2.1 proto 152" "the adopted routes carry nstopo's protocol"
    grep -q "^  route h1: 10.0.2.0/24 via 10.0.1.1 dev eth0 metric 0$" "$WORK/adopt.err" &&
      pass "the adoption list names the route" || fail "stderr: $(cat "$WORK/adopt.err")"
    grep -q "^~ mark route h2: 10.0.1.0/24 via 10.0.2.1 dev eth0 metric 0" "$WORK/adopt.out" &&
      pass "the plan marks the route in place" || fail "plan: $(cat "$WORK/adopt.out")"
  fi
}

# Two veth pairs whose four ends have the same index, each pointing at a 2 in another
# namespace: only IFLA_LINK_NETNSID tells the pairs apart.
recipe_colliding() {
  local ns
  for ns in a b c d; do ip netns add "$ns"; done
  ip link add eth0 netns a type veth peer name eth0 netns b
  ip link add eth0 netns c type veth peer name eth0 netns d
  ip -n a addr add 10.2.0.1/24 dev eth0
  ip -n b addr add 10.2.0.2/24 dev eth0
  ip -n c addr add 10.3.0.1/24 dev eth0
  ip -n d addr add 10.3.0.2/24 dev eth0
  for ns in a b c d; do ip -n "$ns" link set eth0 up; done
}
colliding_checks() {
  local phase=$1 file=$2 ns indexes=""
  [[ $phase == before-adopt ]] || return 0
  for ns in a b c d; do
    indexes+="$(ip -n "$ns" -j link show eth0 | jq -r '.[0] | "\(.ifindex)@\(.link_index)"') "
  done
  expect_eq "$indexes" "2@2 2@2 2@2 2@2 " "the four ends share their indexes"
  grep -q "{kind: veth, endpoints: \[a:eth0, b:eth0\]}" "$file" &&
    grep -q "{kind: veth, endpoints: \[c:eth0, d:eth0\]}" "$file" &&
    pass "import pairs each end with its own other end" || fail "file: $(cat "$file")"
}

run_case routed "--netns h1 r1 h2" "h1>10.0.2.2 h2>10.0.1.2" recipe_routed "" routed_checks
run_case colliding-indexes "--netns a b c d" "a>10.2.0.2 b>10.2.0.1 c>10.3.0.2 d>10.3.0.1" recipe_colliding "" \
  colliding_checks

# Seed 004, macvlan in bridge mode: two namespaces on macvlans of the machine's eth0 (here a
# veth end the sandbox makes, standing for the NIC). The recipe's host shim is host-side
# configuration, which import does not read (it imports namespaces): it is left out here.
# Both ends up: a macvlan has carrier only while its parent has.
machine_nic() {
  ip link add eth0 type veth peer name eth0-wire
  ip link set eth0 up
  ip link set eth0-wire up
}
recipe_macvlan() {
  ip link add link eth0 name macvlan1 type macvlan mode bridge
  ip link add link eth0 name macvlan2 type macvlan mode bridge
  ip netns add net1
  ip netns add net2
  ip link set macvlan1 netns net1
  ip link set macvlan2 netns net2
  ip netns exec net1 ip link set macvlan1 name eth0
  ip netns exec net2 ip link set macvlan2 name eth0
  ip netns exec net1 ip addr add 172.28.248.10/20 dev eth0
  ip netns exec net2 ip addr add 172.28.248.9/20 dev eth0
  ip netns exec net1 ip link set eth0 up
  ip netns exec net2 ip link set eth0 up
}
if ip link add nstopo-probe0 type veth peer name nstopo-probe1 2>/dev/null &&
  ip link add link nstopo-probe0 name nstopo-probe2 type macvlan 2>"$WORK/probe.err"; then
  ip link del nstopo-probe0
  echo "SKIP part: the macvlan shim (host-side configuration, not a namespace's)"
  run_case macvlan-bridge "--netns net1 net2" "net1>172.28.248.9 net2>172.28.248.10" \
    recipe_macvlan machine_nic
else
  ip link del nstopo-probe0 2>/dev/null || true
  echo "SKIP part: macvlan (this kernel cannot create it: $(cat "$WORK/probe.err"))"
fi

step "what import cannot write is listed, not dropped"
ip netns add odd
ip netns add lone
ip -n lone link add a0 type veth peer name a1
# A tap device (seed 001: "tap interfaces created with ip tuntap cannot be used").
if [[ -c /dev/net/tun ]]; then
  ip -n odd tuntap add mode tap name tap9
else
  echo "SKIP part: the tap device (no /dev/net/tun)"
fi
expect_rc 0 "import" -- "$NSTOPO" import --netns odd lone
if [[ -c /dev/net/tun ]]; then
  grep -q "^#   odd:tap9: kind tun" "$WORK/out" && pass "a comment names the tap device" ||
    fail "file: $(cat "$WORK/out")"
  grep -q "^nstopo import: not imported: odd:tap9: kind tun" "$WORK/err" && pass "and stderr does" ||
    fail "stderr: $(cat "$WORK/err")"
fi
grep -q "{kind: veth, endpoints: \[lone:a0, lone:a1\]}" "$WORK/out" && pass "a pair inside one namespace is a link" ||
  fail "file: $(cat "$WORK/out")"
expect_rc 1 "a namespace that does not exist" -- "$NSTOPO" import --netns nowhere
grep -q "namespace 'nowhere' does not exist" "$WORK/err" && pass "is named" || fail "stderr: $(cat "$WORK/err")"

step "adopt takes only what the file names, of the file's kind"
cat >"$WORK/kind.yaml" <<'EOF'
version: 1
name: kind
nodes:
  lone: {}
links:
  - {kind: veth, endpoints: [lone:a0, lone:a1]}
  - {kind: veth, endpoints: [lone:b0, lone:b1]}
EOF
ip -n lone link add b0 type bridge
expect_rc 1 "a veth the machine has as a bridge" -- "$NSTOPO" apply --adopt "$WORK/kind.yaml"
grep -q -- "--adopt: interface lone:b0: the file asks for a veth, it is a bridge device; not adopted" "$WORK/err" &&
  pass "stays refused, with a clear line" || fail "stderr: $(cat "$WORK/err")"
expect_eq "$(ip -n lone -d link show a0 | grep -c 'alias nstopo')" "0" "and nothing was marked"
ip netns del odd
ip netns del lone

if [[ ! -x /usr/sbin/ovs-vswitchd || ! -c /dev/net/tun ]]; then
  echo "SKIP part: the OVS recipes (openvswitch-switch is not installed, or no /dev/net/tun)"
  finish
  exit
fi
step "private Open vSwitch for the OVS recipes"
expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start
OVS_UP=1
expect_rc 0 "nstopo ovs status" -- "$NSTOPO" ovs status
DATAPATH=$(sed -n 's/.*datapath auto: \([a-z]*\).*/\1/p' "$WORK/out")
[[ -n $DATAPATH ]] && pass "the datapath here is $DATAPATH" || fail "status: $(cat "$WORK/out")"
# The recipes' add-br takes OVS's default datapath, the kernel's; where this kernel has none,
# the bridge is made on the userspace one (the one change to the recipes).
add_br() { ovs-vsctl add-br "$1" -- set Bridge "$1" datapath_type="$DATAPATH"; }

# Seed 002, "through OVS": two veth pairs onto an OVS bridge.
recipe_ovs_veth() {
  add_br ovs-br
  ip l a veth0 type veth peer name ovs-veth0
  ip l a veth1 type veth peer name ovs-veth1
  ip netns a ns1
  ip netns a ns2
  ip l s veth0 netns ns1
  ovs-vsctl add-port ovs-br ovs-veth0
  ip l s ovs-veth0 up
  ip l s veth1 netns ns2
  ovs-vsctl add-port ovs-br ovs-veth1
  ip l s ovs-veth1 up
  ip netns exec ns1 ip a a 10.1.1.2/24 dev veth0
  ip netns exec ns1 ip l s veth0 up
  ip netns exec ns2 ip a a 10.1.1.3/24 dev veth1
  ip netns exec ns2 ip l s veth1 up
}
run_case ovs-veth "--netns ns1 ns2 --ovs-bridge ovs-br" "ns1>10.1.1.3 ns2>10.1.1.2" recipe_ovs_veth

# Seed 000, "openvswitch and two openvswitch ports": internal ports moved into the namespaces.
# The seed stops at "now assign the ip addresses": these are seed 002's.
recipe_ovs_internal() {
  ip netns add ns1
  ip netns add ns2
  add_br ovs-test
  ovs-vsctl add-port ovs-test tap1 -- set Interface tap1 type=internal
  ip link set tap1 netns ns1
  ip netns exec ns1 ip link set dev tap1 up
  ovs-vsctl add-port ovs-test tap2 -- set Interface tap2 type=internal
  ip link set tap2 netns ns2
  ip netns exec ns2 ip link set dev tap2 up
  ip netns exec ns1 ip addr add 10.1.1.2/24 dev tap1
  ip netns exec ns2 ip addr add 10.1.1.3/24 dev tap2
}
run_case ovs-internal "--netns ns1 ns2 --ovs-bridge ovs-test" "ns1>10.1.1.3 ns2>10.1.1.2" \
  recipe_ovs_internal

finish
