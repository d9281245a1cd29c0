# SPDX-License-Identifier: Apache-2.0
# Names and state nstopo reads back from the machine, written by someone else: lab names in
# interface aliases never become paths, state directories of another user (or that others can
# write) stop the run, a journal adopts nothing by name alone, names reach the terminal escaped,
# `ovs stop` signals only the daemons nstopo started, and bench runs the iperf3 it checked.
# The other local user is `nobody`, through setpriv.
source "$(dirname "$0")/lib.sh"
command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) is not installed"; exit 77; }
as_nobody() { setpriv --reuid nobody --regid nogroup --clear-groups "$@"; }
chmod 755 "$WORK"
ESC=$'\e'
BEL=$'\a'
# no_escape FILE DESCRIPTION: the file holds no ESC or BEL byte (nothing a terminal would act on)
no_escape() {
  if LC_ALL=C grep -q "[$ESC$BEL]" "$1"; then fail "$2: $(od -c "$1" | head -5)"; else pass "$2"; fi
}
# only_line FILE TEXT DESCRIPTION: FILE is exactly one line and contains TEXT
only_line() {
  if [[ $(wc -l <"$1") == 1 ]] && grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3: $(cat "$1")"; fi
}
link_exists() { ip -j link show dev "$1" 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin) else 1)'; }

step "an alias's lab name never becomes a path (gc)"
# The reproduced attack: the mark on a namespace's lo names a lab that is a path out of
# /run/nstopo; gc then removed TARGET/lab.json and TARGET.
TARGET=$WORK/x/target
mkdir -p "$TARGET"
echo '{"lab": "target"}' >"$TARGET/lab.json"
echo '{}' >"$TARGET/journal.json"
ip netns add v
ip -n v link set lo alias "nstopo:../..$TARGET"
ip link add br-evil type bridge
ip link set br-evil alias "nstopo:../..$TARGET"
expect_rc 0 "gc" -- "$NSTOPO" gc
expect_eq "$(cat "$WORK/out")" "nothing to collect" "gc sees no lab in a mark that is no lab name"
expect_eq "$(ls "$TARGET" | tr '\n' ' ')" "journal.json lab.json " "the planted target survives (ls)"
expect_eq "$(netns_list)" "v " "the namespace carrying the mark is left alone"
link_exists br-evil && pass "the bridge carrying the mark is left alone" || fail "br-evil was deleted"
expect_rc 0 "list" -- "$NSTOPO" list
expect_eq "$(cat "$WORK/out")" "no labs on this machine" "list shows no such lab"
expect_rc 0 "destroy --lab of a real name still works" -- "$NSTOPO" destroy --lab target
expect_eq "$(ls "$TARGET" | tr '\n' ' ')" "journal.json lab.json " "the target still survives"
ip netns del v
ip link del br-evil

if [[ -x /usr/sbin/ovsdb-server && -x /usr/bin/ovs-vsctl ]]; then
  step "an OVSDB row's lab name never becomes a path (gc)"
  expect_rc 0 "nstopo ovs start" -- "$NSTOPO" ovs start
  ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 add-br br-evil -- set Bridge br-evil \
    datapath_type=netdev "external_ids:nstopo-lab=\"../..$WORK/x/dir\""
  expect_rc 0 "gc" -- "$NSTOPO" gc
  expect_eq "$(cat "$WORK/out")" "nothing to collect" "gc sees no lab in the row"
  [[ ! -e $WORK/x/dir ]] && pass "no directory was created outside /run/nstopo" || fail "$WORK/x/dir exists"
  ovs-vsctl --db=unix:/run/nstopo/ovs/db.sock --timeout=10 br-exists br-evil \
    && pass "the row is left alone" || fail "br-evil was removed from OVSDB"
  expect_rc 0 "nstopo ovs stop" -- "$NSTOPO" ovs stop
else
  echo "SKIP part: Open vSwitch is not installed, the OVSDB row case is not run"
fi
rm -rf /run/nstopo

step "a /run/nstopo that every user can write: nobody plants a journal"
# A foreign bridge and namespace, as on a CI machine running Docker. nobody can read their
# group with `ip link`, so the planted journal names it: only the refusal keeps them alive.
ip link add docker0 group 77 type bridge
ip netns add foreign
mkdir -m 1777 /run/nstopo
PLANTED=$(mktemp -d)
chmod 1777 "$PLANTED"
# One lab directory with a journal in it, and one that is a symlink to nobody's own directory.
as_nobody env PLANTED="$PLANTED" bash -c '
  journal="{\"netns\": [\"foreign\"], \"links\": [\"host:docker0\"], \"creation_group\": 77}"
  mkdir -m 700 /run/nstopo/ci-lab "$PLANTED/other-lab"
  echo "$journal" >/run/nstopo/ci-lab/journal.json
  echo "$journal" >"$PLANTED/other-lab/journal.json"
  ln -s "$PLANTED/other-lab" /run/nstopo/other-lab' \
  && pass "nobody planted a journal and a symlinked lab directory" || fail "nobody could not plant"
for command in "destroy --lab ci-lab" "destroy --lab other-lab" "gc" "list" "show --lab ci-lab"; do
  # shellcheck disable=SC2086
  expect_rc 1 "$command refuses" -- "$NSTOPO" $command
  only_line "$WORK/err" "error: refusing to use /run/nstopo: it is writable by every user (mode 1777)" \
    "$command: one clear line naming /run/nstopo and why"
  [[ ! -s $WORK/out ]] && pass "$command: nothing on stdout" || fail "$command printed: $(cat "$WORK/out")"
done
link_exists docker0 && pass "docker0 is still there (ip -j link)" || fail "docker0 was deleted"
expect_eq "$(netns_list)" "foreign " "the foreign namespace is still there (ip netns list)"
rm -rf "$PLANTED"

step "a /run/nstopo of another user"
chown nobody:nogroup /run/nstopo
chmod 700 /run/nstopo
expect_rc 1 "destroy --lab ci-lab refuses" -- "$NSTOPO" destroy --lab ci-lab
only_line "$WORK/err" "error: refusing to use /run/nstopo: it belongs to uid $(id -u nobody), and nstopo runs as uid 0" \
  "one clear line naming the owner"
expect_rc 1 "apply refuses" -- "$NSTOPO" apply "$SRC/topologies/seeds/veth-pair.yaml"
expect_eq "$(netns_list)" "foreign " "apply created nothing"
rm -rf /run/nstopo

step "a lab directory of another user, inside a good /run/nstopo"
expect_rc 0 "list makes /run/nstopo" -- "$NSTOPO" list
expect_eq "$(stat -c '%a %U' /run/nstopo)" "700 root" "/run/nstopo is 0700 root"
mkdir -m 700 /run/nstopo/ci-lab
chown nobody /run/nstopo/ci-lab
expect_rc 1 "destroy --lab ci-lab refuses" -- "$NSTOPO" destroy --lab ci-lab
only_line "$WORK/err" "error: refusing to use /run/nstopo/ci-lab: it belongs to uid $(id -u nobody)" "one clear line"
chown root /run/nstopo/ci-lab
chmod 770 /run/nstopo/ci-lab
expect_rc 1 "a group-writable lab directory is refused too" -- "$NSTOPO" destroy --lab ci-lab
only_line "$WORK/err" "error: refusing to use /run/nstopo/ci-lab: it is writable by its group (mode 770)" "one clear line"
chmod 700 /run/nstopo/ci-lab

step "a journal that is a symlink is refused, even in a good directory"
echo '{"netns": ["foreign"], "links": ["host:docker0"], "creation_group": 77}' >"$WORK/planted.json"
ln -s "$WORK/planted.json" /run/nstopo/ci-lab/journal.json
expect_rc 1 "destroy --lab ci-lab refuses" -- "$NSTOPO" destroy --lab ci-lab
only_line "$WORK/err" "error: refusing to use /run/nstopo/ci-lab/journal.json: it is a symlink" "one clear line"
rm /run/nstopo/ci-lab/journal.json

step "a journal naming a foreign bridge and namespace with the wrong identity"
# Written by root in nstopo's own directory, as a stale journal would be: docker0 sits in group
# 77, the journal's creation group is another; the namespace is unmarked.
echo '{"netns": ["foreign"], "links": ["host:docker0"], "creation_group": 78}' \
  >/run/nstopo/ci-lab/journal.json
chmod 600 /run/nstopo/ci-lab/journal.json
expect_rc 0 "destroy --lab ci-lab" -- "$NSTOPO" destroy --lab ci-lab
grep -q "^No changes" "$WORK/out" && pass "nothing to destroy" || fail "destroy planned: $(cat "$WORK/out")"
link_exists docker0 && pass "docker0 is left alone (ip -j link)" || fail "docker0 was deleted"
expect_eq "$(netns_list)" "foreign " "the foreign namespace is left alone (ip netns list)"
step "an older journal, names without identity"
mkdir -p -m 700 /run/nstopo/ci-lab
echo '{"netns": ["foreign"], "links": ["host:docker0"]}' >/run/nstopo/ci-lab/journal.json
chmod 600 /run/nstopo/ci-lab/journal.json
expect_rc 0 "destroy --lab ci-lab" -- "$NSTOPO" destroy --lab ci-lab
grep -q "^No changes" "$WORK/out" && pass "nothing adopted, nothing to destroy" || fail "destroy planned: $(cat "$WORK/out")"
link_exists docker0 && pass "docker0 is left alone" || fail "docker0 was deleted"
expect_eq "$(netns_list)" "foreign " "the foreign namespace is left alone"
ip link del docker0
ip netns del foreign

step "what a killed run left unmarked in its creation group is still adopted"
cat >"$WORK/ci-lab.yaml" <<'EOF'
name: ci-lab
nodes:
  n1: {interfaces: {eth0: {addresses: [10.9.0.2/24]}}}
bridges:
  br-ci: {kind: linux}
links:
  - {kind: veth, endpoints: [n1:eth0, br-ci:p1]}
EOF
ip link add br-ci group 1234567 type bridge  # as a run killed before marking it leaves it
mkdir -p -m 700 /run/nstopo/ci-lab
echo '{"netns": ["n1"], "links": ["host:br-ci", "host:p1", "n1:eth0"], "creation_group": 1234567}' \
  >/run/nstopo/ci-lab/journal.json
chmod 600 /run/nstopo/ci-lab/journal.json
expect_rc 0 "apply adopts the unmarked bridge and rebuilds it with its mark" -- "$NSTOPO" apply "$WORK/ci-lab.yaml"
grep -q "^- bridge host:br-ci" "$WORK/out" && pass "the adopted bridge is rebuilt" || fail "plan: $(cat "$WORK/out")"
expect_eq "$(ip -j -d link show br-ci | python3 -c 'import json,sys; l=json.load(sys.stdin)[0]; print(l.get("ifalias"), l.get("group"))')" \
  "nstopo:ci-lab default" "the bridge carries the mark and left the creation group"
expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$WORK/ci-lab.yaml"
[[ ! -e /run/nstopo/ci-lab/journal.json ]] && pass "the journal is gone after the run" || fail "journal left"

step "names from the machine reach the terminal escaped (list, show, gc)"
# A name and a lab name with terminal control sequences: an OSC title change and a BEL.
EVIL=$'\e]0;pwn\a'
ip link add name "$EVIL" type bridge
ip link set dev "$EVIL" alias "nstopo:esc-lab"
ip link add br-esc type bridge
ip link set br-esc alias $'nstopo:\e]0;x\a'
expect_rc 0 "show --lab esc-lab" -- "$NSTOPO" show --lab esc-lab
no_escape "$WORK/out" "show prints no control character"
grep -qF '\x1b]0;pwn\x07' "$WORK/out" && pass "show names the interface escaped" || fail "show: $(cat "$WORK/out")"
expect_rc 0 "gc --dry-run" -- "$NSTOPO" gc --dry-run
no_escape "$WORK/out" "gc prints no control character"
grep -qF 'host:\x1b]0;pwn\x07' "$WORK/out" && pass "gc names the interface escaped" || fail "gc: $(cat "$WORK/out")"
expect_rc 0 "list" -- "$NSTOPO" list
no_escape "$WORK/out" "list prints no control character"
grep -q "^esc-lab " "$WORK/out" && pass "list shows the lab" || fail "list: $(cat "$WORK/out")"
expect_eq "$(grep -c . "$WORK/out")" "3" "the alias whose lab is no lab name is not listed"
ip link del "$EVIL"
ip link del br-esc
# A record names the file last applied; a file name is anyone's to choose in a checkout.
ODD_FILE="$WORK/"$'\e]0;t\a'".yaml"
cp "$SRC/topologies/seeds/veth-pair.yaml" "$ODD_FILE"
expect_rc 0 "apply a file whose name holds control characters" -- "$NSTOPO" apply "$ODD_FILE"
expect_rc 0 "list" -- "$NSTOPO" list
no_escape "$WORK/out" "list prints the recorded file name escaped"
grep -qF '\x1b]0;t\x07.yaml' "$WORK/out" && pass "as \\x1b ... \\x07" || fail "list: $(cat "$WORK/out")"
expect_rc 0 "destroy veth-pair" -- "$NSTOPO" destroy --lab veth-pair
expect_rc 0 "destroy ci-lab" -- "$NSTOPO" destroy --lab ci-lab

step "ovs stop signals only the daemons nstopo started"
mkdir -p -m 700 /run/nstopo/ovs
sleep 300 &
victim=$!
echo "$victim" >/run/nstopo/ovs/ovs-vswitchd.pid
expect_rc 1 "a pidfile naming another program is refused" -- "$NSTOPO" ovs stop
only_line "$WORK/err" "/run/nstopo/ovs/ovs-vswitchd.pid names pid $victim, which runs $(readlink -f "$(command -v sleep)"), not" \
  "one clear line naming the pid and its program"
kill -0 "$victim" 2>/dev/null && pass "the process was not signalled" || fail "pid $victim was killed"
expect_rc 1 "ovs status does not take it for ovs-vswitchd" -- "$NSTOPO" ovs status
grep -q "ovs-vswitchd: not running" "$WORK/out" && pass "status says not running" || fail "status: $(cat "$WORK/out")"
chown nobody /run/nstopo/ovs/ovs-vswitchd.pid
expect_rc 1 "a pidfile of another user is refused" -- "$NSTOPO" ovs stop
only_line "$WORK/err" "refusing to use /run/nstopo/ovs/ovs-vswitchd.pid: it belongs to uid $(id -u nobody)" "one clear line"
kill -0 "$victim" 2>/dev/null && pass "still not signalled" || fail "pid $victim was killed"
rm /run/nstopo/ovs/ovs-vswitchd.pid
ln -s /proc/self/fd/0 /run/nstopo/ovs/ovsdb-server.pid
expect_rc 1 "a symlinked pidfile is refused" -- "$NSTOPO" ovs stop
only_line "$WORK/err" "refusing to use /run/nstopo/ovs/ovsdb-server.pid: it is a symlink" "one clear line"
rm /run/nstopo/ovs/ovsdb-server.pid
kill "$victim"; wait "$victim" 2>/dev/null || true
echo "$victim" >/run/nstopo/ovs/ovs-vswitchd.pid
expect_rc 0 "a stale pidfile is nothing to stop" -- "$NSTOPO" ovs stop
rm -rf /run/nstopo/ovs

step "bench runs the iperf3 it checked, not the first one on PATH"
mkdir -p "$WORK/bin"
printf '#!/bin/sh\ntouch %s/fake-iperf3-ran\nexit 1\n' "$WORK" >"$WORK/bin/iperf3"
chmod 755 "$WORK/bin/iperf3"
BRIDGE=$SRC/topologies/seeds/linux-bridge.yaml
expect_rc 0 "apply linux-bridge" -- "$NSTOPO" apply "$BRIDGE"
expect_rc 0 "bench with a fake iperf3 first on PATH" -- \
  env PATH="$WORK/bin:$PATH" "$NSTOPO" bench "$BRIDGE" --from ns1 --to ns2 --duration 1 --json
[[ ! -e $WORK/fake-iperf3-ran ]] && pass "the fake iperf3 never ran" || fail "bench ran $WORK/bin/iperf3"
if [[ -x /usr/bin/iperf3 ]]; then
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["tcp_stream"]["bits_per_second"] > 0' \
    "$WORK/out" && pass "/usr/bin/iperf3 measured the stream" || fail "bench: $(cat "$WORK/out")"
else
  echo "SKIP part: iperf3 is not installed, only the fake's absence is checked"
fi
expect_rc 0 "destroy linux-bridge" -- "$NSTOPO" destroy "$BRIDGE"
expect_eq "$(netns_list)" "" "clean at the end"
finish
