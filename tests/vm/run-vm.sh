#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Boots Debian's kernel under qemu with an initramfs holding the scenario scripts of
# SCENARIO_DIR and reports their results:
#   run-vm.sh SCENARIO_DIR
# This machine's own kernel lacks ipvlan, 8021q, dummy and the openvswitch datapath; Debian's
# kernel has them, so the VM is where nstopo's tests of those link kinds can run at all.
# Prints every "VMTEST <name> PASS|FAIL|SKIP <reason>" line of the guest, then
# "N passed, M failed" (", K skipped" when some were). Exit 0 when nothing failed, 1 when a
# check failed or the VM gave no complete result (with the reason and the console's tail),
# 77 when qemu or the kernel is missing and cannot be installed.
# Environment:
#   NSTOPO                 nstopo binary to put in the guest (optional)
#   VMTEST_BUILD_DIR       where initramfs images are cached by input hash and the console log
#                          is kept (default: ${TMPDIR:-/tmp}/nstopo-vmtest)
#   VMTEST_QEMU_TIMEOUT    hard limit for the whole boot in seconds (default 600)
#   VMTEST_SCENARIO_TIMEOUT  limit per scenario inside the guest in seconds (default 300)
#   NSTOPO_VM_ACCEL        auto (default): KVM when /dev/kvm is usable and the guest starts
#                          under it within VMTEST_KVM_PROBE_SECONDS (default 30), TCG otherwise;
#                          kvm or tcg force one (a forced kvm that cannot run fails the test)
#   VMTEST_QEMU            the qemu binary (default qemu-system-x86_64; tests of the probe wrap it)
#   VMTEST_NO_INSTALL=1    only check for qemu and the kernel, never apt-get install
#   VMTEST_VERBOSE=1       print the whole console log, not just its result lines
#   VMTEST_KERNEL_VERSION, VMTEST_WITH_OVS, VMTEST_EXTRA_MODULES: see build-initramfs.sh
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: [NSTOPO=BIN] run-vm.sh SCENARIO_DIR" >&2
  exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scenario_dir=$(cd "$1" && pwd)
build_dir=${VMTEST_BUILD_DIR:-${TMPDIR:-/tmp}/nstopo-vmtest}
qemu_timeout=${VMTEST_QEMU_TIMEOUT:-600}
scenario_timeout=${VMTEST_SCENARIO_TIMEOUT:-300}
requested_accel=${NSTOPO_VM_ACCEL:-auto}
case $requested_accel in
  auto | kvm | tcg) ;;
  *)
    echo "FAIL: NSTOPO_VM_ACCEL=$requested_accel: expected auto, kvm or tcg"
    exit 1
    ;;
esac

# --- prerequisites ----------------------------------------------------------------------------
if [[ "${VMTEST_NO_INSTALL:-}" != 1 ]]; then
  deps_status=0
  bash "$here/install-vm-deps.sh" || deps_status=$?
  if ((deps_status != 0)); then
    echo "SKIP: the VM's prerequisites are missing and could not be installed (install-vm-deps.sh exited $deps_status)"
    exit 77
  fi
fi
if ! command -v "${VMTEST_QEMU:-qemu-system-x86_64}" >/dev/null 2>&1; then
  echo "SKIP: qemu-system-x86_64 is not installed (Debian package qemu-system-x86)"
  exit 77
fi
if [[ -n "${NSTOPO:-}" && ! -x "$NSTOPO" ]]; then
  echo "FAIL: NSTOPO=$NSTOPO is not an executable file"
  exit 1
fi

# --- initramfs, cached by a hash of everything it is built from -------------------------------
# Inputs: the harness's own files, the scenarios, the nstopo binary, and the state of the
# installed packages (ip, ping, busybox, Open vSwitch, their libraries and the kernel all come
# from packages; any install or upgrade changes /var/lib/dpkg/status and so the key).
input_key() {
  {
    echo "format 1"
    (cd "$here" && sha256sum build-initramfs.sh guest/init guest/vmtest-lib.sh ../integration/machine_view.sh)
    (cd "$scenario_dir" && for f in *.sh; do if [[ -f "$f" ]]; then sha256sum "$f"; fi; done)
    (cd "$here/../../topologies" && find . -name '*.yaml' -type f | sort | xargs sha256sum)
    [[ -n "${NSTOPO:-}" ]] && sha256sum "$NSTOPO"
    stat -c '%n %s %Y' /var/lib/dpkg/status
    echo "kernel ${VMTEST_KERNEL_VERSION:-newest} ovs ${VMTEST_WITH_OVS:-1}"
    echo "modules ${VMTEST_EXTRA_MODULES:-}"
  } | sha256sum | cut -c1-16
}
mkdir -p "$build_dir/initramfs"
# One run at a time per build directory: they share the image cache and the console log.
exec 9>"$build_dir/lock"
if ! flock -w 900 9; then
  echo "FAIL: another run-vm.sh held $build_dir/lock for 900 s"
  exit 1
fi
key=$(input_key)
image_dir=$build_dir/initramfs/$key
if [[ -f "$image_dir/initramfs.cpio.gz" && -f "$image_dir/kernel-version" ]]; then
  echo "run-vm: initramfs $key from the cache"
else
  start=$SECONDS
  rm -rf "$image_dir.tmp"
  if ! SCENARIO_DIR=$scenario_dir timeout 600 bash "$here/build-initramfs.sh" "$image_dir.tmp"; then
    rm -rf "$image_dir.tmp"
    echo "FAIL: building the initramfs failed (see above)"
    exit 1
  fi
  rm -rf "$image_dir"
  mv "$image_dir.tmp" "$image_dir"
  echo "run-vm: initramfs $key built in $((SECONDS - start)) s"
  # Keep the three newest images: each is tens of MB.
  find "$build_dir/initramfs" -mindepth 1 -maxdepth 1 -type d -printf '%T@ %p\n' |
    sort -rn | tail -n +4 | cut -d' ' -f2- | xargs -r rm -rf
fi
kernel_version=$(cat "$image_dir/kernel-version")
kernel=/boot/vmlinuz-$kernel_version
if [[ ! -r "$kernel" ]]; then
  echo "SKIP: $kernel is missing or unreadable (Debian package linux-image-amd64)"
  exit 77
fi

# --- accelerator ------------------------------------------------------------------------------
# A /dev/kvm that root can open is no promise that KVM runs this guest: on some machines of this
# kind `-cpu host` aborts on an MSR qemu cannot set, and qemu's default CPU hangs in the
# firmware. So KVM is tried, not assumed: the guest's init prints $init_marker as its first
# line, and when that does not come within VMTEST_KVM_PROBE_SECONDS (or qemu exits first), this
# qemu is stopped and the guest boots again under TCG, which is slower but always works.
init_marker=VMTEST-INIT
kvm_probe_seconds=${VMTEST_KVM_PROBE_SECONDS:-30}
qemu_bin=${VMTEST_QEMU:-qemu-system-x86_64}
console_log=$build_dir/console.log

# kvm_unusable_reason: empty when /dev/kvm is a character device root can read and write.
kvm_unusable_reason() {
  if [[ ! -e /dev/kvm ]]; then
    echo "there is no /dev/kvm"
  elif [[ ! -c /dev/kvm ]]; then
    echo "/dev/kvm is not a character device"
  elif [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
    echo "/dev/kvm is not readable and writable by $(id -un)"
  fi
}

qemu_pid=""
# start_qemu kvm|tcg: boots the guest in the background, console to $console_log.
start_qemu() {
  local -a accel=(-accel tcg -cpu max)
  [[ $1 == kvm ]] && accel=(-accel kvm -cpu host)
  # Emptied here, before qemu starts: the redirection below happens in the background child,
  # and until it runs wait_for_init would read the last boot's log and its init marker.
  : >"$console_log"
  # -nic none: the guest has no network device at all, only what the scenarios build inside it.
  # -no-reboot with panic=-1: a crash or an exiting init ends qemu instead of rebooting forever.
  # stdin from /dev/null: -nographic would otherwise take the terminal for its monitor.
  timeout --kill-after=15 "$qemu_timeout" "$qemu_bin" \
    "${accel[@]}" -m 1024 -smp 2 -nographic -nic none -no-reboot \
    -kernel "$kernel" -initrd "$image_dir/initramfs.cpio.gz" \
    -append "console=ttyS0 panic=-1 quiet vmtest_timeout=$scenario_timeout" \
    </dev/null >"$console_log" 2>&1 &
  qemu_pid=$!
}

# wait_for_init SECONDS: 0 when the guest's init printed its marker in time, 1 when qemu exited
# before that, 2 when the time ran out with qemu still running. Polls the console log.
wait_for_init() {
  local deadline=$((SECONDS + $1))
  while :; do
    grep -aq "$init_marker" "$console_log" 2>/dev/null && return 0
    if ! kill -0 "$qemu_pid" 2>/dev/null; then
      grep -aq "$init_marker" "$console_log" 2>/dev/null && return 0
      return 1
    fi
    ((SECONDS < deadline)) || return 2
    sleep 0.2
  done
}

# stop_qemu: ends the qemu started last (timeout relays the TERM, and KILLs after 15 s).
stop_qemu() {
  kill -TERM "$qemu_pid" 2>/dev/null || true
  wait "$qemu_pid" 2>/dev/null || true
}

# last_console_line: the console's last non-empty line, without carriage returns or escapes.
last_console_line() {
  tr -d '\r' <"$console_log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' | grep -v '^[[:space:]]*$' |
    tail -n 1 || true
}

# probe_kvm: boots with KVM and sees whether the guest starts. 0 with qemu still running when
# it does; otherwise 1, with qemu stopped and the reason in $kvm_failure.
kvm_failure=""
probe_kvm() {
  start_qemu kvm
  local probe_status=0
  wait_for_init "$kvm_probe_seconds" || probe_status=$?
  case $probe_status in
    0) return 0 ;;
    1)
      local qemu_status=0
      wait "$qemu_pid" || qemu_status=$?
      kvm_failure="qemu exited with status $qemu_status before the guest started: $(last_console_line)"
      ;;
    2)
      # The last line before qemu is stopped (after it, qemu says it got a signal).
      kvm_failure="the guest's init did not start within ${kvm_probe_seconds} s (last console line: $(last_console_line))"
      stop_qemu
      ;;
  esac
  cp "$console_log" "$build_dir/console-kvm.log"
  return 1
}

# --- boot ---------------------------------------------------------------------------------------
start=$SECONDS
accel_used=""
unusable=$(kvm_unusable_reason)
case $requested_accel in
  tcg)
    accel_used=tcg
    echo "run-vm: accelerator tcg (NSTOPO_VM_ACCEL=tcg)"
    start_qemu tcg
    ;;
  kvm)
    if [[ -n "$unusable" ]]; then
      echo "FAIL: NSTOPO_VM_ACCEL=kvm, but $unusable; unset it to boot under TCG emulation"
      exit 1
    fi
    echo "run-vm: accelerator kvm (NSTOPO_VM_ACCEL=kvm), waiting up to ${kvm_probe_seconds} s for the guest to start"
    if ! probe_kvm; then
      echo "FAIL: NSTOPO_VM_ACCEL=kvm, but KVM cannot run this guest: $kvm_failure"
      echo "run-vm: the KVM console log is $build_dir/console-kvm.log; unset NSTOPO_VM_ACCEL to fall back to TCG"
      exit 1
    fi
    accel_used=kvm
    ;;
  auto)
    if [[ -n "$unusable" ]]; then
      accel_used=tcg
      echo "run-vm: accelerator tcg ($unusable)"
      start_qemu tcg
    elif probe_kvm; then
      accel_used=kvm
      echo "run-vm: accelerator kvm (the guest started within ${kvm_probe_seconds} s)"
    else
      accel_used=tcg
      echo "run-vm: KVM cannot run this guest: $kvm_failure"
      echo "run-vm: accelerator tcg (fell back from KVM; its console log is $build_dir/console-kvm.log)"
      start=$SECONDS
      start_qemu tcg
    fi
    ;;
esac
echo "run-vm: booting $kernel ($accel_used), limit ${qemu_timeout} s, console log $console_log"
qemu_status=0
wait "$qemu_pid" || qemu_status=$?
boot_seconds=$((SECONDS - start))

# --- results ------------------------------------------------------------------------------------
# The serial console adds carriage returns, and a kernel message may precede a line on the
# same row: take each "VMTEST " to the end of its line.
tr -d '\r' <"$console_log" | grep -a -o 'VMTEST [^[:cntrl:]]*' >"$build_dir/results.txt" || true
# plain_console: the log without carriage returns and the firmware's terminal escapes.
plain_console() { tr -d '\r' <"$console_log" | sed 's/\x1b\[[0-9;?]*[A-Za-z]//g'; }
if [[ "${VMTEST_VERBOSE:-}" == 1 ]]; then
  plain_console
else
  cat "$build_dir/results.txt"
fi
passed=$(grep -c '^VMTEST [^ ]* PASS' "$build_dir/results.txt" || true)
failed=$(grep -c '^VMTEST [^ ]* FAIL' "$build_dir/results.txt" || true)
skipped=$(grep -c '^VMTEST [^ ]* SKIP' "$build_dir/results.txt" || true)

reason=""
if ((qemu_status == 124 || qemu_status == 137)); then
  reason="qemu did not finish within ${qemu_timeout} s and was killed"
elif ((qemu_status != 0)); then
  reason="qemu exited with status $qemu_status"
elif [[ ! -s "$build_dir/results.txt" ]]; then
  reason="no VMTEST line on the console: the kernel did not boot or /init failed"
elif ! grep -aq 'VMTEST-DONE' "$console_log"; then
  reason="the guest stopped before it finished its scenarios (no VMTEST-DONE)"
fi
echo "run-vm: qemu ran ${boot_seconds} s under $accel_used (kernel $kernel_version)"
if [[ -n "$reason" ]]; then
  echo "FAIL: $reason; last lines of the console:"
  plain_console | tail -n 40 | sed 's/^/  console: /'
  failed=$((failed + 1))
elif ((failed > 0)); then
  # CI keeps only this output, not the console log: show what the scenarios printed about their
  # failures ("vmtest: " lines, printed only when a step fails), bounded.
  echo "FAIL: $failed check(s) failed; what the guest printed about them:"
  plain_console | grep -a -o 'vmtest: [^[:cntrl:]]*' | tail -n 80 | sed 's/^/  /'
  echo "run-vm: the whole console log is $console_log"
fi
summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"
((failed == 0))
