# SPDX-License-Identifier: Apache-2.0
# Issue 15: exec commands, services and hosts files. Services are checked independently of
# nstopo, through /proc and the pid files under /run/nstopo/LAB/services; every wait is bounded.
source "$(dirname "$0")/lib.sh"
STATE=/run/nstopo/svc

# write_lab SLEEPER_SECONDS WITH_WEB: the lab file, edited between applies
write_lab() {
  {
    cat <<YAML
name: svc
nodes:
  r1:
    interfaces:
      eth0: {addresses: [10.0.12.1/24]}
    exec:
      - [sh, -c, 'echo exec-ran; ip -br addr show eth0']
      - [sysctl, -w, net.ipv4.ip_forward=1]
    services:
      - name: sleeper
        command: [sleep, "$1"]
      - name: talker
        command: [sh, -c, 'echo hello-from-talker; exec sleep 1000']
        after: [sleeper]
YAML
    if [[ $2 == yes ]]; then
      cat <<YAML
      - name: web
        command: [python3, -m, http.server, --bind, 127.0.0.1, "8080"]
        cwd: /
        ready: {tcp: 8080, timeout: 10}
YAML
    fi
    cat <<YAML
  r2:
    interfaces:
      eth0: {addresses: [10.0.12.2/24]}
links:
  - kind: veth
    endpoints: [r1:eth0, r2:eth0]
YAML
  } >"$WORK/svc.yaml"
}

pid_of() { awk '{print $1}' "$STATE/services/$1.pid"; }
start_time_in_file() { awk '{print $2}' "$STATE/services/$1.pid"; }
# proc_start PID: field 22 of /proc/PID/stat (after the command name, which may hold spaces)
proc_start() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $20}'; }
alive() { [[ -e /proc/$1 ]] && [[ $(sed 's/^.*) //' "/proc/$1/stat" | awk '{print $1}') != Z ]]; }

step "apply starts exec and services"
write_lab 1000 yes
expect_rc 0 "apply" -- "$NSTOPO" apply "$WORK/svc.yaml"
grep -q "service r1.web started" "$WORK/out" && pass "apply reports the started service" ||
  fail "apply output: $(cat "$WORK/out")"
for service in sleeper talker web; do
  pid=$(pid_of r1.$service)
  if alive "$pid"; then pass "r1.$service runs (pid $pid)"; else fail "r1.$service pid $pid is not running"; fi
  expect_eq "$(ip netns identify "$pid")" "r1" "r1.$service runs in r1's namespace"
  expect_eq "$(proc_start "$pid")" "$(start_time_in_file r1.$service)" "r1.$service: start time recorded"
  expect_eq "$(ps -o sid= -p "$pid" | tr -d ' ')" "$(ps -o sid= -p "$(awk '{print $4}' "$STATE/services/r1.$service.pid")" | tr -d ' ')" \
    "r1.$service runs in its supervisor's own session"
done
[[ $(ps -o sid= -p "$(pid_of r1.sleeper)" | tr -d ' ') != $(ps -o sid= -p $$ | tr -d ' ') ]] &&
  pass "services are detached from nstopo's session" || fail "a service shares the test's session"
grep -q "exec-ran" "$STATE/logs/r1.exec.log" && grep -q "10.0.12.1/24" "$STATE/logs/r1.exec.log" &&
  pass "exec ran inside r1, after its addresses" || fail "exec log: $(cat "$STATE/logs/r1.exec.log")"
expect_eq "$(ip netns exec r1 sysctl -n net.ipv4.ip_forward)" "1" "exec's second command ran"
grep -q "hello-from-talker" "$STATE/logs/r1.talker.log" && pass "stdout goes to NODE.NAME.log" ||
  fail "talker log: $(cat "$STATE/logs/r1.talker.log" 2>&1)"
expect_rc 0 "web answers inside r1" -- ip netns exec r1 python3 -c \
  'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8080/", timeout=3)'

step "logs"
expect_rc 0 "nstopo logs --lab svc r1.talker" -- "$NSTOPO" logs --lab svc r1.talker
grep -q "hello-from-talker" "$WORK/out" && pass "prints the service's log" || fail "logs: $(cat "$WORK/out")"
expect_rc 0 "nstopo logs FILE r1 (every log of the node)" -- "$NSTOPO" logs "$WORK/svc.yaml" r1
grep -q "==> r1.exec <==" "$WORK/out" && grep -q "hello-from-talker" "$WORK/out" &&
  pass "node logs name each log" || fail "logs r1: $(cat "$WORK/out")"
expect_rc 1 "a node without logs" -- "$NSTOPO" logs --lab svc r2

step "hosts files"
head -1 /etc/netns/r1/hosts | grep -q "^# nstopo lab svc:" && pass "r1's hosts file carries the mark" ||
  fail "hosts: $(cat /etc/netns/r1/hosts 2>&1)"
grep -qP "^10\.0\.12\.2\tr2 r2-eth0$" /etc/netns/r1/hosts && pass "names r2 and r2-eth0" ||
  fail "hosts: $(cat /etc/netns/r1/hosts)"
# ping_by_name NODE NAME: bounded retries (the first request may wait for ARP on a fresh link)
ping_by_name() {
  local attempt
  for attempt in 1 2 3 4 5; do
    "$NSTOPO" exec "$1" --lab svc -- ping -c 1 -W 2 "$2" >"$WORK/out" 2>&1 && return 0
  done
  return 1
}
ping_by_name r1 r2 && pass "ping r2 by name inside r1" || fail "ping r2 inside r1: $(cat "$WORK/out")"
grep -q "PING r2 (10.0.12.2)" "$WORK/out" && pass "r2 resolved through the hosts file" || fail "resolved: $(cat "$WORK/out")"
ping_by_name r2 r1-eth0 && pass "ping r1-eth0 by name inside r2" || fail "ping r1-eth0: $(cat "$WORK/out")"

step "show"
expect_rc 0 "show" -- "$NSTOPO" show --lab svc
grep -q "r1.sleeper  running (pid $(pid_of r1.sleeper))" "$WORK/out" && pass "show lists running services" ||
  fail "show: $(cat "$WORK/out")"

step "a no-op apply leaves services alone"
before="$(pid_of r1.sleeper) $(pid_of r1.talker) $(pid_of r1.web)"
exec_log_lines=$(wc -l <"$STATE/logs/r1.exec.log")
expect_rc 0 "apply again" -- "$NSTOPO" apply "$WORK/svc.yaml"
expect_eq "$(pid_of r1.sleeper) $(pid_of r1.talker) $(pid_of r1.web)" "$before" "same pids"
expect_eq "$(wc -l <"$STATE/logs/r1.exec.log")" "$exec_log_lines" "exec did not run again"

step "a changed definition restarts, a removed service stops"
old_sleeper=$(pid_of r1.sleeper)
old_talker=$(pid_of r1.talker)
old_web=$(pid_of r1.web)
write_lab 1001 no
expect_rc 0 "apply the edit" -- "$NSTOPO" apply "$WORK/svc.yaml"
grep -q "service r1.sleeper restarted" "$WORK/out" && grep -q "service r1.web stopped" "$WORK/out" &&
  pass "apply reports the restart and the stop" || fail "apply output: $(cat "$WORK/out")"
if alive "$old_sleeper"; then fail "the old sleeper still runs"; else pass "the old sleeper ended"; fi
alive "$(pid_of r1.sleeper)" && pass "the new sleeper runs" || fail "no new sleeper"
expect_eq "$(tr '\0' ' ' <"/proc/$(pid_of r1.sleeper)/cmdline")" "sleep 1001 " "with the new command"
# talker is unchanged but waits on sleeper (after:), so it was started against the old one
if alive "$old_talker"; then fail "talker, after the restarted sleeper, kept its old process"; else pass "the old talker ended"; fi
alive "$(pid_of r1.talker)" && grep -q "service r1.talker restarted" "$WORK/out" &&
  pass "talker, after the restarted sleeper, was restarted too" || fail "talker: $(cat "$WORK/out")"
if alive "$old_web"; then fail "web still runs"; else pass "web was stopped"; fi
[[ ! -e $STATE/services/r1.web.pid ]] && pass "web's pid file is gone" || fail "web's pid file is left"

step "a service that died shows its exit and comes back at the next apply"
kill -9 "$(pid_of r1.talker)"
for _ in $(seq 50); do grep -q "exited" <("$NSTOPO" show --lab svc) && break; sleep 0.1; done
expect_rc 0 "show" -- "$NSTOPO" show --lab svc
grep -q "r1.talker  exited (137)" "$WORK/out" && pass "show: exited (137)" || fail "show: $(cat "$WORK/out")"
expect_rc 0 "apply" -- "$NSTOPO" apply "$WORK/svc.yaml"
alive "$(pid_of r1.talker)" && pass "talker runs again" || fail "talker was not restarted"

step "a failed apply starts again, as they ran, the services it stopped"
before_sleeper=$(pid_of r1.sleeper)
before_talker=$(pid_of r1.talker)
before_print="$(awk '{print $6}' "$STATE/services/r1.sleeper.pid") $(awk '{print $6}' "$STATE/services/r1.talker.pid")"
# sleeper changes (a restart), talker leaves the file (a stop), and a new service fails to start
cat >"$WORK/svc-bad.yaml" <<YAML
name: svc
nodes:
  r1:
    interfaces:
      eth0: {addresses: [10.0.12.1/24]}
    exec:
      - [sh, -c, 'echo exec-ran; ip -br addr show eth0']
      - [sysctl, -w, net.ipv4.ip_forward=1]
    services:
      - name: sleeper
        command: [sleep, "1002"]
      - name: broken
        command: [sh, -c, 'echo broken-start; exit 5']
        after: [sleeper]
  r2:
    interfaces:
      eth0: {addresses: [10.0.12.2/24]}
links:
  - kind: veth
    endpoints: [r1:eth0, r2:eth0]
YAML
expect_rc 1 "apply the failing edit" -- "$NSTOPO" apply "$WORK/svc-bad.yaml"
grep -q "those it had stopped run again as before" "$WORK/err" && pass "the rollback says so" ||
  fail "stderr: $(cat "$WORK/err")"
if alive "$before_sleeper" || alive "$before_talker"; then
  fail "the old processes were never stopped"
else
  pass "the edit stopped them"
fi
alive "$(pid_of r1.sleeper)" && alive "$(pid_of r1.talker)" && pass "both run again" ||
  fail "pid files: $(cat "$STATE"/services/*.pid)"
expect_eq "$(tr '\0' ' ' <"/proc/$(pid_of r1.sleeper)/cmdline")" "sleep 1001 " "sleeper with its old command"
expect_eq "$(ip netns identify "$(pid_of r1.talker)")" "r1" "talker back in r1"
expect_eq "$(awk '{print $6}' "$STATE/services/r1.sleeper.pid") $(awk '{print $6}' "$STATE/services/r1.talker.pid")" \
  "$before_print" "their records carry the old definitions' fingerprints"
[[ ! -e $STATE/services/r1.broken.pid ]] && pass "the failed service is not recorded" ||
  fail "r1.broken.pid is left"
restored="$(pid_of r1.sleeper) $(pid_of r1.talker)"
expect_rc 0 "apply the file as it was" -- "$NSTOPO" apply "$WORK/svc.yaml"
expect_eq "$(pid_of r1.sleeper) $(pid_of r1.talker)" "$restored" "a no-op for the services: same pids"

step "destroy"
pids="$(pid_of r1.sleeper) $(pid_of r1.talker)"
supervisors="$(awk '{print $4}' "$STATE"/services/*.pid | tr '\n' ' ')"
expect_rc 0 "destroy" -- "$NSTOPO" destroy --lab svc
for pid in $pids $supervisors; do
  if alive "$pid"; then fail "pid $pid still runs after destroy"; else pass "pid $pid is gone"; fi
done
[[ ! -e $STATE ]] && pass "no state or log directory left" || fail "left: $(find "$STATE")"
[[ ! -e /etc/netns/r1 && ! -e /etc/netns/r2 ]] && pass "no hosts file left" || fail "left: $(find /etc/netns)"
expect_eq "$(netns_list)" "" "no namespace left"

# expect_failed_apply FILE MESSAGE_PATTERN WHAT: apply fails with MESSAGE, and leaves nothing
expect_failed_apply() {
  local start=$SECONDS
  expect_rc 1 "$3: apply fails" -- "$NSTOPO" apply "$1"
  grep -qE -- "$2" "$WORK/err" && pass "$3: says why" || fail "$3: stderr: $(cat "$WORK/err")"
  grep -q "rolled back" "$WORK/err" && pass "$3: rolled back" || fail "$3: no rollback: $(cat "$WORK/err")"
  expect_eq "$(netns_list)" "" "$3: no namespace left"
  [[ ! -e /run/nstopo/bad ]] && pass "$3: no state left" || fail "$3: left $(find /run/nstopo/bad)"
  [[ -z $(ls /etc/netns) ]] && pass "$3: no hosts file left" || fail "$3: left $(ls /etc/netns)"
  expect_eq "$(pgrep -f nstopo-test-marker || true)" "" "$3: no process left"
  expect_eq "$(( SECONDS - start < 30 ))" "1" "$3: bounded ($(( SECONDS - start )) s)"
}

bad_lab() {
  cat >"$WORK/bad.yaml" <<YAML
name: bad
nodes:
  b1:
    interfaces:
      lo: {addresses: [10.9.9.1/32]}
$1
YAML
}

step "failure: a program that is not found"
bad_lab "    services:
      - {name: ghost, command: [/nonexistent/nstopo-test-marker]}"
expect_failed_apply "$WORK/bad.yaml" "service 'ghost' ended at once with exit code 127" "not found"
grep -q "No such file or directory" "$WORK/err" && pass "with the log's last line" || fail "no log tail"

step "failure: a service that exits at once"
bad_lab "    services:
      - {name: quitter, command: [sh, -c, 'echo broken-config; exit 3']}"
expect_failed_apply "$WORK/bad.yaml" "service 'quitter' ended at once with exit code 3" "exits at once"
grep -q "broken-config" "$WORK/err" && pass "with its output" || fail "no output in the message"

step "failure: readiness never passes"
bad_lab "    services:
      - name: deaf
        command: [bash, -c, 'exec -a nstopo-test-marker sleep 1000']
        ready: {tcp: 9, timeout: 2}"
expect_failed_apply "$WORK/bad.yaml" "service 'deaf' was not ready within 2 s \\(nothing accepted on TCP port 9\\)" "never ready"

step "failure: an exec command fails"
bad_lab "    exec:
      - [sh, -c, 'echo bad-exec-output; exit 4']"
expect_failed_apply "$WORK/bad.yaml" "node 'b1' exec 1 \\(sh -c echo bad-exec-output; exit 4\\) failed with exit code 4" "exec fails"
grep -q "  bad-exec-output" "$WORK/err" && pass "with its output" || fail "no output in the message"

step "hosts: false, and a hosts file nstopo did not write"
bad_lab "hosts: false"
expect_rc 0 "apply with hosts: false" -- "$NSTOPO" -v apply "$WORK/bad.yaml"
[[ ! -e /etc/netns/b1/hosts ]] && pass "no hosts file" || fail "a hosts file was written"
expect_eq "$(grep -c '\] hosts files of' "$WORK/err")|$(grep -c 'hosts: false; removing' "$WORK/err")" "0|1" \
  "-v says it removes hosts files, not that it writes them"
expect_rc 0 "destroy" -- "$NSTOPO" destroy --lab bad
mkdir -p /etc/netns/b1
echo "10.1.1.1 mine" >/etc/netns/b1/hosts
bad_lab ""
expect_rc 0 "apply over a foreign hosts file" -- "$NSTOPO" apply "$WORK/bad.yaml"
grep -q "was not written by nstopo" "$WORK/err" && pass "says so" || fail "stderr: $(cat "$WORK/err")"
expect_eq "$(cat /etc/netns/b1/hosts)" "10.1.1.1 mine" "the file is left as it was"
expect_rc 0 "destroy" -- "$NSTOPO" destroy --lab bad
expect_eq "$(cat /etc/netns/b1/hosts)" "10.1.1.1 mine" "destroy leaves it too"
step "nstopo killed between a service's record and its start: the program never runs"
bad_lab "    services:
      - name: held
        command: [bash, -c, 'exec -a nstopo-test-marker sleep 1000']"
NSTOPO_FAULT_PAUSE_SERVICE_START_MS=20000 "$NSTOPO" apply "$WORK/bad.yaml" \
  >"$WORK/held.out" 2>"$WORK/held.err" &
apply_pid=$!
if wait_until 30 test -s /run/nstopo/bad/services/b1.held.pid; then
  pass "the service is recorded before it runs"
else
  fail "no pid file: $(cat "$WORK/held.err")"
fi
held=$(awk '{print $1}' /run/nstopo/bad/services/b1.held.pid 2>/dev/null || echo 0)
kill -9 "$apply_pid"
wait "$apply_pid" 2>/dev/null || true
if wait_until 10 grep -q "not started: nstopo ended before the service was recorded and released" \
  /run/nstopo/bad/logs/b1.held.log; then
  pass "its process saw nstopo end and did not run the program"
else
  fail "log: $(cat /run/nstopo/bad/logs/b1.held.log 2>/dev/null)"
fi
wait_until 10 eval '! alive "$held"' && pass "the recorded process is gone" ||
  fail "pid $held still runs"
expect_eq "$(pgrep -f nstopo-test-marker || true)" "" "the program never ran"
expect_rc 0 "destroy after the kill" -- "$NSTOPO" destroy --lab bad
expect_eq "$(netns_list)" "" "no namespace left"
[[ ! -e /run/nstopo/bad ]] && pass "no state left" || fail "left $(find /run/nstopo/bad)"
finish
