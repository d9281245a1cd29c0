// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "nstopo/core/unique_fd.h"

namespace nstopo::sys {
namespace {

using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

/// How often a wait without pidfds looks again.
constexpr Millis kReapPoll{10};

Millis left(Clock::time_point deadline) {
  return std::max(Millis(0), std::chrono::duration_cast<Millis>(deadline - Clock::now()));
}

tl::unexpected<Error> sysError(const char* what) {
  return fail(ErrorKind::kKernel, fmt::format("{}: {}", what, std::strerror(errno)), {}, errno);
}

/// nstopo only waits for a foreground command; what it is sent goes on to the command.
volatile sig_atomic_t g_foreground_child = 0;

extern "C" void forwardSignal(int signal_number) {
  if (g_foreground_child > 0) {
    ::kill(static_cast<pid_t>(g_foreground_child), signal_number);
  }
}

}  // namespace

std::vector<char*> execArguments(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& arg : argv) {
    args.push_back(const_cast<char*>(arg.c_str()));
  }
  args.push_back(nullptr);
  return args;
}

int shellStatus(int wait_status) {
  if (WIFSIGNALED(wait_status)) {
    return 128 + WTERMSIG(wait_status);
  }
  return WEXITSTATUS(wait_status);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(std::exchange(other.pid_, -1)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (running()) {
      (void)stop(SIGKILL);
    }
    pid_ = std::exchange(other.pid_, -1);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (running()) {
    (void)stop(SIGKILL);
  }
}

int ChildProcess::wait() {
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

std::optional<int> ChildProcess::waitFor(Millis timeout) {
  const auto deadline = Clock::now() + timeout;
  // A pidfd becomes readable when the child ends (Linux 5.3 and later): no polling loop.
  const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0)));
  for (;;) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) {
      pid_ = -1;
      return status;
    }
    const Millis wait = left(deadline);
    if (wait.count() == 0) {
      return std::nullopt;
    }
    if (pidfd.valid()) {
      pollfd waiter{pidfd.get(), POLLIN, 0};
      (void)::poll(&waiter, 1, static_cast<int>(wait.count()));
    } else {
      std::this_thread::sleep_for(std::min(wait, kReapPoll));
    }
  }
}

int ChildProcess::stop(int signal_number) {
  ::kill(pid_, signal_number);  // one that already ended is a zombie until reaped: still ours
  return wait();
}

Result<ChildProcess> spawnQuiet(const std::vector<std::string>& argv, int netns_fd, int stdout_fd) {
  auto args = execArguments(argv);
  const pid_t pid = ::fork();
  if (pid < 0) {
    return sysError("fork");
  }
  if (pid == 0) {
    if (netns_fd >= 0 && ::setns(netns_fd, CLONE_NEWNET) != 0) {
      ::_exit(126);
    }
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);  // dup2 keeps the copies open
    ::dup2(null, STDIN_FILENO);
    ::dup2(stdout_fd >= 0 ? stdout_fd : null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return ChildProcess(pid);
}

Result<ProgramRun> runWithInput(const std::vector<std::string>& argv, const std::string& input,
                                Millis timeout) {
  // A socket, not a pipe, carries the input: a program that exits early must not kill nstopo
  // with SIGPIPE (send with MSG_NOSIGNAL).
  int in[2];
  int out[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    return sysError("socketpair");
  }
  UniqueFd in_parent(in[0]);
  UniqueFd in_child(in[1]);
  if (::pipe2(out, O_CLOEXEC) != 0) {
    return sysError("pipe");
  }
  UniqueFd out_parent(out[0]);
  UniqueFd out_child(out[1]);
  auto args = execArguments(argv);
  const pid_t pid = ::fork();
  if (pid < 0) {
    return sysError("fork");
  }
  if (pid == 0) {
    ::dup2(in_child.get(), STDIN_FILENO);
    ::dup2(out_child.get(), STDOUT_FILENO);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  ChildProcess child(pid);
  in_child.reset();
  out_child.reset();
  ::fcntl(in_parent.get(), F_SETFL, O_NONBLOCK);
  ProgramRun run;
  std::size_t written = 0;
  const auto deadline = Clock::now() + timeout;
  // Write and read together: the program may answer before it has read everything.
  while (out_parent.valid()) {
    const Millis wait = left(deadline);
    if (wait.count() == 0) {
      (void)child.stop(SIGKILL);
      run.timed_out = true;
      return run;
    }
    pollfd waiters[2] = {{out_parent.get(), POLLIN, 0}, {in_parent.get(), POLLOUT, 0}};
    const nfds_t count = in_parent.valid() ? 2 : 1;
    if (::poll(waiters, count, static_cast<int>(wait.count())) < 0 && errno != EINTR) {
      return sysError("poll");  // ~ChildProcess kills it
    }
    if (count == 2 && waiters[1].revents != 0) {
      const ssize_t sent =
          ::send(in_parent.get(), input.data() + written, input.size() - written, MSG_NOSIGNAL);
      if (sent > 0) {
        written += static_cast<std::size_t>(sent);
      }
      if ((sent < 0 && errno != EAGAIN) || written == input.size()) {
        in_parent.reset();  // end of input, or the program stopped reading
      }
    }
    if (waiters[0].revents != 0) {
      char buffer[65536];
      const ssize_t got = ::read(out_parent.get(), buffer, sizeof buffer);
      if (got > 0) {
        run.output.append(buffer, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        out_parent.reset();
      }
    }
  }
  in_parent.reset();
  // Its stdout is closed; it may still be busy: the same deadline bounds its exit.
  const auto status = child.waitFor(left(deadline));
  if (!status) {
    (void)child.stop(SIGKILL);
    run.timed_out = true;
    return run;
  }
  run.wait_status = *status;
  return run;
}

int waitInForeground(ChildProcess& child) {
  // The child was forked with the default dispositions, so it still sees ^C itself.
  g_foreground_child = child.pid();
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGQUIT, SIG_IGN);
  ::signal(SIGTERM, forwardSignal);
  ::signal(SIGHUP, forwardSignal);
  const int status = child.wait();
  g_foreground_child = 0;
  return shellStatus(status);
}

}  // namespace nstopo::sys
