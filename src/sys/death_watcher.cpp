// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/death_watcher.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

#include "nstopo/sys/process.h"

namespace nstopo::sys {
namespace {

constexpr char kReleased = 'r';
/// A released watcher only has to read one byte and exit.
constexpr auto kReapTimeout = std::chrono::seconds(5);

/// The watcher's life: detach, block until the parent says it is done or its end closes.
[[noreturn]] void watch(int socket, const std::function<int()>& on_death) {
  ::setsid();
  ::prctl(PR_SET_NAME, "nstopo-watcher");  // what ps and pgrep show: not another nstopo run
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  if (const int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC); null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::close(null);
  }
  ::dup2(STDERR_FILENO, STDOUT_FILENO);
  char byte = 0;
  ssize_t got = 0;
  do {
    got = ::read(socket, &byte, 1);
  } while (got < 0 && errno == EINTR);
  if (got == 1 && byte == kReleased) {
    ::_exit(0);
  }
  const int code = on_death();
  std::fflush(stdout);
  std::fflush(stderr);
  // _exit: the copy of the parent's static objects is not this process's to tear down.
  ::_exit(code);
}

}  // namespace

Result<DeathWatcher> DeathWatcher::start(std::function<int()> on_death) {
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0) {
    return fail(ErrorKind::kKernel, fmt::format("socketpair: {}", std::strerror(errno)), {}, errno);
  }
  UniqueFd ours(ends[0]);
  UniqueFd theirs(ends[1]);
  std::fflush(stdout);  // the watcher must not print this process's buffered output again
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    return fail(ErrorKind::kKernel, fmt::format("fork: {}", std::strerror(errno)), {}, errno);
  }
  if (pid == 0) {
    ours.reset();  // else the watcher would keep its own end of file away
    watch(theirs.get(), on_death);
  }
  return DeathWatcher(std::move(ours), pid);
}

void DeathWatcher::release() {
  if (!socket_.valid()) {
    return;
  }
  (void)::send(socket_.get(), &kReleased, 1, MSG_NOSIGNAL);
  socket_.reset();
  ChildProcess watcher(pid_);
  pid_ = -1;
  // One that does not end in time is killed by ~ChildProcess: it was told there is nothing to do.
  (void)watcher.waitFor(kReapTimeout);
}

}  // namespace nstopo::sys
