# SPDX-License-Identifier: Apache-2.0
# Every external dependency in one place; all come from Debian 12 packages (see .ci/install-deps).
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBNL REQUIRED IMPORTED_TARGET libnl-3.0 libnl-route-3.0)
find_package(yaml-cpp CONFIG REQUIRED)        # Debian 12 ships 0.7: the target is `yaml-cpp`
find_package(CLI11 CONFIG REQUIRED)
find_package(fmt CONFIG REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(nlohmann_json CONFIG REQUIRED)
find_package(tl-expected CONFIG REQUIRED)
find_package(Threads REQUIRED)
