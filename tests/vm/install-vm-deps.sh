#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what the VM test harness needs: Debian's own kernel (it has ipvlan, 8021q, dummy and
# the openvswitch datapath, which the host kernel lacks), qemu to boot it, a static busybox for
# the guest's userland, and the tools to build the initramfs (kmod for modprobe --show-depends,
# cpio and gzip for the archive, xz/zstd to decompress modules busybox insmod cannot read), and
# strace and jq for the guest's crash sweeps (scenarios/nstopo_sweep.sh).
#
# Exit codes: 0 everything is there, 77 something is missing and could not be installed (the
# caller turns that into a skipped test), with the reason printed on stderr.
#
# Installing linux-image-amd64 here does not change how this machine boots: the host is booted
# by its hypervisor with its own kernel; the package only adds files under /boot and
# /lib/modules. We set INITRD=No so the kernel's postinst hooks skip building a host initramfs
# (it would be useless, slow, and is the one step that can fail inside a container-like VM).
set -euo pipefail

packages=(linux-image-amd64 qemu-system-x86 busybox-static kmod cpio gzip xz-utils zstd
          iproute2 iputils-ping strace jq)

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)" == installed ]]
}

# The kernel is usable when its image and its module index are on disk, whatever a postinst
# hook said: that is what build-initramfs.sh and run-vm.sh read.
kernel_files_present() {
  local dir version
  for dir in /lib/modules/*-amd64; do
    [[ -d "$dir" ]] || continue
    version="${dir##*/}"
    if [[ -f "/boot/vmlinuz-$version" && -f "$dir/modules.dep" ]]; then
      return 0
    fi
  done
  return 1
}

missing=()
for package in "${packages[@]}"; do
  is_installed "$package" || missing+=("$package")
done
# A kernel package can be "installed" yet lack its files (e.g. /boot cleaned by hand): reinstall
# the versioned image package the metapackage depends on.
reinstall=()
if ! kernel_files_present && is_installed linux-image-amd64; then
  image=$(dpkg-query -W -f='${Depends}' linux-image-amd64 | grep -o 'linux-image-[0-9][^ ,]*' |
          head -n 1 || true)
  # --reinstall applies to every package named; those not installed yet are just installed.
  reinstall=(--reinstall)
  missing+=("${image:-linux-image-amd64}")
fi

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
  echo "install-vm-deps: missing ${missing[*]} and not root, cannot apt-get install" >&2
  exit 77
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-vm-deps: missing ${missing[*]} and no apt-get on this machine" >&2
  exit 77
fi

echo "install-vm-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# INITRD=No: see the header; the hooks in /etc/kernel/postinst.d honour it.
export INITRD=No
# Bounded: a registry that does not answer must not hang the test for ever.
if ! timeout 600 apt-get update -qq >&2; then
  echo "install-vm-deps: apt-get update failed" >&2
  exit 77
fi
apt_status=0
timeout 1200 apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${reinstall[@]}" "${missing[@]}" >&2 || apt_status=$?

if ((apt_status != 0)); then
  # A failing kernel postinst trigger (initramfs, bootloader) leaves the package
  # half-configured, but its files are unpacked and all we need. Say so, and go on only if
  # every other package made it and the kernel files are really there.
  echo "install-vm-deps: apt-get install exited $apt_status" >&2
fi
still_missing=()
for package in "${missing[@]}"; do
  [[ "$package" == linux-image-* ]] && continue
  is_installed "$package" || still_missing+=("$package")
done
if ! kernel_files_present; then
  still_missing+=("linux-image-amd64 (no /boot/vmlinuz-*-amd64 with /lib/modules/*/modules.dep)")
elif ((apt_status != 0)); then
  echo "install-vm-deps: kernel files are present although a package script failed; using them" >&2
fi
if ((${#still_missing[@]} > 0)); then
  echo "install-vm-deps: could not install: ${still_missing[*]}" >&2
  exit 77
fi
exit 0
