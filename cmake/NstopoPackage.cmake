# SPDX-License-Identifier: Apache-2.0
# The Debian package (issue 18): `cpack` in a configured build directory writes
# nstopo_VERSION_ARCH.deb from the files cmake/NstopoInstall.cmake installs (.ci/package).
#
# CPack rather than debhelper: the install rules already say where every file goes, and CPack
# packs exactly them from the build the tests ran against. debhelper would need a debian/
# directory (rules, control, changelog, compat, source format) that drives a second build with
# its own flags, so the files would be described twice. What debhelper would do for us is done
# here by hand, each once: dpkg-shlibdeps for Depends (CPACK_DEBIAN_PACKAGE_SHLIBDEPS), a
# stripped binary, a compressed man page and changelog, the copyright file, and dpkg-buildflags'
# hardening flags (.ci/package passes them).
#
# lintian (.ci/package and tests/package/test_deb.sh) reports no error and no warning, so the
# package ships no overrides. Informational tags remain and are accepted:
# binary-has-unneeded-section (.comment: CMake's strip keeps the compiler's version note, which
# dh_strip would drop; a few hundred bytes), and, on a package of a dev build only,
# hardening-no-fortify-functions and hardening-no-bindnow (.ci/package builds with
# dpkg-buildflags' _FORTIFY_SOURCE and -z now; the dev build does not), and on the optimised
# build spelling-error-in-binary "addres": g++ merges "...building an address request" with a
# longer string, and lintian reads the bytes across the seam; no message says "addres".

# The version has one source, project() plus the git revision `nstopo --version` prints
# (cmake/NstopoVersion.cmake). Debian's rules: a native package's version holds only
# [A-Za-z0-9.+~] and starts with a digit, and a later commit of the same release must sort
# after the release, so the revision follows "+git" with every other character (git describe's
# "-dirty", "-3-g...") turned into ".".
set(NSTOPO_DEB_VERSION "${PROJECT_VERSION}")
if(NOT NSTOPO_GIT_REVISION STREQUAL "unknown")
  string(REGEX REPLACE "[^A-Za-z0-9.+~]" "." nstopo_deb_revision "${NSTOPO_GIT_REVISION}")
  string(APPEND NSTOPO_DEB_VERSION "+git${nstopo_deb_revision}")
endif()

set(NSTOPO_PACKAGE_MAINTAINER
    "nstopo maintainers <maintainers@users.noreply.h-seed-fe40b316.example>"
    CACHE STRING "Maintainer field of the Debian package")

# Debian asks every package for a changelog, gzip -9n'd; a native package (no Debian revision)
# calls it changelog.gz. Its date is the commit's, so two builds of one commit give one file.
set(nstopo_changelog_date "")
if(GIT_FOUND AND NOT NSTOPO_GIT_REVISION STREQUAL "unknown")
  execute_process(COMMAND "${GIT_EXECUTABLE}" log -1 "--date=format:%a, %d %b %Y %H:%M:%S %z"
                          --format=%ad
                  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                  OUTPUT_VARIABLE nstopo_changelog_date OUTPUT_STRIP_TRAILING_WHITESPACE
                  ERROR_QUIET)
endif()
if(nstopo_changelog_date STREQUAL "")
  string(TIMESTAMP nstopo_changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
endif()
set(nstopo_changelog "${CMAKE_BINARY_DIR}/packaging/changelog")
file(WRITE "${nstopo_changelog}"
     "nstopo (${NSTOPO_DEB_VERSION}) unstable; urgency=medium\n\n"
     "  * Built from git revision ${NSTOPO_GIT_REVISION}.\n\n"
     " -- ${NSTOPO_PACKAGE_MAINTAINER}  ${nstopo_changelog_date}\n")
execute_process(COMMAND gzip -9nf "${nstopo_changelog}" RESULT_VARIABLE nstopo_gzip_result)
if(NOT nstopo_gzip_result EQUAL 0)
  message(FATAL_ERROR "gzip of ${nstopo_changelog} failed: ${nstopo_gzip_result}")
endif()
install(FILES "${nstopo_changelog}.gz" DESTINATION "${CMAKE_INSTALL_DOCDIR}")

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "nstopo")
set(CPACK_PACKAGE_VERSION "${NSTOPO_DEB_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_CONTACT "${NSTOPO_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${NSTOPO_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")  # nstopo_VERSION_ARCH.deb
set(CPACK_DEBIAN_PACKAGE_VERSION "${NSTOPO_DEB_VERSION}")
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Depends: what dpkg-shlibdeps finds for the shared libraries the binary really links.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not needed to build or tear down a lab of namespaces, veth, bridges, macvlan or VLAN, but
# `kind: ovs` bridges need Open vSwitch, `bench` measures throughput with iperf3, and
# `graph --format svg` runs Graphviz's dot.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "openvswitch-switch, iperf3, graphviz")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# CPack puts the summary first and turns the empty line into Debian's " .".
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "declarative network-namespace topologies")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "nstopo builds labs of Linux network namespaces from a YAML file: veth pairs,
Linux and Open vSwitch bridges, macvlan, ipvlan, VLAN and VXLAN links,
addresses, routes and sysctls. It reads what the kernel has, works out the
difference from the file and applies only that difference over netlink, all
or nothing. Everything it creates carries the lab's mark, so destroy removes
exactly what the lab owns, even when the file is gone.

It also checks reachability between nodes (verify), measures the data plane
(bench), runs commands inside a node (exec) and draws the topology (graph).
The JSON Schema and example topologies are in /usr/share/nstopo.")
include(CPack)
