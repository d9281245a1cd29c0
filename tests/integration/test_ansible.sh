# SPDX-License-Identifier: Apache-2.0
# The Ansible fan-out of issue 13 over three simulated hosts (multihost_lib.sh: each its own
# network, mount and UTS namespaces, reached by ssh as Ansible reaches real machines). Every host
# gets the one multi-host file (tests/integration/data/ansible/lab.yaml) and applies its own part
# (`nstopo_lab_file`, the module's `host:`): a Linux bridge segment over all three hosts, an Open
# vSwitch bridge over h2 and h3, and a point-to-point link h1-h2, all by VXLAN.
# Checks: deploy, reachability across hosts from inside the nodes (IPv4, IPv6, a TCP stream),
# verify, a second deploy with changed=0 everywhere, check mode on a changed file (reported,
# nothing changed), the per-host files of `nstopo split` deployed over it (nothing to do), one
# host failing with nstopo's own message while the others apply, a rerun that converges, and a
# destroy that leaves nothing on any host.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/multihost_lib.sh"
if ! command -v ansible-playbook >/dev/null; then
  echo "SKIP: ansible-playbook is not installed (Debian's ansible; bash .ci/install-deps)"
  exit 77
fi
require_multihost
if ! ip link add nstopo-probe0 type vxlan id 1 dstport 4789 2>"$WORK/probe.err"; then
  echo "SKIP: this kernel cannot create vxlan links: $(tr '\n' ' ' <"$WORK/probe.err")"
  exit 77
fi
ip link del nstopo-probe0

step "three simulated hosts, each with sshd on the underlay"
started=$SECONDS
mh_start_hosts 3 || { fail "the simulated hosts did not start"; finish; exit 1; }
expect_eq "$(mh_ssh h2 hostname)" "h2" "ssh lands in h2"
expect_eq "$(mh_ssh h2 cat /proc/sys/kernel/hostname) $(mh_ssh h3 ls /run/netns | wc -l)" "h2 0" \
  "each host has its own UTS namespace and /run"
# Ansible and sshd can reach nothing but the simulated hosts: the sandbox's own namespace (the
# controller) and each host route only their underlay.
expect_eq "$(ip -j route show default | jq length) $(mh_on h1 ip -j route show default | jq length)" \
  "0 0" "no default route out of the sandbox or a host"
echo "hosts up in $((SECONDS - started)) s"

LAB=$WORK/lab.yaml
cp "$SRC/tests/integration/data/ansible/lab.yaml" "$LAB"
OVS=1
if [[ ! -x /usr/sbin/ovs-vswitchd || ! -c /dev/net/tun ]]; then
  echo "SKIP (OVS part): Open vSwitch is not installed or has no /dev/net/tun for its userspace datapath"
  OVS=0
else
  for host in h2 h3; do
    if ! mh_ovs_start "$host"; then
      echo "SKIP (OVS part): nstopo ovs start failed on $host: $(tr '\n' ' ' <"$WORK/mh-ovs-$host.out")"
      OVS=0
    fi
  done
fi
if [[ $OVS == 0 ]]; then
  # The lab without ovs0 and the nodes behind it.
  sed -i -e '/^  o[23]:/,/^      eth0/d' -e '/ovs0\|o[23]\b/d' "$LAB"
fi
# The lab file of every play: the one multi-host file (MODE_ARGS), or the split's directory.
MODE_ARGS=(-e "nstopo_lab_file=$LAB")
mh_inventory "$WORK/inventory.ini"
mh_ansible_env

# play NAME [ARGS...]: ansible-playbook on contrib/ansible/playbooks/NAME.yml with MODE_ARGS;
# output in $WORK/play.out, exit status in PLAY_RC, time in PLAY_SECONDS.
play() {
  local name=$1 begin=$SECONDS
  shift
  PLAY_RC=0
  (cd "$WORK" && ansible-playbook -i "$WORK/inventory.ini" "$SRC/contrib/ansible/playbooks/$name.yml" \
    "${MODE_ARGS[@]}" -e nstopo_remote_dir=/run/nstopo-ansible -e "nstopo_binary=$NSTOPO" \
    "$@") >"$WORK/play.out" 2>&1 || PLAY_RC=$?
  PLAY_SECONDS=$((SECONDS - begin))
  echo "ansible-playbook $name $*: exit $PLAY_RC in $PLAY_SECONDS s"
}

# recap HOST FIELD: FIELD's count (ok, changed, failed, ...) in HOST's line of the PLAY RECAP.
recap() {
  sed -n '/^PLAY RECAP/,$p' "$WORK/play.out" |
    awk -v host="$1" -v field="$2" '$1 == host { for (i = 3; i <= NF; i++) {
      split($i, kv, "="); if (kv[1] == field) print kv[2] } }'
}

# expect_play WHAT RC: the last play exited RC; its output is shown when not.
expect_play() {
  if [[ $PLAY_RC == "$2" ]]; then
    pass "$1"
  else
    fail "$1: ansible-playbook exit $PLAY_RC, wanted $2"
    sed 's/^/    /' "$WORK/play.out" >&2
  fi
}

# reach_soon HOST NODE ADDRESS: a bounded retry of a ping from NODE on HOST (ARP, IPv6 neighbour
# discovery and the first flood through the tunnels come first).
reach_soon() {
  if wait_until 15 mh_on "$1" ip netns exec "$2" ping -c 1 -W 1 "$3" >/dev/null 2>&1; then
    pass "$1:$2 reaches $3"
  else
    fail "$1:$2 does not reach $3 within 15 s"
  fi
}

all_reach() {
  reach_soon h1 n1 10.50.0.2
  reach_soon h1 n1 10.50.0.3
  reach_soon h3 n3 10.50.0.2
  reach_soon h2 n2 "2001:db8:50::3"
  reach_soon h3 n3 "2001:db8:50::1"
  reach_soon h1 n1 10.12.0.2
  reach_soon h2 n2 "2001:db8:12::1"
  if [[ $OVS == 1 ]]; then
    reach_soon h2 o2 10.60.0.3
    reach_soon h3 o3 "2001:db8:60::2"
  fi
}

step "deploy: every host applies its part of the one file"
play deploy
expect_play "deploy" 0
# The counts are the tasks': the directory, the file, the module (deploy); the module, the file
# (destroy).
for host in h1 h2 h3; do
  expect_eq "$(recap $host failed) $(recap $host changed)" "0 3" "$host: applied, changed"
done
expect_eq "$(mh_on h1 ip netns list | awk '{print $1}' | sort | tr '\n' ' ')" "n1 " \
  "h1 holds its own nodes only"
expect_eq "$(mh_on h3 ip netns list | awk '{print $1}' | sort | tr '\n' ' ')" \
  "$([[ $OVS == 1 ]] && echo "n3 o3 " || echo "n3 ")" "h3 holds its own nodes only"
expect_eq "$(mh_on h1 ip -n n1 -j -d link show vx12 | jq -r '.[0].linkinfo | "\(.info_kind) \(.info_data.id) \(.info_data.remote) \(.info_data.port)"')" \
  "vxlan 1012 10.99.0.2 4789" "h1: n1:vx12 is the point-to-point tunnel to h2, with the pinned VNI"
expect_eq "$(mh_on h3 ip -j -d link show vx5000 | jq -r '.[0] | "\(.master) \(.linkinfo.info_data.id)"')" \
  "seg 5000" "h3: seg's VXLAN port vx5000 has the pinned VNI"
expect_eq "$(mh_on h3 bridge -j fdb show dev vx5000 | jq -r '[.[] | select(.mac == "00:00:00:00:00:00") | .dst] | sort | join(" ")')" \
  "10.99.0.1 10.99.0.2" "h3: seg's VXLAN port floods to h1 and h2"
if [[ $OVS == 1 ]]; then
  for host in h2 h3; do
    expect_eq "$(mh_on $host ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 list-ports ovs0 | grep -c '^vx')" \
      "1" "$host: ovs0 has one VXLAN port"
  done
fi

step "reachability across hosts, from inside the nodes"
all_reach
if command -v iperf3 >/dev/null; then
  mh_on h2 ip netns exec n2 iperf3 -s -1 -D -B 10.12.0.2 >/dev/null 2>&1
  ok=0
  for _ in $(seq 1 10); do
    if mh_on h1 ip netns exec n1 timeout 10 iperf3 -c 10.12.0.2 -t 1 -M 1300 >"$WORK/iperf" 2>&1; then
      ok=1
      break
    fi
  done
  [[ $ok == 1 ]] && pass "a TCP stream crosses the h1-h2 tunnel" || fail "iperf3: $(tail -3 "$WORK/iperf")"
fi

step "verify: each host's expectations"
play verify
expect_play "verify" 0

step "a second deploy changes nothing"
play deploy
expect_play "second deploy" 0
for host in h1 h2 h3; do
  expect_eq "$(recap $host changed)" "0" "$host: changed=0"
done

step "check mode on a changed file: reported, nothing changed"
sed -i 's|addresses: \[10.50.0.3/24,|addresses: [10.50.0.33/24, 10.50.0.3/24,|' "$LAB"
play deploy --check --diff
expect_play "deploy --check" 0
expect_eq "$(recap h1 changed) $(recap h2 changed) $(recap h3 changed)" "0 0 1" \
  "only h3 reports a change"
grep -q '10.50.0.33' "$WORK/play.out" && pass "diff mode shows the plan" ||
  fail "no plan in the output: $(cat "$WORK/play.out")"
expect_eq "$(mh_on h3 ip -n n3 -j addr show dev eth0 | jq -r '[.[0].addr_info[] | select(.family == "inet") | .local] | join(" ")')" \
  "10.50.0.3" "h3's kernel: the address is not there"
if mh_on h3 grep -q 10.50.0.33 /run/nstopo-ansible/lab.yaml; then
  fail "check mode replaced the deployed file"
else
  pass "the deployed file is the old one"
fi
play deploy
expect_play "deploy of the change" 0
expect_eq "$(recap h1 changed) $(recap h2 changed) $(recap h3 changed)" "1 1 2" \
  "every host takes the file, only h3 applies a change"
reach_soon h1 n1 10.50.0.33

step "the files of nstopo split, deployed over the lab: the same parts, nothing to do"
expect_rc 0 "nstopo split" -- "$NSTOPO" split "$LAB" -o "$WORK/parts"
MODE_ARGS=(-e "nstopo_lab_dir=$WORK/parts")
play deploy
expect_play "deploy of the split files" 0
# Each host copies its new file (changed) and plans nothing with it (not changed).
expect_eq "$(recap h1 changed) $(recap h2 changed) $(recap h3 changed)" "1 1 1" \
  "only the files are new on each host"
MODE_ARGS=(-e "nstopo_lab_file=$LAB")

step "destroy"
play destroy
expect_play "destroy" 0

step "one host fails: a hand-made VXLAN on h2 holds the segment's VNI and port"
# (The same VNI and port over h2's namespace as seg's tunnel: the kernel would refuse nstopo's.)
mh_on h2 ip link add vxh type vxlan id 5000 dstport 4789 dev eth0
play deploy
expect_play "deploy fails" 2
expect_eq "$(recap h1 failed) $(recap h2 failed) $(recap h3 failed)" "0 1 0" "h2 fails, h1 and h3 do not"
expect_eq "$(recap h1 changed) $(recap h3 changed)" "2 2" "h1 and h3 are applied"
if grep -q 'vni 5000.*vxh' "$WORK/play.out"; then
  pass "the failure carries nstopo's message"
  grep -m 1 -o '"msg": "[^"]*' "$WORK/play.out" || true
else
  fail "nstopo's message is not in the output: $(grep -A3 'FAILED\|fatal' "$WORK/play.out")"
fi
expect_eq "$(mh_on h2 ip netns list | wc -l)" "0" "h2: nothing changed"
expect_eq "$(mh_on h1 ip netns list | wc -l) $(mh_on h3 ip netns list | wc -l)" "1 $((1 + OVS))" \
  "h1 and h3 hold their nodes"
mh_on h2 ip link del vxh
play deploy
expect_play "the rerun converges" 0
expect_eq "$(recap h1 changed) $(recap h2 changed) $(recap h3 changed)" "0 1 0" \
  "only h2 had anything left to do"
all_reach

step "destroy removes everything on every host"
play destroy
expect_play "destroy" 0
for host in h1 h2 h3; do
  expect_eq "$(recap $host changed)" "2" "$host: changed"
  expect_eq "$(mh_on $host ip netns list | wc -l)" "0" "$host: no namespace left"
  # (ovs-netdev is Open vSwitch's own device of the userspace datapath.)
  expect_eq "$(mh_on $host ip -j link show | jq -r '[.[].ifname | select(. != "ovs-netdev")] | sort | join(" ")')" \
    "eth0 lo" "$host: only its own lo and eth0 left"
  expect_eq "$(mh_on $host "$NSTOPO" list --json | jq '.labs | length')" "0" "$host: no lab left"
done
if [[ $OVS == 1 ]]; then
  for host in h2 h3; do
    expect_eq "$(mh_on $host ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 list-br | wc -l)" \
      "0" "$host: no Open vSwitch bridge left"
  done
fi
play destroy -e nstopo_lab_name=ansible-three
expect_play "a second destroy, by the lab's name" 0
for host in h1 h2 h3; do
  expect_eq "$(recap $host changed)" "0" "$host: nothing left to destroy"
done
finish
