# SPDX-License-Identifier: Apache-2.0
# What `cmake --install` puts on a machine (issue 18): everything a user needs besides the
# binary. The Debian package (cmake/NstopoPackage.cmake) is made of exactly these files.
include(GNUInstallDirs)

install(TARGETS nstopo RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}")

# The man page is installed compressed, as Debian policy asks (`man` reads both); gzip -n keeps
# the file's name and time out of it so two builds give the same bytes.
set(NSTOPO_MAN_GZ "${CMAKE_BINARY_DIR}/packaging/nstopo.1.gz")
add_custom_command(OUTPUT "${NSTOPO_MAN_GZ}"
  COMMAND sh -c "gzip -9n < \"$1\" > \"$2\"" gzip_man
          "${PROJECT_SOURCE_DIR}/docs/nstopo.1" "${NSTOPO_MAN_GZ}"
  DEPENDS "${PROJECT_SOURCE_DIR}/docs/nstopo.1"
  COMMENT "Compressing the man page" VERBATIM)
add_custom_target(nstopo_man ALL DEPENDS "${NSTOPO_MAN_GZ}")
install(FILES "${NSTOPO_MAN_GZ}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man1")

# Completions where the shells look without any setup: bash-completion loads
# share/bash-completion/completions/NAME on first use. zsh has no one place: Debian's zsh
# searches /usr/share/zsh/vendor-completions for packages and /usr/local/share/zsh/site-functions
# for local installs, so the default follows the prefix.
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  set(nstopo_zsh_default "${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions")
else()
  set(nstopo_zsh_default "${CMAKE_INSTALL_DATADIR}/zsh/site-functions")
endif()
set(NSTOPO_ZSH_COMPLETION_DIR "${nstopo_zsh_default}" CACHE STRING
    "Where the zsh completion goes, relative to the install prefix")
install(FILES "${PROJECT_SOURCE_DIR}/docs/completions/nstopo.bash"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" RENAME nstopo)
install(FILES "${PROJECT_SOURCE_DIR}/docs/completions/_nstopo"
        DESTINATION "${NSTOPO_ZSH_COMPLETION_DIR}")

# share/nstopo: the schema editors validate against, and the topologies to start from. The
# topologies name the schema by a path relative to the source tree, so the schema keeps its
# place beside them (share/nstopo/docs/topology.schema.json is what
# share/nstopo/topologies/seeds/*.yaml point at).
install(FILES "${PROJECT_SOURCE_DIR}/docs/topology.schema.json"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/nstopo/docs")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/topologies/"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/nstopo/topologies"
        FILES_MATCHING PATTERN "*.yaml")

# The documentation the man page points to, the licence and the changelog Debian asks for.
install(FILES "${PROJECT_SOURCE_DIR}/docs/topology.md" "${PROJECT_SOURCE_DIR}/docs/ovs.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}")
install(FILES "${PROJECT_SOURCE_DIR}/packaging/copyright" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
