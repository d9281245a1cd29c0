#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what the benchmark's optional contenders and plots need, from Debian's own packages:
#   mininet        `mn`, the Mininet side by side (Debian 12 ships 2.3.0)
#   bridge-utils   `brctl`, which Mininet's lxbr switch (a Linux bridge) calls
#   gnuplot-nox    the PNG plots of bench/results
# Open vSwitch (openvswitch-switch) is left to the user: the OVS topologies and Mininet's OVS
# switch are skipped without it. --no-install-recommends keeps apt from pulling it in (and
# starting the machine's own ovs-vswitchd). Runs outside the sandbox (apt needs the real /var);
# nothing is started. Idempotent: installs only what is missing.
#   bash bench/setup.sh           # install what is missing (needs root)
#   bash bench/setup.sh --check   # exit 1 and name what is missing, install nothing
set -euo pipefail
declare -A tool_of=([mininet]=mn [bridge-utils]=brctl [gnuplot-nox]=gnuplot)
missing=()
for package in mininet bridge-utils gnuplot-nox; do
  tool=${tool_of[$package]}
  # Debian installs brctl in /usr/sbin, which a user's PATH may not hold.
  if ! command -v "$tool" >/dev/null && [[ ! -x /usr/sbin/$tool && ! -x /sbin/$tool ]]; then
    missing+=("$package")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi
if [[ ${1:-} == --check ]]; then
  echo "bench/setup.sh: missing ${missing[*]}"
  exit 1
fi
if ! command -v apt-get >/dev/null; then
  echo "bench/setup.sh: no apt-get here; install ${missing[*]} with this system's package manager" >&2
  exit 1
fi
echo "bench/setup.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine (or container) may have no package lists yet: mininet is then "not found".
if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
