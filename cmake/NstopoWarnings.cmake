# SPDX-License-Identifier: Apache-2.0
# One INTERFACE target carries the warning set and the sanitizer flags, so every nstopo target
# links it PRIVATE and third-party headers (imported as SYSTEM) stay out of it.
add_library(nstopo_warnings INTERFACE)
add_library(nstopo::warnings ALIAS nstopo_warnings)
target_compile_options(nstopo_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Woverloaded-virtual -Wconversion -Wsign-conversion -Wformat=2
  -Wimplicit-fallthrough -Wsuggest-override
  -Wmisleading-indentation
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond;-Wduplicated-branches;-Wlogical-op>
  # -Wnull-dereference acts only when optimising, and there g++ 12 reports false positives
  # inside libstdc++'s std::variant (the release preset would not build); Clang keeps it.
  $<$<CXX_COMPILER_ID:Clang>:-Wnull-dereference>
  $<$<BOOL:${NSTOPO_WERROR}>:-Werror>)
if(NSTOPO_SANITIZE)
  target_compile_options(nstopo_warnings INTERFACE -fsanitize=${NSTOPO_SANITIZE}
                         -fno-omit-frame-pointer -fno-sanitize-recover=all)
  # Not position-independent: the sanitizers' type and source descriptors give a PIE over 1.6
  # million relative relocations, and the loader's work on them was most of the 0.3-0.4 s each
  # sanitizer process took to start (perf: _dl_relocate_object), paid by every test that runs
  # nstopo hundreds of times. Objects stay -fPIE; only the link resolves them.
  target_link_options(nstopo_warnings INTERFACE -fsanitize=${NSTOPO_SANITIZE} -no-pie)
endif()
