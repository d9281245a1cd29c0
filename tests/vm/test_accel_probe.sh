#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Tests run-vm.sh's choice of accelerator on machines whose /dev/kvm cannot run the guest:
#   1. NSTOPO_VM_ACCEL=kvm without /dev/kvm fails at once, naming the reason;
#   2. NSTOPO_VM_ACCEL=kvm with a /dev/kvm that qemu cannot use fails, naming qemu's error;
#   3. by default, the same broken /dev/kvm falls back to TCG and the guest's scenario passes;
#   4. by default, a KVM boot whose guest never starts (the firmware hang some machines show) is
#      stopped after VMTEST_KVM_PROBE_SECONDS and falls back to TCG;
#   5. NSTOPO_VM_ACCEL with an unknown value fails with the values it takes.
# The test builds its own /dev in a private mount namespace (links to the machine's devices,
# with /dev/kvm absent or a link to /dev/null), so it behaves the same on a machine with working
# KVM and touches nothing of the machine's. The guest is a small initramfs without Open vSwitch
# or nstopo that runs one scenario.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${VMTEST_PRIVATE_DEV:-} != 1 ]]; then
  if ! unshare --mount --propagation private true 2>/dev/null; then
    echo "SKIP: cannot create a private mount namespace here (need root)"
    exit 77
  fi
  exec unshare --mount --propagation private -- env VMTEST_PRIVATE_DEV=1 bash "$0" "$@"
fi

work=${VMTEST_BUILD_DIR:-${TMPDIR:-/tmp}/nstopo-vmtest}/accel-probe
mkdir -p "$work/scenarios"
cat >"$work/scenarios/guest_runs.sh" <<'EOF'
#!/bin/sh
echo "the guest ran its scenario"
exit 0
EOF
export VMTEST_WITH_OVS=0 VMTEST_BUILD_DIR=$work
unset NSTOPO NSTOPO_VM_ACCEL VMTEST_QEMU VMTEST_KVM_PROBE_SECONDS

# The harness's prerequisites, so a machine that lacks them skips with run-vm's reason.
deps_status=0
bash "$here/install-vm-deps.sh" || deps_status=$?
if ((deps_status != 0)); then
  echo "SKIP: the VM's prerequisites are missing and could not be installed (install-vm-deps.sh exited $deps_status)"
  exit 77
fi

# --- a private /dev: every device of the machine's but kvm ------------------------------------
host_dev=$work/host-dev
mkdir -p "$host_dev"
mount --rbind /dev "$host_dev"
mount -t tmpfs -o mode=0755 vmtest-dev /dev
for entry in "$host_dev"/* "$host_dev"/.[!.]*; do
  [[ -e "$entry" || -L "$entry" ]] || continue
  [[ ${entry##*/} == kvm ]] && continue
  ln -s "$entry" "/dev/${entry##*/}"
done

failures=0
passed_cases=0
failed_cases=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}
# end_case: counts the case that just ran as passed when it added no failure.
failures_before=0
end_case() {
  if ((failures == failures_before)); then
    passed_cases=$((passed_cases + 1))
  else
    failed_cases=$((failed_cases + 1))
  fi
  failures_before=$failures
}
# run_vm NAME [VAR=VALUE...]: runs run-vm.sh with that environment; output in $work/NAME.out,
# exit status in $status.
status=0
run_vm() {
  local name=$1
  shift
  status=0
  env "$@" bash "$here/run-vm.sh" "$work/scenarios" >"$work/$name.out" 2>&1 || status=$?
  sed "s/^/  $name: /" "$work/$name.out"
}
expect_line() { # NAME PATTERN: the output of run NAME has a line matching PATTERN
  grep -q -- "$2" "$work/$1.out" || fail "$1: no line matching '$2'"
}
expect_no_line() {
  if grep -q -- "$2" "$work/$1.out"; then fail "$1: unexpected line matching '$2'"; fi
}
expect_status() { # NAME WANT
  ((status == $2)) || fail "$1: run-vm.sh exited $status, expected $2"
}

echo "--- 1. NSTOPO_VM_ACCEL=kvm without /dev/kvm"
run_vm forced-kvm-missing NSTOPO_VM_ACCEL=kvm
expect_status forced-kvm-missing 1
expect_line forced-kvm-missing 'FAIL: NSTOPO_VM_ACCEL=kvm, but there is no /dev/kvm'
expect_no_line forced-kvm-missing 'run-vm: booting'

# A character device root can open, but no KVM: qemu's KVM_GET_API_VERSION fails on it.
ln -s "$host_dev/null" /dev/kvm

end_case
echo "--- 2. NSTOPO_VM_ACCEL=kvm with a /dev/kvm that is not KVM"
run_vm forced-kvm-broken NSTOPO_VM_ACCEL=kvm
expect_status forced-kvm-broken 1
expect_line forced-kvm-broken 'FAIL: NSTOPO_VM_ACCEL=kvm, but KVM cannot run this guest: qemu exited with status [1-9]'
expect_no_line forced-kvm-broken 'accelerator tcg'

end_case
echo "--- 3. default: qemu fails under KVM, the guest boots under TCG"
run_vm fallback-exit
expect_status fallback-exit 0
expect_line fallback-exit 'run-vm: KVM cannot run this guest: qemu exited with status [1-9]'
expect_line fallback-exit 'run-vm: accelerator tcg (fell back from KVM'
expect_line fallback-exit 'VMTEST guest_runs PASS'
expect_line fallback-exit '^1 passed, 0 failed$'

end_case
echo "--- 4. default: the guest never starts under KVM, the guest boots under TCG"
# Stands in for qemu: a KVM boot becomes a real qemu whose CPU never runs (-S), which is what
# the firmware hang looks like from outside; every other boot is passed through unchanged.
cat >"$work/qemu-stalled-kvm" <<'EOF'
#!/usr/bin/env bash
args=()
while (($#)); do
  case "$1 ${2:-}" in
    "-accel kvm") args+=(-accel tcg -S); shift 2 ;;
    "-cpu host") args+=(-cpu max); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
exec qemu-system-x86_64 "${args[@]}"
EOF
chmod 755 "$work/qemu-stalled-kvm"
run_vm fallback-hang VMTEST_QEMU="$work/qemu-stalled-kvm" VMTEST_KVM_PROBE_SECONDS=3
expect_status fallback-hang 0
expect_line fallback-hang "run-vm: KVM cannot run this guest: the guest's init did not start within 3 s"
expect_line fallback-hang 'run-vm: accelerator tcg (fell back from KVM'
expect_line fallback-hang 'VMTEST guest_runs PASS'
expect_line fallback-hang '^1 passed, 0 failed$'

end_case
echo "--- 5. an unknown NSTOPO_VM_ACCEL"
run_vm unknown-accel NSTOPO_VM_ACCEL=hvf
expect_status unknown-accel 1
expect_line unknown-accel 'FAIL: NSTOPO_VM_ACCEL=hvf: expected auto, kvm or tcg'

end_case
echo "$passed_cases passed, $failed_cases failed"
((failed_cases == 0))
