#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs a command inside a private sandbox: a new mount and network namespace with its own tmpfs
# on /run and on /etc/netns, so nothing it does touches the machine's interfaces, routes,
# /run/netns, /etc/netns (the hosts files of issue 15) or any Open vSwitch of the machine. The
# sandbox dies with the command.
# Exit 77 (CTest's skip code) with a printed reason when namespaces cannot be created here.
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: sandbox.sh COMMAND [ARGS...]" >&2
  exit 2
fi
if [[ ${NSTOPO_IN_SANDBOX:-} != 1 ]]; then
  if ! unshare --mount --net --propagation private true 2>/dev/null; then
    echo "SKIP: cannot create a mount+network namespace sandbox here (need root or user namespaces)"
    exit 77
  fi
  # The namespaces this process leaves behind, so the copy inside can check it left them.
  exec unshare --mount --net --propagation private -- env NSTOPO_IN_SANDBOX=1 \
    NSTOPO_SANDBOX_OUTSIDE="$(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/net)" "$0" "$@"
fi
# NSTOPO_IN_SANDBOX=1 set by hand would skip the unshare above and mount over the machine's own
# /run and /etc: go on only in namespaces other than the ones the unshare started from.
inside="$(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/net)"
read -r outside_mnt outside_net <<<"${NSTOPO_SANDBOX_OUTSIDE:-}"
read -r inside_mnt inside_net <<<"$inside"
if [[ -z ${outside_mnt:-} || $inside_mnt == "$outside_mnt" || $inside_net == "${outside_net:-}" ]]; then
  echo "sandbox.sh: not inside a mount and network namespace of its own (NSTOPO_IN_SANDBOX set by" \
    "hand?): refusing to mount over the machine's /run; run sandbox.sh without it" >&2
  exit 2
fi
mount -t tmpfs -o mode=0755 nstopo-sandbox /run
mkdir -p /run/netns /tmp
# /etc/netns may not exist on the machine, and creating it there is not ours to do: the sandbox
# sees /etc through an overlay whose writes stay in its /run, then a tmpfs on /etc/netns.
if [[ ! -d /etc/netns ]]; then
  mkdir -p /run/nstopo-sandbox-etc/upper /run/nstopo-sandbox-etc/work
  mount -t overlay nstopo-sandbox-etc \
    -o lowerdir=/etc,upperdir=/run/nstopo-sandbox-etc/upper,workdir=/run/nstopo-sandbox-etc/work /etc
  mkdir /etc/netns
fi
mount -t tmpfs -o mode=0755 nstopo-sandbox-netns /etc/netns
ip link set lo up
exec "$@"
