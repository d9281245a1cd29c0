// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <string>

#include "nstopo/core/error.h"

namespace nstopo::parse {

/// Reads at most `limit` + 1 bytes of the regular file `path`, so that a huge file costs nothing
/// and the caller can still tell "too big". A file that is a symbolic link is refused unless
/// `follow_symlinks` (a link committed to a repository may point at a root-only file whose
/// lines would be quoted in messages). Anything but a regular file (a FIFO, a device, a socket,
/// a directory) is refused before a byte is read, and opening it does not block. Each refusal,
/// like an unreadable file, is one clear error naming the path.
[[nodiscard]] Result<std::string> readBounded(const std::string& path, std::size_t limit,
                                              bool follow_symlinks);

}  // namespace nstopo::parse
