// SPDX-License-Identifier: Apache-2.0
#include "nstopo/app/run_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "nstopo/app/state_dir.h"

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
  // Every kernel-touching command comes here first: a state directory another user could write
  // (or one that is not ours) stops it before it reads anything there.
  auto dir_fd = openTrustedDir(AT_FDCWD, dir, dir, true);
  if (!dir_fd) {
    return tl::unexpected(dir_fd.error());
  }
  const std::string path = dir + "/lock";
  auto opened = openTrustedFile(dir_fd->get(), "lock", path, O_RDWR | O_CREAT);
  if (!opened) {
    return tl::unexpected(opened.error());
  }
  UniqueFd fd = std::move(*opened);
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
