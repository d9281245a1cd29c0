# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash source=tests/integration/lib.sh
# Every hostile topology of the table (tests/hostile/*.yaml, expected.tsv) is refused by `apply`
# and by `validate`: exit 1, nothing on stdout, the recorded first line on stderr, one line per
# problem (as many as `validate --json` counts), each at file:line:column; and nothing changes
# in the kernel or under /run (namespaces, links, routes, /run/nstopo, /run/netns). The pending/
# files (known message defects, see pending/README.md) must at least be refused and change
# nothing. Plus generated inputs: a file over the 4 MiB cap and 10000 levels of nesting. Every
# run is bounded in time and memory.
source "$(dirname "$0")/lib.sh"

HOSTILE=$SRC/tests/hostile
LIMIT_SECONDS=30
# A memory bound for each run; AddressSanitizer reserves terabytes of address space up front.
LIMIT_KB=4194304
if built_with_sanitizers; then
  LIMIT_KB=unlimited
fi

# bounded COMMAND...: run it with the time and memory bounds (exit 124 on timeout)
bounded() { (ulimit -v "$LIMIT_KB" && exec timeout --kill-after=5 "$LIMIT_SECONDS" "$@"); }

# kernel_state: everything an apply could change
kernel_state() {
  {
    echo "netns:"; ip netns list
    echo "links:"; ip -o link show
    echo "routes:"; ip route show table all; ip -6 route show table all
    echo "run:"; find /run/nstopo /run/netns 2>/dev/null | sort
  } 2>&1 || true
}

shopt -s extglob
# lines_located NAME FILE: every line of FILE is "NAME:LINE:COLUMN: error: ..."
lines_located() {
  local name=$1 file=$2 line
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line == "$name":+([0-9]):+([0-9])": error: "* ]] || return 1
  done <"$file"
}

# refused_safely NAME [--json]: `apply NAME` (in the current directory) exits 1, prints nothing
# on stdout and leaves the kernel as it was at the start; `validate [--json] NAME` exits 1 and
# prints the same lines on stderr. Leaves apply's stderr in $WORK/err and, with --json, the
# number of problems that validate reports in JSON in $PROBLEMS.
refused_safely() {
  local name=$1 json=${2:-} after rc=0 ok=1
  bounded "$NSTOPO" apply "$name" >"$WORK/out" 2>"$WORK/err" || rc=$?
  after=$(kernel_state)
  if [[ $rc != 1 ]]; then
    fail "$name: apply exit $rc, wanted 1 (124 is the ${LIMIT_SECONDS}s bound, >128 a signal)"
    ok=0
  fi
  if [[ -s $WORK/out ]]; then
    fail "$name: apply printed on stdout: $(head -c 200 "$WORK/out")"
    ok=0
  fi
  if [[ $after != "$BASELINE" ]]; then
    fail "$name: apply changed the kernel or /run:" \
      "$(diff <(echo "$BASELINE") <(echo "$after") | head -5)"
    BASELINE=$after
    ok=0
  fi
  rc=0
  bounded "$NSTOPO" validate ${json:+"$json"} "$name" >"$WORK/json" 2>"$WORK/verr" || rc=$?
  if [[ $rc != 1 ]]; then
    fail "$name: validate exit $rc, wanted 1"
    ok=0
  elif ! cmp -s "$WORK/err" "$WORK/verr"; then
    fail "$name: validate and apply print different problems"
    ok=0
  fi
  # nlohmann::json puts each problem's "message" on a line of its own (newlines are escaped)
  PROBLEMS=$(grep -c '^ *"message": ' "$WORK/json" || true)
  [[ $ok == 1 ]]
}

mkdir -p "$WORK/hostile/pending"
cp "$HOSTILE"/*.yaml "$WORK/hostile/"
cp "$HOSTILE"/pending/*.yaml "$WORK/hostile/pending/" 2>/dev/null || true
cd "$WORK/hostile" || exit 1
BASELINE=$(kernel_state)
start_state=$BASELINE

step "the table: exact first line, one located line per problem, nothing changed"
count=0
while IFS=$'\t' read -r name expected; do
  count=$((count + 1))
  if [[ ! -f $name ]]; then
    fail "$name: in expected.tsv but not in tests/hostile"
    continue
  fi
  refused_safely "$name" --json || continue
  expected=${expected/#FILE/$name}
  first=$(head -n 1 "$WORK/err")
  lines=$(wc -l <"$WORK/err")
  if [[ $first != "$expected" ]]; then
    fail "$name: first line [$first], expected [$expected]"
  elif [[ $PROBLEMS != "$lines" ]]; then
    fail "$name: $lines line(s) on stderr for $PROBLEMS problem(s)"
  elif ! lines_located "$name" "$WORK/err"; then
    fail "$name: a line without $name:line:column:" \
      "$(grep -v "^$name:[0-9]*:[0-9]*: error: " "$WORK/err" | head -1)"
  else
    PASSES=$((PASSES + 1))
  fi
done <"$HOSTILE/expected.tsv"
echo "checked $count files of the table"
expect_eq "$((count >= 100))" 1 "the table has at least a hundred cases"
expect_eq "$(find "$HOSTILE" -maxdepth 1 -name '*.yaml' | wc -l)" "$count" \
  "every file of tests/hostile is in the table"

step "pending (known message defects): refused, nothing changed"
pending_count=0
for path in pending/*.yaml; do
  [[ -e $path ]] || continue
  pending_count=$((pending_count + 1))
  if refused_safely "$path" --json; then PASSES=$((PASSES + 1)); fi
done
echo "$pending_count pending file(s)"

step "generated: over the 4 MiB cap"
{ echo "name: lab"; head -c $((5 * 1024 * 1024)) /dev/zero | tr '\0' '#'; echo; } >huge.yaml
started=$SECONDS
if refused_safely huge.yaml; then
  expect_eq "$(cat "$WORK/err")" \
    "huge.yaml:1:1: error: the file is more than 4194304 bytes; a topology may be at most that" \
    "a 5 MiB file: one line"
fi
expect_eq "$((SECONDS - started < 10))" 1 "refused in well under 10 s"

step "generated: 10000 levels of nesting"
# repeat TEXT N: TEXT N times
repeat() { local spaces; printf -v spaces '%*s' "$2" ''; printf '%s' "${spaces// /$1}"; }
depth=10000
printf 'name: lab\nnodes: %s%s\n' "$(repeat '[' $depth)" "$(repeat ']' $depth)" >deep-lists.yaml
printf 'name: lab\nnodes: %s{}%s\n' "$(repeat '{a: ' $depth)" "$(repeat '}' $depth)" >deep-maps.yaml
printf 'name: lab\nnodes:\n  %sx\n' "$(repeat '- ' $depth)" >deep-block.yaml
printf '%s\n' "$(repeat '[' $depth)" >deep-unclosed.yaml
for name in deep-lists.yaml deep-maps.yaml deep-block.yaml deep-unclosed.yaml; do
  if refused_safely "$name"; then
    if [[ $(wc -l <"$WORK/err") == 1 ]] && lines_located "$name" "$WORK/err" \
      && grep -q "too deep" "$WORK/err"; then
      pass "$name: one located line about the nesting"
    else
      fail "$name: $(head -c 300 "$WORK/err")"
    fi
  fi
done

expect_eq "$(kernel_state)" "$start_state" "the sandbox is as it was at the start"
finish
