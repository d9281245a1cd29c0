// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <string>

#include "nstopo/core/error.h"
#include "nstopo/core/unique_fd.h"

/// nstopo keeps what it acts on as root under /run/nstopo: the run lock, each lab's record and
/// journal, the private Open vSwitch's pidfiles. It trusts a directory or file there only when the
/// user running nstopo owns it and nobody else can write it, and it never follows a symlink there:
/// otherwise another local user could plant a journal that names objects for nstopo to delete.
namespace nstopo::app {

/// Opens the directory `name` under the directory `parent` (a directory fd, or AT_FDCWD with an
/// absolute `name`) without following a symlink. With `create`, makes it 0700 first when it is
/// missing. A directory owned by another user, or writable by its group or by others, is refused
/// with one line naming it (ErrorKind::kConflict). A missing directory, or a symlink or file in
/// its place, comes back as ErrorKind::kKernel with that errno (ENOENT, ELOOP, ENOTDIR): callers
/// that only read treat those as "nothing there". `shown` is the path for messages.
[[nodiscard]] Result<UniqueFd> openTrustedDir(int parent, const std::string& name,
                                              const std::string& shown, bool create);

/// Opens the file `name` in a trusted directory (openat with O_NOFOLLOW, plus `flags`) and checks
/// that it is a regular file of this user that neither its group nor others can write. A symlink
/// in its place is refused (ELOOP); a missing file is ENOENT unless `flags` has O_CREAT.
[[nodiscard]] Result<UniqueFd> openTrustedFile(int dir, const std::string& name,
                                               const std::string& shown, int flags,
                                               mode_t mode = 0600);

/// Reads a whole file, refusing one larger than `max_bytes`.
[[nodiscard]] Result<std::string> readBounded(int fd, std::size_t max_bytes,
                                              const std::string& shown);

/// Writes all of `text`.
[[nodiscard]] Status writeAll(int fd, const std::string& text, const std::string& shown);

/// True when the error means "nothing is there" (missing, or a symlink or file in the place of a
/// directory), as openTrustedDir and openTrustedFile report it.
[[nodiscard]] bool isAbsent(const Error& error);

}  // namespace nstopo::app
