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

finish
