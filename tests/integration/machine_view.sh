# SPDX-License-Identifier: Apache-2.0
# The machine as the crash and rollback sweeps compare it, read with `ip -j` and jq, never through
# nstopo. POSIX sh, so that both the host's bash tests (crash_lib.sh) and the test VM's busybox sh
# scenarios (tests/vm/scenarios/nstopo_sweep.sh, which gets this file as
# /usr/lib/vmtest/machine_view.sh) source the same reading of the kernel.
#
# kernel_view [--brief]: one sorted line per link, then per route, of the host and of every named
# namespace:
#   NS link NAME KIND up|down mtu=N master=M [mode=.. miimon=.. primary=.. table=.. id=..
#                                             remote=.. local=.. port=..] ADDRESSES
#   NS route TABLE TYPE DST via GW dev DEV proto PROTO metric N
# KIND is the linkinfo kind ("-" for none); the bracketed part is what the kernel keeps of the
# kind (a bond's mode, monitor and primary, a VRF's table, a VXLAN's VNI, remote, local and
# port, a macvlan's mode), only the keys that are there; ADDRESSES the global ones, sorted, "-" for none.
# Routes are all but the kernel's own (proto kernel: connected, local, multicast), of every table.
# Left out as not the file's to decide: MACs, ifindexes, carrier and a bond's active member.
# --brief: only "NS NAME KIND ADDRESSES" per link, no route (the crash tests' hand-written views
# of their labs, crash_lib.sh).

# shellcheck disable=SC2016 # \(...) and $names are jq's, not the shell's
MACHINE_VIEW_JQ='
.ns as $ns
| ([.addrs[] | {key: .ifname, value: ([.addr_info[] | select(.scope == "global")
      | "\(.local)/\(.prefixlen)"] | sort | join(","))}] | from_entries) as $addrs
| if $brief then
    .links[] | "\($ns) \(.ifname) \(.linkinfo.info_kind // "-") \(
      if ($addrs[.ifname] // "") == "" then "-" else $addrs[.ifname] end)"
  else
  (.links[]
   | (.linkinfo.info_data // {}) as $data
   | ([["mode", "miimon", "primary", "table", "id", "remote", "local", "port"][] as $key
       | select($data[$key] != null) | "\($key)=\($data[$key])"] | join(" ")) as $kind_data
   | "\($ns) link \(.ifname) \(.linkinfo.info_kind // "-") \(
       if (.flags | index("UP")) then "up" else "down" end) mtu=\(.mtu) master=\(.master // "-")\(
       if $kind_data == "" then "" else " " + $kind_data end) \(
       if ($addrs[.ifname] // "") == "" then "-" else $addrs[.ifname] end)"),
  (.routes[] | select(.protocol != "kernel")
   | "\($ns) route \(.table // "main") \(.type // "unicast") \(.dst) via \(.gateway // "-") dev \(
       .dev // "-") proto \(.protocol // "boot") metric \(.metric // 0)")
  end'

kernel_view() {
  kv_brief=false
  [ "${1:-}" = --brief ] && kv_brief=true
  for kv_ns in host $(ip netns list 2>/dev/null | awk '{print $1}'); do
    if [ "$kv_ns" = host ]; then
      set --
    else
      set -- -n "$kv_ns"
    fi
    printf '{"ns": "%s", "links": %s, "addrs": %s, "routes": %s}\n' "$kv_ns" \
      "$(ip -j -d "$@" link show)" "$(ip -j "$@" addr show)" \
      "$( (ip -j "$@" -4 route show table all && ip -j "$@" -6 route show table all) | jq -cs add)"
  done | jq -r --argjson brief "$kv_brief" "$MACHINE_VIEW_JQ" | sort
}
