#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the test VM's initramfs from this machine's files and Debian's installed kernel:
#   build-initramfs.sh OUT_DIR
# writes OUT_DIR/initramfs.cpio.gz, OUT_DIR/kernel-version (the kernel it matches; boot
# /boot/vmlinuz-<that>) and OUT_DIR/manifest.txt (what went in).
# Environment:
#   SCENARIO_DIR            directory whose *.sh become /scenarios/*.sh in the guest (required)
#   NSTOPO                  nstopo binary to include as /usr/bin/nstopo (optional)
#   VMTEST_KERNEL_VERSION   kernel to use (default: the newest /lib/modules/*-amd64 with its
#                           /boot/vmlinuz)
#   VMTEST_WITH_OVS=0       leave Open vSwitch out even if installed
#   VMTEST_EXTRA_MODULES    more module names to load in the guest (e.g. "vxlan geneve")
# The guest's userland is busybox-static plus the real iproute2 ip and iputils ping (busybox's
# ip lacks netns and ipvlan; nstopo's tests compare against the real tools), each with the
# shared libraries ldd names, copied to the same paths so the dynamic loader finds them.
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: SCENARIO_DIR=DIR [NSTOPO=BIN] build-initramfs.sh OUT_DIR" >&2
  exit 2
fi
out_dir=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
scenario_dir=${SCENARIO_DIR:?set SCENARIO_DIR to the directory of scenario scripts}
[[ -d "$scenario_dir" ]] || { echo "build-initramfs: no directory $scenario_dir" >&2; exit 2; }

die() { echo "build-initramfs: $*" >&2; exit 1; }

for tool in busybox cpio gzip ldd modprobe depmod; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (run install-vm-deps.sh)"
done

# --- the kernel -------------------------------------------------------------------------------
newest_kernel() {
  local dir
  for dir in /lib/modules/*-amd64; do
    if [[ -f "$dir/modules.dep" && -f "/boot/vmlinuz-${dir##*/}" ]]; then
      echo "${dir##*/}"
    fi
  done | sort -V | tail -n 1
}
kernel_version=${VMTEST_KERNEL_VERSION:-$(newest_kernel)}
[[ -n "$kernel_version" ]] || die "no Debian kernel: no /lib/modules/*-amd64 with /boot/vmlinuz-*"
[[ -f "/boot/vmlinuz-$kernel_version" ]] || die "/boot/vmlinuz-$kernel_version is missing"

mkdir -p "$out_dir"
stage=$(mktemp -d "$out_dir/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

# Debian's merged-/usr layout, so every path ldd prints (/lib/..., /lib64/..., /usr/lib/...)
# lands in one tree and both /bin/x and /usr/bin/x resolve.
mkdir -p "$stage"/usr/{bin,sbin,lib,lib64} "$stage"/{proc,sys,dev,run,tmp,root,etc,scenarios,var}
ln -s usr/bin "$stage/bin"
ln -s usr/sbin "$stage/sbin"
ln -s usr/lib "$stage/lib"
ln -s usr/lib64 "$stage/lib64"
ln -s ../run "$stage/var/run"
mkdir -p "$stage/var/log" "$stage/var/lib" "$stage/etc/vmtest" "$stage/usr/lib/vmtest"

# copy_file SRC [DEST]: the file's content (symlinks followed) at DEST (default: SRC's path).
copy_file() {
  local src=$1 dest=${2:-$1}
  [[ -e "$stage$dest" ]] && return 0
  mkdir -p "$(dirname "$stage$dest")"
  cp -L --preserve=mode "$src" "$stage$dest"
}

# copy_libs PATH: every shared library and the loader that ldd names for the program.
copy_libs() {
  local bin=$1 line lib
  # ldd lines: "libx.so => /path (0x..)", "/lib64/ld-linux-x86-64.so.2 (0x..)", "linux-vdso..".
  while read -r line; do
    case "$line" in
      *"not found"*) die "$bin needs a library that is not installed: $line" ;;
      *"=> /"*) lib=${line#*=> }; lib=${lib%% (*} ;;
      /*) lib=${line%% (*} ;;
      *) continue ;;
    esac
    copy_file "$lib"
  done < <(ldd "$bin" 2>/dev/null || true)
}

# copy_binary PATH [DEST]: the program (at DEST, default its own path) and its libraries.
copy_binary() {
  copy_file "$1" "${2:-$1}"
  copy_libs "$1"
}

# --- programs ---------------------------------------------------------------------------------
# The real iproute2 ip (netns, ipvlan, vlan, macvlan) where Debian has it, /usr/bin/ip, with
# /usr/sbin/ip beside it, whatever this machine's PATH finds first.
ip_path=$(command -v ip) || die "ip (iproute2) is missing"
copy_binary "$(readlink -f "$ip_path")" /usr/bin/ip
ln -s /usr/bin/ip "$stage/usr/sbin/ip"
if ping_path=$(command -v ping) && "$ping_path" -V 2>&1 | grep iputils >/dev/null; then
  copy_binary "$(readlink -f "$ping_path")" /usr/bin/ping
fi

# strace and jq for the rollback and crash sweeps (scenarios/nstopo_sweep.sh): strace kills an
# apply at its Kth request, jq reads `ip -j` (machine_view.sh); iproute2's tc reads qdiscs back
# (scenarios/nstopo_impair.sh). Optional: without them those scenarios skip.
for tool in strace jq tc; do
  if tool_path=$(command -v "$tool"); then
    copy_binary "$(readlink -f "$tool_path")" "/usr/bin/$tool"
  fi
done

nstopo_note="not included (NSTOPO unset)"
if [[ -n "${NSTOPO:-}" ]]; then
  [[ -x "$NSTOPO" ]] || die "NSTOPO=$NSTOPO is not an executable file"
  copy_libs "$NSTOPO"
  # The debug info of a RelWithDebInfo build is most of its size and useless in the guest.
  if command -v objcopy >/dev/null 2>&1; then
    objcopy --strip-debug "$NSTOPO" "$stage/usr/bin/nstopo"
  else
    cp "$NSTOPO" "$stage/usr/bin/nstopo"
  fi
  chmod 0755 "$stage/usr/bin/nstopo"
  nstopo_note="$NSTOPO"
fi

# Open vSwitch at the paths nstopo's ovsdb driver starts it from (/usr/sbin/ovsdb-server,
# /usr/sbin/ovs-vswitchd, /usr/bin/ovsdb-tool) with the schema it creates the database from.
ovs_note="not included"
if [[ "${VMTEST_WITH_OVS:-1}" != 0 && -x /usr/sbin/ovsdb-server && -x /usr/sbin/ovs-vswitchd &&
      -f /usr/share/openvswitch/vswitch.ovsschema ]]; then
  for bin in /usr/sbin/ovsdb-server /usr/sbin/ovs-vswitchd /usr/bin/ovsdb-tool \
             /usr/bin/ovs-vsctl /usr/bin/ovs-appctl /usr/bin/ovs-ofctl /usr/bin/ovs-dpctl; do
    if [[ -x "$bin" ]]; then copy_binary "$bin"; fi
  done
  copy_file /usr/share/openvswitch/vswitch.ovsschema
  mkdir -p "$stage/etc/openvswitch" "$stage/var/log/openvswitch" "$stage/var/lib/openvswitch"
  ovs_note="$(ovs-vswitchd --version 2>/dev/null | sed -n 1p || echo yes)"
fi

# busybox last: an applet becomes a link only where no real program was copied above.
busybox_path=$(command -v busybox)
ldd "$busybox_path" >/dev/null 2>&1 && die "$busybox_path is dynamically linked: install busybox-static"
copy_file "$busybox_path" /usr/bin/busybox
while read -r applet; do
  name=${applet##*/}
  [[ -e "$stage/usr/bin/$name" || -e "$stage/usr/sbin/$name" ]] && continue
  dest=$stage/usr/${applet#usr/}
  mkdir -p "$(dirname "$dest")"
  ln -s /usr/bin/busybox "$dest"
done < <("$stage/usr/bin/busybox" --list-full)

# --- kernel modules ---------------------------------------------------------------------------
# modprobe --show-depends lists each module after its dependencies ("insmod PATH [options]"),
# "builtin NAME" for what is compiled in. -C /dev/null keeps this machine's modprobe.d
# (blacklists, install commands, options) out of the guest.
# shellcheck disable=SC2206 # VMTEST_EXTRA_MODULES is a space-separated list of module names
modules=(veth bridge 8021q macvlan ipvlan dummy vrf tun af_packet openvswitch vxlan bonding
         sch_netem sch_tbf ${VMTEST_EXTRA_MODULES:-})
module_list=$stage/etc/vmtest/modules
: >"$module_list"
declare -A seen=()
for module in "${modules[@]}"; do
  deps=$(modprobe -C /dev/null -S "$kernel_version" --show-depends "$module" 2>&1) ||
    die "modprobe --show-depends $module for $kernel_version: $deps"
  while read -r verb path _; do
    [[ "$verb" == insmod ]] || continue
    [[ -n "${seen[$path]:-}" ]] && continue
    seen[$path]=1
    # busybox insmod reads plain ELF only: decompress .ko.xz / .ko.zst / .ko.gz here.
    case "$path" in
      *.ko.xz) plain=${path%.xz}; mkdir -p "$(dirname "$stage$plain")"; xz -dc "$path" >"$stage$plain" ;;
      *.ko.zst) plain=${path%.zst}; mkdir -p "$(dirname "$stage$plain")"; zstd -qdc "$path" >"$stage$plain" ;;
      *.ko.gz) plain=${path%.gz}; mkdir -p "$(dirname "$stage$plain")"; gzip -dc "$path" >"$stage$plain" ;;
      *.ko) plain=$path; copy_file "$path" ;;
      *) die "unexpected module path $path" ;;
    esac
    echo "$plain" >>"$module_list"
  done <<<"$deps"
done
# An index as well, so a scenario may call (busybox) modprobe for these modules by name.
depmod -b "$stage" "$kernel_version" 2>/dev/null || true

# --- guest scripts ----------------------------------------------------------------------------
install -m 0755 "$here/guest/init" "$stage/init"
install -m 0644 "$here/guest/vmtest-lib.sh" "$stage/usr/lib/vmtest/lib.sh"
# The crash tests' reading of the machine (ip -j through jq), shared with the host's.
install -m 0644 "$here/../integration/machine_view.sh" "$stage/usr/lib/vmtest/machine_view.sh"
scenario_count=0
for script in "$scenario_dir"/*.sh; do
  [[ -f "$script" ]] || continue
  install -m 0755 "$script" "$stage/scenarios/${script##*/}"
  scenario_count=$((scenario_count + 1))
done
((scenario_count > 0)) || die "no *.sh scenario in $scenario_dir"
# The project's topologies, so scenarios apply the real seed files.
mkdir -p "$stage/topologies"
cp -r "$here/../../topologies/." "$stage/topologies/"
printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
printf 'root:x:0:\n' >"$stage/etc/group"
printf '127.0.0.1 localhost\n::1 localhost\n' >"$stage/etc/hosts"
# Empty: the guest has no network; this only keeps Open vSwitch from warning it is missing.
: >"$stage/etc/resolv.conf"
# The kernel opens /dev/console for init before devtmpfs is mounted; its built-in initramfs
# has the node, this is belt and braces (mknod needs root, so it may be absent).
mknod -m 0600 "$stage/dev/console" c 5 1 2>/dev/null || true

# --- archive ----------------------------------------------------------------------------------
{
  echo "kernel $kernel_version"
  echo "nstopo $nstopo_note"
  echo "openvswitch $ovs_note"
  echo "modules:"
  sed 's/^/  /' "$module_list"
  echo "files:"
  (cd "$stage" && find . -type f | sort | sed 's/^/  /')
} >"$out_dir/manifest.txt"
# Sorted names, fixed owner and mtimes: the same inputs give the same archive.
(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
  cpio --null --create --format=newc --owner=0:0 --reproducible --quiet) |
  gzip -n -6 >"$out_dir/initramfs.cpio.gz.tmp"
mv "$out_dir/initramfs.cpio.gz.tmp" "$out_dir/initramfs.cpio.gz"
echo "$kernel_version" >"$out_dir/kernel-version"
echo "build-initramfs: $out_dir/initramfs.cpio.gz ($(du -h "$out_dir/initramfs.cpio.gz" | cut -f1)), kernel $kernel_version, $scenario_count scenario(s), nstopo: $nstopo_note" >&2
