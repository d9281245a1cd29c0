// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/errno_text.h"

namespace nstopo::sys {
namespace {

std::string pathOf(const std::string& key) {
  std::string path = "/proc/sys/" + key;
  std::replace(path.begin() + 10, path.end(), '.', '/');
  return path;
}

}  // namespace

Result<std::string> readSysctl(const std::string& key) {
  UniqueFd fd(::open(pathOf(key).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    return fail(ErrorKind::kUnsupported,
                fmt::format("sysctl '{}' ({}): {}", key, pathOf(key), errnoText(errno)), {}, errno);
  }
  std::string value(512, '\0');
  const ssize_t got = ::read(fd.get(), value.data(), value.size());
  if (got < 0) {
    return fail(ErrorKind::kKernel, fmt::format("reading sysctl '{}': {}", key, errnoText(errno)),
                {}, errno);
  }
  value.resize(static_cast<std::size_t>(got));
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) {
    value.pop_back();
  }
  return value;
}

Status writeSysctl(const std::string& key, const std::string& value) {
  UniqueFd fd(::open(pathOf(key).c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    return fail(ErrorKind::kUnsupported,
                fmt::format("sysctl '{}' ({}): {}", key, pathOf(key), errnoText(errno)), {}, errno);
  }
  const std::string line = value + "\n";
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return fail(ErrorKind::kKernel,
                fmt::format("setting sysctl '{}' to '{}': {}", key, value, errnoText(errno)), {},
                errno);
  }
  return {};
}

}  // namespace nstopo::sys
