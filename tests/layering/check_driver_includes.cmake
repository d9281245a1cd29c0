# SPDX-License-Identifier: Apache-2.0
# Layering checks over src/ and include/ (docs/architecture.md, "Layers"); run with
# -DNSTOPO_SOURCE_DIR=<repository>. Fails when
#  - a file outside src/drivers includes a driver's private header ("../drivers/..." or
#    "drivers/..."): what other layers need from a driver has a public header in
#    include/nstopo/drivers;
#  - nstopo_sys (src/sys, include/nstopo/sys) includes a libnl header.
# Unit tests and fuzzers of a driver's own parts may still reach inside it.
file(GLOB_RECURSE sources RELATIVE "${NSTOPO_SOURCE_DIR}"
     "${NSTOPO_SOURCE_DIR}/src/*.cpp" "${NSTOPO_SOURCE_DIR}/src/*.h"
     "${NSTOPO_SOURCE_DIR}/include/*.h")
set(offenders "")
foreach(source IN LISTS sources)
  if(NOT source MATCHES "^src/drivers/")
    file(STRINGS "${NSTOPO_SOURCE_DIR}/${source}" lines
         REGEX "^[ \t]*#[ \t]*include[ \t]*\"(\\.\\./)*drivers/")
    foreach(line IN LISTS lines)
      string(APPEND offenders "  ${source}: ${line} (a private driver header)\n")
    endforeach()
  endif()
  if(source MATCHES "^(src|include/nstopo)/sys/")
    file(STRINGS "${NSTOPO_SOURCE_DIR}/${source}" lines
         REGEX "^[ \t]*#[ \t]*include[ \t]*<netlink/")
    foreach(line IN LISTS lines)
      string(APPEND offenders "  ${source}: ${line} (libnl in nstopo_sys)\n")
    endforeach()
  endif()
endforeach()
if(offenders)
  message(FATAL_ERROR "layering broken (use include/nstopo/drivers; keep libnl in the netlink "
                      "driver):\n${offenders}")
endif()
list(LENGTH sources checked)
message(STATUS "layering: ${checked} files checked")
