# SPDX-License-Identifier: Apache-2.0
# SIGKILL apply and destroy at many points; the next apply converges to the file and the next
# destroy removes everything, with nothing stranded in the host namespace.
source "$(dirname "$0")/lib.sh"
python3 - "$WORK/star.yaml" <<'PY'
import sys
n = 40
lines = ["name: crashy", "nodes:"]
for i in range(1, n + 1):
    lines.append(f"  n{i}: {{interfaces: {{eth0: {{addresses: [10.50.{i // 200}.{i % 200 + 1}/16]}}}}}}")
lines += ["bridges:", "  br-crash: {kind: linux}", "links:"]
for i in range(1, n + 1):
    lines.append(f"  - {{kind: veth, endpoints: [n{i}:eth0, br-crash:c{i}]}}")
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
LAB=$WORK/star.yaml
ip link add keep-me type bridge

# Delays spread over the run (microseconds), deterministic so a failure can be replayed.
delays=(0 2000 5000 10000 20000 30000 45000 60000 90000 130000)
for delay in "${delays[@]}"; do
  step "SIGKILL apply after ${delay}us"
  "$NSTOPO" apply "$LAB" >/dev/null 2>&1 & pid=$!
  python3 -c "import time; time.sleep($delay / 1e6)"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  expect_rc 0 "apply after the kill converges" -- "$NSTOPO" apply "$LAB"
  expect_rc 0 "nothing left to do" -- "$NSTOPO" plan --detailed-exitcode "$LAB"

  step "SIGKILL destroy after ${delay}us"
  "$NSTOPO" destroy "$LAB" >/dev/null 2>&1 & pid=$!
  python3 -c "import time; time.sleep($delay / 1e6)"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  expect_rc 0 "destroy after the kill" -- "$NSTOPO" destroy "$LAB"
  expect_eq "$(netns_list)" "" "no namespace left"
  expect_eq "$(root_links)" "keep-me lo " "nothing stranded in the host namespace"
done
finish
