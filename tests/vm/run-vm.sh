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

# --- prerequisites ----------------------------------------------------------------------------
if [[ "${VMTEST_NO_INSTALL:-}" != 1 ]]; then
  deps_status=0
  bash "$here/install-vm-deps.sh" || deps_status=$?
  if ((deps_status != 0)); then
    echo "SKIP: the VM's prerequisites are missing and could not be installed (install-vm-deps.sh exited $deps_status)"
    exit 77
  fi
fi
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
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
    (cd "$here" && sha256sum build-initramfs.sh guest/init guest/vmtest-lib.sh)
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

# --- boot ---------------------------------------------------------------------------------------
# No KVM on the development machines (no /dev/kvm): TCG emulation, slower but complete. Use KVM
# where it is there and usable.
accel=(-accel tcg -cpu max)
if [[ -r /dev/kvm && -w /dev/kvm ]]; then
  accel=(-accel kvm -cpu host)
fi
console_log=$build_dir/console.log
echo "run-vm: booting $kernel (${accel[1]}), limit ${qemu_timeout} s, console log $console_log"
start=$SECONDS
qemu_status=0
# -nic none: the guest has no network device at all, only what the scenarios build inside it.
# -no-reboot with panic=-1: a crash or an exiting init ends qemu instead of rebooting forever.
# stdin from /dev/null: -nographic would otherwise take the terminal for its monitor.
timeout --kill-after=15 "$qemu_timeout" qemu-system-x86_64 \
  "${accel[@]}" -m 1024 -smp 2 -nographic -nic none -no-reboot \
  -kernel "$kernel" -initrd "$image_dir/initramfs.cpio.gz" \
  -append "console=ttyS0 panic=-1 quiet vmtest_timeout=$scenario_timeout" \
  </dev/null >"$console_log" 2>&1 || qemu_status=$?
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
echo "run-vm: qemu ran ${boot_seconds} s (kernel $kernel_version)"
if [[ -n "$reason" ]]; then
  echo "FAIL: $reason; last lines of the console:"
  plain_console | tail -n 40 | sed 's/^/  console: /'
  failed=$((failed + 1))
elif ((failed > 0)); then
  echo "FAIL: $failed check(s) failed; the console log has the details: $console_log"
fi
summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"
((failed == 0))
