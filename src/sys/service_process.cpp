// SPDX-License-Identifier: Apache-2.0
#include "nstopo/sys/service_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "nstopo/core/unique_fd.h"
#include "nstopo/sys/netns_exec.h"
#include "nstopo/sys/process.h"

extern char** environ;

namespace nstopo::sys {
namespace {

constexpr auto kPollPause = std::chrono::milliseconds(20);
constexpr auto kAfterKill = std::chrono::seconds(5);

Error sysError(const std::string& what) {
  const int error = errno;
  return Error{ErrorKind::kKernel, fmt::format("{}: {}", what, std::strerror(error)), {}, error};
}

/// Fields 3 (state) and 22 (start time) of /proc/PID/stat. The command name (field 2) may hold
/// spaces and parentheses, so the fields are counted from its last ')'.
struct StatFields {
  char state = '?';
  std::uint64_t start_time = 0;
};

std::optional<StatFields> readStat(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string text;
  if (!in || !std::getline(in, text)) {
    return std::nullopt;
  }
  const auto close = text.rfind(')');
  if (close == std::string::npos) {
    return std::nullopt;
  }
  std::istringstream fields(text.substr(close + 1));
  StatFields out;
  std::string skip;
  fields >> out.state;
  for (int field = 4; field < 22 && fields >> skip; ++field) {
  }
  if (!(fields >> out.start_time)) {
    return std::nullopt;
  }
  return out;
}

std::optional<std::uint64_t> netnsInodeOf(pid_t pid) {
  struct stat st {};

  if (::stat(fmt::format("/proc/{}/ns/net", pid).c_str(), &st) != 0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(st.st_ino);
}

/// The environment of the program: this process's, with `overrides` set over it. Built before
/// the fork (the child only calls async-signal-safe functions).
std::vector<std::string> environmentWith(const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> out;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string text(*entry);
    const auto key = text.substr(0, text.find('='));
    if (overrides.count(key) == 0) {
      out.push_back(text);
    }
  }
  for (const auto& [key, value] : overrides) {
    out.push_back(key + "=" + value);
  }
  return out;
}

/// Moves `fd` to exactly `target` (both may be any number) in a forked child.
void placeFd(int fd, int target) {
  if (fd != target) {
    ::dup2(fd, target);
  }
}

/// In a forked child: stdin on /dev/null, stdout and stderr on `log_fd` (on /dev/null when it
/// is -1).
void redirectToLog(int log_fd) {
  const int null = ::open("/dev/null", O_RDWR);
  placeFd(null, STDIN_FILENO);
  placeFd(log_fd >= 0 ? log_fd : null, STDOUT_FILENO);
  placeFd(log_fd >= 0 ? log_fd : null, STDERR_FILENO);
}

/// In a forked child: the program, or a line in its log and 127 / 126 as a shell exits.
[[noreturn]] void execProgram(std::vector<char*>& args, std::vector<char*>& envp,
                              const std::string& cwd, const std::string& node) {
  if (::chdir(cwd.empty() ? "/" : cwd.c_str()) != 0) {
    std::fprintf(stderr, "nstopo: node '%s': cwd %s: %s\n", node.c_str(), cwd.c_str(),
                 std::strerror(errno));
    ::_exit(126);
  }
  ::execvpe(args[0], args.data(), envp.data());
  const int error = errno;
  std::fprintf(stderr, "nstopo: node '%s': running '%s': %s\n", node.c_str(), args[0],
               std::strerror(error));
  ::_exit(error == ENOENT ? 127 : 126);
}

bool writeAllFd(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return false;
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

/// The descriptors a supervisor keeps, moved to 3 to 6: every other one of this process (the
/// run lock above all) is closed, so a service never holds what nstopo holds.
constexpr int kLogFd = 3;
constexpr int kExitDirFd = 4;
constexpr int kReportFd = 5;
constexpr int kGoFd = 6;

void keepOnly(int log_fd, int exit_dir_fd, int report_fd, int go_fd) {
  // Out of the way first, so moving one never overwrites another.
  const int log_copy = ::fcntl(log_fd, F_DUPFD, 100);
  const int dir_copy = ::fcntl(exit_dir_fd, F_DUPFD, 100);
  const int report_copy = ::fcntl(report_fd, F_DUPFD, 100);
  const int go_copy = ::fcntl(go_fd, F_DUPFD, 100);
  ::dup2(log_copy, kLogFd);
  ::dup2(dir_copy, kExitDirFd);
  ::dup2(report_copy, kReportFd);
  ::dup2(go_copy, kGoFd);
  ::syscall(SYS_close_range, kGoFd + 1, ~0U, 0);
}

/// In the program's child, before its exec: blocks until nstopo has recorded the service and
/// says go (one byte). End of file means nstopo ended first: nothing could ever stop a program
/// no record names, so it is not run.
void awaitGo() {
  char go = 0;
  ssize_t n = 0;
  while ((n = ::read(kGoFd, &go, 1)) < 0 && errno == EINTR) {
  }
  ::close(kGoFd);
  if (n != 1) {
    std::fprintf(
        stderr, "nstopo: not started: nstopo ended before the service was recorded and released\n");
    ::_exit(125);
  }
}

}  // namespace

std::optional<ProcessIdentity> readProcessIdentity(pid_t pid) {
  const auto stat = readStat(pid);
  if (!stat || stat->state == 'Z' || stat->state == 'X') {
    return std::nullopt;
  }
  const auto inode = netnsInodeOf(pid);
  if (!inode) {
    return std::nullopt;
  }
  return ProcessIdentity{pid, stat->start_time, *inode};
}

bool isRunning(const ProcessIdentity& process) {
  if (process.pid <= 0) {
    return false;
  }
  const auto now = readProcessIdentity(process.pid);
  return now && *now == process;
}

bool stopProcess(const ProcessIdentity& process, std::chrono::milliseconds grace) {
  const auto wait_gone = [&](auto limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (isRunning(process)) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return false;
      }
      std::this_thread::sleep_for(kPollPause);
    }
    return true;
  };
  if (!isRunning(process)) {
    return true;
  }
  ::kill(process.pid, SIGTERM);
  if (wait_gone(grace)) {
    return true;
  }
  if (isRunning(process)) {  // checked again: the pid must still be the recorded process
    ::kill(process.pid, SIGKILL);
  }
  return wait_gone(kAfterKill);
}

Result<std::uint64_t> netnsInode(int netns_fd) {
  struct stat st {};

  if (::fstat(netns_fd, &st) != 0) {
    return tl::unexpected(sysError("reading a namespace's inode"));
  }
  return static_cast<std::uint64_t>(st.st_ino);
}

Result<LaunchedService> launchService(const ServiceLaunch& launch) {
  const Overlays overlays = etcOverlays(launch.node);
  auto args = execArguments(launch.argv);
  const auto environment = environmentWith(launch.env);
  auto envp = execArguments(environment);
  int report[2] = {-1, -1};
  if (::pipe2(report, O_CLOEXEC) != 0) {
    return tl::unexpected(sysError("pipe"));
  }
  UniqueFd report_read(report[0]);
  UniqueFd report_write(report[1]);
  int go[2] = {-1, -1};
  if (::pipe2(go, O_CLOEXEC) != 0) {
    return tl::unexpected(sysError("pipe"));
  }
  UniqueFd go_read(go[0]);
  UniqueFd go_write(go[1]);
  const pid_t supervisor = ::fork();
  if (supervisor < 0) {
    return tl::unexpected(sysError("fork"));
  }
  if (supervisor == 0) {
    ::setsid();
    const bool entered = ::setns(launch.netns_fd, CLONE_NEWNET) == 0;
    const int enter_error = errno;
    // Closes netns_fd and the go pipe's write end too: only nstopo may hold that.
    keepOnly(launch.log_fd, launch.exit_dir_fd, report_write.get(), go_read.get());
    redirectToLog(kLogFd);
    if (!entered) {
      std::fprintf(stderr, "nstopo: entering namespace '%s': %s\n", launch.node.c_str(),
                   std::strerror(enter_error));
      ::_exit(126);
    }
    mountNodeView(launch.node, overlays);
    const pid_t program = ::fork();
    if (program == 0) {
      ::close(kReportFd);
      ::close(kExitDirFd);
      ::close(kLogFd);
      awaitGo();
      execProgram(args, envp, launch.cwd, launch.node);
    }
    ::close(kGoFd);
    std::uint64_t message[2] = {static_cast<std::uint64_t>(program < 0 ? 0 : program), 0};
    if (program > 0) {
      // Read before the wait: even a program that has ended is still a zombie here.
      if (const auto stat = readStat(program)) {
        message[1] = stat->start_time;
      }
    }
    (void)writeAllFd(kReportFd, message, sizeof(message));
    ::close(kReportFd);
    if (program < 0) {
      ::_exit(126);
    }
    int wait_status = 0;
    while (::waitpid(program, &wait_status, 0) < 0 && errno == EINTR) {
    }
    const std::string status = std::to_string(shellStatus(wait_status)) + "\n";
    const int out = ::openat(kExitDirFd, launch.exit_file.c_str(),
                             O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
    if (out >= 0) {
      (void)writeAllFd(out, status.data(), status.size());
      ::close(out);
    }
    ::_exit(0);
  }
  report_write = UniqueFd();
  go_read = UniqueFd();
  std::uint64_t message[2] = {0, 0};
  std::size_t got = 0;
  while (got < sizeof(message)) {
    const ssize_t n =
        ::read(report_read.get(), reinterpret_cast<char*>(message) + got, sizeof(message) - got);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      break;
    }
    got += static_cast<std::size_t>(n);
  }
  auto inode = netnsInode(launch.netns_fd);
  if (!inode) {
    return tl::unexpected(inode.error());
  }
  LaunchedService out;
  out.go = std::move(go_write);
  if (got == sizeof(message) && message[0] != 0) {
    out.process = ProcessIdentity{static_cast<pid_t>(message[0]), message[1], *inode};
  }
  // The supervisor lives in the node too; until it has entered, /proc shows our namespace.
  const auto stat = readStat(supervisor);
  out.supervisor = ProcessIdentity{supervisor, stat ? stat->start_time : 0, *inode};
  if (out.process.pid == 0) {
    int ignored = 0;
    ::waitpid(supervisor, &ignored, 0);  // it failed before the fork: reap it
    return fail(
        ErrorKind::kKernel,
        fmt::format("node '{}': the service could not be started (see its log)", launch.node));
  }
  return out;
}

Status releaseService(LaunchedService& launched) {
  const char go = 1;
  const bool sent = writeAllFd(launched.go.get(), &go, 1);
  launched.go = UniqueFd();
  if (!sent) {
    return tl::unexpected(sysError("telling the service's supervisor to start it"));
  }
  return {};
}

Result<NodeCommandRun> runInNode(const std::string& node, int netns_fd,
                                 const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& env, int log_fd,
                                 std::chrono::milliseconds timeout) {
  const Overlays overlays = etcOverlays(node);
  auto args = execArguments(argv);
  const auto environment = environmentWith(env);
  auto envp = execArguments(environment);
  const pid_t pid = ::fork();
  if (pid < 0) {
    return tl::unexpected(sysError("fork"));
  }
  if (pid == 0) {
    redirectToLog(log_fd);
    if (::setns(netns_fd, CLONE_NEWNET) != 0) {
      std::fprintf(stderr, "nstopo: entering namespace '%s': %s\n", node.c_str(),
                   std::strerror(errno));
      ::_exit(126);
    }
    mountNodeView(node, overlays);
    execProgram(args, envp, "", node);
  }
  ChildProcess child(pid);
  const auto status = child.waitFor(timeout);
  if (!status) {
    (void)child.stop(SIGKILL);
    return NodeCommandRun{true, 137};
  }
  return NodeCommandRun{false, shellStatus(*status)};
}

bool tcpPortAccepts(int netns_fd, int port) {
  const pid_t pid = ::fork();
  if (pid < 0) {
    return false;
  }
  if (pid == 0) {
    if (::setns(netns_fd, CLONE_NEWNET) != 0) {
      ::_exit(2);
    }
    sockaddr_in v4{};
    v4.sin_family = AF_INET;
    v4.sin_port = htons(static_cast<std::uint16_t>(port));
    v4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const int s4 = ::socket(AF_INET, SOCK_STREAM, 0);
    if (s4 >= 0 && ::connect(s4, reinterpret_cast<sockaddr*>(&v4), sizeof(v4)) == 0) {
      ::_exit(0);
    }
    sockaddr_in6 v6{};
    v6.sin6_family = AF_INET6;
    v6.sin6_port = htons(static_cast<std::uint16_t>(port));
    v6.sin6_addr = in6addr_loopback;
    const int s6 = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (s6 >= 0 && ::connect(s6, reinterpret_cast<sockaddr*>(&v6), sizeof(v6)) == 0) {
      ::_exit(0);
    }
    ::_exit(1);
  }
  ChildProcess child(pid);
  // A connect on loopback is answered at once (accepted or refused); the bound is for safety.
  const auto status = child.waitFor(std::chrono::seconds(5));
  return status && shellStatus(*status) == 0;
}

}  // namespace nstopo::sys
