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

}  // namespace

Result<std::string> readBounded(const std::string& path, std::size_t limit) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) {
    return cannotRead(path, errno);
  }

  struct stat info {};

  if (::fstat(fd.get(), &info) != 0) {
    return cannotRead(path, errno);
  }
  if (S_ISDIR(info.st_mode)) {
    return cannotRead(path, EISDIR);
  }
  // Grow as the file delivers: sizing the buffer to the limit up front would zero 4 MiB for
  // every 100 KiB lab. A regular file's size is a good first guess.
  constexpr std::size_t kChunk = 64 * 1024;
  const std::size_t guess =
      S_ISREG(info.st_mode) ? static_cast<std::size_t>(info.st_size) + 1 : kChunk;
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
