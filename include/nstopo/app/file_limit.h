// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>

#include "nstopo/core/error.h"

namespace nstopo::app {

/// While it applies, the netlink driver keeps every namespace's file open (veth requests name
/// them), and netlink sockets into as many namespaces as the rest of the limit allows. A lab
/// larger than the open-file limit allows would fail half-way with EMFILE, and its rollback
/// would hit the same wall; this says so in one line before anything changes.
[[nodiscard]] Status checkOpenFileLimit(std::size_t namespaces, std::uint64_t limit);

/// Makes room for a run over `namespaces`: raises the open-file limit to what it needs, the
/// hard limit too when the process may (CAP_SYS_RESOURCE; nstopo applies as root), up to the
/// kernel's ceiling (fs.nr_open). Only as far as needed: the programs a lab starts inherit it.
/// checkOpenFileLimit's line when the limit stays too low.
[[nodiscard]] Status ensureOpenFileLimit(std::size_t namespaces);

}  // namespace nstopo::app
