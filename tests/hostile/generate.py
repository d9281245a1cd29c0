#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the hostile-input table: one malformed topology per file, each a different way to get
a topology wrong. expected.tsv (file, expected first line) is written by record.sh from the real
parser and then read by a person before it is committed."""
import os

BASE = """name: lab
nodes:
  ns1:
    interfaces:
      eth0: {addresses: [10.0.0.1/24]}
  ns2:
    interfaces:
      eth0: {addresses: [10.0.0.2/24]}
links:
  - {kind: veth, endpoints: [ns1:eth0, ns2:eth0]}
"""

cases = {}


def case(name, text):
    assert name not in cases, name
    cases[name] = text


def swap(old, new, base=BASE):
    assert old in base, old
    return base.replace(old, new, 1)


# YAML syntax
case("syntax-unclosed-flow-map", "name: lab\nnodes: {ns1: {}\n")
case("syntax-unclosed-flow-seq", "name: lab\nlinks: [\n")
case("syntax-bad-indent", "name: lab\nnodes:\n  ns1:\n interfaces: {}\n")
case("syntax-tab-indent", "name: lab\nnodes:\n\tns1: {}\n")
case("syntax-unterminated-quote", "name: \"lab\nnodes: {}\n")
case("syntax-colon-in-plain-key", "name: lab\nnodes:\n  a: b: c\n")
case("syntax-undefined-alias", "name: *nothing\n")
case("syntax-bad-anchor-use", "name: lab\nnodes: {ns1: &a {}, ns2: *b}\n")
case("syntax-stray-bracket", "name: lab]\nnodes: {}\n]\n")
case("syntax-document-garbage", "name: lab\n---\n- a\n---\n- b\n")
# Empty and wrong top level
case("empty-file", "")
case("only-comment", "# nothing here\n")
case("top-level-list", "- name: lab\n")
case("top-level-scalar", "just a string\n")
case("top-level-number", "42\n")
case("missing-name", "nodes: {ns1: {}}\n")
case("name-is-list", "name: [a, b]\n")
case("name-is-map", "name: {a: b}\n")
case("name-empty", "name: ''\n")
case("version-two", "version: 2\nname: lab\n")
case("version-text", "version: one\nname: lab\n")
case("unknown-top-key", "name: lab\nnodez: {}\n")
case("unknown-top-key-far", "name: lab\nbananas: 1\n")
# Names
case("lab-name-space", "name: 'my lab'\n")
case("lab-name-slash", "name: a/b\n")
case("lab-name-colon", "name: 'a:b'\n")
case("lab-name-dotdot", "name: '..'\n")
case("lab-name-too-long", "name: " + "l" * 40 + "\n")
case("lab-name-control", "name: \"a\\x01b\"\n")
case("netns-name-slash", swap("  ns2:\n", "  'n/s':\n"))
case("netns-name-dotdot", swap("  ns2:\n", "  '..':\n"))
case("netns-name-leading-dot", swap("  ns2:\n", "  .hidden:\n"))
case("netns-name-space", swap("  ns2:\n", "  'n s':\n"))
case("netns-name-newline", swap("  ns2:\n", "  \"n\\ns\":\n"))
case("netns-name-unicode", swap("  ns2:\n", "  nsé:\n"))
case("ifname-16-bytes", swap("[ns1:eth0, ns2:eth0]", "[ns1:abcdefghijklmnop, ns2:eth0]"))
case("ifname-slash", swap("[ns1:eth0, ns2:eth0]", "['ns1:e/0', ns2:eth0]"))
case("ifname-space", swap("[ns1:eth0, ns2:eth0]", "['ns1:e 0', ns2:eth0]"))
case("ifname-dotdot", swap("[ns1:eth0, ns2:eth0]", "['ns1:..', ns2:eth0]"))
case("ifname-lo", swap("[ns1:eth0, ns2:eth0]", "[ns1:lo, ns2:eth0]"))
case("ifname-tab", swap("[ns1:eth0, ns2:eth0]", "[\"ns1:e\\t0\", ns2:eth0]"))
case("bridge-name-long", "name: lab\nbridges:\n  bridge-name-too-long: {}\n")
case("bridge-named-like-node", "name: lab\nnodes: {br0: {}}\nbridges: {br0: {}}\n")
case("bridge-named-host", "name: lab\nbridges: {host: {}}\n")
# Types
case("nodes-is-list", "name: lab\nnodes: [ns1, ns2]\n")
case("nodes-is-scalar", "name: lab\nnodes: ns1\n")
case("node-is-list", "name: lab\nnodes:\n  ns1: [a]\n")
case("interfaces-is-list", "name: lab\nnodes:\n  ns1: {interfaces: [eth0]}\n")
case("addresses-is-scalar", swap("{addresses: [10.0.0.1/24]}", "{addresses: 10.0.0.1/24}"))
case("addresses-is-map", swap("{addresses: [10.0.0.1/24]}", "{addresses: {a: 10.0.0.1/24}}"))
case("mtu-is-text", swap("{addresses: [10.0.0.1/24]}", "{mtu: big}"))
case("mtu-is-float", swap("{addresses: [10.0.0.1/24]}", "{mtu: 1500.5}"))
case("mtu-too-small", swap("{addresses: [10.0.0.1/24]}", "{mtu: 67}"))
case("mtu-too-big", swap("{addresses: [10.0.0.1/24]}", "{mtu: 65536}"))
case("mtu-negative", swap("{addresses: [10.0.0.1/24]}", "{mtu: -1}"))
case("mtu-huge", swap("{addresses: [10.0.0.1/24]}", "{mtu: 99999999999999999999}"))
case("up-is-text", swap("{addresses: [10.0.0.1/24]}", "{up: maybe}"))
case("links-is-map", "name: lab\nlinks: {kind: veth}\n")
case("link-is-scalar", "name: lab\nlinks: [veth]\n")
case("endpoints-is-scalar", swap("endpoints: [ns1:eth0, ns2:eth0]", "endpoints: ns1:eth0"))
case("bridge-stp-text", "name: lab\nbridges: {br0: {stp: sometimes}}\n")
case("sysctl-value-list", "name: lab\nnodes:\n  ns1: {sysctls: {net.ipv4.ip_forward: [1]}}\n")
case("routes-is-map", "name: lab\nnodes:\n  ns1: {routes: {to: default}}\n")
# Unknown keys
case("unknown-node-key", "name: lab\nnodes:\n  ns1: {interface: {}}\n")
case("unknown-interface-key", swap("{addresses: [10.0.0.1/24]}", "{adresses: [10.0.0.1/24]}"))
case("unknown-link-key", swap("{kind: veth, endpoints", "{kind: veth, mode: x, endpoints"))
case("unknown-bridge-key", "name: lab\nbridges: {br0: {spt: false}}\n")
case("unknown-route-key", "name: lab\nnodes:\n  ns1: {routes: [{to: default, gw: 10.0.0.1}]}\n")
case("unknown-verify-key", BASE + "verify: {expects: []}\n")
case("unknown-ovs-key", "name: lab\nbridges: {b: {kind: ovs, stp: true}}\n")
# Addresses
case("cidr-missing-prefix", swap("10.0.0.1/24", "10.0.0.1"))
case("cidr-prefix-33", swap("10.0.0.1/24", "10.0.0.1/33"))
case("cidr-prefix-129", swap("10.0.0.1/24", "2001:db8::1/129"))
case("cidr-bad-octet", swap("10.0.0.1/24", "10.0.0.256/24"))
case("cidr-text", swap("10.0.0.1/24", "hello/24"))
case("cidr-empty-prefix", swap("10.0.0.1/24", "10.0.0.1/"))
case("cidr-double-slash", swap("10.0.0.1/24", "10.0.0.1/24/8"))
case("cidr-link-local", swap("10.0.0.1/24", "fe80::1/64"))
case("duplicate-address", swap("10.0.0.2/24", "10.0.0.1/24"))
case("duplicate-address-v6", swap("[10.0.0.1/24]", "[2001:db8::1/64]").replace("[10.0.0.2/24]", "[2001:db8::1/64]"))
case("mac-multicast", swap("{addresses: [10.0.0.1/24]}", "{mac: '01:00:5e:00:00:01'}"))
case("mac-short", swap("{addresses: [10.0.0.1/24]}", "{mac: '02:00:00:00:01'}"))
case("mac-dashes", swap("{addresses: [10.0.0.1/24]}", "{mac: 02-00-00-00-00-01}"))
# References and duplicates
case("endpoint-no-colon", swap("[ns1:eth0, ns2:eth0]", "[ns1, ns2:eth0]"))
case("endpoint-empty-ifname", swap("[ns1:eth0, ns2:eth0]", "['ns1:', ns2:eth0]"))
case("endpoint-undefined-node", swap("[ns1:eth0, ns2:eth0]", "[ns1:eth0, ns3:eth0]"))
case("endpoint-three", swap("[ns1:eth0, ns2:eth0]", "[ns1:eth0, ns2:eth0, ns2:eth1]"))
case("endpoint-one", swap("[ns1:eth0, ns2:eth0]", "[ns1:eth0]"))
case("interface-used-twice", BASE + "  - {kind: veth, endpoints: [ns1:eth0, ns2:eth1]}\n")
case("settings-for-missing-interface", swap("      eth0: {addresses: [10.0.0.2/24]}", "      eth9: {addresses: [10.0.0.2/24]}"))
case("bridge-loops-itself", "name: lab\nbridges: {br0: {}}\nlinks:\n  - {kind: veth, endpoints: [br0:a, br0:b]}\n")
case("bridge-own-port", "name: lab\nnodes: {n: {}}\nbridges: {br0: {}}\nlinks:\n  - {kind: veth, endpoints: [br0:br0, n:e]}\n")
case("bridge-in-missing-node", "name: lab\nbridges: {br0: {node: nowhere}}\n")
case("duplicate-key-node", "name: lab\nnodes:\n  ns1: {}\n  ns1: {}\n")
case("duplicate-key-top", "name: lab\nname: other\n")
case("duplicate-key-interface", "name: lab\nnodes:\n  ns1:\n    interfaces:\n      e: {}\n      e: {}\n")
case("link-kind-missing", swap("{kind: veth, endpoints", "{endpoints"))
case("link-kind-unknown", swap("{kind: veth,", "{kind: vxlan,"))
case("link-kind-typo", swap("{kind: veth,", "{kind: vet,"))
# Routes and sysctls
case("route-no-to", "name: lab\nnodes:\n  ns1: {routes: [{via: 10.0.0.9}]}\n")
case("route-no-via-no-dev", "name: lab\nnodes:\n  ns1: {routes: [{to: 10.9.0.0/16}]}\n")
case("route-host-bits", "name: lab\nnodes:\n  ns1: {routes: [{to: 10.9.0.1/16, via: 10.0.0.9}]}\n")
case("route-bad-via", "name: lab\nnodes:\n  ns1: {routes: [{to: default, via: 10.0.0.9/24}]}\n")
case("route-family-mix", "name: lab\nnodes:\n  ns1: {routes: [{to: 2001:db8::/64, via: 10.0.0.9}]}\n")
case("route-missing-dev", swap("      eth0: {addresses: [10.0.0.1/24]}\n", "      eth0: {addresses: [10.0.0.1/24]}\n    routes: [{to: 10.9.0.0/16, dev: eth7}]\n"))
case("route-metric-negative", "name: lab\nnodes:\n  ns1: {routes: [{to: default, via: 10.0.0.9, metric: -5}]}\n")
case("route-duplicate", "name: lab\nnodes:\n  ns1: {routes: [{to: default, via: 10.0.0.9}, {to: default, via: 10.0.0.8}]}\n")
case("route-default-no-family", "name: lab\nnodes:\n  ns1: {routes: [{to: default, dev: lo}]}\n")
case("route-host-no-dev", "name: lab\nnodes:\n  host: {routes: [{to: 10.0.0.0/8, via: 10.0.0.9}]}\n")
case("sysctl-host", "name: lab\nnodes:\n  host: {sysctls: {net.ipv4.ip_forward: 1}}\n")
case("sysctl-outside-net", "name: lab\nnodes:\n  ns1: {sysctls: {kernel.panic: 1}}\n")
case("sysctl-path-escape", "name: lab\nnodes:\n  ns1: {sysctls: {net..ipv4: 1}}\n")
case("sysctl-slash", "name: lab\nnodes:\n  ns1: {sysctls: {net/ipv4/ip_forward: 1}}\n")
case("host-loopback", "name: lab\nnodes:\n  host: {interfaces: {lo: {addresses: [10.9.9.9/32]}}}\n")
# Stacked links
case("vlan-id-zero", BASE + "  - {kind: vlan, parent: ns1:eth0, endpoint: ns1:v, id: 0}\n")
case("vlan-id-4095", BASE + "  - {kind: vlan, parent: ns1:eth0, endpoint: ns1:v, id: 4095}\n")
case("vlan-id-text", BASE + "  - {kind: vlan, parent: ns1:eth0, endpoint: ns1:v, id: ten}\n")
case("vlan-no-id", BASE + "  - {kind: vlan, parent: ns1:eth0, endpoint: ns1:v}\n")
case("vlan-bad-protocol", BASE + "  - {kind: vlan, parent: ns1:eth0, endpoint: ns1:v, id: 5, protocol: 802.1X}\n")
case("macvlan-bad-mode", BASE + "  - {kind: macvlan, parent: ns1:eth0, endpoint: ns2:m, mode: bridged}\n")
case("ipvlan-bad-mode", BASE + "  - {kind: ipvlan, parent: ns1:eth0, endpoint: ns2:m, mode: l4}\n")
case("ipvlan-bad-flag", BASE + "  - {kind: ipvlan, parent: ns1:eth0, endpoint: ns2:m, flag: open}\n")
case("macvlan-missing-parent", BASE + "  - {kind: macvlan, parent: ns1:eth9, endpoint: ns2:m}\n")
case("macvlan-no-parent", BASE + "  - {kind: macvlan, endpoint: ns2:m}\n")
case("macvlan-passthru-twice", BASE + "  - {kind: macvlan, parent: ns1:eth0, endpoint: ns2:m, mode: passthru}\n  - {kind: macvlan, parent: ns1:eth0, endpoint: ns2:n}\n")
case("stacked-own-parent", BASE + "  - {kind: vlan, parent: ns1:v, endpoint: ns1:v, id: 3}\n")
case("stacked-cycle", BASE + "  - {kind: vlan, parent: ns1:b, endpoint: ns1:a, id: 3}\n  - {kind: vlan, parent: ns1:a, endpoint: ns1:b, id: 4}\n")
case("macvlan-and-ipvlan", BASE + "  - {kind: macvlan, parent: ns1:eth0, endpoint: ns2:m}\n  - {kind: ipvlan, parent: ns1:eth0, endpoint: ns2:i}\n")
# OVS
case("ovs-bad-datapath", "name: lab\nbridges: {b: {kind: ovs, datapath: kernel}}\n")
case("ovs-tag-too-big", "name: lab\nnodes: {n: {}}\nbridges: {b: {kind: ovs, ports: {p: {tag: 5000}}}}\nlinks:\n  - {kind: veth, endpoints: [n:e, b:p]}\n")
case("ovs-port-settings-orphan", "name: lab\nbridges: {b: {kind: ovs, ports: {p: {tag: 5}}}}\n")
case("ovs-internal-no-bridge", "name: lab\nnodes: {n: {}}\nlinks:\n  - {kind: ovs-internal, bridge: nob, endpoint: n:t}\n")
case("ovs-port-name-twice", "name: lab\nnodes: {n: {}, m: {}}\nbridges: {b: {kind: ovs}, c: {kind: ovs}}\nlinks:\n  - {kind: veth, endpoints: [n:e, b:p]}\n  - {kind: veth, endpoints: [m:e, c:p]}\n")
# verify
case("verify-unknown-node", BASE + "verify:\n  expect:\n    - {from: ns9, to: ns2}\n")
case("verify-port-without-tcp", BASE + "verify:\n  expect:\n    - {from: ns1, to: ns2, port: 80}\n")
case("verify-bad-protocol", BASE + "verify:\n  expect:\n    - {from: ns1, to: ns2, protocol: sctp}\n")
# Alias bomb: billion laughs; yaml-cpp aliases share nodes, the parser must not expand them.
bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
for level in "bcdefghi":
    prev = chr(ord(level) - 1)
    bomb += f"{level}: &{level} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
case("alias-bomb", "name: lab\n" + bomb + "nodes: *i\n")
case("alias-bomb-in-addresses", "name: lab\nx: &x [10.0.0.1/24, 10.0.0.1/24]\nnodes:\n  ns1: {interfaces: {e: {addresses: *x}}}\n")
# Raw control bytes: yaml-cpp 0.7 can loop forever on a NUL (found by the fuzzer)
case("raw-nul-byte", "name: lab\x00\nnodes: {}\n")
case("raw-escape-byte", "name: lab\nnodes: {ns1: {}}\x1b[2J\n")
# Deep nesting (written by the test itself as well: these stay small on disk)
case("deep-nesting-lists", "name: lab\nnodes: " + "[" * 300 + "]" * 300 + "\n")
case("deep-nesting-maps", "name: lab\nnodes: " + "{a: " * 300 + "{}" + "}" * 300 + "\n")

out = os.path.dirname(os.path.abspath(__file__))
for name, text in cases.items():
    with open(os.path.join(out, name + ".yaml"), "w", encoding="utf-8", newline="") as f:
        f.write(text)
print(len(cases), "cases")
