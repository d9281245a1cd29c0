// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "nstopo/sys/errno_text.h"

namespace nstopo::sys {
namespace {

/// "net.ipv4.ip_forward" -> "net/ipv4/ip_forward", below /proc/sys.
std::string relativePath(const std::string& key) {
  std::string path = key;
  std::replace(path.begin(), path.end(), '.', '/');
  return path;
}

/// "net/ipv4/ip_forward" -> "/proc/sys/net/ipv4/ip_forward": the machine's, and what messages
/// name (the path everyone knows, whichever procfs served).
std::string procSysPath(const std::string& relative) {
  return "/proc/sys/" + relative;
}

}  // namespace

UniqueFd SysctlDir::openKey(const std::string& key, int flags) const {
  return openPath(relativePath(key), flags);
}

UniqueFd SysctlDir::openPath(const std::string& relative, int flags) const {
  flags |= O_CLOEXEC | O_NOFOLLOW;
  if (sys_fd_ >= 0) {
    return UniqueFd(::openat(sys_fd_, relative.c_str(), flags));
  }
  return UniqueFd(::open(procSysPath(relative).c_str(), flags));
}

Result<std::string> SysctlDir::read(const std::string& key) const {
  const UniqueFd fd = openKey(key, O_RDONLY);
  if (!fd.valid()) {
    const int error = errno;  // before the message's allocations
    return fail(
        ErrorKind::kUnsupported,
        fmt::format("sysctl '{}' ({}): {}", key, procSysPath(relativePath(key)), errnoText(error)),
        {}, error);
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

Status SysctlDir::write(const std::string& key, const std::string& value) const {
  return writeAt(relativePath(key), key, value);
}

Status SysctlDir::writeDevice(const std::string& family, const std::string& device,
                              const std::string& setting, const std::string& value) const {
  const std::string relative = fmt::format("net/{}/conf/{}/{}", family, device, setting);
  return writeAt(relative, relative, value);
}

Status SysctlDir::writeAt(const std::string& relative, const std::string& label,
                          const std::string& value) const {
  const UniqueFd fd = openPath(relative, O_WRONLY);
  if (!fd.valid()) {
    const int error = errno;  // before the message's allocations (callers test ENOENT)
    return fail(ErrorKind::kUnsupported,
                fmt::format("sysctl '{}' ({}): {}", label, procSysPath(relative), errnoText(error)),
                {}, error);
  }
  const std::string line = value + "\n";
  if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    return fail(ErrorKind::kKernel,
                fmt::format("setting sysctl '{}' to '{}': {}", label, value, errnoText(errno)), {},
                errno);
  }
  return {};
}

}  // namespace nstopo::sys
