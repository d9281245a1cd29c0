// SPDX-License-Identifier: Apache-2.0
#include "file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "nstopo/core/names.h"
#include "nstopo/core/unique_fd.h"

namespace nstopo::parse {
namespace {

tl::unexpected<Error> cannotRead(const std::string& path, int error) {
  return fail(
      ErrorKind::kInvalidTopology,
      fmt::format("cannot read topology file '{}': {}", printable(path), std::strerror(error)),
      SourceLoc{}, error);
}

tl::unexpected<Error> refuse(const std::string& path, const std::string& why) {
  return fail(ErrorKind::kInvalidTopology,
              fmt::format("topology file '{}' {}", printable(path), why));
}

/// What a file that is not a regular one is, in the words of ls and stat.
const char* fileType(mode_t mode) {
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO (named pipe)";
  }
  if (S_ISCHR(mode)) {
    return "a character device";
  }
  if (S_ISBLK(mode)) {
    return "a block device";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  return "not a regular file";
}

}  // namespace

Result<std::string> readBounded(const std::string& path, std::size_t limit, bool follow_symlinks) {
  // O_NONBLOCK: opening a FIFO without a writer, or a device that waits for a carrier, returns at
  // once instead of hanging the run; the type check below then refuses it.
  const int flags =
      O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow_symlinks ? 0 : O_NOFOLLOW);
  const UniqueFd fd(::open(path.c_str(), flags));
  if (!fd.valid()) {
    const int error = errno;
    if (error == ELOOP && !follow_symlinks) {
      return refuse(path,
                    "is a symbolic link; nstopo does not follow it (pass --follow-symlinks "
                    "to read the file it points to)");
    }
    if (error == ENXIO) {
      return refuse(path,
                    "is a socket or a device without a driver; a topology must be a regular file");
    }
    return cannotRead(path, error);
  }

  struct stat info {};

  if (::fstat(fd.get(), &info) != 0) {
    return cannotRead(path, errno);
  }
  if (!S_ISREG(info.st_mode)) {
    return refuse(path,
                  fmt::format("is {}; a topology must be a regular file", fileType(info.st_mode)));
  }
  // Grow as the file delivers: sizing the buffer to the limit up front would zero 4 MiB for
  // every 100 KiB lab. The file's size is a good first guess (a file in /proc says 0).
  constexpr std::size_t kChunk = 64 * 1024;
  const std::size_t guess = static_cast<std::size_t>(info.st_size) + 1;
  std::string text;
  text.resize(std::min(guess, limit + 1));
  std::size_t filled = 0;
  for (;;) {
    if (filled == text.size()) {
      if (text.size() > limit) {
        break;  // limit + 1 bytes: enough to say "too big"
      }
      text.resize(std::min(std::max(text.size() * 2, kChunk), limit + 1));
    }
    const ssize_t got = ::read(fd.get(), text.data() + filled, text.size() - filled);
    if (got < 0 && errno == EINTR) {
      continue;
    }
    if (got < 0) {
      return cannotRead(path, errno);
    }
    if (got == 0) {
      break;
    }
    filled += static_cast<std::size_t>(got);
  }
  text.resize(filled);
  return text;
}

}  // namespace nstopo::parse
