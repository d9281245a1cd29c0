# SPDX-License-Identifier: Apache-2.0
# Every hostile topology (tests/hostile) is refused by apply with problems at file:line:column,
# nothing on stdout, and nothing changed in the kernel or under /run/nstopo.
source "$(dirname "$0")/lib.sh"
before=$(snapshot; ls -la /run/nstopo 2>/dev/null || true)
count=0
for file in "$SRC"/tests/hostile/*.yaml; do
  count=$((count + 1))
  rc=0
  "$NSTOPO" apply "$file" >"$WORK/out" 2>"$WORK/err" || rc=$?
  name=$(basename "$file")
  if [[ $rc != 1 ]]; then
    fail "$name: exit $rc"
  elif [[ -s $WORK/out ]]; then
    fail "$name: printed on stdout: $(head -2 "$WORK/out")"
  elif grep -vqE "^$(printf '%s' "$file" | sed 's/[.[\*^$/]/\\&/g'):[0-9]+:[0-9]+: error: " "$WORK/err"; then
    fail "$name: a line without file:line:column: $(grep -vE ':[0-9]+:[0-9]+: error: ' "$WORK/err" | head -1)"
  else
    PASSES=$((PASSES + 1))
  fi
done
echo "checked $count hostile files"
expect_eq "$(( count >= 100 ))" "1" "at least a hundred cases"
after=$(snapshot; ls -la /run/nstopo 2>/dev/null || true)
expect_eq "$after" "$before" "nothing changed in the kernel or under /run/nstopo"
finish
