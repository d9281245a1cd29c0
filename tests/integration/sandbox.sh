#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs a command inside a private sandbox: a new mount and network namespace with its own tmpfs
# on /run, so nothing it does touches the machine's interfaces, routes, /run/netns or any Open
# vSwitch of the machine. The sandbox dies with the command.
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
  exec unshare --mount --net --propagation private -- env NSTOPO_IN_SANDBOX=1 "$0" "$@"
fi
mount -t tmpfs -o mode=0755 nstopo-sandbox /run
mkdir -p /run/netns /tmp
ip link set lo up
exec "$@"
