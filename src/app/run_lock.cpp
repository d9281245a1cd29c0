// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <fmt/format.h>

namespace nstopo::app {
namespace {

constexpr auto kPollInterval = std::chrono::milliseconds(50);

std::string holderOf(int fd) {
  char buffer[256] = {};
  const ssize_t got = ::pread(fd, buffer, sizeof buffer - 1, 0);
  if (got <= 0) {
    return "another nstopo run";
  }
  std::string text(buffer, static_cast<std::size_t>(got));
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  return text;
}

}  // namespace

Result<RunLock> RunLock::acquire(const std::string& dir, const std::string& lab,
                                 std::chrono::milliseconds timeout) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return fail(ErrorKind::kKernel, fmt::format("creating {}: {}", dir, std::strerror(errno)), {},
                errno);
  }
  const std::string path = dir + "/lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd.valid()) {
    return fail(ErrorKind::kKernel, fmt::format("opening {}: {}", path, std::strerror(errno)), {},
                errno);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      return fail(ErrorKind::kKernel, fmt::format("locking {}: {}", path, std::strerror(errno)), {},
                  errno);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return fail(ErrorKind::kConflict,
                  fmt::format("{} holds {} (waited {} ms); nothing was changed", holderOf(fd.get()),
                              path, timeout.count()));
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  // Say who holds it, for the message a waiting run prints.
  const std::string holder = fmt::format("nstopo pid {} (lab '{}')\n", ::getpid(), lab);
  if (::ftruncate(fd.get(), 0) == 0) {
    (void)!::pwrite(fd.get(), holder.data(), holder.size(), 0);
  }
  return RunLock(std::move(fd));
}

}  // namespace nstopo::app
