// SPDX-License-Identifier: Apache-2.0
#include "file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

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
  std::string text;
  text.resize(limit + 1);
  std::size_t filled = 0;
  while (filled < text.size()) {
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
