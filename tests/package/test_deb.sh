#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The Debian package of the build under test (issue 18): CPack packs it into a temporary
# directory, lintian passes it, it holds what a user needs, and the binary taken out of it with
# dpkg-deb -x runs. Nothing is installed on this machine.
# Usage: test_deb.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() {
  echo "FAIL: $*" >&2
  exit 1
}

cpack --config "$build_dir/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; fail "cpack did not build the package"; }

# The name and version follow `nstopo --version` ("nstopo 0.1.0 (510d7da12345-dirty)"), spelled
# as Debian allows: 0.1.0+git510d7da12345.dirty.
read -r _ version revision < <("$build_dir/src/nstopo" --version)
revision=${revision#(}
revision=${revision%)}
deb_version=$version
if [[ $revision != unknown ]]; then
  deb_version+="+git${revision//[^A-Za-z0-9.+~]/.}"
fi
dpkg --validate-version "$deb_version" || fail "$deb_version is not a Debian version"
arch=$(dpkg --print-architecture)
deb="$work/out/nstopo_${deb_version}_${arch}.deb"
[[ -f $deb ]] || fail "no $deb; cpack wrote: $(ls "$work/out")"
echo "built $(basename "$deb")"

# lintian: no error and no warning (cmake/NstopoPackage.cmake: the informational tags left).
lintian --fail-on error,warning "$deb" || fail "lintian found problems (above)"

field() { dpkg-deb --field "$deb" "$1"; }
[[ $(field Package) == nstopo ]] || fail "Package: $(field Package)"
[[ $(field Version) == "$deb_version" ]] || fail "Version: $(field Version), want $deb_version"
[[ $(field Recommends) == "openvswitch-switch, iperf3, graphviz" ]] ||
  fail "Recommends: $(field Recommends)"
# Depends comes from dpkg-shlibdeps: the libraries the binary links, libnl's among them.
depends=$(field Depends)
for library in libc6 libnl-3-200 libnl-route-3-200; do
  [[ $depends == *"$library "* || $depends == *"$library," || $depends == *"$library" ]] ||
    fail "Depends lacks $library: $depends"
done
echo "Depends: $depends"

contents=$(dpkg-deb --contents "$deb" | awk '{print $NF}')
for path in \
  ./usr/bin/nstopo \
  ./usr/share/man/man1/nstopo.1.gz \
  ./usr/share/bash-completion/completions/nstopo \
  ./usr/share/nstopo/docs/topology.schema.json \
  ./usr/share/nstopo/topologies/default.yaml \
  ./usr/share/nstopo/topologies/examples/routed-chain.yaml \
  ./usr/share/nstopo/topologies/seeds/veth-pair.yaml \
  ./usr/share/doc/nstopo/copyright \
  ./usr/share/doc/nstopo/changelog.gz \
  ./usr/share/doc/nstopo/topology.md; do
  grep -qxF "$path" <<<"$contents" || fail "the package lacks $path"
done
# The zsh completion goes where the build's prefix says (cmake/NstopoInstall.cmake): Debian's
# vendor-completions in the package preset's build (prefix /usr), site-functions in a dev build.
zsh_dir=$(sed -n 's/^NSTOPO_ZSH_COMPLETION_DIR:STRING=//p' "$build_dir/CMakeCache.txt")
grep -qxF "./usr/$zsh_dir/_nstopo" <<<"$contents" ||
  fail "the package lacks the zsh completion ./usr/$zsh_dir/_nstopo"
# Every shipped topology, and only those, with the schema its modelines point at.
shipped=$(grep -c '^\./usr/share/nstopo/topologies/.*\.yaml$' <<<"$contents")
in_tree=$(find "$source_dir/topologies" -name '*.yaml' | wc -l)
[[ $shipped == "$in_tree" ]] || fail "$shipped topologies shipped, $in_tree in the tree"

dpkg-deb -x "$deb" "$work/root"
nstopo="$work/root/usr/bin/nstopo"
"$nstopo" --version | grep -xF "nstopo $version ($revision)" >/dev/null ||
  fail "the packaged binary says: $("$nstopo" --version)"
while IFS= read -r -d '' topology; do
  "$nstopo" validate "$topology" >/dev/null || fail "the packaged binary rejects $topology"
done < <(find "$work/root/usr/share/nstopo/topologies" -name '*.yaml' -print0)
# The man page names the version the binary has.
# (grep reads all of zcat's output: `zcat | grep -q` under pipefail fails when grep exits first)
zcat "$work/root/usr/share/man/man1/nstopo.1.gz" | grep "^\.TH NSTOPO 1 .* \"nstopo $version\"" >/dev/null ||
  fail "the man page's .TH line does not say nstopo $version"
echo "ok: package, lintian, contents, --version and validate of every shipped topology"
