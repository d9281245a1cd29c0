# SPDX-License-Identifier: Apache-2.0
# How nstopo learns which link kinds the kernel has: every kind it makes except dummy is proven
# by a request that names no link (the kernel checks the kind's attributes first), without the
# scratch namespace whose teardown slowed the apply of a fresh lab. The answers are checked
# against `ip link add` in this sandbox, and the scratch namespaces are counted with strace.
source "$(dirname "$0")/lib.sh"
if ! command -v strace >/dev/null; then
  echo "SKIP: strace is not installed (bash .ci/install-deps installs it)"
  exit 77
fi

# kernel_has KIND: whether `ip link add` can make a KIND link here (on a veth of its own).
kernel_has() {
  local rc=0
  ip link add kc-low0 type veth peer name kc-low1 || return 1
  case $1 in
    veth) ip link add kc0 type veth peer name kc1 ;;
    bridge | bond | dummy) ip link add kc0 type "$1" ;;
    vrf) ip link add kc0 type vrf table 10 ;;
    vxlan) ip link add kc0 type vxlan id 42 dstport 4789 ;;
    macvlan | macvtap | ipvlan) ip link add link kc-low0 name kc0 type "$1" ;;
    vlan) ip link add link kc-low0 name kc0 type vlan id 10 ;;
  esac 2>/dev/null || rc=$?
  ip link del kc0 2>/dev/null || true
  ip link del kc-low0 2>/dev/null || true
  return "$rc"
}

# lab_of KIND FILE: a lab of two nodes joined by a veth pair (a Linux bridge between them for
# KIND bridge), with one link of KIND on top.
lab_of() {
  local link=""
  case $1 in
    macvlan) link="{kind: macvlan, parent: a:eth0, endpoint: b:mv0, mode: bridge}" ;;
    ipvlan) link="{kind: ipvlan, parent: a:eth0, endpoint: b:iv0, mode: l2}" ;;
    vlan) link="{kind: vlan, parent: a:eth0, endpoint: a:eth0.10, id: 10}" ;;
    vxlan) link="{kind: vxlan, endpoint: a:vx0, underlay: a:eth0, vni: 42, local: 10.9.0.1, remote: 10.9.0.2}" ;;
    vrf) link="{kind: vrf, endpoint: a:blue, table: 10}" ;;
    bond) link="{kind: bond, endpoint: a:bond0, mode: active-backup}" ;;
    dummy) link="{kind: dummy, endpoint: a:d0}" ;;
  esac
  {
    echo "name: kinds-$1"
    echo "nodes:"
    echo "  a: {interfaces: {eth0: {addresses: [10.9.0.1/24]}}}"
    echo "  b: {}"
    if [[ $1 == bridge ]]; then
      echo "bridges: {br0: {kind: linux}}"
      echo "links:"
      echo "  - {kind: veth, endpoints: [a:eth0, br0:kc-a]}"
      echo "  - {kind: veth, endpoints: [b:eth0, br0:kc-b]}"
    else
      echo "links:"
      echo "  - {kind: veth, endpoints: [a:eth0, b:eth0]}"
    fi
    [[ -z $link ]] || echo "  - $link"
  } >"$2"
}

# scratch_namespaces FILE: how many network namespaces `nstopo plan FILE` made (it makes none
# of the lab's: a plan changes nothing).
scratch_namespaces() {
  grep -c 'unshare(CLONE_NEWNET' "$1" || true
}

for kind in veth bridge macvlan ipvlan vlan vxlan vrf bond dummy; do
  step "$kind"
  lab_of "$kind" "$WORK/$kind.yaml"
  rc=0
  untraced_leaks strace -f -qq -e trace=unshare -o "$WORK/$kind.strace" "$NSTOPO" plan "$WORK/$kind.yaml" \
    >"$WORK/out" 2>"$WORK/err" || rc=$?
  if kernel_has "$kind"; then
    expect_eq "$rc" "0" "$kind: the kernel has it, and nstopo plans the lab ($(head -c 300 "$WORK/err"))"
    if [[ $kind == dummy ]]; then
      # dummy has no attributes of its own, so only a scratch namespace can tell.
      expect_eq "$(scratch_namespaces "$WORK/$kind.strace")" "1" "$kind: asked in one scratch namespace"
    else
      expect_eq "$(scratch_namespaces "$WORK/$kind.strace")" "0" "$kind: known without a scratch namespace"
    fi
  else
    expect_eq "$rc" "1" "$kind: the kernel lacks it, and nstopo refuses the lab"
    grep -q "error: this kernel has no $kind support" "$WORK/err" &&
      pass "$kind: the refusal names the missing kind" || fail "$kind: $(cat "$WORK/err")"
    expect_eq "$(scratch_namespaces "$WORK/$kind.strace")" "1" "$kind: confirmed in one scratch namespace"
  fi
  expect_eq "$(netns_list)" "" "$kind: nothing created"
done

step "a fresh lab of veths and a bridge: no namespace but its own"
lab_of bridge "$WORK/fresh.yaml"
expect_rc 0 "apply under strace" -- untraced_leaks strace -f -qq -e trace=unshare -o "$WORK/fresh.strace" "$NSTOPO" apply "$WORK/fresh.yaml"
expect_eq "$(scratch_namespaces "$WORK/fresh.strace")" "2" "two namespaces made, the lab's a and b"
expect_eq "$(netns_list)" "a b " "the lab's namespaces"
expect_rc 0 "destroy" -- "$NSTOPO" destroy "$WORK/fresh.yaml"
finish
