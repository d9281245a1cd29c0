#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The seeds' comparison on this machine: apply each interconnection method in turn, measure
# between its two namespaces with `nstopo bench` (TCP stream through iperf3, TCP_RR, TCP_CRR,
# UDP_RR), destroy it. Writes bench/results/dataplane.{json,md,png}. Runs inside the sandbox,
# with a private Open vSwitch for the OVS methods.
#   bash bench/dataplane.sh [--duration 3]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
if [[ ${NSTOPO_IN_SANDBOX:-} != 1 ]]; then
  exec "$here/../tests/integration/sandbox.sh" bash "$0" "$@"
fi
duration=3
[[ ${1:-} == --duration ]] && duration=$2
nstopo=${NSTOPO:-$here/../build/release/src/nstopo}
seeds=$here/../topologies/seeds
out=$here/results
mkdir -p "$out"
trap '"$nstopo" ovs stop >/dev/null 2>&1 || true' EXIT
"$nstopo" ovs start >/dev/null
# method | seed | from | to
methods=(
  "veth pair|veth-pair|ns1|ns2"
  "Linux bridge + veth|linux-bridge|ns1|ns2"
  "OVS + veth (userspace datapath)|ovs-veth|ns1|ns2"
  "OVS internal ports (userspace datapath)|ovs-internal|ns1|ns2"
  "macvlan bridge|macvlan-bridge|net1|net2"
  "ipvlan l2|ipvlan-l2|net1|net2"
  "ipvlan l3|ipvlan-l3|net1|net2"
)
echo "[" >"$out/dataplane.json"
first=1
for entry in "${methods[@]}"; do
  IFS='|' read -r name seed from to <<<"$entry"
  if ! "$nstopo" plan "$seeds/$seed.yaml" >/dev/null 2>"$out/.err"; then
    echo "$name: skipped: $(cat "$out/.err")"
    continue
  fi
  "$nstopo" apply "$seeds/$seed.yaml" >/dev/null
  result=$("$nstopo" bench "$seeds/$seed.yaml" --from "$from" --to "$to" --duration "$duration" --json || true)
  "$nstopo" destroy "$seeds/$seed.yaml" >/dev/null
  [[ $first == 1 ]] || echo "," >>"$out/dataplane.json"
  first=0
  printf '{"method": "%s", "result": %s}\n' "$name" "$result" >>"$out/dataplane.json"
  echo "$name: done"
done
echo "]" >>"$out/dataplane.json"
rm -f "$out/.err"
python3 - "$out" <<'PY'
import json, os, shutil, subprocess, sys
out = sys.argv[1]
rows = json.load(open(os.path.join(out, "dataplane.json")))
lines = ["| method | TCP stream (Gbit/s) | TCP_RR (tx/s) | TCP_CRR (tx/s) | UDP_RR (tx/s) |",
         "| --- | --- | --- | --- | --- |"]
for row in rows:
    r = row["result"]
    gbit = r["tcp_stream"].get("bits_per_second")
    def tps(kind):
        return f"{r[kind]['transactions_per_second']:.0f}" if "transactions_per_second" in r.get(kind, {}) else "-"
    lines.append(f"| {row['method']} | {gbit / 1e9:.2f} |" if gbit else f"| {row['method']} | - |")
    lines[-1] += f" {tps('tcp_rr')} | {tps('tcp_crr')} | {tps('udp_rr')} |"
open(os.path.join(out, "dataplane.md"), "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
if shutil.which("gnuplot"):
    data = os.path.join(out, "dataplane.dat")
    with open(data, "w") as f:
        for row in rows:
            gbit = row["result"]["tcp_stream"].get("bits_per_second", 0) / 1e9
            f.write(f"\"{row['method']}\" {gbit:.3f}\n")
    script = f"""set terminal pngcairo size 900,450
set output '{os.path.join(out, "dataplane.png")}'
set title 'TCP stream between two namespaces (iperf3, one stream)'
set ylabel 'Gbit/s'
set style fill solid 0.6
set boxwidth 0.6
set xtics rotate by -20
set yrange [0:*]
plot '{data}' using 2:xtic(1) with boxes notitle
"""
    subprocess.run(["gnuplot"], input=script, text=True, check=False)
    os.remove(data)
PY
