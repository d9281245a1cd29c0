# SPDX-License-Identifier: Apache-2.0
# Sysctls on the real kernel. The forwarding and rp_filter settings of `all` and `default` are
# read over netlink (RTM_GETNETCONF) instead of /proc/sys (drivers/netlink/netconf.h); every
# other key through /proc/sys. The file gives `all` and `default`, and the two families,
# different values, so a value read from the wrong scope or family shows as a change that never
# converges. Checked with `sysctl -n` in the namespace. Forwarding keys that could never hold
# together (the kernel copies `all` to `default` and every interface) are refused.
source "$(dirname "$0")/lib.sh"
LAB=$WORK/sysctls.yaml
cat >"$LAB" <<'YAML'
version: 1
name: sysctls
nodes:
  r1:
    sysctls:
      net.ipv4.ip_forward: 1
      net.ipv4.conf.all.rp_filter: 2
      net.ipv4.conf.default.rp_filter: 1
      net.ipv6.conf.default.forwarding: 1
      net.ipv4.conf.all.arp_ignore: 2
  r2:
    sysctls:
      net.ipv4.conf.all.forwarding: 0
      net.ipv6.conf.all.forwarding: 1
links:
  - {kind: veth, endpoints: [r1:eth0, r2:eth0]}
YAML
sysctl_in() { ip netns exec "$1" sysctl -n "$2"; }

step "apply sets every key, whichever way it is read"
expect_rc 0 "apply" -- "$NSTOPO" apply "$LAB"
expect_eq "$(sysctl_in r1 net.ipv4.ip_forward)" "1" "r1 forwards IPv4"
expect_eq "$(sysctl_in r1 net.ipv4.conf.all.rp_filter)" "2" "r1's rp_filter (all)"
expect_eq "$(sysctl_in r1 net.ipv4.conf.default.rp_filter)" "1" "r1's rp_filter (default)"
expect_eq "$(sysctl_in r1 net.ipv6.conf.all.forwarding)" "0" "r1's IPv6 forwarding (all, the kernel's)"
expect_eq "$(sysctl_in r1 net.ipv6.conf.default.forwarding)" "1" "r1's IPv6 forwarding (default)"
expect_eq "$(sysctl_in r1 net.ipv4.conf.all.arp_ignore)" "2" "r1's arp_ignore (read from /proc/sys)"
expect_eq "$(sysctl_in r2 net.ipv4.ip_forward)" "0" "r2 does not forward IPv4"
expect_eq "$(sysctl_in r2 net.ipv6.conf.all.forwarding)" "1" "r2 forwards IPv6"
expect_rc 0 "a second plan changes nothing" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "a key changed behind nstopo's back is drift, put back"
ip netns exec r1 sysctl -qw net.ipv4.conf.all.forwarding=0
ip netns exec r1 sysctl -qw net.ipv4.conf.default.rp_filter=0
ip netns exec r2 sysctl -qw net.ipv6.conf.all.forwarding=0
ip netns exec r1 sysctl -qw net.ipv4.conf.all.arp_ignore=0
"$NSTOPO" plan "$LAB" >"$WORK/plan.txt" 2>&1 || true
for changed in "r1.*net.ipv4.ip_forward" "r1.*net.ipv4.conf.default.rp_filter" \
  "r2.*net.ipv6.conf.all.forwarding" "r1.*net.ipv4.conf.all.arp_ignore"; do
  if grep -q "$changed" "$WORK/plan.txt"; then pass "the plan names $changed"; else
    fail "the plan does not name $changed"; cat "$WORK/plan.txt"; fi
done
if grep -q "net.ipv6.conf.default.forwarding\|net.ipv4.conf.all.rp_filter" "$WORK/plan.txt"; then
  fail "the plan changes keys nobody touched"; cat "$WORK/plan.txt"
else pass "the keys nobody touched are not in the plan"; fi
expect_rc 2 "plan --detailed-exitcode reports the drift" -- "$NSTOPO" plan --detailed-exitcode "$LAB"
expect_rc 0 "apply puts them back" -- "$NSTOPO" apply "$LAB"
expect_eq "$(sysctl_in r1 net.ipv4.ip_forward)" "1" "r1 forwards IPv4 again"
expect_eq "$(sysctl_in r1 net.ipv4.conf.default.rp_filter)" "1" "r1's rp_filter (default) again"
expect_eq "$(sysctl_in r2 net.ipv6.conf.all.forwarding)" "1" "r2 forwards IPv6 again"
expect_eq "$(sysctl_in r1 net.ipv4.conf.all.arp_ignore)" "2" "r1's arp_ignore again"
expect_rc 0 "then nothing is left to change" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

step "forwarding keys that could never hold together are refused, and nothing changes"
cat >"$WORK/never.yaml" <<'YAML'
version: 1
name: never
nodes:
  n1:
    sysctls:
      net.ipv4.ip_forward: 1
      net.ipv4.conf.default.forwarding: 0
YAML
expect_rc 1 "apply refuses the file" -- "$NSTOPO" apply "$WORK/never.yaml"
if grep -q "never.yaml:7:7: error: sysctl 'net.ipv4.conf.default.forwarding' of node 'n1'" "$WORK/err"; then
  pass "the error names the key's line"
else fail "the error does not name the key's line"; cat "$WORK/err"; fi
expect_eq "$(netns_list)" "r1 r2 " "no namespace of the refused file"

step "a key the kernel lacks, in a new namespace: written at creation fails, its phase reports it"
# A new namespace's sysctls are written from inside it while it is created (NetlinkDriver::
# expect); one that fails there is left to the sysctl phase, which names it and rolls back.
cat >"$WORK/lacking.yaml" <<'YAML'
name: lacking
nodes:
  n1:
    sysctls: {net.ipv4.ip_forward: 1, net.ipv4.conf.all.no_such_key: 1}
YAML
expect_rc 1 "apply fails" -- "$NSTOPO" apply "$WORK/lacking.yaml"
grep -q "namespace 'n1': sysctl 'net.ipv4.conf.all.no_such_key' (/proc/sys/net/ipv4/conf/all/no_such_key): No such file" "$WORK/err" &&
  pass "the error names the namespace and the key" || fail "$(cat "$WORK/err")"
grep -q "rolled back: .* the machine is as it was before this run" "$WORK/err" &&
  pass "rolled back" || fail "no rollback line: $(cat "$WORK/err")"
expect_eq "$(netns_list)" "r1 r2 " "n1 is gone again"

step "every new namespace gets nstopo's defaults, through procfs mounts of its own left nowhere"
# Written through a procfs mounted for a few namespaces at a time (sys/own_procfs.h: the machine's
# makes each new namespace walk every other's dentries), 16 namespaces to a procfs on each
# thread: 40 namespaces need at least three of them.
{
  echo "name: many"
  echo "nodes:"
  for i in $(seq 40); do echo "  m$i: {}"; done
} >"$WORK/many.yaml"
proc_mounts() { grep -c " - proc " /proc/self/mountinfo; }
mounts_before=$(proc_mounts)
host_defaults() { echo "$(sysctl -n net.ipv6.conf.default.accept_dad) $(sysctl -n net.ipv4.conf.all.arp_notify)"; }
host_before=$(host_defaults)
expect_rc 0 "apply 40 namespaces" -- "$NSTOPO" apply "$WORK/many.yaml"
wrong=""
for i in $(seq 40); do
  got=$(ip netns exec "m$i" cat /proc/sys/net/ipv6/conf/default/accept_dad \
    /proc/sys/net/ipv6/conf/all/accept_dad /proc/sys/net/ipv4/conf/default/arp_notify \
    /proc/sys/net/ipv4/conf/all/arp_notify /proc/sys/net/ipv6/conf/default/ndisc_notify \
    /proc/sys/net/ipv6/conf/all/ndisc_notify | tr '\n' ' ')
  [[ $got == "0 0 1 1 1 1 " ]] || wrong+="m$i: $got; "
done
expect_eq "$wrong" "" "no DAD and neighbour announcements in each of the 40 (accept_dad 0, arp_notify and ndisc_notify 1)"
expect_eq "$(host_defaults)" "$host_before" "the host's own keys are untouched"
expect_eq "$(proc_mounts)" "$mounts_before" "no procfs mount left in the mount table"
expect_rc 0 "destroy them" -- "$NSTOPO" destroy "$WORK/many.yaml"

step "destroy"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$LAB"
expect_eq "$(netns_list)" "" "nothing left"
finish
