# SPDX-License-Identifier: Apache-2.0
# Topology files from someone else (issue 22): a symlink or a file that is not a regular one is
# refused unread.
source "$(dirname "$0")/lib.sh"

step "a lab.yaml that is a symlink to a root-only file"
# The first line of a shadow file; read as YAML it is a mapping whose key the parser quotes.
printf 'root:$6$SALTSALT$HASHHASHHASHHASH: 19000\n' >"$WORK/shadow"
chmod 600 "$WORK/shadow"
mkdir -m 1777 "$WORK/repo"
chmod 755 "$WORK"
# The link is planted by an unprivileged user, as a file committed to a pull request would be.
if command -v setpriv >/dev/null; then
  setpriv --reuid=65534 --regid=65534 --clear-groups ln -s "$WORK/shadow" "$WORK/repo/lab.yaml"
else
  ln -s "$WORK/shadow" "$WORK/repo/lab.yaml"
fi
for command in validate plan apply; do
  expect_rc 1 "$command refuses the symlink" -- "$NSTOPO" "$command" "$WORK/repo/lab.yaml"
  expect_eq "$(cat "$WORK/err")" "error: topology file '$WORK/repo/lab.yaml' is a symbolic link; nstopo does not follow it (pass --follow-symlinks to read the file it points to)" "$command: one line naming the file"
  if grep -q 'SALT\|HASH' "$WORK/out" "$WORK/err"; then
    fail "$command printed the root-only file's content"
  else
    pass "$command printed nothing of the root-only file"
  fi
done
expect_eq "$(netns_list)" "" "nothing was created"

step "--follow-symlinks, before or after the command"
cp "$SRC/topologies/seeds/veth-pair.yaml" "$WORK/real.yaml"
ln -s "$WORK/real.yaml" "$WORK/link.yaml"
expect_rc 0 "validate --follow-symlinks reads the linked file" -- "$NSTOPO" validate --follow-symlinks "$WORK/link.yaml"
expect_rc 0 "--follow-symlinks before the command" -- "$NSTOPO" --follow-symlinks validate "$WORK/link.yaml"
expect_rc 1 "without it the same link is refused" -- "$NSTOPO" validate "$WORK/link.yaml"

step "a FIFO is refused at once"
mkfifo "$WORK/fifo.yaml"
expect_rc 1 "validate of a FIFO returns without a writer" -- timeout 20 "$NSTOPO" validate "$WORK/fifo.yaml"
expect_eq "$(cat "$WORK/err")" "error: topology file '$WORK/fifo.yaml' is a FIFO (named pipe); a topology must be a regular file" "one line naming the type"

step "size caps: every command refuses a file over a cap, and the flag raises it"
printf 'name: big\nnodes:\n  a: {}\n  b: {}\n  c: {}\n' >"$WORK/big.yaml"
for command in validate plan apply; do
  expect_rc 1 "$command --max-namespaces 2 refuses 3 namespaces" -- "$NSTOPO" "$command" --max-namespaces 2 "$WORK/big.yaml"
  expect_eq "$(cat "$WORK/err")" "$WORK/big.yaml:5:3: error: the file asks for 3 namespaces, more than the limit of 2 (each costs the kernel about 200 KB); raise it with --max-namespaces if this lab really needs them" "$command: one line with the count and the flag"
done
expect_eq "$(netns_list)" "" "nothing was created"
expect_rc 0 "--max-namespaces 3 lets it through" -- "$NSTOPO" --max-namespaces 3 validate "$WORK/big.yaml"
expect_rc 1 "verify counts probes before it needs the lab" -- "$NSTOPO" verify --max-probes 1 "$SRC/topologies/seeds/veth-pair.yaml"
grep -q "verify probes, more than the limit of 1; raise it with --max-probes" "$WORK/err" \
  && pass "verify names the probe cap" || fail "verify: $(cat "$WORK/err")"

step "--untrusted: a file that diverts the host's traffic and takes its NIC changes nothing"
# The sandbox's own "NIC" and default route stand for the machine's.
ip link add nic0 type veth peer name nic0-peer  # this kernel may have no dummy driver
# No IPv6 link-local address, whose duplicate detection would change the snapshot on its own.
sysctl -qw net.ipv6.conf.nic0.disable_ipv6=1 net.ipv6.conf.nic0-peer.disable_ipv6=1
ip addr add 198.51.100.2/24 dev nic0
ip link set nic0 up && ip link set nic0-peer up
ip route add default via 198.51.100.1 dev nic0
cat >"$WORK/hostile.yaml" <<'YAML'
name: hostile
nodes:
  host:
    interfaces:
      lab0: {addresses: [192.0.2.1/24]}
    routes:
      - {to: 0.0.0.0/1, via: 192.0.2.2, dev: lab0}
      - {to: 128.0.0.0/1, via: 192.0.2.2, dev: lab0}
  ns1:
    interfaces:
      eth0: {addresses: [192.0.2.2/24]}
links:
  - {kind: veth, endpoints: [host:lab0, ns1:eth0]}
  - {kind: macvlan, parent: host:nic0, endpoint: ns1:grab, mode: passthru}
YAML
# The machine as ip shows it; operstate follows the carrier on a timer, so it is left out.
machine() {
  ip -j route
  ip -j -6 route
  { ip -j link; ip -j addr; } | sed 's/"operstate":"[A-Z]*",//g'
  ip netns list
  ls -A /run/nstopo 2>/dev/null || true
}
before=$(machine)
expect_rc 0 "without --untrusted the file is valid (the attack is real)" -- "$NSTOPO" validate "$WORK/hostile.yaml"
expect_rc 1 "apply --untrusted refuses it" -- "$NSTOPO" apply --untrusted "$WORK/hostile.yaml"
expect_eq "$(wc -l <"$WORK/err")" "6" "one line per host object: interface, address, two routes, veth end, macvlan parent"
expect_eq "$(grep -c "^$WORK/hostile.yaml:[0-9]*:[0-9]*: error: .* is in the host namespace (nstopo's own); --untrusted refuses every object there$" "$WORK/err")" "6" "each line is located and says why"
grep -q "hostile.yaml:14:29: error: macvlan parent 'host:nic0'" "$WORK/err" \
  && pass "the NIC's parent line is named" || fail "no line for the NIC: $(cat "$WORK/err")"
expect_eq "$(cat "$WORK/out")" "" "nothing on stdout"
expect_rc 1 "NSTOPO_UNTRUSTED=1 apply refuses it too" -- env NSTOPO_UNTRUSTED=1 "$NSTOPO" apply "$WORK/hostile.yaml"
expect_rc 1 "plan --untrusted refuses it" -- "$NSTOPO" --untrusted plan "$WORK/hostile.yaml"
expect_eq "$(machine)" "$before" "routes, links, addresses, namespaces and /run/nstopo are as before"

finish
